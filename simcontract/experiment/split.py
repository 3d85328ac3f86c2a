"""One run of a many-city market, split over several processes.

Cities share nothing: each has its own purchasers, NGOs, officials, hub and evaluators,
and draws from its own generator spawned from the run's seed. So a worker process can
run a share of the cities for the whole run (``ContractingModel(..., cities=share)``),
and the workers' yearly records add up (:func:`simcontract.outcomes.combine`) to the
records of the whole market run in one process: the summary and yearly series are the
same, up to the order of floating-point sums, whatever the number of workers.

Use it for national-scale what-ifs; the agents stay in the workers, so what comes back
is the summary and the yearly series (run :class:`~simcontract.ContractingModel` in
this process to inspect agents).
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
from dataclasses import dataclass
from functools import partial
from typing import Any

import pandas as pd

from simcontract.experiment.parallel import process_context
from simcontract.model import ContractingModel
from simcontract.outcomes import YearRecord, combine, frame, summarise
from simcontract.scenario import Scenario, load_scenario

_progress: Any = None
"""A worker's queue for reporting city-years run (set when the worker starts)."""


@dataclass
class SplitRun:
    """The outcome of one run of a whole market.

    Attributes:
        scenario: The scenario run.
        seed: The run's seed.
        workers: Processes used.
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
        cities_per_task: Cities in a group (default: :data:`CITIES_PER_TASK`, or fewer
            so that every worker has a group).
        progress: Show a progress bar of city-years on stderr; ``None``: only on a
            terminal.

    Returns:
        The run's yearly records, summary and series.

    Raises:
        ValueError: ``workers`` or ``cities_per_task`` below 1.
    """
    from tqdm.auto import tqdm

    for name, value in (("workers", workers), ("cities_per_task", cities_per_task)):
        if value is not None and value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
    scenario = load_scenario(scenario)
    n = scenario["n_cities"]
    width = workers or os.cpu_count() or 1
    size = cities_per_task or min(CITIES_PER_TASK, -(-n // width))
    groups = city_groups(n, size)
    width = min(width, len(groups))
    show = sys.stderr.isatty() if progress is None else bool(progress)
    with tqdm(
        total=scenario["n_cities"] * scenario["years"],
        unit="city-year",
        desc=scenario.name,
        disable=not show,
        file=sys.stderr,
        dynamic_ncols=True,
    ) as bar:
        if width == 1:
            runs = [_run_group(scenario, seed, group, on_year=bar.update) for group in groups]
        else:
            runs = _run_in_workers(scenario, seed, groups, width, bar)
    records = [combine(year_records) for year_records in zip(*runs, strict=True)]
    return SplitRun(scenario=scenario, seed=seed, workers=width, records=records)


def _run_in_workers(
    scenario: Scenario, seed: int, groups: list[list[int]], width: int, bar: Any
) -> list[list[YearRecord]]:
    """Run the groups on ``width`` processes; the bar counts city-years run."""
    ctx = process_context()
    city_years = ctx.Queue()
    with ctx.Pool(width, initializer=_listen, initargs=(city_years,)) as pool:
        pending = pool.map_async(partial(_run_group, scenario, seed), groups, chunksize=1)
        while not pending.ready():
            with contextlib.suppress(queue.Empty):
                bar.update(city_years.get(timeout=0.2))
        runs = pending.get()
    while True:
        try:
            bar.update(city_years.get_nowait())
        except queue.Empty:
            break
    return runs


def _listen(years_done: Any) -> None:
    global _progress
    _progress = years_done


def _run_group(
    scenario: Scenario, seed: int, cities: list[int], on_year: Any = None
) -> list[YearRecord]:
    """Run ``cities`` of ``scenario`` for the whole run; return the yearly records."""
    from simcontract.experiment import _release

    model = ContractingModel(scenario, rng=seed, cities=cities)
    while model.running:
        model.step()
        if on_year is not None:
            on_year(len(cities))
        elif _progress is not None:
            _progress.put(len(cities))
    records = model.records
    _release(model)
    return records
