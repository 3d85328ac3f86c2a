"""Small sweeps' figures and tables: a one-parameter Latin hypercube drawn against its
parameter, a partial batch said in every figure's title, intervals cut at the ends of
an outcome's range in the printed tables, the level of a Sobol figure's CIs, and the
figures' errors in the language in use."""

from __future__ import annotations

import ast
import math
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from simcontract import (
    OUTCOMES,
    LatinHypercube,
    Results,
    Scenario,
    i18n,
    load_results,
    plots,
    sweep,
)
from simcontract.cli import main
from simcontract.experiment import report, storage, sweep_report
from simcontract.experiment.designs import INDEX_COLUMNS
from simcontract.experiment.report import decimals, format_cell
from simcontract.experiment.stats import cut, mean_ci, outcome_range, paired_difference
from simcontract.plots.posterior import predictive_intervals

TINY = {"years": 3, "initial_ngos": 15, "n_bureaux": 4, "n_mass_orgs": 1}
"""The market of this module's batches."""

PLOTS = Path(plots.__file__).parent


def _title(fig) -> str:
    return fig.get_suptitle().replace("\n", " ")


@pytest.fixture(scope="module")
def grid_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished two-point grid sweep of two replications (series kept), one run a
    part."""
    out = tmp_path_factory.mktemp("grid") / "res"
    sweep(
        Scenario(TINY, name="tiny"),
        {"favouritism": [0.1, 0.6]},
        replications=2,
        series=True,
        workers=1,
        out=out,
        chunk_size=1,
    )
    return out


@pytest.fixture(scope="module")
def grid(grid_folder: Path) -> Results:
    """The stored grid sweep."""
    return load_results(grid_folder)


# ------------------------------------------------------------ a one-parameter Latin hypercube
def test_a_one_parameter_latin_hypercube_is_drawn_against_its_parameter(
    tmp_path: Path, capsys
) -> None:
    scenario = Scenario(TINY, name="tiny")
    out = tmp_path / "lhs"
    design = LatinHypercube(5, {"favouritism": (0.0, 1.0)}, seed=3)
    res = sweep(scenario, design, replications=2, workers=1, out=out)
    assert main(["plot", str(out), "--format", "svg"]) == 0
    printed = capsys.readouterr().out
    drawn = sorted(p.stem for p in (out / "figures").iterdir())
    assert drawn == sorted(f"response_{n}" for n in plots.data.key_outcomes())
    assert f"{len(drawn)} figure files" in printed

    fig = plots.response(res, "staff_turnover")
    ax = fig.axes[0]
    assert ax.get_xlabel() == plots.parameter_label("favouritism")
    assert ax.get_ylabel() == plots.outcome_label("staff_turnover")
    runs = res.runs
    means = runs.groupby("point").agg(x=("favouritism", "first"), y=("staff_turnover", "mean"))
    means = means.sort_values("x")
    line = ax.containers[0].lines[0]
    assert np.allclose(line.get_xdata(), means["x"]) and np.allclose(line.get_ydata(), means["y"])
    dots = ax.collections[0].get_offsets()
    assert len(dots) == len(runs) == 10
    assert "Staff turnover against favouritism" in _title(fig)


def test_plot_says_why_it_draws_no_figure(tmp_path: Path, capsys) -> None:
    """A comparison of 21 scenarios without series or NGO tables fits none of the
    standard figures: ``plot`` says so, in the language in use, rather than only
    counting 0 files."""
    from simcontract import compare

    scenarios = [Scenario(TINY | {"favouritism": i / 20}, name=f"s{i}") for i in range(21)]
    out = tmp_path / "many"
    compare(scenarios, replications=1, workers=1, out=out)
    assert main(["plot", str(out), "--format", "svg"]) == 0
    said = capsys.readouterr()
    assert "0 figure files" in said.out
    assert "support none of the standard figures" in said.err
    assert main(["plot", str(out), "--format", "svg", "--lang", "zh_CN"]) == 0
    assert "不适用任何标准图表" in capsys.readouterr().err


def test_the_response_figure_speaks_chinese(grid: Results) -> None:
    fig = plots.response(grid, "ngo_survival", lang="zh_CN")
    assert "随" in _title(fig) and "置信区间" in _title(fig)
    assert fig.axes[0].get_xlabel() == i18n.parameter_label("favouritism", "zh_CN")


# ------------------------------------------------------------ a partial batch
def test_figures_of_a_partial_batch_say_so_in_their_titles(
    grid_folder: Path, grid: Results, tmp_path: Path
) -> None:
    whole = plots.compare_outcomes(grid)
    assert "partial" not in _title(whole)

    folder = tmp_path / "res"
    shutil.copytree(grid_folder, folder)
    storage.parts(folder / storage.RUNS)[0].unlink()
    partial = load_results(folder, partial=True)
    assert len(partial.runs) == 3
    for draw in (
        lambda lang: plots.compare_outcomes(partial, lang=lang),
        lambda lang: plots.response(partial, "staff_turnover", lang=lang),
        lambda lang: plots.fan_chart(partial, "staff_turnover", lang=lang),
    ):
        assert _title(draw("en")).endswith(" (partial batch: 3 of 4 runs)")
        zh = "".join(_title(draw("zh_CN")).split())
        assert zh.endswith("（不完整的批量运行：含计划4次运行中的3次）")


# ------------------------------------------------------------ intervals cut in the tables
def _spread(grid: Results) -> Results:
    """``grid`` with NGO survival (a share) and service quality (an index, in [0, 1] too)
    0 in one replication and 1 in the other at each point, in opposite order at the
    two points: every t interval over two runs then reaches far beyond [0, 1]."""
    runs = grid.runs.copy()
    first = runs["replication"] == runs["replication"].min()
    swap = (runs["point"] == runs["point"].max()) ^ first
    for name in ("ngo_survival", "service_quality"):
        runs[name] = np.where(swap, 1.0, 0.0)
    return Results(runs, manifest=grid.manifest)


def _raw(values: pd.Series) -> tuple[str, str]:
    """The cell of a mean and its t interval as printed without a cut (``mean ±half``)."""
    ci = mean_ci(values)
    half = (ci.high - ci.low) / 2
    return format_cell(ci.mean, half, decimals([half])), f"{half:.1f}"


def test_a_sweep_table_cuts_share_and_index_intervals_at_0_and_1_and_says_so(
    grid: Results,
) -> None:
    spread = _spread(grid)
    raw_share, _ = _raw(spread.runs.loc[spread.runs["point"] == 0, "ngo_survival"])
    raw_index, _ = _raw(spread.runs.loc[spread.runs["point"] == 0, "service_quality"])
    assert raw_share == raw_index == "0.5 ±6.4"  # the t interval over 2 runs: [-5.9, 6.9]

    text = sweep_report.points_text(spread, ["ngo_survival", "service_quality"])
    rows = [line for line in text.splitlines() if re.match(r"[01]\s", line)]
    assert len(rows) == 2
    for row in rows:
        # The share and the index, both cut (an index's interval was not: quality 0.5
        # ±6.4 and HHI 0.7 ±4.4 were printed).
        assert row.count("0.5 [0.0, 1.0]") == 2
    assert "are cut there and shown as [low, high]" in " ".join(text.split())

    md = sweep_report.markdown(spread, ["ngo_survival", "service_quality"], None)
    assert md.count("| 0.5 [0.0, 1.0] | 0.5 [0.0, 1.0] |") == 2
    assert "below 0 or above 1 for a share or an index" in md

    zh = sweep_report.points_text(spread, ["ngo_survival", "service_quality"], "zh_CN")
    assert "0.5 [0.0, 1.0]" in zh and "在该处截断，并写作[下限,上限]。" in "".join(zh.split())


def test_a_whole_sweep_table_without_a_cut_says_nothing_of_one(grid: Results) -> None:
    runs = grid.runs.assign(ngo_survival=0.5, service_quality=0.5)
    text = sweep_report.points_text(Results(runs, manifest=grid.manifest), ["ngo_survival"])
    assert "[" not in text and "cut" not in text


def test_comparison_tables_cut_levels_at_0_and_1_and_differences_at_minus_1_and_1(
    grid: Results,
) -> None:
    spread = _spread(grid)
    runs = spread.runs
    a = runs.loc[runs["point"] == 0].sort_values("replication")
    b = runs.loc[runs["point"] == 1].sort_values("replication")
    diff = paired_difference(a["ngo_survival"], b["ngo_survival"])
    assert diff.low < -1 and diff.high > 1

    text = report.terminal(spread, ["ngo_survival", "service_quality"])
    levels, contrasts = text.split("Difference from")[:2]
    assert levels.count("0.5 [0.0, 1.0]") == 4 and "±6.4" not in levels
    half = (diff.high - diff.low) / 2
    d = decimals([half])
    assert report.format_interval(diff.mean, -1.0, 1.0, d, True) in contrasts
    index_diff = paired_difference(a["service_quality"], b["service_quality"])
    assert index_diff.low < -1 and index_diff.high > 1
    assert contrasts.count(report.format_interval(diff.mean, -1.0, 1.0, d, True)) == 2
    assert "shown as [low, high]" in " ".join(text.split())

    md = report.markdown(spread)
    assert "0.5 [0.0, 1.0]" in md and "are cut there and shown as [low, high]." in md
    zh = report.terminal(spread, ["ngo_survival"], lang="zh_CN")
    assert "两个比例或指数之差超出±1" in "".join(zh.split())


def test_ranges_come_from_the_outcomes_units() -> None:
    assert outcome_range("ngo_survival") == (0.0, 1.0)
    assert outcome_range("ngo_survival", difference=True) == (-1.0, 1.0)
    assert outcome_range("ngo_survival_annual") == (0.0, 1.0)  # an annual rate: a share
    assert outcome_range("active_ngos") == (0.0, math.inf)
    assert outcome_range("active_ngos", difference=True) == (-math.inf, math.inf)
    # Per purchaser or per year: divided by at least 1, so between 0 and the outcome.
    assert outcome_range("public_spend") == (0.0, math.inf)
    assert outcome_range("public_spend_per_purchaser_year") == (0.0, math.inf)
    assert outcome_range("ngo_entries_per_purchaser_year", difference=True) == (
        -math.inf,
        math.inf,
    )
    assert outcome_range("ngo_survival_annual", difference=True) == (-1.0, 1.0)
    assert outcome_range("no_such_outcome") == (-math.inf, math.inf)
    assert OUTCOMES["service_quality"].unit == "index"
    assert outcome_range("service_quality") == (0.0, 1.0)
    assert outcome_range("street_size_quality_gap") == (-1.0, 1.0)
    assert cut(-0.2, 0.4, (0.0, 1.0)) == (0.0, 0.4, True)
    assert cut(0.1, 0.4, (0.0, 1.0)) == (0.1, 0.4, False)
    low, high, was_cut = cut(math.nan, math.nan, (0.0, 1.0))
    assert math.isnan(low) and math.isnan(high) and not was_cut


# ------------------------------------------------------------ the Sobol figure's level
def _indices() -> pd.DataFrame:
    rows = [
        {"outcome": "staff_turnover", "index": i, "parameter": "favouritism", "value": v}
        for i, v in (("S1", 0.3), ("ST", 0.5))
    ]
    frame = pd.DataFrame(rows).assign(conf=0.1)
    return frame.assign(low=frame.value - frame.conf, high=frame.value + frame.conf)[INDEX_COLUMNS]


@pytest.mark.parametrize(
    ("level", "lang", "said"),
    [(0.95, "en", "Sobol indices with 95% CIs"), (0.9, "zh_CN", "Sobol 指数及 90% 置信区间")],
)
def test_the_sobol_figure_gives_the_level_of_its_cis(level: float, lang: str, said: str) -> None:
    fig = plots.sensitivity(_indices(), "staff_turnover", level=level, lang=lang)
    assert said in _title(fig)


# ------------------------------------------------------------ errors in the language in use
_ENGLISH_SENTENCE = re.compile(r"\b[a-z]{3,} [a-z]{2,} [a-z]{3,}\b")
"""Three English words in a row: a reason left in English."""


def _chinese(err: pytest.ExceptionInfo, *words: str) -> str:
    text = str(err.value.args[0])
    assert "\n" not in text and re.search(r"[\u4e00-\u9fff]", text)
    assert not _ENGLISH_SENTENCE.search(text), text
    for word in words:
        assert word in text
    return text


def test_figure_errors_follow_the_language(grid: Results, tmp_path: Path) -> None:
    no_series = Results(grid.runs, manifest=grid.manifest)
    with pytest.raises(ValueError) as err:
        plots.compare_outcomes(grid, ["bogus"], lang="zh_CN")
    _chinese(err, "未知的结果指标 'bogus'", "ngo_survival、")
    with pytest.raises(ValueError) as err:
        plots.fan_chart(no_series, "staff_turnover", lang="zh_CN")
    _chinese(err, "这些结果中没有 series")
    with pytest.raises(ValueError) as err:
        plots.fan_chart(grid, "staff_turnover", band=2, lang="zh_CN")
    _chinese(err, "band 应为 0 到 1 之间的比例", "实际为 2")
    with pytest.raises(ValueError) as err:
        plots.compare_outcomes(grid, ncols=0, lang="zh_CN")
    _chinese(err, "ncols 应为不小于 1 的整数，实际为 0")
    with pytest.raises(ValueError) as err:
        plots.heatmap(grid, "staff_turnover", "favouritism", "bogus", lang="zh_CN")
    _chinese(err, "runs 中没有 'bogus' 列")
    with pytest.raises(ValueError) as err:
        plots.contract_network(grid, run=99, lang="zh_CN")
    _chinese(err, "run 99 超出范围", "4 次运行")
    with pytest.raises(ValueError) as err:
        plots.sensitivity(_indices().iloc[:0], "staff_turnover", lang="zh_CN")
    _chinese(err, "'staff_turnover' 的 Sobol")
    with pytest.raises(ValueError) as err:
        plots.turnover_vs_contract_length(grid, by="bogus", lang="zh_CN")
    _chinese(err, "'bogus'")
    with pytest.raises(ValueError) as err:
        plots.response(Results(grid.runs), "staff_turnover", lang="zh_CN")
    _chinese(err, "parameter")
    with pytest.raises(KeyError) as err:
        plots.discovery_box(SimpleNamespace(boxes=pd.DataFrame({"box": [0]})), 3, lang="zh_CN")
    _chinese(err, "没有第 3 个盒子")
    with pytest.raises(ValueError) as err:
        predictive_intervals(SimpleNamespace(predictive=None), lang="zh_CN")
    _chinese(err, "后验预测检验")
    fig = plots.compare_outcomes(grid)
    with i18n.use_language("zh_CN"), pytest.raises(ValueError) as err:
        plots.save(fig, tmp_path / "f", ["bmp"])
    _chinese(err, "格式 'bmp'", "eps、jpeg")
    with i18n.use_language("zh_CN"), pytest.raises(ValueError) as err:
        plots.save(fig, tmp_path / "f", ["png"], dpi=-1)
    _chinese(err, "dpi 应为正数，实际为 -1")
    assert not list(tmp_path.iterdir())


def test_figure_errors_stay_as_they_were_in_english(grid: Results, tmp_path: Path) -> None:
    known = ", ".join(OUTCOMES)
    with pytest.raises(ValueError) as err:
        plots.compare_outcomes(grid, ["bogus"])
    assert str(err.value) == f"unknown outcome 'bogus'; outcomes are {known}"
    with pytest.raises(ValueError) as err:
        plots.save(plots.compare_outcomes(grid), tmp_path / "f", ["bmp"])
    assert str(err.value) == (
        "format 'bmp': expected eps, jpeg, jpg, pdf, png, ps, svg, tif, tiff, webp"
    )
    with pytest.raises(ValueError) as err:
        plots.fan_chart(grid, "staff_turnover", layout="grid")
    assert str(err.value) == "layout must be 'auto', 'overlay' or 'panels', got 'grid'"
    with pytest.raises(KeyError) as err:
        plots.discovery_box(SimpleNamespace(boxes=pd.DataFrame({"box": [0]})), 3)
    assert err.value.args[0] == "no box 3; this discovery found 1"


INTERNAL = {("export.py", "TypeError")}
"""Errors of the figure modules left in English: a programming error (an argument of
the wrong type)."""


def test_no_figure_error_is_left_in_english_only() -> None:
    left = []
    for path in sorted(PLOTS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            func, args = node.exc.func, node.exc.args
            name = func.id if isinstance(func, ast.Name) else ""
            literal = args and isinstance(args[0], ast.JoinedStr | ast.Constant)
            if literal and (path.name, name) not in INTERNAL:
                left.append(f"{path.name}:{node.lineno} {name}")
    assert left == []


def test_the_note_on_unlike_markets_names_the_fair_forms_and_their_figures() -> None:
    facts = pd.DataFrame(
        {"scenario": ["a", "b"], "years": [20, 20], "ngos": [60, 13], "purchasers": [27, 9]}
    )
    english = " ".join(" ".join(report.unlike_note(facts)).split())
    assert "by construction:" in english and "public_spend" in english
    assert "the figures of `simcontract plot DIR --outcomes`" in english
    chinese = "".join("".join(report.unlike_note(facts, "zh_CN")).split())
    assert "`simcontractplotDIR--outcomes`画出的图表" in chinese
    alike = facts.assign(ngos=60, purchasers=27)
    assert report.unlike_note(alike) == []


def test_a_terms_zero_that_means_never_reads_never_in_the_tables() -> None:
    """As in the figures: "Official's term 0" read as officials rotating every 0 years."""
    assert sweep_report._value("rotation_years", 0.0, None) == "never (0)"
    assert sweep_report._value("rotation_years", 3.0, None) == "3"
    assert sweep_report._value("rotation_years", 0.0, "zh_CN") == "从不（0）"
    assert sweep_report._value("favouritism", 0.0, None) == "0"
