"""A national-scale run: about 40,000 purchasers and 100,000 NGOs for 20 years.

Usage: ``python benchmarks/national.py [--cities 1482] [--years 20]``. The baseline city
has 27 purchasers and 60 initial NGOs, so 1,482 cities give 40,014 purchasers and
88,920 initial NGOs (about 100,000 with entry). Prints time and peak memory.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import peak_mib, scaled, timed

from simcontract import ContractingModel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=1482)
    parser.add_argument("--years", type=int, default=20)
    args = parser.parse_args()
    scenario = scaled(args.cities, years=args.years)
    build = [None]
    setup = timed(lambda: build.__setitem__(0, ContractingModel(scenario, rng=1)))
    model = build[0]
    purchasers = sum(len(c.purchasers) for c in model.cities)
    ngos = len(model.ngos)
    run = timed(model.run)
    print(
        f"{args.cities} cities: {purchasers} purchasers, {ngos} NGOs at the start, "
        f"{len(model.ngos)} NGOs ever, {args.years} years"
    )
    print(f"setup {setup:.1f} s, run {run:.1f} s, total {setup + run:.1f} s (target < 120 s)")
    print(f"peak memory {peak_mib():.0f} MiB (target < 4096 MiB)")


if __name__ == "__main__":
    main()
