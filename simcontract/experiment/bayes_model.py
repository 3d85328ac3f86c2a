"""One particle of a Bayesian calibration: its model runs, their seeds, and its distance
from the figures (see :mod:`simcontract.experiment.bayes`)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simcontract.experiment.bayes_inputs import whole_number
from simcontract.scenario import Scenario, ScenarioError

STREAM_SAMPLER, STREAM_DRAWS, STREAM_PREDICTIVE, STREAM_PARTICLE = range(4)
"""First element of the spawn keys of a calibration's random streams, which keeps them
apart: pyabc's proposals, the predictive check's draws of particles and its runs, and
the particles' runs."""


def stream_seed(seed: int, *key: int) -> int:
    """A 63-bit run seed: the first 64-bit word of ``SeedSequence(seed, spawn_key=key)``
    shifted right by one (as :func:`~simcontract.experiment.runner.run_seed`)."""
    state = np.random.SeedSequence(seed, spawn_key=key).generate_state(1, dtype=np.uint64)
    return int(state[0] >> np.uint64(1))


def particle_seeds(seed: int, values: Sequence[float], replications: int) -> list[int]:
    """Run seeds of one particle: replication ``r`` runs with
    ``stream_seed(seed, 3, *bits, r)`` (:func:`stream_seed`), where ``bits`` are the
    32-bit halves of the particle's values as float64.

    So a particle's runs are a pure function of the base seed and its values, wherever
    and whenever it is evaluated.
    """
    bits = np.asarray(values, dtype=np.float64).view(np.uint32).tolist()
    return [stream_seed(seed, STREAM_PARTICLE, *bits, rep) for rep in range(replications)]


def run_figures(
    scenario: Scenario, seeds: Sequence[int], figures: Sequence[tuple[str, str, int]]
) -> dict[str, list[float]]:
    """The figures' values in one run of ``scenario`` per seed.

    Args:
        scenario: The scenario run.
        seeds: One run per seed.
        figures: ``(key, outcome, model year)`` of each figure.

    Returns:
        ``{key: [value in each run]}``; ``nan`` when a run has no value there.
    """
    from simcontract import gcpause
    from simcontract.model import ContractingModel
    from simcontract.outcomes import yearly

    values: dict[str, list[float]] = {key: [] for key, _, _ in figures}
    wanted = {year for _, _, year in figures}
    with gcpause.paused():
        for seed in seeds:
            model = ContractingModel(scenario, rng=seed).run()
            model.release()
            # The yearly outcomes of the years needed only (a whole series costs more).
            years = {r.year: yearly(r) for r in model.records if r.year in wanted}
            for key, outcome, year in figures:
                values[key].append(float(years.get(year, {}).get(outcome, math.nan)))
            del model
            gcpause.free_run()
    return values


@dataclass(frozen=True)
class Simulator:
    """One particle's model runs, as pyabc calls them: parameter values in, the fitted
    figures' means over the replications out.

    Attributes:
        scenario: The scenario, cut to the last year a figure needs.
        names: The free parameters, in prior order.
        integers: Which of them take whole numbers (draws are rounded).
        figures: ``(key, outcome, model year)`` of each fitted figure.
        replications: Runs per particle.
        seed: Base seed (see :func:`particle_seeds`).
    """

    scenario: Scenario
    names: tuple[str, ...]
    integers: tuple[bool, ...]
    figures: tuple[tuple[str, str, int], ...]
    replications: int
    seed: int

    def values(self, parameter: Mapping[str, float]) -> dict[str, Any]:
        """The particle's values as the scenario takes them (whole numbers rounded)."""
        return {
            name: whole_number(float(parameter[name])) if integer else float(parameter[name])
            for name, integer in zip(self.names, self.integers, strict=True)
        }

    def __call__(self, parameter: Mapping[str, float]) -> dict[str, float]:
        """The mean of each fitted figure over the particle's runs; ``nan`` when a run
        has no value or the scenario rejects the values."""
        try:
            scenario = self.scenario.replace(**self.values(parameter))
        except ScenarioError:
            return {key: math.nan for key, _, _ in self.figures}
        raw = [float(parameter[name]) for name in self.names]
        seeds = particle_seeds(self.seed, raw, self.replications)
        runs = run_figures(scenario, seeds, self.figures)
        return {key: float(np.mean(v)) for key, v in runs.items()}


def relative_distance(x: Mapping[str, float], x_0: Mapping[str, float]) -> float:
    """Distance of a particle's summary ``x`` from the figures ``x_0``: the sum over the
    figures of the absolute relative deviation ``|x / x_0 - 1|`` (``|x|`` for a figure
    of 0), so each figure weighs the same whatever its unit; infinite when a value is
    missing or not finite."""
    total = 0.0
    for key, observed in x_0.items():
        value = float(x.get(key, math.nan))
        if not math.isfinite(value):
            return math.inf
        observed = float(observed)
        total += abs(value / observed - 1) if observed else abs(value)
    return total
