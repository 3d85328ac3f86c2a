"""Browser widgets of the seminar app: a Vega-Lite chart that updates its data in place,
and the page's language attribute.

Both are small Vue templates (ipyvue). The chart loads Vega, Vega-Lite and Vega-Embed
from the copies that ``solara[assets]`` installs, so the page works offline; on each
year only the chart's data travel and Vega redraws, without compiling the chart again.
A chart of ``width: "container"`` follows its box's width (the sidebar folds, the
window changes).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import ipyvuetify as v
import traitlets

VEGA_LIBRARIES = ("vega", "vega-lite", "vega-embed")
"""The JavaScript libraries a chart needs, by package name."""

_CHART_TEMPLATE = """
<template>
  <div class="simcontract-vega" :data-ready="ready ? 'yes' : 'no'" :data-drawn="drawn">
    <div ref="plot"></div>
  </div>
</template>
<script>
module.exports = {
  // redrawRows: Vega keeps the marks of the rows removed from a chart's series (its
  // facets) for as long as the view lives (vega/vega#2920), so a page stepping year after
  // year grew by about 0.1 MiB a year. Once this many rows have been replaced, the chart
  // is drawn afresh, which lets them go.
  data: () => ({ ready: false, drawn: 0, redrawRows: 500 }),
  mounted() {
    this.loaded = this.loadVega();
    this.observer = new ResizeObserver(() => this.fit());
    this.observer.observe(this.$el);
    this.draw();
  },
  destroyed() {
    if (this.observer) { this.observer.disconnect(); }
    if (this.view) { this.view.finalize(); }
  },
  watch: {
    spec() { this.draw(); },
    datasets() { this.update(); },
  },
  methods: {
    async draw() {
      const turn = (this.turn = (this.turn || 0) + 1);
      const [vega, embed] = await this.loaded;
      const spec = JSON.parse(JSON.stringify(this.spec));
      // Vega marks the rows it holds; copies keep the synced trait untouched (a change
      // to it would travel back to the server).
      const rows = JSON.parse(JSON.stringify(this.datasets));
      spec.datasets = Object.assign({}, spec.datasets || {}, rows);
      this.fitting = spec.width === 'container';
      if (this.fitting) { spec.width = this.width(); }
      const colon = (spec.usermeta || {}).colon || ':';
      const tooltip = { formatTooltip: (value, sanitize) => this.tip(value, sanitize, colon) };
      const options = { actions: false, renderer: 'canvas', tooltip };
      const result = await embed(this.$refs.plot, spec, options);
      if (turn !== this.turn) { result.view.finalize(); return; }
      if (this.view) { this.view.finalize(); }
      this.view = result.view;
      this.replaced = 0;
      this.vega = vega;
      this.view.addEventListener('click', (event, item) => {
        const datum = item && item.datum ? JSON.parse(JSON.stringify(item.datum)) : {};
        this.clicked = Object.assign({}, datum, { _nonce: Date.now() });
      });
      this.shown = this.datasets;
      this.ready = true;
      this.drawn += 1;
      this.update();
    },
    tip(value, sanitize, colon) {
      // Vega-Tooltip's table of fields, with the language's colon after each name.
      const say = (v) => sanitize(v !== null && typeof v === 'object' ? JSON.stringify(v) : v);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        return say(value);
      }
      const { title, ...fields } = value;
      let html = title ? '<h2>' + say(title) + '</h2>' : '';
      const rows = Object.entries(fields).filter(([, v]) => v !== undefined);
      if (rows.length) {
        html += '<table>' + rows.map(([k, v]) => '<tr><td class="key">' + say(k) + say(colon)
          + '</td><td class="value">' + say(v) + '</td></tr>').join('') + '</table>';
      }
      return html || '{}';
    },
    width() {
      return Math.max(120, Math.floor(this.$el.clientWidth || 300));
    },
    fit() {
      if (!this.view || !this.fitting) { return; }
      const width = this.width();
      if (width !== this.view.width()) { this.view.width(width).runAsync(); }
    },
    update() {
      if (!this.view || this.shown === this.datasets) { return; }
      const rows = Object.values(this.shown || {}).reduce((n, r) => n + r.length, 0);
      this.replaced = (this.replaced || 0) + rows;
      if (this.replaced > this.redrawRows) {
        this.replaced = 0;
        this.draw();
        return;
      }
      const vega = this.vega;
      const copies = JSON.parse(JSON.stringify(this.datasets));
      for (const [name, rows] of Object.entries(copies)) {
        this.view.change(name, vega.changeset().remove(vega.truthy).insert(rows));
      }
      this.shown = this.datasets;
      this.view.runAsync().then(() => { this.drawn += 1; });
    },
    cdn() {
      if (window.solara && window.solara.cdn) { return window.solara.cdn; }
      let base = document.body.dataset.baseUrl || document.baseURI;
      if (!base.endsWith('/')) { base += '/'; }
      return base + '_solara/cdn';
    },
    async loadVega() {
      if (!window.requirejs) {
        await new Promise((resolve, reject) => {
          const script = document.createElement('script');
          script.src = this.cdn() + '/' + this.libs.requirejs;
          script.onload = resolve;
          script.onerror = reject;
          document.head.appendChild(script);
        });
      }
      const map = {};
      for (const name of ['vega', 'vega-lite', 'vega-embed']) {
        map[name] = this.cdn() + '/' + this.libs[name];
      }
      window.requirejs.config({ map: { '*': map } });
      return await new Promise((resolve, reject) => {
        window.requirejs(['vega', 'vega-embed'], (vega, embed) => resolve([vega, embed]), reject);
      });
    },
  },
};
</script>
"""

_LANG_TEMPLATE = """
<template><span class="simcontract-lang" style="display: none"></span></template>
<script>
module.exports = {
  mounted() { this.apply(); },
  watch: { lang() { this.apply(); } },
  methods: {
    apply() {
      document.documentElement.setAttribute('lang', this.lang);
      if (this.title) { document.title = this.title; }
    },
  },
};
</script>
"""


@functools.cache
def vega_libraries() -> dict[str, str]:
    """Paths of Vega's libraries under Solara's CDN route, at the versions installed
    locally (the newest of each), or the major versions a CDN would serve."""
    try:
        from solara.server import settings

        cache = Path(settings.assets.proxy_cache_dir)
    except (ImportError, AttributeError):
        cache = Path("/nonexistent")
    found = {
        "vega": "vega@5/build/vega.min.js",
        "vega-lite": "vega-lite@5/build/vega-lite.min.js",
        "vega-embed": "vega-embed@6/build/vega-embed.min.js",
        "requirejs": "requirejs@2.3.6/require.js",
    }
    for name in (*VEGA_LIBRARIES, "requirejs"):
        versions = [p.name for p in cache.glob(f"{name}@*") if p.is_dir()]
        if versions:
            newest = max(versions, key=_version_key)
            file = found[name].split("/", 1)[1]
            if (cache / newest / file).is_file():
                found[name] = f"{newest}/{file}"
    return found


def _version_key(folder: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", folder.split("@", 1)[1]))


class VegaChart(v.VuetifyTemplate):
    """A Vega-Lite chart whose named datasets can change without redrawing the chart.

    Attributes:
        spec: The Vega-Lite specification (its data by name, see ``datasets``).
        datasets: Rows of each named dataset; a change updates the chart in place.
        clicked: The data of the mark last clicked (with ``_nonce``, so that clicking
            the same mark twice still counts as a change).
        libs: Where the browser loads the libraries (see :func:`vega_libraries`).

    A hover tooltip puts the colon the specification's ``usermeta`` names after each
    field's name (``"："`` in Chinese; Vega's own tooltip writes ``":"``).
    """

    template = traitlets.Unicode(_CHART_TEMPLATE).tag(sync=True)
    spec = traitlets.Dict().tag(sync=True)
    datasets = traitlets.Dict().tag(sync=True)
    clicked = traitlets.Dict().tag(sync=True)
    libs = traitlets.Dict().tag(sync=True)


class PageLanguage(v.VuetifyTemplate):
    """Sets the page's ``<html lang>`` attribute and its title."""

    template = traitlets.Unicode(_LANG_TEMPLATE).tag(sync=True)
    lang = traitlets.Unicode("en").tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
