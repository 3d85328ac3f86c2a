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
from simcontract.plots.data import (
    _pick_run,
    contract_edges,
    network_data,
    ngo_nodes,
    runs_of,
    table_of,
)
from simcontract.plots.style import (
    MM_PER_INCH,
    ORIGIN_COLOURS,
    PAGE_HEIGHT,
    PAGE_WIDTH,
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
from simcontract.textwidth import wrap

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
LEAST_WIDTH = 150 / MM_PER_INCH
"""Narrowest network, in inches (150 mm): the groups' names beside the nodes and the
colour bar need it, so a narrower width asked for (``width_mm=``) gives this one."""

NODE_STEP = 0.075
"""Distance between neighbouring NGOs (inches) when the page has room for it."""

MIN_NODE_STEP = 0.04
"""Closest neighbouring NGOs come (inches). When every active NGO does not fit the page
even so, NGOs without a contract are counted beside their group instead of drawn."""

PURCHASER_STEP = 0.1
"""Distance between purchasers (inches) below which their marks shrink."""

_FRAME = 1.6
"""Height of the title, legend and margins around the network (inches)."""

_SPAN = 1.1
"""Height of the axes in units of the node columns (their limits: -0.05 to 1.05)."""

_GAP = 1.5
"""Gap between two groups of a column, in node steps."""

_MIN_HEIGHT = 4.0
"""Least height of a network figure (inches)."""


def _order(values: Iterable[str], known: Sequence[str]) -> list[str]:
    present = list(dict.fromkeys(values))
    return [v for v in known if v in present] + sorted(v for v in present if v not in known)


def _steps(blocks: Sequence[Sequence[Any]]) -> float:
    """Length of a column of ``blocks``, in node steps."""
    return max(sum(len(b) for b in blocks) + _GAP * max(0, len(blocks) - 1) - 1, 1)


def _column(blocks: list[list[Any]]) -> dict[Any, float]:
    """Vertical positions in [0, 1], top to bottom, with gaps between blocks."""
    step = 1.0 / _steps(blocks)
    pos: dict[Any, float] = {}
    y = 1.0 if sum(len(b) for b in blocks) > 1 else 0.5
    for block in blocks:
        for key in block:
            pos[key] = y
            y -= step
        y -= _GAP * step
    return pos


def _page(steps: float) -> float:
    """Height of the figure (inches) whose longest column has ``steps`` node steps: its
    nodes :data:`NODE_STEP` apart where the page has room, closer to fit
    :data:`~simcontract.plots.style.PAGE_HEIGHT`."""
    step = min(NODE_STEP, (PAGE_HEIGHT - _FRAME) / (_SPAN * steps))
    return min(PAGE_HEIGHT, max(_MIN_HEIGHT, _FRAME + _SPAN * step * steps))


def _step(height: float, blocks: Sequence[Sequence[Any]]) -> float:
    """Distance (inches) between the nodes of a column of ``blocks`` in a figure
    ``height`` inches tall."""
    return (height - _FRAME) / (_SPAN * _steps(blocks))


def _block_label(ax: Axes, x: float, ys: list[float], text: str, ha: str) -> None:
    if ys:
        ax.text(x, (max(ys) + min(ys)) / 2, text, ha=ha, va="center", fontsize=8)


_PLACE = "place"
"""First item of the key of an empty place in a column (room for a group's label)."""

_LABEL_STEPS = 3
"""Places a group takes at least in a column, per line of its label."""


def _padded(block: Sequence[Any], least: int, group: str) -> list[Any]:
    """``block`` centred among empty places, ``least`` places long at least."""
    missing = max(0, least - len(block))
    places = [(_PLACE, group, i) for i in range(missing)]
    return places[: missing // 2] + list(block) + places[missing // 2 :]


def _placed(block: Sequence[Any]) -> list[Any]:
    """The nodes of ``block``, without its empty places."""
    return [k for k in block if not (isinstance(k, tuple) and k[0] == _PLACE)]


def _purchaser_blocks(edges: pd.DataFrame, order: list[str]) -> list[list[Any]]:
    """Purchasers holding contracts, in blocks of kind ``order``."""
    kinds = edges.drop_duplicates("purchaser").set_index("purchaser")["kind"]
    return [_padded(sorted(kinds.index[kinds == k]), _LABEL_STEPS, k) for k in order]


def _draw_purchasers(
    ax: Axes, order: list[str], blocks: list[list[Any]], height: float
) -> dict[Any, float]:
    """Purchasers on the left, in ``blocks`` of kind ``order``, their marks smaller when
    they stand closer than :data:`PURCHASER_STEP`; returns their positions."""
    pos = _column(blocks)
    size = 28 * min(1.0, (_step(height, blocks) / PURCHASER_STEP) ** 2)
    for kind, block in zip(order, blocks, strict=True):
        placed = _placed(block)
        colour, marker = purchaser_colour(kind), purchaser_marker(kind)
        ys = [pos[p] for p in placed]
        ax.scatter([0.0] * len(placed), ys, s=size, marker=marker, color=colour, zorder=3)
        label = _counted(purchaser_name(kind), len(placed))
        _block_label(ax, -0.07, [pos[p] for p in block], label, "right")
    return pos


def _ngo_blocks(
    nodes: pd.DataFrame, held: pd.Series, order: list[str], *, idle: bool
) -> list[list[Any]]:
    """NGOs of each origin of ``order``, most contracts first; without those holding
    none unless ``idle``. Each group has room for its label (two lines when it leaves
    NGOs out)."""
    blocks = []
    for origin in order:
        ngos = sorted(
            nodes.loc[nodes["origin"] == origin, "ngo"], key=lambda n: (-held.get(n, 0), n)
        )
        drawn = ngos if idle else [n for n in ngos if held.get(n, 0) > 0]
        lines = 1 if len(drawn) == len(ngos) else 2
        blocks.append(_padded(drawn, lines * _LABEL_STEPS, origin))
    return blocks


def _draw_ngos(
    ax: Axes,
    nodes: pd.DataFrame,
    held: pd.Series,
    order: list[str],
    blocks: list[list[Any]],
    height: float,
) -> dict[Any, float]:
    """NGOs on the right in ``blocks`` of origin ``order``, sized by contracts held
    (hollow: none), smaller when they stand closer than :data:`NODE_STEP`; each group's
    label counts its active NGOs and says how many are not drawn. Returns their
    positions."""
    pos = _column(blocks)
    scale = min(1.0, (_step(height, blocks) / NODE_STEP) ** 2)
    for origin, block in zip(order, blocks, strict=True):
        colour = origin_colour(origin)
        ngos = _placed(block)
        counts = np.array([held.get(n, 0) for n in ngos], dtype=float)
        ax.scatter(
            [1.0] * len(ngos),
            [pos[n] for n in ngos],
            s=scale * (14 + 10 * np.minimum(counts, 8)),
            facecolors=[colour if c > 0 else "white" for c in counts],
            edgecolors=colour,
            linewidths=max(0.5, np.sqrt(scale)),
            zorder=3,
        )
        total = int((nodes["origin"] == origin).sum())
        label = _counted(origin_name(origin), total)
        if total > len(ngos):
            label += "\n" + figure_text("network_idle", n=total - len(ngos))
        _block_label(ax, 1.07, [pos[n] for n in block], label, "left")
    return pos


def _legend_below(fig: Figure, ax: Axes, bar: Axes, handles: list[Line2D]) -> None:
    """The key under the network, in as many columns (up to four) as fit between the
    figure's left edge and the colour bar ``bar``."""
    for ncol in range(min(4, len(handles)), 0, -1):
        legend = ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            ncol=ncol,
            handletextpad=0.5,
            columnspacing=1.0,
        )
        fig.draw_without_rendering()
        box = legend.get_window_extent()
        if box.x0 >= 0 and box.x1 <= bar.get_window_extent().x0:
            return


def _counted(name: str, n: int) -> str:
    """A block's name with its count in brackets of the language in use."""
    return i18n.text("punctuation.paren", i18n.current(), text=name, note=n)


# --------------------------------------------------------------------------- which run
def _run_shown(
    source: Any, run: int | tuple[int, int] | None, city: int | None
) -> tuple[tuple[int, int] | None, pd.Series | None, int | None]:
    """The run to draw of results (``None`` for a model), its row of ``runs``, and for
    the default run how many runs before it hold no contract in force at their end
    (``None``: no run does, the first is drawn).

    By default the first run, by point and replication, with contracts in force at its
    end (in ``city``), since one-year contracts all end with the run's last year.
    """
    if callable(getattr(source, "contract_table", None)):
        return None, None, 0
    ordered = runs_of(source).sort_values(["point", "replication"]).reset_index(drop=True)
    row = _pick_run(ordered, run)
    if run is None:
        contracts = table_of(source, "contracts", empty=True)
        if city is not None:
            contracts = contracts[contracts["city"] == city]
        held = set(zip(contracts["point"], contracts["replication"], strict=True))
        found = [i for i, r in ordered.iterrows() if (r["point"], r["replication"]) in held]
        if not found:
            return (int(row["point"]), int(row["replication"])), row, None
        row = ordered.iloc[found[0]]
        skipped: int | None = found[0]
    else:
        skipped = 0
    return (int(row["point"]), int(row["replication"])), row, skipped


def _title(source: Any, row: pd.Series | None, where: str) -> str:
    """The figure's title: what the network is of, and for a sweep the scenario swept
    and the design point."""
    if row is None or getattr(source, "design", None) is None:
        return figure_text("network_title", where=where)
    name = str(row["scenario"]) if "scenario" in row else ""
    if i18n.current() != i18n.DEFAULT_LANGUAGE:
        name = i18n.scenario_title(name, i18n.current())
    return figure_text("network_sweep_title", scenario=name, point=int(row["point"]), where=where)


def _nothing_drawn(title: str, ngos: int, *, anywhere: bool) -> Figure:
    """A figure that says there is no contract in force to draw, and why."""
    fig = figure(PAGE_WIDTH, 2.2, least=LEAST_WIDTH)
    ax = fig.add_subplot()
    ax.set_axis_off()
    said = figure_text("network_none_any" if anywhere else "network_none")
    space = " " if said[-1:].isascii() else ""  # none after a Chinese full stop
    said += space + figure_text("network_none_why", ngos=ngos)
    ax.text(0.5, 0.5, "\n".join(wrap(said, 90)), ha="center", va="center", fontsize=9)
    fig.suptitle(title)
    return fig


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

    The figure fits a page (:data:`~simcontract.plots.style.PAGE_WIDTH` by
    :data:`~simcontract.plots.style.PAGE_HEIGHT`, as the other figures): nodes stand
    closer and smaller in a large market, and when even so the active NGOs do not fit,
    those without a contract are counted beside their group, not drawn. The title says
    the run, design point (of a sweep) and year shown. A run with no contract in force at
    its end (one-year contracts all end with its last year) gives a figure saying so.
    Asked for a width (``width_mm=``), the network is never narrower than
    :data:`LEAST_WIDTH` (150 mm).

    Args:
        source: A ``ContractingModel`` that has run, or results with ``contracts``,
            ``ngos`` and ``runs``.
        run: For results: ``(point, replication)``, or an index into the runs ordered
            by point and replication; default the first run with contracts in force at
            its end (in ``city``), said in the title when it is not the first run.
        city: City to show (``None``: all cities).

    Returns:
        The figure.
    """
    key, row, skipped = _run_shown(source, run, city)
    contracts, ngos, where = network_data(source, key)
    if city is not None:
        if ngos["city"].nunique() > 1:  # in a one-city market "city 0" says nothing
            where = figure_text("network_city", where=where, city=city)
        if not contracts.empty:
            contracts = contracts[contracts["city"] == city]
        ngos = ngos[ngos["city"] == city]
    edges = contract_edges(contracts)
    nodes = ngo_nodes(ngos, edges)
    title = _title(source, row, where)
    if skipped:
        title += "\n" + figure_text("network_first")
    if edges.empty:
        return _nothing_drawn(title, len(nodes), anywhere=skipped is None)
    held = edges.groupby("ngo")["count"].sum()
    kinds = _order(edges["kind"], tuple(PURCHASER_NAMES))
    origins = _order(nodes["origin"], tuple(ORIGIN_COLOURS))
    blocks = _ngo_blocks(nodes, held, origins, idle=True)
    fits = (PAGE_HEIGHT - _FRAME) / (_SPAN * MIN_NODE_STEP)
    if _steps(blocks) > fits:
        blocks = _ngo_blocks(nodes, held, origins, idle=False)
    idle_drawn = any(held.get(n, 0) == 0 for b in blocks for n in _placed(b))
    buyers = _purchaser_blocks(edges, kinds)
    height = _page(max(_steps(blocks), _steps(buyers)))
    fig = figure(PAGE_WIDTH, height, least=LEAST_WIDTH)
    ax = fig.add_subplot()
    ax.set_axis_off()
    left = _draw_purchasers(ax, kinds, buyers, height)
    right = _draw_ngos(ax, nodes, held, origins, blocks, height)
    segments = [
        [(0.0, left[p]), (1.0, right[n])]
        for p, n in zip(edges["purchaser"], edges["ngo"], strict=True)
    ]
    widths = line_width(edges["count"].to_numpy(dtype=float))
    ax.add_collection(tie_lines(segments, edges["tie"], linewidths=widths, alpha=0.9, zorder=1))
    ax.set_xlim(-0.6, 1.6)
    ax.set_ylim(-0.05, 1.05)
    bar = tie_colourbar(fig, ax=ax, shrink=min(0.9, 3.2 / (height - _FRAME)), pad=0.05)
    handles = key_handles(kinds, origins)
    if idle_drawn:
        empty = figure_text("no_contract")
        handles.append(Line2D([], [], marker="o", color="0.4", mfc="white", ls="", label=empty))
    handles += width_handles(int(edges["count"].max()))
    _legend_below(fig, ax, bar.ax, handles)
    fig.suptitle(title)
    return fig
