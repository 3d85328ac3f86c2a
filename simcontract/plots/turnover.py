"""Provider turnover (or another outcome) against contract length."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simcontract import i18n
from simcontract.experiment.stats import mean_ci, within_range
from simcontract.params import PARAMETERS
from simcontract.plots.data import (
    Group,
    check_outcome,
    choice_order,
    error_lengths,
    groups,
    runs_text,
    runs_with,
)
from simcontract.plots.style import (
    OKABE_ITO,
    PAGE_WIDTH,
    axis_label,
    figure,
    figure_text,
    group_line_style,
    group_marker,
    legend_height,
    outside_legend,
    parameter_label,
    pretty,
    styled,
    value_label,
)

_Keyed = list[tuple[Group, pd.Series]]
"""Groups of runs: how each is drawn, and a mask of its runs."""


def _default_by(results: Any, runs: pd.DataFrame) -> str:
    design = getattr(results, "design", None)
    if design is None:
        return "scenario"
    if "tendering" in runs and runs["tendering"].nunique() > 1:
        return "tendering"
    others = [p for p in design.parameters if p != "contract_years" and p in runs]
    grid = getattr(design, "kind", "") == "grid"
    if grid and len(others) == 1 and runs[others[0]].nunique() <= len(OKABE_ITO):
        return others[0]
    return "all"


def _dose_response(results: Any, rows: pd.DataFrame) -> bool:
    """Whether a group's means may be joined by a line: its runs come from a sweep whose
    design varies ``contract_years``, or its design points differ in nothing else (a
    line between scenarios that differ in more would show a dose-response no run
    traced)."""
    design = getattr(results, "design", None)
    if design is not None and "contract_years" in getattr(design, "parameters", ()):
        return True
    if "point" not in rows:
        return False
    points = rows.groupby("point").first()
    others = [p for p in PARAMETERS if p in points and p != "contract_years"]
    return all(points[p].astype(str).nunique() <= 1 for p in others)


def _keyed(results: Any, runs: pd.DataFrame, by: str) -> tuple[_Keyed, str | None]:
    """The groups of runs ``by`` names, and the legend's title."""
    if by == "all":
        everything = pd.Series(True, index=runs.index)
        return [(_value_group(0, figure_text("all_runs")), everything)], None
    if by == "scenario":
        points = groups(results, runs)
        return [(g, runs["point"] == g.point) for g in points], figure_text("scenario")
    if by not in runs:
        raise ValueError(i18n.text("errors.plots.no_group_column", by=repr(by)))
    values = choice_order(by, list(pd.unique(runs[by])))
    keyed = [(_value_group(i, value_label(by, v)), runs[by] == v) for i, v in enumerate(values)]
    return keyed, pretty(by)


def _value_group(index: int, label: str) -> Group:
    """The ``index``-th group of runs by a parameter's value (in the value's order) as
    drawn: the palette's colour, dashes and marker of its place."""
    colour = OKABE_ITO[index % len(OKABE_ITO)]
    return Group(index, label, colour, group_line_style(index), marker=group_marker(index))


@styled
def turnover_vs_contract_length(
    results: Any,
    by: str | None = None,
    *,
    outcome: str = "provider_turnover",
    level: float = 0.95,
) -> Figure:
    """Provider turnover (or another outcome) against contract length.

    Runs are grouped by ``by`` and by their ``contract_years``; each group shows the
    mean over its runs with a Student's t interval. ``contract_years`` is the
    scenario's value at the start of the run. A group's means are joined by a line only
    when its points differ in nothing but ``contract_years`` (or come from a sweep
    that varies it); in a comparison of scenarios that differ in more, each scenario is
    a marker of its own. Each group has its own marker shape (and its line its own
    dashes), so the groups stay apart in greyscale.

    Args:
        results: Results with ``runs``.
        by: ``"scenario"`` (one group per design point), ``"all"`` (one group of all
            runs) or a parameter column such as ``"tendering"``. Default:
            ``"scenario"`` for a comparison; for a sweep, ``"tendering"`` when it
            varies, else the one other parameter a grid varies, or else ``"all"``.
        outcome: Outcome on the vertical axis.
        level: Confidence level.

    Returns:
        The figure.
    """
    runs = runs_with(results, outcome)
    check_outcome(outcome, runs)
    if "contract_years" not in runs:
        raise ValueError(i18n.text("errors.plots.no_contract_years"))
    keyed, title = _keyed(results, runs, by or _default_by(results, runs))
    legend = legend_height([g.label for g, _ in keyed], title=True) if len(keyed) > 1 else 0.0
    fig = figure(PAGE_WIDTH if len(keyed) > 1 else 5.0, 3.4 + legend)
    ax = fig.add_subplot()
    width = 0.09
    any_cut = False
    sizes: list[int] = []
    for k, (g, mask) in enumerate(keyed):
        rows = runs[mask]
        lengths = sorted(rows["contract_years"].unique())
        sizes += [rows.loc[rows["contract_years"] == c, outcome].count() for c in lengths]
        cut = [
            within_range(mean_ci(rows.loc[rows["contract_years"] == c, outcome], level), outcome)
            for c in lengths
        ]
        cis = [ci for ci, _ in cut]
        any_cut |= any(was for _, was in cut)
        x = np.asarray(lengths, dtype=float) + (k - (len(keyed) - 1) / 2) * width
        err = np.array([error_lengths(ci) for ci in cis]).reshape(len(cis), 2).T
        joined = len(lengths) > 1 and _dose_response(results, rows)
        ax.errorbar(
            x,
            [ci.mean for ci in cis],
            yerr=err,
            marker=g.marker,
            linestyle=g.linestyle if joined else "none",
            color=g.colour,
            label=g.label,
        )
    lengths = sorted(runs["contract_years"].unique())
    ax.set_xticks(lengths, [value_label("contract_years", v) for v in lengths])
    ax.set_xlabel(parameter_label("contract_years"))
    ax.set_ylabel(axis_label(outcome, ax.yaxis))
    if len(keyed) > 1:
        outside_legend(ax, title=title)
    title = figure_text(
        "turnover_title", outcome=pretty(outcome), level=f"{level:.0%}", runs=runs_text(sizes)
    )
    fig.suptitle(title + (figure_text("intervals_cut") if any_cut else ""))
    return fig
