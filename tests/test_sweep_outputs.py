"""What ``simcontract sweep`` leaves and prints: ``table.md`` and figures in its folder,
Sobol designs of a power-of-2 size only, indices with their CIs, and indices outside
``[0, 1]`` flagged in the table and on the figure."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from simcontract import Scenario, Sobol, plots, sweep
from simcontract.cli import main
from simcontract.experiment import sweep_report
from simcontract.experiment.designs import INDEX_COLUMNS, outside_unit_interval

TINY = {"years": 3, "initial_ngos": 15, "n_bureaux": 4, "n_mass_orgs": 1}
"""The market of this module's batches (the ``tiny_toml`` fixture reads it)."""


def _indices(values: dict[tuple[str, str], tuple[float, float]]) -> pd.DataFrame:
    """An index table of staff turnover: ``{(index, parameter): (value, half-width)}``."""
    rows = [
        {"outcome": "staff_turnover", "index": i, "parameter": p, "value": v, "conf": c}
        for (i, p), (v, c) in values.items()
    ]
    frame = pd.DataFrame(rows)
    return frame.assign(low=frame.value - frame.conf, high=frame.value + frame.conf)[INDEX_COLUMNS]


FLAGGED = {
    ("S1", "favouritism"): (0.30, 0.20),
    ("S1", "reshuffle"): (-0.90, 0.30),  # wholly below 0
    ("ST", "favouritism"): (1.80, 0.40),  # wholly above 1
    ("ST", "reshuffle"): (1.20, 0.60),  # above 1, but its CI reaches back into [0, 1]
}


@pytest.mark.parametrize("n", ["3", "48"])
def test_sobol_n_must_be_a_power_of_two_on_the_command_line(
    tiny_toml: Path, tmp_path: Path, n: str, capsys
) -> None:
    out = tmp_path / "out"
    argv = ["sweep", str(tiny_toml), "--sobol", n, "--param", "favouritism", "--out", str(out)]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and not out.exists()
    (line,) = captured.err.splitlines()
    assert f"--sobol {n}: n must be a power of 2 (1, 2, 4, 8, 16, 32, …)" in line
    low = {"3": 2, "48": 32}[n]
    assert line.endswith(f"use --sobol {low} or --sobol {2 * low}")


@pytest.mark.parametrize("n", [3, 48, 100])
def test_sobol_n_must_be_a_power_of_two_in_python(n: int) -> None:
    with pytest.raises(ValueError, match=r"sobol: n must be a power of 2 .*got " + str(n)):
        Sobol(n, ["favouritism"])
    assert len(Sobol(64, ["favouritism"])) == 64 * 4


def test_only_indices_wholly_outside_the_unit_interval_are_flagged() -> None:
    table = _indices(FLAGGED)
    assert list(outside_unit_interval(table)) == [False, True, True, False]
    morris = table.assign(index="mu_star", value=5.0, low=4.0, high=6.0)
    assert not outside_unit_interval(morris).any()


def test_printed_indices_carry_their_ci_and_the_flag_with_its_footnote() -> None:
    design = Sobol(8, ["favouritism", "reshuffle"])
    text = sweep_report.indices_text(_indices(FLAGGED), design, ["staff_turnover"])
    lines = text.splitlines()
    assert all(len(line) <= 100 for line in lines)
    fav, resh = (line for line in lines if "±0." in line)
    assert re.split(r"\s{2,}", fav.strip()) == [
        "Staff turnover (share)",
        "Favouritism",
        "0.30 ±0.20",
        "1.80 ±0.40 !",
    ]
    assert re.split(r"\s{2,}", resh.strip()) == [
        "New official's reshuffle",
        "-0.90 ±0.30 !",
        "1.20 ±0.60",
    ]
    assert fav.index("0.30 ±0.20") == resh.index("-0.90 ±0.30") + 1  # numbers aligned
    footnote = " ".join(x.strip() for x in lines[lines.index(resh) + 1 :])
    assert footnote.startswith("! outside [0, 1] beyond its CI")
    assert "too few samples" in footnote and "--sobol 32" in footnote


def test_no_footnote_when_every_index_is_within_its_ci_of_the_unit_interval() -> None:
    fine = {k: (0.4, 0.1) for k in FLAGGED}
    text = sweep_report.indices_text(
        _indices(fine), Sobol(8, ["favouritism", "reshuffle"]), ["staff_turnover"]
    )
    assert "!" not in text and "0.40 ±0.10" in text


def test_the_figure_marks_flagged_indices_and_drops_the_share_claim() -> None:
    fig = plots.sensitivity(_indices(FLAGGED), "staff_turnover")
    (ax,) = fig.axes
    assert "share of output variance" not in ax.get_xlabel()
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert sorted(round(p.get_width(), 2) for p in hatched) == [-0.9, 1.8]
    marks = [t.get_text() for t in ax.texts]
    assert marks.count("!") == 2
    assert "indices outside [0, 1]" in fig.get_supxlabel()
    fine = plots.sensitivity(_indices({k: (0.4, 0.1) for k in FLAGGED}), "staff_turnover")
    said = fine.axes[0].get_xlabel().replace("\n", " ")  # in lines where wider than the axes
    assert said == "Sobol index (share of output variance)"
    assert not [p for p in fine.axes[0].patches if p.get_hatch()]


def test_sobol_report_lists_indices_with_cis(tmp_path: Path) -> None:
    results = sweep(Scenario(TINY, name="tiny"), Sobol(2, ["favouritism"]), replications=1)
    outcomes = ["staff_turnover", "provider_turnover"]
    indices = results.analyze(outcomes)
    text = sweep_report.markdown(results, outcomes, indices)
    assert "## Sensitivity indices [95% CI]" in text
    for name in ("Staff turnover (share)", "Provider turnover (share)"):
        rows = [line for line in text.splitlines() if line.startswith(f"| {name} | Favouritism")]
        assert len(rows) == 1
    points = text.split("## Mean")[1].split("##")[0]
    rows = [line.split(" | ")[0] for line in points.splitlines() if re.match(r"\| \d+ \|", line)]
    assert rows == [f"| {i}" for i in range(len(results.design))]  # every point: 2 * (2 + 2)


def test_sweep_writes_table_md_and_figures_and_says_where(
    tiny_toml: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "grid"
    argv = ["sweep", str(tiny_toml), "--grid", "favouritism=0.1,0.6", "--replications", "2"]
    assert main([*argv, "--workers", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    markdown = (out / "table.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Sweep of tiny: grid design")
    rows = [line for line in markdown.splitlines() if line.startswith(("| 0 |", "| 1 |"))]
    assert [r.split("|")[2].strip() for r in rows] == ["0.1", "0.6"]
    assert "Staff turnover (share)" in markdown
    assert (out / "table.csv").is_file()
    figures = {p.name for p in (out / "figures").iterdir()}
    assert {"outcomes.png", "outcomes.pdf"} <= figures
    assert f"tables: {out / 'table.md'}, table.csv" in printed
    assert f"runs: {out / 'runs.csv'}, runs.dta" in printed  # as compare says
    assert (out / "runs.dta").is_file()
    said = " ".join(line.strip() for line in printed.splitlines())  # long paths wrap
    assert f"figures (png, pdf) in {out / 'figures'}: outcomes" in said
    assert printed.splitlines()[-1] == f"results written to {out}"
