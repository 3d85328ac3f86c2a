"""Bayesian calibration (ABC-SMC): the command end to end, resuming, recovery of a
planted value, and bad input. Tiny sizes: a few particles, one run each, short runs."""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simcontract.cli import main
from simcontract.experiment import bayes
from simcontract.experiment.bayes_inputs import scenario_figures
from simcontract.experiment.bayes_model import run_figures
from simcontract.experiment.runner import ExperimentError
from simcontract.experiment.validation import CalibrationTarget, load_calibration
from simcontract.scenario import load_scenario

TINY = ["--population", "6", "--generations", "2", "--replications", "1", "--workers", "1"]


def bid_figures() -> list[CalibrationTarget]:
    """The bid-inflation figures (model years 3 and 4: short, cheap runs)."""
    return [t for t in load_calibration() if t.outcome == "bid_inflation"]


def test_command_writes_a_sensible_posterior(tmp_path: Path, capsys) -> None:
    out = tmp_path / "cal"
    options = ["--predictive-draws", "6", "--format", "png", "--out", str(out)]
    status = main(["calibrate", "guangzhou_ifsc", *TINY, *options])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "generation 1: epsilon" in captured.err  # progress on stderr
    assert "| parameter | prior (uniform) |" in captured.out
    for name in ("abc.db", "calibration.json", "posterior.csv", "particles.csv",
                 "generations.csv", "predictive.csv", "report.md", "posterior.png",
                 "predictive.png"):  # fmt: skip
        assert (out / name).stat().st_size > 0, name

    scenario = load_scenario("guangzhou_ifsc")
    table = pd.read_csv(out / "posterior.csv")
    calibrated = bayes.free_parameters("guangzhou_ifsc")
    assert sorted(table["parameter"]) == sorted(calibrated)
    assert "max_bid_inflation" in calibrated
    for r in table.itertuples():
        assert r.prior_low <= r.low <= r.mean <= r.high <= r.prior_high, r.parameter
        assert r.low <= r.median <= r.high
        assert r.scenario_value == scenario[r.parameter]
    particles = pd.read_csv(out / "particles.csv")
    assert len(particles) == 6
    assert not (out / "posterior.pdf").exists()  # --format png
    assert particles["weight"].sum() == pytest.approx(1.0)
    for r in table.itertuples():
        assert particles[r.parameter].between(r.prior_low, r.prior_high).all()

    predictive = pd.read_csv(out / "predictive.csv")
    figures = scenario_figures(scenario)
    assert list(predictive["figure"]) == [f.figure for f in figures]
    assert list(predictive["role"]) == [f.role for f in figures]
    start = scenario.start_year
    for f, r in zip(figures, predictive.itertuples(), strict=True):
        calendar = start + f.year - 1
        expected = {"input": "input"}.get(
            f.role, "fit" if f.role == "target" and calendar <= 2012 else "holdout"
        )
        assert r.use == expected, f.figure
        assert r.predictive_low <= r.predictive_mean <= r.predictive_high
        assert r.inside == (r.predictive_low <= r.source_value <= r.predictive_high)
    assert (predictive["use"] == "fit").any() and (predictive["use"] == "holdout").any()
    generations = pd.read_csv(out / "generations.csv")
    assert list(generations["generation"]) == [0, 1]
    assert generations["epsilon"].iloc[1] < generations["epsilon"].iloc[0]


def test_resumed_run_continues_and_matches_an_uninterrupted_one(tmp_path: Path) -> None:
    import pyabc

    options = {
        "params": {"max_bid_inflation": None, "entry_rate": (1.0, 3.0)},
        "figures": bid_figures(),
        "fit_until": 2014,
        "population": 6,
        "replications": 1,
        "workers": 1,
        "predictive_draws": 0,
        "progress": False,
    }
    first = bayes.calibrate_abc(out=tmp_path / "a", generations=1, **options)
    assert list(first.generations["generation"]) == [0]
    resumed = bayes.calibrate_abc(out=tmp_path / "a", generations=2, resume=True, **options)
    whole = bayes.calibrate_abc(out=tmp_path / "b", generations=2, **options)

    history = pyabc.History(pyabc.create_sqlite_db_id(file_=str(tmp_path / "a" / "abc.db")))
    assert history.n_populations == 2
    stored, _ = history.get_distribution(m=0, t=0)
    names = ["max_bid_inflation", "entry_rate"]
    np.testing.assert_array_equal(stored[names].to_numpy(), first.particles[names].to_numpy())
    # One worker: the resumed run draws exactly what an uninterrupted run draws.
    pd.testing.assert_frame_equal(resumed.particles, whole.particles)
    pd.testing.assert_frame_equal(resumed.generations, whole.generations)
    assert resumed.particles[names[1]].between(1.0, 3.0).all()


def test_fit_moves_toward_a_planted_value() -> None:
    planted = 0.45
    scenario = load_scenario("guangzhou_ifsc").replace(years=3)
    # The planted figure is the mean of ten runs, near the figure the planted value
    # produces on average rather than one draw of it.
    runs = run_figures(
        scenario.replace(max_bid_inflation=planted),
        list(range(101, 111)),
        [("b", "bid_inflation", 3)],
    )
    figure = CalibrationTarget(
        "planted bid inflation", "bid_inflation", 3, float(np.mean(runs["b"])), "planted"
    )
    low, high = 0.05, 0.6
    posterior = bayes.calibrate_abc(
        "guangzhou_ifsc",
        params={"max_bid_inflation": (low, high)},
        figures=[figure],
        fit_until=2012,
        population=12,
        generations=3,
        replications=1,
        workers=1,
        predictive_draws=0,
        progress=False,
    )
    row = posterior.table().iloc[0]
    prior_mean = (low + high) / 2
    assert abs(row["mean"] - planted) < abs(prior_mean - planted) / 2
    assert row["low"] <= planted <= row["high"]
    assert row["shrinkage"] < 0.5


def _refused(capsys, args: list[str]) -> str:
    """The one error line of a refused command (exit 2, no traceback)."""
    status = main(["calibrate", *args])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("simcontract: error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--param", "no_such_parameter=0:1"], "no_such_parameter"),
        (["--param", "max_bid_inflation=0.5:0.1"], "expected low < high"),
        (["--param", "max_bid_inflation=0:3"], "outside the allowed range"),
        (["--param", "max_bid_inflation=a:b"], "NAME=LOW:HIGH"),
        (["--param", "tendering"], "only numeric parameters"),
        (["--fit-until", "2009"], "no figure to fit up to 2009"),
        (["--resume"], "holds no calibration"),
    ],
)
def test_bad_input_is_one_line(tmp_path: Path, capsys, args: list[str], said: str) -> None:
    out = tmp_path / "cal"
    if "--resume" in args:
        out.mkdir()
    line = _refused(capsys, ["guangzhou_ifsc", *TINY, *args, "--out", str(out)])
    assert said in line
    assert not (out / "calibration.json").exists() and not (out / "abc.db").exists()


def test_scenario_without_figures_is_refused(tmp_path: Path, capsys) -> None:
    out = tmp_path / "cal"
    line = _refused(capsys, ["baseline", "--param", "favouritism", "--out", str(out)])
    assert "has no calibration figures" in line and "figures=[...]" in line
    assert not out.exists()
    # Said first, also without --param: naming parameters to fit would not help.
    line = _refused(capsys, ["baseline", "--out", str(out)])
    assert "has no calibration figures" in line and "--param" not in line


@pytest.mark.parametrize("resume", [False, True])
def test_folder_of_another_calibration_is_refused(tmp_path: Path, capsys, resume: bool) -> None:
    out = tmp_path / "cal"
    out.mkdir()
    held = json.dumps({"version": 1, "seed": 99}) + "\n"
    (out / "calibration.json").write_text(held, encoding="utf-8")
    line = _refused(
        capsys, ["guangzhou_ifsc", *TINY, "--out", str(out), *(["--resume"] if resume else [])]
    )
    assert ("different calibration" if resume else "add --resume") in line
    assert (out / "calibration.json").read_text(encoding="utf-8") == held
    assert not (out / "abc.db").exists()


SMALL = ["--population", "2", "--replications", "1", "--workers", "1", "--predictive-draws", "0"]


@pytest.fixture(scope="module")
def small_calibration(tmp_path_factory) -> Path:
    """A finished calibration of one generation, made as ``calibrate *SMALL`` makes it."""
    out = tmp_path_factory.mktemp("small") / "cal"
    options = {"population": 2, "replications": 1, "workers": 1, "predictive_draws": 0}
    bayes.calibrate_abc("guangzhou_ifsc", generations=1, out=out, progress=False, **options)
    return out


def _other_database(path: Path) -> None:
    import sqlite3

    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE notes (text)")
        db.commit()


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (lambda db: db.write_text("junk\n"), "not a calibration database: file is not a database"),
        (Path.mkdir, "a folder, not a file"),
        (_other_database, "not a calibration database: an SQLite file without a pyabc history"),
    ],
    ids=["text", "folder", "other-database"],
)
def test_resuming_a_damaged_history_is_refused(
    small_calibration: Path, tmp_path: Path, capsys, damage, said: str
) -> None:
    out = tmp_path / "cal"
    shutil.copytree(small_calibration, out)
    (out / "abc.db").unlink()
    damage(out / "abc.db")
    before = _contents(out)
    line = _refused(
        capsys, ["guangzhou_ifsc", *SMALL, "--generations", "2", "--out", str(out), "--resume"]
    )
    db = str(out / "abc.db")
    assert line.startswith(f"simcontract: error: {db!r} is damaged ({said}")
    assert line.endswith("remove it to start the calibration again, or choose another folder")
    assert _contents(out) == before  # nothing written, the damaged file left as it was


def _contents(folder: Path) -> dict[str, bytes | None]:
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None
        for p in sorted(folder.rglob("*"))
    }


def test_missing_pyabc_says_how_to_install(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "pyabc", None)  # import pyabc raises ImportError
    out = tmp_path / "cal"
    line = _refused(capsys, ["guangzhou_ifsc", *TINY, "--out", str(out)])
    assert "pip install 'simcontract[abc]'" in line
    assert not out.exists()


def synthetic_posterior() -> bayes.Posterior:
    """A posterior made by hand: 40 weighted particles of two parameters and a
    predictive table of every figure."""
    from simcontract.experiment.bayes_inputs import split_figures

    scenario = load_scenario("guangzhou_ifsc")
    priors = (
        bayes.default_prior(scenario, "max_bid_inflation"),
        bayes.Prior("entry_rate", 1.0, 3.0, "given"),
    )
    rng = np.random.default_rng(5)
    particles = pd.DataFrame(
        {
            "max_bid_inflation": rng.uniform(0.15, 0.25, 40),
            "entry_rate": rng.uniform(1.0, 3.0, 40),
            "weight": np.full(40, 1 / 40),
            "distance": rng.uniform(0, 0.1, 40),
        }
    )
    figures = split_figures(scenario, load_calibration(), 2012)
    predictive = pd.DataFrame(
        [
            {
                "figure": f.target.figure,
                "outcome": f.target.outcome,
                "year": f.target.year,
                "calendar_year": f.calendar_year,
                "role": f.target.role,
                "use": f.use,
                "source_value": f.target.value,
                "predictive_mean": f.target.value * 1.1,
                "predictive_low": f.target.value * 0.8,
                "predictive_high": f.target.value * 1.4,
                "inside": True,
                "deviation": 0.1,
                "runs": 50,
            }
            for f in figures
        ]
    )
    generations = pd.DataFrame(
        {"generation": [0, 1], "epsilon": [0.5, 0.2], "particles": [40, 40],
         "evaluations": [80, 120], "acceptance_rate": [0.5, 1 / 3], "ess": [40.0, 35.0]}
    )  # fmt: skip
    return bayes.Posterior(scenario, priors, tuple(figures), particles, generations, predictive)


def test_posterior_table_and_figures_in_both_languages() -> None:
    import warnings

    from simcontract.plots.posterior import posterior_marginals, predictive_intervals

    posterior = synthetic_posterior()
    table = posterior.table().set_index("parameter")
    x = posterior.particles["entry_rate"]
    assert table.loc["entry_rate", "mean"] == pytest.approx(x.mean())
    assert x.min() <= table.loc["entry_rate", "low"] < table.loc["entry_rate", "high"] <= x.max()
    assert table.loc["entry_rate", "shrinkage"] == pytest.approx(
        (table.loc["entry_rate", "high"] - table.loc["entry_rate", "low"]) / 2.0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a glyph missing from the fonts would warn
        for lang, title in (
            ("en", "Posterior of the free parameters"),
            ("zh_CN", "自由参数的后验"),
        ):
            marginals = posterior_marginals(posterior, lang=lang)
            marginals.canvas.draw()
            assert marginals.get_suptitle().startswith(title)
            assert len([a for a in marginals.axes if a.get_visible()]) == 2
            check = predictive_intervals(posterior, lang=lang)
            check.canvas.draw()
            labels = [t.get_text() for t in check.axes[0].get_yticklabels()]
            assert len(labels) == len(posterior.figures)
    assert "年" in labels[0]  # the last drawn: Chinese


def test_an_interrupt_before_anything_is_stored_offers_no_resume(
    tmp_path, capsys, monkeypatch
) -> None:
    """Before, it said the finished generations were stored and offered a --resume that
    then failed: the folder did not exist."""
    import signal

    from simcontract.cli import main
    from simcontract.experiment import bayes

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(bayes, "calibrate_abc", interrupted)
    out = tmp_path / "c"
    argv = ["calibrate", "guangzhou_ifsc", "--population", "4", "--workers", "1"]
    assert main([*argv, "--out", str(out)]) == 128 + signal.SIGINT
    (line,) = capsys.readouterr().err.splitlines()
    assert "interrupted by SIGINT before anything was stored; start again with: " in line
    assert "--resume" not in line and not out.exists()


def test_a_money_parameter_reads_in_steps_with_its_density_per_step() -> None:
    """A prior over other income (50,000 to 400,000 CNY a year): the x axis in thousands
    (万 in Chinese) rather than under an exponent, and the density per thousand, so the
    bars' area stays one."""
    from dataclasses import replace

    from simcontract.plots.posterior import posterior_marginals

    posterior = synthetic_posterior()
    rng = np.random.default_rng(2)
    particles = posterior.particles.assign(other_income=rng.uniform(5e4, 4e5, 40))
    priors = (posterior.priors[0], bayes.Prior("other_income", 5e4, 4e5, "given"))
    posterior = replace(posterior, priors=priors, particles=particles)
    for lang, unit, size in (("en", "(thousand CNY/year)", 1e3), ("zh_CN", "（万元/年）", 1e4)):
        fig = posterior_marginals(posterior, lang=lang)
        fig.canvas.draw()
        ax = fig.axes[1]
        assert ax.get_xlabel().endswith(unit), ax.get_xlabel()
        assert ax.xaxis.get_offset_text().get_text() == ""
        shown = [float(t.get_text().replace("\u2212", "-")) for t in ax.get_yticklabels()]
        assert shown == pytest.approx(list(ax.get_yticks() * size))  # a density per step
        assert ax.yaxis.get_offset_text().get_text() == ""  # it read 1e-6 over the axis


def test_a_report_written_again_leaves_nothing_of_the_earlier_one(tmp_path) -> None:
    """A resumed run without the predictive check, in other formats, left the earlier
    predictive.csv and figures beside a report that said "(no predictive check)"."""
    from dataclasses import replace

    from simcontract.experiment import bayes_report

    posterior = synthetic_posterior()
    bayes_report.write(posterior, tmp_path, ("png",))
    assert {"predictive.csv", "predictive.png", "posterior.png"} <= {
        p.name for p in tmp_path.iterdir()
    }
    written = bayes_report.write(replace(posterior, predictive=None), tmp_path, ("svg",))
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {p.name for p in written} | {"abc.db"} & names
    assert "posterior.svg" in names and not names & {
        "predictive.csv",
        "predictive.png",
        "posterior.png",
    }


def test_holdout_targets_are_not_called_tests_out_of_sample() -> None:
    """The scenario's own values, on which the priors centre, were set from the 2014
    targets: only untargeted figures test the model out of sample."""
    from simcontract.experiment import bayes_report

    posterior = synthetic_posterior()
    lines = " ".join(bayes_report.verdict_lines(posterior))
    holdout = posterior.predictive[posterior.predictive["use"] == "holdout"]
    assert len(holdout) and (holdout["role"] == "target").all()
    assert f"of {len(holdout)} holdout targets" in lines and "not tests out of sample" in lines
    assert "untargeted figures" not in lines
    predictive = posterior.predictive.copy()
    predictive.loc[holdout.index[:1], "role"] = "untargeted"
    from dataclasses import replace

    lines = " ".join(bayes_report.verdict_lines(replace(posterior, predictive=predictive)))
    assert "1 of 1 untargeted figures (never fitted: tests out of sample)" in lines


def test_a_folder_without_a_stored_generation_starts_again(tmp_path: Path) -> None:
    """Interrupted before its first generation (or its history deleted), a folder was
    refused without --resume ("holds a calibration already") and resumed silently from
    nothing with it."""
    options = {
        "params": {"max_bid_inflation": None},
        "figures": bid_figures(),
        "fit_until": 2014,
        "population": 4,
        "generations": 1,
        "replications": 1,
        "workers": 1,
        "predictive_draws": 0,
    }
    out = tmp_path / "a"
    first = bayes.calibrate_abc(out=out, progress=False, **options)
    assert bayes.stored_generations(out / bayes.DB_FILE) == 1
    with pytest.raises(ExperimentError, match="holds"):
        bayes.calibrate_abc(out=out, progress=False, **options)
    (out / bayes.DB_FILE).unlink()
    assert bayes.stored_generations(out / bayes.DB_FILE) == 0
    said: list[str] = []
    again = bayes.calibrate_abc(out=out, resume=True, progress=said.append, **options)
    assert any("no finished generation yet" in line for line in said)
    pd.testing.assert_frame_equal(again.particles, first.particles)
    (out / bayes.DB_FILE).unlink()
    bayes.calibrate_abc(out=out, progress=False, **options)  # not refused: nothing to lose


def test_whole_number_parameters_have_equal_chances_and_report_as_run() -> None:
    """Rounding draws from [1, 5] gave 1 and 5 half the chance of 2, 3 and 4, and the
    posterior table reported draws (1.85, 3.92) where the model ran 2 and 4."""
    from simcontract.experiment.bayes_inputs import Prior, whole_number

    prior = Prior("contract_years", 1.0, 5.0, "given")
    low, high = prior.support
    assert (low, high) == (0.5, 5.5)
    edges = np.linspace(low, high, 10_001)
    counts = pd.Series([whole_number(x) for x in edges[:-1]]).value_counts().sort_index()
    assert list(counts.index) == [1, 2, 3, 4, 5] and counts.max() - counts.min() <= 1
    assert [whole_number(x) for x in (0.5, 2.5, 3.5, 5.4999)] == [1, 3, 4, 5]
    assert Prior("max_bid_inflation", 0.1, 0.3, "given").support == (0.1, 0.3)


def test_a_whole_number_range_without_a_whole_number_is_refused() -> None:
    from simcontract.experiment.bayes_inputs import check_prior

    with pytest.raises(ExperimentError, match="holds no whole number"):
        check_prior("shortlist_size", 2.2, 2.8)
    assert check_prior("shortlist_size", 2.2, 3.1).support == (2.5, 3.5)


def test_an_undated_scenario_fitted_to_its_last_year_is_refused() -> None:
    from simcontract.experiment.bayes_inputs import split_figures
    from simcontract.scenario import Scenario

    dated = load_scenario("guangzhou_ifsc").replace(years=6).to_dict()
    undated = Scenario.from_dict({k: v for k, v in dated.items() if k != "start_year"})
    assert undated.start_year is None
    for until in (6, 2012):
        with pytest.raises(ExperimentError, match="from 1 to 5"):
            split_figures(undated, load_calibration(), until)
