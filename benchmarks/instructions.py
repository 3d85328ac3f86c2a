"""Instructions one run executes, counted by valgrind's callgrind.

Usage: ``python benchmarks/instructions.py [--scenario guangzhou_ifsc] [--runs 3]
[--years N]``. Runs the scenario ``--runs`` times (seeds 0, 1, ...) in a Python process
under ``valgrind --tool=callgrind``, and an identical process that only imports, and
prints the difference per run. Unlike a wall time, the count does not move with the
machine's load or clock, so two versions of the code can be compared on a busy or
shared machine (hash randomisation is fixed with ``PYTHONHASHSEED=0``, and BLAS runs
one thread, so a repeat gives the same count). It counts the simcontract this script
imports: to count another checkout, set ``PYTHONPATH`` to it. Needs valgrind
(Debian: ``apt-get install valgrind``); about 50 times slower than a plain run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import simcontract
from simcontract import load_scenario
from simcontract.scenario import ScenarioError

CHECKOUT = Path(simcontract.__file__).resolve().parents[1]
"""The folder holding the simcontract package this process imported."""

CHILD = """
import sys
from simcontract import ContractingModel, load_scenario
scenario, runs, years = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
scenario = load_scenario(scenario)
if years > 0:
    scenario = scenario.replace(years=years)
for seed in range(runs):
    ContractingModel(scenario, rng=seed).run().release()
"""


def counted(scenario: str, runs: int, years: int) -> int:
    """Instructions of a process that imports simcontract and makes ``runs`` runs."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-c",
        CHILD,
        scenario,
        str(runs),
        str(years),
    ]
    # One BLAS thread: idle BLAS threads spin-wait, and their count of instructions
    # varied by about 1% from one repeat to the next.
    env = {**os.environ, "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    # The child runs in the checkout this process imported simcontract from, so that it
    # counts the same code (``python -c`` puts the working directory first on its path).
    proc = subprocess.run(command, capture_output=True, text=True, env=env, cwd=CHECKOUT)
    found = re.search(r"Collected\s*:\s*(\d+)", proc.stderr)
    if proc.returncode != 0 or found is None:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise SystemExit(f"the counted run failed: {last}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="guangzhou_ifsc")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--years", type=int, default=0, help="years (default: the scenario's)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind not found: install it (Debian: apt-get install valgrind)", file=sys.stderr)
        raise SystemExit(2)
    if args.runs < 1:
        print(f"--runs must be at least 1, got {args.runs}", file=sys.stderr)
        raise SystemExit(2)
    try:
        load_scenario(args.scenario)
    except ScenarioError as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None
    with ThreadPoolExecutor(2) as pool:
        both = pool.map(lambda n: counted(args.scenario, n, args.years), [args.runs, 0])
        total, imports = both
    per_run = (total - imports) / args.runs
    print(f"{args.scenario}: {args.runs} runs under callgrind (PYTHONHASHSEED=0, one BLAS thread)")
    print(f"code counted: {CHECKOUT / 'simcontract'}")
    print(f"import alone: {imports / 1e9:.3f} G instructions")
    print(f"instructions per run: {per_run / 1e9:.3f} G")


if __name__ == "__main__":
    main()
