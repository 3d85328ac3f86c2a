"""The runner: units of work run serially, on local processes or on any executor.

Every batch of simcontract runs through :func:`run_units`: comparisons and sweeps
(chunks of runs), validation and calibration (their comparisons) and split runs (groups
of cities). It runs the units in this process, on a local process pool or on a given
``concurrent.futures.Executor`` (e.g. Dask's ``Client.get_executor()``), keeps a bounded
number of units in flight, shows one kind of progress bar and shuts its pool down
cleanly, also when interrupted.

The seed rule of every batch is here too (:func:`run_seed`).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import multiprocessing.context
import os
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

Unit = TypeVar("Unit")
Result = TypeVar("Result")

SEED_RULE = (
    "run seed = numpy.random.SeedSequence(seed, spawn_key=(replication,))"
    ".generate_state(1, dtype=numpy.uint64)[0] >> 1, the same at every design point "
    "(common random numbers); stored per run in column 'seed'"
)
"""The seed rule as the manifest records it (``run_seeds``)."""


class ExperimentError(ValueError):
    """A batch cannot run as asked: bad option, unusable output directory, or a
    resume that does not match what the directory holds."""


def run_seed(seed: int, replication: int) -> int:
    """Seed of replication ``replication`` of a batch with base seed ``seed``.

    Every design point of a batch gets the same seed for the same replication (common
    random numbers), so points differ only by their parameters and paired differences
    between them are meaningful. The seed is a 63-bit non-negative integer (fits a
    signed 64-bit column), drawn from
    ``numpy.random.SeedSequence(seed, spawn_key=(replication,))``.
    """
    state = np.random.SeedSequence(seed, spawn_key=(replication,)).generate_state(
        1, dtype=np.uint64
    )[0]
    return int(state >> np.uint64(1))


def check_int(value: Any, name: str, low: int) -> int:
    """``value`` as an ``int`` when it is an integer ``>= low``.

    Raises:
        ExperimentError: Not an integer, or below ``low``.
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ExperimentError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def show_progress(progress: bool | None) -> bool:
    """Whether to show a progress bar: ``None`` means only when stderr is a terminal
    and the ``CI`` environment variable is not set."""
    if progress is None:
        return sys.stderr.isatty() and not os.environ.get("CI")
    return bool(progress)


def width(workers: int | None, executor: cf.Executor | None, limit: int | None = None) -> int:
    """How many units run at once: ``workers``, else the executor's size or the cores,
    never more than ``limit`` (the units to run) and never less than 1.

    Raises:
        ExperimentError: ``workers`` below 1, or ``executor`` not an Executor.
    """
    if workers is not None:
        workers = check_int(workers, "workers", 1)
    if executor is not None and not isinstance(executor, cf.Executor):
        raise ExperimentError(
            f"executor must be a concurrent.futures.Executor, got {type(executor).__name__}"
        )
    size = workers or (_executor_size(executor) if executor else None) or os.cpu_count() or 1
    return max(1, min(size, limit) if limit is not None else size)


def _executor_size(executor: cf.Executor) -> int | None:
    client = getattr(executor, "_client", None)  # a Dask ClientExecutor
    if client is not None:
        try:
            return max(1, sum(client.nthreads().values()))
        except Exception:  # sizing is only a hint
            pass
    return getattr(executor, "_max_workers", None)


def process_context() -> multiprocessing.context.BaseContext:
    """The multiprocessing context of local worker pools.

    Importing Mesa's batch runner sets the global start method to "spawn", which cannot
    start workers from piped scripts and pays a full interpreter start per worker;
    "fork" (where the platform has it) starts them from the running interpreter.
    """
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


@dataclass(frozen=True)
class Progress:
    """What the progress bar counts.

    Attributes:
        total: Everything there is to do (e.g. runs).
        label: Name shown before the bar.
        unit: What one step of the bar is (``"run"``, ``"city-year"``).
        initial: What is already done (a resumed batch).
    """

    total: int
    label: str
    unit: str = "run"
    initial: int = 0


_ticker: Callable[[int], Any] | None = None
"""Where :func:`tick` reports to while a unit runs (in this process or a pool worker)."""


def tick(amount: int = 1) -> None:
    """Count ``amount`` steps of progress from inside a unit of work (e.g. a model year).

    Heard when the unit runs in this process or on the runner's own process pool;
    elsewhere (another executor) the unit counts when it finishes.
    """
    if _ticker is not None:
        _ticker(amount)


def _listen(steps: Any) -> None:
    """Initialise a pool worker: send its ticks to the ``steps`` queue."""
    global _ticker
    _ticker = steps.put


def run_units(
    work: Callable[[Unit], Result],
    units: Iterable[Unit],
    done: Callable[[int, Result], Any],
    *,
    bar: Progress,
    workers: int = 1,
    executor: cf.Executor | None = None,
    progress: bool | None = False,
    size: Callable[[Unit], int] | None = None,
    ticks: bool = False,
) -> None:
    """Run ``work`` on every unit; hand each result to ``done(index, result)``.

    Results arrive in completion order, with the unit's index in ``units``. At most
    twice ``workers`` units are in flight, so ``units`` may be a long lazy iterable.

    Args:
        work: The unit of work; a top-level function (or a ``functools.partial`` of
            one) so that it reaches worker processes.
        units: What to run, in order.
        done: Called in this process with each unit's index and result.
        bar: What the progress bar counts.
        workers: Units run at once (see :func:`width`); without ``executor``, 1 runs
            them in this process and more on a local process pool.
        executor: Run on this executor instead; it is not shut down.
        progress: Show the progress bar on stderr (see :func:`show_progress`).
        size: Steps of progress a unit makes (default 1).
        ticks: Units report their steps themselves with :func:`tick` as they go
            (heard in this process and on the local pool; on ``executor`` a unit
            counts ``size`` steps when it finishes).
    """
    steps = size or (lambda unit: 1)
    # Fork the workers before any thread starts (the bar's monitor, the relay of
    # ticks): a fork copies no thread, but every lock a thread holds.
    pool = None
    try:
        if executor is None and workers > 1:
            pool = _LocalPool(workers, ticks)
        with _progress_bar(bar, progress) as shown:

            def finished(unit: Any) -> None:
                shown.update(steps(unit))

            counted = _uncounted if ticks else finished
            if executor is not None:
                _pump(executor, work, units, done, 2 * workers, finished)
            elif pool is None:
                _serial(work, units, done, shown.update if ticks else None, counted)
            else:
                pool.relay(shown.update if ticks else None)
                _pump(pool.executor, work, units, done, 2 * workers, counted)
                pool.close()  # every tick in before the bar closes
    finally:
        if pool is not None:
            pool.close()


class _Hidden:
    """A progress bar that shows nothing (and, unlike a disabled tqdm, starts no thread)."""

    def update(self, n: int = 1) -> None:
        """Count nothing."""


def _progress_bar(bar: Progress, progress: bool | None) -> Any:
    """A tqdm bar on stderr as a context manager, or a hidden one."""
    if not show_progress(progress):
        return contextlib.nullcontext(_Hidden())
    from tqdm.auto import tqdm

    return tqdm(
        total=bar.total,
        initial=bar.initial,
        unit=bar.unit,
        desc=bar.label,
        file=sys.stderr,
        dynamic_ncols=True,
    )


def _uncounted(unit: Any) -> None:
    """A unit that has ticked its steps already."""


def _serial(
    work: Callable,
    units: Iterable,
    done: Callable,
    ticker: Callable[[int], Any] | None,
    finished: Callable,
) -> None:
    """Run the units one after another in this process."""
    global _ticker
    before, _ticker = _ticker, ticker
    try:
        for index, unit in enumerate(units):
            done(index, work(unit))
            finished(unit)
    finally:
        _ticker = before


class _LocalPool:
    """A local process pool, its workers started at once; with ``ticks``, a queue
    carries their ticks back."""

    def __init__(self, workers: int, ticks: bool) -> None:
        context = process_context()
        self.queue = context.Queue() if ticks else None
        options = {"initializer": _listen, "initargs": (self.queue,)} if ticks else {}
        self.executor = cf.ProcessPoolExecutor(max_workers=workers, mp_context=context, **options)
        self._relay: threading.Thread | None = None
        try:
            self.executor.submit(int).result()  # a forking pool starts every worker now
        except BaseException:
            self.close()
            raise

    def relay(self, ticker: Callable[[int], Any] | None) -> None:
        """Hand the workers' ticks to ``ticker`` from now on."""
        if self.queue is not None and ticker is not None:
            self._relay = threading.Thread(target=_relay, args=(self.queue, ticker), daemon=True)
            self._relay.start()

    def close(self) -> None:
        """Cancel what has not started, wait for the rest, stop the relay (at most once)."""
        self.executor.shutdown(wait=True, cancel_futures=True)
        if self._relay is not None:
            self.queue.put(None)  # behind every worker's ticks: the pool has shut down
            self._relay.join()
            self._relay = None
        if self.queue is not None:
            self.queue.close()
            self.queue.join_thread()
            self.queue = None


def _relay(queue: Any, ticker: Callable[[int], Any]) -> None:
    """Hand the workers' ticks to ``ticker`` until ``None`` arrives."""
    for amount in iter(queue.get, None):
        ticker(amount)


def _pump(
    executor: cf.Executor,
    work: Callable,
    units: Iterable,
    done: Callable[[int, Any], Any],
    limit: int,
    finished: Callable[[Any], Any],
) -> None:
    """Keep at most ``limit`` units in flight on ``executor``; cancel the rest on error."""
    pending: dict[cf.Future, tuple[int, Any]] = {}

    def collect(futures: Iterable[cf.Future]) -> None:
        for future in futures:
            index, unit = pending.pop(future)
            done(index, future.result())
            finished(unit)

    try:
        for index, unit in enumerate(units):
            if len(pending) >= limit:
                ready, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                collect(ready)
            pending[executor.submit(work, unit)] = (index, unit)
        collect(cf.as_completed(list(pending)))
    finally:
        for future in pending:
            future.cancel()
