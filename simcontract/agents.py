"""The actors of the contracting market, as Mesa agents.

Purchasers (government bureaux and mass organisations) fund service slots and tender
them; cadres are the officials in charge of purchasers and hold personal ties to NGO
heads; NGOs bid, deliver, employ social workers and live or die by their money;
intermediary hubs manage a pool of NGOs for selective tendering; evaluators score
delivered contracts by their own indicators.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import compress
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from simcontract.ngostate import HOURS, NGOState
from simcontract.params import ORIGINS
from simcontract.rowtable import StateColumn

if TYPE_CHECKING:
    from simcontract.batch import YearBatch
    from simcontract.model import ContractingModel

SECTORS = ("family", "elderly", "youth", "disability")
"""Service sectors a purchaser buys in; specialists and grassroots groups have one."""

MASS_ORG_SECTORS = ("family", "disability", "youth")
"""Sectors of the mass organisations: women's federation, disabled persons'
federation, Communist Youth League."""

TIE_FLOOR = 0.01
"""Tie strength at or below which a decaying tie is forgotten."""

MEDIAN_RANK = 0.5
"""An official's rank in a distribution of motives when officials do not differ
(``motive_spread`` = 0): the mean."""

_alive = attrgetter("alive")


def motive(mean: float, rank: float, spread: float) -> float:
    """An official's motive in [0, 1] from its rank in [0, 1] among officials.

    ``mean + spread * min(mean, 1 - mean) * (2 * rank - 1)``: uniform around ``mean``
    for a uniform rank (its mean whatever ``spread``), as wide as ``spread`` allows
    without leaving [0, 1].
    """
    return mean + spread * min(mean, 1.0 - mean) * (rank - MEDIAN_RANK) / MEDIAN_RANK


class Contract:
    """One service contract between a purchaser and an NGO.

    Attributes:
        slot: The service slot the contract fills.
        ngo: The provider.
        price: Contract price per year (CNY); the purchaser pays ``price * (1 - m)``
            with ``m`` the match-funding share, the NGO co-funds the rest.
        start: First model year of service.
        end: Last model year of service (inclusive) unless terminated early.
        promised_hours: Direct-service hours per year promised in the winning bid.
        required_hours: Direct-service hours per year the contract requires.
        tied: Whether the winner had a personal tie to the awarding official.
        staff: Workers the contract employs this year.
        delivered_hours, documentation_hours, extra_hours: This year's direct service,
            documentation and unpaid extra duties (hours).
        refused_duties: Whether the NGO refused this year's extra duties.
        quality: Real quality of this year's service (NaN before its first delivery).
        score: This year's evaluation score (NaN before its first evaluation).
        terminated: Whether it was ended before its term.
        state, row: The city's :class:`~simcontract.contractstate.ContractState` and the
            contract's row in it, where every attribute above but ``slot`` and ``ngo``
            lives.
    """

    __slots__ = ("ngo", "row", "slot", "state")
    price = StateColumn()
    start = StateColumn()
    end = StateColumn()
    promised_hours = StateColumn()
    required_hours = StateColumn()
    tied = StateColumn()
    staff = StateColumn()
    delivered_hours = StateColumn()
    documentation_hours = StateColumn()
    extra_hours = StateColumn()
    refused_duties = StateColumn()
    quality = StateColumn()
    score = StateColumn()
    terminated = StateColumn()

    def __init__(
        self,
        slot: Slot,
        ngo: NGO,
        price: float,
        start: int,
        end: int,
        promised_hours: float,
        required_hours: float,
        tied: bool = False,
    ) -> None:
        self.slot = slot
        self.ngo = ngo
        state = self.state = ngo.state.contracts
        row = self.row = state.new_row()
        state.price[row] = price
        state.start[row] = start
        state.end[row] = end
        state.promised_hours[row] = promised_hours
        state.required_hours[row] = required_hours
        state.tied[row] = tied
        state.district[row] = slot.purchaser.district

    def __repr__(self) -> str:
        return (
            f"Contract(ngo={self.ngo.unique_id}, purchaser={self.purchaser.unique_id}, "
            f"start={self.start}, end={self.end}, price={self.price:g})"
        )

    @property
    def purchaser(self) -> Purchaser:
        """The purchaser that funds the contract."""
        return self.slot.purchaser


@dataclass(slots=True)
class Slot:
    """A funded service (a centre, a project line) that a purchaser keeps tendering.

    Attributes:
        purchaser: Owner of the slot.
        contract: The contract now filling it, or ``None`` (a service gap).
        last_provider: The NGO that served it most recently, if any.
        years_same_provider: Consecutive years the current provider has served it.
        interested: The NGOs that chose to bid when it is openly tendered this year.
        last_score: Evaluation score of the slot's last contract-year (0 if none).
        last_terminated: Whether the last contract was ended before its term.
        served_by: The NGO that served it last year (``None`` if it had no provider);
            read only by the outcome ``provider_churn``.
        population: Residents of the street (sub-district) the centre serves, drawn
            when the year it is first funded opens (0 until then).
    """

    purchaser: Purchaser
    contract: Contract | None = None
    last_provider: NGO | None = None
    years_same_provider: int = 0
    interested: list[NGO] = field(default_factory=list)
    last_score: float = 0.0
    last_terminated: bool = False
    served_by: NGO | None = None
    population: float = 0.0

    @property
    def incumbent(self) -> NGO | None:
        """The provider treated as incumbent in the next tender: the last provider,
        unless its contract was ended early."""
        return None if self.last_terminated else self.last_provider


class Cadre(mesa.Agent):
    """The official in charge of a purchaser ("yibashou").

    Ties are personal: they belong to the cadre, not the post, and move with the cadre
    when it rotates to another purchaser.

    Attributes:
        ties: Tie strength in [0, 1] to NGO heads, by NGO ``unique_id``.
        post: The purchaser the cadre now heads, or ``None`` once it has left.
        arrived: Model year the cadre took up its current post.
        term_end: Last model year of the current term.
        caution_rank, drive_rank: The official's rank in [0, 1] among officials in
            caution (blame avoidance) and in promotion drive, drawn when it is first
            appointed; its motives at a post follow from them (:meth:`caution`,
            :meth:`drive`).
    """

    def __init__(self, model: ContractingModel) -> None:
        super().__init__(model)
        self.ties: dict[int, float] = {}
        self.post: Purchaser | None = None
        self.arrived = 0
        self.term_end = 0
        self.caution_rank = MEDIAN_RANK
        self.drive_rank = MEDIAN_RANK

    def caution(self, rules: Mapping[str, Any]) -> float:
        """How far the official fears doing the wrong thing, in [0, 1]: its rank in the
        distribution of caution of its post's officials (mean ``blame_avoidance`` in a
        bureau, ``mass_org_caution`` in a mass organisation)."""
        kind = self.post if self.post is not None else Purchaser
        return motive(rules[kind.caution_mean], self.caution_rank, rules["motive_spread"])

    def drive(self, rules: Mapping[str, Any]) -> float:
        """How eager the official is for achievements that count for promotion, in [0,
        1] (mean ``promotion_drive`` in a bureau, ``mass_org_drive`` in a mass
        organisation)."""
        kind = self.post if self.post is not None else Purchaser
        return motive(rules[kind.drive_mean], self.drive_rank, rules["motive_spread"])

    def tie(self, ngo: NGO) -> float:
        """Tie strength to ``ngo`` (0 when none)."""
        return self.ties.get(ngo.unique_id, 0.0)

    def strengthen(self, ngo: NGO, amount: float) -> float:
        """Change the tie to ``ngo`` by ``amount``, kept in [0, 1]; return the new tie."""
        return self._set(ngo.unique_id, self.ties.get(ngo.unique_id, 0.0) + amount)

    def cultivated(self, uids: list[int], growth: float) -> None:
        """The heads of the NGOs of ``uids`` (by ``unique_id``) court the official: each
        tie grows by ``growth`` of its gap to 1 (as :meth:`strengthen` by that amount)."""
        ties = self.ties
        for uid in uids:
            tie = ties.get(uid, 0.0)
            value = tie + growth * (1.0 - tie)
            # What _set does, inlined: this runs for every NGO that courts an official.
            if value > 0.0:
                ties[uid] = 1.0 if value > 1.0 else value
            else:
                ties.pop(uid, None)

    def _set(self, uid: int, value: float) -> float:
        """Make the tie to NGO ``uid`` ``value``, kept in [0, 1]; return it."""
        if value > 0.0:
            value = 1.0 if value > 1.0 else value
            self.ties[uid] = value
            return value
        self.ties.pop(uid, None)
        return 0.0

    def decay_ties(self, rate: float) -> None:
        """Weaken every tie by the share ``rate`` and forget those at or below ``TIE_FLOOR``."""
        keep = 1.0 - rate
        self.ties = {k: w for k, v in self.ties.items() if (w := v * keep) > TIE_FLOOR}


class Purchaser(mesa.Agent):
    """A buyer of services: owns a budget and service slots, tenders them.

    Attributes:
        kind: ``"bureau"`` or ``"mass_org"``.
        city: City index.
        district: District index within the city.
        sector: Service sector bought.
        mode: Tender mode in force (``open``, ``selective``, ``intermediary``, ``direct``).
        budget: Service budget this year (CNY).
        slots: Funded service slots.
        cadre: The official in charge.
        partners: ``unique_id`` of every NGO that has won a contract from this purchaser,
            with the year of its first award.
        length_year, length: The year of the purchaser's last decision on contract
            length, and the length it chose (see ``cadres.contract_length``).
    """

    kind = "purchaser"
    caution_mean = "blame_avoidance"
    """Parameter of the mean caution of the purchaser's officials."""
    drive_mean = "promotion_drive"
    """Parameter of the mean promotion drive of the purchaser's officials."""
    standing = "bureau_standing"
    """Parameter of the purchaser's standing when it bargains with the finance bureau."""

    def __init__(
        self, model: ContractingModel, city: int, district: int, sector: str, n_slots: int
    ) -> None:
        super().__init__(model)
        self.city = city
        self.district = district
        self.sector = sector
        self.mode = "open"
        self.budget = 0.0
        self.spent = 0.0
        self.slots: list[Slot] = [Slot(self) for _ in range(n_slots)]
        self.cadre: Cadre | None = None
        self.partners: dict[int, int] = {}
        self.length_year = 0
        self.length = 1

    def merit_adjustments(self, ngos: list[NGO], rules: Mapping[str, Any]) -> list[float]:
        """How the purchaser's own leanings adjust each bidder's merit (0 here; the
        kinds of purchaser override it)."""
        return [0.0] * len(ngos)

    def years_at_post(self, year: int) -> int:
        """Years the current cadre has headed this purchaser in model year ``year`` (0
        in its first year, and without a cadre)."""
        return year - self.cadre.arrived if self.cadre else 0


class Bureau(Purchaser):
    """A government department or street office: avoids blame, wants safe providers.

    A bidder without a track record is marked down by the caution of the bureau's
    official (its mean across officials is ``blame_avoidance``).
    """

    kind = "bureau"

    def merit_adjustments(self, ngos: list[NGO], rules: Mapping[str, Any]) -> list[float]:
        """Penalty for bidders without a proven track record (blame avoidance):
        ``-blame_penalty * caution * (1 - min(1, track_record / proven_track_record))``,
        with ``caution`` the official's (:meth:`Cadre.caution`; ``blame_avoidance``
        without an official)."""
        caution = self.cadre.caution(rules) if self.cadre else rules["blame_avoidance"]
        scale = -rules["blame_penalty"] * caution
        proven = rules["proven_track_record"]
        if not ngos:
            return []
        track = ngos[0].state.track_record.item  # the city's: read row by row
        return [
            0.0 if t >= proven else scale * (1.0 - t / proven) for t in [track(n.row) for n in ngos]
        ]


class MassOrganisation(Purchaser):
    """A women's / youth / disabled persons' federation: patron of specialist NGOs.

    Specialists of its sector get a bonus of ``patronage_bonus * partnership``, and so do
    the NGOs that serve or last served one of its slots (the two add up): partnerships
    last.
    """

    kind = "mass_org"
    caution_mean = "mass_org_caution"
    drive_mean = "mass_org_drive"
    standing = "mass_org_standing"

    def merit_adjustments(self, ngos: list[NGO], rules: Mapping[str, Any]) -> list[float]:
        """Bonus for specialists of the sector and for current partners (patronage)."""
        bonus = rules["patronage_bonus"] * rules["partnership"]
        partners = set()
        for s in self.slots:
            partners.add(id(s.last_provider))
            if s.contract is not None:
                partners.add(id(s.contract.ngo))
        sector = self.sector
        return [
            bonus * ((n.origin == "specialist" and n.sector == sector) + (id(n) in partners))
            for n in ngos
        ]


class NGO(mesa.Agent):
    """A service provider: bids, delivers, employs social workers, keeps accounts.

    Made on its own, an NGO takes a new row of its city's NGO state and writes its
    skill, dare, reputation, track record, reserves, tolerance, inclination and founder
    there. Given a ``row``, that row was already filled
    (:func:`~simcontract.phases.entry.new_ngos` makes a year's NGOs at once with
    :meth:`~simcontract.ngostate.NGOState.new_rows`), and those arguments are not read.

    Attributes:
        origin: One of ``ORIGINS``.
        city: City index; the NGO bids only in its own city.
        district: Home district.
        multi_district: Whether it serves every district of its city.
        sector: Specialist sector, or ``None`` for general agencies.
        skill: Professional capability in [0, 1].
        dare: How far it dares inflate promised hours, in [0, 1].
        reserves: Money in hand (CNY).
        reputation: Smoothed evaluation score in [0, 1] as purchasers see it (at entry,
            ``newcomer_reputation``).
        track_record: Contract-years it has delivered and been evaluated on.
        experience: Years of experience of each employed social worker (at creation,
            its founder alone, with ``founder_experience``).
        contracts: Contracts it holds now.
        alive: False once it has exited.
        entry_year / exit_year / exit_reason: Life history (exit fields set on exit).
        dependence: Government share of revenue in the last year.
        tolerance: Share of staff time the NGO will give to documentation and extra
            duties before it stays out of contracting.
        seeks_contracts: Whether it seeks contracts this year (set by its strategy).
        cultivation: Hours its head spends cultivating an official this year.
        round_funds, round_need: In a tender round, the money it can commit, and what
            one more contract needs (start-up and the cash part of its match).
        systems: Years it has been judged by each evaluation agency that took over
            during the run (by the agency's ``unique_id``).
        inclination: Share of its own hours it would spend on advocacy if it feared
            nothing.
        advocacy: Share of its own hours it spends on advocacy this year (its plan).
        voice: Share of its own hours it spent on advocacy in its last year of delivery
            (what officials saw).
        directed: Service hours last year whose users officials chose.
        hours: Its staff hours this year by use (a new dict at each read).
        state, row: The city's :class:`~simcontract.ngostate.NGOState` and the NGO's row
            in it, where ``skill``, ``dare``, ``reputation``, ``track_record``,
            ``reserves``, ``tolerance``, ``inclination``, ``dependence``,
            ``revenue_gov``, ``revenue_other``, ``pay_level``, ``strain``,
            ``advocacy``, ``voice``, ``directed``, ``cultivation`` and ``hours`` live.
    """

    # The attributes treated for all NGOs at once live in the city's NGO state.
    # Slots, not the instance dict: past 30 attributes an instance no longer shares its
    # dict's keys with the others, which makes every NGO slower to create and to read.
    __slots__ = (
        "alive",
        "city",
        "contracts",
        "district",
        "entry_year",
        "exit_reason",
        "exit_year",
        "multi_district",
        "origin",
        "round_capacity",
        "round_funds",
        "round_need",
        "row",
        "sector",
        "seeks_contracts",
        "state",
        "systems",
    )
    advocacy = StateColumn()
    cultivation = StateColumn()
    dare = StateColumn()
    dependence = StateColumn()
    directed = StateColumn()
    inclination = StateColumn()
    pay_level = StateColumn()
    reputation = StateColumn()
    reserves = StateColumn()
    revenue_gov = StateColumn()
    revenue_other = StateColumn()
    skill = StateColumn()
    strain = StateColumn()
    tolerance = StateColumn()
    track_record = StateColumn()
    voice = StateColumn()

    def __init__(
        self,
        model: ContractingModel,
        origin: str,
        city: int,
        district: int,
        *,
        multi_district: bool,
        sector: str | None,
        skill: float,
        dare: float,
        reserves: float,
        reputation: float,
        entry_year: int,
        tolerance: float = 1.0,
        inclination: float = 0.0,
        founder_experience: float = 0.0,
        track_record: int = 0,
        row: int | None = None,
    ) -> None:
        super().__init__(model)
        self.origin = origin
        self.city = city
        self.district = district
        self.multi_district = multi_district
        self.sector = sector
        state = self.state = model.ngo_state(city)
        if row is None:
            row = state.new_row(
                origin_code=ORIGINS.index(origin),
                sector_code=-1 if sector is None else SECTORS.index(sector),
                district=district,
                citywide=multi_district,
                uid=self.unique_id,
                entry_year=entry_year,
            )
            state.skill[row] = skill
            state.dare[row] = dare
            state.reputation[row] = reputation
            state.track_record[row] = track_record
            state.reserves[row] = reserves
            state.tolerance[row] = tolerance
            state.inclination[row] = inclination
            state.workforce.hire_founder(row, founder_experience)  # the founder, who directs it
        else:
            state.uid[row] = self.unique_id
        self.row = row
        self.contracts: list[Contract] = []
        self.alive = True
        self.entry_year = entry_year
        self.exit_year: int | None = None
        self.exit_reason = ""
        self.round_capacity = 0
        self.seeks_contracts = True
        self.round_funds = 0.0
        self.round_need = 0.0
        self.systems: dict[int, int] = {}

    @property
    def hours(self) -> dict[str, float]:
        """Staff hours this year by use (:data:`~simcontract.ngostate.HOURS`)."""
        state, row = self.state, self.row
        return {use: getattr(state, f"hours_{use}").item(row) for use in HOURS}

    @hours.setter
    def hours(self, hours: Mapping[str, float]) -> None:
        for use in HOURS:
            getattr(self.state, f"hours_{use}")[self.row] = hours[use]

    @property
    def experience(self) -> np.ndarray:
        """Years of experience of each of its social workers (a copy; setting it
        replaces them)."""
        return self.state.workforce.of(np.array([self.row]))[0]

    @experience.setter
    def experience(self, years: np.ndarray) -> None:
        years = np.asarray(years, dtype=float)
        self.state.workforce.replace(np.array([self.row]), years, np.array([len(years)]))

    @property
    def staff(self) -> int:
        """Social workers employed now."""
        return int(self.state.workforce.counts(np.array([self.row]))[0])

    def capacity(self, rules: Mapping[str, Any]) -> int:
        """Most contracts the NGO can manage at once.

        A community association or a grassroots group runs ``small_ngo_contracts``; any
        other NGO one, plus one for every ``experience_per_contract`` contract-years it
        has delivered: an organisation learns to run more services as it runs them.
        """
        if self.origin in ("community", "grassroots"):
            return rules["small_ngo_contracts"]
        return 1 + int(self.track_record / rules["experience_per_contract"])

    def serves(self, purchaser: Purchaser) -> bool:
        """Whether the NGO may provide the purchaser's service (place and sector)."""
        if purchaser.city != self.city:
            return False
        if not self.multi_district and purchaser.district != self.district:
            return False
        return self.sector is None or self.sector == purchaser.sector

    def exit(self, reason: str) -> None:
        """Leave the market for good (stays in the record, marked exited).

        The slots of its contracts fall empty; it stays their last provider, but not
        an incumbent (its contracts count as ended early). Its workers are laid off.
        """
        exit_ngos([self], reason)

    def _leave(self, reason: str) -> None:
        """What :meth:`exit` does but lay off the workers."""
        for c in self.contracts:
            c.slot.contract = None
            c.slot.last_provider = self
            c.slot.last_terminated = True
        self.alive = False
        self.exit_year = self.model.year
        self.exit_reason = reason
        self.contracts = []


def exit_ngos(ngos: list[NGO], reason: str) -> int:
    """Make each of ``ngos`` (distinct NGOs of one city) leave the market for good, as
    :meth:`NGO.exit` does, with every one's workers laid off at once; return how many
    workers they employed."""
    if not ngos:
        return 0
    rows = NGOState.rows(ngos)
    workforce = ngos[0].state.workforce
    staff = int(workforce.counts(rows).sum())
    ngos[0].state.exits += len(ngos)
    for ngo in ngos:
        ngo._leave(reason)
    workforce.replace(rows, np.zeros(0), np.zeros(len(rows), np.intp))
    return staff


class Intermediary(mesa.Agent):
    """A hub organisation (incubator, social workers' association) that manages a pool.

    In ``intermediary`` mode purchasers commission the hub of their city to pick
    providers; the hub invites only NGOs from its managed pool.

    Attributes:
        city: City index.
        pool: NGOs the hub manages now.
    """

    def __init__(self, model: ContractingModel, city: int) -> None:
        super().__init__(model)
        self.city = city
        self.pool: list[NGO] = []

    def refresh_pool(
        self,
        candidates: list[NGO],
        to_fill: int,
        rules: Mapping[str, Any],
        rng: np.random.Generator,
    ) -> None:
        """Drop exited members and admit the best-reputed local NGOs to fill vacancies.

        The hub keeps at least ``hub_pool_size`` members and admits more only while its
        members' spare capacity is below ``hub_spare_ratio`` times the ``to_fill`` slots
        about to be tendered, so the pool stays small and managed. Candidates are ranked
        by reputation, plus ``hub_citywide_preference`` for city-wide NGOs, plus
        ``N(0, hub_noise)``.
        """
        self.pool = [n for n in self.pool if n.alive]
        members = {n.unique_id for n in self.pool}
        outside = [n for n in candidates if n.unique_id not in members]
        if not outside:
            return
        noise = rng.normal(0.0, rules["hub_noise"], len(outside))
        preference = rules["hub_citywide_preference"]
        rows = NGOState.rows(outside)
        state = outside[0].state
        key = state.reputation[rows] + preference * state.citywide[rows] + noise
        spare = sum(n.round_capacity - len(n.contracts) for n in self.pool)
        size, ratio = rules["hub_pool_size"], rules["hub_spare_ratio"]
        for i in np.argsort(-key, kind="stable"):
            if len(self.pool) >= size and spare >= ratio * to_fill:
                break
            ngo = outside[i]
            self.pool.append(ngo)
            spare += ngo.round_capacity - len(ngo.contracts)


class Evaluator(mesa.Agent):
    """A third-party evaluation agency with its own indicators.

    Attributes:
        city: City index.
        weights: Weights of the (hours, documents, outcome) indicators, summing to 1.
        doc_intensity: Documentation it demands, relative to the base (1 = base).
        switched_in: Whether it took over from an agency whose contract ended during the
            run, bringing a new indicator system that NGOs must learn.
    """

    def __init__(
        self,
        model: ContractingModel,
        city: int,
        weights: np.ndarray,
        doc_intensity: float,
        *,
        switched_in: bool = False,
    ) -> None:
        super().__init__(model)
        self.city = city
        self.weights = weights
        self.doc_intensity = doc_intensity
        self.switched_in = switched_in

    @property
    def workload_pressure(self) -> float:
        """How far its indicators reward counted hours over impact: ``max(0, weight of
        hours - weight of outcome)``."""
        return max(0.0, float(self.weights[0] - self.weights[-1]))  # outcome comes last


NORMAL_BLOCK = 512
"""Standard normal draws a city takes from its generator at a time."""


@dataclass(slots=True)
class City:
    """One local market: its purchasers, NGOs, hub and evaluators.

    Cities share nothing: every phase of the year runs city by city.

    Attributes:
        model: The model the city belongs to (its agents are the model's).
        index: City index.
        rng: The city's own random generator, spawned from the model's: every draw for
            the city comes from it, so cities are independent streams and a many-city
            run can be split over processes with the same results.
        purchasers, ngos, hub, evaluators: The city's agents (``ngos``: active ones).
        ngo_state: The arrays the attributes of the city's NGOs live in (the model's
            for the city).
        district_evaluator: The evaluator of each district.
        by_district, citywide: Lookups of active NGOs by the place they serve.
        round_candidates: The tender round's eligible NGOs per (district, sector).
        open_round: The open tenders of the tender round under way, priced and scored
            together (:class:`~simcontract.openround.OpenRound`), or ``None``.
        batch: The year's active NGOs and contracts as arrays, from the end of the
            tender round to the close of the year (``None`` in between).
        initial_ngos: NGOs created at set-up.
        last_tenders, last_failed, last_newcomer: Last year's tenders, failed tenders
            and share of bids by newcomers, which drive entry.
        registered: NGOs registered in the city since the start (the initial ones not
            counted); read only by the outcome ``entrant_survival``.
        registered_in: NGOs registered in the city in each model year; read only by the
            outcome ``entrant_survival_3y``.
        streets: The generator of the populations of the city's streets, spawned from
            ``rng`` on first use so that drawing them moves no other draw.
        players: ``None`` in a simulation; in a classroom session, the people who
            decide for some NGOs and officials (:class:`simcontract.classroom.players.Players`).
            Phases hand it the decisions it may take over.
    """

    model: ContractingModel
    index: int
    rng: np.random.Generator
    purchasers: list[Purchaser] = field(default_factory=list)
    ngos: list[NGO] = field(default_factory=list)
    hub: Intermediary | None = None
    evaluators: list[Evaluator] = field(default_factory=list)
    district_evaluator: list[Evaluator] = field(default_factory=list)
    round_candidates: dict[tuple[int, str], list[NGO]] = field(default_factory=dict)
    batch: YearBatch | None = None
    initial_ngos: int = 0
    last_tenders: int = 0
    last_failed: int = 0
    last_newcomer: float = 0.0
    last_burden: float | None = None
    registered: int = 0
    registered_in: dict[int, int] = field(default_factory=dict)
    streets: np.random.Generator | None = None
    players: Any = None
    open_round: Any = None
    _normals: list[float] = field(default_factory=list)
    _rows: tuple[list[NGO], np.ndarray] | None = field(default=None, repr=False)
    _places: tuple[dict[int, list[NGO]], list[NGO]] | None = field(default=None, repr=False)
    _next_normal: int = 0
    _exits_indexed: int = field(default=0, repr=False)
    ngo_state: NGOState = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.ngo_state = self.model.ngo_state(self.index)

    def standard_normals(self, n: int) -> list[float]:
        """``n`` standard normal draws from the city's generator.

        Drawn in blocks: a tender needs a few at a time, and one generator call costs
        as much as hundreds of draws.
        """
        start = self._next_normal
        if start + n > len(self._normals):
            self._normals = self.rng.standard_normal(max(NORMAL_BLOCK, n)).tolist()
            start = 0
        self._next_normal = start + n
        return self._normals[start : start + n]

    def ngo_rows(self) -> np.ndarray:
        """The row of each active NGO (``ngos``, in order) in :attr:`ngo_state`."""
        ngos, cached = self.ngos, self._rows
        # ``ngos`` is replaced when exited NGOs are dropped and only grows in between.
        if cached is None or cached[0] is not ngos or len(cached[1]) > len(ngos):
            cached = self._rows = (ngos, NGOState.rows(ngos))
        elif len(cached[1]) < len(ngos):
            known = cached[1]
            rows = np.concatenate([known, NGOState.rows(ngos[len(known) :])])
            cached = self._rows = (ngos, rows)
        return cached[1]

    def ngo_values(self, name: str) -> np.ndarray:
        """Column ``name`` of :attr:`ngo_state` for the active NGOs, in order (a copy)."""
        return getattr(self.ngo_state, name)[self.ngo_rows()]

    def alive(self, ngos: list[NGO]) -> np.ndarray:
        """Whether each of ``ngos`` is active (``ngo.alive``), as a boolean array."""
        if ngos is self.ngos and self.ngo_state.exits == self._exits_indexed:
            # No NGO has exited since the exited were dropped from ``ngos``.
            return np.ones(len(ngos), bool)
        return np.fromiter(map(_alive, ngos), bool, len(ngos))

    @property
    def by_district(self) -> dict[int, list[NGO]]:
        """The NGOs of ``ngos`` that serve one district, by district, in list order."""
        return self._lookups()[0]

    @property
    def citywide(self) -> list[NGO]:
        """The NGOs of ``ngos`` that serve the whole city, in list order."""
        return self._lookups()[1]

    def index_ngos(self) -> None:
        """Drop exited NGOs; the lookups by place are rebuilt when next read."""
        ngos, cached = self.ngos, self._rows
        alive = np.fromiter(map(_alive, ngos), bool, len(ngos))
        self.ngos = list(compress(ngos, alive.tolist()))
        if cached is not None and cached[0] is ngos and len(cached[1]) == len(ngos):
            self._rows = (self.ngos, cached[1][alive])
        self._exits_indexed = self.ngo_state.exits
        self._places = None

    def index_entrants(self, entrants: list[NGO]) -> None:
        """Add NGOs just appended to ``ngos`` to the lookups (if built)."""
        if self._places is not None:
            self._add_places(entrants)

    def _lookups(self) -> tuple[dict[int, list[NGO]], list[NGO]]:
        # Built on first use: a year whose tenders are all resolved together
        # (:mod:`simcontract.openround`) never reads them.
        if self._places is None:
            self._places = ({}, [])
            self._add_places(self.ngos)
        return self._places

    def _add_places(self, ngos: list[NGO]) -> None:
        by_district, citywide = self._places
        for n in ngos:
            if n.multi_district:
                citywide.append(n)
            else:
                by_district.setdefault(n.district, []).append(n)
