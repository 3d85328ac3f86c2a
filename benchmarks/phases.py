"""Where a city-year's time goes: wall time of each phase of the schedule.

Usage: ``python benchmarks/phases.py [--scenario baseline] [--cities 16] [--years 20]
[--seed 3]``. Runs the scenario with ``--cities`` copies of its city, with a timer around
each phase and some of their parts, and prints the time of each per city-year and how often it ran
per city-year. The timers add about a microsecond a call, so the phases add up to a
little more than an untimed run; compare phases with each other, and runs of the same
command with each other.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from simcontract import ContractingModel, load_scenario, openround
from simcontract.agents import City
from simcontract.batch import YearBatch
from simcontract.phases import (
    budgets,
    cadres,
    closing,
    delivery,
    entry,
    evaluation,
    money,
    strategy,
    tendering,
    workforce,
)

PHASES: list[tuple[Any, list[str]]] = [
    (ContractingModel, ["step"]),
    (budgets, ["open_year"]),
    (entry, ["register_ngos"]),
    (cadres, ["rotate_officials"]),
    (strategy, ["plan_year"]),
    (
        tendering,
        ["tender_round", "open_books", "choose_open_tenders", "run_tender", "_count_market"],
    ),
    (openround.OpenRound, ["start"]),
    (YearBatch, ["of"]),
    (workforce, ["staff_contracts", "workers_quit"]),
    (delivery, ["deliver_services"]),
    (evaluation, ["evaluate_contracts"]),
    (money, ["settle_accounts"]),
    (closing, ["close_year", "_count_stocks"]),
    (City, ["index_ngos"]),
]
"""The timed functions: the year (``step``, all cities), every phase of a city's year and
the larger parts of some phases."""


def timer(owner: Any, name: str, seconds: Counter[str], calls: Counter[str]) -> Callable[..., Any]:
    """``owner.name`` wrapped to add its wall time to ``seconds[name]``."""
    real = getattr(owner, name)
    static = isinstance(owner, type) and isinstance(owner.__dict__.get(name), classmethod)

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        result = real(*args, **kwargs)
        seconds[name] += time.perf_counter() - start
        calls[name] += 1
        return result

    return classmethod(lambda cls, *a, **k: timed(*a, **k)) if static else timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--cities", type=int, default=16)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    scenario = scenario.replace(years=args.years, n_cities=scenario["n_cities"] * args.cities)
    seconds: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    for owner, names in PHASES:
        for name in names:
            setattr(owner, name, timer(owner, name, seconds, calls))
    model = ContractingModel(scenario, rng=args.seed)
    start = time.perf_counter()
    model.run()
    total = time.perf_counter() - start
    city_years = len(model.cities) * args.years
    print(f"{args.scenario}: {len(model.cities)} cities x {args.years} years (timers on)")
    print(f"{'one city-year':24s} {total / city_years * 1e3:8.3f} ms")
    for name, value in seconds.most_common():
        per_year = calls[name] / city_years
        print(f"{name:24s} {value / city_years * 1e3:8.3f} ms  {per_year:6.1f} calls")


if __name__ == "__main__":
    main()
