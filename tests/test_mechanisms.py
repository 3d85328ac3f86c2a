"""Ablations: each mechanism moves what it is meant to move, and switched off, its effect
is gone.

Each case names a lever (a parameter and two values), the outcome it should move and the
direction, the context in which the mechanism works, and the switch that turns the
mechanism off. With the mechanism on, the 95% CI of the paired difference of the outcome
(lever's second value minus first, same seeds) lies on the expected side of zero. With
it off, the lever changes nothing: every seed gives the same outcome in both arms, and
the outcome still varies from seed to seed (an off switch that only makes the outcome
constant, say zero, would leave nothing for the lever to change).

A mechanism with no switch but its own parameter is tested through another parameter
that acts only through it (its own parameter at 0 is then the off switch), or, where
there is none, by its default against 0 with ``off=None``.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any, NamedTuple
from unittest import mock

import numpy as np
import pytest

from simcontract import ContractingModel
from simcontract.agents import Cadre
from simcontract.experiment.stats import paired_difference
from simcontract.params import DEFAULTS
from simcontract.phases import cadres, evaluation, strategy
from simcontract.phases.delivery import comply_probability
from simcontract.phases.strategy import advocacy_effort

SIZE = {"years": 12}


class Ablation(NamedTuple):
    """A mechanism, its lever, what it moves, where it works and how to switch it off."""

    lever: str
    values: tuple[Any, Any]
    outcome: str
    up: bool
    on: dict[str, Any]
    off: dict[str, Any] | None
    seeds: int = 8
    # True where no switch removes only the pathway: ``off`` leaves the outcome the same
    # on every seed (none of what it counts, or all that the rules allow), so the off
    # test only checks that the lever does not bring it back.
    off_constant: bool = False


ONE_BIDDER = {"tendering": "intermediary", "mass_org_tendering": "same", "shortlist_size": 1}
"""One bidder per tender, invited by the hub, which ranks by reputation and reads neither
officials' ties nor the award weights: nothing is left to choose among bidders."""

REPUTATION_UNHEEDED = {
    "tendering": "open",
    "mass_org_tendering": "same",
    "reputation_weight": 0.0,
    "min_reputation": 0.0,
    "blame_penalty": 0.0,
    "obedience_discount": 0.0,
    "reshuffle": 0.0,
}
"""Reputation decides no award: open tenders draw up no shortlist, reputation weighs
nothing in merit, and every bidder reaches the acceptance floor of 0 (no blame penalty,
obedience discount or new broom's markdown takes its merit below 0)."""


ABLATIONS = {
    "snatching by low bids": Ablation(
        "snatching",
        (0.0, 1.0),
        "repeat_award_rate",
        False,
        {"tendering": "open", "mass_org_tendering": "same"},
        {"tendering": "selective", "mass_org_tendering": "same"},
        # A small effect (about -0.045, paired SD 0.036): with 16 seeds the interval
        # reached 0 on other seeds; with 40 it clears 0 by nearly 4 SE or more.
        seeds=40,
    ),
    "new brooms reshuffle providers": Ablation(
        "reshuffle",
        (0.0, 1.0),
        "provider_turnover",
        True,
        {"rotation_years": 3.0},
        {"rotation_years": 0.0},
    ),
    "dual sponsorship holds back registration": Ablation(
        "registration",
        ("direct", "dual_sponsor"),
        "ngo_entries",
        False,
        {},
        {"sponsor_entry_factor": 1.0},
    ),
    "new brooms end contracts (an option, off by default)": Ablation(
        "new_broom_termination",
        (0.0, 1.0),
        "early_terminations",
        True,
        {"rotation_years": 3.0, "reshuffle": 1.0},
        {"rotation_years": 0.0, "reshuffle": 1.0},
    ),
    "mass organisations' patronage": Ablation(
        "partnership",
        (0.0, 1.0),
        "repeat_award_rate",
        True,
        # Twice as many mass organisations as bureaux: with `mass_org_budget` each funds
        # fewer slots than a bureau, and patronage works only on their awards.
        {"n_mass_orgs": 24, "n_bureaux": 12},
        {"n_mass_orgs": 0},
    ),
    "bureaux' blame avoidance": Ablation(
        "blame_avoidance",
        (0.0, 1.0),
        "failed_tender_rate",
        True,
        # With the leaders' full endorsement caution does not decide contract lengths
        # (as below), so officials' caution acts only through the blame penalty.
        {"multiyear_endorsement": 1.0},
        {"blame_penalty": 0.0},
        seeds=12,
    ),
    # Without multi-year contracts there is nothing to authorise, and every contract
    # lasts one year (no switch removes the authorisation alone). The two cases below
    # switch off with outcomes that still vary, and
    # test_with_one_year_contracts_the_endorsement_changes_nothing checks every outcome.
    "multi-year contracts need the finance bureau's authorisation": Ablation(
        "multiyear_endorsement",
        (1.0, 0.0),
        "contract_length_mean",
        False,
        {},
        {"contract_years": 1},
        off_constant=True,
    ),
    "without authorisation, short contracts raise staff turnover": Ablation(
        "multiyear_endorsement",
        (1.0, 0.0),
        "staff_turnover",
        True,
        {},
        {"contract_years": 1},
    ),
    "without authorisation, short contracts raise provider churn": Ablation(
        "multiyear_endorsement",
        (1.0, 0.0),
        "provider_churn",
        True,
        {},
        {"contract_years": 1},
    ),
    "cautious officials avoid the red tape of multi-year contracts": Ablation(
        "blame_avoidance",
        (0.0, 1.0),
        "contract_length_mean",
        False,
        {"multiyear_endorsement": 0.0},
        # Every official's drive outweighs any caution, and caution costs no merit.
        {"promotion_drive": 1.0, "motive_spread": 0.0, "blame_penalty": 0.0},
    ),
    "officials' promotion drive seeks multi-year contracts": Ablation(
        "promotion_drive",
        (0.0, 1.0),
        "contract_length_mean",
        True,
        {"multiyear_endorsement": 0.0},
        # No official is cautious, so none needs drive to seek the authorisation.
        {"blame_avoidance": 0.0, "motive_spread": 0.0},
    ),
    "mass organisations' weak standing with the finance bureau": Ablation(
        "mass_org_standing",
        (1.0, 0.0),
        "contract_length_mean",
        False,
        {"multiyear_endorsement": 0.0, "n_mass_orgs": 12},
        {"multiyear_endorsement": 0.0, "n_mass_orgs": 0},
    ),
    "continuity in discretionary tenders": Ablation(
        "continuity_bonus",
        (0.0, 1.0),
        "provider_turnover",
        False,
        {"tendering": "selective", "mass_org_tendering": "same"},
        {"tendering": "open", "mass_org_tendering": "same"},
    ),
    "shortlists cap competition": Ablation(
        "shortlist_size",
        (2, 6),
        "bids_per_tender",
        True,
        {"tendering": "selective", "mass_org_tendering": "same"},
        {"tendering": "open", "mass_org_tendering": "same"},
    ),
    "mass organisations' weaker budgets": Ablation(
        "mass_org_budget",
        (1.0, 0.4),
        "money_share_specialist",
        False,
        {"n_mass_orgs": 12, "n_bureaux": 12},
        {"n_mass_orgs": 0},
        seeds=24,
    ),
    "specialists help plan what mass organisations buy": Ablation(
        "specialist_voice",
        (0.0, 0.6),
        "service_quality",
        True,
        {"n_mass_orgs": 12, "n_bureaux": 12},
        {"partnership": 0.0},
        # With 8 seeds the interval cleared 0 by 2 SE only; with 24, by 4 or more.
        seeds=24,
    ),
    "community associations know their residents": Ablation(
        "local_knowledge",
        (0.0, 0.6),
        "service_quality",
        True,
        {"share_community": 0.4},
        {"share_community": 0.0},
    ),
    # Trust counts in merit, shortlists and the acceptance floor alike, and only a
    # bureau's: without bureaux, community associations still win mass organisations'
    # contracts (their money share varies from seed to seed), and trust must not move it.
    "bureaux trust community associations of their district": Ablation(
        "local_trust",
        (0.0, 0.3),
        "money_share_community",
        True,
        {"share_community": 0.4},
        {"n_bureaux": 0, "n_mass_orgs": 24},
    ),
    "flat-rate centres spread thin in large streets": Ablation(
        "coverage_elasticity",
        (0.0, 1.0),
        "street_size_quality_gap",
        True,
        {},
        {"coverage_population": 90_000.0},
    ),
    # With one bidder per tender there is no choice for ties to sway, and a refusal of
    # duties that costs neither score nor tie leaves favouritism no say in compliance
    # (and so in the ties refusals cut); who wins, tied or not, still varies by seed.
    "favouritism weighs personal ties": Ablation(
        "favouritism",
        (0.0, 1.0),
        "tied_award_share",
        True,
        {},
        {**ONE_BIDDER, "refusal_penalty": 0.0, "refusal_tie_cut": 0.0},
    ),
    # tie_advantage is 0 by its definition wherever each tender has one bidder, and
    # wherever bidders compete, favouritism weighs their ties: no switch but removing
    # ties. The case above has an off in which ties still win awards.
    "ties pay in awards beyond how common they are": Ablation(
        "favouritism",
        (0.0, 1.0),
        "tie_advantage",
        True,
        {},
        {"tie_density": 0.0, "tie_cultivation": 0.0},
        off_constant=True,
    ),
    # Every NGO that seeks contracts courts an official it could win one from: no
    # switch stops courting but leaves awards.
    # test_the_ties_courting_buys_change_nothing_but_tie_counts_where_ties_weigh_nothing
    # shows that the ties courting buys act only as ties.
    "heads court officials": Ablation(
        "tie_cultivation",
        (0.0, 0.5),
        "tied_award_share",
        True,
        {"favouritism": 0.5},
        None,
    ),
    # The only ties are this year's courting, made after heads leave and forgotten at
    # the year's end (officials bring none): a leaving head has no tie to end, while
    # courted ties (0.5) still win awards.
    "ties end when a head leaves": Ablation(
        "head_turnover",
        (0.0, 0.5),
        "tied_award_share",
        False,
        {"favouritism": 0.5},
        {"tie_density": 0.0, "tie_decay": 1.0, "tie_cultivation": 0.5},
    ),
    # Rotation draws officials' terms and motives, which changes every later draw, so
    # wherever ties exist the outcome differs seed by seed: no switch but no ties.
    # test_officials_take_their_ties_when_they_rotate checks the ties directly.
    "officials take their ties when they rotate": Ablation(
        "rotation_years",
        (0.0, 2.0),
        "tied_award_share",
        False,
        {"favouritism": 0.5},
        {"tie_density": 0.0, "tie_cultivation": 0.0},
        off_constant=True,
    ),
    "co-funders carry established NGOs' match": Ablation(
        "cofunder_match",
        (0.0, 0.3),
        "bids_per_tender",
        True,
        {"match_funding": 0.5},
        {"match_funding": 0.0},
    ),
    "volunteers and donations count as match": Ablation(
        "inkind_match",
        (0.0, 0.3),
        "bids_per_tender",
        True,
        {"match_funding": 0.5},
        {"match_funding": 0.0},
    ),
    # Extra duties act on much besides the burden (hours, compliance, scores): no switch
    # but NGOs that bear any burden. test_ngos_stay_out_when_the_burden_exceeds_their_tolerance
    # checks the burden and the decision directly.
    "the burden of contracting keeps some NGOs out": Ablation(
        "extra_duty_demand",
        (0.0, 0.3),
        "opt_out_share",
        True,
        {},
        {"burden_tolerance": 1.0},
        off_constant=True,
    ),
    "capable NGOs grow": Ablation(
        "experience_per_contract",
        (50.0, 1.0),
        "hhi",
        True,
        {},
        {"share_specialist": 0.0, "share_community": 0.5, "share_grassroots": 0.5},
    ),
    # The next three levers act on much besides what NGOs put at stake (the discount
    # on awards, money, contract lengths), so no switch short of no advocacy leaves
    # them without effect; test_without_an_obedience_reward_nothing_holds_advocacy_back
    # switches off the stake itself.
    "officials reward obedience, NGOs keep quiet": Ablation(
        "obedience_discount",
        (0.0, 0.1),
        "advocacy_share",
        False,
        {"advocacy_concentration": 20.0},
        {"advocacy_inclination": 0.0},
        off_constant=True,
    ),
    "dependence stunts advocacy": Ablation(
        "other_income",
        (400000.0, 50000.0),
        "advocacy_share",
        False,
        {"advocacy_concentration": 20.0},
        {"advocacy_inclination": 0.0},
        off_constant=True,
    ),
    "long contracts signal obedience": Ablation(
        "contract_years",
        (1, 5),
        "advocacy_share",
        False,
        {"advocacy_concentration": 20.0},
        {"advocacy_inclination": 0.0},
        off_constant=True,
    ),
    "officials who choose the users silence NGOs": Ablation(
        "client_control",
        (0.0, 1.0),
        "advocacy_share",
        False,
        {"advocacy_concentration": 20.0},
        # NGOs that never yield to officials keep choosing their users themselves.
        {"base_compliance": 0.0, "refusal_caution": 0.0},
        seeds=12,
    ),
    "NGOs without contracts cut costs": Ablation(
        "lean_overhead",
        (1.0, 0.2),
        "ngo_survival",
        True,
        # Reserves of two years' running costs: enough closures that survival still
        # varies by seed with overhead switched off (a wage alone to cover).
        {"closure_reserves": 2.0},
        {"overhead": 0.0},
    ),
    "new indicator systems must be learned (paperwork)": Ablation(
        "indicator_learning_cost",
        (0.0, 2.0),
        "documentation_share",
        True,
        {"evaluator_tenure": 2.0},
        {"evaluator_tenure": 0.0},
    ),
    "new indicator systems must be learned (scores)": Ablation(
        "indicator_learning_noise",
        (0.0, 4.0),
        "score_quality_corr",
        False,
        {"evaluator_tenure": 2.0},
        {"evaluator_tenure": 0.0},
    ),
    "workload evaluation makes staff keep records of hours": Ablation(
        "workload_record_keeping",
        (0.0, 1.0),
        "documentation_share",
        True,
        {"evaluation": "workload"},
        {"evaluation": "outcome", "evaluator_heterogeneity": 0.0},
    ),
    "workload evaluation makes staff chase counted outputs": Ablation(
        "output_chasing",
        (0.0, 0.5),
        "service_quality",
        False,
        {"evaluation": "workload"},
        {"evaluation": "outcome", "evaluator_heterogeneity": 0.0},
    ),
    # --- quitting ------------------------------------------------------------------
    "staff quit jobs whose contracts are ending": Ablation(
        "insecurity_quit",
        (0.0, 0.4),
        "staff_turnover",
        True,
        {},
        # No worker quits above the baseline rate: no extra reason to quit counts.
        {"max_quit": DEFAULTS["quit_rate"]},
    ),
    "overstretched staff quit": Ablation(
        "strain_quit",
        (0.0, 1.0),
        "staff_turnover",
        True,
        # Officials claim more unpaid duties, which overstretch staff.
        {"extra_duty_demand": 0.3},
        # Workers with 5,000 hours a year are never asked for more than they have.
        {"hours_per_worker": 5000.0},
    ),
    "underpaid staff quit": Ablation(
        "pay_quit",
        (0.0, 1.0),
        "staff_turnover",
        True,
        {"other_income": 50_000.0},
        # NGOs that never cut pay (they close instead).
        {"min_pay_level": 1.0},
    ),
    # --- real quality ---------------------------------------------------------------
    # Experience gain has no switch but itself: the lever is quitting, which acts on
    # quality only through the experience that leavers take with them.
    "experienced staff serve better, and leavers take their experience": Ablation(
        "quit_rate",
        (0.0, 0.3),
        "service_quality",
        False,
        {},
        {"experience_gain": 0.0},
    ),
    # Continuity gain has no switch but itself: the lever is how slowly continuity
    # builds up, which acts through nothing else.
    "years with the same provider raise quality": Ablation(
        "continuity_scale",
        (0.5, 10.0),
        "service_quality",
        False,
        {},
        {"continuity_gain": 0.0},
    ),
    "overstretched staff serve worse": Ablation(
        "strain_cost",
        (0.0, 1.0),
        "service_quality",
        False,
        {"extra_duty_demand": 0.3},
        {"hours_per_worker": 5000.0},
    ),
    # --- compliance and evaluation -----------------------------------------------------
    "NGOs fear what refusing extra duties costs them at the next tender": Ablation(
        "refusal_caution",
        (0.0, 10.0),
        "extra_duty_share",
        True,
        {},
        # Refusing costs neither score nor tie: nothing to fear, whatever the caution.
        {"refusal_penalty": 0.0, "refusal_tie_cut": 0.0},
    ),
    # No switch but itself (no extra duties would leave nothing to accept): its
    # default against 0. The next case switches it off with an outcome that still
    # varies; test_without_a_cost_of_refusing_ngos_accept_duties_at_the_base_rate checks
    # the acceptance directly.
    "NGOs accept some extra duties whatever their dependence": Ablation(
        "base_compliance",
        (0.0, DEFAULTS["base_compliance"]),
        "extra_duty_share",
        True,
        {},
        None,
    ),
    # Officials order duties and choose users, and every NGO yields to some of it: less
    # of its hours are its own to use. Where officials order no duties and choose no
    # users there is nothing to yield to, and autonomy varies with all else.
    "NGOs yield some autonomy whatever their dependence": Ablation(
        "base_compliance",
        (0.0, DEFAULTS["base_compliance"]),
        "autonomy_share",
        False,
        {},
        {"extra_duty_demand": 0.0, "client_control": 0.0},
    ),
    "refusing extra duties costs evaluation score": Ablation(
        "refusal_penalty",
        (0.0, 0.5),
        "evaluation_score",
        False,
        # No NGO accepts ordered duties, whatever a refusal costs it.
        {"base_compliance": 0.0, "refusal_caution": 0.0},
        # NGOs that accept every order never refuse.
        {"base_compliance": 1.0},
    ),
    "refusing extra duties cools officials' ties": Ablation(
        "refusal_tie_cut",
        (0.0, 1.0),
        "tied_award_share",
        False,
        # No NGO accepts ordered duties, whatever a refusal costs it.
        {"favouritism": 0.8, "base_compliance": 0.0, "refusal_caution": 0.0},
        {"base_compliance": 1.0},
    ),
    "poor scores end contracts early": Ablation(
        "termination_score",
        (0.0, 0.5),
        "provider_churn",
        True,
        {},
        # One-year contracts have no years left to end.
        {"contract_years": 1},
    ),
    # Where purchasers shortlist by reputation, a provider's one bad year costs it less
    # with memory. Where reputation decides no award, memory changes no provider (nor,
    # with reputation weighing nothing, what a refusal of duties costs).
    "purchasers remember past scores": Ablation(
        "reputation_memory",
        (0.0, DEFAULTS["reputation_memory"]),
        "provider_turnover",
        False,
        {"tendering": "selective", "mass_org_tendering": "same"},
        REPUTATION_UNHEEDED,
        # A small effect (about -0.03, paired SD 0.035): 48 seeds keep the interval
        # 2.5 SE or more clear of 0.
        seeds=48,
    ),
    # --- tendering and entry -------------------------------------------------------------
    "incumbents head the hub's shortlists": Ablation(
        "incumbent_rank_bonus",
        (0.0, 1.0),
        "provider_turnover",
        False,
        {"tendering": "intermediary", "mass_org_tendering": "same"},
        # Open tenders draw up no shortlist.
        {"tendering": "open"},
    ),
    "the hub admits city-wide NGOs first": Ablation(
        "hub_citywide_preference",
        (0.0, 1.0),
        "money_share_specialist",
        True,
        # A hub that admits few beyond its minimum pool (specialists are city-wide).
        {"tendering": "intermediary", "mass_org_tendering": "same", "hub_spare_ratio": 0.5},
        # In open tenders no purchaser asks the hub. It still refreshes its pool, one
        # draw per new candidate, so it admits them all, whom it prefers not deciding
        # who is drawn for next year.
        {"tendering": "open", "hub_pool_size": 10_000},
        seeds=16,
    ),
    "newcomers' bids open the market to entry": Ablation(
        "entry_openness_slope",
        (0.0, 5.0),
        "ngo_entries",
        True,
        {},
        # A market fully open whoever bid last year.
        {"entry_openness_floor": 1.0},
    ),
    "bidders promise more hours where hours score": Ablation(
        "workload_incentive",
        (0.0, 3.0),
        "service_hours_per_1000",
        True,
        {},
        # Promised hours weigh nothing in awards, so no one promises more.
        {"workload_weight": 0.0},
    ),
    "each evaluation system adds its own paperwork": Ablation(
        "multi_system_overhead",
        (0.0, 2.0),
        "documentation_share",
        True,
        {},
        # One agency: every NGO faces one system.
        {"n_evaluators": 1},
    ),
    "NGOs short of money seek contracts whatever the burden": Ablation(
        "runway_years",
        (0.0, 5.0),
        "opt_out_share",
        False,
        {"other_income": 50_000.0},
        # NGOs whose other income covers their costs never run short.
        {"other_income": 1_000_000.0},
    ),
}


@cache
def _summary(items: tuple[tuple[str, Any], ...], seed: int) -> dict[str, float]:
    """One run's summary; cases that share a context and a seed share the run."""
    return ContractingModel("baseline", rng=seed, **SIZE, **dict(items)).run().summary()


def _outcome(items: tuple[tuple[str, Any], ...], outcome: str, seed: int) -> float:
    return _summary(items, seed)[outcome]


def _arms(case: Ablation, context: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    values = []
    for value in case.values:
        items = tuple(sorted({**context, case.lever: value}.items()))
        values.append(
            np.array([_outcome(items, case.outcome, s) for s in range(case.seeds)], float)
        )
    return values[0], values[1]


def assert_moves(name: str, case: Ablation) -> None:
    """With the mechanism on, the paired CI of the lever's effect is on the expected side."""
    a, b = _arms(case, case.on)
    ci = paired_difference(a, b)
    ok = ci.low > 0 if case.up else ci.high < 0
    assert ok, (
        f"{name}: {case.lever} {case.values[0]} -> {case.values[1]} moves {case.outcome} by "
        f"{ci.mean:.4g}, 95% CI [{ci.low:.4g}, {ci.high:.4g}] over {ci.n} seeds; expected "
        f"{'above' if case.up else 'below'} 0"
    )


def assert_switched_off(name: str, case: Ablation) -> None:
    """With the mechanism off, the lever leaves the outcome the same on every seed."""
    assert case.off is not None
    a, b = _arms(case, {**case.on, **case.off})
    same = [x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(a, b, strict=True)]
    assert all(same), f"{name}: with {case.off}, {case.lever} still moves {case.outcome}"
    if not case.off_constant:
        assert len(set(a.tolist())) > 1, (
            f"{name}: with {case.off}, {case.outcome} is {a[0]} on every seed: the switch "
            "leaves the lever nothing to change"
        )


@pytest.mark.parametrize("name", list(ABLATIONS))
def test_mechanism_moves_its_outcome(name: str) -> None:
    assert_moves(name, ABLATIONS[name])


@pytest.mark.parametrize("name", [n for n, c in ABLATIONS.items() if c.off is not None])
def test_switched_off_the_lever_changes_nothing(name: str) -> None:
    assert_switched_off(name, ABLATIONS[name])


def centres_run_by_the_delegate(seed: int) -> tuple[int, int]:
    """Luoshan: centres the delegated NGO (the only NGO at the start) ran in the last
    year, and the centres funded then."""
    model = ContractingModel("luoshan_delegation", rng=seed).run()
    delegate = next(n for n in model.ngos if n.entry_year == 0)
    last = model.records[-1]
    slots = [s for pu in model.cities[0].purchasers for s in pu.slots]
    ran = sum((s.contract.ngo if s.contract else s.last_provider) is delegate for s in slots)
    if last.failed or last.slots_served < last.slots_funded:
        ran = min(ran, last.slots_served - 1)
    return ran, len(slots)


def test_a_capable_delegate_grows_to_run_every_centre() -> None:
    """ "By 2013 the YMCA was managing nine centers" (003): in at least 27 of 30 runs the
    delegated NGO runs every centre in the last year."""
    runs = [centres_run_by_the_delegate(seed) for seed in range(30)]
    assert all(n == 9 for _, n in runs), runs
    assert sum(ran == n for ran, n in runs) >= 27, runs


def test_stated_contract_lengths_hold_under_municipal_endorsement() -> None:
    """Guangzhou: "every contract lasted for three years", five years from 2018 (002):
    with the registry's full endorsement every purchaser is authorised, so the contracts
    awarded each year run exactly ``contract_years``."""
    series = ContractingModel("guangzhou_ifsc", rng=3).run().series()
    awarded = series.dropna(subset=["contract_length_mean"])
    before = awarded[awarded.year < 9].contract_length_mean
    after = awarded[awarded.year >= 9].contract_length_mean
    assert len(before) and len(after)
    assert (before == 3.0).all() and (after == 5.0).all(), awarded.contract_length_mean


def test_officials_carry_their_own_motives() -> None:
    """Each new official draws its ranks in caution and drive; the mean over officials
    is the parameter; without spread every official is at the mean and nothing is
    drawn; rotation brings officials with other motives."""
    from simcontract.agents import MEDIAN_RANK, motive

    ranks = np.linspace(0.0, 1.0, 101)
    for mean in (0.0, 0.2, 0.5, 0.9, 1.0):
        values = [motive(mean, r, 1.0) for r in ranks]
        assert min(values) >= 0.0 and max(values) <= 1.0
        assert math.isclose(float(np.mean(values)), mean, abs_tol=1e-12)
    model = ContractingModel("baseline", rng=5, years=10, rotation_years=2.0)
    posts = model.cities[0].purchasers
    first = {id(pu.cadre): pu.cadre.caution_rank for pu in posts}
    assert len(set(first.values())) == len(first)
    model.run()
    later = [pu.cadre for pu in posts if id(pu.cadre) not in first]
    assert later and all(c.caution_rank not in first.values() for c in later)
    same = ContractingModel("baseline", rng=5, years=2, motive_spread=0.0)
    for pu in same.cities[0].purchasers:
        assert pu.cadre.caution_rank == pu.cadre.drive_rank == MEDIAN_RANK
        assert pu.cadre.caution(same.rules) == same.rules[pu.caution_mean]


def test_the_finance_bureau_decides_multi_year_contracts() -> None:
    """Without endorsement a cautious official without drive signs one-year contracts; an
    official who seeks it and a finance bureau that always grants it give
    ``contract_years``; the decision holds for the purchaser's whole year."""
    from simcontract.phases.cadres import contract_length

    model = ContractingModel(
        "baseline", rng=2, years=1, multiyear_endorsement=0.0, bureau_standing=1.0
    )
    city, rules = model.cities[0], model.rules
    bureau = next(pu for pu in city.purchasers if pu.kind == "bureau")
    bureau.cadre.caution_rank, bureau.cadre.drive_rank = 1.0, 0.0
    bureau.length_year = -1
    careful = bureau.cadre.caution(rules) > bureau.cadre.drive(rules)
    assert careful and contract_length(city, bureau, rules) == 1
    bureau.cadre.caution_rank, bureau.cadre.drive_rank = 0.0, 1.0
    assert contract_length(city, bureau, rules) == 1  # decided once a year
    bureau.length_year = -1
    assert contract_length(city, bureau, rules) == rules["contract_years"]


def test_evaluators_disagree_only_when_their_indicators_differ() -> None:
    """The second opinion (7.15): no gap with one shared indicator set or one agency; a
    gap with evaluators' own indicators, wider the more they differ."""

    def gap(seed: int = 3, **kw: Any) -> float:
        model = ContractingModel("baseline", rng=seed, years=6, **kw).run()
        return model.summary()["evaluator_disagreement"]

    assert gap(evaluator_heterogeneity=0.0) == 0.0
    assert gap(n_evaluators=1) == 0.0
    # Wider the more they differ: the paired difference over the same seeds.
    seeds = range(8)
    some = np.array([gap(s, evaluator_heterogeneity=0.3) for s in seeds])
    more = np.array([gap(s, evaluator_heterogeneity=1.0) for s in seeds])
    assert (some > 0.0).all(), some
    ci = paired_difference(some, more)
    assert ci.low > 0, f"disagreement 0.3 -> 1.0: {ci.mean:.4g}, CI [{ci.low:.4g}, {ci.high:.4g}]"


def test_agencies_change_with_their_tenure() -> None:
    """With a one-year tenure every agency is replaced each year and NGOs count their
    years under the new systems (``new_system_share``); with tenure 0 none is."""
    never = ContractingModel("baseline", rng=5, years=4, evaluator_tenure=0.0).run()
    assert sum(r.evaluator_changes for r in never.records) == 0
    assert not any(e.switched_in for c in never.cities for e in c.evaluators)
    yearly = ContractingModel("baseline", rng=5, years=4, evaluator_tenure=1.0).run()
    n = sum(len(c.evaluators) for c in yearly.cities)
    assert [r.evaluator_changes for r in yearly.records] == [n] * 4
    assert all(e.switched_in for c in yearly.cities for e in c.evaluators)
    assert any(ngo.systems for ngo in yearly.ngos)
    # Year 1 runs under the agencies the market started with; from year 2 every
    # contract-year is an NGO's first under a new agency.
    assert [r.new_system_years for r in yearly.records] == [0] + [
        r.scored for r in yearly.records[1:]
    ]
    assert never.summary()["new_system_share"] == 0.0


def test_without_an_obedience_reward_nothing_holds_advocacy_back() -> None:
    """With no obedience discount nothing is at stake: dependence and contract length
    leave each NGO's advocacy at its inclination times its own-users share; with one,
    both hold it back."""
    inclination = np.array([0.2, 0.2, 0.5])
    own = np.array([1.0, 0.5, 0.8])
    low, high = np.zeros(3), np.ones(3)
    for years in (1, 5):
        off = {"obedience_discount": 0.0, "contract_years": years, "advocacy_caution": 10.0}
        a = advocacy_effort(inclination, own, low, off)
        b = advocacy_effort(inclination, own, high, off)
        assert np.array_equal(a, inclination * own) and np.array_equal(b, a)
    on = {"obedience_discount": 0.05, "contract_years": 1, "advocacy_caution": 10.0}
    dependent = advocacy_effort(inclination, own, high, on)
    assert np.all(dependent < advocacy_effort(inclination, own, low, on))
    assert np.all(advocacy_effort(inclination, own, high, {**on, "contract_years": 5}) < dependent)


def test_ngos_comply_for_what_a_refusal_costs_them() -> None:
    """An NGO without government money, or one whose refusal costs nothing, complies with
    ``base_compliance``; otherwise compliance grows with dependence, with the score
    penalty, with the tie cut (as far as ties count) and with the contract's length."""
    dependence = np.array([0.0, 0.3, 0.6, 1.0])
    rules = dict(DEFAULTS)
    base = rules["base_compliance"]
    free = {**rules, "refusal_penalty": 0.0, "refusal_tie_cut": 0.0}
    assert np.array_equal(comply_probability(dependence, free), np.full(4, base))
    comply = comply_probability(dependence, rules)
    assert comply[0] == base and np.all(np.diff(comply) > 0) and np.all(comply < 1.0)
    for name, more in (("refusal_penalty", 0.5), ("refusal_tie_cut", 0.6), ("contract_years", 5)):
        assert np.all(comply_probability(dependence, {**rules, name: more})[1:] > comply[1:])
    # A tie cut costs nothing where ties do not count in awards.
    untied = {**rules, "favouritism": 0.0}
    cut = comply_probability(dependence, {**untied, "refusal_tie_cut": 1.0})
    assert np.array_equal(cut, comply_probability(dependence, untied))


ADVOCACY_KNOBS = (
    {"obedience_discount": 0.0, "advocacy_caution": 0.0, "advocacy_specialist": 0.0},
    {"obedience_discount": 0.3, "advocacy_caution": 50.0, "advocacy_concentration": 50.0},
)


@pytest.mark.parametrize("seed", range(3))
def test_without_advocacy_its_knobs_change_nothing_else(seed: int) -> None:
    """With no inclination to advocate, no advocacy is done and the other parameters of
    advocacy change no outcome; officials' choice of users moves autonomy only."""
    runs = []
    for knobs in ADVOCACY_KNOBS:
        for control in (0.0, 1.0):
            items = {"advocacy_inclination": 0.0, "client_control": control, **knobs}
            model = ContractingModel("baseline", rng=seed, **SIZE, **items).run()
            runs.append(model.summary())
    assert all(r["advocacy_share"] == 0.0 for r in runs)
    others = [k for k in runs[0] if k != "autonomy_share"]
    first = runs[0]
    for r in runs[1:]:
        same = [r[k] == first[k] or (math.isnan(r[k]) and math.isnan(first[k])) for k in others]
        assert all(same), [k for k, ok in zip(others, same, strict=True) if not ok]
    assert runs[1]["autonomy_share"] < runs[0]["autonomy_share"]


def test_beijing_short_contracts_come_from_the_finance_bureau_rule() -> None:
    """Beijing's contracts are "short-lived (normally not more than one year)" (002). The
    scenario allows three years but gives no municipal endorsement, so cautious officials
    seldom seek the authorisation: the mean agreed length is near one year, and with the
    leaders' endorsement the same officials sign three-year contracts."""
    short = [
        ContractingModel("beijing_piecemeal", rng=s, years=6).run().summary() for s in range(3)
    ]
    endorsed = (
        ContractingModel("beijing_piecemeal", rng=0, years=6, multiyear_endorsement=1.0)
        .run()
        .summary()
    )
    assert all(1.0 <= r["contract_length_mean"] < 1.5 for r in short), short
    assert endorsed["contract_length_mean"] == 3.0


def test_a_new_officials_tie_spares_a_provider_from_early_termination() -> None:
    """A newly arrived official ends a contract with chance ``new_broom_termination *
    reshuffle * (1 - tie)``: at full chance, every provider he has no tie to loses its
    running contract, none tied to him at full strength does, and about half of those
    tied at half strength do (no threshold of tie strength decides it). Ties are set by
    NGO id (full, none or half) as contracts are scored; no score is low enough to end a
    contract."""
    strengths = (1.0, 0.0, 0.5)
    seen = {s: [0, 0] for s in strengths}  # running under a new official, ended

    def tie(cadre: Cadre, ngo: Any) -> float:
        return strengths[ngo.unique_id % 3]

    real = evaluation.evaluate_contracts

    def observed(city: Any, rules: Any, record: Any) -> None:
        before = [(c, c.slot.purchaser.cadre) for c in city.batch.contracts]
        real(city, rules, record)
        for c, cadre in before:
            new = cadre is not None and cadre.arrived == rules.year > 1
            if new and c.end > rules.year:
                seen[tie(cadre, c.ngo)][0] += 1
                seen[tie(cadre, c.ngo)][1] += bool(c.terminated)

    params = {
        "new_broom_termination": 1.0,
        "reshuffle": 1.0,
        "rotation_years": 2.0,
        "termination_score": 0.0,
        "extra_duty_demand": 0.0,
        "years": 10,
    }
    with (
        mock.patch.object(Cadre, "tie", tie),
        mock.patch.object(evaluation, "evaluate_contracts", observed),
    ):
        for seed in range(4):
            ContractingModel("baseline", rng=seed, **params).run()
    assert all(running >= 100 for running, _ in seen.values()), seen
    assert seen[1.0][1] == 0, seen
    assert seen[0.0][1] == seen[0.0][0], seen
    running, ended = seen[0.5]
    # Binomial(running, 0.5): 4.5 standard errors either way.
    assert abs(ended - running / 2) < 4.5 * math.sqrt(running / 4), seen


def _moved(a: dict[str, float], b: dict[str, float]) -> list[str]:
    """The outcomes of two summaries that differ (NaN in both counts as the same)."""
    return [k for k in a if a[k] != b[k] and not (math.isnan(a[k]) and math.isnan(b[k]))]


def test_the_ties_courting_buys_change_nothing_but_tie_counts_where_ties_weigh_nothing() -> None:
    """The ties courting buys (``tie_cultivation``) act only as ties: where ties weigh in
    no award (no favouritism) and no new official marks down those he has no tie to (no
    reshuffle), the only other readers of ties, they raise the share of tied awards and
    move no outcome but the two that count ties. (Courting's hours are spent either
    way: ``cultivation_hours`` has its own case.)"""
    inert = {"favouritism": 0.0, "reshuffle": 0.0}
    for seed in range(3):
        idle, courting = (
            _summary(tuple(sorted({**inert, "tie_cultivation": g}.items())), seed)
            for g in (0.0, 0.5)
        )
        assert courting["tied_award_share"] > idle["tied_award_share"]
        moved = set(_moved(idle, courting)) - {"tied_award_share", "tie_advantage"}
        assert not moved, moved


def test_officials_take_their_ties_when_they_rotate() -> None:
    """Ties belong to officials, not posts: an official who moves keeps its ties
    unchanged at its new post, and a newcomer (here bringing no initial ties) holds
    none, so a post whose official changes keeps less of the ties to its providers.
    Without rotation no post ever changes its official."""
    real = cadres.rotate_officials
    seen = {"moved": 0, "new": 0, "kept": 0.0, "lost": 0.0}

    def observed(city: Any, rules: Any, record: Any) -> None:
        before = {id(pu): pu.cadre for pu in city.purchasers}
        ties = {id(pu.cadre): dict(pu.cadre.ties) for pu in city.purchasers}
        real(city, rules, record)
        for pu in city.purchasers:
            old, new = before[id(pu)], pu.cadre
            if new is old:
                continue
            if id(new) in ties:
                assert new.ties == ties[id(new)]
                seen["moved"] += 1
            else:
                assert new.ties == {}
                seen["new"] += 1
            providers = [s.contract.ngo.unique_id for s in pu.slots if s.contract is not None]
            seen["kept"] += sum(new.ties.get(u, 0.0) for u in providers)
            seen["lost"] += sum(ties[id(old)].get(u, 0.0) for u in providers)

    params = {"tie_density": 0.0, "tie_cultivation": 0.5, "years": 10}
    with mock.patch.object(cadres, "rotate_officials", observed):
        ContractingModel("baseline", rng=1, rotation_years=0.0, **params).run()
        assert seen == {"moved": 0, "new": 0, "kept": 0.0, "lost": 0.0}
        ContractingModel("baseline", rng=1, rotation_years=2.0, **params).run()
    assert seen["moved"] >= 10 and seen["new"] >= 10, seen
    assert seen["kept"] < seen["lost"], seen


def test_with_one_year_contracts_the_endorsement_changes_nothing() -> None:
    """The finance bureau's authorisation acts only on contract lengths: where the rules
    allow one-year contracts only, the endorsement changes no outcome on any seed."""
    case = ABLATIONS["multi-year contracts need the finance bureau's authorisation"]
    assert case.off is not None
    for seed in range(case.seeds):
        granted, refused = (
            _summary(tuple(sorted({**case.on, **case.off, case.lever: v}.items())), seed)
            for v in case.values
        )
        assert not _moved(granted, refused), _moved(granted, refused)


def test_ngos_stay_out_when_the_burden_exceeds_their_tolerance() -> None:
    """An NGO never short of money (``runway_years`` 0) seeks contracts exactly when the
    burden of contracting is within its own tolerance: in year 1 the documents and
    duties the rules set, later the share of providers' hours that went to documents
    and accepted duties the year before. Without extra duties no hour goes to them, and
    the burden is less every year."""
    real = strategy._seek_contracts
    burdens: dict[float, list[float]] = {}

    def observed(city: Any, rules: Any) -> np.ndarray:
        seeks = real(city, rules)
        burden = city.last_burden
        if rules.year == 1:
            assert burden is None
            burden = rules["documentation_base"] + rules["extra_duty_demand"]
        assert np.array_equal(seeks, city.ngo_values("tolerance") >= burden)
        burdens[rules["extra_duty_demand"]].append(burden)
        return seeks

    with mock.patch.object(strategy, "_seek_contracts", observed):
        for demand in (0.0, 0.3):
            burdens[demand] = []
            model = ContractingModel(
                "baseline", rng=2, years=8, runway_years=0.0, extra_duty_demand=demand
            ).run()
            assert (sum(r.hours_extra for r in model.records) > 0) == (demand > 0)
    assert all(b > a for a, b in zip(burdens[0.0], burdens[0.3], strict=True)), burdens


def test_without_a_cost_of_refusing_ngos_accept_duties_at_the_base_rate() -> None:
    """Where a refusal costs neither score nor tie, every NGO accepts ordered duties
    with chance ``base_compliance``, whatever its dependence: at 0 none works an hour
    of them; at the default, the share of orders accepted is within 4.5 binomial
    standard errors of it."""
    free = {"refusal_penalty": 0.0, "refusal_tie_cut": 0.0}
    for base in (0.0, DEFAULTS["base_compliance"]):
        records = [
            r
            for seed in range(4)
            for r in ContractingModel("baseline", rng=seed, **SIZE, **free, base_compliance=base)
            .run()
            .records
        ]
        orders = sum(r.duty_orders for r in records)
        accepted = orders - sum(r.duty_refusals for r in records)
        assert orders >= 1000, orders
        if base == 0.0:
            assert accepted == 0 and sum(r.hours_extra for r in records) == 0.0
        else:
            spread = math.sqrt(base * (1 - base) / orders)
            assert abs(accepted / orders - base) < 4.5 * spread, (accepted, orders)
