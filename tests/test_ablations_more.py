"""Ablations of the mechanisms that ``test_mechanisms.ABLATIONS`` leaves out.

Each case follows ``test_mechanisms``: with the mechanism on, the 95% CI of the paired
difference of the outcome (lever's second value minus first, same seeds) lies on the
expected side of zero; with it off, the lever changes the outcome on no seed. Cases share
that module's runs (same size, same cache), so a context used there costs nothing here.
"""

from __future__ import annotations

import pytest
from test_mechanisms import Ablation, assert_moves, assert_switched_off

from simcontract.params import DEFAULTS

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
        {"tie_density": 0.0, "tie_cultivation": 0.0},
        off_constant=True,
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
    # With the leaders' full endorsement every purchaser is authorised, whatever its
    # standing: every contract runs `contract_years`.
    "the finance bureau grants bureaux' requests": Ablation(
        "bureau_standing",
        (0.0, 1.0),
        "contract_length_mean",
        True,
        {"multiyear_endorsement": 0.0},
        {"multiyear_endorsement": 1.0},
        off_constant=True,
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
    # Without discounts every bid is at the ceiling: all that price weight could favour.
    "a low price counts in the award": Ablation(
        "price_weight",
        (0.0, 1.0),
        "winning_price_ratio",
        False,
        {},
        {"max_discount": 0.0},
        off_constant=True,
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
    # Promised hours that weigh nothing in awards are never inflated.
    "bidders dare promise extra hours": Ablation(
        "max_bid_inflation",
        (0.0, 0.6),
        "bid_inflation",
        True,
        {},
        {"workload_weight": 0.0},
        off_constant=True,
    ),
    # Reputation counts in merit, shortlists and the acceptance floor alike: no switch
    # but its weight.
    "reputation counts in the award": Ablation(
        "reputation_weight",
        (0.0, 1.0),
        "service_quality",
        True,
        {},
        None,
        seeds=12,
    ),
    # At the default, a change too small to tell apart on 8 seeds.
    "taking on a contract needs start-up money": Ablation(
        "startup_share",
        (0.0, 0.5),
        "bids_per_tender",
        False,
        {},
        None,
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
    # --- no switch but their own parameter: the default against none ------------------------
    # Courting takes the head's hours whatever the tie it buys (at the default, a
    # change too small to tell apart on 8 seeds).
    "courting officials takes hours from mission work": Ablation(
        "cultivation_hours",
        (0.0, 4 * DEFAULTS["cultivation_hours"]),
        "mission_share",
        False,
        {},
        None,
    ),
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
        None,
    ),
    "NGOs without contracts close when their reserves run low": Ablation(
        "closure_reserves",
        (0.0, DEFAULTS["closure_reserves"]),
        "ngo_survival",
        False,
        {},
        None,
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
