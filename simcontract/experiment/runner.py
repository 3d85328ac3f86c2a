"""The runner: units of work run serially, on local processes or on any executor.

Every batch of simcontract runs through :func:`run_units`: comparisons and sweeps
(chunks of runs), validation and calibration (their comparisons) and split runs (groups
of cities). It runs the units in this process, on a local process pool or on a given
``concurrent.futures.Executor`` (e.g. Dask's ``Client.get_executor()``), keeps a bounded
number of units in flight, shows one kind of progress bar and shuts its pool down
cleanly, also when interrupted: a signal or Ctrl-C stops its workers at once, and a
worker that dies (killed, out of memory) ends the batch with :class:`WorkerLost`.

Local pools start their workers with "forkserver" where the platform has it and "spawn"
elsewhere (see :func:`start_method`), so they work the same on Linux, macOS and Windows
and in threaded processes (a notebook kernel, a Dask client).

The seed rule of every batch is here too (:func:`run_seed`).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import itertools
import math
import multiprocessing
import multiprocessing.connection
import multiprocessing.context
import multiprocessing.queues
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import numpy as np

from simcontract.experiment import messages

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


_said = partial(messages.error, "runner")


class WorkerLost(RuntimeError):
    """A batch ended for want of workers: a process of a local pool died (killed, or
    out of memory), or, as a subclass says, the cluster was lost or a worker ran other
    code; its unfinished runs were not stored."""


class ClusterLost(WorkerLost):
    """The executor's cluster went away (its scheduler stopped, the connection broke) or
    its workers died running the same unit again and again; the batch ended and its
    unfinished runs were not stored."""


class ForeignCode(WorkerLost):
    """A worker ran other simcontract code than the batch's (another version, or an
    edited copy); the batch ended and the runs of that worker were not stored."""


class Interrupted(KeyboardInterrupt):
    """A batch stopped by a signal (SIGINT, SIGTERM, SIGHUP) while
    :func:`signals_interrupt` was in force; ``signum`` says which. A
    ``KeyboardInterrupt``, so it ends a batch as Ctrl-C does.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


START_METHOD_VARIABLE = "SIMCONTRACT_START_METHOD"
"""Environment variable that chooses the start method of local worker pools."""

MIN_LOCAL_WORKERS_LIMIT = 32
"""Local worker processes always allowed; more are allowed up to 4 per core."""


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
        raise ExperimentError(_said("integer", name=name, low=low, value=repr(value)))
    return int(value)


def check_flag(value: Any, name: str, *, none: bool = False) -> Any:
    """``value`` as a ``bool`` when it is one (NumPy's too), or ``None`` if ``none``.

    Raises:
        TypeError: Anything else (e.g. the string ``"no"``, which would count as true).
    """
    if value is None and none:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise TypeError(
        messages.error("types", "flag_or_none" if none else "flag", name=name, given=repr(value))
    )


def show_progress(progress: bool | None) -> bool:
    """Whether to show a progress bar: ``None`` means only when stderr is a terminal
    and the ``CI`` environment variable is not set."""
    if progress is None:
        return sys.stderr.isatty() and not os.environ.get("CI")
    return bool(progress)


def local_workers_limit() -> int:
    """Most worker processes of a local pool: :data:`MIN_LOCAL_WORKERS_LIMIT`, or 4 per
    core on larger machines (more only compete for the cores and the memory)."""
    return max(MIN_LOCAL_WORKERS_LIMIT, 4 * (os.cpu_count() or 1))


def width(workers: int | None, executor: cf.Executor | None, limit: int | None = None) -> int:
    """How many units run at once: ``workers``, else the executor's size or the cores,
    never more than ``limit`` (the units to run) and never less than 1.

    Raises:
        ExperimentError: ``workers`` below 1 or, without ``executor``, above
            :func:`local_workers_limit`; or ``executor`` not an Executor.
    """
    if workers is not None:
        workers = check_int(workers, "workers", 1)
    if executor is not None and not isinstance(executor, cf.Executor):
        raise ExperimentError(messages.error("types", "executor", given=type(executor).__name__))
    if executor is None and workers is not None and workers > local_workers_limit():
        said = {"workers": workers, "limit": local_workers_limit(), "cores": os.cpu_count() or 1}
        raise ExperimentError(_said("workers", **said))
    size = workers or (max(1, executor_width(executor)) if executor else os.cpu_count() or 1)
    return max(1, min(size, limit) if limit is not None else size)


def executor_width(executor: cf.Executor) -> int:
    """How many units ``executor`` runs at once now: a Dask cluster's threads (0 while it
    has no worker; it may grow or shrink), a pool's workers, else the cores."""
    client = getattr(executor, "_client", None)  # a Dask ClientExecutor
    if client is not None:
        # The client refreshes this every few seconds; asking the scheduler instead
        # would wait on a scheduler that has gone.
        info = getattr(client, "_scheduler_identity", None) or {}
        if "total_threads" in info:
            return int(info["total_threads"])
        with contextlib.suppress(Exception):  # sizing is only a hint
            return sum(client.nthreads().values())
    return getattr(executor, "_max_workers", None) or os.cpu_count() or 1


def start_method() -> str:
    """The start method of local worker pools.

    The environment variable :data:`START_METHOD_VARIABLE` chooses one of the
    platform's methods ("fork", "forkserver", "spawn"); by default "forkserver" where
    the platform has it (Linux, macOS), else "spawn" (Windows). Not "fork": the process
    already runs threads (NumPy's, Arrow's, a notebook's or a Dask client's), which a
    forked worker would inherit without them, and the results do not depend on it.

    Raises:
        ExperimentError: The variable names a method this platform lacks.
    """
    methods = multiprocessing.get_all_start_methods()
    chosen = os.environ.get(START_METHOD_VARIABLE, "").strip()
    if chosen:
        if chosen not in methods:
            said = {"variable": START_METHOD_VARIABLE, "value": repr(chosen)}
            raise ExperimentError(_said("start_method", **said, methods=messages.listed(methods)))
        return chosen
    return "forkserver" if "forkserver" in methods else "spawn"


def check_main_script() -> None:
    """Refuse to start local worker processes that could not start: under "spawn" and
    "forkserver" each one imports the main script again by its file name, which a script
    read from standard input (``python - < script.py``) does not have.

    Raises:
        ExperimentError: The main script has a name but no file (what to do instead).
    """
    if start_method() == "fork":
        return
    main = sys.modules.get("__main__")
    if getattr(getattr(main, "__spec__", None), "name", None) is not None:
        return  # run as a module (python -m): imported by its name
    path = getattr(main, "__file__", None)
    if path is None or os.path.isfile(path):
        return  # no script (an interactive session, python -c, a notebook), or a real one
    raise ExperimentError(_said("no_script_file", path=repr(path)))


_PRELOADED = ["simcontract.experiment.batches", "simcontract.experiment.split"]
"""Modules the fork server imports once, so that its workers start with them loaded."""


def process_context() -> multiprocessing.context.BaseContext:
    """The multiprocessing context of local worker pools (see :func:`start_method`).

    An explicit context, because importing Mesa's batch runner changes the global one.
    """
    context = multiprocessing.get_context(start_method())
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(_PRELOADED)
    return context


@dataclass
class _SignalState:
    """Whether :func:`signals_interrupt` is in force and has raised, and the signals
    held back by :func:`deferred_signals` (``starting``: how many blocks hold them)."""

    handled: bool = False
    raised: bool = False
    starting: int = 0
    held: list[int] = field(default_factory=list)


_Signals = _SignalState()


def _interrupt(signum: int, frame: Any) -> None:
    """Raise :class:`Interrupted` (once), or hold the signal back (see
    :func:`deferred_signals`); a second signal while the batch ends after the first
    stops this process at once."""
    if _Signals.starting:
        _Signals.held.append(signum)
    elif not _Signals.raised:
        _Signals.raised = True
        raise Interrupted(signum)
    else:
        # The user insists, or the clean-up hangs (a worker ended while holding a queue):
        # what is stored stays stored, and --resume finishes the batch.
        name = signal.Signals(signum).name
        os.write(
            2,
            f"simcontract: stopped at once by a second {name}; what is stored stays, and "
            "the same command with --resume finishes the batch\n".encode(),
        )
        os._exit(128 + signum)


@contextlib.contextmanager
def signals_interrupt() -> Iterator[None]:
    """While the block runs, SIGINT, SIGTERM and SIGHUP raise :class:`Interrupted` (once),
    so a batch ends as after Ctrl-C; a second signal during the clean-up ends the
    process at once (exit status 128 + the signal's number).

    Outside the main thread (where Python cannot handle signals) it does nothing.
    """
    names = [n for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)]
    if threading.current_thread() is not threading.main_thread() or _Signals.handled:
        yield
        return
    before = {name: signal.signal(getattr(signal, name), _interrupt) for name in names}
    _Signals.handled, _Signals.raised, _Signals.held = True, False, []
    try:
        yield
    finally:
        for name, handler in before.items():
            signal.signal(getattr(signal, name), handler)
        _Signals.handled = False


@contextlib.contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold the signals of :func:`signals_interrupt` back while the block runs, and raise
    for them when it ends: for steps that must not stop halfway (worker processes
    starting, which would fail on vanished queues; a batch's session opening)."""
    _Signals.starting += 1
    try:
        yield
    finally:
        _Signals.starting -= 1
        if not _Signals.starting and _Signals.held and _Signals.handled:
            _interrupt(_Signals.held.pop(), None)  # the signal wins over a failure it caused


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


def _init_worker(steps: Any, workers: int = 1) -> None:
    """Initialise a pool worker: the batch's process handles Ctrl-C and stops its
    workers itself, a SIGTERM ends a worker at once, the worker ends when the batch's
    process has gone (:func:`_end_with_batch`), ticks go to the ``steps`` queue (when
    there is one), and a run in it may grow to its share of the memory the ``workers``
    of the pool share (:func:`simcontract.marketsize.share_memory`)."""
    global _ticker
    from simcontract import marketsize

    marketsize.share_memory(workers)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _stop_worker)
    multiprocessing.queues.SimpleQueue.put = _whole(multiprocessing.queues.SimpleQueue.put)
    parent = multiprocessing.parent_process()
    if parent is not None and parent.sentinel is not None:
        watch = threading.Thread(
            target=_end_with_batch, args=(parent.sentinel,), name="batch-watch", daemon=True
        )
        watch.start()
    _ticker = steps.put if steps is not None else None


_writing = False
"""Whether this worker is writing a result to the batch's process."""

_stopped_by: int | None = None
"""The signal that asked this worker to end while it was writing a result."""


def _stop_worker(signum: int, frame: Any) -> None:
    """End this worker at once, as the signal's default would, unless it is writing a
    result: then once the result is whole. A worker ended halfway through a result left
    part of it in the pipe, and the pool's reader waited for the rest for ever, so a
    batch stopped by a signal hung as it closed its pool."""
    global _stopped_by
    if _writing:
        _stopped_by = signum
        return
    _die(signum)


def _die(signum: int) -> None:
    """End this process by ``signum``, as its default action does."""
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _whole(put: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    """``SimpleQueue.put`` (how a pool worker sends its results), ended by a signal only
    between results (:func:`_stop_worker`)."""

    def put_whole(queue: Any, item: Any) -> None:
        global _writing
        _writing = True
        try:
            put(queue, item)
        finally:
            _writing = False
            if _stopped_by is not None:
                _die(_stopped_by)

    return put_whole


def _end_with_batch(sentinel: Any) -> None:
    """End this worker at once when the batch's process has gone (``sentinel`` is
    ready).

    A batch's process stops its workers when it ends, even by a signal; killed outright
    (SIGKILL, the out-of-memory killer), it cannot. Its workers would then wait for
    ever, holding their memory, one of them blocked writing a result nobody reads, and
    the fork server would wait for them.
    """
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def run_units(
    work: Callable[[Unit], Result],
    units: Iterable[Unit],
    done: Callable[[int, Result], Any],
    *,
    bar: Progress,
    workers: int | None = 1,
    executor: cf.Executor | None = None,
    progress: bool | None = False,
    size: Callable[[Unit], int] | None = None,
    ticks: bool = False,
) -> None:
    """Run ``work`` on every unit; hand each result to ``done(index, result)``.

    Results arrive in completion order, with the unit's index in ``units``. At most
    twice ``workers`` units are in flight (on ``executor`` with ``workers=None``, twice
    its width now, see :func:`executor_width`), so ``units`` may be a long lazy
    iterable; the next unit is taken from it only when it can start.

    Args:
        work: The unit of work; a top-level function (or a ``functools.partial`` of
            one) so that it reaches worker processes.
        units: What to run, in order.
        done: Called in this process with each unit's index and result.
        bar: What the progress bar counts.
        workers: Units run at once (see :func:`width`); without ``executor``, 1 runs
            them in this process and more on a local process pool; with it, ``None``
            follows its size as it changes (a cluster that grows or shrinks).
        executor: Run on this executor instead; it is not shut down.
        progress: Show the progress bar on stderr (see :func:`show_progress`).
        size: Steps of progress a unit makes (default 1).
        ticks: Units report their steps themselves with :func:`tick` as they go
            (heard in this process and on the local pool; on ``executor`` a unit
            counts ``size`` steps when it finishes).

    Raises:
        WorkerLost: A worker process of the local pool died.
        ClusterLost: The executor's cluster went away, or its workers kept dying.
    """
    steps = size or (lambda unit: 1)
    if executor is None:
        workers = workers or 1
    pool = None
    try:
        if executor is None and workers > 1:
            pool = _LocalPool(workers, ticks)
        with _progress_bar(bar, progress) as shown:

            def finished(unit: Any) -> None:
                shown.update(steps(unit))

            counted = _uncounted if ticks else finished
            if executor is not None:

                def limit() -> int:
                    return 2 * (workers or max(1, executor_width(executor)))

                _pump(executor, work, units, done, limit, finished)
            elif pool is None:
                _serial(work, units, done, shown.update if ticks else None, counted)
            else:
                pool.relay(shown.update if ticks else None)
                _pump(pool.executor, work, units, done, lambda: 2 * workers, counted, False)
                pool.close()  # every tick in before the bar closes
    except BrokenProcessPool:
        raise WorkerLost(_said("worker_died")) from None
    except BaseException as err:
        if pool is not None:
            pool.stop()  # interrupted or failed: running units are not waited for
        lost = _cluster_lost(err) if executor is not None else None
        if lost is not None:
            raise ClusterLost(lost) from None
        raise
    finally:
        if pool is not None:
            pool.close()


_CLUSTER_ERRORS = {"CommClosedError", "ClosedClientError", "FuturesCancelledError"}
"""Dask's errors for a connection to its cluster that broke or was closed."""


def _cluster_lost(err: BaseException) -> str | None:
    """What ``err``, raised while running on an executor, says of a lost cluster, in a
    clause; ``None`` when it is no such error (a unit's own error, an interrupt)."""
    names = {
        kind.__name__
        for kind in type(err).__mro__
        if kind.__module__.split(".")[0] == "distributed"
    }
    if "KilledWorker" in names:
        return _said("workers_killed")
    if names & _CLUSTER_ERRORS or isinstance(err, cf.CancelledError):
        # Dask cancels every task of a client that lost its scheduler.
        return _said("cluster_lost")
    return None


class _Hidden:
    """A progress bar that shows nothing (and, unlike a disabled tqdm, starts no thread)."""

    def update(self, n: int = 1) -> None:
        """Count nothing."""


LOG_SECONDS = 60.0
"""Seconds between two progress lines written to a log (see :func:`log_progress`),
unless :data:`LOG_SECONDS_VARIABLE` says otherwise."""

LOG_SECONDS_VARIABLE = "SIMCONTRACT_LOG_SECONDS"
"""Environment variable: seconds between two progress lines in a log; 0 writes none."""


def log_seconds() -> float:
    """Seconds between two progress lines in a log: :data:`LOG_SECONDS_VARIABLE`, else
    :data:`LOG_SECONDS`; 0 means no lines.

    Raises:
        ExperimentError: The variable is not a number >= 0.
    """
    text = os.environ.get(LOG_SECONDS_VARIABLE, "").strip()
    if not text:
        return LOG_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds >= 0):
        raise ExperimentError(_said("log_seconds", variable=LOG_SECONDS_VARIABLE, value=repr(text)))
    return seconds


def log_progress(progress: bool | None) -> bool:
    """Whether to write progress as plain lines: ``None`` (the command line's choice)
    when stderr is not a terminal (a cluster job's log, a redirect), the ``CI``
    environment variable is not set and :func:`log_seconds` is not 0."""
    if progress is not None or sys.stderr.isatty() or os.environ.get("CI"):
        return False
    return log_seconds() > 0


class _LogLines:
    """Progress as plain lines on stderr, for a log file: what a resumed batch has
    stored already, then one line at most every :data:`LOG_SECONDS`, and, when any was
    written, one line when the work is done."""

    def __init__(self, bar: Progress) -> None:
        self.bar = bar
        self.done = bar.initial
        self.started = self.last = time.monotonic()
        self.every = log_seconds()
        self.lines = 0

    def __enter__(self) -> _LogLines:
        todo = self.bar.total - self.bar.initial
        if self.bar.initial:
            self._write("stored" if todo else "stored_all", todo=_count(todo))
        return self

    def __exit__(self, kind: Any, *rest: Any) -> None:
        made = self.done - self.bar.initial
        if kind is None and self.lines and made:
            elapsed = clock(time.monotonic() - self.started)
            self._write("finished", made=_count(made), elapsed=elapsed)

    def update(self, n: int = 1) -> None:
        """Count ``n`` steps; write a line when the last is :func:`log_seconds` old."""
        self.done += n
        now = time.monotonic()
        if now - self.last < self.every:
            return
        self.last = now
        elapsed = now - self.started
        rate = (self.done - self.bar.initial) / elapsed
        left = (self.bar.total - self.done) / rate if rate > 0 else None
        self._write(
            "line",
            percent=f"{100 * self.done / max(1, self.bar.total):.0f}",
            elapsed=clock(elapsed),
            left=clock(left) if left is not None else "?",
        )

    def _write(self, key: str, **values: Any) -> None:
        from simcontract import i18n

        label, units = (
            found if (found := i18n.text(key)) != key else own
            for key, own in (
                (f"progress.labels.{self.bar.label}", self.bar.label),
                (f"progress.units.{self.bar.unit}", self.bar.unit),
            )
        )
        line = i18n.text(
            f"progress.{key}",
            label=label,
            units=units,
            done=_count(self.done),
            total=_count(self.bar.total),
            **values,
        )
        print(line, file=sys.stderr, flush=True)
        self.lines += 1


def _count(n: int) -> str:
    return f"{n:,}"


def clock(seconds: float) -> str:
    """``seconds`` as ``h:mm:ss``, as progress lines say a time."""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def _progress_bar(bar: Progress, progress: bool | None) -> Any:
    """A tqdm bar on stderr as a context manager, plain lines for a log (see
    :func:`log_progress`), or nothing shown."""
    if log_progress(progress):
        return _LogLines(bar)
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


@contextlib.contextmanager
def _ctrl_c_blocked() -> Iterator[None]:
    """Block SIGINT in this thread while the block runs, and so in every process it
    starts (the fork server, the workers): Ctrl-C in a terminal reaches the whole
    process group, and a process still starting up would print a traceback. The batch's
    own process gets the signal when the block ends."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


_STOP_WAIT = 10.0
"""Seconds to wait for a stopped worker process to end."""


class _LocalPool:
    """A local process pool; with ``ticks``, a queue carries the workers' ticks back."""

    def __init__(self, workers: int, ticks: bool) -> None:
        check_main_script()
        context = process_context()
        self.queue = context.Queue() if ticks else None
        self.executor = cf.ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(self.queue, workers),
        )
        self._relay: threading.Thread | None = None
        try:
            # Every worker starts now, one per task in flight at once: a worker started
            # later, on demand, could still be starting when a signal stops the batch.
            with deferred_signals(), _ctrl_c_blocked():
                for started in [self.executor.submit(int) for _ in range(workers)]:
                    started.result()
        except BrokenProcessPool:
            self.close()
            method = repr(context.get_start_method())
            raise WorkerLost(_said("no_start_script", method=method)) from None
        except (EOFError, OSError) as err:  # e.g. the fork server was killed
            self.stop()
            self.close()
            said = {"method": repr(context.get_start_method()), "reason": err or type(err).__name__}
            raise WorkerLost(_said("no_start", **said)) from None
        except BaseException:
            self.stop()
            self.close()
            raise

    def stop(self) -> None:
        """End the workers at once (an interrupted or failed batch), and wait until they
        have ended, before this process goes and takes their queues with it."""
        processes = list((getattr(self.executor, "_processes", None) or {}).values())
        if not processes and hasattr(self.executor, "terminate_workers"):  # Python >= 3.14
            self.executor.terminate_workers()
        for process in processes:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                process.terminate()
        for process in processes:
            with contextlib.suppress(OSError, ValueError, AssertionError, AttributeError):
                process.join(_STOP_WAIT)
                if process.is_alive():  # still writing a result nobody reads
                    process.kill()
                    process.join(_STOP_WAIT)

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
    limit: Callable[[], int],
    finished: Callable[[Any], Any],
    cancel: bool = True,
) -> None:
    """Keep at most ``limit()`` units in flight on ``executor`` (asked again before each
    unit, so that it can follow a cluster that grows or shrinks); on error, ``cancel``
    the rest (not on the local pool, which stops its workers instead: Python 3.11's
    pool fails on futures cancelled while it breaks)."""
    pending: dict[cf.Future, tuple[int, Any]] = {}

    def collect(futures: Iterable[cf.Future]) -> None:
        for future in futures:
            index, unit = pending.pop(future)
            done(index, future.result())
            finished(unit)

    try:
        todo = iter(units)
        for index in itertools.count():
            while pending and len(pending) >= limit():
                ready, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                collect(ready)
            # Taken only now: a unit made lazily (a chunk of runs) can then be sized
            # for the executor as it is when the unit starts.
            unit = next(todo, _END)
            if unit is _END:
                break
            pending[executor.submit(work, unit)] = (index, unit)
        collect(cf.as_completed(list(pending)))
    finally:
        for future in pending if cancel else ():
            future.cancel()


_END = object()
"""The end of the units, for ``next``."""
