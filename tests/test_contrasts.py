"""Contrasts against a reference: paired by replication, with Student's t intervals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from simcontract import Scenario, compare
from simcontract.experiment import (
    ExperimentError,
    Results,
    codebook,
    contrasts,
    levels,
    reference_point,
    scenario_facts,
)
from simcontract.outcomes import OUTCOMES

TINY = {"years": 3, "initial_ngos": 12, "n_bureaux": 4, "n_mass_orgs": 1}


@pytest.fixture(scope="module")
def batch() -> Results:
    """Three scenarios (one of them `baseline`, second), four replications each."""
    tiny = Scenario(TINY, name="tiny")
    return compare(
        [
            tiny,
            tiny.replace(name="baseline", favouritism=0.9),
            tiny.replace(name="bigger", initial_ngos=30, years=4),
        ],
        replications=4,
        workers=1,
    )


def test_contrast_is_the_mean_paired_difference_with_its_t_interval(batch: Results) -> None:
    table = contrasts(batch, "baseline", ["service_quality"], level=0.9)
    row = table[table["scenario"] == "tiny"].iloc[0]
    runs = batch.runs
    a = runs[runs["scenario"] == "baseline"].sort_values("replication")["service_quality"]
    b = runs[runs["scenario"] == "tiny"].sort_values("replication")["service_quality"]
    d = b.to_numpy() - a.to_numpy()
    half = scipy_stats.t.ppf(0.95, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
    assert row["n"] == 4 and row["reference"] == "baseline"
    assert row["difference"] == pytest.approx(d.mean(), rel=1e-12)
    assert row["low"] == pytest.approx(d.mean() - half, rel=1e-9)
    assert row["high"] == pytest.approx(d.mean() + half, rel=1e-9)
    assert row["mean"] - row["reference_mean"] == pytest.approx(d.mean(), rel=1e-9)


def width(results: Results, outcome: str) -> tuple[float, float]:
    """The difference ``tiny`` minus ``baseline`` in ``outcome`` and its CI's width."""
    table = contrasts(results, "baseline", [outcome])
    row = table[table["scenario"] == "tiny"].iloc[0]
    return row["difference"], row["high"] - row["low"]


def test_pairing_narrows_the_interval_when_runs_share_their_luck(batch: Results) -> None:
    """Runs on the same seed share their luck: paired by seed, the interval of the
    difference is narrower than for the same runs with one arm's replications reversed
    (each run paired with another seed's), though the mean difference is the same."""
    outcome = "service_quality"
    runs = batch.runs
    tiny = runs[runs["scenario"] == "tiny"].sort_values("replication")
    assert tiny[outcome].nunique() == len(tiny), "the outcome must vary from seed to seed"
    misplaced = runs.copy()
    misplaced.loc[tiny.index, outcome] = tiny[outcome].to_numpy()[::-1]
    paired, paired_width = width(batch, outcome)
    mispaired, mispaired_width = width(Results(misplaced, manifest=batch.manifest), outcome)
    assert paired == pytest.approx(mispaired, rel=1e-12)
    assert paired_width < mispaired_width, (paired_width, mispaired_width)


def test_the_reference_is_baseline_else_the_first(batch: Results) -> None:
    assert reference_point(batch) == 1
    table = contrasts(batch)
    pd.testing.assert_frame_equal(table, batch.contrasts())
    assert set(table["reference"]) == {"baseline"}
    assert list(dict.fromkeys(table["scenario"])) == ["tiny", "bigger"]
    assert set(table["outcome"]) == set(codebook.variable_list(None))
    no_baseline = Results(batch.runs[batch.runs["scenario"] != "baseline"], manifest=batch.manifest)
    assert reference_point(no_baseline) == 0
    assert reference_point(batch, 2) == 2


def test_a_reference_not_compared_is_refused(batch: Results) -> None:
    with pytest.raises(ExperimentError, match="'nowhere' is not among the scenarios compared"):
        contrasts(batch, "nowhere")
    with pytest.raises(ExperimentError, match="point 7"):
        contrasts(batch, 7)


def test_runs_on_different_seeds_are_not_paired(batch: Results) -> None:
    runs = batch.runs.copy()
    runs.loc[runs["scenario"] == "tiny", "seed"] += 1
    with pytest.raises(ExperimentError, match="do not share their seeds"):
        contrasts(Results(runs, manifest=batch.manifest), "baseline", ["hhi"])


def test_levels_agree_with_the_results_table(batch: Results) -> None:
    ours = levels(batch, ["ngo_survival", "staff_turnover"])
    theirs = batch.table(["ngo_survival", "staff_turnover"])
    merged = ours.merge(theirs, on=["point", "outcome"], suffixes=("", "_table"))
    assert len(merged) == 6
    for column in ("n", "mean", "low", "high"):
        np.testing.assert_allclose(merged[column], merged[f"{column}_table"], rtol=1e-12)
    assert set(ours["unit"]) == {"share"}


def test_comparable_forms_divide_by_years_and_purchasers(batch: Results) -> None:
    runs = codebook.with_comparable(batch.runs)
    purchasers = runs["n_cities"] * (runs["n_bureaux"] + runs["n_mass_orgs"])
    expected = runs["public_spend"] / purchasers / runs["years"]
    pd.testing.assert_series_equal(
        runs["public_spend_per_purchaser_year"], expected, check_names=False
    )
    annual = runs["ngo_survival"] ** (1 / runs["years"])
    pd.testing.assert_series_equal(runs["ngo_survival_annual"], annual, check_names=False)
    table = batch.table(["public_spend_per_purchaser_year"])
    assert len(table) == 3 and table["mean"].gt(0).all()


def test_facts_name_each_scenarios_horizon_and_size(batch: Results) -> None:
    facts = scenario_facts(batch)
    assert list(facts["years"]) == [3, 3, 4]
    assert list(facts["ngos"]) == [12, 12, 30]
    assert list(facts["purchasers"]) == [5, 5, 5]


def test_every_outcome_says_whether_it_depends_on_horizon_or_size() -> None:
    for outcome in OUTCOMES.values():
        if outcome.per:
            assert outcome.horizon or outcome.size, outcome.name
            assert "year" not in outcome.per or outcome.horizon, outcome.name
            assert "purchaser" not in outcome.per or outcome.size, outcome.name
    assert OUTCOMES["hhi"].size and not OUTCOMES["hhi"].horizon
    assert OUTCOMES["public_spend"].comparable_name == "public_spend_per_purchaser_year"
    assert not OUTCOMES["service_quality"].horizon and not OUTCOMES["service_quality"].size


def test_series_holding_the_same_replications_in_another_order_are_refused() -> None:
    """Paired by position, two Series of the same replications in another order paired
    other seeds, silently; in the same order, or as arrays, they pair as they stand."""
    from simcontract.experiment.stats import paired_difference

    a = pd.Series([0.1, 0.2, 0.3], index=[0, 1, 2])
    b = pd.Series([0.4, 0.6, 0.5], index=[0, 2, 1])
    with pytest.raises(ValueError, match="same replications in another order"):
        paired_difference(a, b)
    same = paired_difference(a, b.sort_index())
    assert same.mean == pytest.approx(0.3) and same.n == 3
    as_they_stand = paired_difference(a.to_numpy(), b.to_numpy())
    assert as_they_stand.mean == pytest.approx(0.3)
    # Other labels (the rows of two arms of one table) pair by position, as before.
    rows = pd.Series([0.4, 0.5, 0.6], index=[3, 4, 5])
    assert paired_difference(a, rows).mean == pytest.approx(0.3)
