"""One run of a many-city market, split over several processes.

Cities share nothing: each has its own purchasers, NGOs, officials, hub and evaluators,
and draws from its own generator spawned from the run's seed. So a worker process can
run a share of the cities for the whole run (``ContractingModel(..., cities=share)``),
and the workers' yearly records of each city add up, in city order
(:func:`simcontract.outcomes.combine`), to the records of the whole market run in one
process, which adds them up the same way: the summary and yearly series are the same to
the last digit, whatever the number of workers and the grouping of cities.

Use it for national-scale what-ifs; the agents stay in the workers, so what comes back
is the summary and the yearly series (run :class:`~simcontract.ContractingModel` in
this process to inspect agents).
"""

from __future__ import annotations

import concurrent.futures as cf
from dataclasses import dataclass
from functools import partial

import pandas as pd

from simcontract import gcpause
from simcontract.experiment import runner
from simcontract.experiment.runner import check_flag, check_int
from simcontract.model import ContractingModel
from simcontract.outcomes import YearRecord, combine, frame, summarise
from simcontract.scenario import Scenario, load_scenario


@dataclass
class SplitRun:
    """The outcome of one run of a whole market.

    Attributes:
        scenario: The scenario run.
        seed: The run's seed.
        workers: Processes used (on an executor: groups run at once).
        records: The market's counters, one record per year (all cities).
    """

    scenario: Scenario
    seed: int
    workers: int
    records: list[YearRecord]

    def summary(self) -> dict[str, float]:
        """Outcomes of the run, as :meth:`ContractingModel.summary`."""
        return summarise(self.records)

    def series(self) -> pd.DataFrame:
        """One row per model year, as :meth:`ContractingModel.series`."""
        return frame(self.records)


CITIES_PER_TASK = 64
"""Cities a worker runs together by default. A worker holds one group at a time, so its
memory is that of a group whatever the size of the market, and a worker that finishes
early takes the next group."""


def city_groups(n_cities: int, size: int) -> list[list[int]]:
    """The city indices in consecutive groups of at most ``size``."""
    size = max(1, size)
    return [list(range(start, min(start + size, n_cities))) for start in range(0, n_cities, size)]


def run_split(
    scenario: Scenario | str | None,
    seed: int,
    *,
    workers: int | None = None,
    executor: cf.Executor | None = None,
    cities_per_task: int | None = None,
    progress: bool | None = False,
) -> SplitRun:
    """Run ``scenario`` once with ``seed``, its cities in groups over ``workers`` processes.

    Each group of cities runs for the whole run as one
    ``ContractingModel(scenario, rng=seed, cities=group)``; a worker takes the next group
    when it finishes one.

    Args:
        scenario: A ``Scenario``, a built-in name or a TOML path.
        seed: The run's seed (as ``ContractingModel(scenario, rng=seed)``).
        workers: Processes (default: every core; never more than there are groups);
            1 runs the groups one after another in this process.
        executor: Run the groups on this ``concurrent.futures.Executor`` instead (e.g.
            Dask's); it is not shut down.
        cities_per_task: Cities in a group (default: :data:`CITIES_PER_TASK`, or fewer
            so that every worker has a group).
        progress: Show a progress bar of city-years on stderr; ``None``: a bar on a
            terminal, plain lines elsewhere (see
            :func:`~simcontract.experiment.runner.log_progress`), nothing when the
            ``CI`` environment variable is set.

    Returns:
        The run's yearly records, summary and series.

    Raises:
        ExperimentError: ``seed`` below 0, ``workers`` or ``cities_per_task`` below 1 (a
            ``ValueError``).
        WorkerLost: A worker process died.
        TypeError: ``progress`` is neither a bool nor ``None``.
    """
    seed = check_int(seed, "seed", 0)
    if cities_per_task is not None:
        check_int(cities_per_task, "cities_per_task", 1)
    runner.log_progress(check_flag(progress, "progress", none=True))
    scenario = load_scenario(scenario)
    n, years = scenario["n_cities"], scenario["years"]
    size = cities_per_task or min(CITIES_PER_TASK, -(-n // runner.width(workers, executor)))
    groups = city_groups(n, size)
    width = runner.width(workers, executor, limit=len(groups))
    totals = _InCityOrder()
    runner.run_units(
        partial(_run_group, scenario, seed),
        groups,
        totals.add,
        bar=runner.Progress(n * years, scenario.name, "city-year"),
        workers=width,
        executor=executor,
        progress=progress,
        size=lambda group: len(group) * years,
        ticks=True,
    )
    return SplitRun(scenario=scenario, seed=seed, workers=width, records=totals.records)


class _InCityOrder:
    """The market's yearly records, added up from the groups' records of each city in
    city order, as one process adds them up; a group that finishes before the groups
    before it waits, so only those are kept."""

    def __init__(self) -> None:
        self.records: list[YearRecord] = []
        self._waiting: dict[int, list[list[YearRecord]]] = {}
        self._next = 0

    def add(self, group: int, years: list[list[YearRecord]]) -> None:
        """Take group ``group``'s records: per year, each of its cities' in order."""
        self._waiting[group] = years
        while self._next in self._waiting:
            years = self._waiting.pop(self._next)
            if not self.records:
                self.records = [YearRecord(year=by_city[0].year) for by_city in years]
            self.records = [
                combine([total, *by_city], total.year)
                for total, by_city in zip(self.records, years, strict=True)
            ]
            self._next += 1


def _run_group(scenario: Scenario, seed: int, cities: list[int]) -> list[list[YearRecord]]:
    """Run ``cities`` of ``scenario`` for the whole run; return each year's records of
    its cities (in order)."""
    records = []
    with gcpause.paused():  # as ContractingModel.run
        model = ContractingModel(scenario, rng=seed, cities=cities)
        while model.running:
            model.step()
            records.append(model.year_by_city)
            runner.tick(len(cities))
        model.release()
        del model
        gcpause.free_run()
    return records
