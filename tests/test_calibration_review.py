"""The calibration tools as a reader defending results uses them: the Bayesian report
in Chinese (tables, verdicts, why the run stopped, progress, the files written), and
bad options refused in one line that names the option and what it allows."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_cli_chinese import english_lines

from simcontract import i18n
from simcontract.cli import main
from simcontract.experiment import bayes, bayes_report
from simcontract.experiment.bayes_inputs import (
    check_prior,
    default_prior,
    scenario_figures,
    split_figures,
)
from simcontract.experiment.bayes_posterior import Posterior, _predictive_table
from simcontract.experiment.runner import ExperimentError
from simcontract.scenario import load_scenario

ENGLISH_WORDS = re.compile(
    r"\b(figure|holdout|fit|input|source|inside|prior|mean|median|credible|width|"
    r"particles?|generations?|stopped|runs?|seed|written|yes|NO|lie|interval)\b"
)


def synthetic_posterior() -> Posterior:
    """A posterior of ``guangzhou_ifsc`` from made-up particles and predictive runs."""
    scenario = load_scenario("guangzhou_ifsc")
    names = bayes.free_parameters("guangzhou_ifsc")
    priors = tuple(default_prior(scenario, n) for n in names)
    figures = tuple(split_figures(scenario, scenario_figures(scenario), 2012))
    rng = np.random.default_rng(3)
    particles = pd.DataFrame({p.name: rng.uniform(p.low, p.high, 12) for p in priors})
    particles["weight"] = 1 / 12
    particles["distance"] = rng.uniform(0, 0.1, 12)
    generations = pd.DataFrame(
        {
            "generation": [0, 1],
            "epsilon": [0.7, 0.3],
            "particles": [12, 12],
            "evaluations": [20, 30],
            "acceptance_rate": [0.6, 0.4],
            "ess": [12.0, 10.0],
        }
    )
    runs = {f.key: list(f.target.value * rng.uniform(0.8, 1.3, 20)) for f in figures}
    settings = {
        "population": 12,
        "replications": 1,
        "seed": 0,
        "fit_until": 2012,
        "years": 5,
        "stop": {"reason": "generations", "n": 2},
        "stopped": "2 generations",
    }
    return Posterior(
        scenario, priors, figures, particles, generations,
        _predictive_table(figures, runs, 0.95), settings,
    )  # fmt: skip


def test_the_bayesian_report_reads_in_chinese() -> None:
    """Every table and sentence of the report, the predictive check included, in
    Chinese; the figures named as the validation report names them."""
    posterior = synthetic_posterior()
    text = bayes_report.markdown(posterior, lang="zh_CN")
    assert "后验预测检验" in text and "留出检验" in text and "已达 2 代" in text
    figure = posterior.figures[0].target
    chinese = i18n.calibration_figure(figure.outcome, figure.year, figure.figure, "zh_CN")
    assert chinese != figure.figure and chinese in text
    assert figure.figure not in text
    prose = re.sub(r"`[^`]*`|\w+@\d+|[a-z]+(_[a-z]+)+", "", text)  # names of code
    assert ENGLISH_WORDS.findall(prose) == [] and "ABC" not in text and "epsilon" not in text
    english = bayes_report.markdown(posterior, lang="en")
    assert "| figure | year | use | source | predictive mean [95% interval] | inside |" in english
    assert "(stopped: 2 generations)" in english


def test_the_calibrate_command_speaks_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``calibrate --lang zh_CN``: the printed report, the files' list and report.md."""
    posterior = synthetic_posterior()
    monkeypatch.setattr(bayes, "calibrate_abc", lambda *a, **k: posterior)
    out = tmp_path / "cal"
    argv = ["calibrate", "guangzhou_ifsc", "--out", str(out), "--format", "svg"]
    assert main([*argv, "--lang", "zh_CN"]) == 0
    printed = capsys.readouterr().out
    assert "written" not in printed and f"已写入 {out}：" in printed
    assert "particles.csv、" in printed
    assert "预测均值 [95% 区间]" in printed
    report = (out / "report.md").read_text(encoding="utf-8")
    assert report.startswith("# guangzhou_ifsc 的贝叶斯校准")
    assert english_lines(printed) == [] and english_lines(report) == []


def test_progress_and_the_reason_to_stop_in_chinese() -> None:
    """The generations' progress lines and why the run stopped follow the language;
    the settings keep the English reason beside the catalogue's key."""
    lines: list[str] = []
    with i18n.use_language("zh_CN"):
        posterior = bayes.calibrate_abc(
            "guangzhou_ifsc",
            params={"max_bid_inflation": None},
            population=3,
            generations=1,
            replications=1,
            workers=1,
            predictive_draws=2,
            progress=lines.append,
        )
    assert lines[0].startswith("第 0 代：容差 ε ")
    assert lines[-1] == "预测检验：从后验抽取 2 次"
    assert posterior.settings["stopped"] == "1 generations"
    assert "停止原因：已达 1 代" in bayes_report.settings_line(posterior, "zh_CN")
    assert "(stopped: 1 generations)" in bayes_report.settings_line(posterior, "en")


def test_a_prior_that_is_not_finite_or_not_allowed_says_so() -> None:
    with pytest.raises(ExperimentError) as err:
        check_prior("entry_rate", 1, float("inf"))
    assert "empty" not in str(err.value) and "finite" in str(err.value)
    with pytest.raises(ExperimentError) as err:
        check_prior("entry_rate", -1, 100)
    assert str(err.value).endswith("outside the allowed range; entry_rate takes a number in [0, 5]")


@pytest.mark.parametrize("value", ["1.5", "x", "nan", "-0.1"])
def test_a_bad_least_acceptance_rate_names_the_option(
    value: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = ["calibrate", "guangzhou_ifsc", "--min-acceptance", value, "--out", str(tmp_path / "c")]
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        "simcontract: error: argument --min-acceptance: expected a share in [0, 1), e.g. "
        f"0.02, got {value!r}"
    )
    assert not (tmp_path / "c").exists()
