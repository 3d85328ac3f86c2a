"""Scenario discovery's figures: PRIM's peeling trajectory (the trade-off between a
box's coverage and its density), a box's ranges, and the inputs' feature scores."""

from __future__ import annotations

import math

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from simcontract import i18n
from simcontract.experiment.discovery import Discovery, restriction_qp, rule_text
from simcontract.plots.style import (
    OKABE_ITO,
    SEQUENTIAL_CMAP,
    figure,
    figure_text,
    pretty,
    styled,
)


def _box_number(discovery: Discovery, box: int) -> None:
    if box not in set(discovery.boxes["box"]):
        raise KeyError(i18n.text("errors.plots.no_box", box=box, n=len(discovery.boxes)))


@styled
def discovery_tradeoff(discovery: Discovery, box: int = 0) -> Figure:
    """The peeling trajectory of box ``box``: each step's coverage (x) against its
    density (y), coloured by the number of inputs it restricts (diamonds: boxes with a
    restriction that was not significant dropped); the chosen box is ringed and the
    density target drawn as a dashed line.

    Raises:
        KeyError: No such box.
    """
    _box_number(discovery, box)
    steps = discovery.trajectories[discovery.trajectories["box"] == box]
    fig = figure(5.2, 3.8)
    ax = fig.add_subplot()
    restricted = steps["restricted"].to_numpy(int)
    top = max(int(restricted.max()), 1)
    cmap = mpl.colormaps[SEQUENTIAL_CMAP].resampled(top + 1)
    for phase, marker, key in (("peel", "o", "peeled"), ("prune", "D", "pruned")):
        mine = steps[steps["phase"] == phase]
        points = ax.scatter(
            mine["coverage"],
            mine["density"],
            c=mine["restricted"].to_numpy(int),
            cmap=cmap,
            vmin=-0.5,
            vmax=top + 0.5,
            s=18,
            marker=marker,
            edgecolors="0.3",
            linewidths=0.3,
            zorder=3,
            label=figure_text(f"discovery_{key}") if len(mine) else None,
        )
    chosen = steps[steps["chosen"]]
    ax.scatter(
        chosen["coverage"],
        chosen["density"],
        s=140,
        facecolors="none",
        edgecolors=OKABE_ITO[5],
        linewidths=1.5,
        zorder=4,
        clip_on=False,  # a box that covers every case sits on the edge, coverage 1
        label=figure_text("discovery_chosen"),
    )
    target = float(discovery.settings.get("min_density", math.nan))
    if math.isfinite(target):
        ax.axhline(
            target,
            color="0.4",
            linestyle="--",
            linewidth=0.8,
            label=figure_text("discovery_target", density=f"{target:g}"),
        )
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(figure_text("discovery_coverage"))
    ax.set_ylabel(figure_text("discovery_density"))
    bar = fig.colorbar(points, ax=ax, ticks=range(top + 1))
    bar.set_label(figure_text("discovery_restricted"))
    ax.legend(loc="lower left", fontsize=7)
    where = discovery.where_in_words()
    ax.set_title(figure_text("discovery_tradeoff_title", box=box + 1, where=where))
    return fig


@styled
def discovery_box(discovery: Discovery, box: int = 0) -> Figure:
    """The ranges of box ``box``: one row per input it restricts, the sampled range as a
    grey bar from 0 to 1 and the box's range over it, labelled with the rule in words
    and the quasi-p value; a choice shows the share of its choices the box keeps.

    Raises:
        KeyError: No such box.
    """
    _box_number(discovery, box)
    limits = discovery.box_limits(box)
    stats = discovery.boxes.set_index("box").loc[box]
    fig = figure(6.4, 1.4 + 0.45 * max(len(limits), 1))
    ax = fig.add_subplot()
    rows = limits.to_dict("records")
    for i, row in enumerate(rows):
        start, end = _span(row)
        ax.barh(i, 1.0, left=0.0, height=0.55, color="0.88", zorder=1)
        ax.barh(i, end - start, left=start, height=0.55, color=OKABE_ITO[1], zorder=2)
        qp = restriction_qp(row)
        said = rule_text(row)
        if not math.isnan(qp):
            said = figure_text(
                "discovery_rule_qp", rule=said, qp=figure_text("discovery_qp", qp=f"{qp:.2g}")
            )
        # Three points right of the axis: on it, the first character crossed the spine.
        ax.annotate(
            said, (0.0, i - 0.42), xytext=(3, 0), textcoords="offset points", fontsize=7,
            va="bottom", ha="left",
        )  # fmt: skip
    if not rows:
        ax.text(0.5, 0.0, figure_text("discovery_no_restriction"), ha="center", va="center")
    ax.set_yticks(range(len(rows)), [pretty(r["parameter"]) for r in rows])
    ax.set_ylim(len(rows) - 0.4 if rows else 0.6, -0.7)
    ax.set_xlim(0.0, 1.0)
    ax.set_xlabel(figure_text("discovery_box_x"))
    ax.grid(False, axis="y")
    ax.set_title(
        figure_text(
            "discovery_box_title",
            box=box + 1,
            coverage=f"{stats['coverage']:.0%}",
            density=f"{stats['density']:.0%}",
            where=discovery.where_in_words(),
        )
    )
    return fig


def _span(row: dict) -> tuple[float, float]:
    """Where the box's range lies in the sampled range, as fractions 0 to 1 (for a
    choice: the kept choices' share, from 0)."""
    if row["kind"] == "choice":
        kept = len([c for c in str(row["choices"]).split("|") if c])
        every = len([c for c in str(row["sampled_choices"]).split("|") if c])
        return 0.0, kept / every if every else 0.0
    low, high = float(row["sampled_low"]), float(row["sampled_high"])
    width = high - low if high > low else 1.0
    return (float(row["low"]) - low) / width, (float(row["high"]) - low) / width


@styled
def discovery_scores(discovery: Discovery) -> Figure:
    """The inputs' feature scores (extra-trees importance, ± sd over the trees), the
    most important on top."""
    scores = discovery.scores.iloc[::-1]
    fig = figure(5.2, 1.2 + 0.35 * max(len(scores), 2))
    ax = fig.add_subplot()
    y = np.arange(len(scores))
    ax.barh(
        y,
        scores["importance"],
        xerr=scores["spread"],
        color=OKABE_ITO[2],
        error_kw={"elinewidth": 0.6, "ecolor": "0.3", "capsize": 2},
    )
    ax.set_yticks(y, [pretty(p) for p in scores["parameter"]])
    ax.set_xlim(left=0.0)
    ax.set_xlabel(figure_text("discovery_importance"))
    ax.grid(False, axis="y")
    ax.set_title(figure_text("discovery_scores_title", where=discovery.where_in_words()))
    return fig
