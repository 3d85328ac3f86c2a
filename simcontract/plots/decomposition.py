"""A scenario decomposition: each rule's Shapley value with its CI, and the whole gap."""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from simcontract import i18n
from simcontract.plots.style import (
    OKABE_ITO,
    axis_label,
    figure,
    figure_text,
    pretty,
    rows_height,
    styled,
)


@styled
def decomposition_chart(decomposition: Any) -> Figure:
    """Horizontal bars of the rules' Shapley values with their 95 % CIs, largest on top,
    under a bar of the whole gap ``b - a``; markers show each rule switched alone in a
    and last in b (where they differ from the bar, the rule interacts with others).

    Args:
        decomposition: A :class:`~simcontract.experiment.decomposition.Decomposition`.

    Returns:
        The figure.
    """
    d = decomposition
    lang = i18n.current()
    shapley = d.shapley.set_index("rule")
    alone = d.one_at_a_time.set_index("rule").loc[shapley.index]
    order = shapley["value"].abs().fillna(-1.0).sort_values(kind="stable").index.tolist()
    n = len(order)
    fig = figure(7.0, rows_height(2.0, n + 1, 0.34))
    ax = fig.add_subplot()
    y = np.arange(n)
    value = shapley.loc[order, "value"].to_numpy(float)
    err = np.abs(shapley.loc[order, ["low", "high"]].to_numpy(float).T - value)
    bar = {"ecolor": "0.2", "elinewidth": 1.0, "capsize": 2}
    ax.barh(y, np.nan_to_num(value), xerr=np.nan_to_num(err), color=OKABE_ITO[1], error_kw=bar)
    ax.plot(alone.loc[order, "at_a"], y, "D", color="0.15", markersize=3.5, linestyle="none")
    ax.plot(alone.loc[order, "at_b"], y, "o", mfc="none", color="0.15", markersize=4.5)
    total = d.total
    half = [[total.mean - total.low], [total.high - total.mean]]
    ax.barh([n + 0.3], [total.mean], xerr=np.nan_to_num(half), color="0.45", error_kw=bar)
    ax.axhline(n - 0.35, color="0.6", linewidth=0.6)
    ax.axvline(0, color="0.3", linewidth=0.8)
    labels = [d.rules[name].label(lang) for name in order]
    ax.set_yticks([*y, n + 0.3], [*labels, figure_text("decomposition_total")])
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(figure_text("decomposition_x", outcome=axis_label(d.outcome, ax.xaxis)))
    runs = figure_text(
        "replications_one" if d.replications == 1 else "replications_many", n=d.replications
    )
    if d.method == "exact":
        note = figure_text("decomposition_exact", coalitions=d.n_coalitions, replications=runs)
    else:
        note = figure_text(
            "decomposition_sampled",
            orders=d.permutations,
            coalitions=d.n_coalitions,
            replications=runs,
        )
    handles = [
        Patch(color=OKABE_ITO[1]),
        Line2D([], [], marker="D", color="0.15", markersize=3.5, linestyle="none"),
        Line2D([], [], marker="o", mfc="none", color="0.15", markersize=4.5, linestyle="none"),
    ]
    texts = [
        figure_text("decomposition_shapley"),
        figure_text("decomposition_at_a"),
        figure_text("decomposition_at_b"),
    ]
    fig.legend(handles, texts, loc="outside lower center", ncols=3, fontsize=7, frameon=False)
    ax.margins(x=0.08)
    title = figure_text(
        "decomposition_title",
        outcome=pretty(d.outcome),
        a=i18n.scenario_title(d.a.name, lang),
        b=i18n.scenario_title(d.b.name, lang),
    )
    fig.suptitle(textwrap.fill(title, 70, break_on_hyphens=False))
    ax.set_title(note, fontsize=7, color="0.3")
    return fig
