"""Ablations of the behavioural parameters the other ablation tables leave out: noise
terms, starting distributions and the mechanisms no case there switches off.

Three kinds of case:

- ``REST``: whole runs, checked as in ``test_mechanisms`` (same size, same cache).
  Where no context of whole runs leaves the lever without its pathway and the outcome
  still varying, a test of its own checks the pathway directly: on one year's
  delivery, on one tender's bids, or on every other outcome of whole runs.
- ``DRAWS``: what a starting distribution or a yearly draw gives each NGO, official or
  street, read from markets on the model's own generators. On the same seeds, the
  lever's second value moves a statistic of the draws (their range, or the mean of one
  kind of NGO) by a 95% CI of the paired difference on the expected side of zero.
  Switched off (a degenerate distribution) the statistic is 0 on every seed; where the
  allowed range has no degenerate value, or the lever shifts a mean, whole runs in a
  context that draws nothing are the same with either value.
- The noise terms of the tender (awards, prices, shortlists, the hub's pool): with the
  default noise the dispersion it adds is above 0 by a paired CI; without, it is 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pytest
from test_mechanisms import SIZE, Ablation, assert_moves, assert_switched_off
from test_tendering import bids, market

from simcontract import ContractingModel
from simcontract.batch import YearBatch
from simcontract.experiment.stats import paired_difference
from simcontract.outcomes import YearRecord
from simcontract.params import DEFAULTS, ORIGINS
from simcontract.phases import delivery, entry, tendering, workforce
from simcontract.phases.tendering import Terms, pick_winner

REST = {
    # --- entry (ODD 7.2) -----------------------------------------------------------------
    # No entry at all under dual sponsorship without sponsors: nothing left to scale
    # (and no entries to count; the next case counts the NGOs active instead).
    "funding on offer draws new NGOs": Ablation(
        "entry_rate",
        (0.0, 0.3),
        "ngo_entries",
        True,
        {},
        {"registration": "dual_sponsor", "sponsor_entry_factor": 0.0},
        off_constant=True,
    ),
    # Without entry the NGOs present at the start still close at rates that vary from
    # seed to seed.
    "funding on offer draws new NGOs (NGOs active)": Ablation(
        "entry_rate",
        (0.0, 0.3),
        "active_ngos",
        True,
        {},
        {"registration": "dual_sponsor", "sponsor_entry_factor": 0.0},
    ),
    "purchasers see untried entrants as middling": Ablation(
        "newcomer_reputation",
        (0.25, 0.75),
        "never_contracted_share",
        False,
        {},
        # Only the NGOs present at the start.
        {"entry_rate": 0.0},
    ),
    # --- tendering (7.6, 7.8) ---------------------------------------------------------------
    # Without discounts every bid is at the ceiling, whatever the mean discount (the
    # ratio is then 1; the next case counts what purchasers pay instead).
    "bidders cut their prices": Ablation(
        "base_discount",
        (0.0, 0.6),
        "winning_price_ratio",
        False,
        {},
        {"max_discount": 0.0},
        off_constant=True,
    ),
    # At the ceiling purchasers pay the same whatever the mean discount, for a number of
    # contracts that varies from seed to seed.
    "bidders cut their prices (what purchasers pay)": Ablation(
        "base_discount",
        (0.0, 0.6),
        "public_spend",
        False,
        {},
        {"max_discount": 0.0},
    ),
    # Promised hours that weigh nothing in awards are never inflated, however daring.
    # The Beta draw of dare takes more or fewer random numbers as its shapes change, so
    # `dare_a` and `dare_b` change every later draw of a run and no context leaves whole
    # runs the same; test_daring_ngos_promise_more_hours_only_where_hours_count checks
    # the bids directly.
    "daring NGOs promise more hours (a)": Ablation(
        "dare_a",
        (0.5, 5.0),
        "bid_inflation",
        True,
        {},
        {"workload_weight": 0.0},
        off_constant=True,
    ),
    "daring NGOs promise more hours (b)": Ablation(
        "dare_b",
        (0.5, 5.0),
        "bid_inflation",
        False,
        {},
        {"workload_weight": 0.0},
        off_constant=True,
    ),
    # The hub's pool: at least `hub_pool_size` members, more while their spare capacity
    # falls short of `hub_spare_ratio` times the slots to fill. At the defaults the spare
    # capacity decides alone (`hub_pool_size` from 3 to 30 changes nothing), so the size
    # is tested with no spare capacity asked for. In open tenders no purchaser asks the
    # hub, which then admits nobody.
    "the hub keeps a pool of its own size": Ablation(
        "hub_pool_size",
        (3, 30),
        "provider_diversity",
        True,
        {"tendering": "intermediary", "mass_org_tendering": "same", "hub_spare_ratio": 0.0},
        {"tendering": "open", "mass_org_tendering": "same"},
    ),
    "the hub admits members until they can fill its slots": Ablation(
        "hub_spare_ratio",
        (0.0, 5.0),
        "provider_diversity",
        True,
        {"tendering": "intermediary", "mass_org_tendering": "same"},
        {"tendering": "open", "mass_org_tendering": "same"},
    ),
    # The cost of proposals (7.6): an NGO answers at most `bids_per_free_contract` open
    # tenders per further contract it has room for, counting at most
    # `free_contracts_counted` of those. Selective tenders go by shortlists: no NGO
    # chooses which tenders to answer, so the cap has nothing to cap.
    "writing proposals is costly (tenders per free contract)": Ablation(
        "bids_per_free_contract",
        (2, 6),
        "bids_per_tender",
        True,
        {},
        {"tendering": "selective", "mass_org_tendering": "same"},
        # On 8 seeds the interval cleared 0 by 2.8 SE; on 16, by 6 or more.
        seeds=16,
    ),
    "writing proposals is costly (free contracts counted)": Ablation(
        "free_contracts_counted",
        (1, 4),
        "bids_per_tender",
        True,
        {},
        {"tendering": "selective", "mass_org_tendering": "same"},
        seeds=12,
    ),
    # The floor holds in every procedure, for reputations after every adjustment. At the
    # default (0.25) it turns few bidders away: failed tenders rise by about 0.005 from
    # a floor of 0, too little to tell apart on 32 seeds. Where reputations never move
    # from where they start (0.5 to 0.7, entrants 0.5) and no purchaser marks a bidder
    # down, no bidder is below a floor of 0.5; tenders still fail where nobody bids.
    "purchasers turn away bidders below a reputation floor": Ablation(
        "min_reputation",
        (0.0, 0.5),
        "failed_tender_rate",
        True,
        {},
        {
            "reputation_memory": 1.0,
            "initial_reputation_low": 0.5,
            "newcomer_reputation": 0.5,
            "blame_penalty": 0.0,
            "reshuffle": 0.0,
            "obedience_discount": 0.0,
        },
    ),
    # --- officials (7.3) -------------------------------------------------------------------
    # Stronger first ties weigh more in awards; without first ties (only courted ones)
    # their strength changes nothing.
    "new officials' ties are strong (the top)": Ablation(
        "initial_tie_high",
        (0.3, 1.0),
        "tied_award_share",
        True,
        {"favouritism": 0.5},
        {"tie_density": 0.0},
        seeds=16,
    ),
    "new officials' ties are strong (the bottom)": Ablation(
        "initial_tie_low",
        (0.0, 0.8),
        "tied_award_share",
        True,
        {"favouritism": 0.5, "initial_tie_high": 0.8},
        {"tie_density": 0.0},
        seeds=16,
    ),
    # --- delivery, quality and evaluation (7.13, 7.14, 7.15) --------------------------------
    # What activities take from the price is not there for wages, so contracts afford
    # fewer staff than they require. Where wages are low (10,000 a year), the wage money
    # of every contract pays all the staff it requires and leaves a surplus: what
    # activities take changes no contract's staff, and no NGO runs short for it.
    "activities take money from wages": Ablation(
        "activity_share",
        (0.0, 0.6),
        "hours_delivered_ratio",
        False,
        {},
        {"wage": 10_000.0},
    ),
    # No switch but its own value, which scales every contract's quality;
    # test_novice_quality_is_what_staff_without_experience_serve checks it contract by
    # contract.
    "staff without experience serve at a base quality": Ablation(
        "novice_quality",
        (0.3, 0.8),
        "service_quality",
        True,
        {},
        None,
    ),
    # Scores see real quality only through their outcome indicator: evaluators that
    # weigh outcomes at nothing (in the default mixed regime) score the same whatever
    # the staff serve.
    "staff without experience serve at a base quality (scores)": Ablation(
        "novice_quality",
        (0.3, 0.8),
        "evaluation_score",
        True,
        {},
        {"mixed_regime_outcome": 0.0},
    ),
    # Slow-building experience is worth nothing when experience adds nothing.
    "experience builds up over years": Ablation(
        "experience_scale",
        (0.5, 10.0),
        "service_quality",
        False,
        {},
        {"experience_gain": 0.0},
    ),
    # No switch but its own value: it scales every contract's paperwork, so none is
    # left without it; test_documentation_base_is_the_paperwork_every_evaluation_needs
    # checks the hours directly. It also sets the burden NGOs expect in year 1, before
    # any was seen (strategy._seek_contracts).
    "every evaluation needs its paperwork": Ablation(
        "documentation_base",
        (0.0, 2 * DEFAULTS["documentation_base"]),
        "documentation_share",
        True,
        {},
        None,
    ),
    # Agencies that never change bring no system to learn.
    "learning a new indicator system takes years": Ablation(
        "indicator_learning_scale",
        (0.2, 5.0),
        "documentation_share",
        True,
        {"evaluator_tenure": 2.0},
        {"evaluator_tenure": 0.0},
        # With 16 seeds the interval cleared 0 by 2 SE only; with 32, by 3 or more.
        seeds=32,
    ),
    # --- money (7.12) ------------------------------------------------------------------------
    "grassroots groups enter with little money and close sooner": Ablation(
        "grassroots_reserves",
        (0.1, 3.0),
        "ngo_survival",
        True,
        {},
        {"share_grassroots": 0.0},
    ),
    # Reserves are what NGOs without contracts live on. Where every NGO is a grassroots
    # group that enters with nothing (`grassroots_reserves` 0), the mean reserves have
    # nothing to scale; the groups still survive or close as contracts and other income
    # come.
    "NGOs enter with reserves to live on": Ablation(
        "initial_reserves",
        (100_000.0, 1_600_000.0),
        "ngo_survival",
        True,
        {},
        {
            "share_grassroots": 1.0,
            "share_specialist": 0.0,
            "share_community": 0.0,
            "grassroots_reserves": 0.0,
        },
    ),
    # A measure, not a mechanism: which NGOs count as highly dependent (nothing else
    # changes: test_the_dependence_threshold_changes_only_what_counts_as_high). With
    # other income a trifle (10,000 a year) an NGO lives on its contracts (dependence
    # above 0.97) or holds none (0): no NGO lies between the two thresholds.
    "dependence counts as high from a threshold": Ablation(
        "dependence_threshold",
        (0.5, 0.95),
        "dependence_high_share",
        False,
        {},
        {"other_income": 10_000.0},
    ),
}


@pytest.mark.parametrize("name", list(REST))
def test_mechanism_moves_its_outcome(name: str) -> None:
    assert_moves(name, REST[name])


@pytest.mark.parametrize("name", [n for n, c in REST.items() if c.off is not None])
def test_switched_off_the_lever_changes_nothing(name: str) -> None:
    assert_switched_off(name, REST[name])


def test_no_case_repeats_a_mechanism_of_the_other_tables() -> None:
    """Each case here adds a lever or an outcome the other tables do not test."""
    from test_ablations_more import MORE
    from test_mechanisms import ABLATIONS

    there = {(c.lever, c.outcome) for c in (*ABLATIONS.values(), *MORE.values())}
    assert not [n for n, c in REST.items() if (c.lever, c.outcome) in there]


def test_the_dependence_threshold_changes_only_what_counts_as_high() -> None:
    """The threshold only counts NGOs: every other outcome is the same."""
    for seed in range(3):
        low, high = (
            ContractingModel("baseline", rng=seed, **SIZE, dependence_threshold=v).run().summary()
            for v in (0.5, 0.95)
        )
        assert low["dependence_high_share"] > high["dependence_high_share"]
        moved = [
            k
            for k in low
            if k != "dependence_high_share"
            and low[k] != high[k]
            and not (math.isnan(low[k]) and math.isnan(high[k]))
        ]
        assert not moved, moved


def _delivered_again(
    seed: int, changes: dict[str, Any], experience: float | None = None
) -> YearBatch:
    """The contracts in force after three years of the baseline market, staffed and
    delivered again under the year's rules with ``changes``; with ``experience``, every
    worker has that many years of it as they serve."""
    model = ContractingModel("baseline", rng=seed, years=4)
    for _ in range(3):
        model.step()
    model.rules.update(changes)
    city = model.cities[0]
    city.batch = batch = YearBatch.of(city)
    record = YearRecord(year=model.year)
    workforce.staff_contracts(city, model.rules, record)
    if experience is not None:
        workers = batch.state.workforce
        workers.experience[: workers.size] = experience
    delivery.deliver_services(city, model.rules, record)
    return batch


def test_novice_quality_is_what_staff_without_experience_serve() -> None:
    """On the same contracts, staff without any experience serve in proportion to
    ``novice_quality``; staff whose experience brings the service up to the provider's
    skill (``experience_gain`` 1 and long experience) serve the same whatever it is."""
    low, high = 0.3, 0.8
    for seed in range(3):
        novices = [
            _delivered_again(seed, {"novice_quality": v}, 0.0).contract_values("quality")
            for v in (low, high)
        ]
        assert np.count_nonzero(novices[0]) > 0, novices
        np.testing.assert_allclose(novices[1], novices[0] * high / low, rtol=1e-12)
        veterans = [
            _delivered_again(
                seed, {"novice_quality": v, "experience_gain": 1.0}, 100.0
            ).contract_values("quality")
            for v in (low, high)
        ]
        assert np.count_nonzero(veterans[0]) > 0, veterans
        assert np.array_equal(veterans[0], veterans[1]), veterans


def test_documentation_base_is_the_paperwork_every_evaluation_needs() -> None:
    """On the same contracts: without a base no contract needs paperwork and no staff
    hour goes to it; each contract's needs grow in proportion to the base, and with the
    default base every NGO holding a contract spends hours on paperwork."""
    base = DEFAULTS["documentation_base"]
    for seed in range(3):
        none, some, twice = (
            _delivered_again(seed, {"documentation_base": v}) for v in (0.0, base, 2 * base)
        )
        held = some.held() > 0
        assert held.any()
        assert np.all(none.doc_needs == 0.0), none.doc_needs
        assert np.all(none.get("hours_documentation") == 0.0)
        assert np.all(some.doc_needs > 0.0), some.doc_needs
        np.testing.assert_allclose(twice.doc_needs, 2.0 * some.doc_needs, rtol=1e-12)
        assert np.all(some.get("hours_documentation")[held] > 0.0)


def test_daring_ngos_promise_more_hours_only_where_hours_count() -> None:
    """Dare is how far an NGO inflates the hours it promises: of NGOs alike but in
    dare, the more daring promise more where promised hours weigh in awards, and every
    one promises the required hours where they weigh nothing. The shapes of its Beta
    draw move the dare NGOs enter with: ``dare_a`` up, ``dare_b`` down."""
    for weight in (DEFAULTS["workload_weight"], 0.0):
        m = market(tendering="open", workload_weight=weight)
        alike = [m.add(dare=d) for d in np.linspace(0.0, 1.0, 6)]
        promised = np.array(m.bids(alike, m.bureau).promised)
        required = m.p["required_hours"]
        if weight > 0.0:
            assert promised[0] == required and np.all(np.diff(promised) > 0.0), promised
        else:
            assert np.all(promised == required), promised
    values = (0.5, 5.0)
    for lever, up in (("dare_a", True), ("dare_b", False)):
        a, b = (
            np.array([np.mean(_entrants(_market({lever: v}, s, 0), "dare")) for s in range(12)])
            for v in values
        )
        _assert_moved("entrants' dare", lever, values, a, b, up)


# ----------------------------------------------------------------------- starting draws
Measure = Callable[[ContractingModel], float]


class Draw(NamedTuple):
    """A draw, the statistic of it that the lever moves, and how to switch it off.

    ``measure`` reads the statistic from a market built on the baseline with ``on`` and
    the lever (and run ``years`` years). ``off`` is ``None`` when ``values[0]`` makes the
    draw degenerate (the statistic is then 0); otherwise it is a context in which the
    lever changes no NGO, official or street of the market.
    """

    lever: str
    values: tuple[Any, Any]
    measure: Measure
    up: bool
    on: dict[str, Any]
    off: dict[str, Any] | None = None
    years: int = 0
    seeds: int = 12


def _market(items: dict[str, Any], seed: int, years: int) -> ContractingModel:
    """The baseline market with ``items``, set up and run ``years`` years."""
    model = ContractingModel("baseline", rng=seed, years=max(years, 1), **items)
    for _ in range(years):
        model.step()
    return model


def _column(model: ContractingModel, name: str, origin: str | None = None) -> np.ndarray:
    """One attribute of every NGO of the market's city (of one origin)."""
    state = model.cities[0].ngo_state
    values = getattr(state, name)[: state.size]
    if origin is None:
        return values
    return values[state.origin_code[: state.size] == ORIGINS.index(origin)]


def _spread(values: np.ndarray) -> float:
    """Range of the values: exactly 0 when all are the same (or there are none)."""
    return float(np.ptp(values)) if len(values) else 0.0


def _founders(model: ContractingModel) -> np.ndarray:
    """Years of experience of the directors of the NGOs present at the start."""
    workforce = model.cities[0].ngo_state.workforce
    return workforce.experience[: workforce.size]


def _entrants(model: ContractingModel, name: str) -> np.ndarray:
    """An attribute of 40 entrants registered now, drawn by the model's generator."""
    city = model.cities[0]
    made = entry.new_ngos(city, model.rules, 40, initial=False)
    rows = np.array([n.row for n in made])
    if name == "experience":
        workforce = city.ngo_state.workforce
        hired = workforce.row[: workforce.size]
        return workforce.experience[: workforce.size][np.isin(hired, rows)]
    return getattr(city.ngo_state, name)[rows]


def _terms(model: ContractingModel) -> np.ndarray:
    """Length of the term of every official of the start."""
    cadres = [pu.cadre for pu in model.cities[0].purchasers]
    return np.array([c.term_end - c.arrived + 1 for c in cadres], float)


def _ties(model: ContractingModel) -> np.ndarray:
    """Strength of every tie the officials of the start bring."""
    return np.array([t for pu in model.cities[0].purchasers for t in pu.cadre.ties.values()])


def _populations(model: ContractingModel) -> np.ndarray:
    """Residents of every bureau's street (drawn when the year opens)."""
    return np.array(
        [s.population for pu in model.cities[0].purchasers for s in pu.slots if s.population > 0]
    )


def _skill_mean(origin: str) -> Measure:
    """Mean skill of the NGOs of ``origin``."""
    return lambda m: float(np.mean(_column(m, "skill", origin)))


def _without(origin: str) -> dict[str, float]:
    """Origin shares with no NGO of ``origin`` (the others in their default proportions)."""
    shares = {o: DEFAULTS[f"share_{o}"] for o in ORIGINS[1:]}
    shares["general"] = 1.0 - sum(shares.values())
    shares[origin] = 0.0
    total = sum(shares.values())
    return {f"share_{o}": shares[o] / total for o in ORIGINS[1:]}


DRAWS = {
    # --- what NGOs bring (ODD 7.2) ---------------------------------------------------------
    "entering NGOs' reserves differ": Draw(
        "reserves_spread",
        (0.0, DEFAULTS["reserves_spread"]),
        # Within one level: grassroots groups hold `grassroots_reserves` times as much.
        lambda m: _spread(
            np.log(_column(m, "reserves")[_column(m, "origin_code") != ORIGINS.index("grassroots")])
        ),
        True,
        {},
    ),
    "grassroots groups enter with less money": Draw(
        "grassroots_reserves",
        (0.3, 3.0),
        lambda m: float(np.mean(_column(m, "reserves", "grassroots"))),
        True,
        {},
        _without("grassroots"),
    ),
    "directors of the first NGOs differ in experience": Draw(
        "initial_experience",
        (0.0, DEFAULTS["initial_experience"]),
        lambda m: _spread(_founders(m)),
        True,
        {},
    ),
    "entrants' directors differ in experience": Draw(
        "entrant_experience",
        (0.0, DEFAULTS["entrant_experience"]),
        lambda m: _spread(_entrants(m, "experience")),
        True,
        {},
    ),
    # Year 1 draws its entrants as if this share of the year before's bids were
    # newcomers'; later years count the bids.
    "newcomers assumed to bid before the first year open it to entry": Draw(
        "first_year_newcomer_share",
        (0.0, 1.0),
        lambda m: float(m.records[0].entries),
        True,
        {},
        # A market fully open whoever bid the year before.
        {"entry_openness_floor": 1.0},
        years=1,
    ),
    "purchasers see the first NGOs' reputations apart": Draw(
        "initial_reputation_high",
        (DEFAULTS["initial_reputation_low"], DEFAULTS["initial_reputation_high"]),
        lambda m: _spread(_column(m, "reputation")),
        True,
        {},
    ),
    "the first NGOs' reputations reach down": Draw(
        "initial_reputation_low",
        (DEFAULTS["initial_reputation_high"], DEFAULTS["initial_reputation_low"]),
        lambda m: _spread(_column(m, "reputation")),
        True,
        {},
    ),
    "the first NGOs come with track records": Draw(
        "initial_track_record",
        (0, DEFAULTS["initial_track_record"]),
        lambda m: _spread(_column(m, "track_record")),
        True,
        {},
    ),
    "entrants' reputation is what purchasers assume": Draw(
        "newcomer_reputation",
        (0.25, 0.75),
        lambda m: float(np.mean(_entrants(m, "reputation"))),
        True,
        {},
        # Entrants only.
        {"entry_rate": 0.0},
    ),
    "some general agencies serve the whole city": Draw(
        "multi_district_share",
        (0.0, DEFAULTS["multi_district_share"]),
        lambda m: float(np.mean(_column(m, "citywide", "general"))),
        True,
        {},
    ),
    "NGOs differ in how much burden they bear": Draw(
        "tolerance_concentration",
        (1000.0, DEFAULTS["tolerance_concentration"]),
        lambda m: _spread(_column(m, "tolerance")),
        True,
        {},
        # Every NGO bears any burden: nothing drawn.
        {"burden_tolerance": 1.0},
    ),
    "a few NGOs are vocal": Draw(
        "advocacy_concentration",
        (1000.0, DEFAULTS["advocacy_concentration"]),
        lambda m: _spread(_column(m, "inclination", "general")),
        True,
        {},
        # No NGO inclined to advocate: nothing drawn.
        {"advocacy_inclination": 0.0},
    ),
    # A Beta(a, b) has mean a / (a + b): `a` raises an origin's skill and `b` lowers it;
    # where there is no NGO of the origin, neither changes anything.
    **{
        f"{o}s' skill ({shape})": Draw(
            f"skill_{o}_{shape}",
            (1.0, 8.0),
            _skill_mean(o),
            shape == "a",
            {},
            _without(o),
        )
        for o in ORIGINS
        for shape in ("a", "b")
    },
    # --- officials (7.3) ---------------------------------------------------------------------
    # The allowed range has no degenerate gamma: its largest shape leaves terms of about
    # `rotation_years` plus or minus a tenth.
    "officials' terms differ in length": Draw(
        "term_shape",
        (100.0, DEFAULTS["term_shape"]),
        lambda m: _spread(_terms(m)),
        True,
        {},
        # Officials who never rotate serve no term.
        {"rotation_years": 0.0},
    ),
    "new officials' ties differ in strength": Draw(
        "initial_tie_low",
        (DEFAULTS["initial_tie_high"], DEFAULTS["initial_tie_low"]),
        lambda m: _spread(_ties(m)),
        True,
        {},
    ),
    "new officials' ties reach up": Draw(
        "initial_tie_high",
        (DEFAULTS["initial_tie_low"], DEFAULTS["initial_tie_high"]),
        lambda m: _spread(_ties(m)),
        True,
        {},
    ),
    # --- streets and money (7.1, 7.12) ------------------------------------------------------
    "streets differ in population (the top)": Draw(
        "street_population_high",
        (DEFAULTS["street_population_low"], DEFAULTS["street_population_high"]),
        lambda m: _spread(_populations(m)),
        True,
        {},
        years=1,
    ),
    "streets differ in population (the bottom)": Draw(
        "street_population_low",
        (DEFAULTS["street_population_high"], DEFAULTS["street_population_low"]),
        lambda m: _spread(_populations(m)),
        True,
        {},
        years=1,
    ),
    "NGOs' other income varies from year to year": Draw(
        "other_income_spread",
        (0.0, DEFAULTS["other_income_spread"]),
        lambda m: _spread(np.log(_column(m, "revenue_other", "general"))),
        True,
        {},
        years=1,
    ),
    **{
        f"{o}s raise other income of their own": Draw(
            f"other_income_{o}",
            (0.2, 3.0),
            lambda m, o=o: float(np.mean(_column(m, "revenue_other", o))),
            True,
            {},
            _without(o),
            years=1,
        )
        for o in ORIGINS[1:]
    },
}


def _statistics(case: Draw, context: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    arms = []
    for value in case.values:
        items = {**context, case.lever: value}
        arms.append(
            np.array([case.measure(_market(items, s, case.years)) for s in range(case.seeds)])
        )
    return arms[0], arms[1]


def _assert_moved(
    name: str, lever: str, values: tuple[Any, Any], a: np.ndarray, b: np.ndarray, up: bool
) -> None:
    """The paired 95% CI of ``b - a`` (same seeds) lies above 0, or below for ``up=False``."""
    ci = paired_difference(a, b)
    assert ci.low > 0 if up else ci.high < 0, (
        f"{name}: {lever} {values[0]} -> {values[1]} moves the statistic by {ci.mean:.4g}, "
        f"95% CI [{ci.low:.4g}, {ci.high:.4g}] over {ci.n} seeds; expected "
        f"{'above' if up else 'below'} 0"
    )


@pytest.mark.parametrize("name", list(DRAWS))
def test_the_draw_moves_its_statistic(name: str) -> None:
    case = DRAWS[name]
    _assert_moved(name, case.lever, case.values, *_statistics(case, case.on), case.up)


@pytest.mark.parametrize("name", [n for n, c in DRAWS.items() if c.off is None])
def test_a_degenerate_draw_gives_every_one_the_same(name: str) -> None:
    case = DRAWS[name]
    a, _ = _statistics(case, case.on)
    assert np.all(a == 0.0), f"{name}: {case.lever}={case.values[0]} still spreads: {a}"


@pytest.mark.parametrize("name", [n for n, c in DRAWS.items() if c.off is not None])
def test_where_nothing_is_drawn_the_lever_changes_nothing(name: str) -> None:
    """Under the off context, whole runs with either value of the lever are the same:
    every NGO's life history and every year's outcomes."""
    case = DRAWS[name]
    context = {**case.on, **case.off, **SIZE}
    for seed in range(4):
        runs = [
            ContractingModel("baseline", rng=seed, **context, **{case.lever: v}).run()
            for v in case.values
        ]
        pd.testing.assert_frame_equal(runs[0].ngo_table(), runs[1].ngo_table(), check_exact=True)
        pd.testing.assert_frame_equal(runs[0].series(), runs[1].series(), check_exact=True)


# ----------------------------------------------------------------- noise in the tender
SEEDS = range(12)


def _paired_noise(name: str, measure: Callable[[int, float], float], lever: str) -> None:
    """With the default noise the measure is above 0 by a paired CI; without, 0."""
    values = (0.0, DEFAULTS[lever])
    off, on = (np.array([measure(s, v) for s in SEEDS]) for v in values)
    assert np.all(off == 0.0), f"{name}: {lever}=0 still gives {off}"
    _assert_moved(name, lever, values, off, on, True)


def _best_scored_loses(seed: int, noise: float) -> float:
    """Share of 50 awards among three acceptable bids scored a hundredth apart that the
    best-scored bid loses."""
    m = market(seed, award_noise=noise)
    three = bids([1.0] * 3, [1.0] * 3, [0.5] * 3, [0.0] * 3)
    total = [0.50, 0.49, 0.48]
    terms = Terms.of(m.p)
    return float(np.mean([pick_winner(m.city, three, total, terms) != 0 for _ in range(50)]))


def test_award_noise_lets_the_best_scored_bid_lose() -> None:
    """Judgement the scores leave out: the best-scored bid does not always win."""
    _paired_noise("award noise", _best_scored_loses, "award_noise")


def _price_spread(seed: int, noise: float) -> float:
    """Spread of the prices that six alike bidders (none holding a contract) offer."""
    m = market(seed, tendering="open", discount_noise=noise)
    alike = [m.add() for _ in range(6)]
    return _spread(np.array(m.bids(alike, m.bureau).price))


def test_discount_noise_sets_alike_bidders_prices_apart() -> None:
    _paired_noise("discount noise", _price_spread, "discount_noise")


# Nothing but reputation in the purchaser's view: no caution, patronage, trust or new
# broom adjusts it, and a slot funded at set-up has no incumbent.
PLAIN = {"blame_avoidance": 0.0, "partnership": 0.0, "local_trust": 0.0, "reshuffle": 0.0}


def _inversions(reputation: list[float]) -> float:
    """Share of pairs in which the one placed first has the lower reputation."""
    r = np.array(reputation)
    first, second = np.triu_indices(len(r), 1)
    return float(np.mean(r[first] < r[second]))


def _shortlist_inversions(seed: int, noise: float) -> float:
    """How far a bureau's ranking of every NGO of the city departs from reputation."""
    model = ContractingModel("baseline", rng=seed, rank_noise=noise, **PLAIN)
    city = model.cities[0]
    bureau = next(pu for pu in city.purchasers if pu.kind == "bureau")
    order = tendering.rank(
        city, list(city.ngos), bureau.slots[0], Terms.of(model.rules), ties=False
    )
    return _inversions([n.reputation for n in order])


def test_rank_noise_puts_lower_reputations_ahead_on_shortlists() -> None:
    _paired_noise("rank noise", _shortlist_inversions, "rank_noise")


def _hub_outranked(seed: int, noise: float) -> float:
    """Share of the NGOs a new hub admits that a better-reputed NGO left out outranks."""
    # A pool of `hub_pool_size`, however little spare capacity it has.
    items = {"hub_noise": noise, "hub_citywide_preference": 0.0, "hub_spare_ratio": 0.0}
    model = ContractingModel("baseline", rng=seed, **items)
    city = model.cities[0]
    city.hub.refresh_pool(list(city.ngos), 5, model.rules, city.rng)
    admitted = {n.unique_id for n in city.hub.pool}
    best = sorted(city.ngos, key=lambda n: -n.reputation)[: len(admitted)]
    return 1.0 - len(admitted & {n.unique_id for n in best}) / len(admitted)


def test_hub_noise_admits_some_below_the_best_reputed() -> None:
    _paired_noise("hub noise", _hub_outranked, "hub_noise")
