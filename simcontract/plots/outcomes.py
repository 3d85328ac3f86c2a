"""Outcomes by scenario: means with intervals (:func:`compare_outcomes`) and yearly
bands over replications (:func:`fan_chart`)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from simcontract import i18n
from simcontract.experiment.stats import mean_ci, within_range
from simcontract.plots.data import (
    Group,
    check_count,
    check_outcome,
    error_lengths,
    groups,
    outcome_names,
    replications_text,
    runs_with,
    start_year,
    table_of,
    yearly_band,
)
from simcontract.plots.style import (
    MIN_TEXT_SIZE,
    NARROW_WIDTH,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    STYLE,
    axis_label,
    break_list,
    calendar,
    draw_band,
    figure,
    figure_text,
    fit_titles,
    fit_xlabels,
    legend_height,
    outcome_label,
    outside_legend,
    page_width,
    pretty,
    styled,
    year_axis_label,
)
from simcontract.textwidth import display_width, wrap

MIN_PANEL_WIDTH = 1.8
"""Narrowest panel :func:`compare_outcomes` chooses, in inches: room for four tick
labels such as ``0.135`` and an outcome's label on two lines."""

NARROW_COLUMNS = 2
"""Panels per row of :func:`compare_outcomes` in a narrow figure (a journal column)
drawing more than two outcomes: stacked in one column, six outcomes made a figure
taller than a page."""

NAME_COLUMNS = 18
"""Widest line of a design point's name beside the panels of a narrow figure, in
display columns: a longer name takes more lines (broken between the parameters of a
sweep's point, or within Chinese text)."""

POINT_STEP = 0.28
"""Height of each design point in a panel of :func:`compare_outcomes`, in inches."""

LINE_STEP = 0.135
"""Height of a line of a design point's name (8 points and its spacing), in inches:
the least a point takes, per line of its name, when the figure is made shorter to fit
a page (:data:`~simcontract.plots.style.PAGE_HEIGHT`)."""

ROW_FRAME = 0.9
"""Height of a row of panels besides its points, in inches: tick labels, the outcome's
label, and the space to the next row."""

FAN_PANEL_WIDTH = 2.1
"""Narrowest panel of a fan chart drawn in panels, in inches."""

FAN_ROW = 2.1
"""Height of a row of a fan chart's panels, in inches."""

FAN_ROW_LEAST = 1.5
"""Least height of a row of a fan chart's panels, in inches, when the chart is made
shorter to fit a page (:data:`~simcontract.plots.style.PAGE_HEIGHT`)."""


def _point_names(points: Sequence[Group], narrow: bool) -> list[str]:
    """Each design point's name beside the panels: in a narrow figure, in lines of
    about :data:`NAME_COLUMNS` display columns (a name without a place to break, such
    as ``beijing_piecemeal``, stays whole)."""
    if not narrow:
        return [g.label for g in points]
    names = []
    for g in points:
        lines = break_list(g.label, NAME_COLUMNS).split("\n")
        # Chinese text breaks between its words; an English name only between parts.
        lines = [
            part
            for line in lines
            for part in (wrap(line, NAME_COLUMNS) if display_width(line) != len(line) else [line])
        ]
        names.append("\n".join(lines))
    return names


def _grid(
    outcomes: Sequence[str], names: Sequence[str], ncols: int | None
) -> tuple[int, int, float, float]:
    """Panels per row and rows of :func:`compare_outcomes`, the figure's width and its
    height, in inches: at most :data:`~simcontract.plots.style.PAGE_HEIGHT` as long as
    each point keeps room for its name (:data:`LINE_STEP` a line)."""
    narrow = page_width() < NARROW_WIDTH
    widest = max(display_width(line) for name in names for line in name.split("\n"))
    beside = min(3.0, 0.07 * widest)
    # Panels as wide as the outcomes' labels (9 points: about 0.065 inch a column) as
    # long as the page allows; beyond, labels take more lines (fit_xlabels).
    longest = max(display_width(outcome_label(n)) for n in outcomes)
    panel = max(MIN_PANEL_WIDTH, 0.1 + 0.065 * longest)
    if ncols is None and narrow:
        ncols = NARROW_COLUMNS if len(outcomes) > 2 else 1
    elif ncols is None:
        ncols = max(1, min(3, int((page_width() - beside - 0.4) // MIN_PANEL_WIDTH)))
    ncols = max(1, min(ncols, len(outcomes)))
    nrows = math.ceil(len(outcomes) / ncols)
    lines = max(name.count("\n") + 1 for name in names)
    room = (PAGE_HEIGHT - 0.5) / nrows - ROW_FRAME
    least = 0.015 + LINE_STEP * lines
    step = max(least, min(max(POINT_STEP, least + 0.065), room / len(names)))
    height = round(nrows * (ROW_FRAME + step * len(names)) + 0.5, 3)  # PAGE_HEIGHT, not above
    return ncols, nrows, panel * ncols + beside + 0.4, height


@styled
def compare_outcomes(
    results: Any,
    outcomes: Sequence[str] | None = None,
    *,
    level: float = 0.95,
    ncols: int | None = None,
) -> Figure:
    """Mean and confidence interval of outcomes at each scenario or design point.

    One panel per outcome; in each, one point with an error bar per scenario, each
    scenario with its own marker. The figure fits a page
    (:data:`~simcontract.plots.style.PAGE_HEIGHT` tall at most, while each point keeps
    room for its name); a narrow figure (a journal column) draws more than two
    outcomes in two columns of panels, with the points' names in lines of about
    :data:`NAME_COLUMNS` columns.

    Args:
        results: Results with ``runs``.
        outcomes: Outcome names (default: the key outcomes).
        level: Confidence level of Student's t interval over replications.
        ncols: Panels per row (default: up to three, as many as fit a page's width
            beside the scenarios' names, each at least :data:`MIN_PANEL_WIDTH` wide;
            :data:`NARROW_COLUMNS` in a narrow figure).

    Returns:
        The figure.
    """
    runs = runs_with(results, outcomes)
    outcomes = outcome_names(outcomes, runs)
    if ncols is not None:
        check_count("ncols", ncols)
    points = groups(results, runs)
    narrow = page_width() < NARROW_WIDTH
    names = _point_names(points, narrow)
    ncols, nrows, width, height = _grid(outcomes, names, ncols)
    fig = figure(width, height)
    tight = narrow and ncols > 1
    axes = fig.subplots(nrows, ncols, sharey=True, squeeze=False)
    ypos = {g.point: len(points) - 1 - i for i, g in enumerate(points)}
    full = runs.groupby("point").size().max() if len(runs) else 0
    any_cut = False
    for ax, name in zip(axes.flat, outcomes, strict=False):
        for g in points:
            any_cut |= _draw_point(ax, runs, g, name, ypos[g.point], level, full)
        _counts_inside(ax)
        # Panels side by side in a column: labels at the tick labels' size, fewer lines.
        label = axis_label(name, ax.xaxis)
        ax.set_xlabel(label, fontsize=STYLE["xtick.labelsize"] if tight else None)
        ax.grid(axis="y", visible=False)
        ax.set_ylim(-0.6, len(points) - 0.4)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=3 if tight else 4))
    for ax in axes.flat[len(outcomes) :]:
        ax.set_visible(False)
    order = range(len(points) - 1, -1, -1)
    axes[0, 0].set_yticks([ypos[points[i].point] for i in order], [names[i] for i in order])
    fit_xlabels(fig, axes.flat[: len(outcomes)])
    title = figure_text(
        "outcomes_title", level=f"{level:.0%}", replications=replications_text(runs)
    )
    fig.suptitle(title + (figure_text("intervals_cut") if any_cut else ""))
    return fig


def _draw_point(
    ax: Axes, runs: pd.DataFrame, g: Group, outcome: str, y: float, level: float, full: int
) -> bool:
    """One design point's mean and interval of ``outcome`` at height ``y`` (with its
    number of runs when the outcome is undefined in some of its ``full`` runs); whether
    the interval was cut at the ends of the outcome's range."""
    interval, cut = within_range(
        mean_ci(runs.loc[runs["point"] == g.point, outcome], level), outcome
    )
    if 0 < interval.n < full:  # the outcome undefined in some runs of the point
        ax.annotate(
            figure_text("point_n", n=interval.n),
            (interval.mean, y),
            xytext=(0, 5),
            textcoords="offset points",
            ha="center",
            fontsize=MIN_TEXT_SIZE,
            color=g.colour,
            gid=COUNT_GID,
        )
    ax.errorbar(
        [interval.mean],
        [y],
        xerr=error_lengths(interval),
        marker=g.marker,
        linestyle="none",
        color=g.colour,
        label=g.label,
    )
    return cut


COUNT_GID = "point_n"
"""Mark of the "n = ..." labels over points whose outcome is undefined in some runs."""

EDGE_SHARE = 0.25
"""Share of a panel's width, at either side, where a point's "n = ..." label is aligned
toward the panel's middle instead of centred over the point."""


def _counts_inside(ax: Axes) -> None:
    """The "n = ..." labels of points near a panel's side start or end over their point,
    so they stay within the panel (centred, they ran past its edge into the next panel
    or the scenarios' names)."""
    low, high = ax.get_xlim()
    for text in ax.texts:
        if text.get_gid() != COUNT_GID or high <= low:
            continue
        where = (text.xy[0] - low) / (high - low)
        if where < EDGE_SHARE:
            text.set_horizontalalignment("left")
        elif where > 1 - EDGE_SHARE:
            text.set_horizontalalignment("right")


def _band_runs(series: pd.DataFrame, outcome: str, shown: list) -> str:
    """The replications a fan chart's bands rest on, saying where a year's band rests
    on fewer (the outcome undefined in the other runs of that year)."""
    replications = replications_text(series)
    drawn = series[series["point"].isin([g.point for g in shown])]
    defined = drawn.groupby(["point", "year"])[outcome].count()
    defined = defined[defined > 0]  # a year no run defines has no band at all
    runs = drawn.groupby("point")["replication"].nunique()
    # Each point's years against its own runs: a partial batch's points differ.
    own = runs.reindex(defined.index.get_level_values("point")).to_numpy()
    short = defined[defined.to_numpy() < own]
    if short.empty:
        return replications
    return figure_text("fan_fewer", replications=replications, n=int(short.min()))


def _fan_columns(n: int) -> int:
    """Panels per row of a fan chart of ``n`` groups in panels: up to three, as many as
    the page's width holds; two in a narrow figure (a journal column)."""
    if page_width() < NARROW_WIDTH:
        return min(NARROW_COLUMNS, n)
    return max(1, min(3, n, int((page_width() - 0.4) // FAN_PANEL_WIDTH)))


def _a_total(outcome: str) -> bool:
    """Whether a run's value of ``outcome`` is the total of its years (public spend,
    entries), so that its yearly series counts per year."""
    from simcontract.experiment.codebook import variables

    found = variables().get(outcome)
    return bool(found and found.cumulative)


def _fan_axes(fig: Figure, n: int, layout: str) -> list:
    """The axes of a fan chart: one shared by all ``n`` groups, or one per group."""
    if layout == "overlay":
        return [fig.add_subplot()] * n
    ncols = _fan_columns(n)
    nrows = math.ceil(n / ncols)
    grid = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
    axes = list(grid.flat)
    for ax in axes[n:]:
        ax.set_visible(False)
    for col in range(ncols):  # the lowest panel of each column shows its years
        lowest = max(i for i in range(col, n, ncols))
        axes[lowest].xaxis.set_tick_params(labelbottom=True)
    return axes


@styled
def fan_chart(
    results: Any,
    outcome: str,
    *,
    band: float = 0.9,
    layout: str = "auto",
) -> Figure:
    """Yearly median and central band of an outcome across replications, by scenario.

    Args:
        results: Results with ``series`` (and ``runs`` for labels).
        outcome: Outcome name.
        band: Share of replications inside the shaded band (0.9: 5th to 95th percentile).
        layout: ``"overlay"`` (one panel), ``"panels"`` (one panel per scenario) or
            ``"auto"`` (overlay up to four scenarios).

    Years are calendar years ("Year") when every scenario shown gives the same
    ``start_year``, else model years ("Model year").

    Returns:
        The figure.

    Raises:
        ValueError: The results hold no series (run with ``series=True``).
    """
    series = table_of(results, "series")
    check_outcome(outcome, series)
    if isinstance(band, bool) or not isinstance(band, numbers.Real) or not 0 < band < 1:
        raise ValueError(i18n.text("errors.plots.band", band=repr(band)))
    if layout not in ("auto", "overlay", "panels"):
        raise ValueError(i18n.text("errors.plots.layout", layout=repr(layout)))
    shown = [g for g in groups(results) if (series["point"] == g.point).any()]
    start = start_year(results, [g.point for g in shown])
    if layout == "auto":
        layout = "overlay" if len(shown) <= 4 else "panels"
    quantiles = yearly_band(series, outcome, band)
    if layout == "overlay":
        legend = legend_height([g.label for g in shown]) if len(shown) > 1 else 0.0
        fig = figure(PAGE_WIDTH if len(shown) > 1 else 5.2, 3.4 + legend)
    else:
        ncols = _fan_columns(len(shown))
        nrows = math.ceil(len(shown) / ncols)
        row = max(FAN_ROW_LEAST, min(FAN_ROW, (PAGE_HEIGHT - 0.5) / nrows))
        fig = figure(2.6 * ncols + 0.4, round(row * nrows + 0.5, 3))
    axes = _fan_axes(fig, len(shown), layout)
    for ax, g in zip(axes, shown, strict=False):
        q = quantiles.loc[g.point]
        years = calendar(q.index.to_numpy(), start)
        if layout == "panels":  # one group a panel: solid lines
            g = replace(g, linestyle="-")
        draw_band(ax, years, q["low"], q["high"], g, 0.2)
        ax.plot(years, q["median"], color=g.colour, linestyle=g.linestyle, label=g.label)
        if layout == "panels":
            ax.set_title(g.label)
    drawn = list(dict.fromkeys(axes[: len(shown)]))
    for ax in drawn:
        ax.xaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True))
    if layout == "overlay":
        drawn[0].set_xlabel(year_axis_label(start))
        drawn[0].set_ylabel(axis_label(outcome, drawn[0].yaxis, per_year=_a_total(outcome)))
        if len(shown) > 1:
            outside_legend(drawn[0])
    else:
        fig.supxlabel(year_axis_label(start), fontsize=STYLE["axes.labelsize"])
        label = axis_label(outcome, *(ax.yaxis for ax in drawn), per_year=_a_total(outcome))
        fig.supylabel(label, fontsize=STYLE["axes.labelsize"])
        fit_titles(fig, drawn)
    title = figure_text(
        "fan_title",
        outcome=pretty(outcome),
        band=f"{band:.0%}",
        replications=_band_runs(series, outcome, shown),
    )
    fig.suptitle(title)
    return fig
