"""A national-scale run: about 40,000 purchasers and 100,000 NGOs for 20 years.

Usage: ``python benchmarks/national.py [--cities 1482] [--years 20] [--workers 2]``. The
baseline city has 27 purchasers and 60 initial NGOs, so 1,482 cities give 40,014
purchasers and 88,920 initial NGOs (about 100,000 with entry).

With ``--workers 1`` the whole market runs in this process as one ``ContractingModel``
(setup and run timed apart). With more, the cities are split over that many processes
(:mod:`simcontract.experiment.split`, same results). Prints time and peak memory: with
workers, the largest worker's and that of all processes at once (this one's peak plus its
descendants', sampled from ``/proc`` every 0.2 s).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Descendants, peak_mib, scaled, timed

from simcontract import ContractingModel
from simcontract.experiment.split import run_split


def in_one_process(scenario) -> None:
    build = [None]
    setup = timed(lambda: build.__setitem__(0, ContractingModel(scenario, rng=1)))
    model = build[0]
    purchasers = sum(len(c.purchasers) for c in model.cities)
    ngos = len(model.ngos)
    run = timed(model.run)
    print(
        f"{scenario['n_cities']} cities: {purchasers} purchasers, {ngos} NGOs at the start, "
        f"{len(model.ngos)} NGOs ever, {scenario['years']} years, in one process"
    )
    print(f"setup {setup:.1f} s, run {run:.1f} s, total {setup + run:.1f} s (target < 120 s)")
    print(f"peak memory {peak_mib():.0f} MiB (target < 4096 MiB)")


def split_over(scenario, workers: int) -> None:
    start = time.perf_counter()
    with Descendants() as children:
        run = run_split(scenario, 1, workers=workers, progress=None)
    seconds = time.perf_counter() - start
    last = run.records[-1]
    purchasers = scenario["n_cities"] * (scenario["n_bureaux"] + scenario["n_mass_orgs"])
    print(
        f"{scenario['n_cities']} cities: {purchasers} purchasers, "
        f"{last.initial_total} NGOs at the start, {last.active_ngos} active at the end, "
        f"{scenario['years']} years, over {run.workers} worker processes"
    )
    print(f"setup and run {seconds:.1f} s (target < 60 s on 2 workers)")
    main_mib = peak_mib()
    if not children.available:
        print(f"peak memory: this process {main_mib:.0f} MiB (workers not measured here)")
        return
    print(
        f"peak memory: this process {main_mib:.0f} MiB, largest worker "
        f"{children.largest:.0f} MiB, its processes together at most "
        f"{main_mib + children.total:.0f} MiB at once (target < 4096 MiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=1482)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    scenario = scaled(args.cities, years=args.years)
    if args.workers <= 1:
        in_one_process(scenario)
    else:
        split_over(scenario, args.workers)


if __name__ == "__main__":
    main()
