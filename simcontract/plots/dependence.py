"""NGOs' dependence on government funding at the end of the run, by scenario."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple

from simcontract.plots.data import Group, active_rows, dependence_threshold, groups, table_of
from simcontract.plots.style import (
    HATCH_COLOUR,
    NARROW_WIDTH,
    PAGE_WIDTH,
    break_list,
    figure,
    figure_text,
    fit_xlabels,
    fmt,
    legend_height,
    outside_legend,
    page_width,
    styled,
)

LEGEND_COLUMNS = 28
"""Widest line of a group's label in the legend beside the panels, in display columns."""

NARROW_LEGEND_COLUMNS = 44
"""Widest line of a group's label in the legend below the panels of a narrow figure."""

PANEL_HEIGHT = 2.1
"""Height of each panel of a narrow figure, where the panels stand one above the other
(inches)."""


def _values(active: Any, g: Group) -> np.ndarray:
    """Dependence of the active NGOs of ``g``'s runs, within [0, 1]."""
    values = active.loc[active["point"] == g.point, "dependence"].astype(float).to_numpy()
    return np.clip(values[~np.isnan(values)], 0.0, 1.0)


def _draw_groups(
    hist_ax: Axes, ecdf_ax: Axes, active: Any, points: list[Group], bins: int, columns: int
) -> tuple[list[tuple[Any, Any]], list[str]]:
    """Each group's bars (side by side in each bin, patterned as the group) and
    cumulative distribution (dashed as the group); the legend's keys (bar and line of
    each group) and labels."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    step = edges[1] - edges[0]
    width = 0.9 * step / max(len(points), 1)
    keys, labels = [], []
    for k, g in enumerate(points):
        values = _values(active, g)
        labels.append(figure_text("with_n", label=break_list(g.label, columns), n=len(values)))
        counts, _ = np.histogram(values, bins=edges)
        shares = counts / len(values) if len(values) else np.zeros(bins)
        left = edges[:-1] + 0.05 * step + k * width
        bars = hist_ax.bar(
            left,
            shares,
            width=width,
            align="edge",
            color=g.colour,
            hatch=g.hatch,
            hatchcolor=HATCH_COLOUR,
            linewidth=0,
            label=labels[-1],
        )
        if len(values):
            ecdf_ax.ecdf(values, color=g.colour, linestyle=g.linestyle, label=labels[-1])
            line = ecdf_ax.get_lines()[-1]
        else:
            (line,) = ecdf_ax.plot([], [], color=g.colour, linestyle=g.linestyle, label=labels[-1])
        keys.append((bars.patches[0] if bars.patches else bars, line))
    return keys, labels


@styled
def dependence_distribution(results: Any, *, bins: int = 10) -> Figure:
    """Distribution of NGOs' dependence on government funding at the end, by scenario.

    Active NGOs at the end of each run, pooled over replications: (a) histogram as
    shares of NGOs, (b) empirical cumulative distribution. Each group's bars carry its
    pattern and its line its dash pattern, so the groups stay apart in greyscale; a
    narrow figure (a journal column) stands the panels one above the other.

    Args:
        results: Results with ``ngos``.
        bins: Histogram bins over [0, 1].

    Returns:
        The figure.
    """
    active = active_rows(table_of(results, "ngos"))
    points = groups(results)
    narrow = page_width() < NARROW_WIDTH
    if narrow:
        labels = [break_list(g.label, NARROW_LEGEND_COLUMNS) for g in points]
        fig = figure(PAGE_WIDTH, 2 * PANEL_HEIGHT + 0.5 + legend_height(labels, title=True))
        hist_ax, ecdf_ax = fig.subplots(2, 1)
    else:
        fig = figure(PAGE_WIDTH, 3.3)
        hist_ax, ecdf_ax = fig.subplots(1, 2)
    columns = NARROW_LEGEND_COLUMNS if narrow else LEGEND_COLUMNS
    keys, labels = _draw_groups(hist_ax, ecdf_ax, active, points, bins, columns)
    threshold = dependence_threshold(results)
    for ax in (hist_ax, ecdf_ax):
        if threshold is not None:
            ax.axvline(
                threshold,
                color="0.3",
                linestyle="--",
                linewidth=1.0,
                label=figure_text("dependence_threshold", value=fmt(threshold)),
            )
        ax.set_xlim(0, 1)
        ax.set_xlabel(figure_text("dependence_x"))
    hist_ax.set_ylabel(figure_text("dependence_hist_y"))
    hist_ax.grid(axis="x", visible=False)
    hist_ax.set_title(figure_text("dependence_hist_title"), loc="left")
    ecdf_ax.set_ylabel(figure_text("dependence_ecdf_y"))
    ecdf_ax.set_ylim(0, 1.02)
    ecdf_ax.set_title(figure_text("dependence_ecdf_title"), loc="left")
    if threshold is not None:
        keys.append(ecdf_ax.get_lines()[-1])
        labels.append(ecdf_ax.get_lines()[-1].get_label())
    outside_legend(
        ecdf_ax,
        handles=keys,
        labels=labels,
        handler_map={tuple: HandlerTuple(ndivide=None, pad=0.6)},
        handlelength=4.0,
    )
    fit_xlabels(fig, (hist_ax, ecdf_ax))
    fig.suptitle(figure_text("dependence_title"))
    return fig
