"""NGOs' dependence on government funding at the end of the run, by scenario."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from simcontract.plots.data import active_rows, dependence_threshold, groups, table_of
from simcontract.plots.style import (
    PAGE_WIDTH,
    break_list,
    figure,
    figure_text,
    fit_xlabels,
    fmt,
    outside_legend,
    styled,
)

LEGEND_COLUMNS = 28
"""Widest line of a group's label in the legend, in display columns."""


@styled
def dependence_distribution(results: Any, *, bins: int = 10) -> Figure:
    """Distribution of NGOs' dependence on government funding at the end, by scenario.

    Active NGOs at the end of each run, pooled over replications: (a) histogram as
    shares of NGOs, (b) empirical cumulative distribution.

    Args:
        results: Results with ``ngos``.
        bins: Histogram bins over [0, 1].

    Returns:
        The figure.
    """
    active = active_rows(table_of(results, "ngos"))
    points = groups(results)
    fig = figure(PAGE_WIDTH, 3.3)
    hist_ax, ecdf_ax = fig.subplots(1, 2)
    edges = np.linspace(0.0, 1.0, bins + 1)
    step = edges[1] - edges[0]
    width = 0.9 * step / max(len(points), 1)
    for k, g in enumerate(points):
        values = active.loc[active["point"] == g.point, "dependence"].astype(float).to_numpy()
        values = np.clip(values[~np.isnan(values)], 0.0, 1.0)
        # Two panels share the page with the legend: long labels take two lines.
        label = figure_text("with_n", label=break_list(g.label, LEGEND_COLUMNS), n=len(values))
        counts, _ = np.histogram(values, bins=edges)
        shares = counts / len(values) if len(values) else np.zeros(bins)
        left = edges[:-1] + 0.05 * step + k * width
        hist_ax.bar(left, shares, width=width, align="edge", color=g.colour, label=label)
        if len(values):
            ecdf_ax.ecdf(values, color=g.colour, linestyle=g.linestyle, label=label)
        else:
            ecdf_ax.plot([], [], color=g.colour, linestyle=g.linestyle, label=label)
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
    outside_legend(ecdf_ax)
    fit_xlabels(fig, (hist_ax, ecdf_ax))
    fig.suptitle(figure_text("dependence_title"))
    return fig
