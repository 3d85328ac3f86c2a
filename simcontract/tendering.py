"""Tender procedures and bid scoring.

Each year every purchaser tenders its empty service slots by its mode:

- ``open``: every eligible NGO may bid;
- ``selective``: the purchaser invites a shortlist (reputation, incumbency, ties);
- ``intermediary``: the city's hub invites a shortlist from the pool it manages;
- ``direct``: no competition; the purchaser picks one NGO (ties, incumbency, reputation).

An NGO is *eligible* when it is active, serves the purchaser's district and sector,
holds fewer contracts than its capacity, and can co-fund one year of match funding.
Bids are scored by :func:`score_bids`; the best *acceptable* bid wins, otherwise the
tender fails and the slot stays empty for the year (a service gap).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from simcontract.agents import NGO, SECTORS, Contract, Purchaser, Slot
from simcontract.batch import column

if TYPE_CHECKING:
    from simcontract.agents import City
    from simcontract.model import ContractingModel
    from simcontract.outcomes import YearRecord

TIE_THRESHOLD = 0.3
"""Tie strength from which an award counts as tied (``tied_award_share``)."""

REGIME_WORKLOAD = {"workload": 1.0, "mixed": 0.6, "outcome": 0.2}
"""Multiplier on ``workload_weight`` in award scoring under each evaluation regime."""

BIDS_PER_FREE_SLOT = 2
"""Open tenders an NGO bids for in a year per contract it has room for, counting at most
two free contracts (proposals are costly); an incumbent always rebids for its slot."""

CONTINUITY_BONUS = 0.3
"""Merit bonus per unit of last evaluation score for the incumbent in selective,
intermediary and direct procedures (none in open tenders, scored by formal rules)."""

INVITED_BID_PROB = 0.9
"""Chance that an invited NGO (selective, intermediary) bids."""


@dataclass
class Bids:
    """The bids in one tender, as parallel arrays (one entry per bidder)."""

    bidders: list[NGO]
    price: np.ndarray
    promised: np.ndarray
    reputation: np.ndarray
    tie: np.ndarray
    adjustment: np.ndarray

    def columns(self) -> tuple[np.ndarray, ...]:
        """``(price, promised, reputation, tie, adjustment)``."""
        return self.price, self.promised, self.reputation, self.tie, self.adjustment


def award_weights(p: dict[str, Any]) -> tuple[float, float, float]:
    """Weights of (price, reputation, promised hours) in merit, summing to 1."""
    wp = p["price_weight"]
    wr = p["reputation_weight"]
    ww = p["workload_weight"] * REGIME_WORKLOAD[p["evaluation"]]
    total = wp + wr + ww
    if total <= 0.0:
        # Only a tiny workload weight, scaled down by the regime, can underflow to 0 here
        # (the registry keeps the sum of the three above 0): promised hours alone count.
        return 0.0, 0.0, 1.0
    return wp / total, wr / total, ww / total


@dataclass(frozen=True, slots=True)
class Terms:
    """The parameters a tender reads, looked up once per tender round.

    Attributes:
        p: The parameter dict they were read from.
        ceiling: Price ceiling (``contract_value``).
        required: Required hours per contract.
        floor: Reserves a bidder needs to co-fund one year (``match_funding * ceiling``).
        weights: :func:`award_weights`.
        incentive: ``min(1, 3 * ww)``, how far bidders inflate promised hours.
    """

    p: dict[str, Any]
    ceiling: float
    required: float
    floor: float
    weights: tuple[float, float, float]
    incentive: float

    @classmethod
    def of(cls, p: dict[str, Any]) -> Terms:
        """Read the terms from ``p``."""
        weights = award_weights(p)
        return cls(
            p,
            p["contract_value"],
            p["required_hours"],
            p["match_funding"] * p["contract_value"],
            weights,
            min(1.0, 3.0 * weights[2]),
        )


def _terms(city: City, p: dict[str, Any]) -> Terms:
    """The round's terms kept on the city by :func:`tender_city`, or read from ``p``."""
    terms = city.round_terms
    return terms if terms is not None and terms.p is p else Terms.of(p)


def _scores(
    price: list[float],
    promised: list[float],
    reputation: list[float],
    tie: list[float],
    adjustment: list[float],
    *,
    ceiling: float,
    required: float,
    p: dict[str, Any],
    weights: tuple[float, float, float] | None = None,
) -> tuple[list[float], list[float]]:
    """:func:`score_bids` on plain lists (a tender has few bids, so Python beats numpy).

    ``weights`` are :func:`award_weights` of ``p`` when the caller has them already.
    """
    wp, wr, ww = award_weights(p) if weights is None else weights
    md = p["max_discount"]
    mi = p["max_bid_inflation"]
    f = p["favouritism"]
    total = []
    merit = []
    for x, h, r, t, a in zip(price, promised, reputation, tie, adjustment, strict=True):
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


def score_bids(
    bids: Bids, *, ceiling: float, required: float, p: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """Score bids for one tender.

    ``merit = wp * price_pts + wr * reputation + ww * work_pts + adjustment`` where
    ``price_pts = clip((1 - price / ceiling) / max_discount, 0, 1)`` (1 at the deepest
    cut, 0 at the ceiling), ``work_pts = clip((promised / required - 1) /
    max_bid_inflation, 0, 1)``, and the weights come from :func:`award_weights`. The
    award score mixes merit with the bidder's personal tie to the official:
    ``total = (1 - favouritism) * merit + favouritism * tie``.

    Returns:
        ``(total, merit)``, arrays with one entry per bid.
    """
    total, merit = _scores(
        *(np.asarray(x, dtype=float).tolist() for x in bids.columns()),
        ceiling=ceiling,
        required=required,
        p=p,
    )
    return np.array(total), np.array(merit)


def acceptable(bids: Bids, p: dict[str, Any]) -> np.ndarray:
    """Whether each bidder is acceptable: reputation plus the purchaser's adjustments
    (blame avoidance, partnership, reshuffle, continuity) reaches ``min_reputation``."""
    return bids.reputation + bids.adjustment >= p["min_reputation"]


def eligible(ngo: NGO, purchaser: Purchaser, p: dict[str, Any]) -> bool:
    """Whether ``ngo`` may bid for one of ``purchaser``'s slots this year."""
    return (
        ngo.alive
        and len(ngo.contracts) < ngo.capacity()
        and ngo.serves(purchaser)
        and ngo.reserves >= p["match_funding"] * p["contract_value"]
    )


def candidates(city: City, purchaser: Purchaser, p: dict[str, Any]) -> list[NGO]:
    """Eligible NGOs for a purchaser: those of its district plus city-wide ones.

    Place, sector and co-funding do not change during a tender round, so the NGOs that
    pass them are kept per (district, sector) for the round; only capacity is checked
    at each tender.
    """
    key = (purchaser.district, purchaser.sector)
    served = city.round_candidates.get(key)
    if served is None:
        local = city.by_district.get(purchaser.district, [])
        floor = p["match_funding"] * p["contract_value"]
        # :func:`eligible`, with the capacity fixed for the round.
        served = [
            n
            for n in (*local, *city.citywide)
            if n.alive
            and len(n.contracts) < n.round_capacity
            and n.reserves >= floor
            and n.serves(purchaser)
        ]
        city.round_candidates[key] = served
    return [n for n in served if n.alive and len(n.contracts) < n.round_capacity]


def _rank(
    rng: np.random.Generator,
    pool: list[NGO],
    purchaser: Purchaser,
    slot: Slot,
    p: dict[str, Any],
    *,
    ties: bool,
) -> list[NGO]:
    """Order NGOs as a purchaser or hub sees them (best first), with some noise."""
    if not pool:
        return []
    f = p["favouritism"] if ties else 0.0
    cadre = purchaser.cadre
    incumbent = slot.incumbent
    known = cadre.ties if cadre else {}
    adjustment = purchaser.merit_adjustments(pool)
    keep = 1.0 - f
    key = np.array(
        [
            keep * (n.reputation + 0.3 * (n is incumbent) + a) + f * known.get(n.unique_id, 0.0)
            for n, a in zip(pool, adjustment, strict=True)
        ]
    )
    key += rng.normal(0.0, 0.1, len(pool))
    return [pool[i] for i in np.argsort(-key, kind="stable")]


def bidders_for(
    model: ContractingModel, city: City, purchaser: Purchaser, slot: Slot, p: dict[str, Any]
) -> list[NGO]:
    """The NGOs that bid for ``slot`` under the purchaser's tender mode."""
    mode = purchaser.mode
    if mode == "open":
        # The interested NGOs serve the purchaser (they chose among the tenders they
        # serve) and their reputation, hence capacity, is fixed for the round.
        floor = p["match_funding"] * p["contract_value"]
        asked = [
            n
            for n in slot.interested
            if n.alive and len(n.contracts) < n.round_capacity and n.reserves >= floor
        ]
        incumbent = slot.incumbent
        if (
            incumbent is not None
            and incumbent not in slot.interested
            and eligible(incumbent, purchaser, p)
        ):
            asked.append(incumbent)
        return asked
    if mode == "intermediary" and city.hub is not None:
        pool = [n for n in city.hub.pool if eligible(n, purchaser, p)]
    else:
        pool = candidates(city, purchaser, p)
    if not pool:
        return []
    rng = city.rng
    if mode == "direct":
        return _rank(rng, pool, purchaser, slot, p, ties=True)[:1]
    ranked = _rank(rng, pool, purchaser, slot, p, ties=(mode == "selective"))
    invited = ranked[: p["shortlist_size"]]
    if mode == "selective" and slot.incumbent in pool and slot.incumbent not in invited:
        # A purchaser choosing its own shortlist re-invites the provider it knows.
        invited = [slot.incumbent, *invited[:-1]]
    draw = rng.random(len(invited))
    return [
        n for n, u in zip(invited, draw, strict=True) if n is slot.incumbent or u < INVITED_BID_PROB
    ]


def make_bids(
    model: ContractingModel, bidders: list[NGO], purchaser: Purchaser, p: dict[str, Any]
) -> Bids:
    """Each bidder chooses a price and promised hours.

    Price: ``ceiling * (1 - max_discount * d)`` with
    ``d = clip(0.15 + snatching * need + N(0, 0.1), 0, 1)``, where ``need`` is 1 for an
    NGO holding no contract in an open tender (it underbids to snatch one) and 0
    otherwise.
    Promised hours: ``required * (1 + max_bid_inflation * dare * incentive)`` where the
    ``incentive = min(1, 3 * ww)`` with ``ww`` the normalised weight of promised
    hours in award scoring (see :func:`award_weights`). Direct
    awards carry no competition: the price is the ceiling and the promise the requirement.
    """
    city = model.city(purchaser.city)
    price, promised, rep, tie, adj = _bid_lists(city, bidders, purchaser, Terms.of(p))
    return Bids(bidders, *np.array([price, promised, rep, tie, adj]).reshape(5, len(bidders)))


def _bid_lists(
    city: City, bidders: list[NGO], purchaser: Purchaser, terms: Terms
) -> tuple[list[float], list[float], list[float], list[float], list[float]]:
    """:func:`make_bids` as plain lists ``(price, promised, reputation, tie, adjustment)``."""
    p = terms.p
    ceiling = terms.ceiling
    required = terms.required
    cadre = purchaser.cadre
    ties = cadre.ties if cadre else {}
    adj = purchaser.merit_adjustments(bidders)
    if purchaser.mode == "direct":
        n = len(bidders)
        rep = [b.reputation for b in bidders]
        tie = [ties.get(b.unique_id, 0.0) for b in bidders]
        return [ceiling] * n, [required] * n, rep, tie, adj
    # Underbidding to snatch a contract only pays in open price competition; on an
    # invited shortlist the purchaser has already chosen whom to ask.
    snatch = p["snatching"] if purchaser.mode == "open" else 0.0
    md = p["max_discount"]
    mi = p["max_bid_inflation"]
    incentive = terms.incentive
    price = []
    promised = []
    rep = []
    tie = []
    # One pass over the few bidders: a list comprehension per column costs more.
    for b, e in zip(bidders, city.standard_normals(len(bidders)), strict=True):
        d = 0.15 + (0.0 if b.contracts else snatch) + 0.1 * e
        price.append(ceiling * (1.0 - md * (0.0 if d < 0.0 else 1.0 if d > 1.0 else d)))
        promised.append(required * (1.0 + mi * b.dare * incentive))
        rep.append(b.reputation)
        tie.append(ties.get(b.unique_id, 0.0))
    if purchaser.years_at_post() < 2 and p["reshuffle"] > 0:
        # "New brooms sweep clean": a new official marks down providers he has no tie
        # to that already hold or held the purchaser's contracts.
        partners = purchaser.partners
        cut = 0.3 * p["reshuffle"]
        adj = [
            a - cut * (b.unique_id in partners) * (1.0 - t)
            for a, b, t in zip(adj, bidders, tie, strict=True)
        ]
    return price, promised, rep, tie, adj


def run_tender(
    model: ContractingModel,
    city: City,
    purchaser: Purchaser,
    slot: Slot,
    p: dict[str, Any],
    record: YearRecord,
) -> Contract | None:
    """Tender one slot; return the new contract, or ``None`` when the tender fails."""
    bidders = bidders_for(model, city, purchaser, slot, p)
    record.tenders += 1
    record.bids += len(bidders)
    newcomers = 0
    for b in bidders:
        if b.track_record == 0 and not b.contracts:
            newcomers += 1
    record.newcomer_bids += newcomers
    incumbent = slot.last_provider
    winner: NGO | None = None
    if bidders:
        terms = _terms(city, p)
        price, promised, rep, tie, adj = _bid_lists(city, bidders, purchaser, terms)
        keeper = slot.incumbent
        if purchaser.mode != "open" and keeper in bidders:
            # Discretionary procedures let a purchaser keep a provider it was happy with.
            adj[bidders.index(keeper)] += CONTINUITY_BONUS * slot.last_score
        total, _merit = _scores(
            price,
            promised,
            rep,
            tie,
            adj,
            ceiling=terms.ceiling,
            required=terms.required,
            p=p,
            weights=terms.weights,
        )
        noise = city.standard_normals(len(bidders))
        floor = p["min_reputation"]
        best_total = -math.inf
        for i, (t, e, r, a) in enumerate(zip(total, noise, rep, adj, strict=True)):
            # Acceptable bidders only (as in :func:`acceptable`); the first best wins ties.
            if r + a >= floor and t + 0.02 * e > best_total:
                best, best_total = i, t + 0.02 * e
        if best_total > -math.inf:
            winner = bidders[best]
    if winner is None:
        record.failed += 1
        return None
    if incumbent is not None:
        record.with_incumbent += 1
        if winner is not incumbent:
            record.incumbent_lost += 1
    record.awards += 1
    if winner.unique_id in purchaser.partners:
        record.repeat_awards += 1
    tied = tie[best] >= TIE_THRESHOLD
    if tied:
        record.tied_awards += 1
    required = terms.required
    record.inflation_sum += promised[best] / required - 1.0
    length = p["contract_years"]
    year = model.year
    if year == 1:
        # The market starts mid-cycle: first contracts have staggered remaining terms.
        length = int(city.rng.integers(1, length + 1))
    contract = Contract(
        slot, winner, price[best], year, year + length - 1, promised[best], required, tied
    )
    if winner is not incumbent:
        slot.years_same_provider = 0
    slot.contract = contract
    winner.contracts.append(contract)
    purchaser.partners.add(winner.unique_id)
    return contract


def choose_open_tenders(model: ContractingModel, city: City, p: dict[str, Any]) -> None:
    """Each NGO picks which of the year's open tenders it will bid for.

    An NGO considers every open tender whose purchaser it serves (place and sector),
    wants each with probability ``bid_propensity``, and answers at most
    ``BIDS_PER_FREE_SLOT * min(free, 2)`` of them, chosen at random, where ``free`` is
    the number of further contracts it has room for. The chosen NGOs are stored on each
    slot as ``slot.interested`` (in list order); eligibility is checked again when the
    tender runs.
    """
    slots = [
        s for pu in city.purchasers if pu.mode == "open" for s in pu.slots if s.contract is None
    ]
    for s in slots:
        s.interested = []
    ngos = city.ngos
    if not slots or not ngos:
        return
    codes = {sector: i for i, sector in enumerate(SECTORS)}
    m = len(ngos)
    district = column(ngos, "district", np.intp)
    citywide = column(ngos, "multi_district", bool)
    sector = np.fromiter((codes.get(n.sector, -1) for n in ngos), np.intp, m)
    free = np.fromiter((n.round_capacity - len(n.contracts) for n in ngos), np.intp, m)
    budget = BIDS_PER_FREE_SLOT * np.minimum(2, np.maximum(0, free))
    slot_district = np.array([s.purchaser.district for s in slots])
    slot_sector = np.array([codes[s.purchaser.sector] for s in slots])
    serves = (citywide[:, None] | (district[:, None] == slot_district[None, :])) & (
        (sector[:, None] == -1) | (sector[:, None] == slot_sector[None, :])
    )
    rng = city.rng
    want = serves & (rng.random(serves.shape) < p["bid_propensity"])
    keys = np.where(want, rng.random(serves.shape), 2.0)
    # Each NGO answers the ``budget`` wanted tenders with the smallest keys: those up to
    # its budget-th smallest key (keys are distinct draws; 2.0 marks the unwanted).
    most = min(int(budget.max()), keys.shape[1])
    if most == 0:
        return
    smallest = np.sort(np.partition(keys, most - 1, axis=1)[:, :most], axis=1)
    kth = smallest[np.arange(m), np.minimum(np.maximum(budget, 1), most) - 1]
    limit = np.where(budget > 0, kth, -1.0)
    chosen = want & (keys <= limit[:, None])
    tender, bidder = np.nonzero(chosen.T)
    for j, i in zip(tender.tolist(), bidder.tolist(), strict=True):
        slots[j].interested.append(ngos[i])


def tender_city(model: ContractingModel, city: City, p: dict[str, Any], record: YearRecord) -> None:
    """Run this year's tenders of every purchaser in ``city``, in random order."""
    if city.hub is not None:
        empty = sum(s.contract is None for pu in city.purchasers for s in pu.slots)
        city.hub.refresh_pool(city.ngos, p["hub_pool_size"], empty, city.rng)
    city.round_candidates = {}
    for ngo in city.ngos:
        ngo.round_capacity = ngo.capacity()  # reputation is fixed during the round
    choose_open_tenders(model, city, p)
    order = city.rng.permutation(len(city.purchasers))
    # The terms hold for this round only: a tender run on its own reads them afresh.
    city.round_terms = Terms.of(p)
    try:
        for i in order:
            purchaser = city.purchasers[i]
            for slot in purchaser.slots:
                if slot.contract is None:
                    run_tender(model, city, purchaser, slot, p, record)
    finally:
        city.round_terms = None
