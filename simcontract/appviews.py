"""What the seminar app shows of its runs: readouts, charts, the market view, the
comparison of runs, replications and the explanation (Solara components).

Every component takes the page's :class:`~simcontract.appstate.AppState` and reads the
values it draws, so it redraws when they change.
"""

from __future__ import annotations

import html
import math
import re
from typing import Any

import markdown
import solara

from simcontract import i18n, textwidth
from simcontract.appcharts import PANELS, panel_data, panel_spec, run_label
from simcontract.appcontrols import show_number, show_value
from simcontract.appfont import CJK
from simcontract.appmarket import detail_view, district_view, inspect, too_big
from simcontract.appmarketchart import detail_spec, district_spec
from simcontract.appruns import Run, rule_differences
from simcontract.appstate import AppState, on
from simcontract.appwidgets import VegaChart, vega_libraries
from simcontract.outcomes import OUTCOMES

READOUTS = ("active_ngos", "provider_turnover", "staff_turnover", "dependence_mean")
"""Outcomes shown as big numbers above the charts."""

WHOLE_UNITS = ("NGOs", "slots", "contracts")
"""Units of outcomes shown as whole numbers."""


_WIDE = f"[{CJK}\u2018\u2019\u201c\u201d]"
_CHINESE_LINE_BREAK = re.compile(rf"(?<={_WIDE})(\**)\n[ \t]*(?=\**{_WIDE})")
"""A line break inside Chinese text (bold or not, in a list item or not), which a
browser shows as a space."""


def breakable(text: str) -> str:
    """A label as HTML whose lines break only between its words: a Chinese label at
    the catalogue's word marks (``<wbr>``; the page keeps Chinese words whole, see
    :mod:`simcontract.appstyle`), so that a narrow cell never leaves one character
    of a word on a line of its own."""
    if not re.search(f"[{CJK}]", text) or re.search(r"\s", text):
        return html.escape(text)
    return "<wbr>".join(html.escape(word) for word in textwidth.words(text))


def as_html(text: str) -> str:
    """Markdown to HTML on the server (Solara's Markdown would fetch KaTeX from a CDN),
    Chinese lines wrapped in the source joined without a space."""
    return markdown.markdown(_CHINESE_LINE_BREAK.sub(r"\1", text), extensions=["tables"])


@solara.component
def Html(text: str, classes: list[str] | None = None) -> None:
    """A block of Markdown text."""
    solara.HTML(tag="div", unsafe_innerHTML=as_html(text), classes=classes or [])


@solara.component
def Chart(spec: dict, datasets: dict, classes: list[str], on_click: Any = None) -> None:
    """A Vega-Lite chart whose data change in place (see ``VegaChart``)."""
    with solara.Div(classes=classes):
        VegaChart.element(spec=spec, datasets=datasets, libs=vega_libraries(), on_clicked=on_click)


def show_outcome(name: str, value: float, lang: str) -> str:
    """An outcome's value as a readout: shares in per cent, counts whole."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    unit = OUTCOMES[name].unit if name in OUTCOMES else ""
    if unit == "share":
        return f"{show_number(100 * value, 0)}%"
    return show_number(value, 0 if unit in WHOLE_UNITS else 2)


def _latest(run: Run, name: str, year: int | None = None) -> float | None:
    series = run.series()
    if series.empty or name not in series:
        return None
    if year is not None:
        rows = series[series["year"] == year]
        return None if rows.empty else float(rows[name].iloc[0])
    return float(series[name].iloc[-1])


def kept_readout(kept: Run, name: str, year: int, lang: str) -> str:
    """What a big number says of a kept run: its value in the same ``year``, or, once
    the live run has gone past the kept run's end, its value in its last year, named."""
    if year > kept.year:
        value = show_outcome(name, _latest(kept, name), lang)
        return i18n.text(
            "app.readout_kept_last", lang, label=kept.label, year=kept.year, value=value
        )
    value = show_outcome(name, _latest(kept, name, year), lang)
    return i18n.text("app.readout_kept", lang, label=kept.label, value=value)


@solara.component
def Readouts(state: AppState, run: Run) -> None:
    """Big numbers: key outcomes of ``run``'s last year (and of the last kept run in the
    same year, for comparison)."""
    state.tick.value  # noqa: B018  (redraw after each year)
    lang = state.lang.value
    kept = [k for k in state.kept.value if k is not run]
    with solara.Div(classes=["sc-readouts"]):
        for name in READOUTS:
            value = _latest(run, name)
            with solara.Div(classes=["sc-readout", f"sc-readout-{name}"]):
                solara.HTML(
                    tag="div", unsafe_innerHTML=show_outcome(name, value, lang), classes=["sc-big"]
                )
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=breakable(i18n.outcome_label(name, lang)),
                    classes=["sc-big-label"],
                )
                if kept and run.year and not run.label:
                    solara.HTML(
                        tag="div",
                        classes=["sc-big-other"],
                        unsafe_innerHTML=html.escape(kept_readout(kept[-1], name, run.year, lang)),
                    )


@solara.component
def OutcomeCharts(state: AppState) -> None:
    """The yearly charts of the live run, with kept runs, bands and change marks."""
    state.tick.value  # noqa: B018
    lang, projector, run = state.lang.value, state.projector.value, state.run.value
    kept = state.kept.value
    years = max([run.years, *(k.year for k in kept)])
    replicates = state.current_replicates()
    runs = tuple(run_label(r, lang) for r in (run, *kept))
    specs = solara.use_memo(
        lambda: [panel_spec(p, lang, projector, years, runs) for p in PANELS],
        [lang, projector, years, runs],
    )
    with solara.Div(classes=["sc-charts", "simcontract-charts"]):
        for panel, spec in zip(PANELS, specs, strict=True):
            data = panel_data(panel, run, kept, lang, replicates)
            Chart(spec, data, ["sc-chart", f"sc-chart-{panel.key}"])


def _market_view(state: AppState, run: Run) -> Any:
    lang, hide = state.lang.value, state.hide_exited.value
    district = state.district.value
    grouping = state.grouping.value
    big = too_big(run.model, 0, hide)
    if district is None and (grouping == "districts" or (grouping == "auto" and big)):
        return district_view(run.model, 0, hide_exited=hide, lang=lang)
    return detail_view(run.model, 0, hide_exited=hide, district=district, lang=lang)


@solara.component
def MarketView(state: AppState, run: Run | None = None) -> None:
    """One city's market: each NGO, or by district at scale; click to inspect."""
    state.tick.value  # noqa: B018
    run = run or state.run.value
    lang, projector = state.lang.value, state.projector.value
    view = _market_view(state, run)
    reserves = max(float(run.model.p["initial_reserves"]), 1.0)
    key = (view.mode, tuple(view.columns), lang, projector, reserves)
    spec = solara.use_memo(
        lambda: (
            district_spec(view.columns, lang, projector)
            if view.mode == "districts"
            else detail_spec(view.columns, lang, projector, reserves)
        ),
        [key],
    )
    caption = market_caption(view.counts, run.year, state.text)
    with solara.Div(classes=["sc-market", "simcontract-market"]):
        solara.HTML(tag="div", classes=["sc-caption"], unsafe_innerHTML=html.escape(caption))
        if view.mode == "districts":
            solara.HTML(
                tag="div",
                classes=["sc-hint"],
                unsafe_innerHTML=html.escape(state.text("market_districts_hint")),
            )
        live = run is state.run.value  # a kept run's actors are not inspected
        Chart(spec, view.datasets, ["sc-chart-market"], on_click=state.inspect if live else None)


def market_caption(counts: dict[str, int], year: int, text: Any) -> str:
    """What the market view shows, counted in words (singular or plural)."""
    said = {
        k: text(f"count_{k}_{'one' if n == 1 else 'many'}", n=show_number(n))
        for k, n in counts.items()
    }
    return text("market_caption", year=year, **said)


@solara.component
def MarketOptions(state: AppState) -> None:
    """How the market view groups and what it hides."""
    district = state.district.value
    with solara.Row(classes=["sc-market-options"]):
        solara.ToggleButtonsSingle(
            value=state.grouping.value,
            on_value=state.grouping.set,
            children=[
                solara.Button(
                    state.text(f"grouping_{k}"), value=k, small=True, classes=[f"sc-grouping-{k}"]
                )
                for k in ("auto", "detail", "districts")
            ],
        )
        solara.Checkbox(label=state.text("hide_exited"), value=state.hide_exited)
        if district is not None:
            solara.Button(
                state.text("all_districts"),
                on_click=on(state.district.set, None),
                small=True,
                outlined=True,
                classes=["sc-all-districts"],
            )


@solara.component
def Inspector(state: AppState) -> None:
    """What a click on the market view picked: one NGO or purchaser."""
    state.tick.value  # noqa: B018
    picked = state.inspected.value
    if picked is None:
        return
    lang = state.lang.value
    kind, ident = picked
    rows = inspect(state.run.value.model, kind, ident, lang)
    name = state.text("ngo_name" if kind == "ngo" else "purchaser_name", id=ident)
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    with solara.Div(classes=["sc-inspector"]):
        solara.HTML(tag="div", classes=["sc-inspector-title"], unsafe_innerHTML=html.escape(name))
        if rows:
            solara.HTML(tag="table", unsafe_innerHTML=body)
        else:
            solara.Text(state.text("inspect_gone"))
        solara.Button(state.text("close"), on_click=on(state.inspected.set, None), small=True)


def differences_table(first: Run, second: Run, lang: str, text: Any) -> str:
    """Markdown table of the rules that differ between two runs, and their shocks."""
    rows = [f"| {text('rule')} | {first.label} | {text('this_run_short')} |", "|:--|:--:|:--:|"]
    for name, a, b in rule_differences(first, second):
        rows.append(
            f"| {breakable(i18n.parameter_label(name, lang))} | {show_value(name, a, lang)} "
            f"| {show_value(name, b, lang)} |"
        )
    for run in (first, second):
        for shock in run.shocks:
            for name, (a, b) in shock.changes.items():
                said = f"{show_value(name, a, lang)} → {show_value(name, b, lang)}"
                cells = (said, "") if run is first else ("", said)
                rows.append(
                    f"| {text('shock_row', year=shock.year, rule=i18n.parameter_label(name, lang))}"
                    f" | {cells[0]} | {cells[1]} |"
                )
    if len(rows) == 2:
        return text("no_differences", label=first.label)
    return "\n".join(rows)
