"""The stylised facts (reduced replications) and the Guangzhou calibration report."""

from __future__ import annotations

import math

import pytest

from simcontract import Scenario
from simcontract.experiment.validation import (
    Arm,
    Pattern,
    calibrate,
    format_calibration,
    format_validation,
    load_calibration,
    load_patterns,
    validate,
)


def test_patterns_cover_every_stylised_fact() -> None:
    patterns = load_patterns()
    assert {p.fact for p in patterns} == set(range(1, 12))
    assert len({p.id for p in patterns}) == len(patterns)
    for p in patterns:
        assert p.a.scenario != p.b.scenario, p.id


def test_both_arms_run_on_the_same_seeds() -> None:
    tiny = {"years": 4, "initial_ngos": 15, "n_bureaux": 4, "n_mass_orgs": 1}
    a = Arm("a", Scenario(tiny, name="tiny"))
    # A rule change after the last year: another scenario, the same runs.
    later = Scenario(tiny, name="tiny", changes=[{"year": 9, "contract_years": 1}])
    assert later != a.scenario
    pattern = Pattern("x", 1, "claim", "source", "ngo_survival", "higher", a, Arm("b", later))
    (row,) = validate(replications=3, seed=4, workers=1, patterns=[pattern]).itertuples()
    assert row.diff == row.diff_low == row.diff_high == 0
    assert row.mean_a == row.mean_b and not row.reproduced


@pytest.fixture(scope="module")
def reduced() -> object:
    return validate(replications=12, seed=0, workers=2)


def test_reduced_validation_reproduces_every_pattern(reduced) -> None:
    failed = reduced.loc[~reduced["reproduced"], ["id", "outcome", "mean_a", "mean_b"]]
    assert failed.empty, f"patterns not reproduced:\n{failed}"


def test_validation_table_is_consistent(reduced) -> None:
    for r in reduced.itertuples():
        assert r.ci_a_low <= r.mean_a <= r.ci_a_high
        assert r.ci_b_low <= r.mean_b <= r.ci_b_high
        assert r.diff_low <= r.diff <= r.diff_high
        assert math.isclose(r.diff, r.mean_b - r.mean_a, rel_tol=1e-9, abs_tol=1e-9)
        assert (r.effect_size > 0) == (r.expect == "higher")
    text = format_validation(reduced)
    assert text.count("\n") == len(reduced) + 1
    assert "NOT reproduced" not in text


def test_calibration_report_compares_every_figure() -> None:
    table = calibrate(replications=4, seed=0, workers=2)
    assert len(table) == len(load_calibration())
    assert (table["source_value"] > 0).all()
    assert table["model_mean"].notna().all()
    # Centres follow the budget rule exactly: 20 centres growing 67% a year.
    slots_2014 = table.loc[(table.outcome == "service_slots") & (table.year == 5), "model_mean"]
    assert slots_2014.iloc[0] == pytest.approx(160)
    assert "IFSCs in 2014" in format_calibration(table)
