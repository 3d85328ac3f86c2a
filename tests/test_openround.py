"""The open tenders of a round priced and scored together, and the interest structure.

The round resolved at once (:class:`~simcontract.openround.OpenRound`) must give
the same run as tendering each open slot in turn with the same draws
(:func:`~simcontract.phases.tendering.run_tender`), whatever the rules; the interest
structure must hold exactly the tenders each NGO serves and choose among them as the
ODD says.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simcontract import ContractingModel, Scenario, load_scenario, openround
from simcontract.agents import SECTORS
from simcontract.phases import tendering
from simcontract.phases.tendering import Interest

VARIANTS = {
    "defaults": {},
    "new brooms cut past providers": {"reshuffle": 1.0, "new_broom_years": 5, "reshuffle_cut": 0.6},
    "no obedience discount, no local trust": {"obedience_discount": 0.0, "local_trust": 0.0},
    "strong obedience discount and local trust": {"obedience_discount": 0.8, "local_trust": 0.5},
    "mass organisations tender openly": {"mass_org_tendering": "open", "n_mass_orgs": 6},
    "no noise: ties between bids": {"award_noise": 0.0, "discount_noise": 0.0, "rank_noise": 0.0},
    "price and promises do not count": {"max_discount": 0.0, "max_bid_inflation": 0.0},
    "match funding": {"match_funding": 0.4},
    "favouritism and a high bar": {"favouritism": 0.9, "min_reputation": 0.6},
    "one-year contracts, eager bidders": {"contract_years": 1, "bids_per_free_contract": 6},
    "mixed procedures": {"tendering": "selective", "mass_org_tendering": "open"},
}


def _run(scenario: Scenario, seed: int, together: bool, monkeypatch) -> ContractingModel:
    with monkeypatch.context() as patch:
        if together:
            patch.setattr(openround, "TOGETHER_ENTRIES", 0)
        else:
            patch.setattr(openround.OpenRound, "resolves", lambda self, slot: False)
        return ContractingModel(scenario, rng=seed).run()


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_a_round_resolved_at_once_is_the_round_tendered_slot_by_slot(variant, monkeypatch):
    scenario = load_scenario("baseline").replace(years=8, **VARIANTS[variant])
    for seed in (1, 2):
        together = _run(scenario, seed, True, monkeypatch)
        in_turn = _run(scenario, seed, False, monkeypatch)
        assert sum(r.tenders for r in together.records) > 0
        assert together.ngo_table().equals(in_turn.ngo_table())
        assert together.contract_table().equals(in_turn.contract_table())
        assert together.series().equals(in_turn.series())


@pytest.mark.parametrize("name", ["guangzhou_ifsc", "mass_org_partnership", "thin_market"])
def test_source_scenarios_resolved_at_once_are_the_same_runs(name, monkeypatch):
    scenario = load_scenario(name).replace(years=6)
    together = _run(scenario, 3, True, monkeypatch)
    in_turn = _run(scenario, 3, False, monkeypatch)
    assert together.ngo_table().equals(in_turn.ngo_table())
    assert together.series().equals(in_turn.series())


def test_the_size_from_which_rounds_are_resolved_at_once_does_not_change_a_run(monkeypatch):
    scenario = load_scenario("baseline").replace(years=6)
    runs = []
    for entries in (0, 150, 10**9):
        with monkeypatch.context() as patch:
            patch.setattr(openround, "TOGETHER_ENTRIES", entries)
            runs.append(ContractingModel(scenario, rng=5).run())
    assert all(run.ngo_table().equals(runs[0].ngo_table()) for run in runs[1:])
    assert all(run.series().equals(runs[0].series()) for run in runs[1:])


def test_the_round_is_gone_after_the_tenders_and_players_tender_slot_by_slot(monkeypatch):
    monkeypatch.setattr(openround, "TOGETHER_ENTRIES", 0)
    model = ContractingModel(load_scenario("baseline").replace(years=2), rng=4)
    seen = []
    real = openround.OpenRound.start.__func__

    def start(cls, *args):
        seen.append(real(cls, *args))
        return seen[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(openround.OpenRound, "start", classmethod(start))
        model.run()
    assert len(seen) == 2 and all(c.open_round is None for c in model.cities)
    entries = seen[-1]
    # Every entry is a pair of an open tender and an NGO serving its purchaser.
    for e in range(len(entries.owner)):
        slot = entries.slots[entries.tender[e]]
        assert entries.ngos[entries.owner[e]].serves(slot.purchaser)


# ----------------------------------------------------------------- the interest structure
def _interest(draw, m: int, k: int, districts: int) -> Interest:
    ints = st.integers
    return Interest(
        district=np.array(draw(st.lists(ints(0, districts - 1), min_size=m, max_size=m))),
        citywide=np.array(draw(st.lists(st.booleans(), min_size=m, max_size=m))),
        sector=np.array(draw(st.lists(ints(-1, len(SECTORS) - 1), min_size=m, max_size=m))),
        budget=np.array(draw(st.lists(ints(0, 5), min_size=m, max_size=m))),
        slot_district=np.array(draw(st.lists(ints(0, districts - 1), min_size=k, max_size=k))),
        slot_sector=np.array(draw(st.lists(ints(0, len(SECTORS) - 1), min_size=k, max_size=k))),
    )


@st.composite
def interests(draw) -> Interest:
    m, k = draw(st.integers(1, 25)), draw(st.integers(1, 25))
    return _interest(draw, m, k, draw(st.integers(1, 4)))


def _serves(market: Interest, i: int, j: int) -> bool:
    place = market.citywide[i] or market.district[i] == market.slot_district[j]
    return bool(place and (market.sector[i] < 0 or market.sector[i] == market.slot_sector[j]))


@settings(max_examples=150, deadline=None)
@given(interests(), st.integers(0, 2**32 - 1), st.floats(0.0, 1.0))
def test_each_ngo_chooses_among_the_tenders_it_serves_within_its_budget(market, seed, chance):
    lookup, low, high = market.runs()
    for i in range(len(market.budget)):
        served = sorted(lookup[low[i] : high[i]].tolist())
        assert served == [j for j in range(len(market.slot_district)) if _serves(market, i, j)]
    tender, bidder = market.choices(np.random.default_rng(seed), chance)
    assert np.all(np.diff(tender * len(market.budget) + bidder) > 0)  # sorted, no repeats
    for j, i in zip(tender.tolist(), bidder.tolist(), strict=True):
        assert _serves(market, i, j)
    assert np.all(np.bincount(bidder, minlength=len(market.budget)) <= market.budget)
    if chance == 1.0:
        # Wanting every tender, each NGO answers as many as its budget allows.
        served = high - low
        expected = np.minimum(served, market.budget)
        assert np.array_equal(np.bincount(bidder, minlength=len(market.budget)), expected)


@settings(max_examples=40, deadline=None)
@given(interests(), st.integers(0, 2**32 - 1), st.sampled_from([1, 3, 17]))
def test_choices_do_not_depend_on_how_many_pairs_are_drawn_at_once(market, seed, cells):
    whole = market.choices(np.random.default_rng(seed), 0.6)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tendering, "CHUNK_CELLS", cells)
        chunked = market.choices(np.random.default_rng(seed), 0.6)
    assert all(np.array_equal(a, b) for a, b in zip(whole, chunked, strict=True))


def test_an_ngo_answers_wanted_tenders_chosen_uniformly_at_random():
    """One NGO serving five tenders, wanting each with chance 0.5 and answering at most
    two: the chance that it answers a given tender is the same for all five and equals
    E[min(W, 2)] / 5 with W ~ Binomial(5, 0.5)."""
    market = Interest(
        district=np.array([0]),
        citywide=np.array([False]),
        sector=np.array([-1]),
        budget=np.array([2]),
        slot_district=np.zeros(5, np.intp),
        slot_sector=np.array([0, 1, 2, 3, 0]),
    )
    rng = np.random.default_rng(7)
    draws = 20_000
    counts = np.zeros(5)
    for _ in range(draws):
        tender, _ = market.choices(rng, 0.5)
        counts[tender] += 1
    w = np.arange(6)
    p_w = np.array([1, 5, 10, 10, 5, 1]) / 32
    expected = float((np.minimum(w, 2) * p_w).sum()) / 5
    share = counts / draws
    se = np.sqrt(expected * (1 - expected) / draws)
    assert np.all(np.abs(share - expected) < 5 * se)
