"""The stylised facts (reduced replications) and the Guangzhou calibration report."""

from __future__ import annotations

import math

import pytest

from simcontract.experiment.validation import (
    calibrate,
    format_calibration,
    format_validation,
    load_calibration,
    load_patterns,
    replication_seeds,
    validate,
)


def test_patterns_cover_every_stylised_fact() -> None:
    patterns = load_patterns()
    assert {p.fact for p in patterns} == set(range(1, 12))
    assert len({p.id for p in patterns}) == len(patterns)
    for p in patterns:
        assert p.a.scenario != p.b.scenario, p.id


def test_seeds_are_shared_by_arms_and_reproducible() -> None:
    assert replication_seeds(3, 4) == replication_seeds(3, 4)
    assert replication_seeds(3, 4) != replication_seeds(4, 4)
    assert len(set(replication_seeds(0, 50))) == 50


@pytest.fixture(scope="module")
def reduced() -> object:
    return validate(replications=8, seed=0, workers=2)


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
