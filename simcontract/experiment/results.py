"""Results of a batch: the runs, their summaries and the comparison table."""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from simcontract.experiment import codebook, messages, storage
from simcontract.experiment.designs import Design, DesignError, from_description
from simcontract.experiment.runner import ExperimentError, check_flag
from simcontract.experiment.stats import check_level, half_width
from simcontract.outcomes import OUTCOMES
from simcontract.scenario import Scenario

KEY_OUTCOMES: tuple[str, ...] = tuple(
    name
    for name in (
        "ngo_survival",
        "provider_turnover",
        "tied_award_share",
        "service_quality",
        "documentation_share",
        "staff_turnover",
    )
    if name in OUTCOMES
)
"""Outcomes shown in the command line's summary tables."""


def _said(key: str, **values: Any) -> str:
    """A message of this module in the language in use (``errors.results.<key>``)."""
    return messages.error("results", key, **values)


class Results:
    """Runs of a batch: one row per run, optional yearly series, summaries.

    Attributes read from disk load lazily when the batch was stored with ``out=``.

    Args:
        runs: One row per run (see :attr:`runs`).
        series: One row per run and year, or ``None``.
        ngos: One row per run and NGO, or ``None``.
        contracts: One row per run and final contract, or ``None``.
        directory: Results directory to read from instead.
        manifest: The batch's manifest (what was run).
        parts: Read only the parts of these file names from ``directory`` (the intact
            ones of a damaged or unfinished folder); default: every part.

    Attributes:
        design: The design of a sweep (e.g. a :class:`~simcontract.experiment.designs.Grid`
            or :class:`~simcontract.experiment.designs.Sobol`), or ``None`` for a
            comparison.
    """

    def __init__(
        self,
        runs: pd.DataFrame | None = None,
        series: pd.DataFrame | None = None,
        *,
        ngos: pd.DataFrame | None = None,
        contracts: pd.DataFrame | None = None,
        directory: str | Path | None = None,
        manifest: Mapping[str, Any] | None = None,
        parts: Sequence[str] | None = None,
    ) -> None:
        self._tables = {
            storage.RUNS: runs,
            storage.SERIES: series,
            storage.NGOS: ngos,
            storage.CONTRACTS: contracts,
        }
        self.directory = Path(directory) if directory is not None else None
        self.parts = list(parts) if parts is not None else None
        self.manifest: dict[str, Any] = dict(manifest or {})
        design = self.manifest.get("design")
        self.design: Design | None = from_description(design) if design else None

    def __repr__(self) -> str:
        where = f", directory={str(self.directory)!r}" if self.directory else ""
        return (
            f"Results(kind={self.manifest.get('kind')!r}, "
            f"points={self.manifest.get('n_points')}, "
            f"replications={self.manifest.get('replications')}{where})"
        )

    def _table(self, name: str) -> pd.DataFrame | None:
        """Table ``name``, read from the directory the first time it is asked for."""
        stored = name == storage.RUNS or self.manifest.get("series")
        if self._tables[name] is None and self.directory is not None and stored:
            self._tables[name] = storage.read_table(self.directory, name, self.parts)
        return self._tables[name]

    @property
    def runs(self) -> pd.DataFrame:
        """One row per run, sorted by point and replication.

        Columns: ``scenario``, ``point``, ``replication``, ``seed``, every parameter's
        value and every outcome of :data:`simcontract.outcomes.OUTCOMES` (the run's
        ``summary()``).
        """
        runs = self._table(storage.RUNS)
        if runs is None:
            raise ExperimentError(_said("no_runs"))
        return runs

    @property
    def series(self) -> pd.DataFrame | None:
        """One row per run and model year (identifiers, ``year``, every outcome), or
        ``None`` when the batch did not keep series."""
        return self._table(storage.SERIES)

    @property
    def ngos(self) -> pd.DataFrame | None:
        """One row per run and NGO that ever existed in it (identifiers and the columns
        of ``ContractingModel.ngo_table()``), or ``None`` without series."""
        return self._table(storage.NGOS)

    @property
    def contracts(self) -> pd.DataFrame | None:
        """One row per run and contract still in force once the run's last year has
        closed (identifiers and the columns of ``ContractingModel.contract_table()``,
        which says what is left out), or ``None`` without series."""
        return self._table(storage.CONTRACTS)

    @property
    def scenarios(self) -> list[Scenario]:
        """The scenarios of a comparison, or the base scenario of a sweep."""
        return [Scenario.from_dict(d) for d in self.manifest.get("scenarios", [])]

    def scenario_of(self, point: int) -> Scenario:
        """The scenario design point ``point`` ran: a comparison's ``point``-th scenario,
        or a sweep's base scenario with the point's values, as the batch made it.

        With a run's ``seed`` from :attr:`runs`,
        ``ContractingModel(results.scenario_of(point), rng=seed).run().summary()``
        repeats that run to the last digit.

        Raises:
            ExperimentError: ``point`` is not a design point of the batch.
        """
        scenarios = self.scenarios
        points = self.design.points() if self.design is not None else scenarios
        whole = isinstance(point, numbers.Integral) and not isinstance(point, bool)
        if not whole or not 0 <= point < len(points):
            raise ExperimentError(_said("no_point", point=repr(point), last=len(points) - 1))
        if self.design is None:
            return scenarios[int(point)]
        return scenarios[0].replace(**points[int(point)])

    def table(self, outcomes: Sequence[str] | None = None, level: float = 0.95) -> pd.DataFrame:
        """Mean and confidence interval of each outcome at each design point.

        The interval is Student's t interval of the mean over replications
        (:func:`simcontract.experiment.stats.half_width`); NaN values (an outcome
        undefined in a run) are left out, and ``n`` counts the rest.

        Args:
            outcomes: Outcome names (default: all); a list may also name comparable
                forms (:mod:`~simcontract.experiment.codebook`), e.g.
                ``"public_spend_per_purchaser_year"``.
            level: Confidence level.

        Returns:
            One row per point and outcome, with columns ``point``, ``scenario``, the
            parameters the design varies, ``outcome``, ``n``, ``mean``, ``sd``,
            ``low`` and ``high``.
        """
        runs, outcomes = self._runs_for(outcomes)
        level = check_level(level)
        keys = ["scenario", *(self.design.parameters if self.design else ())]
        grouped = runs.groupby("point", sort=True)
        first = grouped[keys].first().reset_index()
        n = grouped[outcomes].count()
        mean = grouped[outcomes].mean()
        sd = grouped[outcomes].std(ddof=1)
        frames = []
        for name in outcomes:
            half = half_width(sd[name].to_numpy(), n[name].to_numpy(), level)
            m = mean[name].to_numpy()
            frames.append(
                first.assign(
                    outcome=name,
                    n=n[name].to_numpy(),
                    mean=m,
                    sd=sd[name].to_numpy(),
                    low=m - half,
                    high=m + half,
                )
            )
        out = pd.concat(frames, ignore_index=True)
        # Stable sort on point keeps outcomes in the requested order within a point.
        return out.sort_values("point", kind="stable").reset_index(drop=True)

    def _runs_for(self, outcomes: Sequence[str] | None) -> tuple[pd.DataFrame, list[str]]:
        """The runs table and the outcome names ``outcomes`` asks for, with a column for
        each comparable form it names."""
        if codebook.names_forms(outcomes):
            return codebook.with_comparable(self.runs), variable_list(outcomes)
        return self.runs, outcome_list(outcomes)

    def contrasts(
        self,
        reference: str | int | None = None,
        outcomes: Sequence[str] | None = None,
        level: float = 0.95,
    ) -> pd.DataFrame:
        """Every point against a reference: paired differences with their CI.

        See :func:`simcontract.experiment.comparison.contrasts` (the reference defaults
        to ``baseline`` when compared, else the first point).
        """
        from simcontract.experiment.comparison import contrasts

        return contrasts(self, reference, outcomes, level)

    def analyze(self, outcomes: Sequence[str] | None = None, level: float = 0.95) -> pd.DataFrame:
        """Sensitivity indices of a Sobol or Morris sweep, with confidence intervals.

        Replications are averaged per design point first.

        Args:
            outcomes: Outcome names (default: all); a list may also name comparable
                forms, as in :meth:`table`.
            level: Confidence level.

        Returns:
            One row per outcome, index and parameter, with columns ``outcome``,
            ``index`` (``S1``, ``ST``, ``S2`` for Sobol; ``mu_star``, ``mu``,
            ``sigma`` for Morris), ``parameter`` (``a:b`` for ``S2``), ``value``,
            ``conf`` (CI half-width) and ``low``/``high``.

        Raises:
            DesignError: The batch is not a Sobol or Morris sweep, or lacks points.
        """
        if self.design is None:
            raise DesignError(_said("no_indices"))
        runs, outcomes = self._runs_for(outcomes)
        return self.design.analyze(runs, outcomes, check_level(level))


def load_results(directory: str | Path, *, partial: bool = False) -> Results:
    """Read a results directory written by :func:`compare` or :func:`sweep`.

    Every part is checked first (:func:`~simcontract.experiment.integrity.inspect`,
    footers, schemas and run identifiers).

    Args:
        directory: The results directory.
        partial: Load the intact runs of an unfinished or damaged batch too (else it is
            refused).

    Returns:
        The batch's :class:`Results`, as :func:`compare` or :func:`sweep` returned them;
        its tables are read from disk when first asked for.

    Raises:
        ExperimentError: ``directory`` has no (or a damaged) ``manifest.json``, or, without
            ``partial``, the batch is unfinished or has damaged parts.
        TypeError: ``directory`` is not a path, or ``partial`` is not a bool.
    """
    from simcontract.experiment import integrity

    if not isinstance(directory, str | os.PathLike):
        raise TypeError(messages.error("types", "directory", given=type(directory).__name__))
    partial = check_flag(partial, "partial")
    inventory = integrity.inspect(directory, full=False)
    if not inventory.complete and not partial:
        said = {"summary": inventory.summary(None), "step": inventory.next_step()}
        raise ExperimentError(_said("not_complete", folder=repr(str(directory)), **said))
    return Results(directory=directory, manifest=inventory.manifest, parts=inventory.parts)


def markdown_table(results: Results, outcomes: Sequence[str] | None = None) -> str:
    """The comparison as a Markdown table: one row per outcome, one column per scenario
    or design point, cells ``mean [95% CI low, high]``."""
    outcomes = outcome_list(outcomes)
    table = results.table(outcomes)
    points = table.drop_duplicates("point").sort_values("point")
    labels = list(points["scenario"].astype(str))
    if len(set(labels)) < len(labels):
        labels = [f"{p}: {name}" for p, name in zip(points["point"], labels, strict=True)]
    n = int(table["n"].max()) if len(table) else 0
    fewer = ""
    if len(table) and (table["n"] < n).any():
        fewer = " (n = k): over the k runs in which the outcome has a value."
    lines = [
        f"Mean [95% CI] over {n} replications per column.{fewer}",
        "",
        "| outcome | unit | " + " | ".join(labels) + " |",
        "|---|---|" + "---|" * len(labels),
    ]
    for name in outcomes:
        sub = table[table["outcome"] == name].sort_values("point")
        cells = [
            "nan"
            if math.isnan(r.mean)
            else f"{_short(r.mean)} [{_short(r.low)}, {_short(r.high)}]"
            + (f" (n = {r.n})" if r.n < n else "")
            for r in sub.itertuples()
        ]
        lines.append(f"| {name} | {OUTCOMES[name].unit} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _short(x: float) -> str:
    if math.isnan(x):
        return "nan"
    if abs(x) >= 1e5:
        return f"{x:.3g}"
    return f"{x:.3g}" if abs(x) < 100 else f"{x:.0f}"


def _names(outcomes: Sequence[str] | str | None) -> list[str] | None:
    """``outcomes`` as a list of names, each once, in the order given (``None`` stays).

    Raises:
        ExperimentError: An empty list.
        TypeError: Not a name or a list of names.
    """
    if outcomes is None:
        return None
    if isinstance(outcomes, str):
        outcomes = [outcomes]
    if not isinstance(outcomes, Iterable):
        raise TypeError(messages.error("types", "outcomes", given=type(outcomes).__name__))
    # A name given twice would give its rows twice (or break the table): once is meant.
    names: list[Any] = []
    for name in outcomes:
        if name not in names:
            names.append(name)
    if not names:
        raise ExperimentError(_said("no_outcomes"))
    return names


def outcome_list(outcomes: Sequence[str] | str | None) -> list[str]:
    """The named outcomes as a list, each once (all of them for ``None``).

    Raises:
        ExperimentError: An unknown outcome, or an empty list.
        TypeError: Not a name or a list of names.
    """
    names = _names(outcomes)
    if names is None:
        return list(OUTCOMES)
    unknown = [o for o in names if not isinstance(o, str) or o not in OUTCOMES]
    if unknown:
        said = {"name": repr(unknown[0]), "outcomes": messages.listed(OUTCOMES)}
        raise ExperimentError(_said("unknown_outcome", **said))
    return names


def variable_list(outcomes: Sequence[str] | str | None) -> list[str]:
    """The named outcomes and comparable forms (:mod:`~simcontract.experiment.codebook`)
    as a list, each once (all of them for ``None``).

    Raises:
        ExperimentError: A name that is neither, or an empty list.
        TypeError: Not a name or a list of names.
    """
    return codebook.variable_list(_names(outcomes))
