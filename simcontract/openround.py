"""The open tenders of a round, priced and scored together over the interest structure.

At the start of the tender round every pair of an open tender and an NGO that chose it
(:func:`~simcontract.phases.tendering.choose_open_tenders`), and each tender's incumbent
when it serves the purchaser but did not choose the tender, becomes an *entry*: a bid the
NGO makes if it still has room when the tender runs. Each entry gets its two draws (the
price noise and the award noise of :func:`~simcontract.phases.tendering.make_bids` and
:func:`~simcontract.phases.tendering.pick_winner`), and all entries are priced and
scored at once from the state the NGOs start the round in.

Only an award changes that state, and only for its winner: it holds one more contract
(so it no longer underbids to snatch one), has less room and money, and becomes a
partner of the purchaser. So a tender none of whose entries has won in the round is
resolved by its precomputed best entry, and the others are corrected entry by entry for
the winners among them (the sequential correction for capacity, money and partners).
The result is the same as tendering each slot in turn with the same draws: the tests
check this against :func:`~simcontract.phases.tendering.run_tender`. Memory grows with
the entries, that is with the bids, not with NGOs × tenders.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import repeat
from operator import contains
from typing import TYPE_CHECKING

import numpy as np

from simcontract.agents import SECTORS
from simcontract.params import ORIGINS
from simcontract.phases import tendering
from simcontract.phases.cadres import contract_length

if TYPE_CHECKING:
    from simcontract.agents import NGO, City, Contract, Purchaser, Slot
    from simcontract.outcomes import YearRecord
    from simcontract.phases.tendering import Books, Terms
    from simcontract.scenario import Rules

TOGETHER_ENTRIES = 64
"""Fewest entries for which a round's open tenders are priced and scored together;
smaller rounds are tendered slot by slot, which costs less there (the two cost about the
same near 64 entries on a 2-core machine; a ``baseline`` round has about 110, a
``guangzhou_ifsc`` one about 450). Both give the same awards with the same draws, so
this changes only the time a run takes."""

_NONE: frozenset = frozenset()
_NO_TIES: dict[int, float] = {}
"""The ties of a purchaser without an official (never changed)."""

NO_CHANGE, WON_ELSEWHERE, WON_HERE = 0, 1, 2
"""Variants of an entry's bid: the NGO has won nothing in the round, has won only
tenders of other purchasers, or has won one of this purchaser's."""


@dataclass(frozen=True)
class Scores:
    """What each entry's bid is worth, one row per variant (``NO_CHANGE``,
    ``WON_ELSEWHERE``, ``WON_HERE``), one column per entry.

    Attributes:
        key: Award score plus award noise (``-inf`` where the bid is not acceptable).
        price: Price asked.
        adjustment: The purchaser's adjustment of the bidder's merit.
    """

    key: np.ndarray
    price: np.ndarray
    adjustment: np.ndarray


class OpenRound:
    """The entries of a round's open tenders and their scores.

    Attributes:
        ngos: The city's NGOs at the start of the round (entries point into it).
        slots: The open tenders, in the order of ``choose_open_tenders``.
        owner, tender: Per entry: the NGO (index into ``ngos``) and the tender.
        starts: Entry ``starts[j]`` is tender ``j``'s first; ``starts[j + 1]`` ends it.
        price_noise, award_noise: Per entry, its two standard normal draws.
        together: Whether open tenders are resolved here (no players in the city, and
            at least :data:`TOGETHER_ENTRIES` entries).
        won: The purchasers (by ``id``) each NGO (by row) has won a tender of in the round.
        best, counts: Per tender, its best entry (-1 for none) and its (bids, newcomer
            bids, bids of NGOs tied to the official) while none of its entries' NGOs has
            won in the round.
    """

    def __init__(self, city: City, slots: list[Slot], owner: np.ndarray, tender: np.ndarray):
        self.city = city
        self.ngos = city.ngos
        self.slots = slots
        self.index = {id(s): j for j, s in enumerate(slots)}
        self.owner, self.tender = owner, tender
        self.starts = np.searchsorted(tender, np.arange(len(slots) + 1)).tolist()
        self.price_noise = city.rng.standard_normal(len(owner))
        self.award_noise = city.rng.standard_normal(len(owner))
        # Players (the classroom) choose, bid and award tender by tender.
        self.together = city.players is None and len(owner) >= TOGETHER_ENTRIES
        self.won: dict[int, set[int]] = {}
        self.scores: Scores | None = None
        self.best: list[int] = []
        self.counts: list[tuple[int, int, int]] = []
        self.tied: list[bool] = []

    # ------------------------------------------------------------- the reference path
    def noise_for(self, slot: Slot, bidders: list[NGO]) -> tuple[list[float], list[float]]:
        """The price and award draws of ``bidders``' entries in ``slot``'s tender, for
        tendering it on its own (:func:`~simcontract.phases.tendering.run_tender`)."""
        j = self.index[id(slot)]
        at = {id(self.ngos[self.owner[e]]): e for e in range(self.starts[j], self.starts[j + 1])}
        price, award = [], []
        for b in bidders:
            e = at.get(id(b))
            if e is None:
                # A player put its NGO on a tender it had not chosen: fresh draws.
                price_draw, award_draw = self.city.standard_normals(2)
            else:
                price_draw, award_draw = self.price_noise[e], self.award_noise[e]
            price.append(float(price_draw))
            award.append(float(award_draw))
        return price, award

    def resolves(self, slot: Slot) -> bool:
        """Whether :meth:`resolve` resolves ``slot``'s tender: an open tender of the
        round, without players."""
        return self.together and id(slot) in self.index

    def note_award(self, ngo: NGO, purchaser: Purchaser) -> None:
        """Remember that ``ngo`` won one of ``purchaser``'s tenders in this round."""
        self.won.setdefault(ngo.row, set()).add(id(purchaser))

    # ------------------------------------------------------------- the walk
    def resolve(self, slot: Slot, terms: Terms, record: YearRecord) -> Contract | None:
        """Tender ``slot`` now, as :func:`~simcontract.phases.tendering.run_tender` would:
        its entries whose NGO has won in the round are re-read (room, and the variant of
        their bid), the others stand as scored at the start of the round."""
        j = self.index[id(slot)]
        start, end = self.starts[j], self.starts[j + 1]
        won = self.won
        if won.keys().isdisjoint(self.rows[start:end]):
            bids, newcomers, tied = self.counts[j]
            best, variant = self.best[j], NO_CHANGE
        else:
            bids, newcomers, tied, best, variant = self._corrected(slot, start, end)
        record.tenders += 1
        record.bids += bids
        record.newcomer_bids += newcomers
        if best < 0:
            record.failed += 1
            return None
        record.tied_bid_share_sum += tied / bids
        ngo = self.ngos[self.owners[best]]
        scores = self.scores
        offer = tendering.Bids(
            [ngo],
            [float(scores.price[variant, best])],
            [float(self.promised[best])],
            [float(self.rep[best])],
            [float(self.tie[best])],
            [float(scores.adjustment[variant, best])],
        )
        return tendering.award(self.city, slot, offer, 0, terms, record)

    def _corrected(self, slot: Slot, start: int, end: int) -> tuple[int, int, int, int, int]:
        """Bids, newcomer bids, tied bids, best entry (-1 for none) and its variant of a
        tender some of whose entries' NGOs have won in the round."""
        here = id(slot.purchaser)
        keys, rows, won = self.keys, self.rows, self.won
        bids = newcomers = tied = 0
        best, best_key, best_variant = -1, -math.inf, NO_CHANGE
        for e in range(start, end):
            wins = won.get(rows[e])
            if wins is None:
                if not self.room[e]:
                    continue
                variant = NO_CHANGE
                newcomers += self.newcomer[e]
            else:
                if not tendering.has_room(self.ngos[self.owners[e]]):
                    continue
                variant = WON_HERE if here in wins else WON_ELSEWHERE
            bids += 1
            tied += self.tied[e]
            key = keys[variant][e]
            if key > best_key:
                best, best_key, best_variant = e, key, variant
        return bids, newcomers, tied, best, best_variant

    # ------------------------------------------------------------- pricing and scoring
    @classmethod
    def start(
        cls,
        city: City,
        books: Books,
        slots: list[Slot],
        tender: np.ndarray,
        owner: np.ndarray,
        terms: Terms,
    ) -> OpenRound:
        """The round of ``slots`` with the chosen (``tender``, ``owner``) pairs (sorted by
        tender, then NGO), each tender's incumbent added where it serves the purchaser
        and did not choose the tender; every purchaser with an open tender decides its
        contract length now, and every entry is priced and scored."""
        ngos = city.ngos
        rows = city.ngo_rows()
        at_row = np.full(int(rows.max(initial=-1)) + 1, -1, np.intp)
        at_row[rows] = np.arange(len(rows))
        chosen = set((tender * len(ngos) + owner).tolist())
        extra_tender, extra_owner = [], []
        for j, s in enumerate(slots):
            n = s.incumbent
            if n is None or not n.alive or not n.serves(s.purchaser):
                continue
            i = int(at_row[n.row]) if n.row < len(at_row) else -1
            if i >= 0 and j * len(ngos) + i not in chosen:
                extra_tender.append(j)
                extra_owner.append(i)
        if extra_tender:
            tender = np.concatenate([tender, np.array(extra_tender, np.intp)])
            owner = np.concatenate([owner, np.array(extra_owner, np.intp)])
            order = np.argsort(tender, kind="stable")
            tender, owner = tender[order], owner[order]
        for purchaser in {id(s.purchaser): s.purchaser for s in slots}.values():
            contract_length(city, purchaser, terms.rules)
        round_ = cls(city, slots, owner, tender)
        if round_.together:
            round_.score(books, terms)
        return round_

    def score(self, books: Books, terms: Terms) -> None:
        """Price and score every entry in each variant, and find each tender's best
        entry and its bid counts for when none of its entries has won in the round
        (``books``: the NGOs' at the start of the round)."""
        rules = terms.rules
        ngos, owner, tender = self.ngos, self.owner, self.tender
        held = books.held
        buyers = _Purchasers(self.slots, tender)
        track = self.city.ngo_values("track_record")
        room = (
            self.city.alive(ngos)
            & books.seeking
            & (held < books.capacity)
            & (books.funds >= books.need)
        )[owner]
        rep = self.city.ngo_values("reputation")[owner]
        cut = np.array([_reshuffle_cut(p, rules) for p in buyers.unique])
        tie, partner, serving = self._relations(buyers, cut)
        adjustment = self._adjustments(buyers, track[owner], (tie, partner, serving), cut, rules)
        snatch = np.where(held[owner] == 0, rules["snatching"], 0.0)
        price = [self._prices(snatch, terms), self._prices(0.0, terms)]
        promised = terms.required * (
            1.0 + rules["max_bid_inflation"] * self.city.ngo_values("dare")[owner] * terms.incentive
        )
        # One row per variant (NO_CHANGE, WON_ELSEWHERE, WON_HERE), scored at once.
        prices = np.stack([price[0], price[1], price[1]])
        adjustments = np.stack([adjustment[0], adjustment[0], adjustment[1]])
        key = self._keys(prices, promised, rep, tie, adjustments, terms)
        self.scores = Scores(key, prices, adjustments)
        self.promised, self.rep, self.tie = promised, rep, tie
        newcomer = room & (track[owner] == 0) & (held[owner] == 0)
        tied = tie >= tendering.TIE_THRESHOLD
        k = len(self.slots)
        self.counts = list(
            zip(
                np.bincount(tender[room], minlength=k).tolist(),
                np.bincount(tender[newcomer], minlength=k).tolist(),
                np.bincount(tender[room & tied], minlength=k).tolist(),
                strict=True,
            )
        )
        self.tied = tied.tolist()
        self.best = self._best(np.where(room, key[NO_CHANGE], -np.inf))
        self.room = room.tolist()
        self.newcomer = newcomer.tolist()
        self.keys = key.tolist()
        self.rows = self.city.ngo_rows()[owner].tolist()
        self.owners = owner.tolist()

    def _prices(self, snatch: np.ndarray | float, terms: Terms) -> np.ndarray:
        """Each entry's price, with the snatching discount ``snatch`` (``make_bids``)."""
        rules = terms.rules
        d = rules["base_discount"] + snatch + rules["discount_noise"] * self.price_noise
        return terms.ceiling * (1.0 - rules["max_discount"] * np.minimum(np.maximum(d, 0.0), 1.0))

    def _keys(self, price, promised, rep, tie, adjustment, terms: Terms) -> np.ndarray:
        """Award score plus award noise of each entry, ``-inf`` where not acceptable
        (``score_bids`` and ``pick_winner``); ``price`` and ``adjustment`` may hold one
        row per variant."""
        rules = terms.rules
        wp, wr, ww = terms.weights
        md, mi, f = rules["max_discount"], rules["max_bid_inflation"], rules["favouritism"]
        u = np.clip((1.0 - price / terms.ceiling) / md, 0.0, 1.0) if md > 0 else 0.0
        w = np.clip((promised / terms.required - 1.0) / mi, 0.0, 1.0) if mi > 0 else 0.0
        merit = wp * u + wr * rep + ww * w + adjustment
        total = (1.0 - f) * merit + f * tie
        key = total + rules["award_noise"] * self.award_noise
        return np.where(rep + adjustment >= rules["min_reputation"], key, -np.inf)

    def _best(self, key: np.ndarray) -> list[int]:
        """Each tender's entry with the highest ``key`` (the first on a tie), or -1 when
        every key is ``-inf``."""
        k = len(self.slots)
        starts = np.array(self.starts)
        top = np.full(k, -np.inf)
        filled = starts[:-1] < starts[1:]
        if filled.any():
            top[filled] = np.maximum.reduceat(key, starts[:-1][filled])
        at = np.flatnonzero((key == top[self.tender]) & (key > -np.inf))
        # Entries are sorted by tender: a tender's first top entry starts its run in ``at``.
        tenders = self.tender[at]
        first = np.flatnonzero(np.diff(tenders, prepend=-1))
        best = np.full(k, -1, np.intp)
        best[tenders[first]] = at[first]
        return best.tolist()

    def _relations(
        self, buyers: _Purchasers, cut: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per entry: the official's tie to the NGO, whether the NGO has held one of the
        purchaser's contracts (``partners``; read only where the purchaser's reshuffle
        ``cut`` applies), and whether it serves or last served one of the purchaser's
        slots (read only for a mass organisation)."""
        size = len(self.owner)
        ids = self.city.ngo_values("uid")[self.owner].tolist()
        of_entry = buyers.of_entry.tolist()
        unique = buyers.unique
        # Each lookup runs as map() over the entries (no Python frame per entry): the
        # round's largest loops.
        ties = [p.cadre.ties if p.cadre is not None else _NO_TIES for p in unique]
        by_entry = list(map(ties.__getitem__, of_entry))
        tie = np.fromiter(map(dict.get, by_entry, ids, repeat(0.0, size)), float, size)
        partner, serving = np.zeros(size, bool), np.zeros(size, bool)
        if not np.isnan(cut).all():
            cuts = zip(unique, cut.tolist(), strict=True)
            known = [_NONE if math.isnan(c) else p.partners for p, c in cuts]
            by_entry = map(known.__getitem__, of_entry)
            partner = np.fromiter(map(contains, by_entry, ids), bool, size)
        if any(p.kind == "mass_org" for p in unique):
            providers = [_providers(p) if p.kind == "mass_org" else _NONE for p in unique]
            by_entry = map(providers.__getitem__, of_entry)
            serving = np.fromiter(map(contains, by_entry, ids), bool, size)
        return tie, partner, serving

    def _adjustments(
        self,
        buyers: _Purchasers,
        track: np.ndarray,
        relations: tuple[np.ndarray, np.ndarray, np.ndarray],
        cut: np.ndarray,
        rules: Rules,
    ) -> list[np.ndarray]:
        """Each entry's merit adjustment (``make_bids``) as it stands and once the NGO
        has won one of the purchaser's tenders (a partner of it, serving one of its
        slots); ``track`` is each entry's NGO's track record, ``relations`` the entries'
        ties, partners and serving (:meth:`_relations`), ``cut`` each purchaser's
        reshuffle cut."""
        owner, unique, at = self.owner, buyers.unique, buyers.of_entry
        tie, partner, serving = relations
        kind = np.array([p.kind for p in unique])[at]
        bureau, mass_org = kind == "bureau", kind == "mass_org"
        a = np.zeros(len(owner))
        if bureau.any():
            caution = [
                p.cadre.caution(rules) if p.cadre else rules["blame_avoidance"] for p in unique
            ]
            scale = (-rules["blame_penalty"] * np.array(caution, float))[at]
            proven = rules["proven_track_record"]
            a = np.where(bureau & (track < proven), scale * (1.0 - track / proven), a)
        here = a
        if mass_org.any():
            origin = self.city.ngo_values("origin_code")[owner]
            sector = self.city.ngo_values("sector_code")[owner]
            purchased = np.array([SECTORS.index(p.sector) for p in unique])[at]
            specialist = (origin == ORIGINS.index("specialist")) & (sector == purchased)
            specialist = specialist.astype(float)
            bonus = rules["patronage_bonus"] * rules["partnership"]
            here = np.where(mass_org, bonus * (specialist + 1.0), a)
            a = np.where(mass_org, bonus * (specialist + serving), a)
        variants = [a, here]
        trust = rules["local_trust"]
        if trust != 0.0 and bureau.any():
            origin = self.city.ngo_values("origin_code")[owner]
            local = bureau & (origin == ORIGINS.index("community"))
            districts = np.array([p.district for p in unique], np.intp)[at]
            local &= self.city.ngo_values("district")[owner] == districts
            variants = [np.where(local, v + trust, v) for v in variants]
        obedience = rules["obedience_discount"]
        if obedience > 0.0:
            lengths = np.array([contract_length(self.city, p, rules) for p in unique], float)
            voice = self.city.ngo_values("voice")[owner]
            variants = [v - obedience * lengths[at] * voice for v in variants]
        cuts = ~np.isnan(cut)
        if cuts.any():
            cut, cuts = cut[at], cuts[at]
            a, here = variants
            a = np.where(cuts, a - cut * partner * (1.0 - tie), a)
            here = np.where(cuts, here - cut * 1.0 * (1.0 - tie), here)
            variants = [a, here]
        return variants


class _Purchasers:
    """The purchasers of a round's open tenders, each once (in the order of their first
    tender), and the purchaser of each entry (index into ``unique``)."""

    def __init__(self, slots: list[Slot], tender: np.ndarray) -> None:
        first: dict[int, int] = {}
        self.unique: list[Purchaser] = []
        of_slot = []
        for s in slots:
            k = first.get(id(s.purchaser))
            if k is None:
                k = first[id(s.purchaser)] = len(self.unique)
                self.unique.append(s.purchaser)
            of_slot.append(k)
        self.of_entry = np.array(of_slot, np.intp)[tender]


def _providers(purchaser: Purchaser) -> frozenset[int]:
    """``unique_id`` of the NGOs that serve or last served one of ``purchaser``'s slots."""
    served = {s.last_provider.unique_id for s in purchaser.slots if s.last_provider is not None}
    served.update(s.contract.ngo.unique_id for s in purchaser.slots if s.contract is not None)
    return frozenset(served)


def _reshuffle_cut(purchaser: Purchaser, rules: Rules) -> float:
    """The cut a new official makes for past providers it has no tie to (``make_bids``),
    NaN when it makes none."""
    new_broom = purchaser.years_at_post(rules.year) < rules["new_broom_years"]
    if new_broom and rules["reshuffle"] > 0:
        return rules["reshuffle_cut"] * rules["reshuffle"]
    return float("nan")
