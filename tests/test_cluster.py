"""Batches on a cluster: workers of other code, a lost cluster, a cluster that grows.

The clusters here are Dask clusters in this process (worker threads), started per test,
so that a test can stop one or grow one while a batch runs on it.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import dask
import distributed
import pytest
import results_damage as damage
from pandas.testing import assert_frame_equal

from simcontract import Scenario, load_results, sweep
from simcontract.cli import main
from simcontract.experiment import integrity, plan, runner, storage

TINY = Scenario(damage.TINY, name="tiny")
GRID = {"favouritism": [0.1, 0.6]}
FOREIGN = "sha256:feedfacefeedface"


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    """Dask's log stays out of the test's output (the batch quiets it itself only on the
    command line)."""
    loggers = [logging.getLogger(n) for n in ("distributed", "tornado", "asyncio")]
    before = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    yield
    for logger, level in zip(loggers, before, strict=True):
        logger.setLevel(level)


def _cluster(workers: int, threads: int = 1) -> distributed.LocalCluster:
    return distributed.LocalCluster(
        n_workers=workers,
        processes=False,
        threads_per_worker=threads,
        dashboard_address=None,
        memory_limit=0,
    )


@pytest.fixture
def foreign_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every thread but the main one reports other model code, as a worker with another
    simcontract installed would; the batch's own process keeps its code."""
    ours = plan.model_code()

    def model_code() -> str:
        return ours if threading.current_thread() is threading.main_thread() else FOREIGN

    monkeypatch.setattr(plan, "model_code", model_code)


def _sweep(out: Path, **options) -> object:
    options = {"replications": 2, "workers": 1, "chunk_size": 1, **options}
    return sweep(TINY, GRID, out=out, **options)


# ----------------------------------------------------------------- other code
def test_a_resume_on_workers_of_other_code_stores_none_of_their_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, the runs of the other code were stored beside those of the batch's code,
    and ``check`` passed the folder."""
    out = tmp_path / "out"
    reference = _sweep(out)
    for part in storage.parts(out / storage.RUNS)[2:]:
        part.unlink()  # as if interrupted
    names = sorted(p.name for p in storage.parts(out / storage.RUNS))
    ours = plan.model_code()

    def model_code() -> str:
        return ours if threading.current_thread() is threading.main_thread() else FOREIGN

    monkeypatch.setattr(plan, "model_code", model_code)
    with cf.ThreadPoolExecutor(2) as executor, pytest.raises(runner.ForeignCode) as err:
        _sweep(out, workers=None, executor=executor, resume=True)
    message = str(err.value)
    assert "\n" not in message
    assert f"model code {FOREIGN}, the batch's is {ours}" in message
    assert "give every worker the code and the NumPy that started the batch" in message
    assert sorted(p.name for p in storage.parts(out / storage.RUNS)) == names
    manifest = storage.read_manifest(out)
    assert manifest["status"] == "interrupted"
    assert manifest["identity"]["model_code"] == ours
    assert len(integrity.inspect(out).runs) == 2

    monkeypatch.undo()
    with cf.ThreadPoolExecutor(2) as executor:
        done = _sweep(out, workers=None, executor=executor, resume=True)
    assert_frame_equal(done.runs, reference.runs)


def test_a_cluster_batch_refuses_workers_of_other_code_in_one_line(
    foreign_workers: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tiny = damage.write_tiny(tmp_path)
    out = tmp_path / "out"
    argv = ["sweep", str(tiny), "--grid", "favouritism=0.1,0.6", "--replications", "2"]
    with _cluster(1) as cluster:
        status = main([*argv, "--scheduler", cluster.scheduler_address, "--out", str(out)])
    assert status == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("simcontract: error: a worker runs other simcontract code"), line
    assert f"; 0 of 4 runs are stored in {str(out)!r}; finish with: simcontract sweep" in line
    assert line.endswith("--resume")
    assert not storage.parts(out / storage.RUNS)
    assert storage.read_manifest(out)["sessions"][-1]["status"] == "interrupted"


# ----------------------------------------------------------------- a lost cluster
def test_a_lost_scheduler_ends_the_batch_in_one_line_and_resume_finishes_it(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Before, the command ended with pages of Dask's tracebacks and Python's own (a
    ``CancelledError``), the session recorded as failed and no word on how to finish."""
    tiny = damage.write_tiny(tmp_path)
    out = tmp_path / "out"
    argv = ["sweep", str(tiny), "--grid", "favouritism=0.1,0.6", "--replications", "60"]
    cluster = _cluster(1)

    def stop_the_cluster() -> None:
        deadline = time.monotonic() + 60
        while len(storage.parts(out / storage.RUNS)) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        cluster.close()

    stopper = threading.Thread(target=stop_the_cluster)
    stopper.start()
    try:
        status = main([*argv, "--scheduler", cluster.scheduler_address, "--out", str(out)])
    finally:
        stopper.join()
        cluster.close()
    err = capfd.readouterr().err
    assert status == 1, err
    (line,) = err.splitlines()
    assert line.startswith("simcontract: error: the connection to the cluster was lost"), line
    assert " of 120 runs are stored in " in line and line.endswith("--resume"), line
    manifest = storage.read_manifest(out)
    assert manifest["status"] == manifest["sessions"][-1]["status"] == "interrupted"
    inventory = integrity.inspect(out)
    assert not inventory.damaged and 0 < len(inventory.runs) < 120

    assert main([*argv, "--workers", "1", "--out", str(out), "--resume"]) == 0
    alone = sweep(TINY, GRID, replications=60, workers=1)
    assert_frame_equal(load_results(out).runs, alone.runs)


def test_workers_that_keep_dying_end_the_batch_as_a_lost_cluster() -> None:
    """Dask gives up on a task whose workers died under it again and again."""

    def killed(unit: int) -> None:
        raise distributed.scheduler.KilledWorker(f"task-{unit}", "tcp://10.0.0.5:1234", 3)

    with cf.ThreadPoolExecutor(1) as executor, pytest.raises(runner.ClusterLost) as err:
        bar = runner.Progress(3, "test")
        runner.run_units(killed, range(3), lambda i, r: None, bar=bar, executor=executor)
    assert "workers died running the same runs again and again" in str(err.value)


# ----------------------------------------------------------------- the cluster's size
class _Counting(cf.Executor):
    """A Dask client's executor that records the most chunks ever in flight."""

    def __init__(self, client: distributed.Client) -> None:
        self._client = client
        self._inner = client.get_executor()
        self.lock = threading.Lock()
        self.in_flight = self.most = self.submitted = 0

    def submit(self, fn, /, *args, **kwargs):
        with self.lock:
            self.in_flight += 1
            self.submitted += 1
            self.most = max(self.most, self.in_flight)
        future = self._inner.submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future) -> None:
        with self.lock:
            self.in_flight -= 1


def test_a_cluster_that_starts_empty_is_used_as_it_grows(tmp_path: Path) -> None:
    """Before, a cluster with no worker at the start got 2 chunks in flight for the whole
    batch, each an eighth of it."""
    out = tmp_path / "out"
    with (
        dask.config.set({"distributed.client.scheduler-info-interval": "50ms"}),
        _cluster(0) as cluster,
        distributed.Client(cluster) as client,
    ):
        counting = _Counting(client)

        def grow() -> None:
            while not counting.submitted:
                time.sleep(0.01)
            cluster.scale(3)

        grower = threading.Thread(target=grow)
        grower.start()
        try:
            res = sweep(TINY, GRID, replications=48, executor=counting, out=out)
        finally:
            grower.join()
    assert counting.most > 2
    assert len(storage.parts(out / storage.RUNS)) > 8
    alone = sweep(TINY, GRID, replications=48, workers=1)
    assert_frame_equal(res.runs, alone.runs)


def test_workers_is_ignored_with_a_scheduler(tmp_path: Path) -> None:
    """``--workers`` says it is ignored with ``--scheduler``; before, it set the chunks
    in flight and their size as for a pool of that many workers."""
    tiny = damage.write_tiny(tmp_path)
    out = tmp_path / "out"
    argv = ["sweep", str(tiny), "--grid", "favouritism=0.1,0.6", "--replications", "16"]
    with _cluster(1, threads=2) as cluster:
        address = cluster.scheduler_address
        assert main([*argv, "--workers", "1", "--scheduler", address, "--out", str(out)]) == 0
    # Chunks sized for the cluster's 2 threads (32 runs / 16: 2 runs), not for 1 worker
    # (32 / 8: 4 runs); the first ones hold one run, until one has said how long a run
    # takes (batches.CHUNK_SECONDS).
    import pyarrow.parquet as pq

    sizes = [pq.ParquetFile(p).metadata.num_rows for p in storage.parts(out / storage.RUNS)]
    assert max(sizes) == 2 and sum(sizes) == 32
    manifest = json.loads((out / storage.MANIFEST).read_text())
    assert manifest["status"] == "complete"
