"""The comparison as printed: consistent digits, tables within 100 columns."""

from __future__ import annotations

import math

import pytest

from simcontract import Scenario, compare
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
    assert "0.5 ±6.3 (n = 2)" in printed and printed.count("(n = ") == 1
    assert report.fewer_runs_note([table])[0].startswith("(n = k): over the k runs")
    assert report.fewer_runs_note([table[table["outcome"] == "ngo_survival"]]) == []

    class Stored:
        def table(self, outcomes):
            return table

    md = markdown_table(Stored(), names)
    assert "0.5 [-5.85, 6.85] (n = 2)" in md and md.count("(n = ") == 2  # cell and header
