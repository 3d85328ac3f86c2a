"""Standard figures of batch results, ready for publication.

Every figure function takes a results object (see :class:`simcontract.Results`) and
returns a :class:`matplotlib.figure.Figure`; nothing is shown and no global state
changes: the house style :data:`STYLE` applies only while a figure is drawn or saved,
and figures are made without pyplot, so any backend (or none) works.

Quick use::

    from simcontract import compare, plots
    res = compare(["baseline", "beijing_piecemeal"], replications=30, series=True)
    fig = plots.compare_outcomes(res)
    plots.save(fig, "figures/outcomes")            # figures/outcomes.png and .pdf
    plots.draw_all(res, "figures")                 # every figure the results support

What each figure reads from the results object (duck typing):

* ``runs``: one row per run with ``scenario``, ``point``, ``replication``, every
  parameter and every outcome (all figures but the network).
* ``series``: one row per run and year (:func:`fan_chart`).
* ``ngos``: rows of ``ContractingModel.ngo_table()`` with the run keys ``scenario``,
  ``point``, ``replication``, ``seed`` (:func:`survival_curves`,
  :func:`dependence_distribution`, :func:`contract_network`).
* ``contracts``: rows of ``ContractingModel.contract_table()`` with the same keys
  (:func:`contract_network`).
* ``design``: the sweep's design, if any (labels, :func:`heatmap` defaults);
  ``analyze()``: sensitivity indices (:func:`sensitivity`).

Design points are told apart by scenario name; when names repeat, by the parameters
that differ between points (for a sweep, the design's parameters). Each point keeps
the same colour in every figure.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import matplotlib as mpl
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from simcontract.experiment.designs import DesignError
from simcontract.outcomes import OUTCOMES
from simcontract.params import PARAMETERS

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
"""Colour of each NGO origin in the network figure."""

SEQUENTIAL_CMAP = "viridis"
"""Colour map of heatmaps (perceptually uniform and colour-blind-safe)."""

TIE_CMAP = "viridis_r"
"""Colour map of tie strength in the network figure (strong ties dark); its palest
tenth is left out so weak ties stay visible on white."""

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

MAX_LABELLED_POINTS = 20
"""Most design points :func:`draw_all` shows by name (comparison and fan figures)."""

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

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _styled(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``func`` inside ``rc_context(STYLE)``."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with mpl.rc_context(STYLE):
            return func(*args, **kwargs)

    return wrapper


# --------------------------------------------------------------------------- labels
def _pretty(name: str) -> str:
    if name in _NAMES:
        return _NAMES[name]
    words = ["NGOs" if w == "ngos" else "NGO" if w == "ngo" else w for w in name.split("_")]
    text = " ".join(words)
    return text[0].upper() + text[1:]


def _in_text(name: str) -> str:
    """The pretty name for use inside a sentence (acronyms kept)."""
    text = _pretty(name)
    return text if text[:2].isupper() else text[0].lower() + text[1:]


def _with_unit(name: str, unit: str) -> str:
    if not unit or unit.lower() in name.lower():
        return name
    return f"{name} ({unit})"


def outcome_label(outcome: str) -> str:
    """Axis label of an outcome with its unit, e.g. ``"Provider turnover (share)"``."""
    unit = OUTCOMES[outcome].unit if outcome in OUTCOMES else ""
    return _with_unit(_pretty(outcome), unit)


def parameter_label(name: str) -> str:
    """Axis label of a parameter with its unit, e.g. ``"Contract length (years)"``."""
    unit = PARAMETERS[name].unit if name in PARAMETERS else ""
    return _with_unit(_pretty(name), unit)


def _fmt(value: Any) -> str:
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


# --------------------------------------------------------------------------- data access
def _frame(data: Any, what: str) -> pd.DataFrame:
    if data is None:
        raise ValueError(f"these results hold no {what}")
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(list(data))
    if frame.empty:
        raise ValueError(f"these results hold no {what}")
    return frame


def _runs(results: Any) -> pd.DataFrame:
    if isinstance(results, pd.DataFrame):
        return results
    return _frame(getattr(results, "runs", None), "runs")


def _table(results: Any, name: str) -> pd.DataFrame:
    """The ``series``, ``ngos`` or ``contracts`` table of ``results``, checked."""
    return _frame(getattr(results, name, None), name)


def _has(results: Any, name: str) -> bool:
    try:
        _table(results, name)
    except (ValueError, AttributeError):
        return False
    return True


def _check_outcome(outcome: str, frame: pd.DataFrame) -> None:
    if outcome not in frame.columns:
        known = ", ".join(OUTCOMES)
        raise ValueError(f"unknown outcome {outcome!r}; outcomes are {known}")


def _default_outcomes() -> tuple[str, ...]:
    from simcontract.experiment import KEY_OUTCOMES

    return KEY_OUTCOMES


@dataclass(frozen=True)
class _Group:
    """One design point as drawn: its number, label and colour."""

    point: int
    label: str
    colour: str


def _varying(first: pd.DataFrame) -> list[str]:
    """Parameters whose value differs between design points."""
    out = []
    for name in PARAMETERS:
        if name in first.columns and first[name].astype(str).nunique() > 1:
            out.append(name)
    return out


def _groups(results: Any, frame: pd.DataFrame | None = None) -> list[_Group]:
    """Design points in order, each with a distinct label and a stable colour."""
    if frame is None:
        try:
            frame = _runs(results)
        except (ValueError, AttributeError):
            frame = _table(results, "series")
    first = frame.groupby("point", sort=True).first()
    names = first["scenario"].astype(str) if "scenario" in first else first.index.astype(str)
    design = getattr(results, "design", None)
    if design is not None and names.nunique() == 1 and len(first) > 1:
        params = [p for p in design.parameters if p in first.columns]
        labels = [
            ", ".join(f"{p}={_fmt(row[p])}" for p in params) or names[point]
            for point, row in first.iterrows()
        ]
    elif names.nunique() == len(first):
        labels = list(names)
    else:
        params = _varying(first)[:3]
        labels = []
        for point, row in first.iterrows():
            detail = ", ".join(f"{p}={_fmt(row[p])}" for p in params)
            labels.append(f"{names[point]} ({detail})" if detail else str(names[point]))
    if len(set(labels)) < len(labels):
        labels = [f"{label} #{point}" for label, point in zip(labels, first.index, strict=True)]
    return [
        _Group(int(point), label, OKABE_ITO[i % len(OKABE_ITO)])
        for i, (point, label) in enumerate(zip(first.index, labels, strict=True))
    ]


def _mean_ci(values: Any, level: float) -> tuple[int, float, float, float]:
    """Count, mean and Student's t interval of the mean, NaN values left out."""
    from scipy import stats

    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    n = len(v)
    if n == 0:
        return 0, math.nan, math.nan, math.nan
    mean = float(v.mean())
    if n < 2:
        return n, mean, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * v.std(ddof=1) / math.sqrt(n))
    return n, mean, mean - half, mean + half


def _err(mean: float, low: float, high: float) -> list[list[float]]:
    """Asymmetric error-bar lengths; zero where the interval is undefined."""
    below = mean - low if math.isfinite(low) else 0.0
    above = high - mean if math.isfinite(high) else 0.0
    return [[below], [above]]


def _replications(frame: pd.DataFrame) -> str:
    if "point" in frame and "replication" in frame:
        counts = frame.groupby("point")["replication"].nunique()
    else:
        counts = pd.Series([len(frame)])
    lo, hi = int(counts.min()), int(counts.max())
    n = str(lo) if lo == hi else f"{lo}–{hi}"
    return f"{n} replication" + ("" if hi == 1 else "s")


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


# --------------------------------------------------------------------------- 1 outcomes
@_styled
def compare_outcomes(
    results: Any, outcomes: Sequence[str] | None = None, *, level: float = 0.95, ncols: int = 3
) -> Figure:
    """Mean and confidence interval of outcomes at each scenario or design point.

    One panel per outcome; in each, one point with an error bar per scenario.

    Args:
        results: Results with ``runs``.
        outcomes: Outcome names (default: the key outcomes).
        level: Confidence level of Student's t interval over replications.
        ncols: Panels per row.

    Returns:
        The figure.
    """
    runs = _runs(results)
    if isinstance(outcomes, str):
        outcomes = [outcomes]
    outcomes = list(outcomes) if outcomes is not None else list(_default_outcomes())
    for name in outcomes:
        _check_outcome(name, runs)
    groups = _groups(results, runs)
    ncols = max(1, min(ncols, len(outcomes)))
    nrows = math.ceil(len(outcomes) / ncols)
    longest = max(len(g.label) for g in groups)
    width = 2.4 * ncols + min(6.0, 0.07 * longest) + 0.4
    height = nrows * (0.9 + 0.28 * len(groups)) + 0.5
    fig = _figure(width, height)
    axes = fig.subplots(nrows, ncols, sharey=True, squeeze=False)
    ypos = {g.point: len(groups) - 1 - i for i, g in enumerate(groups)}
    for ax, name in zip(axes.flat, outcomes, strict=False):
        for g in groups:
            _, mean, low, high = _mean_ci(runs.loc[runs["point"] == g.point, name], level)
            ax.errorbar(
                [mean],
                [ypos[g.point]],
                xerr=_err(mean, low, high),
                fmt="o",
                color=g.colour,
                label=g.label,
            )
        ax.set_xlabel(outcome_label(name))
        ax.grid(axis="y", visible=False)
        ax.set_ylim(-0.6, len(groups) - 0.4)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    for ax in axes.flat[len(outcomes) :]:
        ax.set_visible(False)
    bottom_up = groups[::-1]
    axes[0, 0].set_yticks([ypos[g.point] for g in bottom_up], [g.label for g in bottom_up])
    fig.suptitle(f"Outcomes: mean and {level:.0%} CI over {_replications(runs)}")
    return fig


# --------------------------------------------------------------------------- 2 fan chart
@_styled
def fan_chart(
    results: Any,
    outcome: str,
    *,
    band: float = 0.9,
    layout: str = "auto",
) -> Figure:
    """Yearly median and central band of an outcome across replications, by scenario.

    Args:
        results: Results with ``series`` (and ``runs`` for labels).
        outcome: Outcome name.
        band: Share of replications inside the shaded band (0.9: 5th to 95th percentile).
        layout: ``"overlay"`` (one panel), ``"panels"`` (one panel per scenario) or
            ``"auto"`` (overlay up to four scenarios).

    Returns:
        The figure.

    Raises:
        ValueError: The results hold no series (run with ``series=True``).
    """
    series = _table(results, "series")
    _check_outcome(outcome, series)
    if not 0 < band < 1:
        raise ValueError(f"band must be between 0 and 1, got {band!r}")
    if layout not in ("auto", "overlay", "panels"):
        raise ValueError(f"layout must be 'auto', 'overlay' or 'panels', got {layout!r}")
    groups = _groups(results)
    groups = [g for g in groups if (series["point"] == g.point).any()]
    if layout == "auto":
        layout = "overlay" if len(groups) <= 4 else "panels"
    lo_q, hi_q = (1 - band) / 2, 1 - (1 - band) / 2
    stats = (
        series.groupby(["point", "year"])[outcome]
        .quantile([lo_q, 0.5, hi_q])
        .unstack()
        .rename(columns={lo_q: "low", 0.5: "median", hi_q: "high"})
    )
    if layout == "overlay":
        fig = _figure(5.2, 3.4)
        axes = [fig.add_subplot()] * len(groups)
    else:
        ncols = min(3, len(groups))
        nrows = math.ceil(len(groups) / ncols)
        fig = _figure(2.6 * ncols + 0.4, 2.1 * nrows + 0.5)
        grid = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
        axes = list(grid.flat)
        for ax in axes[len(groups) :]:
            ax.set_visible(False)
    for ax, g in zip(axes, groups, strict=False):
        s = stats.loc[g.point]
        years = s.index.to_numpy()
        ax.fill_between(years, s["low"], s["high"], color=g.colour, alpha=0.2, linewidth=0)
        ax.plot(years, s["median"], color=g.colour, label=g.label)
        if layout == "panels":
            ax.set_title(g.label)
    shown = list(dict.fromkeys(axes[: len(groups)]))
    for ax in shown:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if layout == "overlay":
        ax = shown[0]
        ax.set_xlabel("Year")
        ax.set_ylabel(outcome_label(outcome))
        if len(groups) > 1:
            ax.legend(loc="best")
    else:
        fig.supxlabel("Year", fontsize=STYLE["axes.labelsize"])
        fig.supylabel(outcome_label(outcome), fontsize=STYLE["axes.labelsize"])
    fig.suptitle(f"{_pretty(outcome)}: median and {band:.0%} band over {_replications(series)}")
    return fig


# --------------------------------------------------------------------------- 3 survival
def kaplan_meier(
    durations: Iterable[float], observed: Iterable[bool], level: float = 0.95
) -> pd.DataFrame:
    """Kaplan-Meier estimate of a survival function with Greenwood log-log intervals.

    Args:
        durations: Time to the event, or to censoring when the event was not observed.
        observed: Whether each duration ended in the event (``False``: censored).
        level: Confidence level of the pointwise intervals.

    Returns:
        One row per distinct event time, with columns ``time``, ``at_risk``,
        ``events``, ``survival`` (just after ``time``), ``low`` and ``high``.
    """
    from scipy import stats

    d = np.asarray(list(durations), dtype=float)
    e = np.asarray(list(observed), dtype=bool)
    if d.shape != e.shape:
        raise ValueError("durations and observed must have the same length")
    times = np.unique(d[e])
    ordered = np.sort(d)
    at_risk = len(d) - np.searchsorted(ordered, times, side="left")
    events = np.array([np.count_nonzero(e & (d == t)) for t in times], dtype=int)
    survival = np.cumprod(1.0 - events / at_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(events / (at_risk * (at_risk - events)))
        z = stats.norm.ppf(0.5 + level / 2)
        se = np.sqrt(greenwood) / np.abs(np.log(survival))
        low = survival ** np.exp(z * se)
        high = survival ** np.exp(-z * se)
    dead = survival <= 0
    low[dead], high[dead] = 0.0, 0.0
    return pd.DataFrame(
        {
            "time": times,
            "at_risk": at_risk.astype(int),
            "events": events,
            "survival": survival,
            "low": np.nan_to_num(low, nan=0.0),
            "high": np.nan_to_num(high, nan=1.0),
        }
    )


def _run_years(results: Any) -> pd.DataFrame:
    """Run length of every run: columns ``point``, ``replication``, ``years``."""
    keys = ["point", "replication"]
    try:
        runs = _runs(results)
        if "years" in runs:
            return runs[[*keys, "years"]].drop_duplicates(keys)
    except (ValueError, AttributeError):
        pass
    if _has(results, "series"):
        series = _table(results, "series")
        return series.groupby(keys, as_index=False)["year"].max().rename(columns={"year": "years"})
    raise ValueError("cannot tell the runs' length: no 'years' in runs and no series")


def ngo_lifetimes(results: Any) -> pd.DataFrame:
    """Every NGO's lifetime in years, censored when still active at the run's end.

    The lifetime is ``exit_year - entry_year`` for NGOs that exited, and the run
    length minus ``entry_year`` for NGOs still active (censored).

    Args:
        results: Results with ``ngos`` (and ``runs`` with a ``years`` column).

    Returns:
        The ``ngos`` rows with columns ``years`` (run length), ``lifetime`` and
        ``observed`` (whether the NGO exited) added.
    """
    ngos = _table(results, "ngos")
    years = _run_years(results)
    out = ngos.merge(years, on=["point", "replication"], how="left", validate="many_to_one")
    if out["years"].isna().any():
        raise ValueError("some NGO rows belong to runs missing from the results")
    exit_year = pd.to_numeric(out["exit_year"], errors="coerce")
    entry = pd.to_numeric(out["entry_year"], errors="coerce")
    out["observed"] = exit_year.notna()
    out["lifetime"] = np.where(out["observed"], exit_year - entry, out["years"] - entry)
    return out


@_styled
def survival_curves(results: Any, *, level: float = 0.95) -> Figure:
    """Kaplan-Meier survival of NGO lifetimes by scenario, with pointwise CIs.

    NGOs of all replications of a scenario are pooled; those still active at the end
    of their run are censored there.

    Args:
        results: Results with ``ngos`` and ``runs``.
        level: Confidence level of the Greenwood (log-log) band.

    Returns:
        The figure.
    """
    lives = ngo_lifetimes(results)
    groups = [g for g in _groups(results) if (lives["point"] == g.point).any()]
    fig = _figure(5.2, 3.4)
    ax = fig.add_subplot()
    horizon = 0.0
    for g in groups:
        rows = lives[lives["point"] == g.point]
        km = kaplan_meier(rows["lifetime"], rows["observed"], level)
        end = float(rows["lifetime"].max())
        horizon = max(horizon, end)
        t = np.concatenate([[0.0], km["time"], [end]])
        s = np.concatenate([[1.0], km["survival"], [km["survival"].iloc[-1] if len(km) else 1.0]])
        lo = np.concatenate([[1.0], km["low"], [km["low"].iloc[-1] if len(km) else 1.0]])
        hi = np.concatenate([[1.0], km["high"], [km["high"].iloc[-1] if len(km) else 1.0]])
        ax.fill_between(t, lo, hi, step="post", color=g.colour, alpha=0.18, linewidth=0)
        ax.plot(t, s, drawstyle="steps-post", color=g.colour, label=f"{g.label} (n = {len(rows)})")
    ax.set_xlim(0, max(horizon, 1.0))
    ax.set_ylim(0, 1.02)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Years since registration")
    ax.set_ylabel("NGOs still active (share)")
    ax.legend(loc="lower left", title="NGOs of all replications")
    fig.suptitle(f"NGO survival: Kaplan–Meier estimate with {level:.0%} CI")
    return fig


# --------------------------------------------------------------------------- 4 dependence
def _threshold(results: Any) -> float | None:
    try:
        runs = _runs(results)
    except (ValueError, AttributeError):
        return None
    if "dependence_threshold" not in runs:
        return None
    values = runs["dependence_threshold"].dropna().unique()
    return float(values[0]) if len(values) == 1 else None


@_styled
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
    ngos = _table(results, "ngos")
    if "active" in ngos:
        active = ngos[ngos["active"].astype(bool)]
    else:
        active = ngos[pd.to_numeric(ngos["exit_year"], errors="coerce").isna()]
    groups = _groups(results)
    fig = _figure(7.6, 3.3)
    hist_ax, ecdf_ax = fig.subplots(1, 2)
    edges = np.linspace(0.0, 1.0, bins + 1)
    step = edges[1] - edges[0]
    width = 0.9 * step / max(len(groups), 1)
    for k, g in enumerate(groups):
        values = active.loc[active["point"] == g.point, "dependence"].astype(float).to_numpy()
        values = np.clip(values[~np.isnan(values)], 0.0, 1.0)
        label = f"{g.label} (n = {len(values)})"
        counts, _ = np.histogram(values, bins=edges)
        shares = counts / len(values) if len(values) else np.zeros(bins)
        left = edges[:-1] + 0.05 * step + k * width
        hist_ax.bar(left, shares, width=width, align="edge", color=g.colour, label=label)
        if len(values):
            ecdf_ax.ecdf(values, color=g.colour, label=label)
        else:
            ecdf_ax.plot([], [], color=g.colour, label=label)
    threshold = _threshold(results)
    xlabel = "Dependence (government share of revenue)"
    for ax in (hist_ax, ecdf_ax):
        if threshold is not None:
            ax.axvline(
                threshold,
                color="0.3",
                linestyle="--",
                linewidth=1.0,
                label=f"dependence threshold ({_fmt(threshold)})",
            )
        ax.set_xlim(0, 1)
        ax.set_xlabel(xlabel)
    hist_ax.set_ylabel("Active NGOs (share)")
    hist_ax.grid(axis="x", visible=False)
    hist_ax.set_title("(a) Distribution", loc="left")
    ecdf_ax.set_ylabel("Cumulative share of active NGOs")
    ecdf_ax.set_ylim(0, 1.02)
    ecdf_ax.set_title("(b) Cumulative distribution", loc="left")
    ecdf_ax.legend(loc="upper left")
    fig.suptitle("Dependence of NGOs active at the end of the run (all replications)")
    return fig


# --------------------------------------------------------------------------- 5 turnover
@_styled
def turnover_vs_contract_length(
    results: Any,
    by: str | None = None,
    *,
    outcome: str = "provider_turnover",
    level: float = 0.95,
) -> Figure:
    """Provider turnover (or another outcome) against contract length.

    Runs are grouped by ``by`` and by their ``contract_years``; each group shows the
    mean over its runs with a Student's t interval. ``contract_years`` is the
    scenario's value at the start of the run.

    Args:
        results: Results with ``runs``.
        by: ``"scenario"`` (one group per design point), ``"all"`` (one group of all
            runs) or a parameter column such as ``"tendering"``. Default:
            ``"tendering"`` when it varies; else ``"scenario"`` for a comparison; for
            a sweep, the one other parameter a grid varies, or else ``"all"``.
        outcome: Outcome on the vertical axis.
        level: Confidence level.

    Returns:
        The figure.
    """
    runs = _runs(results)
    _check_outcome(outcome, runs)
    if "contract_years" not in runs:
        raise ValueError("runs hold no 'contract_years' column")
    if by is None:
        by = _default_by(results, runs)
    if by == "all":
        keyed = [("all runs", OKABE_ITO[0], pd.Series(True, index=runs.index))]
        title = None
    elif by == "scenario":
        groups = _groups(results, runs)
        keyed = [(g.label, g.colour, runs["point"] == g.point) for g in groups]
        title = "Scenario"
    else:
        if by not in runs:
            raise ValueError(f"runs hold no column {by!r} to group by")
        values = list(pd.unique(runs[by]))
        param = PARAMETERS.get(by)
        if param is not None and param.kind == "choice":
            values.sort(key=lambda v: param.choices.index(v) if v in param.choices else 99)
        else:
            values.sort()
        keyed = [
            (_fmt(v), OKABE_ITO[i % len(OKABE_ITO)], runs[by] == v) for i, v in enumerate(values)
        ]
        title = _pretty(by)
    fig = _figure(5.0, 3.4)
    ax = fig.add_subplot()
    width = 0.09
    for k, (label, colour, mask) in enumerate(keyed):
        rows = runs[mask]
        lengths = sorted(rows["contract_years"].unique())
        stats = [_mean_ci(rows.loc[rows["contract_years"] == c, outcome], level) for c in lengths]
        x = np.asarray(lengths, dtype=float) + (k - (len(keyed) - 1) / 2) * width
        means = np.array([s[1] for s in stats])
        err = np.array([_err(s[1], s[2], s[3]) for s in stats]).reshape(len(stats), 2).T
        ax.errorbar(x, means, yerr=err, fmt="-o", color=colour, label=label)
    lengths = sorted(runs["contract_years"].unique())
    ax.set_xticks(lengths, [_fmt(v) for v in lengths])
    ax.set_xlabel(parameter_label("contract_years"))
    ax.set_ylabel(outcome_label(outcome))
    if len(keyed) > 1:
        ax.legend(title=title, loc="best")
    fig.suptitle(f"{_pretty(outcome)} by contract length: mean and {level:.0%} CI over runs")
    return fig


def _default_by(results: Any, runs: pd.DataFrame) -> str:
    if "tendering" in runs and runs["tendering"].nunique() > 1:
        return "tendering"
    design = getattr(results, "design", None)
    if design is None:
        return "scenario"
    others = [p for p in design.parameters if p != "contract_years" and p in runs]
    grid = getattr(design, "kind", "") == "grid"
    if grid and len(others) == 1 and runs[others[0]].nunique() <= len(OKABE_ITO):
        return others[0]
    return "all"


# --------------------------------------------------------------------------- 6 heatmap
def _levels(
    values: pd.Series,
    name: str,
    bins: int,
    max_levels: int,
    bounds: tuple[float, float] | None = None,
) -> tuple[pd.Series, list[str]]:
    """Map values to level indices; numbers with many distinct values are binned
    (over ``bounds`` when given, else over the values' range)."""
    param = PARAMETERS.get(name)
    unique = list(pd.unique(values.dropna()))
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if not numeric or len(unique) <= max_levels:
        if param is not None and param.kind == "choice":
            unique.sort(key=lambda v: param.choices.index(v) if v in param.choices else 99)
        else:
            unique.sort()
        index = {v: i for i, v in enumerate(unique)}
        return values.map(index), [_fmt(v) for v in unique]
    lo, hi = bounds if bounds is not None else (float(values.min()), float(values.max()))
    lo, hi = min(lo, float(values.min())), max(hi, float(values.max()))
    edges = MaxNLocator(nbins=bins, steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi)
    edges = edges[(edges > lo) & (edges < hi)]
    edges = np.concatenate([[lo], edges, [hi]]) if len(edges) else np.linspace(lo, hi, bins + 1)
    n = len(edges) - 1
    codes = np.clip(
        np.searchsorted(edges, values.to_numpy(dtype=float), side="right") - 1, 0, n - 1
    )
    labels = [f"{_fmt(a)}–{_fmt(b)}" for a, b in itertools.pairwise(edges)]
    return pd.Series(codes, index=values.index), labels


@_styled
def heatmap(
    results: Any,
    outcome: str,
    x: str | None = None,
    y: str | None = None,
    *,
    bins: int = 6,
    max_levels: int = 12,
    annotate: bool | None = None,
) -> Figure:
    """Mean of an outcome over two parameters of a sweep.

    Runs are averaged per cell (over replications and any other parameter the sweep
    varies). Parameters with more than ``max_levels`` distinct values (sampled
    designs) are cut into about ``bins`` bins at round numbers, labelled by their
    ranges. Grey cells hold no run.

    Args:
        results: Results with ``runs`` (and ``design`` for the defaults).
        outcome: Outcome name.
        x: Parameter on the horizontal axis (default: the design's first).
        y: Parameter on the vertical axis (default: the design's second).
        bins: Target number of bins per binned parameter.
        max_levels: Most distinct values shown without binning.
        annotate: Write the mean in each cell (default: when there are at most 64).

    Returns:
        The figure.
    """
    runs = _runs(results)
    _check_outcome(outcome, runs)
    design = getattr(results, "design", None)
    params = list(design.parameters) if design is not None else []
    if x is None or y is None:
        rest = [p for p in params if p not in (x, y)]
        if x is None and rest:
            x = rest.pop(0)
        if y is None and rest:
            y = rest.pop(0)
    if x is None or y is None:
        raise ValueError("give the parameters x and y (the results' design varies fewer than two)")
    for name in (x, y):
        if name not in runs:
            raise ValueError(f"runs hold no column {name!r}")
    ranges = getattr(design, "ranges", None) or {}
    xi, xlabels = _levels(runs[x], x, bins, max_levels, ranges.get(x))
    yi, ylabels = _levels(runs[y], y, bins, max_levels, ranges.get(y))
    cells = pd.DataFrame({"x": xi, "y": yi, "v": runs[outcome].astype(float)})
    means = cells.groupby(["y", "x"])["v"].mean()
    sizes = cells.groupby(["y", "x"]).size()
    grid = np.full((len(ylabels), len(xlabels)), np.nan)
    for (row, col), value in means.items():
        grid[int(row), int(col)] = value
    fig = _figure(1.6 + 0.55 * max(4, len(xlabels)), 1.4 + 0.4 * max(4, len(ylabels)))
    ax = fig.add_subplot()
    cmap = mpl.colormaps[SEQUENTIAL_CMAP].with_extremes(bad="#eeeeee")
    image = ax.imshow(
        np.ma.masked_invalid(grid), origin="lower", aspect="auto", cmap=cmap, interpolation="none"
    )
    ax.set_xticks(range(len(xlabels)), xlabels)
    ax.set_yticks(range(len(ylabels)), ylabels)
    ax.grid(False)
    binned = " (binned)"
    ax.set_xlabel(parameter_label(x) + (binned if len(xlabels) < runs[x].nunique() else ""))
    ax.set_ylabel(parameter_label(y) + (binned if len(ylabels) < runs[y].nunique() else ""))
    if len(xlabels) > 6 or max(len(t) for t in xlabels) > 6:
        ax.tick_params(axis="x", labelrotation=30)
        for tick in ax.get_xticklabels():
            tick.set_horizontalalignment("right")
    bar = fig.colorbar(image, ax=ax)
    bar.set_label(outcome_label(outcome))
    if annotate is None:
        annotate = grid.size <= 64
    if annotate:
        finite = grid[np.isfinite(grid)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        middle = (lo + hi) / 2
        for (row, col), value in np.ndenumerate(grid):
            if np.isfinite(value):
                ax.text(
                    col,
                    row,
                    f"{value:.3g}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if value < middle else "black",
                )
    lo_n, hi_n = int(sizes.min()), int(sizes.max())
    per = str(lo_n) if lo_n == hi_n else f"{lo_n}–{hi_n}"
    fig.suptitle(f"Mean {_in_text(outcome)} per cell ({per} run{'s' if hi_n > 1 else ''} each)")
    return fig


# --------------------------------------------------------------------------- 7 sensitivity
@_styled
def sensitivity(results_or_indices: Any, outcome: str, *, level: float = 0.95) -> Figure:
    """Sensitivity indices of one outcome: Sobol S1 and ST bars, or Morris mu*/sigma.

    Args:
        results_or_indices: Results of a Sobol or Morris sweep (``analyze()`` is
            called), or the table ``analyze()`` returns.
        outcome: Outcome name.
        level: Confidence level passed to ``analyze()``.

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
        return _sobol(table, outcome)
    if {"mu_star", "sigma"} <= kinds:
        return _morris(table, outcome)
    raise ValueError(f"no Sobol (S1, ST) or Morris (mu_star, sigma) indices for {outcome!r}")


def _sobol(table: pd.DataFrame, outcome: str) -> Figure:
    s1 = table[table["index"] == "S1"].set_index("parameter")
    st = table[table["index"] == "ST"].set_index("parameter")
    order = st["value"].fillna(-np.inf).sort_values(ascending=True).index.tolist()
    fig = _figure(5.0, 1.3 + 0.45 * len(order))
    ax = fig.add_subplot()
    y = np.arange(len(order))
    h = 0.38
    for offset, frame, label, colour in (
        (h / 2, s1, "first order (S1)", OKABE_ITO[0]),
        (-h / 2, st, "total (ST)", OKABE_ITO[1]),
    ):
        values = frame.loc[order, "value"].to_numpy(dtype=float)
        conf = np.nan_to_num(frame.loc[order, "conf"].to_numpy(dtype=float), nan=0.0)
        ax.barh(
            y + offset,
            np.nan_to_num(values),
            height=h,
            xerr=conf,
            color=colour,
            label=label,
            error_kw={"ecolor": "0.2", "elinewidth": 1.0, "capsize": 2},
        )
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.set_yticks(y, [_pretty(p) for p in order])
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("Sobol index (share of output variance)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.suptitle(f"Sensitivity of {_in_text(outcome)}: Sobol indices with CIs")
    return fig


def _morris(table: pd.DataFrame, outcome: str) -> Figure:
    mu = table[table["index"] == "mu_star"].set_index("parameter")
    sigma = table[table["index"] == "sigma"].set_index("parameter")
    names = mu.index.tolist()
    fig = _figure(5.0, 3.8)
    ax = fig.add_subplot()
    for i, name in enumerate(names):
        m = float(mu.loc[name, "value"])
        s = float(sigma.loc[name, "value"])
        conf = float(mu.loc[name, "conf"])
        ax.errorbar(
            [m],
            [s],
            xerr=[0.0 if math.isnan(conf) else conf],
            fmt="o",
            color=OKABE_ITO[i % len(OKABE_ITO)],
            label=_pretty(name),
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
    unit = OUTCOMES[outcome].unit if outcome in OUTCOMES else ""
    per = f" ({unit} per unit of parameter)" if unit else ""
    ax.set_xlabel("μ*: mean absolute elementary effect" + per)
    ax.set_ylabel("σ: sd of elementary effects" + per)
    handles = [*ax.containers, diagonal]
    labels = [*(_pretty(n) for n in names), "σ = μ*"]
    ax.legend(handles, labels, loc="upper left", fontsize=7)
    fig.suptitle(f"Sensitivity of {_in_text(outcome)}: Morris screening")
    return fig


# --------------------------------------------------------------------------- 8 network
_KIND_ORDER = ("bureau", "mass_org")
_KIND_NAMES = {"bureau": "Bureaux", "mass_org": "Mass organisations"}
_KIND_MARKERS = {"bureau": "s", "mass_org": "D"}


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


def _network_data(
    source: Any, run: int | tuple[int, int] | None
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    if callable(getattr(source, "contract_table", None)) and callable(
        getattr(source, "ngo_table", None)
    ):
        contracts = source.contract_table()
        ngos = source.ngo_table()
        name = getattr(getattr(source, "scenario", None), "name", "model")
        return contracts, ngos, f"{name}, end of year {getattr(source, 'year', '?')}"
    runs = _runs(source)
    ordered = runs.sort_values(["point", "replication"]).reset_index(drop=True)
    if run is None:
        row = ordered.iloc[0]
    elif isinstance(run, tuple):
        point, rep = run
        match = ordered[(ordered["point"] == point) & (ordered["replication"] == rep)]
        if match.empty:
            raise ValueError(f"no run with point {point} and replication {rep}")
        row = match.iloc[0]
    else:
        if not -len(ordered) <= run < len(ordered):
            raise ValueError(f"run {run} out of range: the results hold {len(ordered)} runs")
        row = ordered.iloc[run]
    point, rep = int(row["point"]), int(row["replication"])
    contracts = _table(source, "contracts")
    ngos = _table(source, "ngos")
    contracts = contracts[(contracts["point"] == point) & (contracts["replication"] == rep)]
    ngos = ngos[(ngos["point"] == point) & (ngos["replication"] == rep)]
    label = next(g.label for g in _groups(source, runs) if g.point == point)
    years = f", end of year {_fmt(row['years'])}" if "years" in row else ""
    return contracts, ngos, f"{label}, replication {rep}{years}"


@_styled
def contract_network(
    source: Any, run: int | tuple[int, int] | None = None, *, city: int | None = 0
) -> Figure:
    """Snapshot of the contracts in force at the end of a run, as a bipartite network.

    Purchasers (left, grouped by kind) and active NGOs (right, grouped by origin) are
    nodes; each purchaser-NGO pair with contracts is an edge coloured by the tie
    strength between the purchaser's official and the NGO's head (the mark on the
    colour bar is the tie threshold of ``tied_award_share``) and thicker with more
    contracts. Hollow NGOs hold no contract. Only purchasers holding contracts appear.

    Args:
        source: A ``ContractingModel`` that has run, or results with ``contracts``,
            ``ngos`` and ``runs``.
        run: For results: ``(point, replication)``, or an index into the runs ordered
            by point and replication; default the first run.
        city: City to show (``None``: all cities).

    Returns:
        The figure.
    """
    from simcontract.tendering import TIE_THRESHOLD

    contracts, ngos, where = _network_data(source, run)
    if city is not None:
        if not contracts.empty:
            contracts = contracts[contracts["city"] == city]
        ngos = ngos[ngos["city"] == city]
        where += f", city {city}"
    active = ngos[ngos["active"].astype(bool)] if "active" in ngos else ngos
    edges = (
        contracts.groupby(["purchaser", "ngo"], as_index=False).agg(
            tie=("tie", "max"), count=("tie", "size"), kind=("purchaser_kind", "first")
        )
        if not contracts.empty
        else pd.DataFrame(columns=["purchaser", "ngo", "tie", "count", "kind"])
    )
    kinds = edges.drop_duplicates("purchaser").set_index("purchaser")["kind"]
    kind_order = _order(kinds, _KIND_ORDER)
    left_blocks = [sorted(kinds.index[kinds == k]) for k in kind_order]
    held = edges.groupby("ngo")["count"].sum()
    nodes = active[["ngo", "origin"]].drop_duplicates("ngo")
    extra = sorted(set(edges["ngo"]) - set(nodes["ngo"]))
    if extra:
        origin_of = ngos.drop_duplicates("ngo").set_index("ngo")["origin"]
        nodes = pd.concat(
            [nodes, pd.DataFrame({"ngo": extra, "origin": [origin_of.get(n, "?") for n in extra]})]
        )
    origin_order = _order(nodes["origin"], tuple(ORIGIN_COLOURS))
    right_blocks = [
        sorted(nodes.loc[nodes["origin"] == o, "ngo"], key=lambda n: (-held.get(n, 0), n))
        for o in origin_order
    ]
    left, right = _column(left_blocks), _column(right_blocks)
    height = min(11.0, max(4.0, 0.075 * max(len(left), len(right), 1) + 1.6))
    fig = _figure(6.4, height)
    ax = fig.add_subplot()
    ax.set_axis_off()
    norm = Normalize(0.0, 1.0)
    segments = [
        [(0.0, left[p]), (1.0, right[n])]
        for p, n in zip(edges["purchaser"], edges["ngo"], strict=True)
    ]
    lines = LineCollection(
        segments,
        cmap=_tie_cmap(),
        norm=norm,
        linewidths=0.7 + 0.6 * (edges["count"].to_numpy(dtype=float) - 1),
        alpha=0.9,
        zorder=1,
    )
    lines.set_array(edges["tie"].to_numpy(dtype=float))
    ax.add_collection(lines)
    handles: list[Line2D] = []
    for kind, block in zip(kind_order, left_blocks, strict=True):
        marker = _KIND_MARKERS.get(kind, "o")
        ax.scatter(
            [0.0] * len(block),
            [left[p] for p in block],
            s=28,
            marker=marker,
            color="0.25",
            zorder=3,
        )
        name = _KIND_NAMES.get(kind, _pretty(kind))
        _block_label(ax, -0.07, [left[p] for p in block], f"{name} ({len(block)})", "right")
        handles.append(Line2D([], [], marker=marker, color="0.25", linestyle="", label=name))
    for origin, block in zip(origin_order, right_blocks, strict=True):
        colour = ORIGIN_COLOURS.get(origin, "0.5")
        counts = np.array([held.get(n, 0) for n in block], dtype=float)
        ax.scatter(
            [1.0] * len(block),
            [right[n] for n in block],
            s=14 + 10 * np.minimum(counts, 8),
            facecolors=[colour if c > 0 else "white" for c in counts],
            edgecolors=colour,
            linewidths=1.0,
            zorder=3,
        )
        label = f"{_pretty(origin)} NGOs"
        _block_label(ax, 1.07, [right[n] for n in block], f"{label} ({len(block)})", "left")
        handles.append(Line2D([], [], marker="o", color=colour, linestyle="", label=label))
    handles.append(
        Line2D(
            [],
            [],
            marker="o",
            color="0.4",
            markerfacecolor="white",
            linestyle="",
            label="no contract",
        )
    )
    ax.set_xlim(-0.6, 1.6)
    ax.set_ylim(-0.05, 1.05)
    bar = fig.colorbar(lines, ax=ax, shrink=0.5, pad=0.01)
    bar.set_label("Tie strength (official – NGO head)")
    bar.ax.axhline(TIE_THRESHOLD, color="black", linewidth=1.5)
    bar.ax.text(
        -0.6,
        TIE_THRESHOLD,
        "tied ",
        ha="right",
        va="center",
        fontsize=7,
        transform=bar.ax.get_yaxis_transform(),
    )
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=min(4, len(handles)),
        handletextpad=0.3,
        columnspacing=1.0,
    )
    fig.suptitle(f"Contracts in force: {where}")
    return fig


def _tie_cmap() -> ListedColormap:
    base = mpl.colormaps[TIE_CMAP]
    return ListedColormap(base(np.linspace(0.1, 1.0, 256)), name=f"{TIE_CMAP}_cut")


def _block_label(ax: Axes, x: float, ys: list[float], text: str, ha: str) -> None:
    if ys:
        ax.text(x, (max(ys) + min(ys)) / 2, text, ha=ha, va="center", fontsize=8)


# --------------------------------------------------------------------------- saving
_FORMATS = {"png", "pdf", "svg", "eps", "ps", "jpg", "jpeg", "tif", "tiff", "webp"}


def save(
    fig: Figure, path: str | Path, formats: Sequence[str] = ("png", "pdf"), *, dpi: int = DPI
) -> list[Path]:
    """Save a figure once per format, next to each other.

    Args:
        fig: The figure.
        path: File path without suffix (a known image suffix is dropped); parent
            folders are created.
        formats: File formats, e.g. ``("png", "pdf")``.
        dpi: Resolution of raster formats.

    Returns:
        The written paths, in the order of ``formats``.
    """
    base = Path(path)
    if base.suffix.lower().lstrip(".") in _FORMATS:
        base = base.with_suffix("")
    base.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(formats, str):
        formats = [formats]
    written = []
    with mpl.rc_context(STYLE):
        for fmt in formats:
            fmt = fmt.lower().lstrip(".")
            target = base.with_name(f"{base.name}.{fmt}")
            metadata = {"CreationDate": None} if fmt == "pdf" else None
            if fmt == "svg":
                metadata = {"Date": None}
            fig.savefig(target, format=fmt, dpi=dpi, metadata=metadata)
            written.append(target)
    return written


def draw_all(
    results: Any,
    outdir: str | Path,
    formats: Sequence[str] = ("png", "pdf"),
    *,
    outcomes: Sequence[str] | None = None,
    dpi: int = DPI,
) -> list[Path]:
    """Draw and save every standard figure the results support.

    File names (each with every suffix of ``formats``); the first three kinds only
    for comparisons and grid sweeps of at most 20 design points:

    * ``outcomes``: :func:`compare_outcomes`.
    * ``fan_<outcome>``: :func:`fan_chart`, when the results hold series.
    * ``survival``, ``dependence``: when they hold NGO tables.
    * ``turnover_vs_contract_length``: when runs differ in ``contract_years``.
    * ``network``: :func:`contract_network` of the first run, when they hold contract
      and NGO tables.
    * ``heatmap_<outcome>``: for sweeps whose design varies at least two parameters
      (the first two).
    * ``sensitivity_<outcome>``: for Sobol and Morris sweeps that hold every point.

    Args:
        results: Results of :func:`simcontract.compare` or :func:`simcontract.sweep`.
        outdir: Folder to write into (created).
        formats: File formats.
        outcomes: Outcomes of the per-outcome figures (default: the key outcomes).
        dpi: Resolution of raster formats.

    Returns:
        The written paths.
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    runs = _runs(results)
    outcomes = list(outcomes) if outcomes is not None else list(_default_outcomes())
    for name in outcomes:
        _check_outcome(name, runs)
    design = getattr(results, "design", None)
    named = design is None or getattr(design, "kind", "") == "grid"
    few = named and runs["point"].nunique() <= MAX_LABELLED_POINTS
    written: list[Path] = []

    def emit(name: str, fig: Figure) -> None:
        written.extend(save(fig, outdir / name, formats, dpi=dpi))

    if few:
        emit("outcomes", compare_outcomes(results, outcomes))
    if few and _has(results, "series"):
        for name in outcomes:
            emit(f"fan_{name}", fan_chart(results, name))
    if few and _has(results, "ngos"):
        emit("survival", survival_curves(results))
        emit("dependence", dependence_distribution(results))
    if "contract_years" in runs and runs["contract_years"].nunique() > 1:
        emit("turnover_vs_contract_length", turnover_vs_contract_length(results))
    if _has(results, "contracts") and _has(results, "ngos"):
        emit("network", contract_network(results))
    if design is not None and len(design.parameters) >= 2:
        for name in outcomes:
            emit(f"heatmap_{name}", heatmap(results, name))
    if design is not None and getattr(design, "kind", "") in ("sobol", "morris"):
        try:
            indices = results.analyze(outcomes)
        except DesignError:  # e.g. an interrupted batch missing design points
            indices = None
        for name in outcomes if indices is not None else ():
            emit(f"sensitivity_{name}", sensitivity(indices, name))
    return written


__all__ = [
    "DPI",
    "OKABE_ITO",
    "ORIGIN_COLOURS",
    "STYLE",
    "compare_outcomes",
    "contract_network",
    "dependence_distribution",
    "draw_all",
    "fan_chart",
    "heatmap",
    "kaplan_meier",
    "ngo_lifetimes",
    "outcome_label",
    "parameter_label",
    "save",
    "sensitivity",
    "survival_curves",
    "turnover_vs_contract_length",
]
