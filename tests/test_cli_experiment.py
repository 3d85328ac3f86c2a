"""The ``compare`` and ``sweep`` commands: output, bad designs, resume after SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import TINY_BATCH
from pandas.testing import assert_frame_equal

from simcontract import Scenario, load_results
from simcontract.cli import main
from simcontract.experiment import storage
from simcontract.scenario import builtin_names


def _env() -> dict[str, str]:
    return {**os.environ, "CI": "1", "PYTHONUNBUFFERED": "1"}


def test_sweep_prints_summary_and_writes_results(tiny_toml: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    argv = ["sweep", str(tiny_toml), "--grid", "favouritism=0.1,0.6", "--grid"]
    argv += ["tendering=open,direct", "--replications", "3", "--workers", "1"]
    assert main([*argv, "--out", str(out), "--seed", "4"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""  # no progress bar when stderr is not a terminal
    lines = captured.out.splitlines()
    assert lines[0] == "grid design on 'tiny': 4 points x 3 replications, seed 4"
    head = next(i for i, line in enumerate(lines) if line.startswith("point "))
    assert "Favouritism" in lines[head] and "Tendering" in lines[head]
    assert "survival" in "\n".join(lines[1 : head + 1])  # headers wrap at spaces
    assert lines[head + 2].split()[:3] == ["0", "0.1", "open"]
    assert "±" in lines[head + 2]
    paths = ("tables:", "runs:", "results")  # lines that name folders of any length
    assert all(len(line) <= 100 for line in lines if not line.startswith(paths))
    assert lines[-1] == f"results written to {out}"
    res = load_results(out)
    assert len(res.runs) == 12
    assert res.manifest["command"] == ["simcontract", *argv, "--out", str(out), "--seed", "4"]


def test_sobol_sweep_prints_indices(tiny_toml: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "sobol"
    argv = ["sweep", str(tiny_toml), "--sobol", "4", "--param", "favouritism=0.1:0.5"]
    argv += ["--param", "contract_years", "--replications", "1", "--workers", "1"]
    assert main([*argv, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "sobol design on 'tiny': 24 points x 1 replication, seed 0" in text
    assert "Sobol indices ±95% CI half-width" in text
    assert (out / "indices.csv").is_file()
    runs = load_results(out).runs
    assert runs["favouritism"].between(0.1, 0.5).all()


def test_sobol_n_not_a_power_of_two_is_refused_in_one_line(
    tiny_toml: Path, tmp_path: Path, capsys
) -> None:
    argv = ["sweep", str(tiny_toml), "--sobol", "3", "--param", "favouritism"]
    assert main([*argv, "--replications", "1", "--workers", "1"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "simcontract: error: --sobol 3: n must be a power of 2 (1, 2, 4, 8, 16, 32, …), else "
        "the Sobol' sequence loses its balance and the indices converge more slowly; use "
        "--sobol 2 or --sobol 4"
    ]


def test_resume_refuses_a_batch_seeded_by_the_earlier_rule(
    tiny_toml: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "old"
    argv = ["compare", str(tiny_toml), "--replications", "2", "--workers", "1", "--out", str(out)]
    assert main(argv) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["identity"]["run_seeds"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    capsys.readouterr()
    assert main([*argv, "--resume"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"simcontract: error: cannot resume in {str(out)!r}")
    assert "seeded by an earlier rule" in err[0]


def test_compare_prints_mean_and_ci_per_scenario(tiny_toml: Path, tmp_path: Path, capsys) -> None:
    other = tmp_path / "short.toml"
    other.write_text(Scenario({**TINY_BATCH, "contract_years": 1}, name="short").to_toml())
    argv = ["compare", str(tiny_toml), str(other), "--replications", "4", "--workers", "1"]
    assert main([*argv, "--series"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "2 scenarios x 4 replications, seed 0"
    levels = lines.index("Levels: mean ±95% CI half-width over replications")
    head = next(i for i in range(levels, len(lines)) if lines[i].startswith("Scenario "))
    header = lines[head - 1] + " " + lines[head]
    assert "NGO" in header and "survival" in header
    assert lines[head + 2].split()[0] == "tiny" and "±" in lines[head + 2]
    assert lines[head + 3].split()[0] == "short"
    assert any(line.startswith("Difference from tiny: ") for line in lines)
    assert not any(line.startswith("results written") for line in lines)


def test_main_job_writes_every_promised_file_and_plot_redraws_them(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = ["compare", "--replications", "2", "--workers", "1", "--set", "years=3"]
    assert main(argv) == 0
    (out,) = (tmp_path / "results").iterdir()
    assert out.name.startswith("compare-")
    printed = capsys.readouterr().out
    assert f"results written to {Path('results') / out.name}" in printed
    assert "table.md" in printed and "figures" in printed
    results = load_results(out)
    assert list(results.runs["scenario"].unique()) == builtin_names()
    for folder in ("runs", "series", "ngos", "contracts"):
        assert list((out / folder).glob("part-*.parquet")), folder
    assert (out / "manifest.json").is_file()
    assert (out / "table.csv").read_text().startswith("point,scenario")
    markdown = (out / "table.md").read_text()
    assert all(name in markdown for name in builtin_names())
    figures = {p.name for p in (out / "figures").iterdir()}
    for stem in (
        "outcomes",
        "survival",
        "dependence",
        "network",
        "fan_ngo_survival",
        "turnover_vs_contract_length",
    ):
        assert {f"{stem}.png", f"{stem}.pdf"} <= figures, stem

    assert main(["plot", str(out), "--out", str(tmp_path / "again"), "--format", "svg"]) == 0
    redrawn = {p.name for p in (tmp_path / "again").iterdir()}
    assert {f.replace(".png", ".svg") for f in figures if f.endswith(".png")} == redrawn


def test_plot_rejects_a_folder_without_results(tmp_path: Path, capsys) -> None:
    assert main(["plot", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "holds no results" in err[0]


def test_bad_design_in_a_real_process_has_no_traceback(tiny_toml: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    for args in (["--sobol", "4", "--param", "tendering"], ["--grid", "x=1", "--scheduler", "a"]):
        proc = subprocess.run(
            [sys.executable, "-m", "simcontract.cli", "sweep", str(tiny_toml), *args],
            capture_output=True,
            text=True,
            env=_env(),
            timeout=60,
        )
        assert proc.returncode == 2
        assert len(proc.stderr.splitlines()) == 1 and "Traceback" not in proc.stderr
    assert not out.exists()


def test_existing_output_directory_needs_resume(tiny_toml: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    argv = ["sweep", str(tiny_toml), "--grid", "favouritism=0.1", "--out", str(out)]
    assert main(argv) == 2
    assert "not empty; add --resume" in capsys.readouterr().err
    assert main([*argv, "--resume"]) == 2
    assert "no manifest.json" in capsys.readouterr().err
    assert main(["compare", str(tiny_toml), "--resume"]) == 2
    assert "--resume needs --out" in capsys.readouterr().err
    assert main(["compare", str(tiny_toml), "--out", str(out / "keep.txt" / "sub")]) == 2
    assert "is below the file" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_resume_after_sigkill_gives_the_uninterrupted_dataset(
    tiny_toml: Path, tmp_path: Path, capsys
) -> None:
    argv = ["sweep", str(tiny_toml), "--grid", "favouritism=0.1,0.6", "--grid"]
    argv += ["contract_years=1,3", "--replications", "40", "--workers", "1"]
    argv += ["--series", "--seed", "9", "--figures", "none"]
    killed = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-m", "simcontract.cli", *argv, "--out", str(killed)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(),
    )
    try:
        deadline = time.monotonic() + 120
        while not storage.parts(killed / "runs"):
            assert proc.poll() is None, "the sweep ended before writing any part"
            assert time.monotonic() < deadline, "no part written in time"
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    manifest = json.loads((killed / "manifest.json").read_text())
    assert manifest["status"] == "running"
    done = len(storage.done_runs(killed))
    assert 0 < done < 160

    assert main([*argv, "--out", str(killed), "--resume"]) == 0
    reference = tmp_path / "reference"
    assert main([*argv, "--out", str(reference)]) == 0
    capsys.readouterr()

    resumed, whole = load_results(killed), load_results(reference)
    assert len(resumed.runs) == 160
    assert not resumed.runs.duplicated(["point", "replication"]).any()
    assert not resumed.series.duplicated(["point", "replication", "year"]).any()
    assert_frame_equal(resumed.runs, whole.runs)
    assert_frame_equal(resumed.series, whole.series)
    assert resumed.manifest["status"] == "complete"
    # The killed session is recorded as interrupted once the resume opens the folder.
    assert [s["status"] for s in resumed.manifest["sessions"]] == ["interrupted", "complete"]
    assert not list(killed.rglob("*.tmp"))
