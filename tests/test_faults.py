"""Faults: two writers on one folder, damaged folders, signals, a killed worker, a full disk.

Each fault must end in one clear line, lose nothing that was stored, mix nothing, and
leave a folder that ``simcontract check`` describes and ``--resume`` finishes.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import psutil
import pyarrow.compute as pc
import pytest
import results_damage as damage
from pandas.testing import assert_frame_equal

from simcontract import Scenario, load_results, sweep
from simcontract.cli import main
from simcontract.experiment import integrity, lock, storage
from simcontract.experiment.lock import FolderInUse

ENV = {**os.environ, "CI": "1", "PYTHONUNBUFFERED": "1"}


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished sweep (4 runs in 4 parts, series kept)."""
    return damage.make_results(tmp_path_factory.mktemp("stored"))


def _cli(*argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "simcontract.cli", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )


def _wait_for(condition, proc: subprocess.Popen[str], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, f"the batch ended before {what}: {proc.communicate()}"
        assert time.monotonic() < deadline, f"no {what} in time"
        time.sleep(0.01)


# --------------------------------------------------------------------- two writers
def _sweep_argv(tiny: Path, out: Path, replications: int = 30, workers: int = 1) -> list[str]:
    return [
        "sweep",
        str(tiny),
        "--grid",
        "favouritism=0.1,0.6",
        "--replications",
        str(replications),
        "--workers",
        str(workers),
        "--out",
        str(out),
    ]


def test_a_second_writer_is_refused_naming_the_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tiny = damage.write_tiny(tmp_path)
    out = tmp_path / "out"
    first = _cli(*_sweep_argv(tiny, out, replications=100_000))
    try:
        _wait_for(lambda: (out / lock.HOLDER_FILE).exists(), first, "a lock")
        assert main([*_sweep_argv(tiny, out, replications=100_000), "--resume"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        assert f"is in use by another batch: process {first.pid} on " in err
        assert "simcontract sweep" in err and "wait for it to end or choose another" in err
        with pytest.raises(FolderInUse, match=f"process {first.pid}"):
            sweep(tiny, {"favouritism": [0.1, 0.6]}, replications=100_000, out=out, resume=True)
        assert first.poll() is None
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=60)
    assert first.returncode == 128 + signal.SIGTERM
    assert json.loads((out / storage.MANIFEST).read_text())["status"] == "interrupted"


def test_two_sweeps_started_together_leave_one_batch(tmp_path: Path) -> None:
    tiny = damage.write_tiny(tmp_path)
    out = tmp_path / "out"
    procs = [_cli(*_sweep_argv(tiny, out, replications=20)) for _ in range(2)]
    ends = [(p.returncode, *p.communicate(timeout=120)) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0, 2], ends
    (loser,) = [err for p, (_c, _o, err) in zip(procs, ends, strict=True) if p.returncode == 2]
    assert loser.count("\n") == 1 and loser.startswith("simcontract: error: ")
    assert "is in use by another batch" in loser or "is not empty" in loser
    runs = load_results(out).runs
    assert len(runs) == 40 and not runs.duplicated(["point", "replication"]).any()


def test_the_lock_refuses_another_thread_and_frees_on_exit(tmp_path: Path) -> None:
    tiny = damage.write_tiny(tmp_path)
    out = tmp_path / "out"
    refused: list[BaseException] = []

    def other() -> None:
        try:
            sweep(tiny, {"favouritism": [0.1]}, replications=1, workers=1, out=out)
        except FolderInUse as err:
            refused.append(err)

    with lock.hold(out):
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
    assert len(refused) == 1 and "another thread of this process" in str(refused[0])
    assert not out.exists()  # made for the lock, holding nothing: removed again
    sweep(tiny, {"favouritism": [0.1]}, replications=1, workers=1, out=out)
    assert not (out / lock.HOLDER_FILE).exists()


@contextlib.contextmanager
def _held_by_another_process(folder: Path) -> Iterator[subprocess.Popen[str]]:
    """``folder``'s lock held by another process (as a batch under way holds it)."""
    code = (
        "import sys, time\n"
        "from simcontract.experiment import lock\n"
        "with lock.hold(sys.argv[1], ['simcontract', 'sweep', 'held']):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(600)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(folder)], stdout=subprocess.PIPE, text=True, env=ENV
    )
    try:
        assert proc.stdout.readline() == "held\n"
        yield proc
    finally:
        proc.kill()
        proc.communicate(timeout=60)


def test_a_folder_another_process_writes_is_reported_as_such_not_to_resume(
    stored: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    finished = damage.copy_results(stored, tmp_path / "finished")
    unfinished = damage.copy_results(stored, tmp_path / "unfinished")
    damage.INCOMPLETE["part missing"](unfinished)
    for res, runs in ((finished, 4), (unfinished, 3)):
        with _held_by_another_process(res):
            assert main(["check", str(res)]) == 1
            report = capsys.readouterr().out.splitlines()
            assert report[-2] == (
                f"{runs} of 4 runs stored and intact; the batch is being written by "
                "another process now"
            )
            assert report[-1] == "wait for the process writing it to end, then check again"
            files = sorted(res.rglob("*"))
            assert main(["plot", str(res), "--format", "svg", "--partial"]) == 2
            (line,) = capsys.readouterr().err.splitlines()
            assert "is in use by another batch: process" in line and "sweep held" in line
            assert sorted(res.rglob("*")) == files  # nothing drawn there
        assert main(["check", str(res)]) == (0 if res is finished else 1)
    with _held_by_another_process(unfinished):
        with pytest.raises(storage.ExperimentError) as refused:
            load_results(unfinished)
        assert "wait for the process writing it to end, or load what there is" in str(refused.value)
        assert "--resume" not in str(refused.value)
    with pytest.raises(
        storage.ExperimentError, match=r"finish it with `simcontract sweep .*--resume"
    ):
        load_results(unfinished)


# ------------------------------------------------------------------ damaged folders
DAMAGED = [*damage.PART_DAMAGE, *damage.INCOMPLETE]


def test_the_model_code_covers_the_numpy_release(monkeypatch) -> None:
    from simcontract.experiment import plan

    ours = plan.model_code()
    try:
        # NumPy 2.5 draws other binomial numbers than 2.4 from the same generator.
        monkeypatch.setattr("numpy.__version__", "1.0.0.test")
        plan.model_code.cache_clear()
        other = plan.model_code()
    finally:
        monkeypatch.undo()
        plan.model_code.cache_clear()
    assert other != ours == plan.model_code()


def test_the_model_code_is_the_same_installed_from_a_wheel(tmp_path: Path) -> None:
    """A wheel holds the built-in scenarios inside the package, a checkout beside it:
    a batch of one was refused as other code by the other."""
    import simcontract

    scenarios = Path(simcontract.__file__).parent.parent / "scenarios"
    if not scenarios.is_dir():
        pytest.skip("simcontract is installed from a wheel here, not run from a checkout")
    copy = tmp_path / "site" / "simcontract"
    shutil.copytree(Path(simcontract.__file__).parent, copy)
    shutil.copytree(scenarios, copy / "scenarios")
    code = "from simcontract.experiment import plan; print(plan.model_code())"
    env = {**os.environ, "PYTHONPATH": str(copy.parent)}
    wheel = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert wheel.returncode == 0, wheel.stderr
    from simcontract.experiment import plan

    assert wheel.stdout.strip() == plan.model_code()


def test_check_of_runs_made_by_other_code_says_to_finish_under_that_code(
    stored: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    res = damage.copy_results(stored, tmp_path)
    damage.INCOMPLETE["part missing"](res)
    manifest = json.loads((res / "manifest.json").read_text())
    manifest["identity"]["model_code"] = "sha256:0123456789abcdef"
    (res / "manifest.json").write_text(json.dumps(manifest))
    assert main(["check", str(res)]) == 1
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("finish it under the code and the NumPy release that made its runs")
    assert "(model code sha256:0123456789abcdef; this code is sha256:" in last
    tiny = damage.write_tiny(tmp_path)
    resume = ["sweep", str(tiny), *damage.GRID_ARGS, *damage.NO_FIGURES, "--workers", "1"]
    assert main([*resume, "--out", str(res), "--resume"]) == 2  # as the line says
    assert "made by other simcontract code" in capsys.readouterr().err


@pytest.mark.parametrize("kind", DAMAGED)
def test_check_names_the_damage_and_resume_repairs_it(
    kind: str, stored: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    res = damage.copy_results(stored, tmp_path)
    (damage.PART_DAMAGE | damage.INCOMPLETE)[kind](res)
    assert main(["check", str(res)]) == 1
    report = capsys.readouterr().out.splitlines()
    assert report[0].startswith(f"{res}: sweep of 'tiny', 2 points x 2 replications = 4 runs")
    assert report[-1].startswith("finish with: simcontract sweep ") and "--resume" in report[-1]
    damaged = [line for line in report if line.startswith("damaged: ")]
    assert (len(damaged) == 1) == (kind in damage.PART_DAMAGE), report

    tiny = damage.write_tiny(tmp_path)
    resume = ["sweep", str(tiny), *damage.GRID_ARGS, *damage.NO_FIGURES, "--workers", "1"]
    resume += ["--out", str(res)]
    assert main([*resume, "--resume"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == len(damaged)
    assert all("set aside in" in line and "its runs run again" in line for line in err), err
    assert main(["check", str(res)]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == "4 of 4 runs stored and intact; the batch ran to its end"
    repaired, intact = load_results(res), load_results(stored)
    assert_frame_equal(repaired.runs, intact.runs)
    assert_frame_equal(repaired.series, intact.series)
    assert_frame_equal(repaired.ngos, intact.ngos)
    if damaged:
        assert list((res / storage.DAMAGED).rglob("part-*")), "the damaged part was deleted"


def test_check_names_a_run_whose_values_are_not_its_design_points(
    stored: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before, a runs part of a sweep over other values, with the same identifiers and
    seeds, passed as intact, and loading gave favouritism 0.6 at the point of 0.1."""
    res = damage.copy_results(stored, tmp_path)
    damage.PART_DAMAGE["part of another grid"](res)
    assert main(["check", str(res)]) == 1
    report = capsys.readouterr().out.splitlines()
    assert (
        f"damaged: runs/{storage.parts(res / storage.RUNS)[0].name} holds a run whose "
        "favouritism is 0.6, not its design point's 0.1 (point 0, replication 0): a part of "
        "another batch?"
    ) in report, report


@pytest.mark.parametrize(
    "kind", ["compare", "grid", "lhs", "sobol", "morris"], ids=lambda kind: kind
)
def test_check_takes_the_values_of_every_kind_of_batch_as_stored(kind: str, tmp_path: Path) -> None:
    """Each run's values match its design point's as rebuilt from the manifest: floats to
    the last digit, integers, choices, and scenarios with dated rule changes."""
    from simcontract import Grid, LatinHypercube, Morris, Sobol, compare, load_scenario

    dated = load_scenario("beijing_piecemeal").replace(**{**damage.TINY, "years": 3})
    assert dated.changes, "the scenario has no dated rule change"
    tiny = Scenario(damage.TINY, name="tiny")
    ranges = {"favouritism": (0.05, 0.95), "contract_years": None}
    designs = {
        "grid": Grid({"favouritism": [0.1, 1 / 3], "tendering": ["open", "direct"]}),
        "lhs": LatinHypercube(4, {**ranges, "tendering": None}, seed=3),
        "sobol": Sobol(2, ranges, seed=3),
        "morris": Morris(2, ranges, seed=3),
    }
    out = tmp_path / "out"
    if kind == "compare":
        compare([tiny, dated, tiny.replace(favouritism=1 / 3, name="third")], **_few(out))
    else:
        sweep(dated, designs[kind], **_few(out))
    inventory = integrity.inspect(out)
    assert not inventory.damaged, inventory.damaged
    assert len(inventory.runs) == inventory.n_runs
    # The values are compared, to the last digit.
    damage._edit_column(out, "favouritism", lambda c: pc.add(c, 1e-12))
    (why,) = integrity.inspect(out).damaged.values()
    assert "holds a run whose favouritism is " in why, why


def _few(out: Path) -> dict:
    return {"replications": 1, "workers": 1, "out": out, "chunk_size": 1}


@pytest.mark.parametrize("table", [storage.RUNS, storage.SERIES])
def test_a_file_in_place_of_a_table_folder_is_damage_that_resume_sets_aside(
    table: str, stored: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before, a resume failed on it with "[Errno 17] File exists" (exit 1), marked the
    batch failed, and ``check`` proposed the same resume."""
    res = damage.copy_results(stored, tmp_path)
    shutil.rmtree(res / table)
    (res / table).write_text("not a folder")
    assert main(["check", str(res)]) == 1
    report = capsys.readouterr().out.splitlines()
    assert f"damaged: {table} is a file, not the folder of the {table}' parts" in report
    assert report[-1].startswith("finish with: simcontract sweep ") and "--resume" in report[-1]
    tiny = damage.write_tiny(tmp_path)
    resume = ["sweep", str(tiny), *damage.GRID_ARGS, *damage.NO_FIGURES, "--workers", "1"]
    resume += ["--out", str(res)]
    assert main([*resume, "--resume"]) == 0
    # With the series gone, every chunk lacks its series part: all run again.
    err = capsys.readouterr().err.splitlines()
    assert len(err) == (1 if table == storage.RUNS else 5), err
    assert f"{table} is a file" in err[0] and all("set aside in" in line for line in err)
    assert (res / storage.DAMAGED / table).read_text() == "not a folder"  # kept, not deleted
    assert main(["check", str(res)]) == 0
    repaired, intact = load_results(res), load_results(stored)
    assert_frame_equal(repaired.runs, intact.runs)
    assert_frame_equal(repaired.series, intact.series)


@pytest.mark.parametrize("kind", list(damage.OUTPUT_DAMAGE))
def test_check_names_missing_tables_and_resume_writes_them(
    kind: str, stored: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    res = damage.copy_results(stored, tmp_path)
    damage.OUTPUT_DAMAGE[kind](res)
    assert load_results(res).runs.shape == load_results(stored).runs.shape  # runs all there
    assert main(["check", str(res)]) == 1
    report = capsys.readouterr().out.splitlines()
    said = {
        "tables not all written": "but its tables and figures were not all written",
        "table deleted": "but 1 of its 5 tables and figures are missing (table.csv)",
        "table cut short": "but 1 of its 5 tables and figures changed after they were "
        "written (runs.csv)",
        "one deleted, one cut short": "but 1 of its 5 tables and figures are missing "
        "(table.csv), and 1 changed after they were written (runs.csv)",
    }[kind]
    assert report[-2] == f"4 of 4 runs stored and intact; the batch ran to its end, {said}"
    # Each file the resume would write again, on a line of its own.
    named = {
        "tables not all written": [],
        "table deleted": [
            "missing: table.csv (a table or figure of the batch; --resume writes it)"
        ],
        "table cut short": ["changed since it was written: runs.csv (--resume writes it again)"],
    }
    named["one deleted, one cut short"] = named["table deleted"] + named["table cut short"]
    assert report[1:-2] == named[kind]
    assert report[-1].startswith("finish with: simcontract sweep ") and "--resume" in report[-1]
    tiny = damage.write_tiny(tmp_path)
    resume = ["sweep", str(tiny), *damage.GRID_ARGS, *damage.NO_FIGURES, "--workers", "1"]
    resume += ["--out", str(res)]
    assert main([*resume, "--resume"]) == 0
    assert main(["check", str(res)]) == 0
    assert (res / "table.csv").is_file()
    assert (res / "runs.csv").read_bytes() == (stored / "runs.csv").read_bytes()


def test_an_interrupt_while_the_tables_are_written_says_how_to_finish(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import simcontract.cli as cli

    tiny = damage.write_tiny(tmp_path)
    argv = ["sweep", str(tiny), *damage.GRID_ARGS, *damage.NO_FIGURES, "--workers", "1"]
    argv += ["--out", str(tmp_path / "r")]

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_sweep_report", interrupted)
    assert main(argv) == 128 + signal.SIGINT
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("simcontract: interrupted by SIGINT; all 4 runs are stored in ")
    assert "but not all its tables and figures; finish with: simcontract sweep" in line
    assert main(["check", str(tmp_path / "r")]) == 1
    assert "were not all written" in capsys.readouterr().out
    monkeypatch.undo()
    assert main([*argv, "--resume"]) == 0
    assert main(["check", str(tmp_path / "r")]) == 0


def test_plot_draws_an_unfinished_folder_only_when_asked(
    stored: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    res = damage.copy_results(stored, tmp_path)
    damage.INCOMPLETE["part missing"](res)
    assert main(["plot", str(res), "--format", "svg"]) == 2
    assert "3 of 4 runs stored and intact" in capsys.readouterr().err
    assert not (res / "figures").exists()
    partial = load_results(res, partial=True)
    assert len(partial.runs) == 3 and len(partial.series) == 3 * damage.TINY["years"]

    # Without series a sweep has one figure: quick to draw.
    lean = tmp_path / "lean"
    tiny = Scenario(damage.TINY, name="tiny")
    sweep(tiny, {"favouritism": [0.1, 0.6]}, replications=2, workers=1, out=lean)
    storage.parts(lean / storage.RUNS)[0].unlink()
    assert main(["plot", str(lean), "--format", "svg", "--partial"]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "simcontract: warning: drawing 3 of 4 runs stored and intact; the batch ran to its end"
    ]
    assert [p.name for p in (lean / "figures").iterdir()] == ["outcomes.svg"]


# ------------------------------------------------------------ signals, a lost worker
def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _gone(processes: list[psutil.Process], timeout: float = 30) -> bool:
    _gone_now, alive = psutil.wait_procs(processes, timeout=timeout)
    return not alive


@pytest.fixture
def pool_sweep(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path, list[str]]]:
    """A sweep on two worker processes, running, with some parts written."""
    tiny = damage.write_tiny(tmp_path)
    out = tmp_path / "out"
    argv = _sweep_argv(tiny, out, replications=400, workers=2)
    proc = _cli(*argv)
    try:
        _wait_for(lambda: len(storage.parts(out / storage.RUNS)) >= 2, proc, "parts")
        yield proc, out, argv
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=60)


def _ended_cleanly(proc, out: Path, argv: list[str], status: int, first_words: str) -> None:
    """One line with what is stored and the resume command; the manifest says interrupted;
    the resumed batch completes."""
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == status, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"simcontract: {first_words}"), err
    assert " of 800 runs are stored in " in err
    assert err.rstrip().endswith("finish with: simcontract " + " ".join(argv) + " --resume"), err
    manifest = json.loads((out / storage.MANIFEST).read_text())
    assert manifest["status"] == "interrupted"
    assert manifest["sessions"][-1]["status"] == "interrupted"
    assert not (out / lock.HOLDER_FILE).exists()
    inventory = integrity.inspect(out)
    assert not inventory.damaged and 0 < len(inventory.runs) < 800


def test_a_second_signal_during_the_clean_up_stops_at_once() -> None:
    """The first signal ends the batch in order; one more while it ends (the user
    insists, or the clean-up hangs) ends the process at once, in one line."""
    code = (
        "import os, signal, time\n"
        "from simcontract.experiment import runner\n"
        "with runner.signals_interrupt():\n"
        "    try:\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "        time.sleep(30)\n"
        "    except KeyboardInterrupt:\n"
        "        os.kill(os.getpid(), signal.SIGTERM)  # during the clean-up\n"
        "        print('the clean-up went on', flush=True)\n"
        "        time.sleep(30)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=ENV, timeout=120
    )
    # At once: not a statement of the clean-up runs after the second signal.
    assert proc.stdout == ""
    assert proc.returncode == 128 + signal.SIGTERM
    assert proc.stderr.splitlines() == [
        "simcontract: stopped at once by a second SIGTERM; what is stored stays, and the same "
        "command with --resume finishes the batch"
    ]


def test_sigterm_stops_the_workers_and_says_how_to_resume(pool_sweep) -> None:
    proc, out, argv = pool_sweep
    workers = _descendants(proc.pid)
    assert workers, "no worker process"
    proc.send_signal(signal.SIGTERM)
    _ended_cleanly(proc, out, argv, 128 + signal.SIGTERM, "interrupted by SIGTERM; ")
    assert _gone(workers), "worker processes outlived the batch"


def test_a_killed_worker_ends_the_batch_in_one_line(pool_sweep) -> None:
    proc, out, argv = pool_sweep
    leaves = [
        p
        for p in _descendants(proc.pid)
        if not p.children() and "resource_tracker" not in " ".join(p.cmdline())
    ]
    assert leaves, "no worker process"
    everyone = _descendants(proc.pid)
    leaves[0].kill()
    _ended_cleanly(proc, out, argv, 1, "error: a worker process died")
    assert _gone(everyone), "worker processes outlived the batch"


def _ended(process: psutil.Process) -> bool:
    """Whether ``process`` has ended (a zombie counts: not every init reaps orphans)."""
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_workers_end_when_the_batch_is_killed_outright(pool_sweep) -> None:
    """SIGKILL leaves the batch's process no chance to stop its workers: they see it go
    and end themselves, and the fork server and resource tracker follow."""
    proc, _out, _argv = pool_sweep
    everyone = _descendants(proc.pid)
    assert len(everyone) >= 3, "no worker processes"
    proc.kill()
    proc.communicate(timeout=60)
    deadline = time.monotonic() + 30
    while not all(map(_ended, everyone)) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [" ".join(p.cmdline())[-60:] for p in everyone if not _ended(p)]
    assert not left, f"processes outlived the killed batch: {left}"


def test_a_resume_records_a_session_killed_outright_as_interrupted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before, the killed session stayed "running" in the manifest for good."""
    tiny = damage.write_tiny(tmp_path)
    out = tmp_path / "out"
    argv = _sweep_argv(tiny, out, replications=40)
    proc = _cli(*argv)
    try:
        _wait_for(lambda: bool(storage.parts(out / storage.RUNS)), proc, "parts")
    finally:
        proc.kill()
        proc.communicate(timeout=60)
    manifest = json.loads((out / storage.MANIFEST).read_text())
    assert [s["status"] for s in manifest["sessions"]] == ["running"]
    assert main([*argv, "--resume"]) == 0
    manifest = json.loads((out / storage.MANIFEST).read_text())
    assert [s["status"] for s in manifest["sessions"]] == ["interrupted", "complete"]
    assert manifest["sessions"][0]["finished"] is None  # when it ended is not known
    assert main(["check", str(out)]) == 0, capsys.readouterr()


def test_sigterm_to_a_split_run_stops_its_workers(tmp_path: Path) -> None:
    tiny = damage.write_tiny(tmp_path)
    proc = _cli("run", str(tiny), "--set", "n_cities=2000", "--set", "years=50", "--workers", "2")
    try:
        _wait_for(lambda: len(_descendants(proc.pid)) >= 3, proc, "workers")
        workers = _descendants(proc.pid)
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM
    assert err == "simcontract: interrupted by SIGTERM\n"
    assert _gone(workers)


# --------------------------------------------------------------------- a full disk
REQUIRE_TMPFS = os.environ.get("SIMCONTRACT_REQUIRE_TMPFS") == "1"
"""Whether a machine that cannot mount a small file system fails the full-disk test (CI,
run as root) instead of skipping it."""


def _no_tiny_disk(reason: str) -> NoReturn:
    """Skip the full-disk test, or fail it under ``SIMCONTRACT_REQUIRE_TMPFS=1``."""
    said = f"cannot mount a small file system here: {reason}"
    if REQUIRE_TMPFS:
        pytest.fail(f"{said} (SIMCONTRACT_REQUIRE_TMPFS=1 requires the full-disk test)")
    pytest.skip(said)


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 192 KiB file system (tmpfs), or a skip (a failure under
    ``SIMCONTRACT_REQUIRE_TMPFS=1``) where this machine cannot mount one."""
    mount = tmp_path / "disk"
    mount.mkdir()
    try:
        made = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=192k", "tmpfs", str(mount)],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError) as err:
        _no_tiny_disk(str(err))
    if made.returncode != 0:
        _no_tiny_disk(made.stderr.decode().strip())
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, timeout=30)


def _complete_files(folder: Path) -> None:
    """Every file under ``folder`` is whole: no temporary files, figures end properly."""
    assert not [p for p in folder.rglob("*") if p.name.endswith(".tmp")]
    for path in folder.rglob("*"):
        data = path.read_bytes() if path.is_file() else None
        if path.suffix == ".png":
            assert data.endswith(b"IEND\xaeB`\x82"), path
        elif path.suffix == ".pdf":
            assert data.rstrip().endswith(b"%%EOF"), path
        elif path.suffix == ".parquet":
            assert data.startswith(b"PAR1") and data.endswith(b"PAR1"), path


def test_a_full_disk_leaves_no_truncated_file(
    tiny_disk: Path, stored: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = tiny_disk / "figures"
    assert main(["plot", str(stored), "--out", str(figures)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "no space left on the device" in err[0], err
    assert "what is stored stays: free some space and run the command again" in err[0]
    _complete_files(tiny_disk)

    for path in tiny_disk.iterdir():
        shutil.rmtree(path)
    out = tiny_disk / "out"
    tiny = damage.write_tiny(tmp_path)
    argv = [*_sweep_argv(tiny, out, replications=200), "--series"]
    assert main(argv) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "no space left on the device" in err[0], err
    assert err[0].endswith("(a batch with --resume, to finish it)"), err
    _complete_files(tiny_disk)
    inventory = integrity.inspect(out)
    assert not inventory.damaged and len(inventory.runs) < 400


def test_figures_redrawn_into_a_finished_folder_count_as_written(
    stored: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The manifest holds each table's and figure's digest; a redraw records its own, so
    ``check`` does not take the new figures for changed ones."""
    res = damage.copy_results(stored, tmp_path)
    assert main(["plot", str(res), "--format", "pdf,svg"]) == 0
    assert main(["check", str(res)]) == 0, capsys.readouterr().out
    manifest = storage.read_manifest(res)
    assert any(name.endswith(".svg") for name in manifest["outputs"])
    assert set(manifest["output_sha256"]) == set(manifest["outputs"])


def test_a_worker_asked_to_end_while_writing_a_result_ends_after_it() -> None:
    """A worker ended halfway through writing a result left part of it in the pipe; the
    pool's reader then waited for the rest for ever, and a batch stopped by SIGTERM hung
    as it closed its pool (about once in 60 stops early in a batch, on a busy machine)."""
    code = (
        "import os, signal, sys, threading, time, multiprocessing as mp\n"
        "from simcontract.experiment import runner\n"
        "queue = mp.SimpleQueue()\n"
        "runner._init_worker(None)\n"
        "def reader():\n"
        "    time.sleep(0.3)\n"
        "    os.kill(os.getpid(), signal.SIGTERM)  # while the put below waits\n"
        "    time.sleep(0.3)\n"
        "    print('reading', file=sys.stderr, flush=True)\n"
        "    queue.get()\n"
        "threading.Thread(target=reader, daemon=True).start()\n"
        "queue.put(b'x' * 2_000_000)  # more than the pipe holds: waits for the reader\n"
        "print('not ended')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGTERM, done.stderr
    assert "not ended" not in done.stdout
    assert "reading" in done.stderr  # alive after the signal, until the result was read
