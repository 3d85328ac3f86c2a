"""Batch runs: compare scenarios, sweep designs, replicate, store and summarise.

Quick use::

    from simcontract import compare, sweep, Grid, Sobol
    res = compare(["baseline", "my.toml"], replications=30)
    res.table()                                     # mean and 95% CI per outcome
    res = sweep("baseline", {"favouritism": [0.1, 0.5, 0.9]}, out="results/fav")
    res = sweep("baseline", Sobol(64, ["favouritism", "tie_density"]), out="results/s")
    res.analyze()                                   # Sobol indices with CIs

Vocabulary:

* A *design point* (column ``point``) is one parameter set: one scenario of a
  comparison, or one point of a sweep's design, numbered from 0 in design order.
* A *run* is one replication (column ``replication``, from 0) of one design point.
  Its seed (column ``seed``) is :func:`run_seed` of the base seed, the point and the
  replication, so ``ContractingModel(scenario, rng=seed)`` repeats the run alone, and
  results do not depend on the executor, the number of workers or completion order.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import json
import math
import os
import platform
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from simcontract.experiment import storage
from simcontract.experiment.designs import (
    Design,
    DesignError,
    as_design,
    check_points,
    from_description,
)
from simcontract.experiment.parallel import process_context
from simcontract.model import ContractingModel
from simcontract.outcomes import OUTCOMES
from simcontract.scenario import Scenario, builtin_names, load_scenario

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

SEED_RULE = (
    "run seed = numpy.random.SeedSequence(seed, spawn_key=(point, replication))"
    ".generate_state(1, dtype=numpy.uint64)[0] >> 1; stored per run in column 'seed'"
)


class ExperimentError(ValueError):
    """A batch cannot run as asked: bad option, unusable output directory, or a
    resume that does not match what the directory holds."""


def run_seed(seed: int, point: int, replication: int) -> int:
    """Seed of one run, derived from the base seed, design point and replication.

    It is a 63-bit non-negative integer (fits a signed 64-bit column), drawn from
    ``numpy.random.SeedSequence(seed, spawn_key=(point, replication))``.
    """
    state = np.random.SeedSequence(seed, spawn_key=(point, replication)).generate_state(
        1, dtype=np.uint64
    )[0]
    return int(state >> np.uint64(1))


# --------------------------------------------------------------------------- results
class Results:
    """Runs of a batch: one row per run, optional yearly series, summaries.

    Attributes read from disk load lazily when the batch was stored with ``out=``.

    Args:
        runs: One row per run (see :attr:`runs`).
        series: One row per run and year, or ``None``.
        directory: Results directory to read from instead.
        manifest: The batch's manifest (what was run).
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
    ) -> None:
        self._runs = runs
        self._series = series
        self._ngos = ngos
        self._contracts = contracts
        self.directory = Path(directory) if directory is not None else None
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

    @property
    def runs(self) -> pd.DataFrame:
        """One row per run, sorted by point and replication.

        Columns: ``scenario``, ``point``, ``replication``, ``seed``, every parameter's
        value and every outcome of :data:`simcontract.outcomes.OUTCOMES` (the run's
        ``summary()``).
        """
        if self._runs is None:
            if self.directory is None:
                raise ExperimentError("these results hold no runs")
            table = storage.read_parts(self.directory / storage.RUNS, storage.runs_schema())
            self._runs = _frame(table, ["point", "replication"])
        return self._runs

    @property
    def series(self) -> pd.DataFrame | None:
        """One row per run and model year (identifiers, ``year``, every outcome), or
        ``None`` when the batch did not keep series."""
        if self._series is None and self.directory and self.manifest.get("series"):
            table = storage.read_parts(self.directory / storage.SERIES, storage.series_schema())
            self._series = _frame(table, ["point", "replication", "year"])
        return self._series

    @property
    def ngos(self) -> pd.DataFrame | None:
        """One row per run and NGO that ever existed in it (identifiers and the columns
        of ``ContractingModel.ngo_table()``), or ``None`` without series."""
        if self._ngos is None and self.directory and self.manifest.get("series"):
            table = storage.read_parts(self.directory / storage.NGOS, storage.ngos_schema())
            self._ngos = _frame(table, _DETAIL_ORDER[storage.NGOS])
        return self._ngos

    @property
    def contracts(self) -> pd.DataFrame | None:
        """One row per run and contract in force at the run's end (identifiers and the
        columns of ``ContractingModel.contract_table()``), or ``None`` without series."""
        if self._contracts is None and self.directory and self.manifest.get("series"):
            table = storage.read_parts(
                self.directory / storage.CONTRACTS, storage.contracts_schema()
            )
            self._contracts = _frame(table, _DETAIL_ORDER[storage.CONTRACTS])
        return self._contracts

    @property
    def scenarios(self) -> list[Scenario]:
        """The scenarios of a comparison, or the base scenario of a sweep."""
        return [Scenario.from_dict(d) for d in self.manifest.get("scenarios", [])]

    def table(self, outcomes: Sequence[str] | None = None, level: float = 0.95) -> pd.DataFrame:
        """Mean and confidence interval of each outcome at each design point.

        The interval is Student's t interval of the mean over replications; NaN values
        (an outcome undefined in a run) are left out, and ``n`` counts the rest.

        Args:
            outcomes: Outcome names (default: all).
            level: Confidence level.

        Returns:
            One row per point and outcome, with columns ``point``, ``scenario``, the
            parameters the design varies, ``outcome``, ``n``, ``mean``, ``sd``,
            ``low`` and ``high``.
        """
        from scipy.special import stdtrit  # t quantile; lighter than scipy.stats

        outcomes = _outcome_list(outcomes)
        runs = self.runs
        keys = ["point", "scenario", *(self.design.parameters if self.design else ())]
        grouped = runs.groupby("point", sort=True)
        first = grouped[keys[1:]].first().reset_index()
        n = grouped[outcomes].count()
        mean = grouped[outcomes].mean()
        sd = grouped[outcomes].std(ddof=1)
        frames = []
        for name in outcomes:
            count = n[name].to_numpy()
            with np.errstate(all="ignore"):
                t = stdtrit(np.where(count > 1, count - 1, np.nan), 0.5 + level / 2)
                half = t * sd[name].to_numpy() / np.sqrt(count)
            m = mean[name].to_numpy()
            frames.append(
                first.assign(
                    outcome=name,
                    n=count,
                    mean=m,
                    sd=sd[name].to_numpy(),
                    low=m - half,
                    high=m + half,
                )
            )
        out = pd.concat(frames, ignore_index=True)
        # Stable sort on point keeps outcomes in the requested order within a point.
        return out.sort_values("point", kind="stable").reset_index(drop=True)

    def analyze(self, outcomes: Sequence[str] | None = None, level: float = 0.95) -> pd.DataFrame:
        """Sensitivity indices of a Sobol or Morris sweep, with confidence intervals.

        Replications are averaged per design point first.

        Returns:
            One row per outcome, index and parameter, with columns ``outcome``,
            ``index`` (``S1``, ``ST``, ``S2`` for Sobol; ``mu_star``, ``mu``,
            ``sigma`` for Morris), ``parameter`` (``a:b`` for ``S2``), ``value``,
            ``conf`` (CI half-width) and ``low``/``high``.

        Raises:
            DesignError: The batch is not a Sobol or Morris sweep, or lacks points.
        """
        if self.design is None:
            raise DesignError("a comparison has no sensitivity indices; run a sweep")
        return self.design.analyze(self.runs, _outcome_list(outcomes), level)


def markdown_table(results: Results, outcomes: Sequence[str] | None = None) -> str:
    """The comparison as a Markdown table: one row per outcome, one column per scenario
    or design point, cells ``mean [95% CI low, high]``."""
    outcomes = _outcome_list(outcomes)
    table = results.table(outcomes)
    points = table.drop_duplicates("point").sort_values("point")
    labels = list(points["scenario"].astype(str))
    if len(set(labels)) < len(labels):
        labels = [f"{p}: {name}" for p, name in zip(points["point"], labels, strict=True)]
    n = int(table["n"].max()) if len(table) else 0
    lines = [
        f"Mean [95% CI] over {n} replications per column.",
        "",
        "| outcome | unit | " + " | ".join(labels) + " |",
        "|---|---|" + "---|" * len(labels),
    ]
    for name in outcomes:
        sub = table[table["outcome"] == name].sort_values("point")
        cells = [
            "nan" if math.isnan(r.mean) else f"{_short(r.mean)} [{_short(r.low)}, {_short(r.high)}]"
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


def _outcome_list(outcomes: Sequence[str] | None) -> list[str]:
    if outcomes is None:
        return list(OUTCOMES)
    if isinstance(outcomes, str):
        outcomes = [outcomes]
    unknown = [o for o in outcomes if o not in OUTCOMES]
    if unknown:
        raise ExperimentError(f"unknown outcome {unknown[0]!r}; outcomes are {', '.join(OUTCOMES)}")
    return list(outcomes)


def _frame(table, keys: list[str]) -> pd.DataFrame:
    table = table.sort_by([(k, "ascending") for k in keys])
    return table.to_pandas().reset_index(drop=True)


def load_results(directory: str | Path) -> Results:
    """Read a results directory written by :func:`compare` or :func:`sweep`.

    Raises:
        ExperimentError: ``directory`` has no ``manifest.json``.
    """
    directory = Path(directory)
    manifest = storage.read_manifest(directory)
    if manifest is None:
        raise ExperimentError(f"{str(directory)!r} is not a results directory (no manifest)")
    return Results(directory=directory, manifest=manifest)


# --------------------------------------------------------------------------- running
_DETAIL_ORDER = {
    "series": ["point", "replication", "year"],
    "ngos": ["point", "replication", "ngo"],
    "contracts": ["point", "replication", "purchaser", "ngo", "start"],
}
"""Sort keys of each detail table."""

Task = tuple[int, int, int, Scenario]
"""One run: design point, replication, run seed, scenario."""


def run_tasks(tasks: Sequence[Task], series: bool) -> tuple[Any, dict[str, Any] | None]:
    """Run ``tasks`` in this process; return the Arrow table of runs and, with
    ``series``, the detail tables (yearly series, NGOs, final contracts) by name.

    This is the unit of work sent to executors, so it is a top-level function.
    """
    import pyarrow as pa

    rows = []
    frames: dict[str, list[pd.DataFrame]] = {name: [] for name in storage.DETAILS}
    for point, rep, seed, scenario in tasks:
        model = ContractingModel(scenario, rng=seed).run()
        ids = {"scenario": scenario.name, "point": point, "replication": rep, "seed": seed}
        rows.append({**ids, **dict(scenario), **model.summary()})
        if series:
            frames[storage.SERIES].append(model.series())
            frames[storage.NGOS].append(model.ngo_table())
            frames[storage.CONTRACTS].append(model.contract_table())
        _release(model)
    runs = pa.Table.from_pylist(rows, schema=storage.runs_schema())
    if not series:
        return runs, None
    details = {}
    for name, parts in frames.items():
        schema = storage.SCHEMAS[name]()
        # Identifiers are added once per chunk: a DataFrame.assign per run costs more
        # than a short run's other bookkeeping.
        lengths = [len(f) for f in parts]
        if not any(lengths):
            details[name] = schema.empty_table()
            continue
        ids = {k: np.repeat([r[k] for r in rows], lengths) for k in storage.ID_COLUMNS}
        table = pd.concat([f for f in parts if len(f)], ignore_index=True).assign(**ids)
        if "exit_year" in table:
            table["exit_year"] = pd.to_numeric(table["exit_year"], errors="coerce")
        details[name] = pa.Table.from_pandas(
            table[schema.names], schema=schema, preserve_index=False
        )
    return runs, details


def _release(model: ContractingModel) -> None:
    """Let a finished model be garbage-collected.

    Mesa's ``Agent._ids`` is a class-level dict keyed by model, so without this every
    model stays alive and a worker grows by its size with each run (mesa/mesa#3179).
    """
    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        ids.pop(model, None)


@dataclass
class _Plan:
    """What a batch runs: one scenario per design point, each replicated."""

    kind: str
    scenarios: list[Scenario]
    design: Design | None
    points: list[dict[str, Any]]
    replications: int
    seed: int
    series: bool
    done: set[tuple[int, int]] = field(default_factory=set)

    @property
    def n_runs(self) -> int:
        return len(self.points) * self.replications

    def scenario(self, point: int) -> Scenario:
        if self.kind == "compare":
            return self.scenarios[point]
        return self.scenarios[0].replace(**self.points[point])

    def tasks(self) -> Iterator[Task]:
        """Runs not yet done, in point-then-replication order."""
        for point in range(len(self.points)):
            reps = [r for r in range(self.replications) if (point, r) not in self.done]
            if not reps:
                continue
            scenario = self.scenario(point)
            for rep in reps:
                yield point, rep, run_seed(self.seed, point, rep), scenario

    def identity(self) -> dict[str, Any]:
        """What a resumed batch must share with the stored one."""
        return _plain(
            {
                "kind": self.kind,
                "scenarios": [s.to_dict() for s in self.scenarios],
                "design": self.design.describe() if self.design else None,
                "seed": self.seed,
                "replications": self.replications,
                "series": self.series,
                "simcontract_version": _version("simcontract"),
            }
        )


_IDENTITY_WORDS = {
    "kind": "kind of batch (compare or sweep)",
    "scenarios": "scenario",
    "design": "design",
    "seed": "base seed",
    "replications": "number of replications",
    "series": "series option",
    "simcontract_version": "simcontract version",
}


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _check_int(value: Any, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ExperimentError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def _scenarios(items: Any) -> list[Scenario]:
    if items is None:
        items = builtin_names()
    elif isinstance(items, str | Path | Scenario):
        items = [items]
    out = [load_scenario(s) for s in items]
    if not out:
        raise ExperimentError("no scenario to run")
    return out


def _prepare_dir(out: Path, plan: _Plan, resume: bool) -> dict[str, Any] | None:
    """Check the output directory; return its manifest when resuming into it."""
    if out.exists() and not out.is_dir():
        raise ExperimentError(f"output {str(out)!r} exists and is not a directory")
    manifest = storage.read_manifest(out) if out.is_dir() else None
    if not resume:
        if not storage.is_empty(out):
            raise ExperimentError(
                f"output directory {str(out)!r} is not empty; use resume to finish an "
                "interrupted batch there, or choose another directory"
            )
        return None
    if manifest is None:
        if storage.is_empty(out):
            return None
        raise ExperimentError(
            f"cannot resume in {str(out)!r}: it holds no manifest.json, so it is not a "
            "results directory"
        )
    stored = manifest.get("identity", {})
    ours = plan.identity()
    differ = [_IDENTITY_WORDS[k] for k in ours if stored.get(k) != ours[k]]
    if differ:
        raise ExperimentError(
            f"cannot resume in {str(out)!r}: its manifest.json records a different "
            f"{' and '.join(differ)}; rerun with the same settings or choose another "
            "directory"
        )
    return manifest


def _manifest(plan: _Plan, started: str) -> dict[str, Any]:
    return {
        "format": "simcontract-results/1",
        "kind": plan.kind,
        "status": "running",
        "simcontract_version": _version("simcontract"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "versions": {p: _version(p) for p in ("mesa", "numpy", "pandas", "pyarrow", "SALib")},
        "scenarios": [s.to_dict() for s in plan.scenarios],
        "design": plan.design.describe() if plan.design else None,
        "n_points": len(plan.points),
        "replications": plan.replications,
        "n_runs": plan.n_runs,
        "seed": plan.seed,
        "run_seeds": SEED_RULE,
        "series": plan.series,
        "outcomes": list(OUTCOMES),
        "identity": plan.identity(),
        "started": started,
        "finished": None,
        "sessions": [],
    }


def _executor_width(executor: cf.Executor, workers: int | None) -> int:
    if workers:
        return workers
    client = getattr(executor, "_client", None)  # a Dask ClientExecutor
    if client is not None:
        try:
            return max(1, sum(client.nthreads().values()))
        except Exception:  # sizing is only a hint
            pass
    return getattr(executor, "_max_workers", None) or os.cpu_count() or 1


def _chunks(tasks: Iterable[Task], size: int) -> Iterator[list[Task]]:
    chunk: list[Task] = []
    for task in tasks:
        chunk.append(task)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _show_progress(progress: bool | None) -> bool:
    if progress is None:
        return sys.stderr.isatty() and not os.environ.get("CI")
    return bool(progress)


def _execute(
    plan: _Plan,
    *,
    workers: int | None,
    executor: cf.Executor | None,
    out: str | Path | None,
    resume: bool,
    progress: bool | None,
    chunk_size: int | None,
    command: Sequence[str] | None = None,
) -> Results:
    """Run the plan's missing runs on the chosen executor, streaming to ``out``."""
    if workers is not None:
        workers = _check_int(workers, "workers", 1)
    if chunk_size is not None:
        chunk_size = _check_int(chunk_size, "chunk_size", 1)
    if executor is not None and not isinstance(executor, cf.Executor):
        raise ExperimentError(
            f"executor must be a concurrent.futures.Executor, got {type(executor).__name__}"
        )
    if resume and out is None:
        raise ExperimentError("resume needs an output directory (out=)")
    directory = Path(out) if out is not None else None
    started = _now()
    manifest = None
    if directory is not None:
        manifest = _prepare_dir(directory, plan, resume)
        if manifest is not None:
            storage.clean(directory)
            plan.done = storage.done_runs(directory)
        else:
            manifest = _manifest(plan, started)
        if command is not None:
            manifest["command"] = list(command)
        session = {"started": started, "finished": None, "status": "running"}
        manifest["sessions"].append(session)
        manifest["status"] = "running"
        directory.mkdir(parents=True, exist_ok=True)
        storage.write_manifest(directory, manifest)
    n_session = len(manifest["sessions"]) - 1 if manifest else 0

    if executor is not None:
        width = _executor_width(executor, workers)
    else:
        width = workers or os.cpu_count() or 1
    missing = plan.n_runs - len(plan.done)
    width = max(1, min(width, missing))
    if chunk_size is None:
        # Small enough to flush often and balance load, large enough to amortise
        # the per-chunk overhead (pickling, one Parquet part per chunk).
        chunk_size = max(1, min(64, math.ceil(missing / (width * 8))))

    kept_runs: list[Any] = []
    kept_details: dict[str, list[Any]] = {name: [] for name in storage.DETAILS}
    counter = [0]

    def store(result: tuple[Any, dict[str, Any] | None]) -> int:
        runs, details = result
        if directory is None:
            kept_runs.append(runs)
            for name, table in (details or {}).items():
                kept_details[name].append(table)
        else:
            name = f"part-{n_session:03d}-{counter[0]:06d}.parquet"
            counter[0] += 1
            # Details first: a runs part marks its chunk as finished (see resume).
            for folder, table in (details or {}).items():
                storage.write_part(directory / folder, name, table)
            storage.write_part(directory / storage.RUNS, name, runs)
        return runs.num_rows

    status = "failed"
    try:
        from tqdm.auto import tqdm

        with tqdm(
            total=plan.n_runs,
            initial=len(plan.done),
            unit="run",
            desc=plan.kind,
            disable=not _show_progress(progress),
            file=sys.stderr,
            dynamic_ncols=True,
        ) as bar:
            chunks = _chunks(plan.tasks(), chunk_size)
            if executor is None and width == 1:
                for chunk in chunks:
                    bar.update(store(run_tasks(chunk, plan.series)))
            elif executor is not None:
                _pump(executor, chunks, plan.series, 2 * width, lambda r: bar.update(store(r)))
            else:
                pool = cf.ProcessPoolExecutor(max_workers=width, mp_context=process_context())
                try:
                    _pump(pool, chunks, plan.series, 2 * width, lambda r: bar.update(store(r)))
                finally:
                    pool.shutdown(wait=True, cancel_futures=True)
        status = "complete"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        if directory is not None and manifest is not None:
            finished = _now()
            manifest["sessions"][-1].update(finished=finished, status=status)
            manifest["status"] = status
            if status == "complete":
                manifest["finished"] = finished
            storage.write_manifest(directory, manifest)

    if directory is None:
        import pyarrow as pa

        runs = _frame(pa.concat_tables(kept_runs), ["point", "replication"])
        details = {
            name: _frame(pa.concat_tables(tables), _DETAIL_ORDER[name])
            for name, tables in kept_details.items()
            if plan.series and tables
        }
        manifest = _manifest(plan, started)
        manifest.update(status="complete", finished=_now())
        return Results(
            runs,
            details.get(storage.SERIES),
            ngos=details.get(storage.NGOS),
            contracts=details.get(storage.CONTRACTS),
            manifest=manifest,
        )
    results = load_results(directory)
    storage.write_text(directory / storage.TABLE, results.table().to_csv(index=False))
    return results


def _pump(
    executor: cf.Executor,
    chunks: Iterator[list[Task]],
    series: bool,
    limit: int,
    done: Callable[[tuple[Any, Any]], Any],
) -> None:
    """Keep at most ``limit`` chunks in flight; hand each result to ``done``."""
    pending: set[cf.Future] = set()
    try:
        for chunk in chunks:
            if len(pending) >= limit:
                finished, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for future in finished:
                    done(future.result())
            pending.add(executor.submit(run_tasks, chunk, series))
        for future in cf.as_completed(pending):
            done(future.result())
        pending = set()
    finally:
        for future in pending:
            future.cancel()


# --------------------------------------------------------------------------- public API
def compare(
    scenarios: Iterable[str | Path | Scenario] | str | Path | Scenario | None = None,
    replications: int = 30,
    seed: int = 0,
    workers: int | None = None,
    out: str | Path | None = None,
    series: bool = False,
    *,
    executor: cf.Executor | None = None,
    resume: bool = False,
    progress: bool | None = False,
    chunk_size: int | None = None,
    command: Sequence[str] | None = None,
) -> Results:
    """Run each scenario ``replications`` times and collect the outcomes.

    Args:
        scenarios: Built-in names, TOML paths or ``Scenario`` objects; design point
            ``i`` is the ``i``-th scenario. ``None`` compares every built-in scenario.
        replications: Runs per scenario (>= 1).
        seed: Base seed (>= 0); see :func:`run_seed`.
        workers: Processes to use: 1 runs in this process; ``None`` uses every core.
        out: Results directory; runs stream there as Parquet parts (see
            :mod:`simcontract.experiment.storage`). ``None`` keeps everything in memory.
        series: Also keep every run's yearly series, NGO table and final contracts.
        executor: A ``concurrent.futures.Executor`` to run on instead (e.g. a Dask
            ``Client(...).get_executor()``); it is not shut down.
        resume: Finish an interrupted batch in ``out``, running only missing runs.
        progress: Show a progress bar on stderr; ``None``: only on a terminal and
            when the ``CI`` environment variable is not set.
        chunk_size: Runs per unit of work (and per Parquet part); default adapts to
            the batch size.
        command: Command line recorded in the manifest.

    Raises:
        ScenarioError: A scenario cannot be loaded.
        ExperimentError: Bad option or unusable output directory.
    """
    plan = _Plan(
        kind="compare",
        scenarios=_scenarios(scenarios),
        design=None,
        points=[],
        replications=_check_int(replications, "replications", 1),
        seed=_check_int(seed, "seed", 0),
        series=bool(series),
    )
    plan.points = [{} for _ in plan.scenarios]
    return _execute(
        plan,
        workers=workers,
        executor=executor,
        out=out,
        resume=resume,
        progress=progress,
        chunk_size=chunk_size,
        command=command,
    )


def sweep(
    base: str | Path | Scenario | None,
    design: Design | Mapping[str, Any],
    replications: int = 10,
    seed: int = 0,
    workers: int | None = None,
    executor: cf.Executor | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    series: bool = False,
    *,
    progress: bool | None = False,
    chunk_size: int | None = None,
    command: Sequence[str] | None = None,
) -> Results:
    """Run every point of a design on a base scenario, ``replications`` times each.

    Args:
        base: The scenario the design changes (name, path, ``Scenario`` or ``None``
            for the registry defaults).
        design: A :class:`~simcontract.experiment.designs.Design`, or a dict of value lists (a
            full factorial grid).
        replications: Runs per design point (>= 1).
        seed: Base seed (>= 0); see :func:`run_seed`.
        workers, executor, out, resume, series, progress, chunk_size, command: As for
            :func:`compare`.

    Raises:
        DesignError: A bad design, or a point that is not a valid scenario (e.g. shares
            summing above 1).
        ScenarioError: The base scenario cannot be loaded.
        ExperimentError: Bad option or unusable output directory.
    """
    scenario = load_scenario(base)
    design = as_design(design)
    points = check_points(scenario, design)
    plan = _Plan(
        kind="sweep",
        scenarios=[scenario],
        design=design,
        points=points,
        replications=_check_int(replications, "replications", 1),
        seed=_check_int(seed, "seed", 0),
        series=bool(series),
    )
    return _execute(
        plan,
        workers=workers,
        executor=executor,
        out=out,
        resume=resume,
        progress=progress,
        chunk_size=chunk_size,
        command=command,
    )


__all__ = [
    "KEY_OUTCOMES",
    "ExperimentError",
    "Results",
    "compare",
    "load_results",
    "run_seed",
    "run_tasks",
    "sweep",
]
