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
  Its seed (column ``seed``) is :func:`~simcontract.experiment.runner.run_seed` of the
  base seed and the replication, the same at every design point (common random
  numbers), so ``ContractingModel(scenario, rng=seed)`` repeats the run alone, paired
  differences between points are meaningful, and results do not depend on the
  executor, the number of workers or completion order.
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import math
import os
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simcontract import gcpause, i18n
from simcontract.callers import caller_level
from simcontract.experiment import exports, limits, lock, messages, runner, storage
from simcontract.experiment import plan as plans
from simcontract.experiment.designs import Design, as_design, check_points
from simcontract.experiment.results import Results
from simcontract.experiment.runner import ExperimentError, check_flag, check_int
from simcontract.marketsize import check_market_size
from simcontract.model import ContractingModel
from simcontract.scenario import (
    Scenario,
    ScenarioError,
    ScenarioWarning,
    builtin_names,
    load_scenario,
)

_said = partial(messages.error, "batches")


def run_tasks(tasks: Sequence[plans.Task], series: bool) -> tuple[Any, dict[str, Any] | None]:
    """Run ``tasks`` in this process; return the Arrow table of runs and, with
    ``series``, the detail tables (yearly series, NGOs, final contracts) by name.

    This is the unit of work sent to executors, so it is a top-level function.
    """
    import pyarrow as pa

    rows = []
    frames: dict[str, list[pd.DataFrame]] = {name: [] for name in storage.DETAILS}
    with gcpause.paused():
        for point, rep, seed, scenario in tasks:
            try:
                model = ContractingModel(scenario, rng=seed).run()
            except ScenarioError as err:  # a run outgrew the memory: say which one
                said = {"scenario": repr(scenario.name), "point": point, "seed": seed}
                stopped = _said("run_stopped", replication=rep, error=str(err), **said)
                raise ScenarioError(stopped) from None
            ids = {"scenario": scenario.name, "point": point, "replication": rep, "seed": seed}
            # The rules of model year 1: a dated change of year 1 applies from the start.
            rows.append({**ids, **dict(scenario.at_year(1)), **model.summary()})
            if series:
                frames[storage.SERIES].append(model.series())
                frames[storage.NGOS].append(model.ngo_table())
                frames[storage.CONTRACTS].append(model.contract_table())
            model.release()
            del model
            gcpause.free_run()
    runs = pa.Table.from_pylist(rows, schema=storage.runs_schema())
    if not series:
        return runs, None
    return runs, {name: _detail(name, parts, rows) for name, parts in frames.items()}


def run_chunk(
    tasks: Sequence[plans.Task], series: bool
) -> tuple[str, Any, dict[str, Any] | None, float]:
    """:func:`run_tasks`, with the model code of the process that ran them first
    (:func:`~simcontract.experiment.plan.model_code`), so that the batch can refuse runs
    of other code (a cluster's worker with another version installed), and the seconds
    they took last (so that the batch can size its next chunks, :class:`_Pace`)."""
    started = time.perf_counter()
    runs, details = run_tasks(tasks, series)
    return plans.model_code(), runs, details, time.perf_counter() - started


def _detail(name: str, parts: list[pd.DataFrame], rows: list[dict[str, Any]]) -> Any:
    """Detail table ``name`` of a chunk's runs, with each run's identifiers."""
    import pyarrow as pa

    schema = storage.SCHEMAS[name]()
    lengths = [len(f) for f in parts]
    if not any(lengths):
        return schema.empty_table()
    # Identifiers are added once per chunk: a DataFrame.assign per run costs more than
    # a short run's other bookkeeping.
    ids = {k: np.repeat([r[k] for r in rows], lengths) for k in storage.ID_COLUMNS}
    table = pd.concat([f for f in parts if len(f)], ignore_index=True).assign(**ids)
    if "exit_year" in table:
        table["exit_year"] = pd.to_numeric(table["exit_year"], errors="coerce")
    return pa.Table.from_pandas(table[schema.names], schema=schema, preserve_index=False)


class _Sink:
    """Where finished chunks go: Parquet parts in ``directory`` (each with the batch's
    ``tag``, :func:`~simcontract.experiment.storage.batch_tag`), or memory."""

    def __init__(
        self, directory: Path | None, session: int, code: str | None, tag: str | None = None
    ) -> None:
        self.directory = directory
        self.session = session
        self.code = code
        self.tag = tag
        self.parts = 0
        self.kept: dict[str, list[Any]] = {storage.RUNS: []}
        self.kept.update({name: [] for name in storage.DETAILS})

    def store(self, result: tuple[str, Any, dict[str, Any] | None, float]) -> None:
        """Keep a chunk's runs, unless other code than :attr:`code` (when not ``None``)
        made them.

        Raises:
            ForeignCode: The chunk was run by other code than the batch's.
        """
        code, runs, details = result[:3]  # a worker of older code sends no seconds
        if self.code is not None and code != self.code:
            raise runner.ForeignCode(_said("foreign_code", code=code, ours=self.code))
        if self.directory is None:
            for name, table in {storage.RUNS: runs, **(details or {})}.items():
                self.kept[name].append(table)
            return
        name = f"part-{self.session:03d}-{self.parts:06d}.parquet"
        self.parts += 1
        # Details first: a runs part marks its chunk as finished (see resume).
        for folder, table in (details or {}).items():
            storage.write_part(self.directory / folder, name, storage.tagged(table, self.tag))
        storage.write_part(self.directory / storage.RUNS, name, storage.tagged(runs, self.tag))

    def results(self, plan: plans.Plan, started: str) -> Results:
        """The batch's results, from memory or from the directory."""
        if self.directory is not None:
            manifest = storage.read_manifest(self.directory)
            results = Results(directory=self.directory, manifest=manifest)
            exports.write_folder(results)
            plans.record_outputs(self.directory)
            results.manifest = storage.read_manifest(self.directory)
            return results
        import pyarrow as pa

        frames = {
            name: storage.to_frame(pa.concat_tables(tables), name)
            for name, tables in self.kept.items()
            if tables
        }
        manifest = plan.manifest(started)
        manifest.update(status="complete", finished=plans.now())
        return Results(
            frames[storage.RUNS],
            frames.get(storage.SERIES),
            ngos=frames.get(storage.NGOS),
            contracts=frames.get(storage.CONTRACTS),
            manifest=manifest,
        )


def _chunks(tasks: Iterable[plans.Task], size: Callable[[], int]) -> Iterator[list[plans.Task]]:
    """The tasks in chunks of ``size()`` tasks, asked afresh for each chunk."""
    tasks = iter(tasks)
    while chunk := list(itertools.islice(tasks, size())):
        yield chunk


CHUNK_SECONDS = 10.0
"""About how long a chunk of runs may take. A chunk's runs are stored when the whole
chunk is done, so a stop loses the chunks running: at most about this much of each
worker's work. Chunks of fast runs stay as :func:`_chunk_size` makes them."""


class _Pace:
    """How long a run takes, as the finished chunks tell; until one has, chunks of one
    run (a run of a large market can take a minute)."""

    def __init__(self) -> None:
        self.runs = 0
        self.seconds = 0.0

    def observe(self, result: tuple[str, Any, dict[str, Any] | None, float]) -> None:
        """Count a finished chunk's runs and seconds."""
        self.runs += result[1].num_rows
        self.seconds += result[3]

    def limit(self, size: int) -> int:
        """``size``, cut to the runs that fit in :data:`CHUNK_SECONDS`."""
        if not self.runs:
            return 1
        per_run = self.seconds / self.runs
        return size if per_run <= 0 else max(1, min(size, int(CHUNK_SECONDS / per_run)))


def _chunk_size(missing: int, width: int) -> int:
    """Runs per chunk for ``missing`` runs on ``width`` workers: small enough to flush
    often and balance load, large enough to amortise the per-chunk overhead (pickling,
    one Parquet part per chunk). On a cluster with no worker yet, whose size is not
    known, one run: the next chunks follow its size once workers join."""
    if width < 1:
        return 1
    return max(1, min(64, math.ceil(missing / (width * 8))))


def _execute(
    plan: plans.Plan,
    workers: int | None,
    executor: cf.Executor | None,
    out: str | Path | None,
    resume: bool,
    progress: bool | None,
    chunk_size: int | None,
    command: Sequence[str] | None,
) -> Results:
    """Run the plan's missing runs on the chosen executor, streaming to ``out``.

    Bad options fail before the directory is touched; the directory is locked while the
    batch writes it.
    """
    if runner.width(workers, executor) > 1 and executor is None:
        # A bad SIMCONTRACT_START_METHOD, or workers that cannot start, before the
        # folder is written.
        runner.check_main_script()
    if chunk_size is not None:
        chunk_size = check_int(chunk_size, "chunk_size", 1)
    # A bad SIMCONTRACT_LOG_SECONDS is told before the folder is written.
    runner.log_progress(check_flag(progress, "progress", none=True))
    directory = _output(out, check_flag(resume, "resume"))
    if command is not None and (
        isinstance(command, str) or not all(isinstance(c, str) for c in command)
    ):
        raise TypeError(messages.error("types", "command", given=repr(command)))
    if directory is None:
        return _run(plan, None, None, workers, executor, progress, chunk_size)
    plans.check_directory(directory, resume)
    with lock.hold(directory, command):
        opened = partial(plans.open_directory, directory, plan, resume, command)
        return _run(plan, directory, opened, workers, executor, progress, chunk_size)


def _output(out: Any, resume: bool) -> Path | None:
    """The output directory ``out`` as a ``Path`` (``None``: keep results in memory)."""
    if out is None:
        if resume:
            raise ExperimentError(_said("resume_needs_out"))
        return None
    if not isinstance(out, str | os.PathLike):
        raise TypeError(messages.error("types", "out", given=type(out).__name__))
    if not str(out).strip():
        raise ExperimentError(_said("out_empty", out=repr(str(out))))
    return Path(out)


def _run(
    plan: plans.Plan,
    directory: Path | None,
    opened: Callable[[], dict[str, Any]] | None,
    workers: int | None,
    executor: cf.Executor | None,
    progress: bool | None,
    chunk_size: int | None,
) -> Results:
    """Open the session in ``directory`` (``opened`` gives its manifest), run the plan's
    missing runs and record how the session ended, also when a signal ends it."""
    started = plans.now()
    manifest = None
    status = "failed"
    try:
        with runner.deferred_signals():  # the session opens whole, then ends as recorded
            manifest = opened() if opened is not None else None
        missing = plan.n_runs - len(plan.done)
        width: int | None = runner.width(workers, executor, limit=missing)
        if executor is not None and workers is None:
            width = None  # follow the executor's size: a cluster may grow or shrink

        pace = _Pace()

        def size() -> int:
            if chunk_size is not None:
                return chunk_size
            if width is None:
                return pace.limit(_chunk_size(missing, runner.executor_width(executor)))
            return pace.limit(_chunk_size(missing, width))

        def store(index: int, result: tuple[str, Any, dict[str, Any] | None, float]) -> None:
            sink.store(result)  # first: it refuses the runs of other code
            pace.observe(result)

        code = None
        if executor is not None:
            # Only an executor's workers may have another installation. This process and
            # its own pool run the code it started with; a fingerprint read from disk
            # later in a worker would count an edit made since as other code.
            code = (manifest or {}).get("identity", {}).get("model_code") or plans.model_code()
        session = len(manifest["sessions"]) - 1 if manifest else 0
        # The stored identity, not the plan's: a resumed batch's parts are tagged as its
        # first ones were (a manifest from before model codes lacks one).
        tag = storage.batch_tag(manifest["identity"]) if manifest else None
        sink = _Sink(directory, session, code, tag)
        runner.run_units(
            partial(run_chunk, series=plan.series),
            _chunks(plan.tasks(), size),
            store,
            bar=runner.Progress(plan.n_runs, plan.kind, "run", len(plan.done)),
            workers=width,
            executor=executor,
            progress=progress,
            size=len,
        )
        status = "complete"
    except (KeyboardInterrupt, runner.WorkerLost):
        status = "interrupted"
        raise
    finally:
        if directory is not None and manifest is not None:
            _close_session(directory, manifest, status)
    return sink.results(plan, started)


def _close_session(directory: Path, manifest: dict[str, Any], status: str) -> None:
    """Record how the session ended. When it ended by an error (a full disk, a lost
    worker) and the manifest cannot be written either, that error is the one to tell:
    the session then stays recorded as running, which a resume or ``simcontract check``
    reads as interrupted."""
    try:
        plans.close_session(directory, manifest, status)
    except OSError:
        if status == "complete":
            raise


def compare(
    scenarios: Iterable[str | Path | Scenario] | str | Path | Scenario | None = None,
    *,
    replications: int = 30,
    seed: int = 0,
    workers: int | None = None,
    executor: cf.Executor | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    series: bool = False,
    progress: bool | None = False,
    chunk_size: int | None = None,
    command: Sequence[str] | None = None,
) -> Results:
    """Run each scenario ``replications`` times and collect the outcomes.

    Args:
        scenarios: Built-in names, TOML paths or ``Scenario`` objects; design point
            ``i`` is the ``i``-th scenario. ``None`` compares every built-in scenario.
        replications: Runs per scenario (>= 1).
        seed: Base seed (>= 0); replication ``r`` of every scenario runs with
            ``run_seed(seed, r)`` (see :func:`~simcontract.experiment.runner.run_seed`).
        workers: Processes to use: 1 runs in this process; ``None`` uses every core
            (with ``executor``: how many chunks of runs it takes at once; ``None``
            follows its size as it changes, e.g. a Dask cluster that grows).
        executor: A ``concurrent.futures.Executor`` to run on instead (e.g. a Dask
            ``Client(...).get_executor()``); it is not shut down.
        out: Results directory; runs stream there as Parquet parts (see
            :mod:`simcontract.experiment.storage`). ``None`` keeps everything in memory.
        resume: Finish an interrupted batch in ``out``, running only missing runs.
        series: Also keep every run's yearly series, NGO table and final contracts.
        progress: Show a progress bar on stderr; ``None`` (the command line's choice):
            a bar on a terminal, plain lines at most once a minute elsewhere (a
            log; see :func:`~simcontract.experiment.runner.log_progress`), nothing
            when the ``CI`` environment variable is set.
        chunk_size: Runs per unit of work (and per Parquet part); default adapts to
            the batch size and to how long a run takes (at most about
            :data:`~simcontract.experiment.batches.CHUNK_SECONDS` of runs).
        command: Command line recorded in the manifest.

    Raises:
        ScenarioError: A scenario cannot be loaded, or is too large to run
            (:func:`~simcontract.marketsize.check_market_size`).
        ExperimentError: Bad option or unusable output directory.
        TypeError: A flag (``series``, ``resume``, ``progress``) that is not a bool.
        WorkerLost: A worker died, the executor's cluster was lost
            (:class:`~simcontract.experiment.runner.ClusterLost`) or a worker ran other
            simcontract code (:class:`~simcontract.experiment.runner.ForeignCode`); what
            was stored stays, and ``resume`` finishes the batch.
    """
    chosen = _scenarios(scenarios)
    replications = check_int(replications, "replications", 1)
    series = check_flag(series, "series")
    largest = max(chosen, key=lambda s: s["n_cities"] * s["initial_ngos"] * s["years"])
    in_memory = out is None
    limits.check_batch(
        "compare", len(chosen), replications, largest, series=series, in_memory=in_memory
    )
    plan = plans.Plan("compare", chosen, None, [], replications, seed, series)
    return _execute(plan, workers, executor, out, resume, progress, chunk_size, command)


def sweep(
    base: str | Path | Scenario | None,
    design: Design | Mapping[str, Any],
    *,
    replications: int = 10,
    seed: int = 0,
    workers: int | None = None,
    executor: cf.Executor | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    series: bool = False,
    progress: bool | None = False,
    chunk_size: int | None = None,
    command: Sequence[str] | None = None,
) -> Results:
    """Run every point of a design on a base scenario, ``replications`` times each.

    Args:
        base: The scenario the design changes (name, path, ``Scenario`` or ``None``
            for the registry defaults).
        design: A :class:`~simcontract.experiment.designs.Design`, or a dict of value
            lists (a full factorial grid).
        replications: Runs per design point (>= 1).
        seed, workers, executor, out, resume, series, progress, chunk_size, command: As
            for :func:`compare`.

    Raises:
        DesignError: A bad design, or a point that is not a valid scenario (e.g. shares
            summing above 1) or is too large to run.
        ScenarioError: The base scenario cannot be loaded.
        ExperimentError: Bad option or unusable output directory.
        TypeError: A flag (``series``, ``resume``, ``progress``) that is not a bool.
        WorkerLost: As for :func:`compare`.

    Warns:
        ScenarioWarning: A parameter the design varies is set again by a dated rule
            change of the scenario (its values hold only until that year).
    """
    scenario = load_scenario(base)
    design = as_design(design)
    by_design = i18n.error_text("scenario", "by_design")
    for line in scenario.superseded(design.parameters, by_design):
        named = i18n.error_text("scenario", "named_warning", name=repr(scenario.name), line=line)
        warnings.warn(ScenarioWarning(named), stacklevel=caller_level())
    replications = check_int(replications, "replications", 1)
    series = check_flag(series, "series")
    limits.check_batch(
        "sweep",
        len(design),
        replications,
        scenario,
        n_parameters=len(design.parameters),
        series=series,
        in_memory=out is None,
    )
    points = check_points(scenario, design)
    plan = plans.Plan("sweep", [scenario], design, points, replications, seed, series)
    return _execute(plan, workers, executor, out, resume, progress, chunk_size, command)


def _scenarios(items: Any) -> list[Scenario]:
    if items is None:
        items = builtin_names()
    elif isinstance(items, str | os.PathLike | Scenario):
        items = [items]
    elif not isinstance(items, Iterable) or isinstance(items, Mapping | bytes):
        raise TypeError(messages.error("types", "scenarios", given=type(items).__name__))
    items = list(items)
    out = [load_scenario(s) for s in items]
    if not out:
        raise ExperimentError(_said("no_scenario"))
    for scenario in out:  # before any run, so that no batch stops half-way
        check_market_size(scenario)
    _warn_scenarios(items, out)
    return out


def compare_own(scenarios: Any, **options: Any) -> Results:
    """:func:`compare` for the package's own comparisons (a pattern's arms, a
    decomposition's coalitions, a robustness design's points), whose scenarios share
    names by design and are told apart by their points: without
    :class:`BatchScenarioWarning`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BatchScenarioWarning)
        return compare(scenarios, **options)


class BatchScenarioWarning(ScenarioWarning):
    """The scenarios of a comparison as given from Python: two share a name, or one
    given as a :class:`~simcontract.scenario.Scenario` has a rule change its run never
    reaches (said again of a scenario loaded from a file, as it may have been shortened
    since; one given by name or path was said as it loaded). The command line says the
    same of its arguments in its own terms."""


def _warn_scenarios(items: list[Any], scenarios: list[Scenario]) -> None:
    """Warn (:class:`BatchScenarioWarning`) of what the tables of a comparison of
    ``scenarios`` (from ``items``) would hide."""
    lines = [
        i18n.error_text("scenario", "named_warning", name=repr(scenario.name), line=line)
        for item, scenario in zip(items, scenarios, strict=True)
        if isinstance(item, Scenario)
        for line in scenario.unreached_changes()
    ]
    names = [s.name for s in scenarios]
    for name in sorted({n for n in names if names.count(n) > 1}):
        at = messages.listed(f"#{i}" for i, n in enumerate(names, 1) if n == name)
        lines.append(_said("same_name", at=at, name=repr(name)))
    for line in lines:
        warnings.warn(BatchScenarioWarning(line), stacklevel=caller_level())
