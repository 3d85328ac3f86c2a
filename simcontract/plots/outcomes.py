"""Outcomes by scenario: means with intervals (:func:`compare_outcomes`) and yearly
bands over replications (:func:`fan_chart`)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from simcontract import i18n
from simcontract.experiment.stats import mean_ci, within_range
from simcontract.plots.data import (
    check_count,
    check_outcome,
    error_lengths,
    groups,
    outcome_names,
    replications_text,
    runs_of,
    start_year,
    table_of,
    yearly_band,
)
from simcontract.plots.style import (
    MIN_TEXT_SIZE,
    PAGE_WIDTH,
    STYLE,
    calendar,
    figure,
    figure_text,
    fit_titles,
    fit_xlabels,
    outcome_label,
    outside_legend,
    page_width,
    pretty,
    styled,
    year_axis_label,
)
from simcontract.textwidth import display_width

MIN_PANEL_WIDTH = 1.8
"""Narrowest panel :func:`compare_outcomes` chooses, in inches: room for four tick
labels such as ``0.135`` and an outcome's label on two lines."""

FAN_PANEL_WIDTH = 2.1
"""Narrowest panel of a fan chart drawn in panels, in inches."""


@styled
def compare_outcomes(
    results: Any,
    outcomes: Sequence[str] | None = None,
    *,
    level: float = 0.95,
    ncols: int | None = None,
) -> Figure:
    """Mean and confidence interval of outcomes at each scenario or design point.

    One panel per outcome; in each, one point with an error bar per scenario.

    Args:
        results: Results with ``runs``.
        outcomes: Outcome names (default: the key outcomes).
        level: Confidence level of Student's t interval over replications.
        ncols: Panels per row (default: up to three, as many as fit a page's width
            beside the scenarios' names, each at least :data:`MIN_PANEL_WIDTH` wide).

    Returns:
        The figure.
    """
    runs = runs_of(results)
    outcomes = outcome_names(outcomes, runs)
    if ncols is not None:
        check_count("ncols", ncols)
    points = groups(results, runs)
    names = min(3.0, 0.07 * max(display_width(g.label) for g in points))
    # Panels as wide as the outcomes' labels (9 points: about 0.065 inch a column) as
    # long as the page allows; beyond, labels take two lines (fit_xlabels).
    longest = max(display_width(outcome_label(n)) for n in outcomes)
    panel = max(MIN_PANEL_WIDTH, 0.1 + 0.065 * longest)
    if ncols is None:
        ncols = max(1, min(3, int((page_width() - names - 0.4) // MIN_PANEL_WIDTH)))
    ncols = max(1, min(ncols, len(outcomes)))
    nrows = math.ceil(len(outcomes) / ncols)
    width = panel * ncols + names + 0.4
    fig = figure(width, nrows * (0.9 + 0.28 * len(points)) + 0.5)
    axes = fig.subplots(nrows, ncols, sharey=True, squeeze=False)
    ypos = {g.point: len(points) - 1 - i for i, g in enumerate(points)}
    any_cut = False
    full = runs.groupby("point").size().max() if len(runs) else 0
    for ax, name in zip(axes.flat, outcomes, strict=False):
        for g in points:
            interval, cut = within_range(
                mean_ci(runs.loc[runs["point"] == g.point, name], level), name
            )
            any_cut |= cut
            if 0 < interval.n < full:  # the outcome undefined in some runs of the point
                ax.annotate(
                    figure_text("point_n", n=interval.n),
                    (interval.mean, ypos[g.point]),
                    xytext=(0, 5),
                    textcoords="offset points",
                    ha="center",
                    fontsize=MIN_TEXT_SIZE,
                    color=g.colour,
                )
            ax.errorbar(
                [interval.mean],
                [ypos[g.point]],
                xerr=error_lengths(interval),
                fmt="o",
                color=g.colour,
                label=g.label,
            )
        ax.set_xlabel(outcome_label(name))
        ax.grid(axis="y", visible=False)
        ax.set_ylim(-0.6, len(points) - 0.4)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    for ax in axes.flat[len(outcomes) :]:
        ax.set_visible(False)
    bottom_up = points[::-1]
    axes[0, 0].set_yticks([ypos[g.point] for g in bottom_up], [g.label for g in bottom_up])
    fit_xlabels(fig, axes.flat[: len(outcomes)])
    title = figure_text(
        "outcomes_title", level=f"{level:.0%}", replications=replications_text(runs)
    )
    fig.suptitle(title + (figure_text("intervals_cut") if any_cut else ""))
    return fig


def _fan_columns(n: int) -> int:
    """Panels per row of a fan chart of ``n`` groups in panels: up to three, as many as
    the page's width holds."""
    return max(1, min(3, n, int((page_width() - 0.4) // FAN_PANEL_WIDTH)))


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
        fig = figure(PAGE_WIDTH if len(shown) > 1 else 5.2, 3.4)
    else:
        ncols = _fan_columns(len(shown))
        fig = figure(2.6 * ncols + 0.4, 2.1 * math.ceil(len(shown) / ncols) + 0.5)
    axes = _fan_axes(fig, len(shown), layout)
    for ax, g in zip(axes, shown, strict=False):
        q = quantiles.loc[g.point]
        years = calendar(q.index.to_numpy(), start)
        ax.fill_between(years, q["low"], q["high"], color=g.colour, alpha=0.2, linewidth=0)
        dashes = g.linestyle if layout == "overlay" else "-"
        ax.plot(years, q["median"], color=g.colour, linestyle=dashes, label=g.label)
        if layout == "panels":
            ax.set_title(g.label)
    drawn = list(dict.fromkeys(axes[: len(shown)]))
    for ax in drawn:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if layout == "overlay":
        drawn[0].set_xlabel(year_axis_label(start))
        drawn[0].set_ylabel(outcome_label(outcome))
        if len(shown) > 1:
            outside_legend(drawn[0])
    else:
        fig.supxlabel(year_axis_label(start), fontsize=STYLE["axes.labelsize"])
        fig.supylabel(outcome_label(outcome), fontsize=STYLE["axes.labelsize"])
        fit_titles(fig, drawn)
    title = figure_text(
        "fan_title",
        outcome=pretty(outcome),
        band=f"{band:.0%}",
        replications=replications_text(series),
    )
    fig.suptitle(title)
    return fig
