"""A sweep as a reader sees it: the design points' means, or the sensitivity indices
of a Sobol or Morris design, with their confidence intervals, in tables that fit the
terminal, and the Markdown report ``table.md`` of a results folder.

Sobol indices are shares of an outcome's variance, so between 0 and 1; an index whose
whole interval lies outside ``[0, 1]``
(:func:`~simcontract.experiment.designs.outside_unit_interval`) is marked ``!`` with a
footnote saying that the design has too few samples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from simcontract import i18n
from simcontract.experiment import columns
from simcontract.experiment.designs import outside_unit_interval
from simcontract.experiment.report import (
    WIDTH,
    column_width,
    cut_note,
    decimals,
    display_width,
    format_cell,
    format_interval,
    format_number,
    layout,
    pad,
    version_line,
    wrap,
)
from simcontract.experiment.stats import cut_table
from simcontract.experiment.validation_report import md_row, outcome_heading
from simcontract.params import PARAMETERS

MAX_POINTS_SHOWN = 20
"""Most design points the terminal table shows (``table.md`` and ``table.csv`` hold all)."""

FLAG = " !"
"""Mark of an index outside ``[0, 1]`` beyond its interval."""

_LEVEL = "95%"


def _param_heading(name: str, lang: str | None) -> str:
    return i18n.parameter_label(name, lang) if name in PARAMETERS else name


def _value(name: str, x: Any, lang: str | None) -> str:
    """A parameter's value in a table: a choice as typed in English (as in scenario
    files and sweeps), in words in other languages; a term's 0 that stands for "never"
    reads "never (0)", as in the figures."""
    param = PARAMETERS.get(name)
    if param is not None and param.kind == "choice" and i18n.resolve(lang) != i18n.DEFAULT_LANGUAGE:
        return i18n.choice_label(name, x, lang)
    if isinstance(x, str):
        return x
    shown = f"{x:g}" if isinstance(x, float) else str(x)
    if param is not None and param.never_at_zero and x == 0:
        return i18n.text("figures.never", lang, value=shown)
    return shown


def _width(header: str, cells: Sequence[str]) -> int:
    """Width :func:`~simcontract.experiment.report.layout` gives a column, plus its gap."""
    return column_width(header, cells) + 2


def _chunks(fixed: list[Any], columns: list[Any], label_width: int) -> list[list[Any]]:
    """``columns`` split into runs that fit :data:`WIDTH` next to the ``fixed`` ones."""
    room = WIDTH - label_width - sum(_width(c[0], c[1]) for c in fixed)
    chunks: list[list[Any]] = [[]]
    used = 0
    for column in columns:
        w = _width(column[0], column[1])
        if chunks[-1] and used + w > room:
            chunks.append([])
            used = 0
        chunks[-1].append(column)
        used += w
    return chunks


def points_text(results: Any, outcomes: Sequence[str], lang: str | None = None) -> str:
    """The first :data:`MAX_POINTS_SHOWN` design points: parameter values and each
    outcome's ``mean ±half-width``, or ``mean [low, high]`` where the interval is cut at
    the ends of the values the outcome can take (the parameters repeat in every block of
    columns)."""
    table = results.table(outcomes)
    points = sorted(table["point"].unique())[:MAX_POINTS_SHOWN]
    table = table[table["point"].isin(points)]
    first = table.drop_duplicates("point").set_index("point").loc[points]
    fixed = [
        (_param_heading(p, lang), [_value(p, v, lang) for v in first[p]], "<")
        for p in results.design.parameters
    ]
    columns = []
    for name in outcomes:
        sub = table[table["outcome"] == name].set_index("point").loc[points]
        half = (sub["high"] - sub["low"]) / 2
        d = decimals(half, sub["mean"])
        shown = cut_table(sub)
        cells = [
            format_interval(m, lo, hi, d) if was_cut else format_cell(m, h, d)
            for m, h, lo, hi, was_cut in zip(
                sub["mean"], half, shown["low"], shown["high"], shown["cut"], strict=True
            )
        ]
        columns.append((outcome_heading(name, lang), cells))
    labels = [str(p) for p in points]
    head = i18n.text("sweep.point", lang)
    label_width = max(display_width(head), *map(display_width, labels)) + 2
    blocks = [
        layout(labels, [*fixed, *chunk], head) for chunk in _chunks(fixed, columns, label_width)
    ]
    lines = [
        i18n.text("sweep.points", lang, level=_LEVEL),
        *_wrap(cut_note([(table, False)], lang)),
        "\n\n".join(blocks),
    ]
    hidden = results.manifest["n_points"] - len(points)
    if hidden > 0:
        where = results.directory / "table.csv" if results.directory else "table.csv"
        lines.append(i18n.text("sweep.more_points", lang, n=hidden, path=where))
    return "\n".join(lines)


def _measures(kind: str) -> tuple[str, str]:
    return ("S1", "ST") if kind == "sobol" else ("mu_star", "sigma")


def _index_cells(
    indices: pd.DataFrame, outcome: str, measure: str, params: Sequence[str], d: int, markdown: bool
) -> list[str]:
    sub = indices[(indices["outcome"] == outcome) & (indices["index"] == measure)]
    sub = sub.set_index("parameter").loc[list(params)]
    flagged = outside_unit_interval(sub.reset_index()).to_numpy()
    cells = []
    for (value, conf, low, high), flag in zip(
        sub[["value", "conf", "low", "high"]].to_numpy(), flagged, strict=True
    ):
        if markdown and math.isfinite(conf):
            text = format_interval(value, low, high, d)
        else:
            text = format_cell(value, conf, d)
        cells.append(text + (FLAG if flag else "" if markdown else " " * len(FLAG)))
    return cells


def _decimals(indices: pd.DataFrame, kind: str, outcome: str) -> int:
    """One number of decimals for all Sobol indices (shares alike), or per outcome for
    Morris measures (each in its outcome's unit)."""
    rows = indices if kind == "sobol" else indices[indices["outcome"] == outcome]
    rows = rows[rows["index"].isin(_measures(kind))]
    return decimals(rows["conf"], rows["value"])


def _index_rows(
    indices: pd.DataFrame,
    kind: str,
    outcomes: Sequence[str],
    params: Sequence[str],
    lang: str | None,
    markdown: bool,
) -> tuple[list[str], list[list[str]]]:
    """Row labels (outcome on its first row) and per row: parameter and the measures."""
    labels: list[str] = []
    rows: list[list[str]] = []
    for outcome in outcomes:
        d = _decimals(indices, kind, outcome)
        cells = [_index_cells(indices, outcome, m, params, d, markdown) for m in _measures(kind)]
        for i, param in enumerate(params):
            labels.append(outcome_heading(outcome, lang) if i == 0 or markdown else "")
            rows.append([_param_heading(param, lang), *(c[i] for c in cells)])
    return labels, rows


def flagged(indices: pd.DataFrame, kind: str) -> bool:
    """Whether a printed index (S1 or ST of a Sobol design) lies outside ``[0, 1]``
    beyond its interval."""
    shown = indices[indices["index"].isin(_measures(kind))]
    return kind == "sobol" and bool(outside_unit_interval(shown).any())


def _flag_note(design: Any, lang: str | None) -> str:
    return i18n.text("sweep.flagged", lang, n=4 * design.n)


def indices_text(
    indices: pd.DataFrame, design: Any, outcomes: Sequence[str], lang: str | None = None
) -> str:
    """Sobol S1 and ST, or Morris μ* and σ, per outcome and parameter with their CI
    half-widths; flagged Sobol indices marked ``!`` with a footnote."""
    kind = design.kind
    labels, rows = _index_rows(indices, kind, outcomes, design.parameters, lang, False)
    heads = [i18n.text("sweep.outcome", lang), i18n.text("sweep.parameter", lang)]
    heads += [_MEASURE_NAMES[m] for m in _measures(kind)]
    title = i18n.text(f"sweep.{kind}", lang, level=_LEVEL)
    lines = [*_wrap(title), _aligned(heads, [[x, *r] for x, r in zip(labels, rows, strict=True)])]
    if flagged(indices, kind):
        lines += _wrap(_flag_note(design, lang))
    return "\n".join(lines)


_MEASURE_NAMES = {"S1": "S1", "ST": "ST", "mu_star": "μ*", "sigma": "σ"}


def _wrap(text: str) -> list[str]:
    return wrap(text, WIDTH, subsequent="  ", break_on_hyphens=False)


def _aligned(heads: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain table: the first two columns left-aligned, the others right-aligned."""
    widths = [
        max(display_width(h), *(display_width(r[j]) for r in rows)) for j, h in enumerate(heads)
    ]

    def line(cells: Sequence[str]) -> str:
        parts = [
            pad(c, w, "<" if j < 2 else ">")
            for j, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(heads), "  ".join("-" * w for w in widths), *map(line, rows)])


def markdown(
    results: Any, outcomes: Sequence[str], indices: pd.DataFrame | None, lang: str | None = None
) -> str:
    """The sweep as Markdown (``table.md``): what ran, under which simcontract version
    and model code, the base scenario's dated rule changes, every design point's mean
    and CI per outcome, then the sensitivity indices of a Sobol or Morris design."""
    m = results.manifest
    design = results.design
    scenario = results.scenarios[0].name if results.scenarios else ""
    if scenario and i18n.resolve(lang) != i18n.DEFAULT_LANGUAGE:
        scenario = i18n.scenario_title(scenario, lang)
    kind = i18n.text(f"sweep.kind_{design.kind}", lang)
    lines = [f"# {i18n.text('sweep.md_title', lang, scenario=scenario, kind=kind)}", ""]
    counted = {
        noun: i18n.text(f"sweep.md_{noun}_{'one' if m[key] == 1 else 'many'}", lang, n=m[key])
        for noun, key in (("points", "n_points"), ("replications", "replications"))
    }
    lines.append(i18n.text("sweep.md_ran", lang, **counted, seed=m["seed"]))
    version = version_line(m, lang)
    lines += ["", version] if version else []
    if m.get("command"):
        lines += ["", f"`{' '.join(m['command'])}`"]
    changes = _changes(results, scenario, lang)
    lines += ["", changes] if changes else []
    lines += ["", f"## {i18n.text('sweep.md_points', lang, level=_LEVEL)}", ""]
    lines += _md_points(results, outcomes, lang)
    if indices is not None:
        lines += ["", f"## {i18n.text('sweep.md_indices', lang, level=_LEVEL)}", ""]
        labels, rows = _index_rows(indices, design.kind, outcomes, design.parameters, lang, True)
        heads = [i18n.text("sweep.outcome", lang), i18n.text("sweep.parameter", lang)]
        heads += [_MEASURE_NAMES[x] for x in _measures(design.kind)]
        lines += [md_row(heads), "|---|---|---:|---:|"]
        lines += [md_row([label, *row]) for label, row in zip(labels, rows, strict=True)]
        if flagged(indices, design.kind):
            lines += ["", _flag_note(design, lang)]
    lines += ["", i18n.text("report.md_codebook", lang), ""]
    return "\n".join(lines)


def _changes(results: Any, scenario: str, lang: str | None) -> str:
    """The base scenario's dated rule changes that some point's runs reach, which every
    point whose runs reach them keeps (empty when there are none)."""
    runs = results.runs
    years = int(runs["years"].max()) if len(runs) else 0
    said = columns.changes_text(columns.point_changes(results.manifest, 0), lang, years)
    return i18n.text("sweep.md_changes", lang, scenario=scenario, changes=said) if said else ""


def _md_points(results: Any, outcomes: Sequence[str], lang: str | None) -> list[str]:
    table = results.table(outcomes)
    params = list(results.design.parameters)
    first = table.drop_duplicates("point").set_index("point").sort_index()
    heads = [i18n.text("sweep.point", lang), *(_param_heading(p, lang) for p in params)]
    heads += [outcome_heading(o, lang) for o in outcomes]
    cells: dict[str, list[str]] = {}
    for name in outcomes:
        sub = table[table["outcome"] == name].set_index("point").sort_index()
        half = (sub["high"] - sub["low"]) / 2
        d = decimals(half, sub["mean"])
        shown = cut_table(sub)
        cells[name] = [
            format_number(mn, d) if not math.isfinite(h) else format_interval(mn, lo, hi, d)
            for mn, lo, hi, h in zip(sub["mean"], shown["low"], shown["high"], half, strict=True)
        ]
    lines = [md_row(heads), "|" + "---|" * (1 + len(params)) + "---:|" * len(outcomes)]
    for i, point in enumerate(first.index):
        row = [point, *(_value(p, first.loc[point, p], lang) for p in params)]
        lines.append(md_row([*row, *(cells[o][i] for o in outcomes)]))
    cut = cut_note([(table, False)], lang, bracketed=False)
    return [*lines, "", cut] if cut else lines
