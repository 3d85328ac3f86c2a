"""Bayesian calibration by approximate Bayesian computation (ABC-SMC with pyabc).

The free parameters of a scenario get uniform priors; ABC-SMC (Toni et al. 2009, as
pyabc implements it) draws particles from the priors, runs the model on each and keeps
those whose yearly outcomes come close to the *fit* figures of ``patterns.toml``, with a
tolerance that shrinks from generation to generation. What is left approximates the
posterior distribution of the parameters given those figures. The other figures are
*holdout*: this calibration fits nothing to them. The posterior predictive check on an
untargeted one is a test out of sample; on a later target it is not quite (the
scenario's own values, on which the priors centre, may have been set from it).

Quick use::

    from simcontract.experiment import calibrate_abc
    posterior = calibrate_abc("guangzhou_ifsc", out="calibration-guangzhou_ifsc")
    posterior.table()        # posterior mean, median, 95% credible interval per parameter
    posterior.predictive     # every figure against its 95% predictive interval

The pieces: :mod:`~simcontract.experiment.bayes_inputs` (free parameters, priors, the
fit/holdout split of the figures), :mod:`~simcontract.experiment.bayes_model` (a
particle's runs, seeds and distance), :mod:`~simcontract.experiment.bayes_posterior`
(the result and the predictive check) and this module (the run, its folder, resuming).
pyabc is an optional dependency (``pip install 'simcontract[abc]'``), imported only when
a calibration runs.

How :func:`calibrate_abc` works:

**Free parameters and priors.** By default the parameters the scenario file marks
``"calibrated"`` in its ``[sources]``, each with :func:`default_prior`. ``params``
chooses others: a list of names (default priors) or a mapping of name to
``(low, high)`` (``None``: the default prior). Priors are uniform; a whole-number
parameter's over the whole numbers in its range, each equally likely (a draw from half a
unit beyond the range's ends, rounded: :attr:`Prior.support`), and the posterior reports
the numbers the model ran. A draw the scenario rejects (e.g. shares summing
above 1) is infinitely far from the figures.

**Fit and holdout.** The figures (default: those of ``patterns.toml`` describing the
scenario, see :func:`scenario_figures`) are split by :func:`split_figures`: targets
dated up to ``fit_until`` are fitted, all others are holdout, inputs are a check.
The runs are cut to the last model year any figure needs (the results up to that
year do not depend on the run's length).

**Distance.** Each particle runs ``replications`` times (:func:`particle_seeds`);
its summary is the mean of each fitted figure over the runs, and its distance
:func:`relative_distance` (sum of absolute relative deviations; infinite when a
run has no value). The tolerance of generation 0 is the median distance of a
sample from the prior, and of each later generation the weighted median distance
of the one before (pyabc's ``MedianEpsilon``); proposals perturb the last
generation with a multivariate normal kernel (pyabc's default).

**Stopping.** After ``generations`` generations in all (stored ones count), when a
generation's tolerance falls to ``min_epsilon``, or when a generation would accept
less than ``min_acceptance`` of the particles it tries (it stops after trying
``population / min_acceptance``; such a generation is not stored).

**Resuming.** With ``out``, the history is stored in ``out/abc.db`` (SQLite), one
transaction per generation, so an interrupted run (Ctrl-C, a crash) keeps every
finished generation; ``resume=True`` continues it from the last one (the folder
must hold the same calibration: scenario, priors, fitted figures, replications,
seed, population).

**Reproducibility.** The model runs of a particle are a pure function of ``seed``
and the particle's values, however the run is parallelised. pyabc draws proposals
from NumPy's global random state; on one worker (``workers=1``) that state is
seeded from ``seed`` before every generation and restored after
the call, so a run, and a run interrupted and resumed, gives the same particles
for the same arguments. On a local pool or Dask each worker process seeds itself
from the operating system (pyabc's design) and which particles are accepted also
depends on timing: such runs are reproducible only in distribution.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import random
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from simcontract import i18n
from simcontract.experiment import messages, runner, storage
from simcontract.experiment.bayes_defaults import (
    DEFAULT_FIT_UNTIL,
    DEFAULT_GENERATIONS,
    DEFAULT_MIN_ACCEPTANCE,
    DEFAULT_POPULATION,
    DEFAULT_PREDICTIVE_DRAWS,
    DEFAULT_REPLICATIONS,
)
from simcontract.experiment.bayes_inputs import (
    FIGURES_SCENARIO,
    Figure,
    Prior,
    default_prior,
    free_parameters,
    priors_for,
    scenario_figures,
    split_figures,
    whole_number,
)
from simcontract.experiment.bayes_model import STREAM_SAMPLER, Simulator, relative_distance
from simcontract.experiment.bayes_posterior import Posterior, predictive_check
from simcontract.experiment.bayes_report import stop_text
from simcontract.experiment.runner import ExperimentError, check_int
from simcontract.experiment.validation import CalibrationTarget
from simcontract.scenario import Scenario, load_scenario

DB_FILE = "abc.db"
"""The pyabc history (SQLite) in a calibration folder."""

SPEC_FILE = "calibration.json"
"""What a calibration folder's run fits: checked when the run is resumed."""

_said = partial(messages.error, "bayes")

PYABC_MISSING = "calibrate needs pyabc: pip install 'simcontract[abc]'"
"""The message when pyabc is not installed, in English (raised in the language in use:
``errors.bayes.pyabc_missing``)."""

_SPEC_VERSION = 1

__all__ = [
    "DEFAULT_FIT_UNTIL",
    "DEFAULT_GENERATIONS",
    "DEFAULT_MIN_ACCEPTANCE",
    "DEFAULT_POPULATION",
    "DEFAULT_PREDICTIVE_DRAWS",
    "DEFAULT_REPLICATIONS",
    "Figure",
    "Posterior",
    "Prior",
    "calibrate_abc",
    "default_prior",
    "free_parameters",
    "predictive_check",
    "relative_distance",
    "scenario_figures",
    "split_figures",
]


# --------------------------------------------------------------------------- the run
def _import_pyabc() -> Any:
    """pyabc, quiet (its log goes to warnings only).

    Raises:
        ExperimentError: pyabc is not installed.
    """
    try:
        import pyabc
    except ImportError:
        raise ExperimentError(_said("pyabc_missing")) from None
    import logging

    logging.getLogger("ABC").setLevel(logging.WARNING)
    return pyabc


def _reseed(seed: int, generation: int, part: int) -> None:
    """Seed the global random states pyabc draws from (NumPy's legacy one and Python's)
    for one step of the run: ``SeedSequence(seed, spawn_key=(0, generation, part))``."""
    state = np.random.SeedSequence(seed, spawn_key=(STREAM_SAMPLER, generation, part))
    words = state.generate_state(2, dtype=np.uint32)
    np.random.seed(int(words[0]))
    random.seed(int(words[1]))


@contextlib.contextmanager
def _global_random_state() -> Iterator[None]:
    """Restore NumPy's and Python's global random states when the block ends."""
    numpy_state, python_state = np.random.get_state(), random.getstate()
    try:
        yield
    finally:
        np.random.set_state(numpy_state)
        random.setstate(python_state)


def _sampler(pyabc: Any, workers: int, client: Any) -> Any:
    """The pyabc sampler: Dask with ``client``, else one process or a local pool."""
    if client is not None:
        return pyabc.sampler.DaskDistributedSampler(dask_client=client)
    if workers == 1:
        return pyabc.sampler.SingleCoreSampler(check_max_eval=True)
    return _local_sampler(pyabc)(n_procs=workers, check_max_eval=True)


@dataclasses.dataclass
class _Forking:
    """Whether pyabc's local pool is starting workers now (see :func:`_quiet_child`),
    and whether the fork hook is registered."""

    active: bool = False
    registered: bool = False


_FORKING = _Forking()


def _quiet_child() -> None:
    """In a worker forked by pyabc's local pool: ignore Ctrl-C (the terminal sends it to
    the whole process group; the main process alone stops the run, so no worker prints
    a traceback) and end at once on SIGTERM and SIGHUP. Runs right after the fork, before
    any other code of the worker (and pending signals are cleared by the fork)."""
    if not _FORKING.active:
        return
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


def _local_sampler(pyabc: Any) -> type:
    """pyabc's local process pool, made quiet and stoppable: its workers ignore Ctrl-C
    and end on SIGTERM (:func:`_quiet_child`), and an interrupted or failed generation
    ends the workers it started."""
    import multiprocessing

    if not _FORKING.registered and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_quiet_child)
        _FORKING.registered = True

    class LocalSampler(pyabc.sampler.MulticoreEvalParallelSampler):
        def sample_until_n_accepted(self, n: int, simulate_one: Callable, t: int, **kw: Any):
            before = set(multiprocessing.active_children())
            _FORKING.active = True
            try:
                return super().sample_until_n_accepted(n, simulate_one, t, **kw)
            except BaseException:
                for process in set(multiprocessing.active_children()) - before:
                    process.terminate()
                    process.join(10)
                raise
            finally:
                _FORKING.active = False

    return LocalSampler


# --------------------------------------------------------------------------- the folder
def _spec(
    scenario: Scenario,
    priors: Sequence[Prior],
    fitted: Sequence[Figure],
    *,
    replications: int,
    seed: int,
    population: int,
    years: int,
) -> dict[str, Any]:
    """What a run fits: a resumed run must fit the same."""
    return {
        "version": _SPEC_VERSION,
        "scenario": json.loads(json.dumps(scenario.to_dict())),
        "priors": {p.name: [p.low, p.high] for p in priors},
        "fit": {f.key: [f.target.outcome, f.target.year, float(f.target.value)] for f in fitted},
        "distance": "sum of |model / figure - 1| over the fitted figures",
        "replications": replications,
        "seed": seed,
        "population": population,
        "years": years,
    }


_SPEC = (
    "version",
    "scenario",
    "priors",
    "fit",
    "distance",
    "replications",
    "seed",
    "population",
    "years",
)
"""What a calibration is, in the order a refusal to resume names them (``spec_<key>``
in the catalogue says each in words)."""


def _check_folder(folder: Path, spec: Mapping[str, Any], resume: bool) -> bool:
    """Whether ``folder`` holds a run to continue (``resume``) of the calibration
    ``spec``.

    Raises:
        ExperimentError: A folder holding a calibration without ``resume``, or with
            ``resume`` none or a different one.
    """
    held = folder / SPEC_FILE
    if not held.exists():
        if (folder / DB_FILE).exists():
            said = {"folder": repr(str(folder)), "db": DB_FILE, "spec": SPEC_FILE}
            raise ExperimentError(_said("not_calibration_folder", **said))
        if resume:
            raise ExperimentError(_said("resume_none", folder=repr(str(folder)), spec=SPEC_FILE))
        if not storage.is_empty(folder):
            raise ExperimentError(_said("not_empty", folder=repr(str(folder)), spec=SPEC_FILE))
        return False
    if not resume:
        if not stored_generations(folder / DB_FILE) and _same_spec(held, spec):
            return False  # this calibration, stopped before its first generation
        raise ExperimentError(_said("held", folder=repr(str(folder))))
    try:
        stored = json.loads(held.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        reason = i18n.os_message(err) if isinstance(err, OSError) else i18n.json_reason(err)
        raise ExperimentError(_said("unreadable", path=repr(str(held)), reason=reason)) from None
    for key in _SPEC:
        if not isinstance(stored, dict) or stored.get(key) != spec[key]:
            said = {"folder": repr(str(folder)), "words": _said(f"spec_{key}")}
            raise ExperimentError(_said("different", **said))
    return (folder / DB_FILE).exists()


def _same_spec(held: Path, spec: Mapping[str, Any]) -> bool:
    """Whether the file ``held`` records the calibration ``spec``."""
    try:
        stored = json.loads(held.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(stored, dict) and all(stored.get(key) == spec[key] for key in _SPEC)


_HISTORY_TABLES = frozenset({"version", "abc_smc", "populations", "particles"})


def stored_generations(path: Path) -> int:
    """How many generations the history ``path`` holds (0 when there is no file, or
    one pyabc has not stored a generation in)."""
    if not path.is_file():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            (t,) = db.execute("SELECT MAX(t) FROM populations").fetchone()
    except sqlite3.Error:
        return 0
    return 0 if t is None or t < 0 else int(t) + 1


def _stored_run(path: Path, db: str, pyabc: Any) -> int | None:
    """The id of the run stored in the history ``db`` (the file ``path``), or ``None``
    when it holds none.

    Raises:
        ExperimentError: ``path`` is not a file, or not a history pyabc can read.
    """
    if not path.is_file():
        _damaged(path, _said("db_folder") if path.is_dir() else _said("db_not_file"))
    # Looked at before pyabc opens it: pyabc adds its tables to any SQLite file.
    try:
        with contextlib.closing(sqlite3.connect(path)) as connection:
            query = "SELECT name FROM sqlite_master WHERE type = 'table'"
            tables = {row[0] for row in connection.execute(query)}
    except sqlite3.Error as err:
        _damaged(path, _said("db_not_history", reason=_db_reason(err)))
    if tables and not tables >= _HISTORY_TABLES:
        _damaged(path, _said("db_not_history", reason=_said("db_no_pyabc")))
    import sqlalchemy.exc  # pyabc's database layer

    try:
        runs = pyabc.History(db).all_runs()
        if not runs:
            return None
        run_id = int(runs[-1].id)
        # What continuing it reads: the generations and the last one's particles.
        history = pyabc.History(db, _id=run_id)
        if history.max_t >= 0:
            history.get_all_populations()
            history.get_distribution(m=0, t=history.max_t)
    except (sqlalchemy.exc.SQLAlchemyError, sqlite3.Error, AssertionError) as err:
        # AssertionError: pyabc's check of the history's format version.
        _damaged(path, _said("db_not_history", reason=_db_reason(err)))
    return run_id


def _db_reason(err: BaseException) -> str:
    """The first line of what the database driver (or pyabc) says about ``err``."""
    reason = getattr(err, "orig", None) or err  # sqlalchemy wraps sqlite3's error
    lines = str(reason).strip().splitlines()
    first = lines[0] if lines else type(reason).__name__
    return first.split(". ")[0] if isinstance(err, AssertionError) else first


def _damaged(path: Path, why: str) -> NoReturn:
    raise ExperimentError(_said("damaged", path=repr(str(path)), why=why))


# --------------------------------------------------------------------------- progress
def _say(progress: bool | Callable[[str], Any] | None, line: str) -> None:
    """Report one line of progress: to ``progress`` when it is a function, else to
    stderr when :func:`~simcontract.experiment.runner.show_progress` says so."""
    if callable(progress):
        progress(line)
    elif runner.show_progress(progress):
        print(line, file=sys.stderr, flush=True)


def _generations(history: Any) -> pd.DataFrame:
    """The stored generations (see :attr:`Posterior.generations`)."""
    table = history.get_all_populations()
    table = table[table["t"] >= 0].sort_values("t")
    ess = []
    for t in table["t"]:
        w = history.get_weighted_distances(t=int(t))["w"].to_numpy(dtype=float)
        ess.append(float(w.sum() ** 2 / np.sum(w**2)) if len(w) else math.nan)
    return pd.DataFrame(
        {
            "generation": table["t"].astype(int).to_numpy(),
            "epsilon": table["epsilon"].astype(float).to_numpy(),
            "particles": table["particles"].astype(int).to_numpy(),
            "evaluations": table["samples"].astype(int).to_numpy(),
            "acceptance_rate": (table["particles"] / table["samples"]).astype(float).to_numpy(),
            "ess": ess,
        }
    )


def _particles(history: Any, simulator: Simulator) -> pd.DataFrame:
    """The last stored generation (see :attr:`Posterior.particles`), whole-number
    parameters as the model ran them."""
    t = history.max_t
    frame, w = history.get_distribution(m=0, t=t)
    distances = history.get_weighted_distances(t=t)
    out = frame[list(simulator.names)].reset_index(drop=True).astype(float)
    for name, integer in zip(simulator.names, simulator.integers, strict=True):
        if integer:
            out[name] = out[name].map(whole_number).astype(float)
    out["weight"] = np.asarray(w, dtype=float) / np.sum(w)
    # Same particle order as get_distribution (both read the population by particle id).
    out["distance"] = distances["distance"].to_numpy(dtype=float)
    return out


# --------------------------------------------------------------------------- calibrate
def calibrate_abc(
    scenario: str | Path | Scenario = FIGURES_SCENARIO,
    *,
    params: Sequence[str] | Mapping[str, tuple[float, float] | None] | None = None,
    figures: Sequence[CalibrationTarget] | None = None,
    fit_until: int = DEFAULT_FIT_UNTIL,
    population: int = DEFAULT_POPULATION,
    generations: int = DEFAULT_GENERATIONS,
    min_acceptance: float = DEFAULT_MIN_ACCEPTANCE,
    min_epsilon: float = 0.0,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = 0,
    workers: int | None = None,
    client: Any = None,
    out: str | Path | None = None,
    resume: bool = False,
    predictive_draws: int = DEFAULT_PREDICTIVE_DRAWS,
    progress: bool | Callable[[str], Any] | None = None,
) -> Posterior:
    """Calibrate a scenario's free parameters on figures of the sources by ABC-SMC.

    How it works (priors, distance, stopping, resuming): see the module's docstring.

    Args:
        scenario: A built-in name, a ``.toml`` path or a ``Scenario``.
        params: The free parameters and their priors (see above).
        figures: The figures (default: the scenario's in ``patterns.toml``).
        fit_until: Last calendar year of the fitted targets (a model year for a
            scenario without ``start_year``).
        population: Particles per generation (>= 2).
        generations: Most generations in all (>= 1).
        min_acceptance: Least acceptance rate, in ``[0, 1)`` (0: never stop for it).
        min_epsilon: Stop once the tolerance is at most this (>= 0).
        replications: Runs per particle (>= 1).
        seed: Base seed (>= 0).
        workers: Processes: 1 samples in this process; ``None`` uses every core.
        client: A ``distributed.Client``: sample on its Dask cluster instead.
        out: Folder of the history (``abc.db``) and of what it fits
            (``calibration.json``); ``None`` keeps the history in memory.
        resume: Continue the run stored in ``out``.
        predictive_draws: Posterior draws of the predictive check (0: none).
        progress: A line per generation on stderr (``None``: only on a terminal), or a
            function called with each line.

    Returns:
        The posterior: the last generation's particles, the generations, and the
        predictive check.

    Raises:
        ExperimentError: Bad options or priors, no figure to fit, a folder that holds
            another calibration (or none to resume), or pyabc not installed.
        ScenarioError: The scenario cannot be loaded.
    """
    reference, scenario = scenario, load_scenario(scenario)
    population = check_int(population, "population", 2)
    generations = check_int(generations, "generations", 1)
    replications = check_int(replications, "replications", 1)
    seed = check_int(seed, "seed", 0)
    predictive_draws = check_int(predictive_draws, "predictive_draws", 0)
    fit_until = check_int(fit_until, "fit_until", 1)
    _check_stopping(min_acceptance, min_epsilon)
    width = 1 if client is not None else runner.width(workers, None)
    used = _used_figures(scenario, figures, fit_until)  # first: without figures, no priors help
    priors = priors_for(scenario, reference, params)
    settings = {
        "population": population,
        "replications": replications,
        "seed": seed,
        "fit_until": fit_until,
        "years": max(f.target.year for f in used),
        "generations": generations,
        "min_acceptance": float(min_acceptance),
        "min_epsilon": float(min_epsilon),
        "workers": "dask" if client is not None else width,
    }
    posterior = _run_abc(scenario, priors, used, settings, width, client, out, resume, progress)
    if predictive_draws:
        posterior = _with_predictive_check(posterior, predictive_draws, width, client, progress)
    return posterior


def _check_stopping(min_acceptance: float, min_epsilon: float) -> None:
    """Raise :class:`ExperimentError` unless the stopping thresholds are allowed."""
    if isinstance(min_acceptance, bool) or not 0 <= float(min_acceptance) < 1:
        raise ExperimentError(_said("min_acceptance", value=repr(min_acceptance)))
    if isinstance(min_epsilon, bool) or not float(min_epsilon) >= 0:
        raise ExperimentError(_said("min_epsilon", value=repr(min_epsilon)))


def _used_figures(
    scenario: Scenario, figures: Sequence[CalibrationTarget] | None, fit_until: int
) -> list[Figure]:
    """The figures (default: the scenario's), each with its use (see :func:`split_figures`)."""
    targets = list(figures) if figures is not None else scenario_figures(scenario)
    if not targets:
        said = {"scenario": repr(scenario.name), "described": FIGURES_SCENARIO}
        raise ExperimentError(_said("no_figures", **said))
    return split_figures(scenario, targets, fit_until)


def _run_abc(
    scenario: Scenario,
    priors: Sequence[Prior],
    used: Sequence[Figure],
    settings: dict[str, Any],
    width: int,
    client: Any,
    out: str | Path | None,
    resume: bool,
    progress: bool | Callable[[str], Any] | None,
) -> Posterior:
    """Sample the posterior (in memory or in the folder ``out``), without the predictive
    check; ``settings`` gains why the run stopped and its wall time."""
    fitted = [f for f in used if f.use == "fit"]
    years = settings["years"]
    pyabc = _import_pyabc()
    import simcontract.model  # noqa: F401  (loaded once here, not in every forked worker)

    spec = _spec(
        scenario,
        priors,
        fitted,
        replications=settings["replications"],
        seed=settings["seed"],
        population=settings["population"],
        years=years,
    )
    folder = Path(out) if out is not None else None
    if folder is None and resume:
        raise ExperimentError(_said("resume_needs_out"))
    simulator = Simulator(
        scenario.replace(years=years),
        tuple(p.name for p in priors),
        tuple(p.integer for p in priors),
        tuple((f.key, f.target.outcome, f.target.year) for f in fitted),
        settings["replications"],
        settings["seed"],
    )
    observed = {f.key: float(f.target.value) for f in fitted}

    def build() -> Any:
        prior = pyabc.Distribution(
            **{
                p.name: pyabc.RV("uniform", p.support[0], p.support[1] - p.support[0])
                for p in priors
            }
        )
        return pyabc.ABCSMC(
            simulator,
            prior,
            relative_distance,
            population_size=settings["population"],
            eps=pyabc.MedianEpsilon(),
            sampler=_sampler(pyabc, width, client),
        )

    if folder is None:
        history, stop, wall = _sample(build(), "sqlite://", None, observed, settings, progress)
        db = ""
    else:
        history, stop, wall, db = _sample_in_folder(
            pyabc, build, folder, spec, resume, observed, settings, progress
        )
    stopped = stop_text(stop, i18n.DEFAULT_LANGUAGE)
    settings.update(stop=stop, stopped=stopped, wall_seconds=wall)
    if history.max_t < 0:
        raise ExperimentError(_said("no_generation", stopped=stop_text(stop)))
    return Posterior(
        scenario,
        tuple(priors),
        tuple(used),
        _particles(history, simulator),
        _generations(history),
        None,
        settings,
        db,
    )


def _sample_in_folder(
    pyabc: Any,
    build: Callable[[], Any],
    folder: Path,
    spec: Mapping[str, Any],
    resume: bool,
    observed: Mapping[str, float],
    settings: dict[str, Any],
    progress: bool | Callable[[str], Any] | None,
) -> tuple[Any, dict[str, Any], float, str]:
    """Run (or continue, ``resume``) the ABC-SMC stored in ``folder``; return the
    history, why it stopped (see :func:`_stop`), the seconds it took and the history's
    database id."""
    from simcontract.experiment import lock
    from simcontract.experiment.atomic import write_text

    if folder.exists() and not folder.is_dir():
        raise ExperimentError(_said("not_folder", folder=repr(str(folder))))
    continuing = _check_folder(folder, spec, resume) if folder.is_dir() else None
    if continuing is None and resume:
        raise ExperimentError(_said("resume_missing", folder=repr(str(folder))))
    with lock.hold(folder):
        if not continuing:
            write_text(folder / SPEC_FILE, json.dumps(spec, indent=2) + "\n")
        db = pyabc.create_sqlite_db_id(file_=str((folder / DB_FILE).resolve()))
        run_id = _stored_run(folder / DB_FILE, db, pyabc) if continuing else None
        if resume and not stored_generations(folder / DB_FILE):  # a readable history
            _say(progress, i18n.text("bayes.progress_nothing_stored", folder=repr(str(folder))))
        history, stop, wall = _sample(build(), db, run_id, observed, settings, progress)
    return history, stop, wall, db


def _with_predictive_check(
    posterior: Posterior,
    draws: int,
    width: int,
    client: Any,
    progress: bool | Callable[[str], Any] | None,
) -> Posterior:
    """The posterior with its predictive check of ``draws`` posterior draws."""
    _say(progress, i18n.text("bayes.progress_predictive", draws=draws))
    check = predictive_check(
        posterior,
        draws=draws,
        workers=1 if client is not None else width,
        executor=client.get_executor() if client is not None else None,
    )
    return dataclasses.replace(posterior, predictive=check)


def _stop(reason: str, **values: Any) -> dict[str, Any]:
    """Why a run stopped: a ``bayes.stop_<reason>`` text of the catalogue with its
    values, so the report says it in the reader's language (``stop_text``)."""
    return {"reason": reason, **values}


def _sample(
    abc: Any,
    db: str,
    run_id: int | None,
    observed: Mapping[str, float],
    settings: dict[str, Any],
    progress: bool | Callable[[str], Any] | None,
) -> tuple[Any, dict[str, Any], float]:
    """Run (or continue) the ABC-SMC until a stopping rule holds; return the history,
    why it stopped (see :func:`_stop`) and the seconds it took."""
    from simcontract.experiment.runner import deferred_signals

    seed, wanted = settings["seed"], settings["generations"]
    started = time.perf_counter()
    history = (
        abc.new(db, dict(observed)) if run_id is None else abc.load(db, run_id, dict(observed))
    )
    # A generation is stored whole or not at all, also when a signal comes meanwhile.
    append = history.append_population

    def stored(*args: Any, **kwargs: Any) -> Any:
        with deferred_signals():
            return append(*args, **kwargs)

    history.append_population = stored
    t0 = history.max_t + 1
    if t0 >= wanted:
        return history, _stop("stored", stored=t0, wanted=wanted), 0.0
    if t0:
        _say(progress, i18n.text("bayes.progress_resuming", last=t0 - 1, stored=t0))
    stopped = _stop("generations", n=wanted)
    with _global_random_state():
        try:
            _reseed(seed, t0, 0)
            t = abc.initialize_components_before_run(
                minimum_epsilon=settings["min_epsilon"],
                max_nr_populations=wanted - t0,
                min_acceptance_rate=settings["min_acceptance"],
                max_total_nr_simulations=np.inf,
                max_walltime=None,
                min_eps_diff=0.0,
            )
            while True:
                _reseed(seed, t, 1)
                epsilon = abc.eps(t)
                ret = abc.run_generation(t=t)
                if not ret["successful"]:
                    stopped = _stop("refused", t=t, rate=f"{settings['min_acceptance']:g}")
                    break
                rate = ret["acceptance_rate"]
                _say(
                    progress,
                    i18n.text(
                        "bayes.progress_generation",
                        t=t,
                        epsilon=f"{epsilon:.4g}",
                        rate=f"{rate:.3f}",
                        tried=history.get_all_populations()["samples"].iloc[-1],
                        elapsed=runner.clock(time.perf_counter() - started),
                    ),
                )
                if abc.check_terminate(t=t, acceptance_rate=rate):
                    if epsilon <= settings["min_epsilon"]:
                        stopped = _stop(
                            "epsilon",
                            epsilon=f"{epsilon:.4g}",
                            min_epsilon=f"{settings['min_epsilon']:g}",
                        )
                    elif rate < settings["min_acceptance"]:
                        stopped = _stop("acceptance", rate=f"{settings['min_acceptance']:g}")
                    break
                t += 1
        finally:
            history.done()
            abc.sampler.stop()
    return history, stopped, time.perf_counter() - started
