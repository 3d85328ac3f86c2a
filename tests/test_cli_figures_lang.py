"""``--figures`` on ``compare`` and ``sweep`` (which figures a batch draws into its
folder, or none), and ``--lang`` before the command (``simcontract --lang zh_CN run``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import assert_usage_error, run_cli

from simcontract import load_results

TINY = ["--set", "years=2", "--set", "initial_ngos=12", "--set", "n_bureaux=3"]
"""A market small enough for a batch of a few runs to take about a second."""

SWEEP = ["sweep", "baseline", "--grid", "favouritism=0.1,0.6", "--replications", "1"]
SWEEP += ["--workers", "1", *TINY]


def test_no_figures_writes_every_table_and_says_how_to_draw_them_later(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r"
    code, printed, err = run_cli([*SWEEP, "--figures", "none", "--out", str(out)], capsys)
    assert code == 0 and err == "", err
    assert not (out / "figures").exists()
    assert (out / "table.csv").is_file() and (out / "runs.csv").is_file()
    assert f"figures: none drawn (--figures none); `simcontract plot {out}` draws them" in printed
    # The batch is whole: no figure is missing from what it recorded as written.
    code, printed, _ = run_cli(["check", str(out)], capsys)
    assert code == 0 and printed.splitlines()[-1].endswith("the batch ran to its end"), printed
    code, printed, _ = run_cli(["plot", str(out), "--format", "png"], capsys)
    assert code == 0 and sorted(p.suffix for p in (out / "figures").iterdir()) == [".png"]
    assert printed.startswith("1 figure file written to "), printed
    assert len(load_results(out).runs) == 2


def test_no_figures_on_a_resume_says_the_figures_there_are_from_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Figures drawn before (by an earlier session, or `plot --partial` from fewer
    runs) stayed beside the finished tables without a word."""
    from simcontract.experiment import storage

    out = tmp_path / "r"
    code, _, err = run_cli([*SWEEP, "--figures", "png", "--out", str(out)], capsys)
    assert code == 0, err
    storage.parts(out / "runs")[-1].unlink()  # as if a run was lost
    argv = [*SWEEP, "--figures", "none", "--out", str(out), "--resume"]
    code, printed, err = run_cli(argv, capsys)
    assert code == 0, err
    assert f"those in {out}/figures were drawn before, perhaps from fewer runs: " in printed
    assert f"`simcontract plot {out}` draws them again from every run" in printed


def test_figures_in_the_formats_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "c"
    argv = ["compare", "baseline", "thin_market", "--replications", "1", "--workers", "1"]
    code, printed, err = run_cli([*argv, *TINY, "--figures", "svg", "--out", str(out)], capsys)
    assert code == 0, err
    assert {p.suffix for p in (out / "figures").iterdir()} == {".svg"}
    assert "figures (svg) in " in printed


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (
            "png,gif",
            "--figures 'png,gif': 'gif' is not offered; expected png, pdf or svg, "
            "comma-separated, each once, or none",
        ),
        ("pdf,pdf", "--figures 'pdf,pdf': 'pdf' is given twice"),
        ("", "--figures '': an empty item"),
        ("none,png", "--figures 'none,png': none (no figure) stands alone, not beside formats"),
        ("png,none", "--figures 'png,none': none (no figure) stands alone"),
    ],
)
def test_a_bad_figures_option_is_refused_before_any_run(
    given: str, said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r"
    assert_usage_error([*SWEEP, "--figures", given, "--out", str(out)], capsys, said)
    assert not out.exists()


def _refused_in_chinese(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Exit status 2 and one line on stderr, which it returns."""
    code, _, err = run_cli(argv, capsys)
    assert code == 2 and len(err.splitlines()) == 1, err
    return err.strip()


def test_the_format_option_of_plot_still_names_itself(capsys: pytest.CaptureFixture[str]) -> None:
    assert_usage_error(["plot", "nowhere", "--format", "gif"], capsys, "does not exist")
    line = _refused_in_chinese(["--lang", "zh_CN", *SWEEP, "--figures", "gif"], capsys)
    assert line.startswith("simcontract: 错误：--figures 'gif'：不提供 'gif' 格式"), line


def test_figures_without_a_folder_warns_that_it_does_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run_cli([*SWEEP, "--figures", "png"], capsys)
    assert code == 0
    assert err == (
        "simcontract: warning: --figures has no effect without --out DIR "
        "(figures are drawn only into a results folder)\n"
    )


def test_lang_before_the_command_is_that_command_s_language(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, printed, err = run_cli(["--lang", "zh_CN", "run", "baseline", *TINY], capsys)
    assert code == 0, err
    assert printed.startswith("情景 'baseline'，种子 0，2 年"), printed
    # After the command it wins: the command's own option is the nearer one.
    code, printed, _ = run_cli(
        ["--lang", "zh_CN", "run", "baseline", "--lang", "en", *TINY], capsys
    )
    assert printed.startswith("scenario 'baseline', seed 0, 2 years"), printed
    line = _refused_in_chinese(
        ["--lang", "zh_CN", "run", "baseline", "--set", "favouritism=2"], capsys
    )
    assert "超出范围" in line
    assert_usage_error(["--lang", "fr", "run", "baseline"], capsys, "--lang 'fr': unknown language")


def test_plot_draws_the_outcomes_named_comparable_forms_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "c"
    argv = ["compare", "baseline", "thin_market", "--replications", "2", "--workers", "1"]
    code, _, err = run_cli(
        [*argv, *TINY, "--series", "--figures", "none", "--out", str(out)], capsys
    )
    assert code == 0, err
    figures = tmp_path / "figs"
    named = "public_spend_per_purchaser_year,hhi"
    argv = ["plot", str(out), "--format", "svg", "--outcomes", named, "--out", str(figures)]
    code, _, err = run_cli(argv, capsys)
    assert code == 0, err
    drawn = sorted(p.name for p in figures.iterdir())
    # A comparable form has one value per run: no fan chart of it.
    assert "outcomes.svg" in drawn and "fan_hhi.svg" in drawn, drawn
    assert not [n for n in drawn if "per_purchaser" in n], drawn
    for given, name in (("all", "'all'"), ("hhi,nope", "'nope'"), (",", "','")):
        said = f"--outcomes {given!r}: unknown outcome {name}; name the outcomes to draw"
        assert_usage_error(
            ["plot", str(out), "--outcomes", given, "--out", str(tmp_path / given)], capsys, said
        )
        assert not (tmp_path / given).exists()


def test_a_redraw_into_the_batch_replaces_its_figures_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Redrawn in Chinese, in one format, of one outcome: no figure of the earlier drawing
    is left beside the new ones (a stem in two languages, or of two outcome sets), and
    the check still finds the batch whole."""
    import json

    out = tmp_path / "c"
    argv = ["compare", "baseline", "thin_market", "--replications", "2", "--workers", "1"]
    code, _, err = run_cli(
        [*argv, *TINY, "--series", "--figures", "png,pdf", "--out", str(out)], capsys
    )
    assert code == 0, err
    before = {p.name for p in (out / "figures").iterdir()}
    assert "fan_ngo_survival.pdf" in before and "outcomes.png" in before
    code, printed, err = run_cli(
        ["plot", str(out), "--format", "png", "--outcomes", "hhi", "--lang", "zh_CN"], capsys
    )
    assert code == 0, err
    after = {p.name for p in (out / "figures").iterdir()}
    assert after == {n for n in after if n.endswith(".png")} and "fan_hhi.png" in after
    assert "fan_ngo_survival.png" not in after and "outcomes.png" in after
    assert "已删除先前绘制" in printed and "fan_ngo_survival.pdf" in printed
    manifest = json.loads((out / "manifest.json").read_text())
    listed = {Path(n).name for n in manifest["outputs"] if n.startswith("figures/")}
    assert listed == after and set(manifest["output_sha256"]) >= {f"figures/{n}" for n in after}
    assert "table.md" in manifest["outputs"]  # tables are not figures: kept
    code, _, err = run_cli(["check", str(out)], capsys)
    assert code == 0, err
    # Drawn beside the batch's own files, figures replace nothing there; a figure listed
    # but already gone is not reported as deleted.
    code, _, err = run_cli(["plot", str(out), "--out", str(out), "--format", "png"], capsys)
    assert code == 0, err
    (out / "figures" / "outcomes.png").unlink()
    code, printed, err = run_cli(["plot", str(out), "--out", str(out), "--format", "svg"], capsys)
    assert code == 0 and "removed" not in printed and (out / "outcomes.png").is_file(), err
    code, printed, err = run_cli(["plot", str(out), "--format", "svg"], capsys)
    assert code == 0 and "fan_hhi.png" in printed and "outcomes.png" not in printed, err
