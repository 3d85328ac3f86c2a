"""The result of a Bayesian calibration: the posterior particles, their summary table
and the posterior predictive check (see :mod:`simcontract.experiment.bayes`)."""

from __future__ import annotations

import concurrent.futures as cf
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from simcontract.experiment import runner
from simcontract.experiment.bayes_defaults import DEFAULT_PREDICTIVE_DRAWS
from simcontract.experiment.bayes_inputs import Figure, Prior
from simcontract.experiment.bayes_model import (
    STREAM_DRAWS,
    STREAM_PREDICTIVE,
    Simulator,
    run_figures,
    stream_seed,
)
from simcontract.experiment.runner import check_int
from simcontract.scenario import Scenario, ScenarioError

LEVEL = 0.95
"""Probability of the credible and predictive intervals."""


@dataclass(frozen=True)
class Posterior:
    """The outcome of a calibration.

    Attributes:
        scenario: The calibrated scenario (as given, not cut).
        priors: The free parameters' priors.
        figures: Every figure of the scenario with its use (fit, holdout, input).
        particles: The last generation: one row per particle, a column per free
            parameter (the drawn value; whole-number parameters as drawn, before
            rounding), ``weight`` (importance weight, summing to 1) and ``distance``
            (:func:`relative_distance` of its summary from the fitted figures).
        generations: One row per generation: ``generation`` (from 0), ``epsilon`` (the
            tolerance: a particle was accepted when its distance was at most this),
            ``particles`` (accepted), ``evaluations`` (particles tried, each
            ``replications`` runs), ``acceptance_rate`` (particles / evaluations) and
            ``ess`` (effective sample size of the weights, ``1 / sum(w^2)``).
        predictive: The posterior predictive check (see :func:`predictive_check`), or
            ``None`` when not computed.
        settings: How the run was made: ``population``, ``replications``, ``seed``,
            ``fit_until``, ``years`` (the run's cut length), ``generations`` (asked),
            ``min_acceptance``, ``min_epsilon``, ``workers``, ``stopped`` (why the run
            stopped, in English), ``stop`` (the same as a ``reason``, a
            ``bayes.stop_*`` text of the catalogue, and its values) and
            ``wall_seconds`` (of this call, sampling only).
        db: The pyabc history (an SQLAlchemy URL), or ``""`` when it was in memory.
    """

    scenario: Scenario
    priors: tuple[Prior, ...]
    figures: tuple[Figure, ...]
    particles: pd.DataFrame
    generations: pd.DataFrame
    predictive: pd.DataFrame | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    db: str = ""

    @property
    def names(self) -> list[str]:
        """The free parameters, in prior order."""
        return [p.name for p in self.priors]

    def table(self, level: float = LEVEL) -> pd.DataFrame:
        """One row per free parameter: ``parameter``, ``scenario_value`` (the
        scenario's own), ``prior_low``, ``prior_high``, ``prior_basis`` (see
        :class:`Prior`), the weighted posterior ``mean``, ``sd`` and ``median``, and
        ``low``, ``high``: the equal-tailed credible interval of probability ``level``
        (weighted quantiles ``(1 - level) / 2`` and ``(1 + level) / 2``, see
        :func:`weighted_quantile`), and ``shrinkage``: the interval's width over the
        prior's (1: the figures say nothing about the parameter)."""
        w = self.particles["weight"].to_numpy(dtype=float)
        tail = (1 - level) / 2
        rows = []
        for prior in self.priors:
            x = self.particles[prior.name].to_numpy(dtype=float)
            mean = float(np.sum(w * x) / np.sum(w))
            low, median, high = weighted_quantile(x, w, [tail, 0.5, 1 - tail])
            rows.append(
                {
                    "parameter": prior.name,
                    "scenario_value": float(self.scenario[prior.name]),
                    "prior_low": prior.low,
                    "prior_high": prior.high,
                    "prior_basis": prior.basis,
                    "mean": mean,
                    "sd": float(math.sqrt(np.sum(w * (x - mean) ** 2) / np.sum(w))),
                    "median": median,
                    "low": low,
                    "high": high,
                    "shrinkage": (high - low) / (prior.high - prior.low),
                }
            )
        return pd.DataFrame(rows)


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: Sequence[float]) -> list[float]:
    """Quantiles of a weighted sample: for each ``q``, the smallest ``x`` whose
    cumulative normalised weight (in ascending order of ``x``) reaches ``q``."""
    order = np.argsort(x, kind="stable")
    xs, cum = np.asarray(x, dtype=float)[order], np.cumsum(np.asarray(w, dtype=float)[order])
    cum /= cum[-1]
    idx = np.searchsorted(cum, np.asarray(q, dtype=float), side="left")
    return [float(xs[min(i, len(xs) - 1)]) for i in idx]


# --------------------------------------------------------------------------- predictive
def _predictive_unit(
    unit: tuple[int, dict[str, Any]],
    scenario: Scenario,
    figures: tuple[tuple[str, str, int], ...],
    replications: int,
    seed: int,
) -> dict[str, list[float]]:
    """The figures' values in the runs of one posterior draw (a unit of work)."""
    draw, values = unit
    seeds = [stream_seed(seed, STREAM_PREDICTIVE, draw, rep) for rep in range(replications)]
    try:
        scenario = scenario.replace(**values)
    except ScenarioError:
        return {key: [math.nan] * replications for key, _, _ in figures}
    return run_figures(scenario, seeds, figures)


def predictive_check(
    posterior: Posterior,
    *,
    draws: int = DEFAULT_PREDICTIVE_DRAWS,
    replications: int = 1,
    seed: int | None = None,
    level: float = LEVEL,
    workers: int | None = 1,
    executor: cf.Executor | None = None,
    progress: bool | None = False,
) -> pd.DataFrame:
    """The posterior predictive check: every figure against the model's predictive
    distribution.

    ``draws`` particles are drawn from the last generation with probability equal to
    their weight (with replacement; NumPy generator seeded from
    ``SeedSequence(seed, spawn_key=(1,))``); each runs ``replications`` times on fresh
    seeds (``SeedSequence(seed, spawn_key=(2, draw, replication))``, none of them a seed
    of the fit). Every run is one draw from the predictive distribution.

    Args:
        posterior: The calibration's result.
        draws: Posterior particles drawn (>= 1).
        replications: Runs per drawn particle (>= 1).
        seed: Base seed (default: the calibration's).
        level: Probability of the predictive interval.
        workers, executor, progress: As for :func:`~simcontract.experiment.compare`.

    Returns:
        One row per figure: ``figure``, ``outcome``, ``year`` (model year),
        ``calendar_year``, ``role`` (of ``patterns.toml``), ``use`` (fit, holdout or
        input, see :class:`Figure`), ``source_value``, ``predictive_mean``,
        ``predictive_low`` and ``predictive_high`` (the percentiles ``(1 - level) / 2``
        and ``(1 + level) / 2`` of the runs' values), ``inside`` (the source value lies
        in the predictive interval), ``deviation`` (``predictive_mean / source_value -
        1``) and ``runs`` (runs with a value for the figure).
    """
    draws = check_int(draws, "draws", 1)
    replications = check_int(replications, "replications", 1)
    seed = int(posterior.settings.get("seed", 0) if seed is None else seed)
    units = _drawn_units(posterior, draws, replications, seed)
    years = int(posterior.settings.get("years", posterior.scenario["years"]))
    figures = tuple((f.key, f.target.outcome, f.target.year) for f in posterior.figures)
    work = partial(
        _predictive_unit,
        scenario=posterior.scenario.replace(years=years),
        figures=figures,
        replications=replications,
        seed=seed,
    )
    collected: dict[str, list[float]] = {key: [] for key, _, _ in figures}

    def done(index: int, result: dict[str, list[float]]) -> None:
        for key, values in result.items():
            collected[key].extend(values)

    runner.run_units(
        work,
        units,
        done,
        bar=runner.Progress(draws, "predictive check", "draw"),
        workers=runner.width(workers, executor, limit=draws),
        executor=executor,
        progress=progress,
    )
    return _predictive_table(posterior.figures, collected, level)


def _drawn_units(
    posterior: Posterior, draws: int, replications: int, seed: int
) -> list[tuple[int, dict[str, Any]]]:
    """The ``draws`` particles drawn by weight, as ``(draw, parameter values)`` units."""
    particles = posterior.particles
    w = particles["weight"].to_numpy(dtype=float)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(STREAM_DRAWS,)))
    chosen = rng.choice(len(particles), size=draws, replace=True, p=w / w.sum())
    simulator = Simulator(
        posterior.scenario,
        tuple(posterior.names),
        tuple(p.integer for p in posterior.priors),
        (),
        replications,
        seed,
    )
    return [
        (i, simulator.values(particles.iloc[int(row)][posterior.names].to_dict()))
        for i, row in enumerate(chosen)
    ]


def _predictive_table(
    figures: Sequence[Figure], collected: Mapping[str, list[float]], level: float
) -> pd.DataFrame:
    """Every figure against the runs' values collected for it (see :func:`predictive_check`)."""
    tail = (1 - level) / 2
    rows = []
    for figure in figures:
        values = np.asarray(collected[figure.key], dtype=float)
        values = values[np.isfinite(values)]
        target = figure.target
        if len(values):
            mean = float(values.mean())
            low, high = (float(v) for v in np.quantile(values, [tail, 1 - tail]))
        else:
            mean = low = high = math.nan
        rows.append(
            {
                "figure": target.figure,
                "outcome": target.outcome,
                "year": target.year,
                "calendar_year": figure.calendar_year,
                "role": target.role,
                "use": figure.use,
                "source_value": float(target.value),
                "predictive_mean": mean,
                "predictive_low": low,
                "predictive_high": high,
                "inside": bool(low <= target.value <= high),
                "deviation": mean / target.value - 1 if target.value else math.nan,
                "runs": len(values),
            }
        )
    return pd.DataFrame(rows)
