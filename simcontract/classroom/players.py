"""The people who decide for some NGOs and officials of a classroom market.

A :class:`Players` object sits on ``city.players`` (``None`` in a simulation). The phases
hand it each decision a person may take over, at the moment the model would take it:

- after the NGOs' plans (:func:`simcontract.phases.strategy.plan_year`), it asks the
  desk for the NGO heads' plans: whether to seek contracts, whom to court, advocacy;
- in the tender round, the tenders each head bids for, the invitations it answers,
  the price and hours of its bids, and an official's award;
- at staffing, the workers a head hires beyond what its contracts need;
- at delivery, whether it accepts ordered extra duties and how much documentation it
  does.

A head without a plan this year (absent, or out of time) and an official who does not
decide get the model's own decision, drawn as for a simulated agent. The desk
(:class:`Desk`) is the session (:mod:`simcontract.classroom.session`) or, to replay a
session, its log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from simcontract.classroom.plans import AwardChoice, Limits, NGOPlan

if TYPE_CHECKING:
    from simcontract.agents import NGO, Cadre, City, Contract, Purchaser, Slot
    from simcontract.batch import YearBatch
    from simcontract.phases.tendering import Bids, Terms
    from simcontract.scenario import Rules


def tender_id(slot: Slot) -> str:
    """A tender's id: its purchaser's id and the slot's place among the purchaser's."""
    purchaser = slot.purchaser
    return f"{purchaser.unique_id}-{purchaser.slots.index(slot)}"


@dataclass(frozen=True)
class Pending:
    """A tender waiting for an official's award.

    Attributes:
        tender: The tender's id.
        purchaser: The purchaser's id (the official's seat).
        bids: One row per bid: ``ngo``, ``price`` and ``promise`` (shares of the ceiling
            and of the required hours), ``reputation``, ``tie`` (to this official),
            ``merit`` and ``score`` (as the model scores it: merit mixed with the tie by
            ``favouritism``) and ``acceptable`` (reputation high enough for the model).
        proposed: The NGO the model would award (``None``: no acceptable bid).
    """

    tender: str
    purchaser: int
    bids: tuple[dict[str, Any], ...]
    proposed: int | None

    @property
    def bidders(self) -> tuple[int, ...]:
        """The bidders' ids."""
        return tuple(b["ngo"] for b in self.bids)


class Desk(Protocol):
    """Where the people's decisions come from (a live session, or a log replayed)."""

    def collect_plans(self, year: int, limits: dict[int, Limits]) -> dict[int, NGOPlan]:
        """The plans of the heads who decided this year, by NGO id."""

    def collect_award(self, year: int, pending: Pending) -> AwardChoice | None:
        """The official's award of a pending tender, or ``None`` (the model decides)."""


@dataclass
class Players:
    """The seats people hold in one city, and what they decided this year.

    Attributes:
        desk: Where decisions come from.
        ngos: Ids of the NGOs people head.
        officials: Ids of the purchasers whose official a person plays.
        plans: This year's plans, by NGO id (none for a head who did not decide).
        default_court: The official each seated head would court by the model's plan.
        tenders: This year's open tenders by id.
        heads: The seated NGOs active this year, by id.
        staffed: Each active NGO's workers during the year (after staffing), by id.
        held: The contracts each seated NGO delivered this year, by id.
        reserves: Each seated NGO's reserves when it planned the year, by id.
        bids: Every bidder's bids this year, by id: ``[bids, sum of price shares, sum of
            promised-hours shares]`` (every NGO, simulated or not, for the debrief).
        won: The contracts each NGO won this year, by id (every NGO; those that ended
            or were terminated within the year included).
        story: What happened to each seat this year, as ``(seat id, message key,
            values)`` (NGO or purchaser id).
    """

    desk: Desk
    ngos: set[int] = field(default_factory=set)
    officials: set[int] = field(default_factory=set)
    plans: dict[int, NGOPlan] = field(default_factory=dict)
    default_court: dict[int, Cadre] = field(default_factory=dict)
    tenders: dict[str, Slot] = field(default_factory=dict)
    heads: dict[int, NGO] = field(default_factory=dict)
    staffed: dict[int, int] = field(default_factory=dict)
    held: dict[int, list[Contract]] = field(default_factory=dict)
    reserves: dict[int, float] = field(default_factory=dict)
    bids: dict[int, list[float]] = field(default_factory=dict)
    won: dict[int, int] = field(default_factory=dict)
    story: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)

    def seated(self, ngo: NGO) -> bool:
        """Whether a person heads ``ngo``."""
        return ngo.unique_id in self.ngos

    def tell(self, seat: int, key: str, **values: Any) -> None:
        """Add to what happened to ``seat`` this year."""
        self.story.append((seat, key, values))

    # ------------------------------------------------------------ plans
    def limits(self, city: City, rules: Rules) -> dict[int, Limits]:
        """What each seated, active NGO may choose this year."""
        self.tenders = {
            tender_id(s): s
            for pu in city.purchasers
            if pu.mode == "open"
            for s in pu.slots
            if s.contract is None
        }
        out = {}
        self.heads = {n.unique_id: n for n in city.ngos if n.unique_id in self.ngos}
        counted = rules["free_contracts_counted"]
        for ngo in self.heads.values():
            free = max(0, ngo.capacity(rules) - len(ngo.contracts))
            most = int(rules["bids_per_free_contract"] * min(free, counted))
            out[ngo.unique_id] = Limits(
                tenders=tuple(
                    t for t, s in self.tenders.items() if most and ngo.serves(s.purchaser)
                ),
                officials=tuple(
                    pu.unique_id
                    for pu in city.purchasers
                    if pu.cadre is not None and ngo.serves(pu)
                ),
                lowest_price=1.0 - rules["max_discount"],
                highest_promise=1.0 + rules["max_bid_inflation"],
                most_bids=most,
            )
        return out

    def plan_year(self, city: City, rules: Rules) -> None:
        """Ask for the heads' plans and apply them (the model's plan for the others)."""
        self.story = []
        self.held = {}
        self.bids = {}
        self.won = {}
        self.plans = self.desk.collect_plans(rules.year, self.limits(city, rules))
        self.reserves = {uid: ngo.reserves for uid, ngo in self.heads.items()}
        by_id = {pu.unique_id: pu for pu in city.purchasers}
        hours, growth = rules["cultivation_hours"], rules["tie_cultivation"]
        for uid, ngo in self.heads.items():
            plan = self.plans.get(uid)
            cadre = self.default_court.get(uid)
            if plan is not None:
                ngo.seeks_contracts = bool(plan.bids) or plan.invitations
                ngo.advocacy = plan.advocacy
                chosen: Purchaser | None = by_id.get(plan.court) if plan.court is not None else None
                cadre = chosen.cadre if chosen is not None else None
            if cadre is not None:
                ngo.cultivation = hours
                cadre.strengthen(ngo, growth * (1.0 - cadre.tie(ngo)))
                if cadre.post is not None:
                    self.tell(uid, "courted", purchaser=cadre.post.unique_id)
        self.default_court = {}

    # ------------------------------------------------------------ the tender round
    def choose_tenders(self, slots: list[Slot]) -> None:
        """Put each head with a plan on the open tenders it chose, and only those."""
        chosen = {uid for uid in self.plans}
        if not chosen:
            return
        for s in slots:
            s.interested = [n for n in s.interested if n.unique_id not in chosen]
        for uid, plan in self.plans.items():
            ngo = self.heads.get(uid)
            if ngo is None:
                continue
            for t in plan.bids:
                slot = self.tenders.get(t)
                if slot is not None and slot in slots:
                    slot.interested.append(ngo)

    def answer(self, slot: Slot, bidders: list[NGO]) -> list[NGO]:
        """Drop the heads who decline invitations (tenders other than open ones); tell a
        head whose chosen open tender came up when its NGO had no room left to bid."""
        if slot.purchaser.mode == "open":
            tender = tender_id(slot)
            for uid, plan in self.plans.items():
                ngo = self.heads.get(uid)
                if ngo is not None and ngo.alive and tender in plan.bids and ngo not in bidders:
                    full = len(ngo.contracts) >= ngo.round_capacity
                    self.tell(
                        uid, "bid_not_made_full" if full else "bid_not_made_money", tender=tender
                    )
            return bidders
        return [
            b for b in bidders if (plan := self.plans.get(b.unique_id)) is None or plan.invitations
        ]

    def bid_terms(self, slot: Slot, bids: Bids, terms: Terms) -> None:
        """Set the price and promised hours of the heads' competitive bids."""
        if slot.purchaser.mode == "direct":
            return
        for i, b in enumerate(bids.bidders):
            plan = self.plans.get(b.unique_id)
            if plan is not None:
                bids.price[i] = terms.ceiling * plan.price
                bids.promised[i] = terms.required * plan.promise

    def award(
        self,
        slot: Slot,
        bids: Bids,
        scores: tuple[list[float], list[float]],
        best: int | None,
        terms: Terms,
    ) -> int | None:
        """The winning bid: the official's choice where a person plays the official."""
        total = scores[0]
        purchaser = slot.purchaser
        ids = [b.unique_id for b in bids.bidders]
        for uid, price, promised in zip(ids, bids.price, bids.promised, strict=True):
            made = self.bids.setdefault(uid, [0, 0.0, 0.0])
            made[0] += 1
            made[1] += price / terms.ceiling
            made[2] += promised / terms.required
        tender = tender_id(slot)
        if purchaser.unique_id in self.officials:
            pending = _pending(tender, purchaser, bids, scores, best, terms)
            choice = self.desk.collect_award(terms.rules.year, pending)
            if choice is not None:
                best = None if choice.winner is None else ids.index(choice.winner)
            # No choice from the official (absent, out of time, or the teacher moved
            # on): the model made the award, and the official is told so.
            key = "awarded" if best is not None else "no_award"
            self.tell(
                purchaser.unique_id,
                key if choice is not None else f"{key}_by_model",
                tender=tender,
                winner=None if best is None else ids[best],
                bids=len(ids),
            )
        if best is not None:
            self.won[ids[best]] = self.won.get(ids[best], 0) + 1
        floor = terms.rules["min_reputation"]
        for i, uid in enumerate(ids):
            if uid in self.ngos:
                self.tell(
                    uid,
                    "bid_won" if best == i else "bid_lost" if best is not None else "bid_failed",
                    acceptable=bool(bids.reputation[i] + bids.adjustment[i] >= floor),
                    tender=tender,
                    price=bids.price[i] / terms.ceiling,
                    promise=bids.promised[i] / terms.required,
                    score=total[i],
                    winner=None if best is None else ids[best],
                    winner_score=None if best is None else total[best],
                    tie=bids.tie[i],
                )
        return best

    # ------------------------------------------------------------ staffing, delivery
    def hires(self, batch: YearBatch) -> np.ndarray:
        """Workers each NGO of the batch hires beyond what its contracts need."""
        return np.array(
            [p.hires if (p := self.plans.get(n.unique_id)) is not None else 0 for n in batch.ngos],
            dtype=np.intp,
        )

    def delivery(
        self, batch: YearBatch, refused: np.ndarray, docs: np.ndarray, rules: Rules
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each contract's refusal of extra duties and documentation done, as the heads
        decided (the model's draws for the others); note each NGO's staff for the year."""
        staff = batch.staff.tolist()
        self.staffed = {n.unique_id: int(s) for n, s in zip(batch.ngos, staff, strict=True)}
        self.held = {n.unique_id: list(n.contracts) for n in batch.ngos if n.unique_id in self.ngos}
        if not self.plans or not len(refused):
            return refused, docs
        refused, done = refused.copy(), docs.copy()
        plans = [self.plans.get(n.unique_id) for n in batch.ngos]
        for i, owner in enumerate(batch.owner.tolist()):
            plan = plans[owner]
            if plan is None:
                continue
            if rules["extra_duty_demand"] > 0:
                refused[i] = not plan.duties
            done[i] = docs[i] * plan.documentation
        return refused, done


def _pending(
    tender: str,
    purchaser: Purchaser,
    bids: Bids,
    scores: tuple[list[float], list[float]],
    best: int | None,
    terms: Terms,
) -> Pending:
    total, merit = scores
    floor = terms.rules["min_reputation"]
    rows = tuple(
        {
            "ngo": b.unique_id,
            "price": bids.price[i] / terms.ceiling,
            "promise": bids.promised[i] / terms.required,
            "reputation": bids.reputation[i],
            "tie": bids.tie[i],
            "merit": merit[i],
            "score": total[i],
            "acceptable": bids.reputation[i] + bids.adjustment[i] >= floor,
        }
        for i, b in enumerate(bids.bidders)
    )
    proposed = None if best is None else bids.bidders[best].unique_id
    return Pending(tender, purchaser.unique_id, rows, proposed)


def year_end(players: Players, year: int) -> None:
    """Tell each seated NGO what the year did to it: evaluations, contracts ending,
    workers who quit, money, closure."""
    for uid, ngo in players.heads.items():
        for c in players.held.get(uid, []):
            purchaser = c.slot.purchaser.unique_id
            players.tell(uid, "evaluated", purchaser=purchaser, score=c.score, quality=c.quality)
            if c.refused_duties:
                players.tell(uid, "refused_duties", purchaser=purchaser)
            if c.terminated:
                players.tell(uid, "terminated", purchaser=purchaser)
            elif c.end <= year:
                players.tell(uid, "contract_ends", purchaser=purchaser)
        staffed = players.staffed.get(uid, 0)
        if ngo.alive and staffed:
            players.tell(uid, "quits", n=max(0, staffed - ngo.staff), staff=staffed)
        players.tell(
            uid,
            "money",
            before=players.reserves.get(uid, ngo.reserves) / 1e4,
            after=ngo.reserves / 1e4,
            gov=ngo.revenue_gov / 1e4,
            other=ngo.revenue_other / 1e4,
        )
        if not ngo.alive:
            players.tell(uid, "closed", reason=ngo.exit_reason)
