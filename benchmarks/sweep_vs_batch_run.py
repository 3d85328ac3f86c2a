"""Benchmark: ``simcontract.sweep`` against ``mesa.batch_run`` on the same grid.

Both run the same full factorial grid on the same scenario, with the same number of
replications, keeping every run's yearly outcomes: ``sweep`` streams them to a
Parquet dataset (``out=`` a temporary folder, ``series=True``), ``batch_run`` returns
them as a list of rows (``data_collection_period=1``) that is then made a DataFrame.
Each runs in a fresh Python process so that peak memory (``ru_maxrss``) is measured
separately: for the main process, and for the largest worker process (sampled from
``/proc`` where a fork server starts the workers).

Usage::

    python benchmarks/sweep_vs_batch_run.py                  # 12 points x 10 reps
    python benchmarks/sweep_vs_batch_run.py --levels 8 --replications 20 --years 30
    python benchmarks/sweep_vs_batch_run.py --rounds 3       # medians of 3 alternating

It prints figures and asserts nothing about them.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Descendants

MODES = ["open", "selective", "direct"]


def _grid(levels: int) -> dict[str, list[Any]]:
    step = 0.6 / max(levels - 1, 1)
    return {
        "favouritism": [round(0.1 + i * step, 6) for i in range(levels)],
        "tendering": MODES,
    }


def _usage(workers: Descendants) -> dict[str, float]:
    """Peak resident memory (MiB) of this process and of its largest descendant, and
    CPU seconds of this process and its descendants together.

    Descendants are counted from ``RUSAGE_CHILDREN`` (the children this process reaped,
    as ``batch_run``'s pool) or from sampling ``/proc`` (``workers``: also a fork
    server's workers, as ``sweep``'s, which this process never reaps), whichever saw
    more: both watch the same processes.
    """
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB else
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "main_mib": own.ru_maxrss * scale / 2**20,
        "worker_mib": max(kids.ru_maxrss * scale / 2**20, workers.largest),
        "cpu_s": own.ru_utime + own.ru_stime + max(kids.ru_utime + kids.ru_stime, workers.cpu),
    }


def child_sweep(opts: argparse.Namespace) -> dict[str, Any]:
    """Run the grid with ``simcontract.sweep`` streaming to a temporary dataset."""
    import pyarrow.parquet as pq

    from simcontract import load_scenario, sweep

    base = load_scenario(opts.scenario).replace(years=opts.years)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        res = sweep(
            base,
            _grid(opts.levels),
            replications=opts.replications,
            workers=opts.workers,
            out=f"{tmp}/out",
            series=True,
        )
        wall = time.perf_counter() - start
        runs = len(res.runs)
        rows = sum(pq.read_metadata(p).num_rows for p in (res.directory / "series").glob("*"))
    return {"wall_s": wall, "runs": runs, "yearly_rows": rows}


def child_batch_run(opts: argparse.Namespace) -> dict[str, Any]:
    """Run the grid with ``mesa.batch_run``, collecting every year's outcomes."""
    import mesa
    import pandas as pd

    from simcontract import ContractingModel, load_scenario

    base = load_scenario(opts.scenario).replace(years=opts.years)
    seeds = list(range(opts.replications))
    parameters: dict[str, Any] = {"market_scenario": [base], **_grid(opts.levels)}
    extra: dict[str, Any] = {}
    if "rng" in inspect.signature(mesa.batch_run).parameters:  # Mesa >= 3.5
        extra["rng"] = seeds
    else:
        parameters["rng"] = seeds
        extra["iterations"] = 1
    start = time.perf_counter()
    rows = mesa.batch_run(
        ContractingModel,
        parameters=parameters,
        number_processes=opts.workers,
        data_collection_period=1,
        display_progress=False,
        **extra,
    )
    frame = pd.DataFrame(rows)
    wall = time.perf_counter() - start
    runs = len(frame.groupby(["RunId"]))
    return {"wall_s": wall, "runs": runs, "yearly_rows": len(frame)}


def _child(method: str, opts: argparse.Namespace) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", method]
    for name in ("scenario", "levels", "replications", "years", "workers"):
        args += [f"--{name}", str(getattr(opts, name))]
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"{method} child failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="baseline", help="scenario (default baseline)")
    parser.add_argument(
        "--levels", type=int, default=4, help="favouritism values (x 3 tendering modes)"
    )
    parser.add_argument("--replications", type=int, default=10, help="runs per point")
    parser.add_argument("--years", type=int, default=20, help="years per run")
    parser.add_argument("--workers", type=int, default=2, help="processes for both")
    parser.add_argument(
        "--rounds", type=int, default=1, help="repeat both, alternating order; report medians"
    )
    parser.add_argument("--child", choices=["sweep", "batch_run"], help=argparse.SUPPRESS)
    opts = parser.parse_args()

    if opts.child:
        run = child_sweep if opts.child == "sweep" else child_batch_run
        with Descendants() as workers:
            figures = run(opts)
        print(json.dumps(figures | _usage(workers)))
        return

    points = opts.levels * len(MODES)
    print(
        f"grid: {points} points (favouritism x tendering) x {opts.replications} "
        f"replications = {points * opts.replications} runs of {opts.scenario!r}, "
        f"{opts.years} years, {opts.workers} worker processes; yearly outcomes kept"
    )
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    rounds: dict[str, list[dict[str, Any]]] = {"sweep": [], "batch_run": []}
    for i in range(opts.rounds):
        order = ("sweep", "batch_run") if i % 2 == 0 else ("batch_run", "sweep")
        for method in order:
            rounds[method].append(_child(method, opts))
    results = {
        m: {k: statistics.median(r[k] for r in runs) for k in runs[0]} for m, runs in rounds.items()
    }
    header = f"{'method':<18}{'runs':>6}{'yearly rows':>13}{'wall s':>9}{'CPU s':>9}"
    header += f"{'main peak MiB':>15}{'worker peak MiB':>17}"
    print(header)
    print("-" * len(header))
    labels = {"sweep": "simcontract sweep", "batch_run": "mesa batch_run"}
    for method, r in results.items():
        print(
            f"{labels[method]:<18}{r['runs']:>6.0f}{r['yearly_rows']:>13.0f}"
            f"{r['wall_s']:>9.2f}{r['cpu_s']:>9.2f}"
            f"{r['main_mib']:>15.1f}{r['worker_mib']:>17.1f}"
        )
    ours, theirs = results["sweep"], results["batch_run"]

    def ratio(key: str) -> str:
        # With --workers 1 neither method starts a worker process.
        return f"{ours[key] / theirs[key]:.2f}x" if ours[key] and theirs[key] else "n/a"

    print(
        f"sweep / batch_run: wall time {ratio('wall_s')}, CPU time {ratio('cpu_s')}, "
        f"main-process peak memory {ratio('main_mib')}, "
        f"worker peak memory {ratio('worker_mib')}"
    )


if __name__ == "__main__":
    main()
