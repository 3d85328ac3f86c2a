"""Tender modes, bid scoring, acceptability and eligibility, on hand-built markets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import numpy as np
import pytest

from simcontract import ContractingModel, Scenario, openround
from simcontract.agents import NGO, Bureau, City, Contract, MassOrganisation, Purchaser, Slot
from simcontract.outcomes import YearRecord
from simcontract.params import DEFAULTS, REGIMES
from simcontract.phases import tendering
from simcontract.phases.tendering import (
    Bids,
    Terms,
    award_weights,
    make_bids,
    pick_winner,
    score_bids,
    tender_round,
)
from simcontract.scenario import Rules


# ------------------------------------------------------------------ a hand-built market
@dataclass
class Tender:
    """What happened in one tender."""

    contract: Contract | None
    record: YearRecord
    bidders: list[NGO] = field(default_factory=list)


@dataclass
class Market:
    """One city with one bureau and one mass organisation (both in district 0, both
    buying 'family' services) and only the NGOs a test adds."""

    model: ContractingModel
    city: City
    bureau: Bureau
    mass_org: MassOrganisation

    @property
    def p(self) -> Rules:
        return self.model.rules

    def eligible(self, ngo: NGO, purchaser: Purchaser) -> bool:
        """:func:`tendering.eligible` as a tender round opened now would see it."""
        tendering.open_books(self.city, self.p)
        return tendering.eligible(ngo, purchaser)

    def bids(self, bidders: list[NGO], purchaser: Purchaser) -> Bids:
        """The bids ``bidders`` make for ``purchaser``'s first slot."""
        return make_bids(self.city, purchaser.slots[0], bidders, Terms.of(self.p))

    def add(
        self,
        origin: str = "general",
        *,
        district: int = 0,
        multi: bool = False,
        sector: str | None = None,
        reputation: float = 0.5,
        track_record: int = 5,
        reserves: float = 1e6,
        dare: float = 0.5,
        city: int = 0,
    ) -> NGO:
        ngo = NGO(
            self.model,
            origin,
            city,
            district,
            multi_district=multi,
            sector=sector,
            skill=0.6,
            dare=dare,
            reserves=reserves,
            reputation=reputation,
            entry_year=0,
        )
        ngo.track_record = track_record
        home = self.model.cities[city]
        home.ngos.append(ngo)
        home.index_ngos()
        return ngo

    def hold(self, ngo: NGO, purchaser: Purchaser) -> Contract:
        """Give ``ngo`` a running contract on a fresh slot of ``purchaser``."""
        slot = Slot(purchaser)
        purchaser.slots.append(slot)
        contract = Contract(
            slot=slot,
            ngo=ngo,
            price=self.p["contract_value"],
            start=1,
            end=10,
            promised_hours=self.p["required_hours"],
            required_hours=self.p["required_hours"],
        )
        slot.contract = contract
        ngo.contracts.append(contract)
        return contract

    def tender(self, purchaser: Purchaser) -> Tender:
        """Run the city's yearly tender round (``tender_round``) with only
        ``purchaser``'s first empty slot on offer, and report the bidders and the award."""
        others = {pu: pu.slots for pu in self.city.purchasers if pu is not purchaser}
        for pu in others:
            pu.slots = [s for s in pu.slots if s.contract is not None]
        mine = purchaser.slots
        empty = [s for s in mine if s.contract is None][:1]
        purchaser.slots = [s for s in mine if s.contract is not None] + empty
        record = YearRecord(year=self.model.year)
        seen: list[list[NGO]] = []
        real = tendering.bidders_for

        def spy(*args: Any, **kwargs: Any) -> list[NGO]:
            result = real(*args, **kwargs)
            seen.append(list(result))
            return result

        rounds: list[openround.OpenRound] = []
        start = openround.OpenRound.start.__func__

        def opened(cls: type, *args: Any) -> openround.OpenRound:
            rounds.append(start(cls, *args))
            return rounds[-1]

        try:
            # The tender runs on its own (run_tender), where the bidders can be watched;
            # the round resolved at once must agree (checked below, and whole runs in
            # test_openround.py).
            with (
                mock.patch.object(tendering, "bidders_for", spy),
                mock.patch.object(openround.OpenRound, "start", classmethod(opened)),
                mock.patch.object(openround.OpenRound, "resolves", lambda self, slot: False),
                mock.patch.object(openround, "TOGETHER_ENTRIES", 0),
            ):
                tender_round(self.city, self.p, record)
        finally:
            for pu, slots in others.items():
                pu.slots = slots
            purchaser.slots = mine
        assert len(seen) == len(empty) == record.tenders
        contract = empty[0].contract if empty else None
        if rounds and empty and id(empty[0]) in rounds[0].index:
            at_once = rounds[0]
            j = at_once.index[id(empty[0])]
            best = at_once.best[j]
            winner = at_once.ngos[at_once.owners[best]] if best >= 0 else None
            assert winner is (contract.ngo if contract else None)
            assert at_once.counts[j][0] == len(seen[0])
        return Tender(contract, record, seen[0] if seen else [])


def market(seed: int = 0, **params: Any) -> Market:
    """A market in model year 2 with no NGOs, no ties, no blame avoidance and no
    reshuffle unless ``params`` say otherwise."""
    values = {
        "years": 5,
        "mass_org_tendering": "same",
        "n_cities": 1,
        "districts_per_city": 3,
        "n_bureaux": 1,
        "n_mass_orgs": 1,
        "initial_ngos": 0,
        "slots_per_purchaser": 1,
        "tie_density": 0.0,
        "blame_avoidance": 0.0,
        "partnership": 0.0,
        "reshuffle": 0.0,
        **params,
    }
    model = ContractingModel(Scenario(values), rng=seed)
    model.rules.year = 2
    city = model.cities[0]
    bureau, mass_org = city.purchasers
    assert isinstance(bureau, Bureau) and isinstance(mass_org, MassOrganisation)
    for pu in (bureau, mass_org):
        pu.district = 0
        pu.sector = "family"
        pu.mode = model.p["tendering"]
    return Market(model, city, bureau, mass_org)


def bids(
    price: list[float],
    promised: list[float],
    reputation: list[float],
    tie: list[float],
    adjustment: list[float] | None = None,
) -> Bids:
    n = len(price)
    return Bids(
        [None] * n,  # type: ignore[list-item]  # scoring never looks at the bidders
        [float(x) for x in price],
        [float(x) for x in promised],
        [float(x) for x in reputation],
        [float(x) for x in tie],
        [0.0] * n if adjustment is None else [float(x) for x in adjustment],
    )


def params(**values: Any) -> Rules:
    return Rules({**DEFAULTS, **values}, 2)


def score(b: Bids, p: Rules, *, ceiling: float, required: float) -> tuple[np.ndarray, ...]:
    """:func:`score_bids` under a price ceiling and required hours of the test's own."""
    terms = Terms(p, ceiling, required, award_weights(p), 1.0)
    total, merit = score_bids(b, terms)
    return np.array(total), np.array(merit)


# ------------------------------------------------------------------------ award scoring
def test_award_weights_sum_to_one_and_follow_the_evaluation_regime() -> None:
    p = params(price_weight=0.3, reputation_weight=0.4, workload_weight=0.3)
    for regime in REGIMES:
        factor = p[f"{regime}_regime_award"]
        wp, wr, ww = award_weights({**p, "evaluation": regime})
        total = 0.3 + 0.4 + 0.3 * factor
        assert (wp, wr, ww) == pytest.approx((0.3 / total, 0.4 / total, 0.3 * factor / total))
        assert wp + wr + ww == pytest.approx(1.0)
    assert award_weights({**p, "evaluation": "workload"}) == pytest.approx((0.3, 0.4, 0.3))
    assert award_weights(params(price_weight=1.0, reputation_weight=0.0, workload_weight=0.0))[
        0
    ] == pytest.approx(1.0)


def test_score_bids_hand_computed() -> None:
    p = params(
        price_weight=0.3,
        reputation_weight=0.4,
        workload_weight=0.3,
        evaluation="workload",  # weights stay (0.3, 0.4, 0.3)
        max_discount=0.2,
        max_bid_inflation=0.5,
        favouritism=0.25,
    )
    b = bids(
        price=[90.0, 70.0, 100.0],
        promised=[1100.0, 900.0, 1500.0],
        reputation=[0.6, 0.5, 0.2],
        tie=[0.8, 0.0, 0.4],
        adjustment=[0.0, -0.1, 0.05],
    )
    total, merit = score(b, p, ceiling=100.0, required=1000.0)
    # A: price pts (1 - 0.9) / 0.2 = 0.5; work pts 0.1 / 0.5 = 0.2
    #    merit 0.3 * 0.5 + 0.4 * 0.6 + 0.3 * 0.2 = 0.45; total 0.75 * 0.45 + 0.25 * 0.8
    # B: price pts 1.5 clipped to 1; work pts -0.2 clipped to 0; adjustment -0.1
    #    merit 0.3 + 0.2 + 0 - 0.1 = 0.4; total 0.75 * 0.4
    # C: price pts 0 (at the ceiling); work pts 1 (clipped from 1.0); adjustment +0.05
    #    merit 0 + 0.08 + 0.3 + 0.05 = 0.43; total 0.75 * 0.43 + 0.25 * 0.4
    assert merit == pytest.approx([0.45, 0.40, 0.43])
    assert total == pytest.approx([0.5375, 0.30, 0.4225])


def test_score_bids_with_mixed_regime_weights() -> None:
    p = params(
        price_weight=0.3,
        reputation_weight=0.4,
        workload_weight=0.3,
        evaluation="mixed",
        max_discount=0.3,
        max_bid_inflation=0.3,
        favouritism=0.0,
    )
    b = bids(price=[85.0], promised=[1030.0], reputation=[0.5], tie=[1.0])
    _total, merit = score(b, p, ceiling=100.0, required=1000.0)
    # weights 0.3/0.88, 0.4/0.88, 0.18/0.88; price pts 0.5; work pts 0.1
    assert merit == pytest.approx([(0.3 * 0.5 + 0.4 * 0.5 + 0.18 * 0.1) / 0.88])


def test_full_favouritism_ranks_purely_by_tie() -> None:
    p = params(favouritism=1.0)
    b = bids(
        price=[70.0, 100.0, 80.0],
        promised=[1300.0, 1000.0, 1200.0],
        reputation=[0.9, 0.1, 0.5],
        tie=[0.1, 0.9, 0.5],
        adjustment=[0.2, -0.3, 0.0],
    )
    total, merit = score(b, p, ceiling=100.0, required=1000.0)
    assert total == pytest.approx([0.1, 0.9, 0.5])
    assert list(np.argsort(-total)) == [1, 2, 0]
    assert list(np.argsort(-merit)) == [0, 2, 1]  # merit would have ranked them reversed


def test_no_favouritism_ignores_ties() -> None:
    p = params(favouritism=0.0)
    kwargs = {
        "price": [70.0, 100.0],
        "promised": [1300.0, 1000.0],
        "reputation": [0.6, 0.4],
    }
    with_ties, merit = score(bids(**kwargs, tie=[0.0, 1.0]), p, ceiling=100.0, required=1000.0)
    without, _ = score(bids(**kwargs, tie=[0.0, 0.0]), p, ceiling=100.0, required=1000.0)
    assert with_ties == pytest.approx(without)
    assert with_ties == pytest.approx(merit)
    assert with_ties[0] > with_ties[1]


def test_favouritism_mixes_merit_and_tie_linearly() -> None:
    b = bids(price=[80.0, 95.0], promised=[1100.0, 1000.0], reputation=[0.7, 0.3], tie=[0, 1])
    _, merit = score(b, params(favouritism=0.0), ceiling=100.0, required=1000.0)
    for f in (0.0, 0.3, 0.5, 0.9, 1.0):
        total, _ = score(b, params(favouritism=f), ceiling=100.0, required=1000.0)
        assert total == pytest.approx((1 - f) * merit + f * np.array([0.0, 1.0]))


def test_zero_discount_and_inflation_ranges_give_no_points() -> None:
    p = params(
        max_discount=0.0,
        max_bid_inflation=0.0,
        favouritism=0.0,
        price_weight=0.5,
        reputation_weight=0.5,
        workload_weight=0.0,
    )
    b = bids(price=[50.0, 100.0], promised=[2000.0, 1000.0], reputation=[0.4, 0.4], tie=[0, 0])
    total, merit = score(b, p, ceiling=100.0, required=1000.0)
    assert merit == pytest.approx([0.2, 0.2])
    assert np.all(np.isfinite(total))


def test_only_acceptable_bids_win_and_the_adjustment_counts() -> None:
    m = market(min_reputation=0.3)
    b = bids(
        price=[1.0] * 4,
        promised=[1.0] * 4,
        reputation=[0.3, 0.29, 0.5, 0.2],
        tie=[1.0] * 4,
        adjustment=[0.0, 0.0, -0.25, 0.1],  # acceptable: yes, no, no, yes
    )
    total = [0.1, 0.9, 0.8, 0.2]  # the two unacceptable bids score best
    for seed in range(20):
        m = market(seed, min_reputation=0.3)
        assert pick_winner(m.city, b, total, Terms.of(m.p)) == 3
        m.p["min_reputation"] = 0.0
        assert pick_winner(m.city, b, total, Terms.of(m.p)) == 1
        m.p["min_reputation"] = 1.0
        assert pick_winner(m.city, b, total, Terms.of(m.p)) is None


# ------------------------------------------------------------------------- eligibility
def test_eligibility_by_sector() -> None:
    m = market()
    general = m.add("general")
    family = m.add("grassroots", sector="family")
    youth = m.add("grassroots", sector="youth")
    assert m.eligible(general, m.bureau)
    assert m.eligible(family, m.bureau)
    assert not m.eligible(youth, m.bureau)
    m.bureau.sector = "youth"
    assert m.eligible(youth, m.bureau)
    assert not m.eligible(family, m.bureau)


def test_eligibility_by_district_and_city() -> None:
    m = market(n_cities=2)
    home = m.add(district=0)
    elsewhere = m.add(district=1)
    citywide = m.add(district=2, multi=True)
    other_city = m.add(district=0, multi=True, city=1)
    assert m.eligible(home, m.bureau)
    assert not m.eligible(elsewhere, m.bureau)
    assert m.eligible(citywide, m.bureau)
    assert not m.eligible(other_city, m.bureau)
    m.bureau.mode = "open"
    m.model.p["bid_propensity"] = 1.0
    assert set(m.tender(m.bureau).bidders) == {home, citywide}
    m = market(n_cities=2, bid_propensity=1.0)
    home, elsewhere = m.add(district=0), m.add(district=1)
    citywide = m.add(district=2, multi=True)
    m.add(district=1, multi=True, city=1)
    m.bureau.district = 1
    assert set(m.tender(m.bureau).bidders) == {elsewhere, citywide}


def test_eligibility_by_capacity() -> None:
    m = market()
    small = m.add("grassroots", sector="family", reputation=0.9)
    assert small.capacity(m.p) == 1  # grassroots groups run one contract at a time
    assert m.eligible(small, m.bureau)
    m.hold(small, m.mass_org)
    assert not m.eligible(small, m.bureau)
    agency = m.add("general", reputation=0.4)
    assert agency.capacity(m.p) == 2  # 5 contract-years delivered: one more than 1
    for _ in range(agency.capacity(m.p)):
        assert m.eligible(agency, m.bureau)
        m.hold(agency, m.mass_org)
    assert len(agency.contracts) == agency.capacity(m.p)
    assert not m.eligible(agency, m.bureau)
    m.model.p["bid_propensity"] = 1.0
    other = m.add("general")
    assert m.tender(m.bureau).bidders == [other]


def test_match_funding_shuts_out_ngos_that_cannot_co_fund() -> None:
    """At 50% match funding of a 2 M contract, an NGO brings 1 M a year: up to 0.4 M in
    kind, up to 0.6 M from co-funders if it has a proven track record (0 without one),
    the rest in cash; one more contract also needs 0.1 x 14 x 80,000 = 112,000 of
    start-up money."""
    params = {"match_funding": 0.5, "contract_value": 2e6, "inkind_match": 0.2}
    params |= {"cofunder_match": 0.3, "startup_share": 0.1, "staff_per_contract": 14}
    m = market(**params, wage=80_000.0)
    proven = m.add(reserves=113_000.0, track_record=3)
    short = m.add(reserves=111_000.0, track_record=3)
    newcomer = m.add(reserves=711_000.0, track_record=0)
    rich_newcomer = m.add(reserves=713_000.0, track_record=0)
    assert m.eligible(proven, m.bureau) and m.eligible(rich_newcomer, m.bureau)
    assert not m.eligible(short, m.bureau) and not m.eligible(newcomer, m.bureau)
    for seed in range(5):
        m = market(seed, **params, wage=80_000.0, bid_propensity=1.0, tendering="open")
        poor, able = m.add(reserves=500_000.0, track_record=0), m.add(reserves=2e6)
        bidders = m.tender(m.bureau).bidders
        assert poor not in bidders and able in bidders
    free = market(match_funding=0.0, startup_share=0.0)
    assert free.eligible(free.add(reserves=0.0, track_record=0), free.bureau)


def test_each_award_uses_up_the_winners_funds() -> None:
    m = market(startup_share=0.1)
    ngo = m.add(reserves=250_000.0, track_record=12)  # can manage 5, can fund 2
    tendering.open_books(m.city, m.p)
    need = 0.1 * 14 * 80_000.0
    assert ngo.round_capacity == 5 and ngo.round_need == need
    terms = Terms.of(m.p)
    for won in range(3):
        assert tendering.has_room(ngo) == (won < 2)
        if won < 2:
            slot = Slot(m.bureau)
            m.bureau.slots.append(slot)
            tendering.award(m.city, slot, m.bids([ngo], m.bureau), 0, terms, YearRecord(year=2))
    assert ngo.round_funds == pytest.approx(250_000.0 - 2 * need)
    assert len(ngo.contracts) == 2


def test_exited_ngo_is_not_eligible() -> None:
    m = market()
    ngo = m.add()
    assert m.eligible(ngo, m.bureau)
    ngo.exit("insolvent")
    assert not m.eligible(ngo, m.bureau)


# --------------------------------------------------------------------- bidders by mode
def test_open_tender_any_eligible_ngo_may_bid() -> None:
    m = market(bid_propensity=1.0, tendering="open")
    eligible_ngos = {m.add() for _ in range(5)} | {m.add(multi=True, district=2)}
    m.add(district=1)  # another district
    m.add("grassroots", sector="youth")  # another sector
    m.add(reserves=0.0).exit("insolvent")  # gone
    t = m.tender(m.bureau)
    assert set(t.bidders) == eligible_ngos
    assert len(t.bidders) == len(eligible_ngos) == t.record.bids
    assert t.contract is not None and t.contract.ngo in eligible_ngos


def test_open_tender_incumbent_always_bids() -> None:
    m = market(bid_propensity=0.0, tendering="open")
    [m.add() for _ in range(4)]
    assert m.tender(m.bureau).bidders == []
    seen: set[int] = set()
    for seed in range(30):
        m = market(seed, bid_propensity=0.0 if seed < 5 else 0.5, tendering="open")
        incumbent = m.add()
        others = [m.add() for _ in range(6)]
        m.bureau.slots[0].last_provider = incumbent
        bidders = m.tender(m.bureau).bidders
        assert incumbent in bidders
        assert len(set(bidders)) == len(bidders)
        if seed < 5:
            assert bidders == [incumbent]
        seen.update(others.index(b) for b in bidders if b is not incumbent)
    assert seen == set(range(6))  # with bid_propensity 0.5 anyone may bid


def test_selective_tender_invites_at_most_the_shortlist() -> None:
    counts = [0] * 7
    for seed in range(40):
        m = market(seed, tendering="selective", shortlist_size=2, favouritism=1.0)
        ngos = [m.add() for _ in range(7)]
        m.add(district=1)  # not eligible
        m.bureau.cadre.ties[ngos[3].unique_id] = 1.0
        bidders = m.tender(m.bureau).bidders
        assert len(bidders) <= 2
        assert len(set(bidders)) == len(bidders)
        assert set(bidders) <= set(ngos)
        for b in bidders:
            counts[ngos.index(b)] += 1
    assert counts[3] >= 30  # the favourite heads the list and bids with chance 0.9
    assert sum(counts) > 55  # two invited, each bids with chance 0.9


def test_selective_shortlist_follows_reputation_without_ties() -> None:
    bid = 0
    for seed in range(20):
        m = market(seed, tendering="selective", shortlist_size=1, favouritism=0.0)
        best = m.add(reputation=0.95)
        [m.add(reputation=0.3) for _ in range(5)]
        bidders = m.tender(m.bureau).bidders
        assert bidders in ([best], [])
        bid += bidders == [best]
    assert bid >= 14  # the one invited bids with chance 0.9 (18 of 20 expected)


def test_intermediary_tender_only_hub_pool_members_bid() -> None:
    seen: set[int] = set()
    for seed in range(30):
        m = market(
            seed, tendering="intermediary", shortlist_size=3, favouritism=1.0, hub_pool_size=4
        )
        ngos = [m.add(reputation=0.9 if i < 4 else 0.3) for i in range(10)]
        pool = ngos[5:9]
        m.city.hub.pool = list(pool)
        m.bureau.cadre.ties[ngos[0].unique_id] = 1.0  # ties do not open the hub's pool
        bidders = m.tender(m.bureau).bidders
        assert len(bidders) <= 3
        assert set(bidders) <= set(pool)
        seen.update(ngos.index(b) for b in bidders)
    assert seen == {5, 6, 7, 8}


def test_intermediary_pool_members_must_still_be_eligible() -> None:
    bid = 0
    for seed in range(10):
        m = market(seed, tendering="intermediary", hub_pool_size=3)
        wrong_district = m.add(district=1)
        wrong_sector = m.add("grassroots", sector="elderly")
        fine = m.add()
        m.city.hub.pool = [wrong_district, wrong_sector, fine]
        bidders = m.tender(m.bureau).bidders
        assert set(bidders) <= {fine}
        bid += bidders == [fine]
    assert bid >= 6  # the one eligible member bids with chance 0.9 (9 of 10 expected)


def test_direct_award_one_bidder_at_the_ceiling_without_inflation() -> None:
    for seed in range(10):
        m = market(seed, tendering="direct", favouritism=0.8, max_bid_inflation=1.0)
        ngos = [m.add(dare=1.0) for _ in range(5)]
        chosen = ngos[2]
        m.bureau.cadre.ties[chosen.unique_id] = 1.0
        b = m.bids([chosen], m.bureau)
        assert b.price == [m.p["contract_value"]]
        assert b.promised == [m.p["required_hours"]]
        t = m.tender(m.bureau)
        assert t.bidders == [chosen]
        contract, record = t.contract, t.record
        assert contract is not None and contract.ngo is chosen
        assert contract.price == m.p["contract_value"]
        assert contract.promised_hours == m.p["required_hours"]
        assert record.inflation_sum == 0.0
        assert record.bids == 1 and record.tenders == 1 and record.awards == 1
        assert record.tied_awards == 1


def test_direct_award_picks_exactly_one_of_many() -> None:
    picked: set[int] = set()
    for seed in range(20):
        m = market(seed, tendering="direct", favouritism=0.0)
        ngos = [m.add(reputation=0.5) for _ in range(4)]
        t = m.tender(m.bureau)
        assert len(t.bidders) == 1 and t.record.bids == 1
        assert t.contract is not None and t.contract.ngo is t.bidders[0]
        picked.add(ngos.index(t.bidders[0]))
    assert len(picked) > 1  # equal NGOs: the choice is not fixed


def test_direct_award_with_no_eligible_ngo_fails() -> None:
    m = market(tendering="direct")
    m.add(district=1)
    t = m.tender(m.bureau)
    assert t.contract is None and t.bidders == []
    assert t.record.failed == 1 and t.record.bids == 0


# ------------------------------------------------------------------------------ awards
def test_open_tender_awards_a_contract() -> None:
    m = market(tendering="open", bid_propensity=1.0, contract_years=4)
    ngos = [m.add() for _ in range(3)]
    slot = m.bureau.slots[0]
    t = m.tender(m.bureau)
    contract, record = t.contract, t.record
    assert contract is not None
    assert contract.ngo in ngos
    assert slot.contract is contract
    assert contract in contract.ngo.contracts
    assert (contract.start, contract.end) == (2, 5)
    assert contract.purchaser is m.bureau
    assert contract.ngo.unique_id in m.bureau.partners
    assert m.p["contract_value"] * (1 - m.p["max_discount"]) <= contract.price
    assert contract.price <= m.p["contract_value"]
    assert record.tenders == 1 and record.bids == 3 and record.awards == 1
    assert record.failed == 0 and record.with_incumbent == 0


@pytest.mark.parametrize("seed", range(5))
def test_low_price_bid_can_snatch_the_contract_from_the_incumbent(seed: int) -> None:
    m = market(
        seed,
        tendering="open",
        bid_propensity=1.0,
        price_weight=1.0,
        reputation_weight=0.0,
        workload_weight=0.0,
        snatching=1.0,
        max_discount=0.3,
        favouritism=0.0,
        min_reputation=0.1,
    )
    incumbent = m.add(reputation=0.6)
    m.hold(incumbent, m.mass_org)  # holds a contract, so it does not underbid
    challenger = m.add(reputation=0.6)  # holds none: underbids to snatch one
    slot = m.bureau.slots[0]
    slot.last_provider = incumbent
    t = m.tender(m.bureau)
    contract, record = t.contract, t.record
    assert contract is not None and contract.ngo is challenger
    assert contract.price < m.p["contract_value"] * 0.8
    assert record.with_incumbent == 1 and record.incumbent_lost == 1
    assert record.incumbent_tenders == 1 and record.incumbent_defeats == 1


@pytest.mark.parametrize("fate", ["exited", "terminated"])
def test_a_last_provider_that_could_not_renew_is_no_incumbent_that_lost(fate: str) -> None:
    m = market(tendering="open", bid_propensity=1.0)
    gone = m.add()
    gone.seeks_contracts = False  # it does not bid again: another NGO wins
    others = [m.add() for _ in range(2)]
    slot = m.bureau.slots[0]
    slot.last_provider = gone
    if fate == "exited":
        gone.alive = False
    else:
        slot.last_terminated = True
    t = m.tender(m.bureau)
    assert t.contract is not None and t.contract.ngo in others
    # Provider turnover counts the change; incumbent losses do not: nobody could renew.
    assert t.record.with_incumbent == 1 and t.record.incumbent_lost == 1
    assert t.record.incumbent_tenders == 0 and t.record.incumbent_defeats == 0


def test_an_award_counts_the_tied_share_of_its_tenders_bids() -> None:
    m = market(tendering="open", bid_propensity=1.0, favouritism=1.0)
    tied = m.add()
    for _ in range(3):
        m.add()
    m.bureau.cadre.ties[tied.unique_id] = 0.9
    t = m.tender(m.bureau)
    assert t.contract is not None and t.contract.ngo is tied
    assert t.record.bids == 4 and t.record.tied_awards == 1
    # One bid in four was tied: a random award would have gone to it a quarter of the time.
    assert t.record.tied_bid_share_sum == pytest.approx(0.25)


def test_incumbent_keeps_the_contract_without_snatching_when_ties_count() -> None:
    m = market(tendering="open", bid_propensity=1.0, snatching=0.0, favouritism=1.0)
    incumbent = m.add()
    m.add()
    m.bureau.cadre.ties[incumbent.unique_id] = 0.9
    m.bureau.partners[incumbent.unique_id] = 1  # won in year 1
    m.bureau.slots[0].last_provider = incumbent
    t = m.tender(m.bureau)
    contract, record = t.contract, t.record
    assert contract is not None and contract.ngo is incumbent
    assert record.with_incumbent == 1 and record.incumbent_lost == 0
    assert record.incumbent_tenders == 1 and record.incumbent_defeats == 0
    assert record.repeat_awards == 1 and record.tied_awards == 1


@pytest.mark.parametrize("mode", ["open", "direct"])
def test_a_second_award_of_the_same_round_is_no_repeat(mode: str) -> None:
    m = market(tendering=mode, bid_propensity=1.0, slots_per_purchaser=2)
    ngo = m.add(reserves=1e9)
    first, second = m.tender(m.bureau), m.tender(m.bureau)  # both in model year 2
    assert first.contract.ngo is ngo and second.contract.ngo is ngo
    assert first.record.repeat_awards == second.record.repeat_awards == 0
    assert m.bureau.partners == {ngo.unique_id: 2}


@pytest.mark.parametrize("mode", ["open", "selective", "intermediary", "direct"])
def test_tender_with_no_acceptable_bid_fails(mode: str) -> None:
    m = market(tendering=mode, bid_propensity=1.0, min_reputation=0.9)
    ngos = [m.add(reputation=0.5) for _ in range(4)]
    m.city.hub.pool = list(ngos)
    slot = m.bureau.slots[0]
    t = m.tender(m.bureau)
    contract, record = t.contract, t.record
    assert contract is None
    assert slot.contract is None
    assert record.failed == 1 and record.tenders == 1 and record.awards == 0
    assert record.bids >= 1
    assert all(not n.contracts for n in ngos)
    assert m.bureau.partners == {}
    t = m.tender(m.bureau)
    contract, record2 = t.contract, t.record
    assert contract is None and record2.failed == 1


def test_failed_tenders_are_counted_by_the_model() -> None:
    model = ContractingModel(
        Scenario({"years": 2, "initial_ngos": 10, "n_bureaux": 4, "min_reputation": 1.0}),
        rng=0,
    )
    model.step()
    record = model.records[0]
    assert record.tenders > 0
    assert record.failed == record.tenders
    assert record.awards == 0
    assert record.slots_served == 0
    assert model.series()["failed_tender_rate"].tolist() == [1.0]
    assert model.series()["service_coverage"].tolist() == [0.0]


def test_tender_round_only_tenders_empty_slots() -> None:
    m = market(tendering="open", bid_propensity=1.0)
    ngo = m.add()
    held = m.hold(ngo, m.bureau)  # a second bureau slot, already filled
    m.add()
    record = YearRecord(year=2)
    tender_round(m.city, m.p, record)
    assert record.tenders == 2  # the bureau's empty slot and the mass org's
    assert m.bureau.slots[1].contract is held
    assert all(s.contract is not None for pu in m.city.purchasers for s in pu.slots)


def test_first_year_contracts_have_staggered_terms() -> None:
    ends = set()
    for seed in range(30):
        m = market(seed, tendering="open", bid_propensity=1.0, contract_years=3)
        m.model.rules.year = 1
        m.add()
        contract = m.tender(m.bureau).contract
        assert contract is not None and contract.start == 1
        ends.add(contract.end)
    assert ends == {1, 2, 3}


# ------------------------------------------------- mass organisations versus bureaux
def test_mass_organisation_bonus_for_sector_specialists_and_partners() -> None:
    m = market(partnership=0.8, blame_avoidance=0.6)
    own = m.add("specialist", multi=True, sector="family", track_record=0)
    other = m.add("specialist", multi=True, sector="youth", track_record=0)
    general = m.add("general", track_record=0)
    bonus = m.p["patronage_bonus"] * 0.8
    assert m.mass_org.merit_adjustments([own], m.p)[0] == pytest.approx(bonus)
    assert m.mass_org.merit_adjustments([other], m.p)[0] == 0.0
    assert m.mass_org.merit_adjustments([general], m.p)[0] == 0.0
    # ``general`` becomes a partner: it has served the mass organisation's slot.
    m.mass_org.partners[general.unique_id] = 1
    m.mass_org.slots[0].last_provider = general
    assert m.mass_org.merit_adjustments([general], m.p)[0] == pytest.approx(bonus)
    assert m.mass_org.merit_adjustments([own], m.p)[0] >= bonus
    assert m.mass_org.merit_adjustments([other], m.p)[0] == 0.0
    assert m.mass_org.merit_adjustments([own], {**m.p, "partnership": 0.0})[0] == 0.0
    doubled = {**m.p, "patronage_bonus": 2 * m.p["patronage_bonus"]}
    assert m.mass_org.merit_adjustments([general], doubled)[0] == pytest.approx(2 * bonus)


def test_bureau_penalises_bidders_without_track_record() -> None:
    m = market(blame_avoidance=0.6, partnership=0.8)
    newcomer = m.add(track_record=0)
    some = m.add(track_record=1)
    proven = m.add(track_record=3)
    veteran = m.add(track_record=12)
    specialist = m.add("specialist", multi=True, sector="family", track_record=0)
    # The penalty follows the caution of the bureau's official, whose mean over
    # officials is ``blame_avoidance`` (equal to it when officials do not differ).
    caution = m.bureau.cadre.caution(m.p)
    assert caution == pytest.approx(0.6, abs=m.p["motive_spread"] * 0.4)
    assert m.bureau.cadre.caution({**m.p, "motive_spread": 0.0}) == pytest.approx(0.6)
    full = -m.p["blame_penalty"] * caution
    assert m.p["proven_track_record"] == 3
    assert m.bureau.merit_adjustments([newcomer], m.p)[0] == pytest.approx(full)
    assert m.bureau.merit_adjustments([some], m.p)[0] == pytest.approx(full * 2 / 3)
    assert m.bureau.merit_adjustments([proven], m.p)[0] == 0.0
    assert m.bureau.merit_adjustments([veteran], m.p)[0] == 0.0
    assert m.bureau.merit_adjustments([specialist], m.p)[0] == pytest.approx(full)  # no patronage
    assert m.bureau.merit_adjustments([newcomer], {**m.p, "blame_avoidance": 0.0})[0] == 0.0
    longer = {**m.p, "proven_track_record": 6}
    assert m.bureau.merit_adjustments([proven], longer)[0] == pytest.approx(full / 2)
    assert m.bureau.merit_adjustments([veteran], longer)[0] == 0.0


@pytest.mark.parametrize("seed", range(3))
def test_mass_organisation_and_bureau_choose_differently(seed: int) -> None:
    m = market(
        seed,
        tendering="open",
        bid_propensity=1.0,
        blame_avoidance=1.0,
        partnership=1.0,
        price_weight=0.0,
        reputation_weight=1.0,
        workload_weight=0.0,
        favouritism=0.0,
        min_reputation=0.1,
    )
    specialist = m.add("specialist", multi=True, sector="family", track_record=0)
    proven = m.add("general", track_record=6)
    to_mass_org = m.tender(m.mass_org).contract
    to_bureau = m.tender(m.bureau).contract
    assert to_mass_org is not None and to_mass_org.ngo is specialist
    assert to_bureau is not None and to_bureau.ngo is proven


def test_blame_avoidance_can_make_a_newcomer_unacceptable_to_a_bureau() -> None:
    m = market(tendering="open", bid_propensity=1.0, blame_avoidance=1.0, min_reputation=0.3)
    m.add(reputation=0.5, track_record=0)  # 0.5 - 0.3 < 0.3
    t = m.tender(m.bureau)
    contract, record = t.contract, t.record
    assert contract is None and record.failed == 1
    t = m.tender(m.mass_org)  # no blame avoidance there
    contract, record = t.contract, t.record
    assert contract is not None and record.failed == 0


def test_new_official_marks_down_incumbents_without_ties() -> None:
    m = market(tendering="open", reshuffle=1.0)
    partner = m.add()
    stranger = m.add()
    friend = m.add()
    m.bureau.partners.update({partner.unique_id: 1, friend.unique_id: 1})
    m.bureau.cadre.ties[friend.unique_id] = 1.0
    m.bureau.cadre.arrived = m.model.year  # arrived this year
    b = m.bids([partner, stranger, friend], m.bureau)
    assert b.adjustment == pytest.approx([-0.3, 0.0, 0.0])
    m.bureau.cadre.arrived = m.model.year - 5  # settled in: no new broom
    b = m.bids([partner, stranger, friend], m.bureau)
    assert b.adjustment == pytest.approx([0.0, 0.0, 0.0])


def test_reshuffle_cut_and_new_broom_years_set_the_new_officials_markdown() -> None:
    m = market(tendering="open", reshuffle=0.5, reshuffle_cut=0.4, new_broom_years=3)
    partner = m.add()
    m.bureau.partners[partner.unique_id] = 1
    m.bureau.cadre.arrived = m.model.year - 2  # third year at the post: still new
    assert m.bids([partner], m.bureau).adjustment == pytest.approx([-0.2])
    m.p["new_broom_years"] = 0  # no official counts as new
    m.bureau.cadre.arrived = m.model.year
    assert m.bids([partner], m.bureau).adjustment == pytest.approx([0.0])


@pytest.mark.parametrize("mode", ["selective", "direct"])
def test_continuity_bonus_rewards_the_incumbent_by_its_last_score(mode: str) -> None:
    m = market(tendering=mode, continuity_bonus=0.5)
    incumbent, other = m.add(), m.add()
    slot = m.bureau.slots[0]
    slot.last_provider, slot.last_score = incumbent, 0.8
    assert m.bids([incumbent, other], m.bureau).adjustment == pytest.approx([0.4, 0.0])
    m.p["continuity_bonus"] = 0.0
    assert m.bids([incumbent, other], m.bureau).adjustment == pytest.approx([0.0, 0.0])
    m.bureau.mode = "open"  # formal rules: no bonus whatever its size
    m.p["continuity_bonus"] = 0.5
    assert m.bids([incumbent, other], m.bureau).adjustment == pytest.approx([0.0, 0.0])


@pytest.mark.parametrize(("chance", "expected"), [(0.0, 0), (1.0, 3)])
def test_invited_ngos_bid_with_the_invited_bid_chance(chance: float, expected: int) -> None:
    m = market(tendering="selective", shortlist_size=3, invited_bid_chance=chance)
    [m.add() for _ in range(5)]
    assert len(m.tender(m.bureau).bidders) == expected


def test_open_tenders_answered_follow_bids_per_free_contract() -> None:
    m = market(tendering="open", bid_propensity=1.0, bids_per_free_contract=0)
    [m.add() for _ in range(4)]
    assert m.tender(m.bureau).bidders == []
    m = market(tendering="open", bid_propensity=1.0, free_contracts_counted=0)
    [m.add() for _ in range(4)]
    assert m.tender(m.bureau).bidders == []


def test_bid_prices_and_promises_stay_in_their_ranges() -> None:
    m = market(tendering="open", max_discount=0.4, max_bid_inflation=0.5, snatching=1.0)
    ngos = [m.add(dare=d) for d in np.linspace(0, 1, 8)]
    for _ in range(20):
        b = m.bids(ngos, m.bureau)
        price, promised = np.array(b.price), np.array(b.promised)
        ceiling, required = m.p["contract_value"], m.p["required_hours"]
        assert np.all(price <= ceiling) and np.all(price >= ceiling * 0.6 - 1e-6)
        assert np.all(promised >= required) and np.all(promised <= required * 1.5)


def test_cadre_ties_stay_in_the_unit_interval_and_strengthen_returns_the_new_tie() -> None:
    m = market()
    ngo = m.add()
    cadre = m.bureau.cadre
    assert cadre is not None and cadre.tie(ngo) == 0.0
    assert cadre.strengthen(ngo, 0.4) == pytest.approx(0.4) == cadre.tie(ngo)
    assert cadre.strengthen(ngo, 0.9) == 1.0 == cadre.tie(ngo)
    assert cadre.strengthen(ngo, -2.0) == 0.0 == cadre.tie(ngo)
    assert ngo.unique_id not in cadre.ties


def test_courting_grows_each_tie_by_its_share_of_the_gap_to_one() -> None:
    m = market()
    new, known, full = m.add(), m.add(), m.add()
    cadre = m.bureau.cadre
    assert cadre is not None
    cadre.strengthen(known, 0.5)
    cadre.strengthen(full, 1.0)
    cadre.cultivated([new.unique_id, known.unique_id, full.unique_id], 0.2)
    assert cadre.tie(new) == 0.2 and cadre.tie(known) == 0.5 + 0.2 * 0.5
    assert cadre.tie(full) == 1.0
    cadre.cultivated([new.unique_id], 0.0)
    assert cadre.tie(new) == 0.2
    other = m.add()
    cadre.cultivated([other.unique_id], 0.0)  # no growth: no tie is made
    assert other.unique_id not in cadre.ties


def test_tender_terms_are_read_once_per_round() -> None:
    m = market(tendering="direct")
    m.add()
    p = m.p
    terms = Terms.of(p)
    assert terms.weights == award_weights(p)
    assert terms.incentive == min(1.0, p["workload_incentive"] * award_weights(p)[2])
    read: list[Rules] = []
    real = Terms.of

    def spy(rules: Rules) -> Terms:
        read.append(rules)
        return real(rules)

    with mock.patch.object(tendering.Terms, "of", spy):
        first = m.tender(m.bureau)
    assert first.contract is not None and first.contract.price == p["contract_value"]
    assert read == [p] and read[0] is p
    # A tender run on its own under other terms reads them.
    cheaper = Terms.of(Rules({**p, "contract_value": p["contract_value"] / 2}, 2))
    slot = Slot(m.bureau)
    m.bureau.slots.append(slot)
    contract = tendering.run_tender(m.city, slot, cheaper, YearRecord(year=2))
    assert contract is not None and contract.price == cheaper.ceiling


@pytest.mark.parametrize("cells", [1, 7, 500])
def test_open_tenders_chosen_in_chunks_give_the_same_run(cells: int, monkeypatch) -> None:
    """Choosing open tenders a few rows at a time (bounded memory) reads the same draws
    as one NGOs × tenders array: the run is the same to the last digit."""
    scenario = Scenario({"years": 6, "initial_ngos": 40, "n_bureaux": 10})
    whole = ContractingModel(scenario, rng=11)
    whole.run_model()
    monkeypatch.setattr(tendering, "CHUNK_CELLS", cells)
    chunked = ContractingModel(scenario, rng=11)
    chunked.run_model()
    assert chunked.summary() == whole.summary()
    assert chunked.ngo_table().equals(whole.ngo_table())


@pytest.mark.parametrize("mode", ["open", "selective", "direct", "intermediary"])
def test_the_hub_refreshes_its_pool_only_when_a_purchaser_tenders_through_it(mode: str) -> None:
    """A hub no purchaser commissions admits nobody and draws nothing: the city's
    generator ends the year where it would with no hub at all."""
    scenario = Scenario(
        {"years": 2, "initial_ngos": 40, "n_bureaux": 4, "n_mass_orgs": 0, "tendering": mode}
    )
    runs = []
    for hub in (True, False):
        model = ContractingModel(scenario, rng=11)
        if not hub:
            model.cities[0].hub = None
        model.step()
        runs.append(model)
    with_hub, without = runs
    pool = with_hub.cities[0].hub.pool
    same = with_hub.cities[0].rng.bit_generator.state == without.cities[0].rng.bit_generator.state
    if mode == "intermediary":
        assert pool and not same
    else:
        assert not pool and same
