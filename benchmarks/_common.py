"""Shared helpers of the benchmark scripts: scaled scenarios and measurement."""

from __future__ import annotations

import os
import resource
import threading
import time
from collections.abc import Callable
from pathlib import Path

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


def _descendants() -> dict[int, tuple[float, float]]:
    """Resident memory (MiB) and CPU seconds so far of every live descendant of this
    process, by pid (Linux)."""
    parent: dict[int, int] = {}
    usage: dict[int, tuple[float, float]] = {}
    page, tick = os.sysconf("SC_PAGE_SIZE") / 2**20, os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            pages = int((entry / "statm").read_text().split()[1])
        except OSError:
            continue  # the process ended while we looked
        fields = stat[stat.rindex(")") + 2 :].split()
        pid = int(entry.name)
        parent[pid] = int(fields[1])
        usage[pid] = (pages * page, (int(fields[11]) + int(fields[12])) / tick)
    mine, found = {os.getpid()}, True
    while found:
        found = False
        for pid, ppid in parent.items():
            if ppid in mine and pid not in mine:
                mine.add(pid)
                found = True
    mine.discard(os.getpid())
    return {pid: usage[pid] for pid in mine}


class Descendants:
    """Peak memory and CPU time of this process's descendants while the block runs.

    Worker pools start their processes through a fork server, whose children this
    process never reaps, so ``RUSAGE_CHILDREN`` cannot see them; this samples ``/proc``
    every ``interval`` seconds instead (``available`` is false elsewhere). ``total`` is
    the largest sum of resident memory over descendants seen at once, ``largest`` the
    largest one alone, in MiB; ``cpu`` their CPU seconds at the last sample of each. A
    peak shorter than ``interval``, and a process's last ``interval`` of CPU, may be
    missed.
    """

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.available = Path("/proc/self/statm").exists()
        self.total = 0.0
        self.largest = 0.0
        self._cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    @property
    def cpu(self) -> float:
        """CPU seconds of the descendants seen."""
        return sum(self._cpu.values())

    def __enter__(self) -> Descendants:
        if self.available:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self.available:
            self._thread.join()

    def _watch(self) -> None:
        while True:
            seen = _descendants()
            self.total = max(self.total, sum(rss for rss, _ in seen.values()))
            self.largest = max(self.largest, *(rss for rss, _ in seen.values()), 0.0)
            self._cpu.update({pid: cpu for pid, (_, cpu) in seen.items()})
            if self._stop.wait(self.interval):
                return
