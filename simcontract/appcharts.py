"""The seminar app's yearly charts: Vega-Lite specifications (built with Altair) and
their data.

A chart's specification changes only with the language, the projector mode and the
run's length; each year only its datasets change (see
:class:`simcontract.appwidgets.VegaChart`):

* ``lines``: the live run and the kept runs, one row per run, outcome and year;
* ``band``: mean and CI per year over replications of the live run's rules;
* ``marks``: policy shocks and the preset's dated rule changes, one row per change;
* ``note``: a line of text in the corner (the score-quality correlation).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt

from simcontract import i18n
from simcontract.appcontrols import said_changes, said_shifts
from simcontract.appfont import CJK
from simcontract.appreplicate import Replicates
from simcontract.appruns import Run, preset_changes
from simcontract.plots.style import OKABE_ITO

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
"""Schema the specifications declare: the Vega-Lite 5 that ``solara[assets]`` serves."""

DASHES = ([1, 0], [7, 4], [2, 3], [10, 3, 2, 3])
"""Stroke dashes: the live run solid, kept runs dashed, dotted, dash-dotted (there are
at most ``appruns.KEPT_RUNS`` kept runs)."""

DASH_LEGEND_STROKE = {"stroke": {"value": "#444444"}, "fill": {"value": "transparent"}}
"""How the legend of runs draws its strokes (Vega-Lite draws them transparent, whatever
the legend's ``symbolStrokeColor``, for lines with points coloured by another field)."""

DASH_LEGEND_SIZE = 600
"""Size of those strokes (Vega draws a stroke its square root long): long enough for
the longest dash pattern to show once."""

LEGEND_SYMBOL = 60
"""Room a legend entry needs beside its label: the symbol (a whole dash) and gaps."""

LEGEND_LABEL_MIN = 80
"""Narrowest a legend label gets (a label longer than the chart is cut, with "…")."""

STACKED_LEGENDS = {"bottom": {"anchor": "start", "direction": "vertical"}}
"""Vega's legend layout that puts a chart's legends under it one under the other, not
side by side (beyond a narrow chart's edge, where they would be cut off)."""

FONT = "Roboto, 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', " + (
    "SimcontractCJK, sans-serif"
)
"""Font stack of chart text: the page's font, then Chinese fonts (the last is the one the
app serves itself, see :mod:`simcontract.appfont`)."""


NUMBER_FORMAT = ",.3~f"
"""How a chart's tooltips show a number (d3-format): with the thousands separator of
:func:`simcontract.appcontrols.show_number` and the axes, at most three decimals."""

_WIDE = re.compile(f"[{CJK}]")


def across(unit: str) -> bool:
    """Whether a y axis' title reads across, above the axis: in Chinese, as Chinese
    charts put their unit (turned on its side, each character would lie on its back)."""
    return bool(_WIDE.search(unit))


def y_axis(unit: str, projector: bool) -> alt.Axis:
    """The y axis titled ``unit``; a Chinese one over the axis, reading across, from
    where the axis labels start (Vega places it there, as it would the turned title)."""
    if not across(unit):
        return alt.Axis()
    label = sizes(projector)["label"]
    return alt.Axis(
        titleAngle=0,
        titleAlign="left",
        titleBaseline="bottom",
        titleY=-(label / 2 + 4),  # clear of the top label, which is centred on the top
    )


@dataclass(frozen=True)
class Panel:
    """One chart: its key (for titles), y-axis unit and the outcomes drawn."""

    key: str
    unit: str
    outcomes: tuple[str, ...]


PANELS: tuple[Panel, ...] = (
    Panel("ngos", "count", ("active_ngos", "service_slots")),
    Panel("turnover", "share", ("provider_turnover", "staff_turnover")),
    Panel("ties", "share", ("tied_award_share", "repeat_award_rate")),
    Panel("dependence", "share", ("dependence_mean", "dependence_high_share")),
    Panel("quality", "index", ("service_quality", "evaluation_score")),
    Panel("time", "share", ("documentation_share", "extra_duty_share", "mission_share")),
)
"""The charts, in display order (outcome names from ``simcontract.outcomes.OUTCOMES``)."""


def sizes(projector: bool) -> dict[str, float]:
    """Font sizes and chart height: larger in projector mode."""
    if projector:
        return {"title": 20, "label": 16, "legend": 16, "height": 230, "stroke": 3.5}
    return {"title": 14, "label": 12, "legend": 12, "height": 170, "stroke": 2.2}


def config(projector: bool) -> dict[str, Any]:
    """Vega-Lite ``config`` of every chart: fonts and sizes."""
    size = sizes(projector)
    return {
        "font": FONT,
        "title": {"fontSize": size["title"], "anchor": "start", "fontWeight": 600},
        "axis": {"labelFontSize": size["label"], "titleFontSize": size["label"]},
        "legend": {
            "labelFontSize": size["legend"],
            "titleFontSize": size["legend"],
            "labelLimit": 400,
            "symbolOpacity": 1,
            "symbolStrokeWidth": size["stroke"],
        },
        "view": {"stroke": None},
    }


def field_colon(lang: str) -> str:
    """What follows a field's name in a hover tooltip (its name and value sit in two
    cells): the catalogue's field punctuation, ``":"`` or ``"："``."""
    return i18n.text("punctuation.field", lang, name="", value="").strip()


def finish_spec(chart: alt.TopLevelMixin, projector: bool, lang: str) -> dict[str, Any]:
    """The chart as a Vega-Lite 5 specification with the app's config; its tooltips
    punctuate as ``lang`` does (:class:`simcontract.appwidgets.VegaChart` reads
    ``usermeta``)."""
    spec = chart.to_dict(validate=False)
    spec["$schema"] = VEGA_LITE_SCHEMA
    spec["config"] = config(projector)
    spec["usermeta"] = {"colon": field_colon(lang)}
    # The chart's data change in place: without resize, axis labels that grow (0 to
    # 1,000) would push the axis title and chart title out of the box.
    spec["autosize"] = {"type": "fit-x", "contains": "padding", "resize": True}
    spec["padding"] = {"left": 8, "right": 4, "top": 4, "bottom": 4}
    return spec


def panel_spec(
    panel: Panel, lang: str, projector: bool, years: int, runs: Sequence[str] = ()
) -> dict[str, Any]:
    """The specification of one chart, for a run of ``years`` years; ``runs`` are the
    legend's names of the live run and the kept runs (solid, then dashed)."""
    size = sizes(projector)
    labels = [i18n.outcome_label(name, lang) for name in panel.outcomes]
    colour = alt.Color(
        "outcome:N",
        scale=alt.Scale(domain=labels, range=list(OKABE_ITO[: len(labels)])),
        legend=alt.Legend(orient="bottom", title=None, direction="vertical"),
    )
    x = alt.X(
        "year:Q",
        title=i18n.text("figures.year", lang),
        scale=alt.Scale(domain=[0.5, max(years, 5) + 0.5], nice=False),
        axis=alt.Axis(tickMinStep=1, format="d"),
    )
    share = panel.unit in ("share", "index")
    y_scale = alt.Scale(domain=[0, 1]) if share else alt.Scale(zero=True, nice=True)
    unit = i18n.text(f"app.unit_{panel.unit}", lang)
    y = alt.Y("value:Q", title=unit, scale=y_scale, axis=y_axis(unit, projector))
    tooltip = [
        alt.Tooltip("run:N", title=i18n.text("app.run", lang)),
        alt.Tooltip("outcome:N", title=i18n.text("app.outcome", lang)),
        alt.Tooltip("year:Q", title=i18n.text("figures.year", lang)),
        alt.Tooltip("value:Q", title=i18n.text("app.value", lang), format=NUMBER_FORMAT),
    ]
    lines = (
        alt.Chart(alt.NamedData("lines"))
        .mark_line(point={"size": 28 if not projector else 60}, strokeWidth=size["stroke"])
        .encode(
            x=x,
            y=y,
            color=colour,
            strokeDash=_run_dashes(runs),
            detail="run:N",
            tooltip=tooltip,
        )
    )
    band = (
        alt.Chart(alt.NamedData("band"))
        .mark_area(opacity=0.18, clip=True)
        .encode(x="year:Q", y="low:Q", y2="high:Q", color=colour)
    )
    marks = alt.Chart(alt.NamedData("marks")).mark_rule(strokeDash=[4, 3], color="#444444")
    marks = marks.encode(x="at:Q", tooltip=alt.Tooltip("text:N", title=None))
    flags = (
        alt.Chart(alt.NamedData("marks"))
        .mark_text(align="left", baseline="top", dx=3, dy=2, fontSize=size["label"] - 1)
        .encode(x="at:Q", y=alt.value(0), text="flag:N", color=alt.value("#444444"))
    )
    note = (
        alt.Chart(alt.NamedData("note"))
        .mark_text(align="right", baseline="top", dx=-2, dy=2, fontSize=size["label"])
        .encode(x=alt.value("width"), y=alt.value(0), text="text:N", color=alt.value("#333"))
    )
    chart = alt.layer(band, marks, lines, flags, note).properties(
        title=i18n.text(f"app.panel_{panel.key}", lang), width="container", height=size["height"]
    )
    return _stacked_legends(finish_spec(chart, projector, lang))


def _run_dashes(runs: Sequence[str]) -> alt.StrokeDash:
    """The dash of each run's lines (solid for the live run), with a legend when runs
    are kept."""
    return alt.StrokeDash(
        "run:N",
        scale=alt.Scale(domain=list(runs) or [""], range=list(DASHES[: max(len(runs), 1)])),
        # A line's colour is its outcome's, so the legend's strokes need one of their
        # own, and room for a whole dash.
        legend=alt.Legend(
            orient="bottom",
            title=None,
            direction="vertical",
            symbolType="stroke",
            symbolSize=DASH_LEGEND_SIZE,
        )
        if len(runs) > 1
        else None,
    )


def _stacked_legends(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with the legends of outcomes and of runs one under the other, their labels
    no wider than the chart: side by side, or with a long scenario's name, they would
    squeeze the chart to a sliver."""
    spec["config"]["legend"].update(
        layout=STACKED_LEGENDS,
        labelLimit={"expr": f"max({LEGEND_LABEL_MIN}, width - {LEGEND_SYMBOL})"},
    )
    for layer in spec["layer"]:
        legend = layer.get("encoding", {}).get("strokeDash", {}).get("legend")
        if legend:  # Altair has no parameter for it; Vega-Lite passes it on to Vega
            legend["encode"] = {"symbols": {"update": DASH_LEGEND_STROKE}}
    return spec


def _rows(run: Run, panel: Panel, label: str, lang: str) -> list[dict[str, Any]]:
    series = run.series()
    rows = []
    for name in panel.outcomes:
        if name not in series:
            continue
        outcome = i18n.outcome_label(name, lang)
        for year, value in zip(series["year"], series[name], strict=True):
            if value is not None and not (isinstance(value, float) and math.isnan(value)):
                rows.append(
                    {
                        "year": int(year),
                        "value": float(value),
                        "outcome": outcome,
                        "run": label,
                    }
                )
    return rows


def run_label(run: Run, lang: str) -> str:
    """How a run is named in legends and headings: ``"this run (Baseline city)"`` or
    ``"run A (Baseline city)"``."""
    title = i18n.scenario_title(run.preset, lang)
    if not run.label:
        return i18n.text("app.this_run", lang, scenario=title)
    return i18n.text("app.kept_run", lang, label=run.label, scenario=title)


def change_marks(run: Run, lang: str, kept: Sequence[Run] = ()) -> list[dict[str, Any]]:
    """One row per policy shock and dated change of the preset, placed between the
    last year before it and its first year; the kept runs' own shocks and dated changes
    too, their flags marked with the run's letter ("A: shock 4")."""
    rows = _marks(run, lang)
    seen = {(row["at"], row["text"]) for row in rows}
    for other in kept:
        for row in _marks(other, lang):
            if (row["at"], row["text"]) not in seen:  # a dated change both runs share
                seen.add((row["at"], row["text"]))
                flag = i18n.text("app.flag_kept", lang, label=other.label, flag=row["flag"])
                rows.append({**row, "flag": flag})
    return rows


def _marks(run: Run, lang: str) -> list[dict[str, Any]]:
    rows = []
    for year, values in preset_changes(run):
        said = said_changes(values, lang)
        rows.append(
            {
                "at": year - 0.5,
                "flag": i18n.text("app.flag_preset", lang, year=year),
                "text": i18n.text("app.mark_preset", lang, year=year, changes=said),
            }
        )
    for shock in run.shocks:
        said = said_shifts(shock.changes, lang)
        rows.append(
            {
                "at": shock.year - 0.5,
                "flag": i18n.text("app.flag_shock", lang, year=shock.year),
                "text": i18n.text("app.mark_shock", lang, year=shock.year, changes=said),
            }
        )
    return rows


def _band_rows(panel: Panel, replicates: Replicates | None, lang: str) -> list[dict[str, Any]]:
    if replicates is None:
        return []
    rows = []
    for name in panel.outcomes:
        if name not in replicates.series:
            continue
        outcome = i18n.outcome_label(name, lang)
        for row in replicates.band(name).itertuples():
            if not (math.isnan(row.low) or math.isnan(row.high)):
                rows.append(
                    {"year": row.year, "low": row.low, "high": row.high, "outcome": outcome}
                )
    return rows


def _note(panel: Panel, run: Run, lang: str) -> list[dict[str, Any]]:
    """The quality panel's corner note: this year's correlation of scores with real
    quality, said as what it is (a bare "r = 0.26" went unexplained)."""
    if "evaluation_score" not in panel.outcomes or not run.year:
        return []
    corr = run.series()["score_quality_corr"].iloc[-1]
    return [] if math.isnan(corr) else [{"text": i18n.text("app.note_corr", lang, r=f"{corr:.2f}")}]


def panel_data(
    panel: Panel,
    run: Run,
    kept: Sequence[Run],
    lang: str,
    replicates: Replicates | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The datasets of one chart: the live run, the kept runs, the replication band,
    the change marks and the corner note."""
    lines = _rows(run, panel, run_label(run, lang), lang)
    for other in kept:
        lines += _rows(other, panel, run_label(other, lang), lang)
    return {
        "lines": lines,
        "band": _band_rows(panel, replicates, lang),
        "marks": change_marks(run, lang, kept),
        "note": _note(panel, run, lang),
    }
