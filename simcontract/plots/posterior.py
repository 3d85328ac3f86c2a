"""Figures of a Bayesian calibration: the posterior of each free parameter against its
prior, and the posterior predictive check of every figure of the sources.

Both take the :class:`~simcontract.experiment.bayes_posterior.Posterior` that
:func:`~simcontract.experiment.bayes.calibrate_abc` returns.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from simcontract import i18n
from simcontract.plots.style import (
    OKABE_ITO,
    InSteps,
    axis_label,
    figure,
    figure_text,
    fmt,
    money_step,
    pretty,
    rows_height,
    styled,
)

USE_COLOURS = {"fit": OKABE_ITO[0], "holdout": OKABE_ITO[1], "input": OKABE_ITO[6]}
"""Colour of a figure by its use in the calibration."""

USE_MARKERS = {"fit": "o", "holdout": "s", "input": "D"}
"""Marker of a predictive interval by the figure's use."""

_BINS = 20


@styled
def posterior_marginals(posterior: Any, *, level: float = 0.95) -> Figure:
    """One panel per free parameter: the weighted histogram of the last generation's
    particles (a density), the uniform prior over its range, the posterior mean and its
    equal-tailed credible interval of probability ``level``, and the scenario's own
    value.

    Args:
        posterior: A calibration's result (``particles``, ``priors``, ``table()``,
            ``scenario``, ``generations``).
        level: Probability of the credible interval.

    Returns:
        The figure.
    """
    table = posterior.table(level).set_index("parameter")
    priors = list(posterior.priors)
    columns = min(2, len(priors))
    rows = math.ceil(len(priors) / columns)
    fig = figure(3.2 * columns + 1.6, rows_height(0.6, rows, 2.3, least=1.5))
    weights = posterior.particles["weight"].to_numpy(dtype=float)
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax, prior in zip(axes, priors, strict=False):
        values = posterior.particles[prior.name].to_numpy(dtype=float)
        row = table.loc[prior.name]
        bins = np.linspace(prior.low, prior.high, _BINS + 1)
        ax.hist(values, bins=bins, weights=weights, density=True, color=OKABE_ITO[0], alpha=0.6)
        ax.hlines(1 / (prior.high - prior.low), prior.low, prior.high, color="0.3", linestyle="--")
        ax.axvspan(row["low"], row["high"], color=OKABE_ITO[0], alpha=0.12, linewidth=0)
        ax.axvline(row["mean"], color=OKABE_ITO[0], linewidth=1.4)
        ax.axvline(row["scenario_value"], color=OKABE_ITO[1], linestyle=":", linewidth=1.4)
        ax.set_xlim(prior.low, prior.high)
        ax.set_xlabel(axis_label(prior.name, ax.xaxis))
        step = money_step(prior.name, ax.xaxis)
        if step is not None:  # a density per yuan, read per step as the x axis is
            ax.yaxis.set_major_formatter(InSteps(1 / step[1]))
        ax.set_ylabel(figure_text("posterior.density"))
    for ax in axes[len(priors) :]:
        ax.set_visible(False)
    handles = [
        Line2D([], [], color=OKABE_ITO[0], linewidth=6, alpha=0.6),
        Line2D([], [], color="0.3", linestyle="--"),
        Line2D([], [], color=OKABE_ITO[0], linewidth=1.4),
        Line2D([], [], color=OKABE_ITO[0], linewidth=6, alpha=0.12),
        Line2D([], [], color=OKABE_ITO[1], linestyle=":", linewidth=1.4),
    ]
    labels = [
        figure_text("posterior.posterior"),
        figure_text("posterior.prior"),
        figure_text("posterior.mean"),
        figure_text("posterior.credible", level=f"{level:.0%}"),
        figure_text("posterior.scenario_value"),
    ]
    fig.legend(handles, labels, loc="outside lower center", ncols=3)
    last = posterior.generations.iloc[-1] if len(posterior.generations) else None
    fig.suptitle(
        figure_text(
            "posterior.marginals_title",
            particles=len(posterior.particles),
            generation=int(last["generation"]) if last is not None else 0,
        )
    )
    return fig


@styled
def predictive_intervals(posterior: Any, *, level: float = 0.95) -> Figure:
    """The posterior predictive check: for every figure, the predictive mean and
    interval of the model relative to the source figure (the source is 1), coloured by
    the figure's use (fitted, holdout, input).

    Args:
        posterior: A calibration's result with its ``predictive`` table.
        level: Probability of the intervals, for the axis label (the table's own).

    Returns:
        The figure.

    Raises:
        ValueError: The result holds no predictive check.
    """
    table = getattr(posterior, "predictive", None)
    if table is None or not len(table):
        raise ValueError(i18n.text("errors.plots.no_predictive"))
    table = table.reset_index(drop=True)
    fig = figure(6.2, rows_height(1.2, len(table), 0.42))
    ax = fig.add_subplot()
    y = np.arange(len(table))[::-1]
    for yi, r in zip(y, table.itertuples(), strict=True):
        scale = r.source_value if r.source_value else 1.0
        colour = USE_COLOURS.get(r.use, "0.3")
        mean, low, high = (
            r.predictive_mean / scale,
            r.predictive_low / scale,
            r.predictive_high / scale,
        )
        ax.errorbar(
            [mean],
            [yi],
            xerr=[[max(mean - low, 0.0)], [max(high - mean, 0.0)]],
            fmt=USE_MARKERS.get(r.use, "o"),
            color=colour,
            markersize=5,
        )
    ax.axvline(1.0, color="0.15", linewidth=1.0)
    labels = [
        figure_text("posterior.figure_label", outcome=pretty(r.outcome), year=r.calendar_year)
        + f" ({fmt(r.source_value)})"
        for r in table.itertuples()
    ]
    ax.set_yticks(y, labels)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(figure_text("posterior.predictive_x"))
    uses = [u for u in ("fit", "holdout", "input") if u in set(table["use"])]
    handles = [
        Line2D([], [], color=USE_COLOURS[u], marker=USE_MARKERS[u], linestyle="-") for u in uses
    ]
    handles.append(Line2D([], [], color="0.15", linewidth=1.0))
    names = [figure_text(f"posterior.use_{u}") for u in uses] + [figure_text("posterior.source")]
    ax.legend(handles, names, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    runs = int(table["runs"].max()) if len(table) else 0
    fig.suptitle(figure_text("posterior.predictive_title", runs=runs, level=f"{level:.0%}"))
    return fig
