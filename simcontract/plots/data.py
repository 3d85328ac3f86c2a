"""Data shaping for the figures: tables of a results object, design points as groups,
NGO lifetimes, yearly bands, heatmap cells and the contracts of one run.

What each figure reads from a results object (duck typing): ``runs``, ``series``,
``ngos``, ``contracts`` and ``design``; see :mod:`simcontract.plots`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from simcontract import i18n
from simcontract.experiment.codebook import comparable_forms, with_comparable
from simcontract.experiment.stats import Interval
from simcontract.experiment.stats import within_range as within_range  # the app's import
from simcontract.outcomes import OUTCOMES
from simcontract.params import PARAMETERS
from simcontract.plots.style import (
    figure_text,
    fmt,
    group_colours,
    group_hatch,
    group_line_style,
    group_marker,
    typed,
    value_label,
)


# --------------------------------------------------------------------------- tables
def _frame(data: Any, what: str, empty: bool = False) -> pd.DataFrame:
    if data is None:
        raise ValueError(i18n.text("errors.plots.no_table", what=what))
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(list(data))
    if frame.empty and not empty:
        raise ValueError(i18n.text("errors.plots.no_table", what=what))
    return frame


def runs_of(results: Any) -> pd.DataFrame:
    """The ``runs`` table of ``results`` (or ``results`` itself if a data frame)."""
    if isinstance(results, pd.DataFrame):
        return results
    return _frame(getattr(results, "runs", None), "runs")


def table_of(results: Any, name: str, empty: bool = False) -> pd.DataFrame:
    """The ``series``, ``ngos`` or ``contracts`` table of ``results``, checked non-empty
    (unless ``empty``: a stored table with no rows, such as the contracts in force at the
    end of runs whose one-year contracts all ended, is then given as it is)."""
    return _frame(getattr(results, name, None), name, empty)


def partial_text(results: Any) -> str:
    """What a figure's title adds when ``results`` are a partial batch (an unfinished
    or damaged one, loaded with ``partial=True``): how many of the runs its manifest
    plans they hold; ``""`` for a whole batch or results without a manifest."""
    manifest = getattr(results, "manifest", None)
    if not isinstance(manifest, dict) or not {"n_points", "replications"} <= manifest.keys():
        return ""
    planned = int(manifest["n_points"]) * int(manifest["replications"])
    try:
        runs = runs_of(results)
    except (ValueError, AttributeError):  # no runs (ExperimentError is a ValueError)
        return ""
    keys = [k for k in ("point", "replication") if k in runs]
    held = len(runs.drop_duplicates(keys)) if keys else len(runs)
    return figure_text("partial", held=held, planned=planned) if held < planned else ""


def has_table(results: Any, name: str, empty: bool = False) -> bool:
    """Whether ``results`` holds a table ``name``, non-empty unless ``empty``."""
    try:
        table_of(results, name, empty)
    except (ValueError, AttributeError):
        return False
    return True


def runs_with(results: Any, outcomes: Sequence[str] | str | None) -> pd.DataFrame:
    """The ``runs`` table of ``results`` with a column for each comparable form among
    ``outcomes`` (e.g. ``public_spend_per_purchaser_year``) it does not hold yet."""
    runs = runs_of(results)
    names = [outcomes] if isinstance(outcomes, str) else list(outcomes or ())
    forms = comparable_forms()
    wanted = [n for n in names if isinstance(n, str) and n in forms and n not in runs]
    needed = {"years", "n_cities", "n_bureaux", "n_mass_orgs"}
    needed |= {forms[n].name for n in wanted}
    if wanted and needed <= set(runs.columns):
        runs = with_comparable(runs, wanted)
    return runs


def check_outcome(outcome: str, frame: pd.DataFrame) -> None:
    """Raise ``ValueError`` unless ``outcome`` is an outcome or a comparable form and
    ``frame`` has its column (a parameter's or a run's identifier is not an outcome)."""
    known_name = isinstance(outcome, str) and (outcome in OUTCOMES or outcome in comparable_forms())
    if known_name and outcome in frame.columns:
        return
    if isinstance(outcome, str) and outcome in comparable_forms():
        # A comparable form is a value per run: yearly series have no column of it.
        source = comparable_forms()[outcome].name
        raise ValueError(
            i18n.text("errors.plots.form_per_run", outcome=repr(outcome), source=repr(source))
        )
    known = i18n.text("punctuation.list").join(OUTCOMES)
    raise ValueError(i18n.text("errors.plots.unknown_outcome", outcome=repr(outcome), known=known))


def check_count(name: str, value: Any) -> None:
    """Raise ``ValueError`` unless option ``name`` is an integer of at least 1."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(
            i18n.text("errors.plots.integer_at_least_one", name=name, value=repr(value))
        )


def outcome_names(outcomes: Sequence[str] | str | None, frame: pd.DataFrame) -> list[str]:
    """The outcomes a figure draws: a name or a list of names (default: the key
    outcomes), outcomes or comparable forms, each checked against ``frame``.

    Raises:
        ValueError: An empty list, or an unknown outcome.
    """
    if isinstance(outcomes, str):
        outcomes = [outcomes]
    names = list(outcomes) if outcomes is not None else list(key_outcomes())
    if not names:
        raise ValueError(i18n.text("errors.plots.outcomes_empty"))
    for name in names:
        check_outcome(name, frame)
    return names


def key_outcomes() -> tuple[str, ...]:
    """The outcomes figures show by default."""
    from simcontract.experiment import KEY_OUTCOMES

    return KEY_OUTCOMES


def active_rows(ngos: pd.DataFrame) -> pd.DataFrame:
    """NGOs active at the end of their run."""
    if "active" in ngos:
        return ngos[ngos["active"].astype(bool)]
    return ngos[pd.to_numeric(ngos["exit_year"], errors="coerce").isna()]


# --------------------------------------------------------------------------- groups
@dataclass(frozen=True)
class Group:
    """One design point as drawn: its number, label, colour, and what tells it apart
    without colour, from its place among the batch's points (the same in every figure
    of the batch): the dash pattern of its lines, the pattern of its bars and the marker
    of its points (:func:`~simcontract.plots.style.group_line_style`,
    :func:`~simcontract.plots.style.group_hatch`,
    :func:`~simcontract.plots.style.group_marker`)."""

    point: int
    label: str
    colour: str
    linestyle: Any = "-"
    hatch: str = ""
    marker: str = "o"


def _varying(first: pd.DataFrame) -> list[str]:
    """Parameters whose value differs between design points."""
    return [
        name
        for name in PARAMETERS
        if name in first.columns and first[name].astype(str).nunique() > 1
    ]


def _labels(first: pd.DataFrame, design: Any) -> list[str]:
    """One label per design point: its scenario's name, or the parameters that differ.

    A scenario goes by its name in English (as typed on the command line and in
    scenario files) and, in other languages, by the catalogue's title of a built-in
    scenario (another keeps its name). A sweep's point goes by its design values, also
    when it is the only one drawn (a one-point design, the part of a batch stored).
    """
    names = first["scenario"].astype(str) if "scenario" in first else first.index.astype(str)
    if "scenario" in first and i18n.current() != i18n.DEFAULT_LANGUAGE:
        names = names.map(i18n.scenario_title)
    if design is not None and names.nunique() == 1:
        params = [p for p in design.parameters if p in first.columns]
        return [
            _joined(_setting(p, row[p]) for p in params) or names[point]
            for point, row in first.iterrows()
        ]
    if names.nunique() == len(first):
        return list(names)
    params = _varying(first)[:3]
    labels = []
    for point, row in first.iterrows():
        detail = _joined(_setting(p, row[p]) for p in params)
        labels.append(_noted(str(names[point]), detail) if detail else str(names[point]))
    return labels


def _joined(parts: Iterable[str]) -> str:
    """Parts of a label as a list in the language in use (``", "``; ``"、"``)."""
    return i18n.text("punctuation.list", i18n.current()).join(parts)


def _noted(text: str, note: str) -> str:
    """``text (note)`` with the brackets of the language in use."""
    return i18n.text("punctuation.paren", i18n.current(), text=text, note=note)


def _setting(name: str, value: Any) -> str:
    """A parameter's value in a design point's label: ``name=value`` with code names in
    English (as typed in scenario files and sweeps), the parameter's label and the value
    in words in other languages."""
    if i18n.current() == i18n.DEFAULT_LANGUAGE:
        return f"{name}={typed(value)}"
    return f"{i18n.parameter_label(name)}={value_label(name, value)}"


def groups(results: Any, frame: pd.DataFrame | None = None) -> list[Group]:
    """Design points in order, each with a distinct label and a stable colour: a
    built-in scenario's own, else one the batch's built-ins leave free
    (:func:`~simcontract.plots.style.group_colours`)."""
    if frame is None:
        try:
            frame = runs_of(results)
        except (ValueError, AttributeError):
            frame = table_of(results, "series")
    first = frame.groupby("point", sort=True).first()
    labels = _labels(first, getattr(results, "design", None))
    if len(set(labels)) < len(labels):
        labels = [f"{label} #{point}" for label, point in zip(labels, first.index, strict=True)]
    names = list(first["scenario"].astype(str)) if "scenario" in first else [None] * len(first)
    colours = group_colours(names)
    return [
        Group(int(point), label, colour, group_line_style(k), group_hatch(k), group_marker(k))
        for k, (point, label, colour) in enumerate(zip(first.index, labels, colours, strict=True))
    ]


def replications_text(frame: pd.DataFrame) -> str:
    """How many replications each point of ``frame`` has, e.g. ``"3 replications"``."""
    if "point" in frame and "replication" in frame:
        counts = frame.groupby("point")["replication"].nunique()
    else:
        counts = pd.Series([len(frame)])
    lo, hi = int(counts.min()), int(counts.max())
    n = str(lo) if lo == hi else f"{lo}–{hi}"
    return figure_text("replications_one" if hi == 1 else "replications_many", n=n)


def runs_text(sizes: Iterable[int]) -> str:
    """How many runs each mark of a figure rests on, e.g. ``"40 runs"`` or ``"12–40 runs"``."""
    sizes = [int(n) for n in sizes]
    lo, hi = min(sizes, default=0), max(sizes, default=0)
    n = str(lo) if lo == hi else f"{lo}–{hi}"
    return figure_text("runs_one" if hi == 1 else "runs_many", n=n)


def error_lengths(interval: Interval) -> list[list[float]]:
    """Asymmetric error-bar lengths of an interval; zero where it is undefined."""
    below = interval.mean - interval.low if math.isfinite(interval.low) else 0.0
    above = interval.high - interval.mean if math.isfinite(interval.high) else 0.0
    return [[below], [above]]


def yearly_band(series: pd.DataFrame, outcome: str, band: float) -> pd.DataFrame:
    """Median and central ``band`` of ``outcome`` per point and year, over replications.

    Returns:
        Columns ``low``, ``median`` and ``high``, indexed by ``point`` and ``year``.
    """
    lo_q, hi_q = (1 - band) / 2, 1 - (1 - band) / 2
    return (
        series.groupby(["point", "year"])[outcome]
        .quantile([lo_q, 0.5, hi_q])
        .unstack()
        .rename(columns={lo_q: "low", 0.5: "median", hi_q: "high"})
    )


# --------------------------------------------------------------------------- NGO lifetimes
def run_years(results: Any) -> pd.DataFrame:
    """Run length of every run: columns ``point``, ``replication``, ``years``."""
    keys = ["point", "replication"]
    try:
        runs = runs_of(results)
        if "years" in runs:
            return runs[[*keys, "years"]].drop_duplicates(keys)
    except (ValueError, AttributeError):
        pass
    if has_table(results, "series"):
        series = table_of(results, "series")
        return series.groupby(keys, as_index=False)["year"].max().rename(columns={"year": "years"})
    raise ValueError(i18n.text("errors.plots.runs_length"))


def ngo_lifetimes(results: Any) -> pd.DataFrame:
    """Every NGO's lifetime in years, censored when still active at the run's end.

    An NGO is in the market from the start of its first year: year 1 for the initial
    NGOs (``entry_year`` 0, made at set-up), its ``entry_year`` for an entrant, which
    registers before that year's tenders. The lifetime counts the model years it was
    in the market, the year it exited included: ``exit_year - first + 1`` for NGOs
    that exited, ``years - first + 1`` for those still active (censored), with
    ``first = max(entry_year, 1)``.

    Args:
        results: Results with ``ngos`` (and ``runs`` with a ``years`` column).

    Returns:
        The ``ngos`` rows with columns ``years`` (run length), ``lifetime`` and
        ``observed`` (whether the NGO exited) added.
    """
    ngos = table_of(results, "ngos")
    years = run_years(results)
    out = ngos.merge(years, on=["point", "replication"], how="left", validate="many_to_one")
    if out["years"].isna().any():
        raise ValueError(i18n.text("errors.plots.ngos_without_run"))
    exit_year = pd.to_numeric(out["exit_year"], errors="coerce")
    entry = pd.to_numeric(out["entry_year"], errors="coerce")
    out["observed"] = exit_year.notna()
    first = entry.clip(lower=1)
    out["lifetime"] = np.where(out["observed"], exit_year, out["years"]) - first + 1
    return out


def start_year(source: Any, points: Iterable[int] | None = None) -> int | None:
    """Calendar year of model year 1, when every scenario shown gives the same one.

    Args:
        source: Results (their ``scenarios``: one per point of a comparison, or a
            sweep's base scenario) or a ``ContractingModel``.
        points: The design points shown (default: all).

    Returns:
        The shared ``start_year``; ``None`` when a scenario gives none, when they give
        different ones, or when the results do not say (axes then show model years).
    """
    scenario = getattr(source, "market_scenario", None)
    if scenario is not None:
        return getattr(scenario, "start_year", None)
    try:
        scenarios = list(getattr(source, "scenarios", None) or [])
    except (TypeError, ValueError):
        return None
    years = [getattr(s, "start_year", None) for s in scenarios]
    if points is not None and len(years) > 1:
        years = [years[p] for p in points if 0 <= p < len(years)]
    distinct = set(years)
    return distinct.pop() if len(distinct) == 1 and None not in distinct else None


def dependence_threshold(results: Any) -> float | None:
    """The runs' dependence threshold, if they all share one."""
    try:
        runs = runs_of(results)
    except (ValueError, AttributeError):
        return None
    if "dependence_threshold" not in runs:
        return None
    values = runs["dependence_threshold"].dropna().unique()
    return float(values[0]) if len(values) == 1 else None


# --------------------------------------------------------------------------- heatmap cells
def choice_order(name: str, values: list[Any]) -> list[Any]:
    """``values`` sorted: a choice parameter's in the registry's order, others ascending
    (0 last where it stands for "never", :attr:`Parameter.never_at_zero`)."""
    param = PARAMETERS.get(name)
    if param is not None and param.kind == "choice":
        return sorted(values, key=lambda v: param.choices.index(v) if v in param.choices else 99)
    if param is not None and param.never_at_zero:
        return sorted(values, key=lambda v: (v == 0, v))
    return sorted(values)


def levels(
    values: pd.Series,
    name: str,
    bins: int,
    max_levels: int,
    bounds: tuple[float, float] | None = None,
) -> tuple[pd.Series, list[str]]:
    """Map values to level indices; numbers with many distinct values are binned
    (over ``bounds`` when given, else over the values' range)."""
    unique = list(pd.unique(values.dropna()))
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if not numeric or len(unique) <= max_levels:
        unique = choice_order(name, unique)
        index = {v: i for i, v in enumerate(unique)}
        return values.map(index), [value_label(name, v) for v in unique]
    lo, hi = bounds if bounds is not None else (float(values.min()), float(values.max()))
    lo, hi = min(lo, float(values.min())), max(hi, float(values.max()))
    edges = MaxNLocator(nbins=bins, steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi)
    edges = edges[(edges > lo) & (edges < hi)]
    edges = np.concatenate([[lo], edges, [hi]]) if len(edges) else np.linspace(lo, hi, bins + 1)
    n = len(edges) - 1
    codes = np.clip(
        np.searchsorted(edges, values.to_numpy(dtype=float), side="right") - 1, 0, n - 1
    )
    labels = [f"{fmt(a)}–{fmt(b)}" for a, b in itertools.pairwise(edges)]
    return pd.Series(codes, index=values.index), labels


@dataclass(frozen=True)
class Cells:
    """Mean of an outcome per cell of two parameters' levels.

    Attributes:
        grid: Means, rows by ``y`` level and columns by ``x`` level (NaN: no run).
        xlabels: Label of each ``x`` level.
        ylabels: Label of each ``y`` level.
        sizes: Runs per non-empty cell.
    """

    grid: np.ndarray
    xlabels: list[str]
    ylabels: list[str]
    sizes: pd.Series


def cell_means(
    runs: pd.DataFrame,
    outcome: str,
    axes: tuple[str, str],
    bins: int,
    max_levels: int,
    ranges: dict[str, tuple[float, float]],
) -> Cells:
    """Average ``outcome`` over the runs in each cell of the parameters ``axes`` (x, y)."""
    x, y = axes
    xi, xlabels = levels(runs[x], x, bins, max_levels, ranges.get(x))
    yi, ylabels = levels(runs[y], y, bins, max_levels, ranges.get(y))
    cells = pd.DataFrame({"x": xi, "y": yi, "v": runs[outcome].astype(float)})
    means = cells.groupby(["y", "x"])["v"].mean()
    grid = np.full((len(ylabels), len(xlabels)), np.nan)
    for (row, col), value in means.items():
        grid[int(row), int(col)] = value
    return Cells(grid, xlabels, ylabels, cells.groupby(["y", "x"]).size())


# --------------------------------------------------------------------------- one run's network
def _pick_run(runs: pd.DataFrame, run: int | tuple[int, int] | None) -> pd.Series:
    """The row of ``run`` among the runs ordered by point and replication."""
    ordered = runs.sort_values(["point", "replication"]).reset_index(drop=True)
    if run is None:
        return ordered.iloc[0]
    if isinstance(run, tuple):
        point, rep = run
        match = ordered[(ordered["point"] == point) & (ordered["replication"] == rep)]
        if match.empty:
            raise ValueError(i18n.text("errors.plots.no_run", point=point, rep=rep))
        return match.iloc[0]
    if not -len(ordered) <= run < len(ordered):
        raise ValueError(i18n.text("errors.plots.run_range", run=run, n=len(ordered)))
    return ordered.iloc[run]


def network_data(
    source: Any, run: int | tuple[int, int] | None
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Contracts and NGOs of one run, and where they come from (for a title).

    Args:
        source: A ``ContractingModel`` that has run, or results with ``contracts``,
            ``ngos`` and ``runs``.
        run: For results: ``(point, replication)``, or an index into the runs ordered
            by point and replication; default the first run.
    """
    if callable(getattr(source, "contract_table", None)) and callable(
        getattr(source, "ngo_table", None)
    ):
        scenario = getattr(source, "market_scenario", None) or getattr(source, "scenario", None)
        name = getattr(scenario, "name", "model")
        if i18n.current() != i18n.DEFAULT_LANGUAGE:  # as in _labels: English keeps the name
            name = i18n.scenario_title(name)
        where = figure_text("network_model", name=name, year=getattr(source, "year", "?"))
        return source.contract_table(), source.ngo_table(), where
    runs = runs_of(source)
    row = _pick_run(runs, run)
    point, rep = int(row["point"]), int(row["replication"])
    contracts = table_of(source, "contracts", empty=True)
    ngos = table_of(source, "ngos")
    contracts = contracts[(contracts["point"] == point) & (contracts["replication"] == rep)]
    ngos = ngos[(ngos["point"] == point) & (ngos["replication"] == rep)]
    label = next(g.label for g in groups(source, runs) if g.point == point)
    start = start_year(source, [point])
    years = ""
    if "years" in row and start is not None:
        years = figure_text("network_run_calendar", year=int(row["years"]) + start - 1)
    elif "years" in row:
        years = figure_text("network_run_years", year=fmt(row["years"]))
    return contracts, ngos, figure_text("network_run", label=label, rep=rep, years=years)


def contract_edges(contracts: pd.DataFrame) -> pd.DataFrame:
    """One row per purchaser-NGO pair with contracts: strongest ``tie``, ``count``, ``kind``."""
    if contracts.empty:
        return pd.DataFrame(columns=["purchaser", "ngo", "tie", "count", "kind"])
    return contracts.groupby(["purchaser", "ngo"], as_index=False).agg(
        tie=("tie", "max"), count=("tie", "size"), kind=("purchaser_kind", "first")
    )


def ngo_nodes(ngos: pd.DataFrame, edges: pd.DataFrame) -> pd.DataFrame:
    """Active NGOs and any other NGO holding a contract, with their ``origin``."""
    nodes = active_rows(ngos)[["ngo", "origin"]].drop_duplicates("ngo")
    extra = sorted(set(edges["ngo"]) - set(nodes["ngo"]))
    if not extra:
        return nodes
    origin_of = ngos.drop_duplicates("ngo").set_index("ngo")["origin"]
    more = pd.DataFrame({"ngo": extra, "origin": [origin_of.get(n, "?") for n in extra]})
    return pd.concat([nodes, more])
