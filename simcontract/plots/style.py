"""The house look of every figure: the palette, matplotlib settings and labels.

The seminar app's market view reads the same palette, so an origin, a purchaser kind
or a tie strength has one colour wherever it is drawn.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import matplotlib as mpl
import numpy as np
from cycler import cycler
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from simcontract.outcomes import OUTCOMES
from simcontract.params import PARAMETERS

# --------------------------------------------------------------------------- palette
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#E69F00",  # orange
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
"""Okabe-Ito colour-blind-safe palette, in the order groups receive colours."""

ORIGIN_COLOURS: dict[str, str] = {
    "general": OKABE_ITO[0],
    "specialist": OKABE_ITO[1],
    "community": OKABE_ITO[2],
    "grassroots": OKABE_ITO[3],
}
"""Colour of each NGO origin, in the order origins are listed."""

ORIGIN_NAMES: dict[str, str] = {
    "general": "Social-work agencies",
    "specialist": "Specialists (mass-org spin-offs)",
    "community": "Community associations",
    "grassroots": "Grassroots groups",
}
"""Display name of each NGO origin (plural)."""

PURCHASER_COLOURS: dict[str, str] = {"bureau": OKABE_ITO[7], "mass_org": OKABE_ITO[4]}
"""Colour of each purchaser kind (apart from the origins' colours)."""

PURCHASER_MARKERS: dict[str, str] = {"bureau": "s", "mass_org": "D"}
"""Marker of each purchaser kind: squares for bureaux, diamonds for mass organisations."""

PURCHASER_NAMES: dict[str, str] = {"bureau": "Bureaux", "mass_org": "Mass organisations"}
"""Display name of each purchaser kind (plural)."""

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

_P = ParamSpec("_P")
_R = TypeVar("_R")


def styled(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``func`` inside ``rc_context(STYLE)``."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with mpl.rc_context(STYLE):
            return func(*args, **kwargs)

    return wrapper


def figure(width: float, height: float) -> Figure:
    """A new figure of ``width`` by ``height`` inches, laid out by matplotlib."""
    return Figure(figsize=(width, height), layout="constrained")


# --------------------------------------------------------------------------- labels
_NAMES = {
    "ngo_survival": "NGO survival",
    "active_ngos": "Active NGOs",
    "ngo_entries": "NGO entries",
    "ngo_exits": "NGO exits",
    "hhi": "HHI of provider shares",
    "score_quality_corr": "Score–quality correlation",
    "years": "Run length",
    "n_cities": "Cities",
    "n_bureaux": "Bureaux",
    "n_mass_orgs": "Mass organisations",
    "n_evaluators": "Evaluators",
    "initial_ngos": "Initial NGOs",
    "contract_years": "Contract length",
}


def pretty(name: str) -> str:
    """Display name of an outcome or parameter, e.g. ``"Provider turnover"``."""
    if name in _NAMES:
        return _NAMES[name]
    words = ["NGOs" if w == "ngos" else "NGO" if w == "ngo" else w for w in name.split("_")]
    text = " ".join(words)
    return text[0].upper() + text[1:]


def origin_name(origin: str) -> str:
    """Display name of an NGO origin (plural), e.g. ``"Grassroots groups"``."""
    return ORIGIN_NAMES.get(origin, f"{pretty(origin)} NGOs")


def purchaser_name(kind: str) -> str:
    """Display name of a purchaser kind (plural), e.g. ``"Bureaux"``."""
    return PURCHASER_NAMES.get(kind, pretty(kind))


def in_text(name: str) -> str:
    """The display name for use inside a sentence (acronyms kept)."""
    text = pretty(name)
    return text if text[:2].isupper() else text[0].lower() + text[1:]


def _with_unit(name: str, unit: str) -> str:
    if not unit or unit.lower() in name.lower():
        return name
    return f"{name} ({unit})"


def outcome_label(outcome: str) -> str:
    """Axis label of an outcome with its unit, e.g. ``"Provider turnover (share)"``."""
    unit = OUTCOMES[outcome].unit if outcome in OUTCOMES else ""
    return _with_unit(pretty(outcome), unit)


def parameter_label(name: str) -> str:
    """Axis label of a parameter with its unit, e.g. ``"Contract length (years)"``."""
    unit = PARAMETERS[name].unit if name in PARAMETERS else ""
    return _with_unit(pretty(name), unit)


def fmt(value: Any) -> str:
    """A value as a short label: ``True``, ``3``, ``0.25``, ``1.23e+03``."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if not math.isfinite(value):
            return str(value)
        if float(value).is_integer() and abs(value) < 1e6:
            return str(int(value))
        return f"{value:.3g}"
    return str(value)
