"""Ablations of the mechanisms that ``test_mechanisms.ABLATIONS`` leaves out.

Each case follows ``test_mechanisms``: with the mechanism on, the 95% CI of the paired
difference of the outcome (lever's second value minus first, same seeds) lies on the
expected side of zero; with it off, the lever changes the outcome on no seed. Cases share
that module's runs (same size, same cache), so a context used there costs nothing here.
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import numpy as np
import pytest
from test_mechanisms import SIZE, Ablation, assert_moves, assert_switched_off

from simcontract import ContractingModel
from simcontract.params import DEFAULTS
from simcontract.phases import evaluation

MORE = {
    # --- cadres (ODD 7.3) ----------------------------------------------------------
    # Only newly created officials draw initial ties; one who moves to another post keeps
    # his old ties to NGOs that may not serve it and draws none.
    "officials who move posts bring no fresh ties": Ablation(
        "cadre_transfer",
        (0.0, 1.0),
        "tied_award_share",
        False,
        {"favouritism": 0.5, "rotation_years": 2.0},
        # Officials who never rotate never move.
        {"rotation_years": 0.0},
    ),
    "ties fade year by year": Ablation(
        "tie_decay",
        (0.0, 0.5),
        "tied_award_share",
        False,
        {},
        # Every official serves one year and leaves (none moves post with his ties):
        # ties fade at the year's end, after the only tenders they count in.
        {"rotation_years": 0.5, "term_shape": 100.0, "cadre_transfer": 0.0},
    ),
    # Ties only from officials' first acquaintance (no courting), which counts fully.
    "bureaux' officials know community associations' heads": Ablation(
        "community_tie_factor",
        (1.0, 10.0),
        "tied_award_share",
        True,
        {"favouritism": 1.0, "share_community": 0.6, "tie_cultivation": 0.0},
        # No community associations to know: ties to other NGOs remain.
        {"share_community": 0.0},
    ),
    "mass organisations' officials know their sector's specialists": Ablation(
        "mass_org_tie_factor",
        (1.0, 10.0),
        "tied_award_share",
        True,
        {"favouritism": 1.0, "n_mass_orgs": 12, "n_bureaux": 12, "tie_cultivation": 0.0},
        # No specialists to know: ties to other NGOs remain.
        {"share_specialist": 0.0},
    ),
    "new brooms mark down past providers (the cut)": Ablation(
        "reshuffle_cut",
        (0.0, 1.0),
        "provider_turnover",
        True,
        {"rotation_years": 3.0, "reshuffle": 1.0},
        {"reshuffle": 0.0},
    ),
    "new brooms mark down past providers (the years)": Ablation(
        "new_broom_years",
        (1, 4),
        "provider_turnover",
        True,
        {"rotation_years": 3.0, "reshuffle": 1.0},
        {"reshuffle": 0.0},
    ),
    # --- motives and the finance bureau (7.3, 7.11) --------------------------------------
    # A finance bureau that grants mass organisations' every request: their officials'
    # motives alone decide whether they ask.
    "mass organisations' officials seek credit with multi-year contracts": Ablation(
        "mass_org_drive",
        (0.0, 1.0),
        "contract_length_mean",
        True,
        {"multiyear_endorsement": 0.0, "n_mass_orgs": 12, "mass_org_standing": 1.0},
        {"n_mass_orgs": 0},
    ),
    "mass organisations' cautious officials shun multi-year contracts": Ablation(
        "mass_org_caution",
        (0.0, 1.0),
        "contract_length_mean",
        False,
        {"multiyear_endorsement": 0.0, "n_mass_orgs": 12, "mass_org_standing": 1.0},
        {"n_mass_orgs": 0},
    ),
    "the finance bureau grants bureaux' requests": Ablation(
        "bureau_standing",
        (0.0, 1.0),
        "contract_length_mean",
        True,
        {"multiyear_endorsement": 0.0},
        # Bureaux' officials, all fully cautious and without drive, never ask for
        # multi-year contracts; mass organisations' still ask, granted by chance.
        {"blame_avoidance": 1.0, "promotion_drive": 0.0},
    ),
    # --- tendering (7.6, 7.8, 7.9, 7.10) --------------------------------------------------
    "mass organisations' patronage (the bonus)": Ablation(
        "patronage_bonus",
        (0.0, 1.0),
        "repeat_award_rate",
        True,
        {"n_mass_orgs": 24, "n_bureaux": 12},
        {"partnership": 0.0},
    ),
    # Cautious officials and a heavy penalty: the blame falls on more bidders the longer
    # the track record that counts as safe.
    "bureaux ask for a proven track record": Ablation(
        "proven_track_record",
        (1, 10),
        "failed_tender_rate",
        True,
        {"multiyear_endorsement": 1.0, "blame_avoidance": 1.0, "blame_penalty": 0.6},
        {"blame_penalty": 0.0},
    ),
    "a low price counts in the award": Ablation(
        "price_weight",
        (0.0, 1.0),
        "winning_price_ratio",
        False,
        {},
        # Shortlists of one: no bid competes on price. Neither promised hours nor a
        # refusal's score penalty count, so the weights' shares (reputation's dilutes
        # with the price weight) change no promise and no NGO's compliance.
        {
            "tendering": "selective",
            "mass_org_tendering": "same",
            "shortlist_size": 1,
            "workload_weight": 0.0,
            "refusal_penalty": 0.0,
        },
    ),
    "NGOs choose which open tenders to bid for": Ablation(
        "bid_propensity",
        (0.2, 1.0),
        "bids_per_tender",
        True,
        {},
        # Shortlists: those invited bid by `invited_bid_chance`.
        {"tendering": "selective", "mass_org_tendering": "same"},
    ),
    "invited NGOs may decline to bid": Ablation(
        "invited_bid_chance",
        (0.3, 1.0),
        "bids_per_tender",
        True,
        {"tendering": "selective", "mass_org_tendering": "same"},
        {"tendering": "open", "mass_org_tendering": "same"},
    ),
    # Promised hours that weigh nothing in awards are never inflated (the next case
    # switches it off with an outcome that still varies).
    "bidders dare promise extra hours": Ablation(
        "max_bid_inflation",
        (0.0, 0.6),
        "bid_inflation",
        True,
        {},
        {"workload_weight": 0.0},
        off_constant=True,
    ),
    "bidders who dare promise extra hours deliver more": Ablation(
        "max_bid_inflation",
        (0.0, 0.6),
        "service_hours_per_1000",
        True,
        {},
        # Promised hours weigh nothing in awards, so no one promises more.
        {"workload_weight": 0.0},
    ),
    "reputation counts in the award": Ablation(
        "reputation_weight",
        (0.0, 1.0),
        "service_quality",
        True,
        {},
        # Direct awards score no competing bids; without a score penalty for refusing
        # duties, no NGO's compliance weighs what reputation is worth in merit.
        {"tendering": "direct", "mass_org_tendering": "same", "refusal_penalty": 0.0},
        seeds=12,
    ),
    # At the default, a change too small to tell apart on 8 seeds.
    "taking on a contract needs start-up money": Ablation(
        "startup_share",
        (0.0, 0.5),
        "bids_per_tender",
        False,
        {},
        # NGOs enter with reserves far beyond the most start-up money can be (2 x 14 x
        # 80,000 CNY), so it bars no bidder.
        {"initial_reserves": 1e9},
    ),
    # --- delivery (7.13, 7.14) ---------------------------------------------------------------
    "staff short of hours deliver less of the service": Ablation(
        "delivery_elasticity",
        (0.0, 1.5),
        "service_quality",
        False,
        # Officials claim more unpaid duties, which leave less time for the service.
        {"extra_duty_demand": 0.3},
        # Workers with 5,000 hours a year deliver every required hour.
        {"hours_per_worker": 5000.0},
    ),
    # --- strategy and advocacy (7.4, 7.5) ---------------------------------------------------
    "community associations and grassroots groups run few contracts": Ablation(
        "small_ngo_contracts",
        (1, 3),
        "money_share_community",
        True,
        {"share_community": 0.4},
        {"share_community": 0.0, "share_grassroots": 0.0},
        off_constant=True,
    ),
    # The contracts small NGOs may not take go to others, general agencies most.
    "small NGOs' few contracts leave the money to general agencies": Ablation(
        "small_ngo_contracts",
        (1, 3),
        "money_share_general",
        False,
        {"share_community": 0.4},
        # No community associations or grassroots groups: the cap binds no one.
        {"share_community": 0.0, "share_grassroots": 0.0},
    ),
    "specialists are more inclined to advocate": Ablation(
        "advocacy_specialist",
        (0.0, 4.0),
        "advocacy_share",
        True,
        {"advocacy_concentration": 20.0},
        {"share_specialist": 0.0},
        # With 8 seeds the interval cleared 0 by 1 SE only; with 24, by 4 or more.
        seeds=24,
    ),
    # With no obedience discount nothing is at stake, so caution holds nothing back.
    "NGOs hold back advocacy for what it costs them in awards": Ablation(
        "advocacy_caution",
        (0.0, 30.0),
        "advocacy_share",
        False,
        {"advocacy_concentration": 20.0},
        {"obedience_discount": 0.0},
    ),
    # --- their own parameter: the default against none ---------------------------------------
    # Courting takes the head's hours whatever the tie it buys (at the default, a
    # change too small to tell apart on 8 seeds).
    "courting officials takes hours from mission work": Ablation(
        "cultivation_hours",
        (0.0, 4 * DEFAULTS["cultivation_hours"]),
        "mission_share",
        False,
        {},
        # No NGO seeks contracts (none tolerates any burden, none runs short of money), so
        # no head courts an official; NGOs still do their own mission work.
        {"burden_tolerance": 0.0, "runway_years": 0.0},
    ),
    # The noise is in the scores themselves: no switch short of none. Scores without
    # it are exactly the evaluators' reading
    # (test_without_noise_scores_are_the_evaluators_reading).
    "evaluators' scores are noisy": Ablation(
        "evaluation_noise",
        (0.0, DEFAULTS["evaluation_noise"]),
        "score_quality_corr",
        False,
        {},
        None,
    ),
    "a new provider serves worse in its first year": Ablation(
        "new_provider_quality",
        (1.0, DEFAULTS["new_provider_quality"]),
        "service_quality",
        False,
        {},
        # Providers gain full continuity within their first year (all of it, over a
        # tenth of a year): no first year is worse, whatever quality it starts from.
        {"continuity_gain": 1.0, "continuity_scale": 0.1},
    ),
    # Reserves that keep every NGO without contracts above the floor keep every NGO
    # solvent too (survival 1 on every seed): the floor is tested directly in
    # test_the_reserve_floor_acts_only_by_closing_ngos.
    "NGOs without contracts close when their reserves run low": Ablation(
        "closure_reserves",
        (0.0, DEFAULTS["closure_reserves"]),
        "ngo_survival",
        False,
        {},
        None,
        # With 8 seeds the interval cleared 0 by about 2 SE on other seeds; with 24,
        # by nearly 4 or more.
        seeds=24,
    ),
}


@pytest.mark.parametrize("name", list(MORE))
def test_mechanism_moves_its_outcome(name: str) -> None:
    assert_moves(name, MORE[name])


@pytest.mark.parametrize("name", [n for n, c in MORE.items() if c.off is not None])
def test_switched_off_the_lever_changes_nothing(name: str) -> None:
    assert_switched_off(name, MORE[name])


def test_no_case_repeats_a_mechanism_of_test_mechanisms() -> None:
    """Each case here adds a lever or an outcome the table there does not test."""
    from test_mechanisms import ABLATIONS

    there = {(c.lever, c.outcome) for c in ABLATIONS.values()}
    assert not [n for n, c in MORE.items() if (c.lever, c.outcome) in there]


def test_without_noise_scores_are_the_evaluators_reading() -> None:
    """Without noise every score is exactly what its evaluator reads from the hours,
    documents and real quality (``evaluation._systematic``); with the default noise the
    scores stray from that reading and follow real quality less closely. The first
    year's real qualities are the same either way: the noise acts on nothing before the
    score."""
    real = evaluation.score_contracts
    seen: dict[float, list[tuple[np.ndarray, ...]]] = {}

    def observed(city: Any, rules: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        scores, quality, refused = real(city, rules)
        batch = city.batch
        weights = np.array([e.weights for e in city.evaluators])[batch.evaluator()]
        reading = evaluation._systematic(weights, evaluation._indicators(batch), refused, rules)
        seen[rules["evaluation_noise"]].append((scores, reading, quality))
        return scores, quality, refused

    def pooled(noise: float) -> tuple[np.ndarray, ...]:
        """Scores, readings and real qualities over the run's contract-years."""
        return tuple(np.concatenate(x) for x in zip(*seen[noise], strict=True))

    noisy = DEFAULTS["evaluation_noise"]
    with mock.patch.object(evaluation, "score_contracts", observed):
        for seed in range(2):
            for noise in (0.0, noisy):
                seen[noise] = []
                ContractingModel("baseline", rng=seed, years=6, evaluation_noise=noise).run()
            assert np.array_equal(seen[0.0][0][2], seen[noisy][0][2])
            scores, reading, _ = pooled(0.0)
            assert np.array_equal(scores, reading)
            scores, reading, quality = pooled(noisy)
            assert np.mean(scores != reading) > 0.9
            follows = np.corrcoef(scores, quality)[0, 1], np.corrcoef(reading, quality)[0, 1]
            assert follows[0] < follows[1], follows


def test_the_reserve_floor_acts_only_by_closing_ngos() -> None:
    """Without a floor no NGO closes for its reserves (insolvent ones still leave); with
    one, a run is the run without it until the year the first NGO closes for low
    reserves. Every NGO enters with the same ample reserves, so that year comes years
    in."""
    ample = {"initial_reserves": 6e5, "reserves_spread": 0.0, "grassroots_reserves": 1.0}
    for seed in range(4):
        without, floor = (
            ContractingModel("baseline", rng=seed, **SIZE, **ample, closure_reserves=v).run()
            for v in (0.0, DEFAULTS["closure_reserves"])
        )
        assert not any(r.closures for r in without.records)
        before, after = without.series(), floor.series()
        assert before.ngo_exits.sum() > 0
        first = [r.closures > 0 for r in floor.records].index(True)
        assert first > 0
        assert before.iloc[:first].equals(after.iloc[:first])
        assert not before.iloc[[first]].equals(after.iloc[[first]])
