"""Details of the seminar app a teacher reading Chinese meets: numbers, tooltips, the
kept run's comparison after its end, axis titles and legends (most without a browser;
one short session in a browser for what only a browser draws)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("solara", reason="the app needs solara: pip install 'simcontract[app]'")
pytest.importorskip("altair", reason="the app needs altair: pip install 'simcontract[app]'")

import solara
from matplotlib.backends.backend_agg import FigureCanvasAgg
from test_app_browser import (  # noqa: F401  (fixtures)
    CHART_DATA,
    CHROMIUM_ARGS,
    PROJECTOR,
    RENDERER_CRASH,
    UI_TIMEOUT_MS,
    app_url,
    chromium,
    mark_position,
)

from simcontract import i18n
from simcontract.appcharts import PANELS, field_colon, panel_spec, run_label
from simcontract.appcontrols import show_value
from simcontract.appexport import charts_figure
from simcontract.appmarketchart import detail_spec, district_spec
from simcontract.apppanels import RulesInForce
from simcontract.appruns import Run, keep, start_run
from simcontract.appstate import AppState
from simcontract.appstyle import page_css
from simcontract.appviews import (
    READOUTS,
    Readouts,
    breakable,
    kept_readout,
    market_caption,
    show_outcome,
)
from simcontract.scenario import builtin_names

LANGS = list(i18n.LANGUAGES)

TINY = {"years": 3, "n_bureaux": 6, "n_mass_orgs": 1, "initial_ngos": 15}
"""A market small enough to run in a blink."""


COUNTS = next(p for p in PANELS if p.unit == "count")
"""The chart of counts (NGOs, slots)."""

YEARS = ("year", "entered")
"""Tooltip fields that are years, not amounts (no thousands separator)."""


def _specs(lang: str) -> list[dict]:
    """Every chart the app draws, in ``lang``, on a desk and on a projector."""
    specs = []
    for projector in (False, True):
        specs += [panel_spec(p, lang, projector, 20, ["a", "b"]) for p in PANELS]
        specs.append(district_spec([0, 1], lang, projector))
        specs.append(detail_spec([0, 1], lang, projector, 1e6))
    return specs


def _encodings(spec: dict) -> list[dict]:
    """The encodings of a specification's layers, nested layers included."""
    found, stack = [], [spec]
    while stack:
        node = stack.pop()
        found.append(node.get("encoding", {}))
        stack.extend(node.get("layer", []))
    return found


def _run(years: int) -> Run:
    run = start_run("baseline", 42, TINY)
    run.set_length(years)
    for _ in range(years):
        run.step()
    return run


# --------------------------------------------------------------------------- numbers
@pytest.mark.parametrize("lang", LANGS)
def test_numbers_have_the_thousands_separator_at_any_size(lang: str) -> None:
    """The moca preset's 5,636 hours sat as "5636" in the sidebar beside the baseline's
    "21,268.8": the separator came only from 10,000 on."""
    assert show_value("required_hours", 5636.0, lang) == "5,636"
    assert show_value("hours_per_worker", 2000.0, lang) == "2,000"
    assert show_value("required_hours", 21268.8, lang) == "21,268.8"
    assert show_value("contract_value", 2.4e6, lang) == "2,400,000"
    assert show_value("overhead", 1234567.5, lang) == "1,234,568"  # not "1.23457e+06"
    assert show_value("favouritism", 0.25, lang) == "0.25"
    assert show_value("staff_per_contract", 1400, lang) == "1,400"
    assert show_outcome("active_ngos", 1234.0, lang) == "1,234"
    assert show_outcome("service_quality", 0.3456, lang) == "0.35"


def test_the_market_caption_counts_with_the_separator() -> None:
    counts = {"ngos": 1234, "purchasers": 1, "running": 2, "gaps": 5636}
    said = market_caption(counts, 4, lambda key, **v: i18n.text(f"app.{key}", "zh_CN", **v))
    assert "1,234 家" in said and "5,636 个项目" in said


@pytest.mark.parametrize("lang", LANGS)
def test_chart_tooltips_separate_thousands_as_the_axes_do(lang: str) -> None:
    """Vega's axes write 1,000; a tooltip's ".3~f" wrote 1000 beside them."""
    for spec in _specs(lang):
        for encoding in _encodings(spec):
            tips = encoding.get("tooltip", [])
            for tip in tips if isinstance(tips, list) else [tips]:
                if tip.get("type") == "quantitative" and tip["field"] not in YEARS:
                    assert tip.get("format", "").startswith(","), (spec.get("title"), tip)


def test_the_downloaded_charts_count_with_the_separator() -> None:
    """The PNG's count axis read "1000" where the page's reads "1,000"."""
    run = start_run("baseline", 42, {**TINY, "initial_ngos": 1500})
    run.step()
    fig = charts_figure(run, [], lang="zh_CN")
    FigureCanvasAgg(fig).draw()
    ticks = [t.get_text() for t in fig.axes[PANELS.index(COUNTS)].get_yticklabels()]
    assert "1,000" in ticks and not any(re.fullmatch(r"\d{4,}", t) for t in ticks), ticks


# --------------------------------------------------------------------------- tooltips
@pytest.mark.parametrize(("lang", "colon"), [("en", ":"), ("zh_CN", "：")])
def test_tooltips_punctuate_field_names_as_the_language(lang: str, colon: str) -> None:
    """Vega's tooltip writes "年份: 3"; every chart tells the page the language's colon."""
    assert field_colon(lang) == colon
    for spec in _specs(lang):
        assert spec["usermeta"]["colon"] == colon


# --------------------------------------------------------------------------- readouts
def test_the_kept_run_is_compared_at_its_last_year_once_the_live_run_is_past_it() -> None:
    kept = keep([], _run(2))[-1]
    for name in ("active_ngos", "staff_turnover"):
        last = show_outcome(name, float(kept.series()[name].iloc[-1]), "zh_CN")
        assert kept_readout(kept, name, 3, "zh_CN") == f"运行 A，第 2 年：{last}"
        same = show_outcome(name, float(kept.series()[name].iloc[0]), "zh_CN")
        assert kept_readout(kept, name, 1, "zh_CN") == f"运行 A：{same}"
    assert kept_readout(kept, "active_ngos", 5, "en").startswith("run A, year 2: ")


def test_the_big_numbers_never_compare_with_a_dash_after_the_kept_run_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        "simcontract.appstate.start_run",
        lambda preset, seed, values=(): start_run(preset, seed, {**TINY, **dict(values)}),
    )
    state = AppState("zh_CN", "baseline")
    state.step()
    state.keep_run()
    for _ in range(3):
        state.step()
    seen = _html(Readouts(state, state.run.value))
    kept = state.kept.value[-1].series().iloc[-1]
    shown = {f"运行 A，第 1 年：{show_outcome(name, kept[name], 'zh_CN')}" for name in READOUTS}
    assert shown <= set(seen), (shown, seen)
    assert "运行 A：–" not in seen


# --------------------------------------------------------------------------- layout
def _html(component) -> list[str]:
    """The HTML of each widget a component draws."""
    box, rc = solara.render(component, handle_error=False)
    try:
        seen, stack = [], [box]
        while stack:
            widget = stack.pop()
            seen.append(str(getattr(widget, "unsafe_innerHTML", "") or ""))
            stack.extend(getattr(widget, "children", None) or [])
    finally:
        rc.close()
    return seen


def test_chinese_labels_break_between_words_not_inside_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A narrow cell (the A/B layout's big numbers, the rules in force) broke
    "运营中的社会组织" as "运营中的社会 / 组织" and "群团组织的购买方式" as "群团组织的购买方
    / 式": Chinese labels break at the catalogue's word marks."""
    monkeypatch.setattr(
        "simcontract.appstate.start_run",
        lambda preset, seed, values=(): start_run(preset, seed, {**TINY, **dict(values)}),
    )
    state = AppState("zh_CN", "baseline")
    state.step()
    shown = _html(Readouts(state, state.run.value))
    assert "运营中的<wbr>社会组织" in shown and "承接机构<wbr>更替率" in shown
    rules = " ".join(_html(RulesInForce(state)))
    assert "群团组织的<wbr>购买方式" in rules
    css = page_css()
    assert re.search(r"\.sc-lang-zh_CN \.sc-big-label[^{]*\{\s*word-break: keep-all", css)
    assert breakable(i18n.outcome_label("active_ngos", "en")) == "Active NGOs"


def test_chinese_y_axis_titles_read_across_above_the_axis() -> None:
    """Turned on its side, each Chinese character of a y-axis title lies on its back:
    in Chinese the unit reads across, over the axis, clear of its top label."""
    for panel in PANELS:
        for projector in (False, True):
            spec = panel_spec(panel, "zh_CN", projector, 20)
            (y,) = [e["y"] for e in _encodings(spec) if e.get("y", {}).get("field") == "value"]
            assert y["title"] == i18n.text(f"app.unit_{panel.unit}", "zh_CN")
            assert y["axis"]["titleAngle"] == 0 and y["axis"]["titleBaseline"] == "bottom"
            assert y["axis"]["titleY"] < 0  # above the axis
        english = panel_spec(panel, "en", False, 20)
        (y,) = [e["y"] for e in _encodings(english) if e.get("y", {}).get("field") == "value"]
        assert y["title"] == i18n.text(f"app.unit_{panel.unit}", "en")
        assert "titleAngle" not in y.get("axis", {})  # Vega's, turned


def test_the_downloaded_charts_read_as_the_page_in_chinese() -> None:
    """The PNG's y-axis titles lay on their side and a kept run's name in its legend
    sat in English brackets: "运营中的社会组织 (A：基准城市)"; then in brackets within
    brackets: "（运行 A（基准城市））"."""
    run, kept = _run(2), keep([], _run(1))
    fig = charts_figure(run, kept, lang="zh_CN")
    for ax in fig.axes:
        assert ax.yaxis.label.get_rotation() == 0, ax.get_ylabel()
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any(t.endswith("（运行 A，基准城市）") for t in labels), labels
        assert not any(" (" in t for t in labels), labels
    english = charts_figure(run, kept, lang="en")
    for ax in english.axes:
        assert ax.yaxis.label.get_rotation() == 90
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any(t.endswith(" (run A, Baseline city)") for t in labels), labels


@pytest.mark.parametrize("preset", builtin_names())
def test_a_kept_run_is_named_as_the_live_run_is(preset: str) -> None:
    """Every legend said "A：广州：家庭综合服务中心", two colons in a row, where the
    live run is "本次运行（广州：家庭综合服务中心）"."""
    run = start_run(preset, 42, TINY)
    title = i18n.scenario_title(preset, "zh_CN")
    assert run_label(run, "zh_CN") == f"本次运行（{title}）"
    run.label = "A"
    assert run_label(run, "zh_CN") == f"运行 A（{title}）"


@pytest.mark.parametrize("lang", LANGS)
def test_legends_stack_and_their_labels_fit_the_chart(lang: str) -> None:
    """Side by side, the legends of outcomes and runs (a long scenario's name) or of
    ties and NGO groups (the A/B layout's half width) ran past the chart: Vega cut them
    off or squeezed the chart to a sliver."""
    for spec in _specs(lang):
        layout = spec["config"]["legend"]["layout"]["bottom"]
        assert layout["direction"] == "vertical", spec.get("title")
    for spec in _specs(lang)[: len(PANELS)]:
        assert "width" in spec["config"]["legend"]["labelLimit"]["expr"]
    for spec in (district_spec([0, 1], lang, False), detail_spec([0, 1], lang, False, 1e6)):
        groups = [
            e["color"]["legend"]
            for e in _encodings(spec)
            if e.get("color", {}).get("field") == "group" and e["color"].get("legend")
        ]
        assert groups and all("width" in g["columns"]["expr"] for g in groups)
        assert all("width" in g["labelLimit"]["expr"] for g in groups)


# --------------------------------------------------------------------------- browser
TOOLTIP_TEXT = """() => { const t = document.getElementById('vg-tooltip-element');
  return t && t.classList.contains('visible') ? t.innerText : null; }"""

POINT = mark_position(
    "selector",
    "node.mark && node.mark.marktype === 'symbol' && node.datum && node.datum.year",
    "found[0]",
)
"""Where on the page the first point of a yearly chart is, or null."""

WIDE_PLOTS = """() => {
  const charts = [...document.querySelectorAll('.sc-chart .simcontract-vega')];
  return charts.length === 6 && charts.every(
    e => e.__vue__ && e.__vue__.view && e.__vue__.view.width() > 0.6 * e.clientWidth);
}"""
"""Whether every yearly chart's plot takes most of its box's width."""


CUT_SELECTIONS = """() => [...document.querySelectorAll('.sc-sidebar .v-select__selection')]
  .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"""
"""The sidebar's drop-downs whose chosen value is cut off."""


@RENDERER_CRASH
def test_chinese_tooltips_and_charts_in_a_browser(
    chromium: str,  # noqa: F811
    app_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A scenario with a long name shows whole in the sidebar; hovering a point, the
    tooltip's fields end in "："; a kept run of that scenario leaves every chart its
    width; past its end, the big numbers compare with its last year."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=PROJECTOR, locale="zh-CN")
            page.set_default_timeout(UI_TIMEOUT_MS)
            page.goto(app_url, timeout=60_000)
            page.locator("button.sc-lang-zh_CN").click()
            page.locator(".sc-step", has_text="前进一年").wait_for()
            page.locator(".sc-preset .v-select").click()
            page.get_by_role("option", name=i18n.scenario_title("moca_2012_fund", "zh_CN")).click()
            page.locator(".sc-year", has_text=re.compile(r"第 0 年")).wait_for()
            cut = page.evaluate(CUT_SELECTIONS)
            assert not cut, cut  # the scenario's name whole, not "2012年中央财政支持项目（民…"
            for year in (1, 2):
                page.locator(".sc-step").click()
                page.locator(".sc-year", has_text=f"第 {year} 年").wait_for()
            page.locator(".sc-keep").click()
            page.locator(".sc-year", has_text="第 0 年").wait_for()
            for year in (1, 2, 3):
                page.locator(".sc-step").click()
                page.locator(".sc-year", has_text=f"第 {year} 年").wait_for()
            point = page.wait_for_function(POINT, arg=".sc-chart-turnover").json_value()
            page.mouse.move(*point)
            said = page.wait_for_function(TOOLTIP_TEXT).json_value()
            page.screenshot(path=str(tmp_path / "tooltip-zh.png"))
            assert "年份：" in said and "数值：" in said, said
            assert not re.search(r"\w:", said), said
            spec = page.evaluate(CHART_DATA, ".sc-chart-turnover")["spec"]
            assert spec["usermeta"]["colon"] == "："
            page.wait_for_function(
                "() => document.querySelector('.sc-chart-turnover .simcontract-vega')"
                ".__vue__.datasets.lines.some(r => r.year === 3)"
            )
            page.wait_for_function(WIDE_PLOTS)  # laid out again after their data
            page.locator(".sc-big-other", has_text="运行 A，第 2 年：").first.wait_for()
        finally:
            browser.close()
