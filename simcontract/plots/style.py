"""The house look of every figure: the palette, matplotlib settings, labels, language.

The seminar app reads the same palette and names, so an origin, a purchaser kind or a
tie strength has one colour and one name wherever it is drawn. Names and figure text
come from the language catalogue (:mod:`simcontract.i18n`): every figure function
takes ``lang=`` (``"en"`` or ``"zh_CN"``); Chinese text is set in Noto Sans CJK SC,
which the ``mplfonts`` package installs, so it renders without a system CJK font.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import itertools
import math
import numbers
import warnings
import weakref
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import matplotlib as mpl
import numpy as np
from cycler import cycler
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text
from matplotlib.ticker import Formatter

from simcontract import i18n
from simcontract.outcomes import OUTCOMES
from simcontract.params import PARAMETERS
from simcontract.textwidth import display_width, wrap

# --------------------------------------------------------------------------- palette
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#BB3333",  # brick red (for Okabe-Ito's orange)
    "#CC79A7",  # reddish purple
    "#9977FF",  # violet (for Okabe-Ito's sky blue)
    "#666666",  # grey (for Okabe-Ito's yellow)
    "#000000",  # black
)
"""Colours of groups (scenarios, design points), in the order they are given: the
Okabe-Ito colour-blind-safe palette with its three pale colours (orange, sky blue,
yellow) replaced, so that every line reaches WCAG's 3:1 contrast on white
(:data:`MIN_CONTRAST`). The replacements keep the colours as far apart as Okabe-Ito's
own: the closest two differ by 20.7 (CIEDE2000; Okabe-Ito 21.7), and as protanopes and
deuteranopes see them by 12.2 and 13.0 (Okabe-Ito 12.2 and 11.6)."""

MIN_CONTRAST = 3.0
"""Least contrast ratio (WCAG 2) of a group colour against white."""

ORIGIN_COLOURS: dict[str, str] = {
    "general": OKABE_ITO[0],
    "specialist": OKABE_ITO[1],
    "community": OKABE_ITO[2],
    "grassroots": "#56B4E9",
}
"""Colour of each NGO origin, in the order origins are listed. Grassroots groups are
Okabe-Ito's sky blue, not orange: orange and bluish green look alike to protanopes, and
orange and vermillion to deuteranopes (``tests/test_i18n.py`` simulates both). Origins
mark nodes, not lines, and no colour of 3:1 contrast on white stays as far from the
other three for colour-blind readers, so sky blue stays."""

ORIGIN_NAMES: dict[str, str] = {o: i18n.origin_name(o, "en") for o in ORIGIN_COLOURS}
"""Display name of each NGO origin (plural), in English (see :func:`origin_name`)."""

PURCHASER_COLOURS: dict[str, str] = {"bureau": OKABE_ITO[7], "mass_org": OKABE_ITO[4]}
"""Colour of each purchaser kind (apart from the origins' colours)."""

PURCHASER_MARKERS: dict[str, str] = {"bureau": "s", "mass_org": "D"}
"""Marker of each purchaser kind: squares for bureaux, diamonds for mass organisations."""

PURCHASER_NAMES: dict[str, str] = {k: i18n.purchaser_name(k, "en") for k in PURCHASER_COLOURS}
"""Display name of each purchaser kind (plural), in English (see :func:`purchaser_name`)."""

SCENARIO_COLOURS: dict[str, str] = {
    "baseline": OKABE_ITO[0],
    "guangzhou_ifsc": OKABE_ITO[1],
    "shanghai_hub": OKABE_ITO[2],
    "beijing_piecemeal": OKABE_ITO[5],
    "luoshan_delegation": OKABE_ITO[3],
    "mass_org_partnership": OKABE_ITO[4],
    "moca_2012_fund": OKABE_ITO[6],
    "thin_market": OKABE_ITO[7],
}
"""Colour of each built-in scenario, the same in every figure whatever else it is
compared with (see :func:`group_colours`). The baseline and the two cities compared
most often take the palette's first three colours; the mass-organisation scenario
takes the colour of mass organisations (:data:`PURCHASER_COLOURS`)."""


def group_colours(names: Sequence[str | None]) -> list[str]:
    """Colour of each group of a figure set (the design points of one batch), in order.

    A built-in scenario that appears once among ``names`` takes its fixed colour
    (:data:`SCENARIO_COLOURS`), so it looks the same in every figure of every batch.
    The other groups (user scenarios, scenarios compared in several variants, the points
    of a sweep, ``None``) take the palette's colours no fixed colour of this set uses,
    in palette order and in the order the groups come, cycling when they run out. Every
    figure of a batch draws the same list of groups, so a user scenario keeps one colour
    across the batch's figures and never shares it with a built-in shown alongside. (A
    colour from a hash of the name would also hold across batches, but two names could
    share a colour in one figure, which misleads more.)

    Args:
        names: Scenario name of each group (``None``: not told apart by name).

    Returns:
        One colour per group.
    """
    counts = Counter(names)
    fixed = [SCENARIO_COLOURS.get(n) if n is not None and counts[n] == 1 else None for n in names]
    free = [c for c in OKABE_ITO if c not in fixed] or list(OKABE_ITO)
    rest = itertools.cycle(free)
    return [colour if colour is not None else next(rest) for colour in fixed]


LINE_STYLES: tuple[Any, ...] = (
    "-",
    (0, (5, 2)),
    (0, (1, 1.5)),
    (0, (6, 2, 1, 2)),
    (0, (2, 2)),
    (0, (6, 2, 1, 2, 1, 2)),
    (0, (9, 3)),
    (0, (3, 1, 1, 1)),
)
"""Dash pattern of each group's line, in the order of :data:`OKABE_ITO`: the palette's
colours differ little in lightness (all but black lie between 43 and 61 in CIELAB L*),
so in a greyscale print or for a reader who sees no hue a group's line is told by its
dashes."""


def group_line_style(index: int) -> Any:
    """Dash pattern of the group drawn ``index``-th (:data:`LINE_STYLES`, cycling). Each
    round of the cycle starts one pattern later, so the ninth group, which takes the
    first group's colour again, does not take its dashes too."""
    return LINE_STYLES[_shifted(index, len(LINE_STYLES))]


def _shifted(index: int, n: int) -> int:
    """``index`` in a cycle of ``n`` that moves on by one each round: with eight colours
    cycling beside it, no two of the first 64 groups share a colour and a pattern."""
    return (index + index // n) % n


HATCHES: tuple[str, ...] = ("", "////", "....", "\\\\\\\\", "xxxx", "----", "||||", "oo")
"""Fill pattern of each group's bars, in the order of :data:`LINE_STYLES` (the first
group's bars are plain): what dashes are to a group's line, a pattern is to its bars,
drawn in white (:data:`HATCH_COLOUR`) over the group's colour."""

HATCH_COLOUR = "white"
"""Colour of the patterns of groups' bars: every group colour reaches 3:1 contrast with
white (:data:`MIN_CONTRAST`), black included, so the pattern shows on each."""

MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X")
"""Marker of each group's points, in the order of the groups: for points not joined by
a line, as dashes are for lines. Seven markers to the palette's eight colours: where
colours cycle (more than eight groups), a colour and a marker repeat together only
after 56 groups."""


def group_hatch(index: int) -> str:
    """Fill pattern of the bars of the ``index``-th group (:data:`HATCHES`, cycling as
    the dashes do, :func:`group_line_style`)."""
    return HATCHES[_shifted(index, len(HATCHES))]


def group_marker(index: int) -> str:
    """Marker of the points of the ``index``-th group (:data:`MARKERS`, cycling)."""
    return MARKERS[index % len(MARKERS)]


BAND_EDGE_WIDTH = 0.8
"""Width of the edges of a group's band (an interval around its line), in points."""


def draw_band(
    ax: Axes, x: Any, low: Any, high: Any, group: Any, alpha: float, *, step: bool = False
) -> None:
    """A group's band (an interval around its line) on ``ax``: filled in the group's
    colour at ``alpha``, its two edges thin lines in the group's dash pattern, so that
    overlapping bands stay apart in greyscale, where their fills look alike.

    Args:
        ax: The axes.
        x: Where the band is drawn.
        low: Its lower edge.
        high: Its upper edge.
        group: What has ``colour`` and ``linestyle`` (a
            :class:`~simcontract.plots.data.Group`).
        alpha: Opacity of the fill.
        step: A step band (each value held until the next ``x``).
    """
    ax.fill_between(
        x, low, high, step="post" if step else None, color=group.colour, alpha=alpha, linewidth=0
    )
    x = np.asarray(x, dtype=float)
    edges = []
    for edge in (np.asarray(low, dtype=float), np.asarray(high, dtype=float)):
        if step:  # each value held until the next x
            edges.append(np.column_stack([np.repeat(x, 2)[1:], np.repeat(edge, 2)[:-1]]))
        else:
            edges.append(np.column_stack([x, edge]))
    # A collection, not lines: the axes' lines stay one a group.
    ax.add_collection(
        LineCollection(
            edges,
            colors=group.colour,
            alpha=0.8,
            linestyles=[group.linestyle],
            linewidths=BAND_EDGE_WIDTH,
        ),
        autolim=False,
    )


EXITED_COLOUR = "#c8c8c8"
"""Colour of NGOs that have left the market."""

TIE_CMAP = "Greys"
"""Colour map of tie strength (strong ties dark): one hue of grey, so it reads in any
colour vision and leaves the hues to origins and purchaser kinds. Its palest part is
left out (see :func:`tie_cmap`) so weak ties stay visible on white."""

SEQUENTIAL_CMAP = "viridis"
"""Colour map of heatmaps (perceptually uniform and colour-blind-safe)."""


def tie_cmap() -> ListedColormap:
    """The tie-strength colour map as drawn: :data:`TIE_CMAP` without its palest 30%."""
    base = mpl.colormaps[TIE_CMAP]
    return ListedColormap(base(np.linspace(0.3, 1.0, 256)), name=f"{TIE_CMAP}_cut")


def origin_colour(origin: str) -> str:
    """Colour of an NGO origin (grey for an unknown one)."""
    return ORIGIN_COLOURS.get(origin, "#808080")


def purchaser_colour(kind: str) -> str:
    """Colour of a purchaser kind (dark grey for an unknown one)."""
    return PURCHASER_COLOURS.get(kind, "#404040")


def purchaser_marker(kind: str) -> str:
    """Marker of a purchaser kind (a dot for an unknown one)."""
    return PURCHASER_MARKERS.get(kind, "o")


# --------------------------------------------------------------------------- matplotlib
STYLE: dict[str, Any] = {
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.05,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "figure.titlesize": 11,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.title_fontsize": 8,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.prop_cycle": cycler(color=OKABE_ITO),
    "lines.linewidth": 1.6,
    "lines.markersize": 5,
    "errorbar.capsize": 3,
    "image.cmap": SEQUENTIAL_CMAP,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "none",
}
"""Matplotlib rc settings of every figure, applied with ``matplotlib.rc_context``."""

DPI = 300
"""Resolution of saved raster images."""

PAGE_WIDTH = 7.0
"""Widest figure, in inches (178 mm): the text width of a two-column journal page, and
little more than a one-column page's, so a figure prints at 80% of its size or more
and its 8-point tick labels stay legible. Figures with a legend beside the data take
exactly this width, so their text prints at one size."""

PAGE_HEIGHT = 8.5
"""Tallest figure a page holds with its caption, in inches (216 mm): the text height of
a journal page (about 230 mm) less a few lines of caption. The comparison of outcomes
and the fan chart in panels, whose height grows with what they draw, keep within it
while their points and panels keep room for their text
(:func:`~simcontract.plots.outcomes.compare_outcomes`,
:func:`~simcontract.plots.outcomes.fan_chart`); so do the figures with a row for each
parameter or rule (:func:`rows_height`)."""

ROW_LEAST = 0.22
"""Least height of a row of bars or cells, in inches: an 8-point label with room either
side."""


def rows_height(frame: float, rows: int, step: float, least: float = ROW_LEAST) -> float:
    """Height, in inches, of a figure of ``rows`` rows of ``step`` inches each below and
    above ``frame`` inches of titles, axes and legend: with many rows, rows of no less
    than ``least`` inches, drawn closer so the figure keeps within :data:`PAGE_HEIGHT`
    (taller only when rows of ``least`` inches do not fit)."""
    room = (PAGE_HEIGHT - frame) / max(rows, 1)
    return frame + rows * max(least, min(step, room))


MM_PER_INCH = 25.4

WIDTH_RANGE_MM = (60.0, 300.0)
"""Widths a figure may be asked for (``width_mm=``), in millimetres: from a little
narrower than a journal's single column (85-90 mm) to a slide."""

NARROW_WIDTH = 4.5
"""Narrowest figure, in inches, with a legend beside its data: a narrower one (a
single journal column) puts the legend below, so the data keep the width."""

MIN_TEXT_SIZE = 7.0
"""Smallest text of any figure, in points (notes, counts, small legends): still
legible when a page-wide figure prints at 80% of its size."""

_WIDTH: contextvars.ContextVar[float | None] = contextvars.ContextVar("width", default=None)
"""The width, in inches, asked of the figure being drawn (``None``: its own)."""

_EXACT: weakref.WeakSet[Figure] = weakref.WeakSet()
"""Figures drawn at a width asked for: saved at exactly that width (see
:func:`saved_whole`)."""

CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
"""The font of Chinese text: Noto Sans CJK SC (SIL Open Font License), as ``mplfonts``
installs it."""

_P = ParamSpec("_P")
_R = TypeVar("_R")


@functools.cache
def cjk_family(*, warn: bool = True) -> str | None:
    """Register the Chinese font with matplotlib; its family name (``None`` when
    ``mplfonts`` is missing, with a warning if ``warn``: Chinese text then shows as
    boxes)."""
    try:
        from mplfonts.conf import FONT_DIR
    except ImportError:
        if warn:
            warnings.warn(i18n.error_text("warnings", "mplfonts"), stacklevel=3)
        return None
    path = Path(FONT_DIR) / CJK_FONT_FILE
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def language_rc(lang: str | None = None) -> dict[str, Any]:
    """Matplotlib settings a language adds to :data:`STYLE`: the CJK font after the
    Latin one, so Latin text looks the same in both languages and Chinese text shows in
    either (a scenario named in Chinese, in an English figure)."""
    family = cjk_family(warn=i18n.resolve(lang).startswith("zh"))
    return {} if family is None else {"font.family": ["DejaVu Sans", family]}


def styled(func: Callable[_P, _R]) -> Callable[..., _R]:
    """Run ``func`` inside ``rc_context(STYLE)`` in a language: the wrapped function
    takes ``lang=`` (default: the language in use, see ``i18n.use_language``). The
    figure's title then says so when the results drawn (the first argument) are a
    partial batch (:func:`~simcontract.plots.data.partial_text`), and is fitted to its
    width (:func:`fit_suptitle`).

    The wrapped function also takes ``width_mm=`` (the figure's width in millimetres,
    within :data:`WIDTH_RANGE_MM`; :func:`~simcontract.plots.export.save` keeps it
    exactly) and ``title=`` (``False``: no title drawn, for a journal that puts it in
    the caption; ``fig.get_suptitle()`` still gives its text).
    """

    @functools.wraps(func)
    def wrapper(
        *args: Any,
        lang: str | None = None,
        width_mm: float | None = None,
        title: bool = True,
        **kwargs: Any,
    ) -> _R:
        from simcontract.plots.data import partial_text  # data imports this module

        with (
            i18n.use_language(lang) as code,
            mpl.rc_context({**STYLE, **language_rc(code)}),
            _asked_width(check_width(width_mm)),
        ):
            result = func(*args, **kwargs)
            if isinstance(result, Figure):
                text = result._suptitle  # matplotlib has no public getter of the Text
                note = partial_text(args[0]) if args else ""
                if note and text is not None:
                    text.set_text(text.get_text() + note)
                fit_ylabels(result)
                if title:
                    fit_suptitle(result)
                elif text is not None:
                    text.set_visible(False)
                    text.set_in_layout(False)
            return result

    return wrapper


def check_width(width_mm: Any) -> float | None:
    """A figure width asked for in millimetres, in inches (``None`` stays ``None``).

    Raises:
        ValueError: Not a number within :data:`WIDTH_RANGE_MM`.
    """
    if width_mm is None:
        return None
    low, high = WIDTH_RANGE_MM
    if (
        isinstance(width_mm, bool)
        or not isinstance(width_mm, numbers.Real)
        or not low <= width_mm <= high
    ):
        raise ValueError(
            i18n.text("errors.plots.width", width=repr(width_mm), low=fmt(low), high=fmt(high))
        )
    return float(width_mm) / MM_PER_INCH


@contextlib.contextmanager
def _asked_width(width: float | None) -> Iterator[None]:
    """While a figure is drawn: the width asked of it, in inches (``None``: its own)."""
    token = _WIDTH.set(width)
    try:
        yield
    finally:
        _WIDTH.reset(token)


def page_width() -> float:
    """Width of the figure being drawn when it spans its page, in inches: the width
    asked for (``width_mm=``), else :data:`PAGE_WIDTH`."""
    return _WIDTH.get() or PAGE_WIDTH


def saved_whole(fig: Figure) -> bool:
    """Whether ``fig`` is saved at its own size, not cropped to what it draws: a figure
    drawn at a width asked for."""
    return fig in _EXACT


MIN_LABEL_SIZE = 8.0
"""Smallest size of a panel's title, in points: that of the tick labels."""

MIN_TITLE_SIZE = 9.0
"""Smallest size of a figure's title, in points: that of the axis labels."""


def fit_suptitle(fig: Figure) -> None:
    """Make the figure's title fit its width, so saving never widens the figure (nor
    beyond :data:`PAGE_WIDTH`): a smaller size, down to :data:`MIN_TITLE_SIZE`, then
    lines."""
    title = fig._suptitle  # matplotlib has no public getter of the Text
    if title is None or not title.get_text():
        return
    room = 0.98 * fig.bbox.width
    width = title.get_window_extent().width
    if width <= room:
        return
    size = title.get_fontsize()
    title.set_fontsize(max(MIN_TITLE_SIZE, size * room / width))
    # Glyph widths come in whole pixels, so text does not narrow in proportion to its
    # size: measure again, and step down until the title fits.
    width = title.get_window_extent().width
    while width > room and title.get_fontsize() > MIN_TITLE_SIZE:
        title.set_fontsize(max(MIN_TITLE_SIZE, title.get_fontsize() - 0.25))
        width = title.get_window_extent().width
    if width > room:
        text = title.get_text()
        if display_width(text) == len(text):
            title.set_wrap(True)  # at its spaces, as drawn: the text stays one string
        else:  # Chinese breaks between words, which matplotlib's wrapping cannot tell
            columns = max(20, int(display_width(text) * room / width))
            while True:  # lines of equal columns can differ in width: narrow until it fits
                title.set_text("\n".join(wrap(text, columns)))
                if title.get_window_extent().width <= room or columns <= 20:
                    break
                columns -= 2


def figure(width: float, height: float, page: bool = True, *, least: float = 0.0) -> Figure:
    """A new figure of ``width`` (at most :data:`PAGE_WIDTH` when it is for a ``page``,
    not a screen or a slide) by ``height`` inches, laid out by matplotlib; of the width
    asked for instead, when one is (``width_mm=`` of a figure function), but never
    narrower than ``least`` inches (a figure that cannot be drawn narrower)."""
    asked = _WIDTH.get()
    if asked is not None:
        fig = Figure(figsize=(max(asked, least), height), layout="constrained")
        _EXACT.add(fig)
        return fig
    return Figure(figsize=(min(width, PAGE_WIDTH) if page else width, height), layout="constrained")


LEGEND_LINE = 0.17
"""Height of a line of a legend at 8 points, with its spacing, in inches."""


def legend_height(labels: Sequence[str], *, title: bool = False) -> float:
    """Height a figure of the width being drawn adds for its legend of ``labels`` (and
    a ``title``), in inches: below the data in a narrow figure (see
    :func:`outside_legend`), so its data keep their height whatever the number of
    groups; nothing in a wide one, where the legend stands beside the data."""
    if page_width() >= NARROW_WIDTH:
        return 0.0
    lines = sum(label.count("\n") + 1 for label in labels) + title
    return LEGEND_LINE * lines + 0.1


def outside_legend(ax: Axes, **kwargs: Any) -> Legend:
    """The legend of ``ax`` to the right of it, top-aligned, so it never covers data
    (the figure's layout makes room for it); below the figure's panels when the figure
    is narrower than :data:`NARROW_WIDTH` (a single journal column).

    ``kwargs`` go to ``Axes.legend`` (e.g. ``handles``, ``labels``, ``title``).
    """
    fig = ax.get_figure()
    if fig is not None and fig.get_figwidth() < NARROW_WIDTH:
        handles, labels = ax.get_legend_handles_labels()
        if "handles" in kwargs:
            handles = kwargs.pop("handles")
            labels = kwargs.pop("labels", None) or [h.get_label() for h in handles]
        return fig.legend(handles, labels, loc="outside lower center", **kwargs)
    return ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, **kwargs)


def break_list(text: str, columns: int) -> str:
    """``text`` in lines of about ``columns`` display columns (a Chinese character takes
    two), broken only after the list separator of the language in use (``", "``,
    ``"、"``): a design point's label in a legend beside narrow panels."""
    separator = i18n.text("punctuation.list", i18n.current())
    parts = text.split(separator)
    lines = [parts[0]]
    for part in parts[1:]:
        if display_width(lines[-1] + separator + part) <= columns:
            lines[-1] += separator + part
        else:
            lines[-1] += separator.rstrip()
            lines.append(part)
    return "\n".join(lines)


def fit_titles(fig: Figure, axes: Sequence[Axes]) -> None:
    """Break each title of ``axes`` wider than its panel into lines at the list
    separator of the language in use (``", "``, ``"、"``), set one still too wide
    smaller (down to the tick labels' size), and break one still too wide between its
    words, so neighbouring panels' titles never run into each other."""
    separator = i18n.text("punctuation.list", i18n.current())
    fig.draw_without_rendering()  # lays the figure out: panel widths as saved
    for ax in axes:
        title = ax.title
        room = ax.get_window_extent().width
        if title.get_window_extent().width <= room:
            continue
        parts = title.get_text().split(separator)
        lines = [parts[0]]
        for part in parts[1:]:
            title.set_text(lines[-1] + separator + part)
            if title.get_window_extent().width <= room:
                lines[-1] += separator + part
            else:
                lines[-1] += separator.rstrip()
                lines.append(part)
        title.set_text("\n".join(lines))
        # Glyph widths come in whole pixels: step down until the title fits.
        while title.get_window_extent().width > room and title.get_fontsize() > MIN_LABEL_SIZE:
            title.set_fontsize(max(MIN_LABEL_SIZE, title.get_fontsize() - 0.25))
        if title.get_window_extent().width > room:  # a name without a separator
            _wrap_label(title, title.get_text().split("\n"), room)


def fit_xlabels(fig: Figure, axes: Sequence[Axes]) -> None:
    """Break each x label of ``axes`` wider than its panel before its unit's bracket
    (``"Provider turnover\\n(share)"``), and a part still too wide between its words
    into lines of about equal width (narrow panels of a journal column), so
    neighbouring panels' labels never run into each other."""
    fig.draw_without_rendering()
    for ax in axes:
        label = ax.xaxis.label
        text = label.get_text()
        room = ax.get_window_extent().width
        if label.get_window_extent().width <= room:
            continue
        at = max(text.rfind(" ("), text.rfind("（"))
        parts = [text[:at], text[at:].lstrip()] if at > 0 else [text]
        label.set_text("\n".join(parts))
        if label.get_window_extent().width > room:
            _wrap_label(label, parts, room)


def fit_ylabels(fig: Figure) -> None:
    """Break each y label taller than its panel (or the figure's y label taller than
    its panels) as :func:`fit_xlabels` breaks x labels: a long label with its unit ran
    past the panel into the title."""
    shown = [ax for ax in fig.axes if ax.get_visible()]
    labelled = [ax for ax in shown if ax.yaxis.label.get_text() and ax.yaxis.label.get_visible()]
    sup = fig._supylabel  # matplotlib has no public getter of the Text
    if not labelled and (sup is None or not shown):
        return
    fig.draw_without_rendering()
    for ax in labelled:
        _fit_upright(ax.yaxis.label, ax.get_window_extent().height)
    if sup is not None and sup.get_text() and shown:
        boxes = [ax.get_window_extent() for ax in shown]
        _fit_upright(sup, max(b.y1 for b in boxes) - min(b.y0 for b in boxes))


def _fit_upright(label: Text, room: float) -> None:
    """An upright ``label`` in lines that keep it within ``room`` pixels of height."""
    text = label.get_text()
    if "\n" in text or label.get_window_extent().height <= room:
        return
    at = max(text.rfind(" ("), text.rfind("（"))
    parts = [text[:at], text[at:].lstrip()] if at > 0 else [text]
    label.set_text("\n".join(parts))
    if label.get_window_extent().height > room:
        _wrap_label(label, parts, room, lambda box: box.height)


def _wrap_label(
    label: Text, parts: Sequence[str], room: float, size: Callable[[Any], float] | None = None
) -> None:
    """``label`` made of ``parts``, each in lines, as few as make it fit ``room``
    (pixels: its width, or what ``size`` takes of its extent), of about equal length;
    an English word is never split."""

    def lines(columns: int) -> str:
        return "\n".join(line for part in parts for line in wrap(part, columns))

    def extent() -> float:
        box = label.get_window_extent()
        return box.width if size is None else size(box)

    least = max([len(w) for p in parts for w in p.split() if display_width(w) == len(w)] + [8])
    columns = max(display_width(part) for part in parts)
    while extent() > room and columns - 2 >= least:
        columns -= 2
        label.set_text(lines(columns))
    # Each part in the narrowest lines that keep its number of lines: "(share of\nstaff
    # hours)", not "(share of staff\nhours)".
    balanced = []
    for part in parts:
        count = len(wrap(part, columns))
        fewer = (c for c in range(least, columns) if len(wrap(part, c)) <= count)
        narrowest = next(fewer, columns)
        balanced += wrap(part, narrowest)
    label.set_text("\n".join(balanced))


def year_axis_label(start: int | None) -> str:
    """Label of a time axis: "Year" for calendar years (``start`` given), else "Model
    year"."""
    return figure_text("year" if start is not None else "model_year")


def calendar(years: Any, start: int | None) -> Any:
    """Model years as calendar years when ``start`` (the year of model year 1) is given."""
    return years if start is None else np.asarray(years) + (start - 1)


# --------------------------------------------------------------------------- labels
def figure_text(key: str, **values: Any) -> str:
    """A text of the figures (``figures.<key>`` in the catalogue) in the language in use."""
    return i18n.text(f"figures.{key}", i18n.current(), **values)


def pretty(name: str) -> str:
    """Display name of an outcome or parameter, e.g. ``"Provider turnover"``."""
    lang = i18n.current()
    if name in OUTCOMES:
        return i18n.outcome_label(name, lang)
    if name in PARAMETERS:
        return i18n.parameter_label(name, lang)
    form = _comparable_form(name)
    if form is not None:
        from simcontract.experiment.codebook import comparable_label

        return comparable_label(form, lang)
    return i18n.words(name)


def _comparable_form(name: str) -> Any:
    """The outcome whose comparable form ``name`` is (``None`` for another name)."""
    from simcontract.experiment.codebook import comparable_forms

    return comparable_forms().get(name)


def outcome_unit(name: str) -> str:
    """The unit of an outcome or of a comparable form in the language in use
    (``""`` for another name), e.g. ``"CNY per purchaser per year"``."""
    lang = i18n.current()
    if name in OUTCOMES:
        return i18n.unit(OUTCOMES[name].unit, lang)
    form = _comparable_form(name)
    if form is None:
        return ""
    from simcontract.experiment.codebook import comparable_unit

    return comparable_unit(form, lang)


def origin_name(origin: str) -> str:
    """Display name of an NGO origin (plural), e.g. ``"Grassroots groups"``."""
    return i18n.origin_name(origin, i18n.current())


def purchaser_name(kind: str) -> str:
    """Display name of a purchaser kind (plural), e.g. ``"Bureaux"``."""
    return i18n.purchaser_name(kind, i18n.current())


def in_text(name: str) -> str:
    """The display name for use inside a sentence (acronyms kept)."""
    text = pretty(name)
    if not text[:1].isascii() or text[:2].isupper():
        return text
    return text[0].lower() + text[1:]


def _with_unit(name: str, unit: str) -> str:
    if not unit or unit.lower() in name.lower():
        return name
    said = i18n.unit(unit, i18n.current())
    return name if said in name else figure_text("with_unit", name=name, unit=said)


def outcome_label(outcome: str) -> str:
    """Axis label of an outcome with its unit, e.g. ``"Provider turnover (share)"``.

    An outcome whose name holds its unit already (``"Paperwork share"``) says what it is
    a share of, from the catalogue's ``figures.outcome_units``.
    """
    key = f"figures.outcome_units.{outcome}"
    specific = i18n.text(key, i18n.current())
    if specific != key:
        return figure_text("with_unit", name=pretty(outcome), unit=specific)
    form = None if outcome in OUTCOMES else _comparable_form(outcome)
    # A form's label says "per purchaser per year"; its unit then is the outcome's own.
    unit = OUTCOMES[outcome].unit if outcome in OUTCOMES else getattr(form, "unit", "")
    return _with_unit(pretty(outcome), unit)


MONEY_UNITS = frozenset({"CNY", "CNY/year"})
"""Units of money: an axis of money reads in steps of the language (million CNY, 万元)."""

MONEY_STEPS: dict[str, tuple[tuple[str, float], ...]] = {
    "en": (("billion", 1e9), ("million", 1e6), ("thousand", 1e3)),
    "zh_CN": (("yi", 1e8), ("wan", 1e4)),
}
"""The steps in which each language counts money, largest first (Chinese counts in
万 and 亿, ten thousand and a hundred million)."""


def unit_of(name: str) -> str:
    """The declared unit of an outcome, a comparable form or a parameter (``""`` for
    another name)."""
    if name in OUTCOMES:
        return OUTCOMES[name].unit
    if name in PARAMETERS:
        return PARAMETERS[name].unit
    return getattr(_comparable_form(name), "unit", "")


def axis_label(name: str, *axes: Any, per_year: bool = False) -> str:
    """The label of the axes (``Axis`` objects) that show an outcome or parameter, with
    its unit. An axis of money reads in the largest step of the language that its values
    reach, the step in its unit ("Public spend (million CNY)" with ticks 0, 50, 100;
    "财政支出（万元）"), rather than in yuan under an exponent (``1e8``). Call it after
    the data are drawn: the step follows the axes' limits.

    Args:
        name: Outcome, comparable form or parameter.
        axes: The axes that show it (a shared axis once); none gives the plain label.
        per_year: The axes show a total's yearly values (a fan chart of public spend):
            the unit is per year ("million CNY per year").
    """
    step = money_step(name, *axes)
    if step is None and not per_year:
        return parameter_label(name) if name in PARAMETERS else outcome_label(name)
    lang = i18n.current()
    said = i18n.unit(unit_of(name), lang)
    if step is not None:
        word, size = step
        for axis in axes:
            axis.set_major_formatter(InSteps(size))
        said = figure_text(f"money_units.{word}", unit=said)
    if per_year:
        said = i18n.text("report.unit_per_year", lang, unit=said)
    return figure_text("with_unit", name=pretty(name), unit=said)


class InSteps(Formatter):
    """Tick labels of values counted in steps of ``size`` (``0.5`` for 500,000 in
    millions), with thousands separators, every tick with the decimals the finest needs
    (``0.0, 1.5, 3.0``, as Matplotlib writes them)."""

    def __init__(self, size: float) -> None:
        self.size = size

    def __call__(self, x: float, pos: int | None = None) -> str:
        return self.format_ticks([x])[0]

    def format_ticks(self, values: Any) -> list[str]:
        scaled = [float(v) / self.size for v in values]
        places = max((_decimals(v) for v in scaled), default=0)
        texts = [f"{v:,.{places}f}" for v in scaled]
        if mpl.rcParams["axes.unicode_minus"]:  # as Matplotlib's own tick labels
            texts = [t.replace("-", "\N{MINUS SIGN}") for t in texts]
        return texts


def _decimals(value: float, most: int = 6) -> int:
    """The fewest decimals that write ``value`` to within rounding error (at most
    ``most``)."""
    for places in range(most + 1):
        if abs(round(value, places) - value) <= 1e-9 * max(1.0, abs(value)):
            return places
    return most


def money_step(name: str, *axes: Any) -> tuple[str, float] | None:
    """The step in which :func:`axis_label` writes the axes of ``name`` (its word in the
    catalogue's ``figures.money_units`` and its size, ``("million", 1e6)``), or
    ``None`` when the name is not money or its values reach no step."""
    if unit_of(name) not in MONEY_UNITS or not axes:
        return None
    top = max(abs(float(v)) for axis in axes for v in axis.get_view_interval())
    steps = MONEY_STEPS.get(i18n.current(), MONEY_STEPS[i18n.DEFAULT_LANGUAGE])
    return next(((word, size) for word, size in steps if top >= size), None)


def parameter_label(name: str) -> str:
    """Axis label of a parameter with its unit, e.g. ``"Contract length (years)"``."""
    unit = PARAMETERS[name].unit if name in PARAMETERS else ""
    return _with_unit(pretty(name), unit)


def value_label(name: str, value: Any) -> str:
    """A parameter's value as a label: :func:`fmt`, or in a language other than English
    a choice in words (English keeps the code, as in scenario files); a term's 0 that
    stands for "never" reads "never (0)"."""
    lang = i18n.current()
    param = PARAMETERS.get(name)
    if param is not None and param.kind == "choice" and lang != i18n.DEFAULT_LANGUAGE:
        return i18n.choice_label(name, value, lang)
    if param is not None and param.never_at_zero and value == 0:
        return i18n.text("figures.never", lang, value=fmt(value))
    return fmt(value)


def typed(value: Any) -> str:
    """A value as typed on a command line or in a scenario file: ``3``, ``2000000``,
    ``0.25`` (no thousands separators: a comma separates the values of a grid)."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        return str(int(value))
    if isinstance(value, float | np.floating) and math.isfinite(value):
        if float(value).is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.3g}"
    return fmt(value)


SEPARATED = 1e4
"""Numbers from this size up are written with thousands separators, as money is."""


def fmt(value: Any) -> str:
    """A value as a short label: ``True``, ``3``, ``0.25``, ``1.23e-05``, and from
    :data:`SEPARATED` up the whole number with thousands separators (``21,269``,
    ``2,000,000``; it was ``2.13e+04``, ``2e+06``)."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return f"{int(value):,}" if abs(value) >= SEPARATED else str(int(value))
    if isinstance(value, float | np.floating):
        if not math.isfinite(value):
            return str(value)
        if 999.5 <= abs(value) < 1e15:  # three significant digits would need an exponent
            whole = round(value)
            return f"{whole:,}" if abs(whole) >= SEPARATED else str(whole)
        if float(value).is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.3g}"
    return str(value)
