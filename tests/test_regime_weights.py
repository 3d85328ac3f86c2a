"""The evaluation regimes' weights are registry parameters: evaluators and award scoring
read them, a dated change replaces the evaluators, bad combinations are refused, and
each moves what it should (ablations in the style of ``test_mechanisms``)."""

from __future__ import annotations

import numpy as np
import pytest
from test_mechanisms import (
    ONE_BIDDER,
    REPUTATION_UNHEEDED,
    Ablation,
    assert_moves,
    assert_switched_off,
)

from simcontract import ContractingModel, Scenario, load_scenario
from simcontract.params import DEFAULTS, INDICATORS, PARAMETERS, REGIMES, check_joint
from simcontract.phases.tendering import award_weights

WEIGHTS = [f"{r}_regime_{i}" for r in REGIMES for i in INDICATORS]
AWARDS = [f"{r}_regime_award" for r in REGIMES]


def small(**values) -> Scenario:
    """``baseline`` made small and short, with ``values`` set."""
    return load_scenario("baseline").replace(years=4, **values)


def evaluator_weights(model: ContractingModel) -> np.ndarray:
    """The indicator weights of the first city's evaluators, one row each."""
    return np.array([e.weights for e in model.cities[0].evaluators])


def test_every_regime_weight_is_an_assumption_the_robustness_analysis_varies() -> None:
    for name in WEIGHTS + AWARDS:
        parameter = PARAMETERS[name]
        assert parameter.source == "assumption"
        assert parameter.plausible_range is not None, name


def test_evaluators_start_from_the_regime_weights_in_the_registry() -> None:
    values = {"workload_regime_hours": 0.2, "workload_regime_documents": 0.2}
    values["workload_regime_outcome"] = 0.6
    scenario = small(evaluation="workload", evaluator_heterogeneity=0.0, **values)
    model = ContractingModel(scenario, rng=3)
    np.testing.assert_allclose(evaluator_weights(model), [[0.2, 0.2, 0.6]] * 7)
    default = ContractingModel(small(evaluation="workload", evaluator_heterogeneity=0.0), rng=3)
    np.testing.assert_allclose(evaluator_weights(default), [[0.55, 0.35, 0.10]] * 7)


def test_only_the_regime_in_force_counts() -> None:
    scenario = small(evaluation="mixed", evaluator_heterogeneity=0.0, outcome_regime_hours=1.0)
    model = ContractingModel(scenario, rng=3)
    np.testing.assert_allclose(evaluator_weights(model)[0], [0.35, 0.25, 0.40])


def test_a_dated_change_of_a_regime_weight_replaces_the_evaluators() -> None:
    scenario = small(
        evaluation="mixed",
        evaluator_heterogeneity=0.0,
        changes=[{"year": 3, "mixed_regime_outcome": 0.0}],
    )
    model = ContractingModel(scenario, rng=5)
    model.step()
    model.step()
    np.testing.assert_allclose(evaluator_weights(model)[0], [0.35, 0.25, 0.40])
    model.step()
    np.testing.assert_allclose(evaluator_weights(model)[0], [0.35 / 0.6, 0.25 / 0.6, 0.0])


def test_award_weights_read_the_multiplier_of_the_regime_in_force() -> None:
    rules = {**DEFAULTS, "price_weight": 0.5, "reputation_weight": 0.0, "workload_weight": 0.5}
    for regime in REGIMES:
        changed = {**rules, "evaluation": regime, f"{regime}_regime_award": 0.0}
        assert award_weights(changed) == pytest.approx((1.0, 0.0, 0.0))
        other = next(r for r in REGIMES if r != regime)
        untouched = {**rules, "evaluation": regime, f"{other}_regime_award": 0.0}
        assert award_weights(untouched)[2] > 0


@pytest.mark.parametrize("regime", REGIMES)
def test_a_regime_without_any_indicator_weight_is_refused(regime: str) -> None:
    values = {**DEFAULTS, **{f"{regime}_regime_{i}": 0.0 for i in INDICATORS}}
    with pytest.raises(ValueError, match=f"{regime}_regime_hours.*are all 0.*{regime} regime"):
        check_joint(values)


def test_bids_scored_on_nothing_are_refused_for_the_regime_in_force() -> None:
    values = {**DEFAULTS, "price_weight": 0.0, "reputation_weight": 0.0}
    check_joint({**values, "evaluation": "mixed", "outcome_regime_award": 0.0})
    with pytest.raises(ValueError, match="'mixed_regime_award' are all 0"):
        check_joint({**values, "evaluation": "mixed", "mixed_regime_award": 0.0})
    with pytest.raises(ValueError, match="mixed_regime_award"):
        small(price_weight=0.0, reputation_weight=0.0, mixed_regime_award=0.0)


REGIME_ABLATIONS = {
    # Award criteria that reward promised hours more make bidders promise more, and
    # pick those who promise most. Off: bidders already promise all they dare under
    # either multiplier (full weight on hours and the strongest incentive take it past
    # its cap of 1), the one bidder of each tender
    # leaves the weights no choice, and a refusal of duties costs no score, so the
    # weight of reputation (rescaled with the multiplier) moves no NGO's compliance;
    # inflation still varies with who bids.
    "award criteria reward promised hours": Ablation(
        "mixed_regime_award",
        (0.2, 1.0),
        "bid_inflation",
        True,
        {},
        {
            "workload_incentive": 10.0,
            "workload_weight": 1.0,
            **ONE_BIDDER,
            "refusal_penalty": 0.0,
        },
    ),
    # Evaluators that weigh hours above outcomes make staff chase counted hours (and
    # keep records of them) at the expense of real quality. Off: staff neither chase
    # nor keep records, and scores pick no provider and end no contract, so the
    # evaluators' weights reach nothing that makes quality.
    "evaluators that count hours draw staff from quality": Ablation(
        "mixed_regime_hours",
        (0.1, 1.0),
        "service_quality",
        False,
        {"evaluator_heterogeneity": 0.0},
        {
            "output_chasing": 0.0,
            "workload_record_keeping": 0.0,
            **REPUTATION_UNHEEDED,
            "termination_score": 0.0,
        },
    ),
}


@pytest.mark.parametrize("name", list(REGIME_ABLATIONS))
def test_regime_weight_moves_its_outcome(name: str) -> None:
    assert_moves(name, REGIME_ABLATIONS[name])


@pytest.mark.parametrize("name", [n for n, c in REGIME_ABLATIONS.items() if c.off])
def test_switched_off_the_regime_weight_changes_nothing(name: str) -> None:
    assert_switched_off(name, REGIME_ABLATIONS[name])
