"""Sensitivity indices of one outcome: Sobol S1 and ST bars, or Morris mu*/sigma."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from simcontract import i18n
from simcontract.experiment.designs import outside_unit_interval
from simcontract.plots.style import (
    OKABE_ITO,
    figure,
    figure_text,
    fit_xlabels,
    group_marker,
    in_text,
    outcome_unit,
    outside_legend,
    pretty,
    rows_height,
    styled,
)

S1_BAR: dict[str, Any] = {"facecolor": OKABE_ITO[0], "edgecolor": OKABE_ITO[0], "linewidth": 1.2}
"""How a first-order (S1) bar is drawn: filled."""

ST_BAR: dict[str, Any] = {"facecolor": "white", "edgecolor": OKABE_ITO[1], "linewidth": 1.2}
"""How a total-order (ST) bar is drawn: outlined, so it stays apart from S1 bars in
greyscale, where the two colours look alike (a hatch marks a bar outside [0, 1])."""


@styled
def sensitivity(results_or_indices: Any, outcome: str, *, level: float = 0.95) -> Figure:
    """Sensitivity indices of one outcome: Sobol S1 and ST bars, or Morris mu*/sigma.

    Args:
        results_or_indices: Results of a Sobol or Morris sweep (``analyze()`` is
            called), or the table ``analyze()`` returns.
        outcome: Outcome name.
        level: Confidence level: passed to ``analyze()``, and said in the Sobol
            figure's title (give the level a table of indices was computed at).

    Returns:
        The figure.

    Raises:
        ValueError: The table holds no Sobol or Morris indices for ``outcome``.
    """
    if isinstance(results_or_indices, pd.DataFrame):
        table = results_or_indices
    else:
        table = results_or_indices.analyze([outcome], level=level)
    table = table[table["outcome"] == outcome]
    kinds = set(table["index"])
    if {"S1", "ST"} <= kinds:
        return _sobol(table, outcome, level)
    if {"mu_star", "sigma"} <= kinds:
        return _morris(table, outcome)
    raise ValueError(i18n.text("errors.plots.no_indices", outcome=repr(outcome)))


def _sobol(table: pd.DataFrame, outcome: str, level: float) -> Figure:
    """S1 and ST bars with their CIs; bars whose whole CI lies outside ``[0, 1]``
    (:func:`~simcontract.experiment.designs.outside_unit_interval`) hatched and marked
    ``!``, with a warning line instead of the claim "share of output variance"."""
    flags = outside_unit_interval(table)
    s1 = table[table["index"] == "S1"].set_index("parameter")
    st = table[table["index"] == "ST"].set_index("parameter")
    flag_s1 = flags[table["index"] == "S1"].set_axis(s1.index)
    flag_st = flags[table["index"] == "ST"].set_axis(st.index)
    order = st["value"].fillna(-np.inf).sort_values(ascending=True).index.tolist()
    flagged = bool(flag_s1.any() or flag_st.any())
    fig = figure(5.0, rows_height(1.3 + (0.35 if flagged else 0.0), len(order), 0.45))
    ax = fig.add_subplot()
    y = np.arange(len(order))
    h = 0.38
    for offset, frame, marks, look in ((h / 2, s1, flag_s1, S1_BAR), (-h / 2, st, flag_st, ST_BAR)):
        values = np.nan_to_num(frame.loc[order, "value"].to_numpy(dtype=float))
        conf = np.nan_to_num(frame.loc[order, "conf"].to_numpy(dtype=float), nan=0.0)
        bad = marks.loc[order].to_numpy(dtype=bool)
        bars = ax.barh(
            y + offset,
            values,
            height=h,
            xerr=conf,
            **look,
            error_kw={"ecolor": "0.2", "elinewidth": 1.0, "capsize": 2},
        )
        for bar, value, half, is_bad in zip(bars, values, conf, bad, strict=True):
            if is_bad:
                bar.set_hatch("///")
                bar.set_edgecolor("0.15")
                end = value + half if value > 0 else value - half
                ax.annotate(
                    "!",
                    (end, bar.get_y() + bar.get_height() / 2),
                    xytext=(4 if value > 0 else -4, 0),
                    textcoords="offset points",
                    ha="left" if value > 0 else "right",
                    va="center",
                    fontweight="bold",
                )
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.axvline(1, color="0.3", linewidth=0.8, linestyle=":")
    ax.set_yticks(y, [pretty(p) for p in order])
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(figure_text("sobol_x_flagged" if flagged else "sobol_x"))
    handles = [Patch(**S1_BAR), Patch(**ST_BAR)]
    labels = [figure_text("sobol_first"), figure_text("sobol_total")]
    outside_legend(ax, handles=handles, labels=labels)  # below the bars in a column
    ax.margins(x=0.08)
    fig.suptitle(figure_text("sobol_title", outcome=in_text(outcome), level=f"{level:.0%}"))
    if flagged:
        fig.supxlabel(figure_text("sobol_warning"), fontsize=8, color="0.15")
    fit_xlabels(fig, [ax])
    return fig


def _morris(table: pd.DataFrame, outcome: str) -> Figure:
    """Each parameter's mu* against its sigma, in a colour and a marker of its own."""
    mu = table[table["index"] == "mu_star"].set_index("parameter")
    sigma = table[table["index"] == "sigma"].set_index("parameter")
    names = mu.index.tolist()
    fig = figure(5.0, 3.8)
    ax = fig.add_subplot()
    for i, name in enumerate(names):
        conf = float(mu.loc[name, "conf"])
        ax.errorbar(
            [float(mu.loc[name, "value"])],
            [float(sigma.loc[name, "value"])],
            xerr=[0.0 if math.isnan(conf) else conf],
            marker=group_marker(i),
            linestyle="none",
            color=OKABE_ITO[i % len(OKABE_ITO)],
            label=pretty(name),
        )
    finite = np.concatenate(
        [
            mu["value"].to_numpy(float) + np.nan_to_num(mu["conf"].to_numpy(float)),
            sigma.loc[names, "value"].to_numpy(float),
        ]
    )
    finite = finite[np.isfinite(finite)]
    top = float(finite.max()) * 1.1 if finite.size and finite.max() > 0 else 1.0
    (diagonal,) = ax.plot([0, top], [0, top], color="0.5", linestyle="--", linewidth=0.9)
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel(figure_text("morris_x"))
    ax.set_ylabel(figure_text("morris_y"))
    unit = outcome_unit(outcome)
    # The unit once, under the axes: in both labels it made them longer than the axes.
    if unit:
        fig.supxlabel(figure_text("morris_per", unit=unit), fontsize=7, color="0.2")
    labels = [*(pretty(n) for n in names), figure_text("morris_diagonal")]
    ax.legend([*ax.containers, diagonal], labels, loc="upper left", fontsize=7)
    fig.suptitle(figure_text("morris_title", outcome=in_text(outcome)))
    return fig
