"""What ``simcontract validate`` prints: per pattern the paired difference it judges with
its unit and CI, the standardised effect labelled as such, the verdict, and a hint with
the replications to try when the CI is too wide (or missing)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simcontract import Scenario
from simcontract.cli import main
from simcontract.experiment import validation
from simcontract.experiment import validation_report as report
from simcontract.experiment.report import decimals, format_number
from simcontract.experiment.stats import t_quantile
from simcontract.experiment.validation import Arm, Pattern, validate

TINY = {"years": 4, "initial_ngos": 15, "n_bureaux": 4, "n_mass_orgs": 1}


def _pattern(pid: str = "t1", expect: str = "higher") -> Pattern:
    a = Arm("3-year contracts", Scenario({**TINY, "contract_years": 3}, name="long"))
    b = Arm("1-year contracts", Scenario({**TINY, "contract_years": 1}, name="short"))
    return Pattern(pid, 1, "claim", "source", "staff_turnover", expect, a, b)


def _frame(a: list[float], b: list[float], expect: str = "higher") -> pd.DataFrame:
    """A validation table of one pattern from given replications of both arms."""
    row = validation._verdict(_pattern(expect=expect), np.array(a), np.array(b))
    return pd.DataFrame([row])


@pytest.fixture(scope="module")
def computed() -> pd.DataFrame:
    return validate(replications=3, seed=1, workers=1, patterns=[_pattern()])


def test_each_pattern_shows_its_difference_ci_unit_and_standardised_effect(computed) -> None:
    text = report.terminal(computed, 3, 1)
    (row,) = computed.itertuples()
    assert all(len(line) <= 100 for line in text.splitlines())
    header = next(line for line in text.splitlines() if line.startswith("| pattern"))
    assert "b − a [95% CI]" in header and "standardised d" in header
    d = decimals([(row.diff_high - row.diff_low) / 2], [row.diff])
    shown = (
        f"{format_number(row.diff, d, sign=True)} [{format_number(row.diff_low, d, sign=True)}, "
        f"{format_number(row.diff_high, d, sign=True)}]"
    )
    line = next(line for line in text.splitlines() if line.startswith("| t1 |"))
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert cells[:4] == ["t1", "Staff turnover (share)", "> 0", shown]
    assert float(cells[4]) == pytest.approx(row.effect_size, rel=0.06)
    assert cells[5] == ("reproduced" if row.reproduced else "NOT reproduced")
    assert "t1: b = 1-year contracts; a = 3-year contracts" in text
    assert "Standardised d: that difference over the pooled SD" in text


def test_format_validation_is_one_markdown_row_per_pattern(computed) -> None:
    text = validation.format_validation(pd.concat([computed, computed], ignore_index=True))
    assert text.count("\n") == 2 + 1
    assert text.splitlines()[1].startswith("|---|")


def test_a_wide_ci_on_the_expected_side_gets_a_replications_hint() -> None:
    frame = _frame([0.10, 0.20, 0.15], [0.15, 0.18, 0.25])
    (row,) = frame.itertuples()
    assert row.diff > 0 and row.diff_low < 0 < row.diff_high and not row.reproduced
    assert report.failure(row) == "wide"
    lines = report.verdict_lines(frame, 3)
    assert lines[0] == "NOT reproduced: t1"
    hint = " ".join(x.strip() for x in lines[1:])
    assert hint.startswith("t1: CI too wide with 3 replications")
    suggested = int(hint.rsplit("--replications ", 1)[1])
    assert suggested >= report.DEFAULT_REPLICATIONS
    needed = report.replications_needed(row.diff, row.diff_sd, 3)
    assert suggested == max(needed, report.DEFAULT_REPLICATIONS)


@pytest.mark.parametrize("mean, sd, start", [(0.05, 0.06, 3), (0.01, 0.2, 30), (2.0, 0.1, 2)])
def test_replications_needed_gives_a_ci_clear_of_zero(mean: float, sd: float, start: int) -> None:
    n = report.replications_needed(mean, sd, start)
    assert n is not None and n > start and n % report.SUGGESTION_STEP == 0
    assert t_quantile(n - 1, 0.95) * sd / math.sqrt(n) < mean
    fewer = n - report.SUGGESTION_STEP
    if fewer > start:  # the step below was not yet enough
        assert t_quantile(fewer - 1, 0.95) * sd / math.sqrt(fewer) >= mean


def test_no_hint_for_a_difference_on_the_wrong_side() -> None:
    frame = _frame([0.20, 0.25, 0.22], [0.10, 0.19, 0.20])
    (row,) = frame.itertuples()
    assert report.failure(row) == "opposite"
    text = "\n".join(report.verdict_lines(frame, 3))
    assert "--replications" not in text and "not on the expected side" in text


def test_one_replication_has_no_ci_and_a_hint() -> None:
    frame = _frame([0.1], [0.3])
    (row,) = frame.itertuples()
    assert report.failure(row) == "no_ci"
    text = " ".join(x.strip() for x in report.verdict_lines(frame, 1))
    assert "no CI with 1 replication" in text and "try --replications 30" in text


def test_a_reproduced_pattern_has_no_hint() -> None:
    frame = _frame([0.10, 0.12, 0.11], [0.30, 0.33, 0.31])
    assert report.failure(next(frame.itertuples())) == ""
    assert report.verdict_lines(frame, 3) == ["all 1 comparisons reproduced"]


def test_validate_command_prints_the_report_writes_it_and_keeps_its_exit_status(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setattr(validation, "load_patterns", lambda: [_pattern("t1"), _pattern("t2")])
    out = tmp_path / "report"
    argv = [
        "validate",
        "--pattern",
        "t2",
        "--replications",
        "2",
        "--workers",
        "1",
        "--robustness",
        "3",
        "--robustness-replications",
        "1",
    ]
    status = main([*argv, "--out", str(out)])
    text = capsys.readouterr().out
    assert "| t2 | Staff turnover (share) | > 0 |" in text and "| t1 |" not in text
    # The robustness share over the assumptions, from three points of a Latin hypercube.
    row = next(line for line in text.splitlines() if line.startswith("| t2 | – |"))
    assert re.search(r"\| \d+% \[\d+%, \d+%\] \|$", row), row
    reproduced = "all 1 comparisons reproduced" in text
    assert status == (0 if reproduced else 1)
    assert reproduced or "NOT reproduced: t2" in text
    assert "| t2 |" in (out / "table.md").read_text(encoding="utf-8")
    assert list(pd.read_csv(out / "table.csv")["id"]) == ["t2"]


def test_validate_refuses_an_unknown_pattern_in_one_line(monkeypatch, capsys) -> None:
    monkeypatch.setattr(validation, "load_patterns", lambda: [_pattern("t1")])
    assert main(["validate", "--pattern", "9z", "--replications", "2"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "simcontract: error: --pattern '9z': no such pattern; patterns are t1"
    ]


def test_a_pattern_true_by_construction_is_reported_but_sets_no_exit_status() -> None:
    frame = _frame([0.20, 0.25, 0.22], [0.10, 0.19, 0.20])
    assert report.failure(next(frame.itertuples())) == "opposite"
    assert report.failed_evidence(frame)
    frame["construction"] = "the arms set the outcome"
    assert not report.failed_evidence(frame)


def test_a_difference_short_of_the_minimum_effect_is_too_small() -> None:
    pattern = _pattern()
    small = Pattern(**{**pattern.__dict__, "minimum_effect": 0.5})
    row = validation._verdict(small, np.array([0.10, 0.12, 0.11]), np.array([0.30, 0.33, 0.31]))
    frame = pd.DataFrame([row])
    assert not row["reproduced"] and report.failure(next(frame.itertuples())) == "small"
    assert "| t1 | Staff turnover (share) | > +0.5 |" in report.table(frame)
    assert "short of the minimum effect" in " ".join(report.verdict_lines(frame, 3))


# ---------------------------------------------------------------- the report in Chinese
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _every_pattern(seed: int = 0) -> pd.DataFrame:
    """A validation table of every pattern from made-up replications (no model run):
    three pairs each, the mechanism switched off too."""
    rng = np.random.default_rng(seed)
    rows = []
    for p in validation.load_patterns():
        a, b, *off = (rng.normal(i, 1.0, 3) for i in range(4))
        rows.append(validation._verdict(p, a, b, off))
    return pd.DataFrame(rows)


def _english_texts() -> list[str]:
    """The patterns' texts as patterns.toml gives them."""
    texts = set()
    for p in validation.load_patterns():
        texts |= {p.claim, p.a.label, p.b.label, p.construction}
        texts |= {p.mechanism.label} if p.mechanism else set()
    return sorted(texts - {""})


def test_the_chinese_report_gives_every_pattern_text_in_chinese() -> None:
    """Arms, mechanisms and constructions come from the catalogue in Chinese (English
    from patterns.toml, as before); lists and clauses take Chinese punctuation."""
    from simcontract import i18n

    frame = _every_pattern()
    zh = report.terminal(frame, 3, 0, "zh_CN")
    md = report.markdown(frame, 3, 0, "zh_CN")
    for english in _english_texts():
        assert english not in zh and english not in md, english
    arms = md.split(i18n.text("validation.arms_title", "zh_CN"))[1].split("\n\n")[1]
    for line in arms.splitlines():
        said = re.sub(r"exp|w_outcome|[UN]\(0, 1\)", "", line)
        assert not re.search(r"[A-Za-z]{3}", said), line
        assert "; " not in line and ", " not in said, line
    for r in frame.itertuples():
        b = i18n.pattern_text(r.id, "arm_b", r.arm_b, "zh_CN")
        a = i18n.pattern_text(r.id, "arm_a", r.arm_a, "zh_CN")
        assert f"- {r.id}：b = {b}；a = {a}" in md
    built = i18n.pattern_text("1", "construction", frame["construction"][0], "zh_CN")
    assert f"；由构造决定：{built}" in md and "“因不稳定而离职”" in built
    ids = "、".join(frame["id"])
    assert i18n.text("validation.few", "zh_CN", ids=ids, n=10, replications=3) in md
    # Chinese wraps between characters: a paragraph joined again has no space inside a word
    assert not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", md)
    assert all(len(line) <= 100 for line in zh.splitlines())
    english = report.terminal(frame, 3, 0)
    assert "1: b = 1-year contracts; a = 3-year contracts; mechanism: insecure staff" in english
    assert "true by construction: a worker's extra quit chance" in english
    assert not _HAN.search(english + report.markdown(frame, 3, 0))
    assert ", ".join(frame["id"]) in report.markdown(frame, 3, 0)


def test_a_pattern_of_ones_own_keeps_its_words_in_chinese() -> None:
    """A pattern made in code that reuses a built-in id is not given that pattern's
    Chinese text; a pattern without a translation shows its English."""
    a = Arm("long contracts", Scenario({**TINY, "contract_years": 3}, name="long"))
    b = Arm("short contracts", Scenario({**TINY, "contract_years": 1}, name="short"))
    own = Pattern("1", 1, "claim", "source", "staff_turnover", "higher", a, b)
    frame = pd.DataFrame([validation._verdict(own, np.array([0.1, 0.2]), np.array([0.3, 0.4]))])
    assert "1：b = short contracts；a = long contracts" in report.terminal(frame, 2, 0, "zh_CN")


def test_validate_in_chinese_prints_and_writes_no_english_pattern_text(
    tmp_path: Path, capsys
) -> None:
    out = tmp_path / "zh"
    argv = ["validate", "--pattern", "1", "--pattern", "5", "--replications", "3"]
    argv += ["--robustness", "0", "--no-ablation", "--workers", "1", "--lang", "zh_CN"]
    main([*argv, "--out", str(out)])
    # The paths it names are the test's own (under pytest-xdist, ".../popen-gw1/...").
    printed = capsys.readouterr().out.replace(str(tmp_path), "")
    written = (out / "table.md").read_text(encoding="utf-8")
    for english in _english_texts():
        assert english not in printed and english not in written, english
    assert "1：b = 一年期合同；a = 三年期合同；机制：" in printed
    assert "1、5：" in printed and "1、5：" in written
    # The data file keeps the patterns' own (English) texts.
    assert list(pd.read_csv(out / "table.csv")["arm_b"]) == [
        "1-year contracts",
        "mass organisations, a few specialists",
    ]


def _calibration_table() -> pd.DataFrame:
    """A calibration table of every figure with made-up model values (no model run)."""
    rows = []
    for i, t in enumerate(validation.load_calibration()):
        mean = t.value * (1 + 0.1 * (i - 3))
        rows.append(
            {
                "figure": t.figure,
                "role": t.role,
                "outcome": t.outcome,
                "year": t.year,
                "source_value": t.value,
                "model_mean": mean,
                "model_low": mean * 0.9,
                "model_high": mean * 1.1,
                "deviation": mean / t.value - 1,
                "within_25pct": abs(mean / t.value - 1) <= 0.25,
            }
        )
    return pd.DataFrame(rows)


def test_the_calibration_report_reads_in_chinese(tmp_path: Path) -> None:
    from simcontract import i18n

    table = _calibration_table()
    zh = validation.calibration_report(table, 2, 0, "zh_CN")
    for t in validation.load_calibration():
        assert t.figure not in zh
        assert f"| {i18n.calibration_figure(t.outcome, t.year, t.figure, 'zh_CN')} |" in zh
    for english in ("figure", "role", "within 25%", "| yes |", "| target |", "replications"):
        assert english not in zh, english
    assert zh.splitlines()[0].startswith("广州：家庭综合服务中心（guangzhou_ifsc），2 次重复")
    with i18n.use_language("zh_CN"):  # the command line's --lang
        validation.write_calibration(tmp_path, table, 2, 0)
    assert "| 数据 | 类型 | 年份 |" in (tmp_path / "calibration.md").read_text(encoding="utf-8")
    english = validation.calibration_report(table, 2, 0).splitlines()
    assert english[0] == (
        "guangzhou_ifsc, 2 replications, seed 0: model against the figures of "
        "Guangzhou IFSC study n.d."
    )
    assert english[1] == (
        "| figure | role | year | source | model mean [95% CI] | deviation | within 25% |"
    )
    assert english[3] == (
        "| social-work agencies in 2014 (13 in 2009) | target | 2014 | 267 | 187 [168, 206] "
        "| -30% | no |"
    )
    assert english[-1] == (
        "3 of 5 figures within 25% of the source (2 more are inputs of the scenario, "
        "shown as a check)"
    )
