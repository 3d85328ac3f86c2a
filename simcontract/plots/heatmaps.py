"""Mean of an outcome over two parameters of a sweep."""

from __future__ import annotations

from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from simcontract import i18n
from simcontract.plots.data import (
    Cells,
    cell_means,
    check_count,
    check_outcome,
    runs_text,
    runs_with,
)
from simcontract.plots.style import (
    SEQUENTIAL_CMAP,
    axis_label,
    figure,
    figure_text,
    in_text,
    money_step,
    parameter_label,
    rows_height,
    styled,
)

SAMPLED = ("lhs", "sobol", "morris")
"""Design kinds whose points are sampled, not laid out on a grid."""


def _axes_of(design: Any, x: str | None, y: str | None) -> tuple[str, str]:
    """``x`` and ``y``, the missing ones taken from the design's parameters in order."""
    params = list(design.parameters) if design is not None else []
    rest = [p for p in params if p not in (x, y)]
    if x is None and rest:
        x = rest.pop(0)
    if y is None and rest:
        y = rest.pop(0)
    if x is None or y is None:
        raise ValueError(i18n.text("errors.plots.heatmap_axes"))
    return x, y


LARGE_CELL = 99.95
"""Means from this size up are written whole, with thousands separators (three
significant digits would end them in a bare point, ``123.``, or an exponent)."""


def _annotate(ax: Axes, grid: np.ndarray, step: float = 1.0) -> None:
    """Write each cell's mean (in the colour bar's ``step`` of money), white on the
    darker half of the colour map."""
    finite = grid[np.isfinite(grid)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    middle = (lo + hi) / 2
    for (row, col), value in np.ndenumerate(grid):
        if np.isfinite(value):
            colour = "white" if value < middle else "black"
            text = cell_text(value, step)
            ax.text(col, row, text, ha="center", va="center", fontsize=7, color=colour)


def cell_text(value: float, step: float = 1.0) -> str:
    """A cell's mean as written in it: three significant digits (``0.500``, ``12.3``),
    or from 100 up the whole number with thousands separators (``2,720,346`` rather
    than ``2.72e+06``). A mean of money is written in the colour bar's ``step``
    (``1e6`` for million CNY) with four significant digits (``147.4``), whole from
    1,000 up."""
    if step != 1.0:
        value /= step
        return f"{value:,.0f}" if abs(value) >= 999.5 else f"{value:.4g}"
    if abs(value) >= LARGE_CELL:
        return f"{value:,.0f}"
    return f"{value:#.3g}"


def _label_axes(ax: Axes, cells: Cells, names: tuple[str, str], distinct: tuple[int, int]) -> None:
    """Tick labels and axis labels, marking a binned parameter."""
    ax.set_xticks(range(len(cells.xlabels)), cells.xlabels)
    ax.set_yticks(range(len(cells.ylabels)), cells.ylabels)
    ax.grid(False)
    x, y = names
    binned = figure_text("binned")
    ax.set_xlabel(parameter_label(x) + (binned if len(cells.xlabels) < distinct[0] else ""))
    ax.set_ylabel(parameter_label(y) + (binned if len(cells.ylabels) < distinct[1] else ""))
    if len(cells.xlabels) > 6 or max(len(t) for t in cells.xlabels) > 6:
        ax.tick_params(axis="x", labelrotation=30)
        for tick in ax.get_xticklabels():
            tick.set_horizontalalignment("right")


@styled
def heatmap(
    results: Any,
    outcome: str,
    x: str | None = None,
    y: str | None = None,
    *,
    bins: int = 6,
    max_levels: int = 12,
    annotate: bool | None = None,
) -> Figure:
    """Mean of an outcome over two parameters of a sweep.

    Runs are averaged per cell (over replications and any other parameter the sweep
    varies). A number with more than ``max_levels`` distinct values, or, in a
    sampled design (Latin hypercube, Sobol, Morris), with more than ``bins``, is cut
    into about ``bins`` bins at round numbers, labelled by their ranges: sampled values
    are scattered, and a row or column for each would leave most cells empty and space
    uneven values evenly. Grey cells hold no run.

    Args:
        results: Results with ``runs`` (and ``design`` for the defaults).
        outcome: Outcome name.
        x: Parameter on the horizontal axis (default: the design's first).
        y: Parameter on the vertical axis (default: the design's second).
        bins: Target number of bins per binned parameter.
        max_levels: Most distinct values shown without binning.
        annotate: Write the mean in each cell (default: when there are at most 64).

    Returns:
        The figure.
    """
    runs = runs_with(results, outcome)
    check_outcome(outcome, runs)
    for name, value in (("bins", bins), ("max_levels", max_levels)):
        check_count(name, value)
    design = getattr(results, "design", None)
    x, y = _axes_of(design, x, y)
    for name in (x, y):
        if name not in runs:
            raise ValueError(i18n.text("errors.plots.no_column", name=repr(name)))
    ranges = getattr(design, "ranges", None) or {}
    if getattr(design, "kind", "") in SAMPLED:
        max_levels = min(max_levels, bins)
    cells = cell_means(runs, outcome, (x, y), bins, max_levels, ranges)
    fig = figure(
        1.6 + 0.55 * max(4, len(cells.xlabels)), rows_height(1.4, max(4, len(cells.ylabels)), 0.4)
    )
    ax = fig.add_subplot()
    cmap = mpl.colormaps[SEQUENTIAL_CMAP].with_extremes(bad="#eeeeee")
    image = ax.imshow(
        np.ma.masked_invalid(cells.grid),
        origin="lower",
        aspect="auto",
        cmap=cmap,
        interpolation="none",
    )
    _label_axes(ax, cells, (x, y), (runs[x].nunique(), runs[y].nunique()))
    bar = fig.colorbar(image, ax=ax)
    bar.set_label(axis_label(outcome, bar.ax.yaxis))
    if annotate is None:
        annotate = cells.grid.size <= 64
    if annotate:
        step = money_step(outcome, bar.ax.yaxis)
        _annotate(ax, cells.grid, step[1] if step else 1.0)
    runs_each = runs_text(cells.sizes)
    fig.suptitle(figure_text("heatmap_title", outcome=in_text(outcome), runs=runs_each))
    return fig
