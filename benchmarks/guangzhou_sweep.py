"""A 1,000-run sweep of the Guangzhou scenario on a fixed number of worker processes.

Usage: ``python benchmarks/guangzhou_sweep.py [--points 100] [--replications 10]
[--workers 2]``. Runs a full factorial grid over favouritism (``points / 5`` levels)
and contract length (1 to 5 years) on ``guangzhou_ifsc`` (20 x 5 points by default),
10 replications each, in memory, and prints wall time, runs per second and the peak
memory of this process.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import peak_mib

from simcontract import sweep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100, help="design points (a square)")
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    levels = max(1, args.points // 5)
    grid = {
        "favouritism": [round(0.05 + 0.9 * i / max(levels - 1, 1), 4) for i in range(levels)],
        "contract_years": [1, 2, 3, 4, 5],
    }
    runs = levels * 5 * args.replications
    start = time.perf_counter()
    results = sweep("guangzhou_ifsc", grid, replications=args.replications, workers=args.workers)
    seconds = time.perf_counter() - start
    if len(results.runs) != runs:
        raise SystemExit(f"expected {runs} runs, got {len(results.runs)}")
    print(f"guangzhou_ifsc: {runs} runs on {args.workers} workers")
    print(f"wall time {seconds:.1f} s (target < 300 s), {runs / seconds:.1f} runs/s")
    print(f"peak memory of the main process {peak_mib():.0f} MiB")


if __name__ == "__main__":
    main()
