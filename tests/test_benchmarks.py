"""The benchmark scripts of the README's Performance section run, at toy sizes.

They print figures; these tests check that each runs to the end and prints what it
promises. They assert nothing about times.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

RUNS = {
    "classroom_load": (
        ["--clients", "40", "--years", "1", "--think", "0,0.5"],
        ["40 clients on loopback", "time to close the year", "latency median"],
    ),
    "overhead": (["--years", "2", "--rounds", "1"], ["one model year:", "ratio:"]),
    "memory": (
        ["--growth", "0.03,0.1", "--years", "3"],
        ["NGO x tender", "projected", "log-log slope of peak memory against bids + contracts"],
    ),
    "phases": (["--cities", "1", "--years", "2"], ["one city-year", "run_tender", "deliver"]),
    "run_scaling": (
        ["--factors", "1,2", "--years", "2", "--repeats", "1"],
        ["log-log slope of time against size"],
    ),
    "national": (["--cities", "3", "--years", "2", "--workers", "1"], ["in one process"]),
    "national-split": (
        ["--cities", "3", "--years", "2", "--workers", "2"],
        ["over 2 worker processes", "largest worker"],
    ),
    "instructions": (
        ["--scenario", "thin_market", "--runs", "1", "--years", "1"],
        ["import alone:", "instructions per run:"],
    ),
    "guangzhou_sweep": (
        ["--points", "5", "--replications", "1", "--workers", "1"],
        ["5 runs on 1 workers", "runs/s"],
    ),
    "sweep_vs_batch_run": (
        ["--levels", "1", "--replications", "2", "--years", "2", "--workers", "1"],
        ["simcontract sweep      6", "mesa batch_run         6", "sweep / batch_run: wall time"],
    ),
}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_benchmark_script_runs_and_prints_its_figures(name: str, tmp_path: Path) -> None:
    args, expected = RUNS[name]
    script = ROOT / "benchmarks" / f"{name.split('-')[0]}.py"
    proc = subprocess.run(
        [sys.executable, str(script), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    for text in expected:
        assert text in proc.stdout, proc.stdout


def test_fixed_seed_finds_a_saved_run_identical(tmp_path: Path) -> None:
    script = ROOT / "benchmarks" / "fixed_seed.py"
    saved = tmp_path / "before.json"

    def run(*args: str) -> str:
        proc = subprocess.run(
            [sys.executable, str(script), "--seeds", "2", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stdout

    run("--save", str(saved))
    last = run("--against", str(saved)).strip().splitlines()[-1]
    same, total = re.fullmatch(r"identical to the last digit: (\d+) of (\d+) .*", last).groups()
    assert same == total and int(total) > 0
