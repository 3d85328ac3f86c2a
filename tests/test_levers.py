"""Directional tests: the rule levers move outcomes the way the sources describe.

Each comparison runs both arms on the same seeds (common random numbers) and compares
the means. The margins asserted are a fraction of the effect measured at the defaults,
so a test fails when a lever stops acting, not when noise moves the third decimal.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from simcontract import ContractingModel

SEEDS = range(10)
SIZE = {"years": 12}


@cache
def _summary(items: tuple[tuple[str, object], ...], seed: int) -> dict[str, float]:
    return ContractingModel("baseline", rng=seed, **SIZE, **dict(items)).run().summary()


def arm(outcome: str, **params: object) -> np.ndarray:
    """The outcome in every seed's run of one arm."""
    items = tuple(sorted(params.items()))
    return np.array([_summary(items, s)[outcome] for s in SEEDS])


def paired(outcome: str, low: dict, high: dict) -> tuple[float, float, np.ndarray]:
    """Means of the two arms and the per-seed differences (high - low)."""
    a, b = arm(outcome, **low), arm(outcome, **high)
    return float(np.nanmean(a)), float(np.nanmean(b)), b - a


def test_favouritism_raises_tied_awards() -> None:
    lo, hi, diff = paired("tied_award_share", {"favouritism": 0.0}, {"favouritism": 1.0})
    assert hi > lo + 0.1
    assert (diff > 0).mean() >= 0.8


def test_direct_award_lowers_bids_per_tender() -> None:
    same = {"mass_org_tendering": "same"}
    open_, direct, diff = paired(
        "bids_per_tender", {"tendering": "open", **same}, {"tendering": "direct", **same}
    )
    assert direct <= 1.0 < open_
    assert (diff < 0).all()


@pytest.mark.parametrize("mode", ["selective", "intermediary", "direct"])
def test_closed_modes_lower_competition(mode: str) -> None:
    for outcome in ("bids_per_tender", "provider_diversity"):
        open_, closed, _ = paired(outcome, {"tendering": "open"}, {"tendering": mode})
        assert closed < open_, outcome


def test_one_year_contracts_raise_staff_turnover() -> None:
    three, one, diff = paired("staff_turnover", {"contract_years": 3}, {"contract_years": 1})
    assert one > three + 0.05
    assert (diff > 0).all()


def test_workload_evaluation_inflates_bids_and_decouples_scores() -> None:
    outcome, workload, diff = paired(
        "bid_inflation", {"evaluation": "outcome"}, {"evaluation": "workload"}
    )
    assert workload > outcome + 0.05
    assert (diff > 0).all()
    outcome, workload, diff = paired(
        "score_quality_corr", {"evaluation": "outcome"}, {"evaluation": "workload"}
    )
    assert workload < outcome - 0.15
    assert (diff < 0).mean() >= 0.9


def test_heterogeneous_evaluators_raise_documentation() -> None:
    same, varied, diff = paired(
        "documentation_share", {"evaluator_heterogeneity": 0.0}, {"evaluator_heterogeneity": 1.0}
    )
    assert varied > same * 1.3
    assert (diff > 0).all()


def test_extra_duties_lower_quality_and_mission_work() -> None:
    for outcome in ("service_quality", "mission_share"):
        low, high, diff = paired(outcome, {"extra_duty_demand": 0.0}, {"extra_duty_demand": 0.4})
        assert high < low, outcome
        assert (diff < 0).mean() >= 0.9, outcome


def test_match_funding_shuts_out_ngos_that_cannot_co_fund() -> None:
    none, some, diff = paired("bids_per_tender", {"match_funding": 0.0}, {"match_funding": 0.1})
    assert some < none / 2
    assert (diff < 0).all()
    none, some, _ = paired("failed_tender_rate", {"match_funding": 0.0}, {"match_funding": 0.1})
    assert some > none + 0.1


def test_direct_registration_raises_entry() -> None:
    sponsor, direct, diff = paired(
        "ngo_entries", {"registration": "dual_sponsor"}, {"registration": "direct"}
    )
    assert direct > 2 * sponsor
    assert (diff > 0).mean() >= 0.8
