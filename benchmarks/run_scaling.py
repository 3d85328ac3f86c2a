"""Time and memory of one run as the market grows: baseline scaled 1x, 4x, 16x, 64x.

Usage: ``python benchmarks/run_scaling.py [--factors 1,4,16,64] [--years 20]
[--repeats 3]``. Each size runs ``--repeats`` times, each in a fresh process (so peak
memory is its own); prints the fastest time per run (the least disturbed by other work
on the machine), peak memory and the log-log slope of time against size (1.0 = linear).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import numpy as np

CHILD = """
import json, sys
sys.path.insert(0, {here!r})
from _common import peak_mib, scaled, timed
from simcontract import ContractingModel
scenario = scaled({factor}, years={years})
model = ContractingModel(scenario, rng=1)
seconds = timed(model.run)
print(json.dumps({{"seconds": seconds, "mib": peak_mib(), "ngos": len(model.ngos),
                  "purchasers": sum(len(c.purchasers) for c in model.cities)}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factors", default="1,4,16,64")
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    here = str(__import__("pathlib").Path(__file__).resolve().parent)
    factors = [int(f) for f in args.factors.split(",")]
    rows = []
    print(f"{'size':>5} {'purchasers':>10} {'NGOs ever':>9} {'s/run':>8} {'peak MiB':>9}")
    for factor in factors:
        code = CHILD.format(here=here, factor=factor, years=args.years)
        tries = []
        for _ in range(max(1, args.repeats)):
            out = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            )
            tries.append(json.loads(out.stdout.strip().splitlines()[-1]))
        row = min(tries, key=lambda r: r["seconds"])
        rows.append((factor, row))
        print(
            f"{factor:>4}x {row['purchasers']:>10} {row['ngos']:>9} "
            f"{row['seconds']:>8.2f} {row['mib']:>9.0f}"
        )
    if len(rows) > 1:
        x = np.log([f for f, _ in rows])
        y = np.log([r["seconds"] for _, r in rows])
        slope = float(np.polyfit(x, y, 1)[0])
        print(f"log-log slope of time against size: {slope:.3f} (target <= 1.1)")


if __name__ == "__main__":
    main()
