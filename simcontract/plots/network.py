"""Contracts in force as a network of purchasers and NGOs.

:func:`contract_network` draws the publication figure; :func:`tie_lines`,
:func:`tie_colourbar` and :func:`key_handles` draw the parts it shares with the seminar
app's market view, so both read the one palette of :mod:`simcontract.plots.style`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colorbar import Colorbar
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from simcontract import i18n
from simcontract.plots.data import contract_edges, network_data, ngo_nodes
from simcontract.plots.style import (
    ORIGIN_COLOURS,
    PURCHASER_NAMES,
    figure,
    figure_text,
    origin_colour,
    origin_name,
    purchaser_colour,
    purchaser_marker,
    purchaser_name,
    styled,
    tie_cmap,
)

TIE_LABEL = "Tie strength (official – NGO head)"
"""Label of the tie-strength colour bar (in English; other languages: the catalogue's
``figures.tie_label``)."""


# --------------------------------------------------------------------------- shared parts
def tie_lines(segments: Sequence[Any], ties: Iterable[float], **kwargs: Any) -> LineCollection:
    """Lines coloured by tie strength on [0, 1]; ``kwargs`` go to ``LineCollection``."""
    lines = LineCollection(segments, cmap=tie_cmap(), norm=Normalize(0.0, 1.0), **kwargs)
    lines.set_array(np.asarray(list(ties), dtype=float))
    return lines


def tie_colourbar(fig: Figure, *, fontsize: float | None = None, **kwargs: Any) -> Colorbar:
    """Colour bar of tie strength with the tie threshold marked.

    Args:
        fig: The figure.
        fontsize: Size of the label (ticks and mark one point smaller); default the
            rc settings'.
        **kwargs: Passed to ``fig.colorbar``, e.g. ``ax`` or ``cax``.
    """
    from simcontract.phases.tendering import TIE_THRESHOLD

    mappable = ScalarMappable(norm=Normalize(0.0, 1.0), cmap=tie_cmap())
    bar = fig.colorbar(mappable, **kwargs)
    bar.set_label(figure_text("tie_label"), fontsize=fontsize)
    small = 7.0 if fontsize is None else fontsize - 1
    if fontsize is not None:
        bar.ax.tick_params(labelsize=small)
    bar.ax.axhline(TIE_THRESHOLD, color="black", linewidth=1.5)
    bar.ax.annotate(
        figure_text("tied"),
        (0.0, TIE_THRESHOLD),
        xycoords=bar.ax.get_yaxis_transform(),
        xytext=(-3, 0),
        textcoords="offset points",
        ha="right",
        va="center",
        fontsize=small,
    )
    return bar


def key_handles(kinds: Iterable[str], origins: Iterable[str]) -> list[Line2D]:
    """Legend entries of purchaser kinds and NGO origins, in the palette's colours."""
    marks = [(purchaser_marker(k), purchaser_colour(k), purchaser_name(k)) for k in kinds]
    marks += [("o", origin_colour(o), origin_name(o)) for o in origins]
    return [Line2D([], [], marker=m, color=c, linestyle="", label=n) for m, c, n in marks]


def line_width(contracts: Any) -> Any:
    """Width of a purchaser-NGO line (points): thicker with the contracts between them."""
    return 0.7 + 0.6 * (np.asarray(contracts, dtype=float) - 1)


def width_handles(most: int) -> list[Line2D]:
    """Legend entries that say what a line's width means: one contract, and the most
    contracts any pair holds (when more than one)."""
    counts = [1] if most <= 1 else [1, most]
    return [
        Line2D(
            [],
            [],
            color="0.35",
            linewidth=float(line_width(n)),
            label=figure_text("width_one" if n == 1 else "width_many", n=n),
        )
        for n in counts
    ]


# --------------------------------------------------------------------------- layout
def _order(values: Iterable[str], known: Sequence[str]) -> list[str]:
    present = list(dict.fromkeys(values))
    return [v for v in known if v in present] + sorted(v for v in present if v not in known)


def _column(blocks: list[list[Any]], gap: float = 1.5) -> dict[Any, float]:
    """Vertical positions in [0, 1], top to bottom, with gaps between blocks."""
    slots = sum(len(b) for b in blocks) + gap * max(0, len(blocks) - 1)
    step = 1.0 / max(slots - 1, 1)
    pos: dict[Any, float] = {}
    y = 1.0 if slots > 1 else 0.5
    for block in blocks:
        for key in block:
            pos[key] = y
            y -= step
        y -= gap * step
    return pos


def _block_label(ax: Axes, x: float, ys: list[float], text: str, ha: str) -> None:
    if ys:
        ax.text(x, (max(ys) + min(ys)) / 2, text, ha=ha, va="center", fontsize=8)


def _draw_purchasers(ax: Axes, edges: pd.DataFrame, order: list[str]) -> dict[Any, float]:
    """Purchasers on the left, in blocks of kind ``order``; returns their positions."""
    kinds = edges.drop_duplicates("purchaser").set_index("purchaser")["kind"]
    blocks = [sorted(kinds.index[kinds == k]) for k in order]
    pos = _column(blocks)
    for kind, block in zip(order, blocks, strict=True):
        ys = [pos[p] for p in block]
        colour, marker = purchaser_colour(kind), purchaser_marker(kind)
        ax.scatter([0.0] * len(block), ys, s=28, marker=marker, color=colour, zorder=3)
        _block_label(ax, -0.07, ys, _counted(purchaser_name(kind), len(block)), "right")
    return pos


def _draw_ngos(
    ax: Axes, nodes: pd.DataFrame, held: pd.Series, order: list[str]
) -> dict[Any, float]:
    """NGOs on the right in blocks of origin ``order``, sized by contracts held (hollow:
    none); returns their positions."""
    blocks = [
        sorted(nodes.loc[nodes["origin"] == o, "ngo"], key=lambda n: (-held.get(n, 0), n))
        for o in order
    ]
    pos = _column(blocks)
    for origin, block in zip(order, blocks, strict=True):
        colour = origin_colour(origin)
        counts = np.array([held.get(n, 0) for n in block], dtype=float)
        ys = [pos[n] for n in block]
        ax.scatter(
            [1.0] * len(block),
            ys,
            s=14 + 10 * np.minimum(counts, 8),
            facecolors=[colour if c > 0 else "white" for c in counts],
            edgecolors=colour,
            linewidths=1.0,
            zorder=3,
        )
        _block_label(ax, 1.07, ys, _counted(origin_name(origin), len(block)), "left")
    return pos


def _counted(name: str, n: int) -> str:
    """A block's name with its count in brackets of the language in use."""
    return i18n.text("punctuation.paren", i18n.current(), text=name, note=n)


# --------------------------------------------------------------------------- the figure
@styled
def contract_network(
    source: Any, run: int | tuple[int, int] | None = None, *, city: int | None = 0
) -> Figure:
    """Snapshot of the contracts in force at the end of a run, as a bipartite network.

    Purchasers (left, grouped by kind) and active NGOs (right, grouped by origin) are
    nodes; each purchaser-NGO pair with contracts is an edge coloured by the tie
    strength between the purchaser's official and the NGO's head (the mark on the
    colour bar is the tie threshold of ``tied_award_share``) and thicker with more
    contracts (the legend shows the widths of one contract and of the most any pair
    holds). Hollow NGOs hold no contract. Only purchasers holding contracts appear.

    Args:
        source: A ``ContractingModel`` that has run, or results with ``contracts``,
            ``ngos`` and ``runs``.
        run: For results: ``(point, replication)``, or an index into the runs ordered
            by point and replication; default the first run.
        city: City to show (``None``: all cities).

    Returns:
        The figure.
    """
    contracts, ngos, where = network_data(source, run)
    if city is not None:
        if not contracts.empty:
            contracts = contracts[contracts["city"] == city]
        ngos = ngos[ngos["city"] == city]
        where = figure_text("network_city", where=where, city=city)
    edges = contract_edges(contracts)
    nodes = ngo_nodes(ngos, edges)
    held = edges.groupby("ngo")["count"].sum()
    rows = max(edges["purchaser"].nunique(), len(nodes), 1)
    fig = figure(6.4, min(11.0, max(4.0, 0.075 * rows + 1.6)))
    ax = fig.add_subplot()
    ax.set_axis_off()
    kinds = _order(edges["kind"], tuple(PURCHASER_NAMES))
    origins = _order(nodes["origin"], tuple(ORIGIN_COLOURS))
    left, right = _draw_purchasers(ax, edges, kinds), _draw_ngos(ax, nodes, held, origins)
    segments = [
        [(0.0, left[p]), (1.0, right[n])]
        for p, n in zip(edges["purchaser"], edges["ngo"], strict=True)
    ]
    widths = line_width(edges["count"].to_numpy(dtype=float))
    ax.add_collection(tie_lines(segments, edges["tie"], linewidths=widths, alpha=0.9, zorder=1))
    ax.set_xlim(-0.6, 1.6)
    ax.set_ylim(-0.05, 1.05)
    tie_colourbar(fig, ax=ax, shrink=0.5, pad=0.01)
    handles = key_handles(kinds, origins)
    empty = figure_text("no_contract")
    handles.append(Line2D([], [], marker="o", color="0.4", mfc="white", ls="", label=empty))
    handles += width_handles(int(edges["count"].max()) if len(edges) else 1)
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=min(4, len(handles)),
        handletextpad=0.3,
        columnspacing=1.0,
    )
    fig.suptitle(figure_text("network_title", where=where))
    return fig
