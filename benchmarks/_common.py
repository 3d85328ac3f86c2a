"""Shared helpers of the benchmark scripts: scaled scenarios and measurement."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable

from simcontract import load_scenario
from simcontract.scenario import Scenario


def scaled(factor: int, years: int = 20) -> Scenario:
    """The baseline scenario with ``factor`` times the purchasers, slots and NGOs.

    The market grows by cities: bidding is local to a city, so a national market is
    many local ones.
    """
    return load_scenario("baseline").replace(n_cities=factor, years=years)


def timed(fn: Callable[[], object]) -> float:
    """Wall time of one call, in seconds."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def peak_mib() -> float:
    """Peak resident memory of this process so far, in MiB (Linux ru_maxrss is KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
