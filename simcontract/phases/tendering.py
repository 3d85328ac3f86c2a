"""The tender round: who may bid, who bids, the bids, their scores and the award.

Each year every purchaser tenders its empty service slots by its mode:

- ``open``: every eligible NGO that chose the tender bids;
- ``selective``: the purchaser invites a shortlist (reputation, incumbency, ties);
- ``intermediary``: the city's hub invites a shortlist from the pool it manages;
- ``direct``: no competition; the purchaser picks one NGO (ties, incumbency, reputation).

An NGO is *eligible* (:func:`eligible`) when it is active, seeks contracts this year,
holds fewer contracts than it can manage, still has the money one more contract needs
(start-up and its cash part of the match, see :func:`open_books`) and serves the
purchaser's place and sector. Bids (:func:`make_bids`) are scored by
:func:`score_bids`; the best *acceptable* bid wins (:func:`pick_winner`), otherwise the
tender fails and the slot stays empty for the year (a service gap). The round ends by
gathering the city's NGOs and contracts for the rest of the year (``city.batch``) and
counting the market it leaves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import compress
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np

from simcontract import openround
from simcontract.agents import NGO, SECTORS, Contract, Purchaser, Slot
from simcontract.batch import YearBatch, column
from simcontract.params import ORIGINS
from simcontract.phases.cadres import contract_length
from simcontract.phases.money import cash_matches, funding_networks

if TYPE_CHECKING:
    from simcontract.agents import City
    from simcontract.outcomes import YearRecord
    from simcontract.scenario import Rules

TIE_THRESHOLD = 0.3
"""Tie strength from which an award counts as tied (``tied_award_share``)."""


def award_weights(rules: dict[str, Any]) -> tuple[float, float, float]:
    """Weights of (price, reputation, promised hours) in merit, summing to 1."""
    wp = rules["price_weight"]
    wr = rules["reputation_weight"]
    ww = rules["workload_weight"] * rules[f"{rules['evaluation']}_regime_award"]
    total = wp + wr + ww
    if total <= 0.0:
        # Only a tiny workload weight, scaled down by the regime's multiplier, can underflow
        # to 0 here (the registry keeps the sum of the three above 0): hours alone count.
        return 0.0, 0.0, 1.0
    return wp / total, wr / total, ww / total


@dataclass(frozen=True, slots=True)
class Terms:
    """What every tender of a round reads, looked up once per round.

    Attributes:
        rules: The year's rules they were read from.
        ceiling: Price ceiling (``contract_value``).
        required: Required hours per contract.
        weights: :func:`award_weights`.
        incentive: ``min(1, workload_incentive * ww)``, how far bidders inflate
            promised hours.
    """

    rules: Rules
    ceiling: float
    required: float
    weights: tuple[float, float, float]
    incentive: float

    @classmethod
    def of(cls, rules: Rules) -> Terms:
        """Read the terms from the year's rules."""
        weights = award_weights(rules)
        return cls(
            rules,
            rules["contract_value"],
            rules["required_hours"],
            weights,
            min(1.0, rules["workload_incentive"] * weights[2]),
        )


@dataclass(slots=True)
class Bids:
    """The bids in one tender, one entry per bidder in each list."""

    bidders: list[NGO]
    price: list[float]
    promised: list[float]
    reputation: list[float]
    tie: list[float]
    adjustment: list[float]


# ----------------------------------------------------------------- who may bid
def eligible(ngo: NGO, purchaser: Purchaser) -> bool:
    """Whether ``ngo`` may bid for one of ``purchaser``'s slots now: it seeks contracts
    this year, has room for one more (:func:`has_room`) and serves the purchaser's place
    and sector."""
    return has_room(ngo) and ngo.serves(purchaser)


def has_room(ngo: NGO) -> bool:
    """The part of :func:`eligible` that changes during a round: whether ``ngo`` is
    active, seeks contracts, manages fewer contracts than its capacity (frozen for the
    round in ``round_capacity``) and still has the money one more contract needs."""
    return (
        ngo.alive
        and ngo.seeks_contracts
        and len(ngo.contracts) < ngo.round_capacity
        and ngo.round_funds >= ngo.round_need
    )


def with_room(ngos: list[NGO]) -> list[NGO]:
    """The NGOs of ``ngos`` that have room (:func:`has_room`), in order; one pass
    without a call per NGO, as every tender makes it."""
    return [
        n
        for n in ngos
        if n.alive
        and n.seeks_contracts
        and len(n.contracts) < n.round_capacity
        and n.round_funds >= n.round_need
    ]


def candidates(city: City, purchaser: Purchaser, terms: Terms) -> list[NGO]:
    """Eligible NGOs for a purchaser: those of its district plus city-wide ones.

    Place and sector do not change during a tender round, so the eligible NGOs are kept
    per (district, sector) for the round; only their room is checked again at each
    tender.
    """
    key = (purchaser.district, sector := purchaser.sector)
    served = city.round_candidates.get(key)
    if served is None:
        # eligible() inlined: these NGOs serve the purchaser's place by construction.
        local = city.by_district.get(purchaser.district, [])
        served = [
            n for n in with_room([*local, *city.citywide]) if n.sector is None or n.sector == sector
        ]
        city.round_candidates[key] = served
        return served.copy()
    return with_room(served)


def merit_adjustments(purchaser: Purchaser, ngos: list[NGO], rules: Rules) -> list[float]:
    """How the purchaser's leanings adjust each NGO's merit: those of its kind
    (:meth:`~simcontract.agents.Purchaser.merit_adjustments`), plus ``local_trust`` from
    a bureau for a community association of its own district.

    Community associations are run by residents the local state trusts: "Most of these
    community elites, such as retired officials and professionals, are Chinese Communist
    Party members and trustworthy for the party state" (Mok & Wen 2023).
    """
    adjustment = purchaser.merit_adjustments(ngos, rules)
    trust = rules["local_trust"]
    if trust == 0.0 or purchaser.kind != "bureau":
        return adjustment
    district = purchaser.district
    return [
        a + trust if n.origin == "community" and n.district == district else a
        for n, a in zip(ngos, adjustment, strict=True)
    ]


def rank(city: City, pool: list[NGO], slot: Slot, terms: Terms, *, ties: bool) -> list[NGO]:
    """Order NGOs as the slot's purchaser (or the hub for it) sees them, best first.

    The key is ``(1 - f) * (reputation + incumbent_rank_bonus * [incumbent] +
    adjustment) + f * tie + N(0, rank_noise)``, with ``f = favouritism`` when the ranking
    heeds the official's ``ties`` and 0 otherwise.
    """
    if not pool:
        return []
    purchaser = slot.purchaser
    f = terms.rules["favouritism"] if ties else 0.0
    cadre = purchaser.cadre
    incumbent = slot.incumbent
    known = cadre.ties if cadre else {}
    adjustment = merit_adjustments(purchaser, pool, terms.rules)
    keep = 1.0 - f
    bonus = terms.rules["incumbent_rank_bonus"]
    rep = city.ngo_state.reputation.item
    key = np.array(
        [
            keep * (rep(n.row) + bonus * (n is incumbent) + a) + f * known.get(n.unique_id, 0.0)
            for n, a in zip(pool, adjustment, strict=True)
        ]
    )
    key += city.rng.normal(0.0, terms.rules["rank_noise"], len(pool))
    return [pool[i] for i in np.argsort(-key, kind="stable")]


def bidders_for(city: City, slot: Slot, terms: Terms) -> list[NGO]:
    """The NGOs that bid for ``slot`` under its purchaser's tender mode."""
    purchaser = slot.purchaser
    mode = purchaser.mode
    if mode == "open":
        # The interested chose among the tenders whose place and sector they serve
        # (choose_open_tenders): only their room is checked again.
        asked = with_room(slot.interested)
        incumbent = slot.incumbent
        if (
            incumbent is not None
            and incumbent not in slot.interested
            and eligible(incumbent, purchaser)
        ):
            asked.append(incumbent)
        return asked
    if mode == "intermediary" and city.hub is not None:
        pool = [n for n in city.hub.pool if eligible(n, purchaser)]
    else:
        pool = candidates(city, purchaser, terms)
    if not pool:
        return []
    if mode == "direct":
        return rank(city, pool, slot, terms, ties=True)[:1]
    ranked = rank(city, pool, slot, terms, ties=(mode == "selective"))
    invited = ranked[: terms.rules["shortlist_size"]]
    if mode == "selective" and slot.incumbent in pool and slot.incumbent not in invited:
        # A purchaser choosing its own shortlist re-invites the provider it knows.
        invited = [slot.incumbent, *invited[:-1]]
    draw = city.rng.random(len(invited))
    chance = terms.rules["invited_bid_chance"]
    return [n for n, u in zip(invited, draw, strict=True) if n is slot.incumbent or u < chance]


# ----------------------------------------------------------------- bids and award
def make_bids(
    city: City, slot: Slot, bidders: list[NGO], terms: Terms, noise: list[float] | None = None
) -> Bids:
    """Each bidder chooses a price and promised hours; the purchaser's leanings adjust
    each bidder's merit.

    Price: ``ceiling * (1 - max_discount * d)`` with ``d = clip(base_discount + snatching
    * need + N(0, discount_noise), 0, 1)``, where ``need`` is 1 for an NGO holding no
    contract in an open tender (it underbids to snatch one) and 0 otherwise. Promised
    hours: ``required * (1 + max_bid_inflation * dare * incentive)`` (``Terms``). Direct
    awards carry no competition: the price is the ceiling and the promise the
    requirement.

    Adjustment: the purchaser's :func:`merit_adjustments`, less ``obedience_discount *
    length * voice`` for a bidder that spent the share ``voice`` of its own hours on
    advocacy last year, with ``length`` the years of the contract at stake
    (:func:`~simcontract.phases.cadres.contract_length`; long contracts reward obedience);
    an official in his first ``new_broom_years`` at the post cuts ``reshuffle_cut *
    reshuffle * (1 - tie)`` for past providers of the purchaser; outside open tenders
    the incumbent gains ``continuity_bonus * last_score``.
    """
    rules = terms.rules
    purchaser = slot.purchaser
    cadre = purchaser.cadre
    ties = cadre.ties if cadre else {}
    adj = merit_adjustments(purchaser, bidders, rules)
    obedience = None
    if rules["obedience_discount"] > 0.0:
        # "(Long duration) ... is a signal about obedience" (Mok & Wen 2023): the longer
        # the contract at stake, the more an official marks down an NGO that spoke up.
        obedience = rules["obedience_discount"] * contract_length(city, purchaser, rules)
    if purchaser.mode == "direct":
        n = len(bidders)
        if obedience is not None:
            voice = city.ngo_state.voice.item
            adj = [a - obedience * voice(b.row) for a, b in zip(adj, bidders, strict=True)]
        reputation = city.ngo_state.reputation.item
        rep = [reputation(b.row) for b in bidders]
        tie = [ties.get(b.unique_id, 0.0) for b in bidders]
        bids = Bids(bidders, [terms.ceiling] * n, [terms.required] * n, rep, tie, adj)
    else:
        cut = None
        new_broom = purchaser.years_at_post(rules.year) < rules["new_broom_years"]
        if new_broom and rules["reshuffle"] > 0:
            # "New brooms sweep clean": a new official marks down providers he has no
            # tie to that already hold or held the purchaser's contracts.
            cut = rules["reshuffle_cut"] * rules["reshuffle"]
        if noise is None:
            noise = city.standard_normals(len(bidders))
        bids = _competitive_bids(
            city, bidders, purchaser, terms, ties, adj, (obedience, cut), noise
        )
    keeper = slot.incumbent
    if purchaser.mode != "open" and keeper in bidders:
        # Discretionary procedures let a purchaser keep a provider it was happy with.
        bids.adjustment[bidders.index(keeper)] += rules["continuity_bonus"] * slot.last_score
    return bids


def _competitive_bids(
    city: City,
    bidders: list[NGO],
    purchaser: Purchaser,
    terms: Terms,
    ties: dict[int, float],
    adj: list[float],
    cuts: tuple[float | None, float | None],
    noise: list[float],
) -> Bids:
    """Prices and promises of bidders who compete (every mode but direct award), and
    their adjustments less the cuts of :func:`make_bids` (``cuts``: the obedience
    discount per unit of voice and the reshuffle cut, ``None`` when not made)."""
    rules = terms.rules
    # Underbidding to snatch a contract only pays in open price competition; on an
    # invited shortlist the purchaser has already chosen whom to ask.
    snatch = rules["snatching"] if purchaser.mode == "open" else 0.0
    md = rules["max_discount"]
    mi = rules["max_bid_inflation"]
    base, spread = rules["base_discount"], rules["discount_noise"]
    ceiling, required, incentive = terms.ceiling, terms.required, terms.incentive
    obedience, cut = cuts
    partners = purchaser.partners
    state = city.ngo_state
    voice, dare, reputation = state.voice.item, state.dare.item, state.reputation.item
    price, promised, rep, tie, adjustment = [], [], [], [], []
    # One pass over the few bidders: a list comprehension per column costs more.
    for b, e, a in zip(bidders, noise, adj, strict=True):
        d = base + (0.0 if b.contracts else snatch) + spread * e
        price.append(ceiling * (1.0 - md * (0.0 if d < 0.0 else 1.0 if d > 1.0 else d)))
        promised.append(required * (1.0 + mi * dare(b.row) * incentive))
        rep.append(reputation(b.row))
        t = ties.get(b.unique_id, 0.0)
        tie.append(t)
        if obedience is not None:
            a = a - obedience * voice(b.row)
        if cut is not None:
            a = a - cut * (b.unique_id in partners) * (1.0 - t)
        adjustment.append(a)
    return Bids(bidders, price, promised, rep, tie, adjustment)


def score_bids(bids: Bids, terms: Terms) -> tuple[list[float], list[float]]:
    """Score the bids of one tender (plain lists: a tender has few bids).

    ``merit = wp * price_pts + wr * reputation + ww * work_pts + adjustment`` where
    ``price_pts = clip((1 - price / ceiling) / max_discount, 0, 1)`` (1 at the deepest
    cut, 0 at the ceiling), ``work_pts = clip((promised / required - 1) /
    max_bid_inflation, 0, 1)``, and the weights come from :func:`award_weights`. The
    award score mixes merit with the bidder's personal tie to the official:
    ``total = (1 - favouritism) * merit + favouritism * tie``.

    Returns:
        ``(total, merit)``, one entry per bid.
    """
    rules = terms.rules
    wp, wr, ww = terms.weights
    md = rules["max_discount"]
    mi = rules["max_bid_inflation"]
    f = rules["favouritism"]
    ceiling, required = terms.ceiling, terms.required
    total = []
    merit = []
    columns = (bids.price, bids.promised, bids.reputation, bids.tie, bids.adjustment)
    for x, h, r, t, a in zip(*columns, strict=True):
        if md > 0:
            u = (1.0 - x / ceiling) / md
            u = 0.0 if u < 0.0 else 1.0 if u > 1.0 else u
        else:
            u = 0.0
        if mi > 0:
            w = (h / required - 1.0) / mi
            w = 0.0 if w < 0.0 else 1.0 if w > 1.0 else w
        else:
            w = 0.0
        m = wp * u + wr * r + ww * w + a
        merit.append(m)
        total.append((1.0 - f) * m + f * t)
    return total, merit


def pick_winner(
    city: City, bids: Bids, total: list[float], terms: Terms, noise: list[float] | None = None
) -> int | None:
    """The index of the winning bid, or ``None`` when no bid is acceptable.

    A bidder is acceptable when its reputation plus adjustment reaches
    ``min_reputation``; among acceptable bids the highest ``total + N(0, award_noise)``
    wins (the first one on a tie).
    """
    if noise is None:
        noise = city.standard_normals(len(total))
    floor = terms.rules["min_reputation"]
    spread = terms.rules["award_noise"]
    best, best_total = None, -math.inf
    columns = zip(total, noise, bids.reputation, bids.adjustment, strict=True)
    for i, (t, e, r, a) in enumerate(columns):
        if r + a >= floor and t + spread * e > best_total:
            best, best_total = i, t + spread * e
    return best


def award(
    city: City, slot: Slot, bids: Bids, best: int, terms: Terms, record: YearRecord
) -> Contract:
    """Sign the contract with the winning bidder and count the award.

    The contract runs the length the purchaser chose this year
    (:func:`simcontract.phases.cadres.contract_length`: one year, or ``contract_years``
    when the finance bureau authorised more); in year 1 the market starts mid-cycle, so
    first contracts have ``U{1..length}`` years left.
    """
    purchaser = slot.purchaser
    winner = bids.bidders[best]
    incumbent = slot.last_provider
    if incumbent is not None:
        record.with_incumbent += 1
        if winner is not incumbent:
            record.incumbent_lost += 1
        if slot.incumbent is not None and incumbent.alive:
            # A provider that exited or was ended early has no renewal to lose.
            record.incumbent_tenders += 1
            record.incumbent_defeats += winner is not incumbent
    record.awards += 1
    year = terms.rules.year
    # A second award of the same round is no repeat: the NGO held no contract before.
    if purchaser.partners.get(winner.unique_id, year) < year:
        record.repeat_awards += 1
    tied = bids.tie[best] >= TIE_THRESHOLD
    if tied:
        record.tied_awards += 1
    required = terms.required
    record.inflation_sum += bids.promised[best] / required - 1.0
    record.price_ratio_sum += bids.price[best] / terms.ceiling
    length = contract_length(city, purchaser, terms.rules)
    record.length_sum += length
    if year == 1:
        length = int(city.rng.integers(1, length + 1))
    price, promised = bids.price[best], bids.promised[best]
    contract = Contract(slot, winner, price, year, year + length - 1, promised, required, tied)
    if winner is not incumbent:
        slot.years_same_provider = 0
    slot.contract = contract
    winner.contracts.append(contract)
    winner.round_funds -= winner.round_need
    purchaser.partners.setdefault(winner.unique_id, year)
    if city.open_round is not None:
        city.open_round.note_award(winner, purchaser)
    return contract


def run_tender(city: City, slot: Slot, terms: Terms, record: YearRecord) -> Contract | None:
    """Tender one empty slot; return the new contract, or ``None`` when the tender fails."""
    round_ = city.open_round
    if round_ is not None and round_.resolves(slot):
        return round_.resolve(slot, terms, record)
    bidders = bidders_for(city, slot, terms)
    players = city.players
    if players is not None:
        bidders = players.answer(slot, bidders)
    record.tenders += 1
    record.bids += len(bidders)
    newcomers = 0
    track = city.ngo_state.track_record.item
    for b in bidders:
        if track(b.row) == 0 and not b.contracts:
            newcomers += 1
    record.newcomer_bids += newcomers
    best = None
    if bidders:
        # An open tender of a round tendered on its own reads its entries' draws.
        draws = round_.noise_for(slot, bidders) if round_ and id(slot) in round_.index else None
        bids = make_bids(city, slot, bidders, terms, draws and draws[0])
        if players is not None:
            players.bid_terms(slot, bids, terms)
        total, merit = score_bids(bids, terms)
        best = pick_winner(city, bids, total, terms, draws and draws[1])
        if players is not None:
            best = players.award(slot, bids, (total, merit), best, terms)
    if best is None:
        record.failed += 1
        return None
    record.tied_bid_share_sum += sum(t >= TIE_THRESHOLD for t in bids.tie) / len(bids.tie)
    return award(city, slot, bids, best, terms, record)


# ----------------------------------------------------------------- the round
CHUNK_CELLS = 1 << 18
"""About the most places (NGOs × tenders answered) :func:`choose_open_tenders` samples at
once (2 MiB), so a round's memory stays bounded however many NGOs and tenders it has."""


def choose_open_tenders(
    city: City, rules: Rules, books: Books
) -> tuple[list[Slot], np.ndarray, np.ndarray] | None:
    """Each NGO picks which of the year's open tenders it will bid for.

    An NGO that seeks contracts considers every open tender whose purchaser it serves
    (place and sector), wants each with probability ``bid_propensity``, and answers at
    most ``bids_per_free_contract * min(free, free_contracts_counted)`` of them, chosen
    at random, where ``free`` is the number of further contracts it has room for. The
    chosen NGOs are stored on each slot as ``slot.interested`` (in list order);
    eligibility is checked again when the tender runs.
    """
    slots = [
        s for pu in city.purchasers if pu.mode == "open" for s in pu.slots if s.contract is None
    ]
    for s in slots:
        s.interested = []
    ngos = city.ngos
    if not slots or not ngos:
        return None
    codes = {sector: i for i, sector in enumerate(SECTORS)}
    free = books.capacity - books.held
    counted = np.minimum(rules["free_contracts_counted"], np.maximum(0, free))
    budget = rules["bids_per_free_contract"] * counted
    # Only an NGO that seeks contracts and may answer a tender chooses (and draws).
    budget[~books.seeking] = 0
    market = Interest(
        district=city.ngo_values("district"),
        citywide=city.ngo_values("citywide").astype(bool),
        sector=city.ngo_values("sector_code"),
        budget=budget,
        slot_district=np.array([s.purchaser.district for s in slots], np.intp),
        slot_sector=np.array([codes[s.purchaser.sector] for s in slots], np.intp),
    )
    tender, bidder = market.choices(city.rng, rules["bid_propensity"])
    chosen = bidder.tolist()
    ends = np.searchsorted(tender, np.arange(1, len(slots) + 1)).tolist()
    for s, start, end in zip(slots, [0, *ends[:-1]], ends, strict=True):
        s.interested = [ngos[i] for i in chosen[start:end]]
    if city.players is not None:
        city.players.choose_tenders(slots)
    return slots, tender, bidder


@dataclass(frozen=True)
class Interest:
    """The NGOs and open tenders of a round, as arrays, for :func:`choose_open_tenders`.

    Attributes:
        district, citywide, sector, budget: Per NGO: home district, whether it serves
            every district, sector code (-1 for a generalist), most tenders it answers.
        slot_district, slot_sector: Per open tender: its purchaser's district and sector
            code.
    """

    district: np.ndarray
    citywide: np.ndarray
    sector: np.ndarray
    budget: np.ndarray
    slot_district: np.ndarray
    slot_sector: np.ndarray

    def runs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Where each NGO's tenders lie: ``(lookup, low, high)``, the tenders NGO ``i``
        serves being ``lookup[low[i]:high[i]]``.

        ``lookup`` holds the tenders sorted by (district, sector), then again sorted by
        sector: the tenders a local NGO serves are one run of the first order, those of
        a city-wide NGO one run of the second, so no NGOs × tenders array is needed.
        """
        n_sectors, k = len(SECTORS), len(self.slot_district)
        by_place = np.lexsort((self.slot_sector, self.slot_district))
        by_sector = np.argsort(self.slot_sector, kind="stable")
        place_keys = (self.slot_district * n_sectors + self.slot_sector)[by_place]
        general = self.sector < 0
        key = self.district * n_sectors + np.maximum(self.sector, 0)
        low = np.searchsorted(place_keys, key)
        high = np.searchsorted(place_keys, np.where(general, key + n_sectors, key + 1))
        sector_keys = self.slot_sector[by_sector]
        sector_low = np.where(general, 0, np.searchsorted(sector_keys, self.sector))
        sector_high = np.where(general, k, np.searchsorted(sector_keys, self.sector + 1))
        low = np.where(self.citywide, k + sector_low, low)
        high = np.where(self.citywide, k + sector_high, high)
        return np.concatenate([by_place, by_sector]), low, high

    def choices(self, rng: np.random.Generator, propensity: float) -> tuple[np.ndarray, ...]:
        """The (tender, NGO) pairs chosen, sorted by tender then NGO.

        An NGO serving ``s`` tenders wants ``w ~ Binomial(s, propensity)`` of them (each
        with chance ``propensity``, independently) and answers ``c = min(w, budget)``
        of them, chosen uniformly at random: ``c`` distinct places among its ``s``
        tenders by Floyd's sampling algorithm. Draws: one binomial per NGO with a
        budget and a tender to serve, then ``c`` uniforms per NGO, NGO by NGO. NGOs are
        sampled in groups of at most about :data:`CHUNK_CELLS` places; the draws are
        the same whatever the grouping, and memory grows with the NGOs and the
        tenders answered, not with NGOs × tenders.
        """
        lookup, low, high = self.runs()
        active = np.flatnonzero((self.budget > 0) & (high > low))
        served = (high - low)[active]
        count = np.minimum(rng.binomial(served, propensity), self.budget[active])
        draws = rng.random(int(count.sum()))
        first = np.cumsum(count) - count
        tenders, bidders = [np.empty(0, np.intp)], [np.empty(0, np.intp)]
        most = int(count.max(initial=0))
        rows = max(1, CHUNK_CELLS // max(most, 1))
        for a in range(0, len(active), rows):
            group = slice(a, a + rows)
            place = _floyd(served[group], count[group], draws, first[group])
            owner = np.repeat(active[group], count[group])
            tenders.append(lookup[np.repeat(low[active[group]], count[group]) + place])
            bidders.append(owner)
        tender, bidder = np.concatenate(tenders), np.concatenate(bidders)
        order = np.lexsort((bidder, tender))
        return tender[order], bidder[order]


def _floyd(size: np.ndarray, count: np.ndarray, draws: np.ndarray, first: np.ndarray) -> np.ndarray:
    """For each item ``i``, ``count[i]`` distinct places in ``range(size[i])`` chosen
    uniformly at random (Floyd's algorithm), from its uniform ``draws[first[i]:]``;
    returned item by item.

    Step ``k`` draws ``t`` uniformly from ``0 .. j`` with ``j = size - count + k``, and
    takes ``t``, or ``j`` if ``t`` was taken before.
    """
    most = int(count.max(initial=0))
    taken = np.full((len(count), most), -1, np.intp)
    for k in range(most):
        on = np.flatnonzero(count > k)
        j = size[on] - count[on] + k
        t = np.minimum((draws[first[on] + k] * (j + 1)).astype(np.intp), j)
        seen = (taken[on, :k] == t[:, None]).any(axis=1)
        taken[on, k] = np.where(seen, j, t)
    return taken[np.arange(most)[None, :] < count[:, None]]


def tender_round(city: City, rules: Rules, record: YearRecord) -> None:
    """Run this year's tenders of every purchaser in ``city``, in random order.

    Every NGO's capacity is frozen for the round; if a purchaser tenders through the
    hub this year, the hub refreshes its pool (a hub no purchaser commissions draws
    nothing); NGOs choose their open tenders, then each purchaser, in a random order,
    tenders its empty slots in list order. The round's tenders, failed tenders and newcomer share
    of bids are kept for next year's entry; the city's NGOs and contracts are gathered
    into ``city.batch`` for the rest of the year, and the market they form is counted.
    """
    city.round_candidates = {}
    books = open_books(city, rules)
    if city.hub is not None and any(pu.mode == "intermediary" for pu in city.purchasers):
        empty = sum(s.contract is None for pu in city.purchasers for s in pu.slots)
        seekers = list(compress(city.ngos, books.seeking.tolist()))
        city.hub.refresh_pool(seekers, empty, rules, city.rng)
    chosen = choose_open_tenders(city, rules, books)
    tenders, failed, bids, newcomer_bids = (
        record.tenders,
        record.failed,
        record.bids,
        record.newcomer_bids,
    )
    terms = Terms.of(rules)
    if chosen is not None:
        city.open_round = openround.OpenRound.start(city, books, *chosen, terms)
    for i in city.rng.permutation(len(city.purchasers)):
        for slot in city.purchasers[i].slots:
            if slot.contract is None:
                run_tender(city, slot, terms, record)
    city.open_round = None
    city.last_tenders = record.tenders - tenders
    city.last_failed = record.failed - failed
    bids = record.bids - bids
    city.last_newcomer = (record.newcomer_bids - newcomer_bids) / bids if bids else 0.0
    city.batch = YearBatch.of(city)
    _count_market(city, city.batch, record)


@dataclass(frozen=True)
class Books:
    """What each of the city's NGOs (``city.ngos``, in order) brings to the tender
    round, frozen when it opens (:func:`open_books`).

    Attributes:
        held: Contracts it holds.
        capacity: Most contracts it can manage (``round_capacity``).
        funds: Money it can commit (``round_funds``).
        need: Money one more contract needs (``round_need``).
        seeking: Whether it seeks contracts this year (``seeks_contracts``).
    """

    held: np.ndarray
    capacity: np.ndarray
    funds: np.ndarray
    need: np.ndarray
    seeking: np.ndarray


def open_books(city: City, rules: Rules) -> Books:
    """Freeze each NGO's capacity for the round and work out what it can commit.

    An NGO's capacity is :meth:`~simcontract.agents.NGO.capacity`. Its funds are its
    reserves and last year's other income (0 in its first year), less the cash part of the
    match its contracts need this year; one more contract needs start-up money
    (``startup_share`` of its yearly wage bill) and the cash part of its match at the
    ceiling price (:func:`simcontract.phases.money.cash_match`). Each NGO's
    ``round_capacity``, ``round_funds`` and ``round_need`` are set, and returned as arrays.
    """
    startup = rules["startup_share"] * rules["staff_per_contract"] * rules["wage"]
    ngos = city.ngos
    m = len(ngos)
    held = np.fromiter(map(len, map(attrgetter("contracts"), ngos)), np.intp, m)
    track = city.ngo_values("track_record")
    origin = city.ngo_values("origin_code")
    small = (origin == ORIGINS.index("community")) | (origin == ORIGINS.index("grassroots"))
    grown = 1 + (track / rules["experience_per_contract"]).astype(np.intp)
    capacity = np.where(small, rules["small_ngo_contracts"], grown)
    other = city.ngo_values("revenue_other")
    funds = city.ngo_values("reserves") + other
    if rules["match_funding"] <= 0.0:
        # No match to pay: nothing is committed and one more contract needs start-up only.
        need = np.full(m, startup + 0.0)
    else:
        network = funding_networks(other, origin, rules)
        contracts = [c for n in ngos for c in n.contracts]
        owner = np.repeat(np.arange(m), held)
        prices = column(contracts, "price")
        cash = cash_matches(track[owner], network[owner], prices, rules)
        # Summed in order, contract by contract, as the NGO pays them.
        funds = funds - np.bincount(owner, weights=cash, minlength=m)
        need = startup + cash_matches(track, network, np.full(m, rules["contract_value"]), rules)
    columns = (capacity.tolist(), funds.tolist(), need.tolist())
    for ngo, c, f, n in zip(ngos, *columns, strict=True):
        ngo.round_capacity = c
        ngo.round_funds = f
        ngo.round_need = n
    return Books(held, capacity, funds, need, column(ngos, "seeks_contracts", bool))


def _count_market(city: City, batch: YearBatch, record: YearRecord) -> None:
    """Count the city's providers, contracts in force, slots, and its concentration."""
    value = batch.per_ngo(batch.term("price"))
    record.ngos_delivering += batch.size
    record.providers += int((value > 0).sum())
    origins = batch.get("origin_code")
    agency = origins == ORIGINS.index("general")
    record.agencies_delivering += int(agency.sum())
    record.agency_providers += int((agency & (value > 0)).sum())
    record.agency_contracts += int(agency[batch.owner].sum())
    record.contracts += len(batch.contracts)
    total = value.sum()
    if total > 0:
        record.hhi_sum += float(((value / total) ** 2).sum())
        record.hhi_cities += 1
    record.add_capture(value, origins)
    funded, gaps = set(), set()
    for pu in city.purchasers:
        record.slots_funded += len(pu.slots)
        served = _count_churn(pu.slots, record)
        record.slots_served += served
        record.budget += pu.budget
        funded.add(pu.district)
        if served < len(pu.slots):
            gaps.add(pu.district)
    record.districts_funded += len(funded)
    record.gap_districts += len(gaps)


def _count_churn(slots: list[Slot], record: YearRecord) -> int:
    """Count the slots served this year and last, and those whose provider changed;
    remember this year's provider of each slot; return how many are served."""
    served = 0
    for s in slots:
        if s.contract is None:
            s.served_by = None
            continue
        served += 1
        provider = s.contract.ngo
        if s.served_by is not None:
            record.churn_slots += 1
            record.churn_changed += provider is not s.served_by
        s.served_by = provider
    return served
