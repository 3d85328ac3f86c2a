"""Replications in the seminar app: the current rules run again on other seeds.

One run can mislead: a different seed gives a different market. :func:`replicate`
runs the live run's scenario (its preset, the changed rules and the policy shocks)
:data:`REPLICATIONS` times to the end, in this process, with the seeds a batch would
use, and gives means with confidence intervals per outcome and per year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from simcontract.experiment.runner import run_seed
from simcontract.experiment.stats import Interval, mean_ci
from simcontract.model import ContractingModel
from simcontract.plots.data import within_range
from simcontract.scenario import Scenario

REPLICATIONS = 10
"""Replications per click of Replicate."""

LEVEL = 0.95
"""Confidence level of the intervals."""


@dataclass(frozen=True)
class Replicates:
    """Replications of one scenario.

    Attributes:
        scenario: The scenario run.
        seed: Base seed (replication ``r`` ran with ``run_seed(seed, r)``).
        summaries: One row per replication, one column per outcome (over the run).
        series: One row per replication and year (columns ``replication``, ``year``
            and every outcome).
    """

    scenario: Scenario
    seed: int
    summaries: pd.DataFrame
    series: pd.DataFrame

    @property
    def n(self) -> int:
        """Number of replications."""
        return len(self.summaries)

    def interval(self, outcome: str) -> Interval:
        """Mean and CI of an outcome's run summary over the replications where it is
        defined, the CI cut at the outcome's range."""
        return within_range(mean_ci(self.summaries[outcome], LEVEL), outcome)[0]

    def band(self, outcome: str) -> pd.DataFrame:
        """Mean and CI of an outcome in each year, the CI cut at the outcome's range:
        columns ``year``, ``mean``, ``low``, ``high``."""
        rows = []
        for year, values in self.series.groupby("year")[outcome]:
            ci, _cut = within_range(mean_ci(values, LEVEL), outcome)
            rows.append({"year": int(year), "mean": ci.mean, "low": ci.low, "high": ci.high})
        return pd.DataFrame(rows, columns=["year", "mean", "low", "high"])


def replicate(
    scenario: Scenario,
    seed: int,
    replications: int = REPLICATIONS,
    progress: Callable[[int], None] | None = None,
) -> Replicates:
    """Run ``scenario`` to its end ``replications`` times.

    Args:
        scenario: What to run (with its dated changes).
        seed: Base seed; replication ``r`` uses ``run_seed(seed, r)`` as in a batch.
        replications: How many runs.
        progress: Called with the number of runs done after each run.
    """
    summaries, series = [], []
    for r in range(replications):
        model = ContractingModel(scenario, rng=run_seed(seed, r))
        try:
            model.run()
            summaries.append(model.summary())
            yearly = model.series()
        finally:
            model.release()  # also when the run fails: Mesa 3.3 would keep it alive
        yearly.insert(0, "replication", r)
        series.append(yearly)
        if progress is not None:
            progress(r + 1)
    return Replicates(scenario, seed, pd.DataFrame(summaries), pd.concat(series))
