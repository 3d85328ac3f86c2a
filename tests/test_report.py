"""The comparison as printed: consistent digits, tables within 100 columns."""

from __future__ import annotations

import math
import re
import textwrap
import unicodedata

import pytest

from simcontract import Scenario, compare, i18n
from simcontract.experiment import codebook, report


@pytest.mark.parametrize(
    ("halves", "values", "expected"),
    [
        ([0.115, 0.070, 0.0, 0.002], [0.78, 0.53, 1.0, 0.999], 3),  # median 0.070
        ([0.0029, 0.0085, 0.0023], [0.15, 0.30, 0.17], 4),
        ([17.0, 26.0, 63.0], [163.0, 275.0, 1223.0], 0),
        ([0.0, 0.0], [21.0, 56.0], 1),  # no interval: 3 significant digits of 56
        ([math.nan], [0.4312], 3),
        ([], [], 0),
        ([4.6e7, 5.7e7], [1.4e8, 1.0e8], 0),
        ([1e-12], [1e-11], report.MAX_DECIMALS),
    ],
)
def test_decimals_give_two_significant_digits_of_the_typical_interval(
    halves: list[float], values: list[float], expected: int
) -> None:
    assert report.decimals(halves, values) == expected


def test_a_column_shares_its_decimals() -> None:
    assert report.format_cell(0.78333, 0.1147, 2) == "0.78 ±0.11"
    assert report.format_cell(1.0, 0.0, 2) == "1.00 ±0.00"
    assert report.format_cell(0.0625, math.nan, 3) == "0.062"  # one run: no interval
    assert report.format_cell(math.nan, 0.1, 2) == "n/a"
    assert report.format_cell(-0.25333, 0.0986, 2, sign=True) == "-0.25 ±0.10"
    assert report.format_cell(0.1, 0.05, 2, sign=True) == "+0.10 ±0.05"
    assert report.format_number(-0.0001, 2, sign=True) == "0.00"  # never -0.00
    assert report.format_number(141862118.4, 0) == "141,862,118"


def test_a_wide_table_is_split_into_blocks_within_the_width() -> None:
    names = codebook.variable_list(None)
    labels = ["a_scenario_with_a_very_long_name_indeed", "short"]
    columns = [(codebook.variables()[n].label, ["-123,456.78 ±9,876.54", "0.1"]) for n in names]
    text = report.layout(labels, columns, "Scenario")
    lines = text.splitlines()
    assert max(map(len, lines)) <= report.WIDTH
    assert text.count("-123,456.78 ±9,876.54") == len(names)  # every cell, once
    assert text.count("a_scenario_with_a_ver") == text.count("short") > 1  # several blocks
    one = report.layout(["x"], [("Header", ["1"])], "Scenario")
    assert one.splitlines() == ["Scenario  Header", "--------  --------", "x                1"]


def test_the_printed_comparison_fits_100_columns_with_every_outcome() -> None:
    tiny = Scenario({"years": 2, "initial_ngos": 6, "n_bureaux": 3, "n_mass_orgs": 1}, name="tiny")
    results = compare(
        [tiny, tiny.replace(name="a_long_scenario_name_for_the_test", years=3)],
        replications=2,
        workers=1,
    )
    text = report.terminal(results, codebook.variable_list(None), settings=["years=2"])
    assert max(map(len, text.splitlines())) <= report.WIDTH
    assert "Settings: --set years=2" in text
    assert "horizons differ (2 to 3 years)" in text
    assert "Difference from tiny" in text  # no baseline: the first
    for name in codebook.variable_list(None):
        assert codebook.variables()[name].label.split()[0] in text


def test_a_cell_over_fewer_runs_says_how_many() -> None:
    """Before, ``0.5 ±6.4`` over 2 of 3 runs read like the other cells, over 3."""
    import pandas as pd

    from simcontract.experiment.results import markdown_table

    rows = [
        ("a", 0, "provider_turnover", 3, 0.55, 0.27, 0.82),
        ("b", 1, "provider_turnover", 2, 0.5, -5.85, 6.85),
        ("a", 0, "ngo_survival", 3, 0.93, 0.87, 0.99),
        ("b", 1, "ngo_survival", 3, 0.21, -0.27, 0.68),
    ]
    table = pd.DataFrame(rows, columns=["scenario", "point", "outcome", "n", "mean", "low", "high"])
    names = ["provider_turnover", "ngo_survival"]
    printed = report.levels_table(table, names)
    assert "0.5 [0.0, 1.0] (n = 2)" in printed and printed.count("(n = ") == 1
    assert report.fewer_runs_note([table])[0].startswith("(n = k): over the k runs")
    assert report.fewer_runs_note([table[table["outcome"] == "ngo_survival"]]) == []

    class Stored:
        def table(self, outcomes):
            return table

    md = markdown_table(Stored(), names)
    assert "0.5 [-5.85, 6.85] (n = 2)" in md and md.count("(n = ") == 2  # cell and header


# --------------------------------------------------------------------------- Chinese
def test_display_width_counts_a_chinese_character_as_two_columns() -> None:
    assert report.display_width("abc") == 3 and report.display_width("社会组织") == 8
    assert report.pad("社会", 6) == "社会  " and report.pad("社会", 6, ">") == "  社会"
    assert report.shorten("社会组织存活率", 9) == "社会组织…"
    english = "Mean over all contract-years of the run, weighted by the number of runs."
    assert report.wrap(english, 30, "  ", "    ") == textwrap.wrap(
        english, 30, initial_indent="  ", subsequent_indent="    "
    )
    lines = report.wrap("开始时已有的社会组织中，到年底仍在运营的比例。" * 3, 20, "  ", "    ")
    assert all(report.display_width(x) <= 20 for x in lines) and len(lines) > 3
    assert not any(x.lstrip().startswith(("，", "。")) for x in lines)  # no line starts so
    assert "".join(x.strip() for x in lines) == "开始时已有的社会组织中，到年底仍在运营的比例。" * 3


def _columns(text: str) -> int:
    """Terminal columns of ``text``: two for a wide (CJK) character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _misaligned(text: str) -> list[str]:
    """Lines of a printed table whose cells cross the gaps between the columns that the
    rule line under the headers marks (measured in display columns)."""
    bad = []
    gaps: set[int] = set()
    for line in text.splitlines():
        if line and set(line) <= {"-", " "} and "  " in line:
            gaps = {i for i, c in enumerate(line) if c == " "}
            continue
        if not line.strip():
            gaps = set()
            continue
        cells = [c for ch in line for c in ([ch] * _columns(ch))]
        if gaps and any(i < len(cells) and cells[i] != " " for i in gaps):
            bad.append(line)
    return bad


@pytest.fixture(scope="module")
def tiny_comparison():
    tiny = Scenario({"years": 2, "initial_ngos": 6, "n_bureaux": 3, "n_mass_orgs": 1}, name="tiny")
    return compare([tiny, tiny.replace(name="基准城市的变体", years=3)], replications=2, workers=1)


def test_the_chinese_comparison_lines_up_within_100_columns(tiny_comparison) -> None:
    """Before, CJK characters (two columns wide) were padded as one: columns drifted and
    lines ran past 100 columns."""
    names = codebook.variable_list(None)
    text = report.terminal(tiny_comparison, names, settings=["years=2"], lang="zh_CN")
    assert max(map(_columns, text.splitlines())) <= report.WIDTH
    assert _misaligned(text) == []
    english = report.terminal(tiny_comparison, names, settings=["years=2"])
    assert _misaligned(english) == [] and max(map(len, english.splitlines())) <= report.WIDTH


_ASCII_IN_CHINESE = re.compile(
    r"[\u3400-\u9fff）。][ ]?[(,;:]|[\u3400-\u9fff]\. |\)[\u3400-\u9fff]"
)
"""ASCII punctuation joining Chinese: ``标签 (单位)``, ``时长, 规模``, ``年末. 数值``."""


def test_chinese_comparison_sentences_use_chinese_punctuation(tiny_comparison) -> None:
    """Before, the legend read ``社工流失率 (比例): …。 (全程汇总).`` with the English
    full stop kept, and the note joined its clauses with ``; ``."""
    names = ["staff_turnover", "ngo_entries_per_purchaser_year", "ngo_survival"]
    text = report.terminal(tiny_comparison, names, lang="zh_CN")
    legend = "".join(x.strip() for x in text.split("\n\n")[-1].splitlines())
    assert "社工流失率（比例）：" in legend and "（全程汇总）。" in legend
    assert "新登记的社会组织（每个购买方每年）" in text  # not （每个购买方）（每年）
    assert _ASCII_IN_CHINESE.findall(legend) == []
    md = report.markdown(tiny_comparison, lang="zh_CN")
    assert "运行时长不同（2 至 3 年）。" in md and "ngo_survival、active_ngos" in md
    assert "社会组织存活率（`ngo_survival`）" in md
    english = report.terminal(tiny_comparison, names)
    assert "Staff turnover (share): " in english
    assert f"{i18n.outcome_label('ngo_entries')} per purchaser per year (" in english
