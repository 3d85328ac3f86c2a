"""The command line: ``simcontract run``, ``params`` and ``app``, and some of their errors
(the catalogue of every bad input is tests/test_bad_input.py)."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from simcontract import OUTCOMES, PARAMETERS, ContractingModel, load_scenario
from simcontract.cli import main

WriteToml = Callable[..., Path]


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Call ``main(argv)``; any exception escaping it fails the test (a traceback)."""
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse exiting by itself is not the promised contract
        pytest.fail(f"main({argv}) raised SystemExit({stop.code})")
    except Exception as err:  # the point is that nothing escapes
        pytest.fail(f"main({argv}) raised {type(err).__name__}: {err}")
    out, err = capsys.readouterr()
    return code, out, err


def assert_usage_error(argv: list[str], capsys: pytest.CaptureFixture[str], *fragments: str) -> str:
    """Exit status 2, one ``simcontract: error:`` line on stderr naming ``fragments``."""
    code, _out, err = run_cli(argv, capsys)
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("simcontract: error: "), err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


# ------------------------------------------------------------------------- good runs
def test_run_prints_every_outcome_and_writes_the_series(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "results" / "nested"
    code, out, err = run_cli(
        ["run", "baseline", "--set", "years=3", "--seed", "5", "--out", str(out_dir)], capsys
    )
    assert code == 0, err
    assert err == ""
    assert "'baseline'" in out and "seed 5" in out and "3 years" in out
    table = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.strip()}
    for name, outcome in OUTCOMES.items():
        assert name in table, f"{name} missing from the summary table"
        assert table[name][-1] == outcome.unit
    assert "settings: --set years=3; simcontract " in out and "model code sha256:" in out
    csv, rules = out_dir / "baseline-seed5-series.csv", out_dir / "baseline-seed5-scenario.toml"
    assert sorted(out_dir.iterdir()) == sorted([csv, rules])
    assert str(csv) in out and str(rules) in out  # the table is followed by where they went
    series = pd.read_csv(csv)
    assert list(series.columns) == ["year", *OUTCOMES]
    assert series["year"].tolist() == [1, 2, 3]
    # The rules as run, with the seed, repeat the series, under a name of their own (not
    # the built-in scenario's, whose rules they are not), without a warning.
    again = tmp_path / "again"
    code, out, err = run_cli(["run", str(rules), "--seed", "5", "--out", str(again)], capsys)
    assert (code, err) == (0, "")
    assert "'baseline_as_run'" in out
    assert (again / "baseline_as_run-seed5-series.csv").read_bytes() == csv.read_bytes()


def test_the_rules_as_run_leave_out_the_changes_the_run_never_reached(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["run", "guangzhou_ifsc", "--set", "years=3", "--out", str(tmp_path)]
    code, _out, _err = run_cli(argv, capsys)
    assert code == 0
    rules = load_scenario(tmp_path / "guangzhou_ifsc-seed0-scenario.toml")
    assert [year for year, _ in rules.changes] == [3]
    assert rules.name == "guangzhou_ifsc_as_run"


def test_run_csv_matches_the_model_run_in_process(
    small_toml: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run_cli(
        [
            "run",
            str(small_toml),
            "--seed",
            "11",
            "--set",
            "favouritism=0.6",
            "--out",
            str(tmp_path / "o"),
        ],
        capsys,
    )
    assert code == 0, err
    (csv,) = (tmp_path / "o").glob("*.csv")
    from_cli = pd.read_csv(csv)
    model = ContractingModel(small_toml, rng=11, favouritism=0.6).run()
    expected = model.series()
    pd.testing.assert_frame_equal(from_cli, expected, check_dtype=False, check_exact=True)


def test_run_without_out_writes_nothing(
    small_toml: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(small_toml.parent)
    before = sorted(small_toml.parent.iterdir())
    code, out, _err = run_cli(["run", str(small_toml)], capsys)
    assert code == 0
    assert "seed 0" in out and "6 years" in out
    assert sorted(small_toml.parent.iterdir()) == before


def test_set_repeats_and_later_wins(small_toml: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run_cli(
        ["run", str(small_toml), "--set", "years=4", "--set", " years = 2 "], capsys
    )
    assert code == 0
    assert "2 years" in out


def test_set_warns_when_a_dated_change_sets_the_parameter_again(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["run", "guangzhou_ifsc", "--set", "years=9"]
    code, _out, err = run_cli([*args, "--set", "contract_years=1"], capsys)
    assert code == 0
    (line,) = err.strip().splitlines()
    assert line.startswith("simcontract: warning: scenario 'guangzhou_ifsc': contract_years")
    assert "until year 8" in line
    code, _out, err = run_cli([*args, "--set", "favouritism=0.3"], capsys)
    assert code == 0 and err == ""


def test_run_loads_none_of_the_batch_runners_own_dependencies() -> None:
    code = (
        "import sys; from simcontract.cli import main; "
        "code = main(['run', 'baseline', '--set', 'years=1']); "
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'SALib', 'distributed', 'pyarrow'}))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    status, modules = proc.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "0"
    loaded = set(ast.literal_eval(modules))
    # pandas brings pyarrow's core along; Parquet, SALib and Dask stay out.
    assert not {m for m in loaded if m.split(".")[0] in {"SALib", "distributed"}}
    assert "pyarrow.parquet" not in loaded


def test_params_lists_every_parameter(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run_cli(["params"], capsys)
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()[2:] if line.strip()]
    assert names == list(PARAMETERS)
    assert "an integer in [1, 200] years" in out  # allowed values and unit of `years`
    assert "one of 'open', 'selective', 'intermediary', 'direct'" in out


def test_params_verbose_gives_meaning_and_source(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run_cli(["params", "-v"], capsys)
    assert code == 0
    for p in PARAMETERS.values():
        assert p.name in out and p.meaning in out and p.source in out


# ------------------------------------------------------------------------ errors
# Every bad input of every command is in the catalogue of tests/test_bad_input.py.
def test_unknown_builtin_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert_usage_error(
        ["run", "basline"], capsys, "unknown scenario 'basline'", "did you mean 'baseline'?"
    )


def test_missing_scenario_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "absent.toml"
    assert_usage_error(["run", str(missing)], capsys, str(missing), "does not exist")


def test_missing_arguments_and_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert_usage_error(["run"], capsys, "required", "scenario")
    assert_usage_error(["jump"], capsys, "invalid choice: 'jump'")


def test_out_pointing_at_a_file_leaves_nothing_behind(
    small_toml: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "taken.csv"
    target.write_text("keep me\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    assert_usage_error(
        ["run", str(small_toml), "--out", str(target)],
        capsys,
        f"--out {str(target)!r} exists and is not a directory",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert target.read_text() == "keep me\n"


def test_out_below_a_file_is_a_usage_error(
    small_toml: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    assert_usage_error(["run", str(small_toml), "--out", str(blocker / "sub")], capsys, "--out")
    assert blocker.read_text() == ""


@pytest.mark.parametrize("name", ["team/a", "../escape"])
def test_series_file_stays_inside_out_whatever_the_scenario_name(
    name: str, write_toml: WriteToml, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_toml(
        f'name = "{name}"\n[parameters]\nyears = 2\ninitial_ngos = 5\nn_bureaux = 2\n',
        "named.toml",
    )
    out = tmp_path / "out"
    before = set(tmp_path.rglob("*"))
    code, _out, err = run_cli(["run", str(path), "--out", str(out)], capsys)
    assert "Traceback" not in err
    created = {p for p in tmp_path.rglob("*") if p.is_file()} - before
    assert all(out in p.parents for p in created), f"written outside --out: {created}"
    # The name is made safe, not refused: the run is not lost.
    assert code == 0, err
    assert [p.parent for p in created] == [out, out]
    (series,) = (p for p in created if p.suffix == ".csv")
    assert pd.read_csv(series)["year"].tolist() == [1, 2]


@pytest.mark.parametrize(
    "argv",
    [[], ["run"], ["params"], ["compare"], ["sweep"], ["plot"], ["validate"], ["app"]],
)
def test_help_of_every_command(argv: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--help"])
    assert exc.value.code == 0
    assert "usage: simcontract" in capsys.readouterr().out


def test_a_long_scenario_name_makes_a_short_file_name(
    write_toml: WriteToml, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "广州" * 50  # 100 characters, 300 bytes in UTF-8: more than a file name holds
    path = write_toml(f'name = "{name}"\n[parameters]\nyears = 2\ninitial_ngos = 5\n', "cn.toml")
    code, _out, err = run_cli(["run", str(path), "--out", str(tmp_path / "out")], capsys)
    assert code == 0, err
    written = sorted((tmp_path / "out").iterdir())
    assert [p.suffix for p in written] == [".toml", ".csv"]
    assert all(p.name.startswith("广州") and len(p.name.encode()) <= 255 for p in written)
    assert pd.read_csv(written[1])["year"].tolist() == [1, 2]


@pytest.mark.parametrize(
    "host, warned",
    [("127.0.0.1", False), ("localhost", False), ("::1", False), ("0.0.0.0", True)],
)
def test_app_warns_in_one_line_when_it_listens_beyond_this_machine(
    host: str, warned: bool, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    served = []
    monkeypatch.setattr(
        "simcontract.appserver.serve", lambda **options: served.append(options) or 0
    )
    code, out, err = run_cli(["app", "--host", host, "--port", "9000"], capsys)
    assert code == 0 and served == [
        {"host": host, "port": 9000, "open_browser": False, "lang": None}
    ]
    assert out.startswith(f"simcontract app on http://{host}:9000/")
    if warned:
        assert err.splitlines() == [
            f"simcontract: warning: the app listens on {host}:9000, beyond this machine: anyone "
            "who can reach it over the network can use it, with no login (use --host 127.0.0.1 "
            "to keep it local)"
        ]
    else:
        assert err == ""


def test_serve_refuses_an_empty_host(capsys: pytest.CaptureFixture[str]) -> None:
    from simcontract.appserver import serve

    assert serve(host="") == 2
    assert capsys.readouterr().err.startswith("simcontract: error: host '': give an address")


def test_options_that_have_no_effect_say_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An option the command would ignore is named in one warning line before it runs."""
    from simcontract.experiment import ExperimentError, validation
    from simcontract.experiment import robustness as rb

    def stop(*args, **kwargs):
        raise ExperimentError("stopped before running")

    monkeypatch.setattr(rb, "robustness", stop)
    code, _out, err = run_cli(["robustness", "--trajectories", "5"], capsys)
    assert code == 2
    said = "--trajectories has no effect with --sensitivity rbd_fast (it sets the trajectories"
    assert err.splitlines()[0].endswith(said + " of --sensitivity morris)"), err
    _code, _out, err = run_cli(
        ["robustness", "--sensitivity", "morris", "--trajectories", "5"], capsys
    )
    assert "--trajectories" not in err, err
    monkeypatch.setattr(validation, "validate", stop)
    argv = ["validate", "--robustness", "0", "--robustness-replications", "3"]
    code, _out, err = run_cli(argv, capsys)
    assert code == 2 and "--robustness-replications has no effect with --robustness 0" in err
    _code, _out, err = run_cli(["validate", "--robustness", "0"], capsys)
    assert "no effect" not in err, err
