"""NGO survival by scenario: Kaplan-Meier curves with pointwise intervals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from simcontract.experiment.stats import kaplan_meier
from simcontract.plots.data import groups, ngo_lifetimes
from simcontract.plots.style import (
    PAGE_WIDTH,
    draw_band,
    figure,
    figure_text,
    legend_height,
    outside_legend,
    styled,
)


def _steps(km: pd.DataFrame, column: str, end: float) -> np.ndarray:
    """``km[column]`` as a step curve from 1 at time 0, held until ``end``."""
    values = km[column].to_numpy(dtype=float)
    last = values[-1] if len(values) else 1.0
    return np.concatenate([[1.0], values, [last]])


@styled
def survival_curves(results: Any, *, level: float = 0.95) -> Figure:
    """Kaplan-Meier survival of NGO lifetimes by scenario, with pointwise CIs.

    NGOs of all replications of a scenario are pooled; those still active at the end
    of their run are censored there.

    Args:
        results: Results with ``ngos`` and ``runs``.
        level: Confidence level of the log-log (exponential Greenwood) band.

    Returns:
        The figure.
    """
    lives = ngo_lifetimes(results)
    shown = [g for g in groups(results) if (lives["point"] == g.point).any()]
    labels = [
        figure_text("with_n", label=g.label, n=int((lives["point"] == g.point).sum()))
        for g in shown
    ]
    fig = figure(PAGE_WIDTH, 3.4 + legend_height(labels, title=True))
    ax = fig.add_subplot()
    horizon = 0.0
    for g, label in zip(shown, labels, strict=True):
        rows = lives[lives["point"] == g.point]
        km = kaplan_meier(rows["lifetime"], rows["observed"], level)
        end = float(rows["lifetime"].max())
        horizon = max(horizon, end)
        t = np.concatenate([[0.0], km["time"], [end]])
        low, high = _steps(km, "low", end), _steps(km, "high", end)
        draw_band(ax, t, low, high, g, 0.18, step=True)
        survival = _steps(km, "survival", end)
        ax.plot(
            t, survival, drawstyle="steps-post", color=g.colour, linestyle=g.linestyle, label=label
        )
    ax.set_xlim(0, max(horizon, 1.0))
    ax.set_ylim(0, 1.02)
    ax.xaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True))
    ax.set_xlabel(figure_text("survival_x"))
    ax.set_ylabel(figure_text("survival_y"))
    outside_legend(ax, title=figure_text("survival_legend"))
    fig.suptitle(figure_text("survival_title", level=f"{level:.0%}"))
    return fig
