"""ContractingModel: the yearly schedule of the contracting market.

One ``step()`` is one year:

1. Rules and budgets: dated rule changes take effect; budgets grow and new slots are
   funded.
2. Entry: new NGOs register (more under direct registration, when last year's
   tenders drew bids from newcomers and when tenders failed). Then officials whose
   term is up rotate (taking their ties) or leave, and new officials arrive.
3. Tendering: empty slots are tendered by each purchaser's mode; NGOs bid; awards.
4. Delivery: NGOs staff their contracts; hours go to documentation, extra duties,
   contracted service and mission; real quality results.
5. Evaluation: evaluators score contracts; scores move reputation and ties, and
   poor scores (or a new official) end contracts early.
6. Money: payments, co-funding, wages, overheads, other income; insolvent NGOs exit.
7. Workforce and closing: workers quit; contracts that ended are closed; NGOs dormant
   for too long dissolve; ties decay.
8. Data collection: the year's outcomes (see :mod:`simcontract.metrics`).
"""

from __future__ import annotations

import itertools
from typing import Any

import mesa
import numpy as np
import pandas as pd

from simcontract import delivery, evaluation, money, tendering, workforce
from simcontract.agents import (
    MASS_ORG_SECTORS,
    NEWCOMER_REPUTATION,
    NGO,
    ORIGINS,
    SECTORS,
    Bureau,
    Cadre,
    City,
    Intermediary,
    MassOrganisation,
    Purchaser,
    Slot,
)
from simcontract.batch import YearBatch, column
from simcontract.metrics import OUTCOMES, YearRecord, summarise, yearly
from simcontract.scenario import Scenario, load_scenario

SKILL_BETA = {
    "general": (5, 3),
    "specialist": (6, 2),
    "community": (3, 4),
    "grassroots": (3, 3),
}
"""Beta distribution of professional skill by NGO origin."""


class ContractingModel(mesa.Model):
    """An agent-based model of a government contracting market for social services.

    Args:
        scenario: A ``Scenario``, a built-in scenario name, a path to a TOML file, or
            ``None`` for the registry defaults.
        rng: Seed or generator for all randomness (Mesa's ``rng``); the same scenario
            and seed give identical results.
        seed: Alias of ``rng`` kept for Mesa tools that pass ``seed``.
        **params: Parameter values overriding the scenario's (validated).

    Raises:
        ScenarioError: An unknown parameter or a bad value.
    """

    def __init__(
        self,
        scenario: Scenario | str | None = None,
        *,
        rng: Any = None,
        seed: Any = None,
        **params: Any,
    ) -> None:
        super().__init__(rng=rng if rng is not None else seed)
        base = load_scenario(scenario)
        self.scenario: Scenario = base.replace(**params) if params else base
        self.year = 0
        self.p: dict[str, Any] = self.scenario.at_year(1)
        self.records: list[YearRecord] = []
        self.cities: list[City] = []
        self._current: dict[str, float] = {}
        self._initial_ngos: list[NGO] = []
        self._setup()
        self.datacollector = mesa.DataCollector(
            model_reporters={name: (lambda m, n=name: m._current[n]) for name in OUTCOMES}
        )

    # ------------------------------------------------------------------ setup
    def _setup(self) -> None:
        p = self.p
        rng = self.rng
        for c in range(p["n_cities"]):
            city = City(c)
            self.cities.append(city)
            for i in range(p["n_bureaux"]):
                sector = SECTORS[int(rng.integers(len(SECTORS)))]
                city.purchasers.append(
                    Bureau(
                        self,
                        c,
                        i % p["districts_per_city"],
                        sector,
                        p["slots_per_purchaser"],
                    )
                )
            for j in range(p["n_mass_orgs"]):
                district = int(rng.integers(p["districts_per_city"]))
                sector = MASS_ORG_SECTORS[j % len(MASS_ORG_SECTORS)]
                city.purchasers.append(
                    MassOrganisation(self, c, district, sector, p["slots_per_purchaser"])
                )
            for purchaser in city.purchasers:
                purchaser.budget = len(purchaser.slots) * p["contract_value"]
            for _ in range(p["initial_ngos"]):
                self._initial_ngos.append(self._new_ngo(city, initial=True))
            city.hub = Intermediary(self, c)
            evaluation.make_evaluators(self, city, p)
            city.index_ngos()
            for purchaser in city.purchasers:
                self._appoint(city, purchaser, Cadre(self), initial=True)

    def _new_ngo(self, city: City, *, initial: bool) -> NGO:
        p = self.p
        rng = self.rng
        shares = [p["share_specialist"], p["share_community"], p["share_grassroots"]]
        weights = np.array([max(0.0, 1.0 - sum(shares)), *shares])
        origin = ORIGINS[int(rng.choice(len(ORIGINS), p=weights / weights.sum()))]
        district = int(rng.integers(p["districts_per_city"]))
        multi = origin == "specialist" or (
            origin == "general" and rng.random() < p["multi_district_share"]
        )
        if origin == "specialist":
            sector = MASS_ORG_SECTORS[int(rng.integers(len(MASS_ORG_SECTORS)))]
        elif origin == "grassroots":
            sector = SECTORS[int(rng.integers(len(SECTORS)))]
        else:
            sector = None
        a, b = SKILL_BETA[origin]
        reserves = p["initial_reserves"] * float(rng.lognormal(-0.125, 0.5))
        if origin == "grassroots":
            reserves *= 0.3
        ngo = NGO(
            self,
            origin,
            city.index,
            district,
            multi_district=multi,
            sector=sector,
            skill=float(rng.beta(a, b)),
            dare=float(rng.beta(2, 2)),
            reserves=reserves,
            entry_year=0 if initial else self.year,
        )
        ngo.experience = np.array([rng.uniform(0.0, 5.0 if initial else 3.0)])
        if initial:
            ngo.reputation = float(rng.uniform(0.3, 0.7))
            ngo.track_record = int(rng.integers(0, 6))
        else:
            ngo.reputation = NEWCOMER_REPUTATION
        city.ngos.append(ngo)
        return ngo

    def _term(self) -> int:
        mean = self.p["rotation_years"]
        if mean <= 0:
            return 10**9
        return max(1, round(float(self.rng.gamma(4.0, mean / 4.0))))

    def _appoint(
        self, city: City, purchaser: Purchaser, cadre: Cadre, *, initial: bool = False
    ) -> None:
        """Put ``cadre`` at the head of ``purchaser``; new cadres bring local ties."""
        term = self._term()
        if initial:
            cadre.arrived = -int(self.rng.integers(1, min(term, 10**6) + 1))
        else:
            cadre.arrived = self.year
        cadre.term_end = cadre.arrived + term - 1 if term < 10**9 else 10**9
        if cadre.post is None and not cadre.ties:
            self._initial_ties(city, purchaser, cadre)
        cadre.post = purchaser
        purchaser.cadre = cadre

    def _initial_ties(self, city: City, purchaser: Purchaser, cadre: Cadre) -> None:
        density = self.p["tie_density"]
        if density <= 0:
            return
        if purchaser.kind == "mass_org":
            known = [
                n
                for n in city.citywide
                if n.origin == "specialist" and n.sector == purchaser.sector
            ]
            chance = np.full(len(known), min(1.0, 5.0 * density))
        else:
            known = city.by_district.get(purchaser.district, []) + city.citywide
            chance = np.array(
                [min(1.0, (3.0 if n.origin == "community" else 1.0) * density) for n in known]
            )
        if not known:
            return
        hit = self.rng.random(len(known)) < chance
        strength = self.rng.uniform(0.3, 0.8, len(known))
        for n, h, s in zip(known, hit, strength, strict=True):
            if h:
                cadre.ties[n.unique_id] = float(s)

    # ------------------------------------------------------------------ phases
    def _budgets_and_rules(self, city: City, previous: dict[str, Any]) -> None:
        p = self.p
        # A dated change of the contract price re-prices the funded services: the
        # finance bureau keeps funding the same number of slots at the new price.
        reprice = p["contract_value"] / previous["contract_value"]
        for purchaser in city.purchasers:
            purchaser.budget *= reprice
            if self.year > 1:
                purchaser.budget *= 1.0 + p["budget_growth"]
            # Nearest whole number of slots: flooring would lose half a slot per purchaser.
            affordable = max(1, round(purchaser.budget / p["contract_value"]))
            while len(purchaser.slots) < affordable:
                purchaser.slots.append(Slot(purchaser))
            if len(purchaser.slots) > affordable:
                keep = [s for s in purchaser.slots if s.contract is not None]
                empty = [s for s in purchaser.slots if s.contract is None]
                room = max(0, affordable - len(keep))
                purchaser.slots = keep + empty[:room]
            if purchaser.kind == "mass_org" and p["mass_org_tendering"] != "same":
                purchaser.mode = p["mass_org_tendering"]
            else:
                purchaser.mode = p["tendering"]
            purchaser.spent = 0.0

    def _rotate(self, city: City) -> None:
        leaving = [
            pu for pu in city.purchasers if pu.cadre is not None and pu.cadre.term_end < self.year
        ]
        if not leaving:
            return
        vacant = list(leaving)
        movers = [pu.cadre for pu in leaving]
        for pu in leaving:
            pu.cadre = None
        order = self.rng.permutation(len(movers))
        for k in order:
            cadre = movers[k]
            old = cadre.post
            options = [pu for pu in vacant if pu is not old]
            if options and self.rng.random() < self.p["cadre_transfer"]:
                post = options[int(self.rng.integers(len(options)))]
                vacant.remove(post)
                self._appoint(city, post, cadre)
            else:
                cadre.post = None
                cadre.remove()
        for pu in vacant:
            self._appoint(city, pu, Cadre(self))

    def _entry(self, city: City, record: YearRecord) -> None:
        """Register new NGOs: a Poisson number with mean

        ``entry_rate * r * (tenders + failed) * min(1, 0.05 + 5 * newcomer)`` where ``tenders``
        and ``failed`` are the city's tenders and failed tenders of last year (funding on
        offer and unmet demand), ``newcomer`` the share of last year's bids placed by NGOs
        that had never held a contract (how open the market is to newcomers), and ``r``
        is 1 under direct registration or ``sponsor_entry_factor`` under dual sponsorship.
        """
        p = self.p
        tenders, failed, newcomer = city.last_tenders, city.last_failed, city.last_newcomer
        if self.year == 1:
            slots = sum(len(pu.slots) for pu in city.purchasers)
            tenders, failed, newcomer = slots / p["contract_years"], 0, 0.1
        factor = 1.0 if p["registration"] == "direct" else p["sponsor_entry_factor"]
        lam = p["entry_rate"] * factor * (tenders + failed) * min(1.0, 0.05 + 5.0 * newcomer)
        for _ in range(int(self.rng.poisson(lam))):
            ngo = self._new_ngo(city, initial=False)
            record.entries += 1
            record.entry_reserves += ngo.reserves

    def _exit(self, ngo: NGO, reason: str, record: YearRecord) -> None:
        record.exits += 1
        record.exit_reserves += ngo.reserves
        for c in ngo.contracts:
            c.slot.contract = None
            c.slot.last_provider = ngo
            c.slot.last_terminated = True
        ngo.exit(reason)

    def _close_contracts(self, ngo: NGO) -> None:
        still = []
        for c in ngo.contracts:
            if c.terminated or c.end <= self.year:
                c.slot.contract = None
                c.slot.last_provider = ngo
                c.slot.last_terminated = c.terminated
            else:
                still.append(c)
        ngo.contracts = still

    def _market_structure(self, city: City, batch: YearBatch, record: YearRecord) -> None:
        """Count the city's providers, contracts in force, slots, and its concentration."""
        value = batch.per_ngo(column(batch.contracts, "price"))
        record.ngos_delivering += batch.size
        record.providers += int((value > 0).sum())
        record.contracts += len(batch.contracts)
        total = value.sum()
        if total > 0:
            record.city_hhi.append(float(((value / total) ** 2).sum()))
        for pu in city.purchasers:
            record.slots_funded += len(pu.slots)
            record.slots_served += sum(s.contract is not None for s in pu.slots)
            record.budget += pu.budget

    def _year_end(self, city: City, p: dict[str, Any], record: YearRecord) -> None:
        """Staffing, delivery, evaluation, market structure, money, turnover and closing
        for the city's active NGOs, all at once (see :mod:`simcontract.batch`)."""
        batch = YearBatch.of(city.ngos)
        workforce.staff_contracts(batch, p)
        evaluators = delivery.deliver(self, batch, p, record)
        evaluation.evaluate(self, batch, evaluators, p, record)
        self._market_structure(city, batch, record)
        money.settle(self, batch, p, record)
        solvent = column(batch.ngos, "reserves") >= 0
        for ngo in itertools.compress(batch.ngos, ~solvent):
            self._exit(ngo, "insolvent", record)
        workforce.turnover(self, batch, solvent, p, record)
        dormancy = p["dormancy_years"]
        for ngo in itertools.compress(batch.ngos, solvent):
            if ngo.contracts:
                ngo.dormant_years = 0
                self._close_contracts(ngo)
            else:
                ngo.dormant_years += 1
                if ngo.dormant_years >= dormancy:
                    self._exit(ngo, "dormant", record)
        for pu in city.purchasers:
            if pu.cadre is not None:
                pu.cadre.decay_ties(p["tie_decay"])
        city.index_ngos()

    def _dependence(self, record: YearRecord) -> None:
        deps = [
            n.dependence
            for c in self.cities
            for n in c.ngos
            if n.alive and n.revenue_gov + n.revenue_other > 0
        ]
        if deps:
            arr = np.asarray(deps)
            record.dependence_mean = float(arr.mean())
            record.dependence_high_share = float((arr >= self.p["dependence_threshold"]).mean())

    # ------------------------------------------------------------------ the year
    def step(self) -> None:
        """Advance the market by one year (see the module docstring for the order)."""
        self.year += 1
        previous = self.p
        p = self.p = self.scenario.at_year(self.year)
        record = YearRecord(year=self.year)
        record.reserves_start = sum(n.reserves for c in self.cities for n in c.ngos if n.alive)
        for city in self.cities:
            if any(p[k] != previous[k] for k in evaluation.EVALUATOR_PARAMETERS):
                evaluation.make_evaluators(self, city, p)
            self._budgets_and_rules(city, previous)
            self._entry(city, record)
            city.index_ngos()
            self._rotate(city)
            before = (record.tenders, record.failed, record.bids, record.newcomer_bids)
            tendering.tender_city(self, city, p, record)
            city.last_tenders = record.tenders - before[0]
            city.last_failed = record.failed - before[1]
            bids = record.bids - before[2]
            city.last_newcomer = (record.newcomer_bids - before[3]) / bids if bids else 0.0
            self._year_end(city, p, record)
        record.provider_diversity = (
            record.providers / record.contracts if record.contracts else float("nan")
        )
        record.hhi = float(np.mean(record.city_hhi)) if record.city_hhi else float("nan")
        self._dependence(record)
        record.active_ngos = sum(len(c.ngos) for c in self.cities)
        record.initial_total = len(self._initial_ngos)
        record.initial_alive = sum(n.alive for n in self._initial_ngos)
        record.reserves_end = sum(n.reserves for c in self.cities for n in c.ngos)
        self.records.append(record)
        self._current = yearly(record)
        self.datacollector.collect(self)
        if self.year >= p["years"]:
            self.running = False

    def run(self) -> ContractingModel:
        """Run the remaining years (until ``years``); return the model itself."""
        while self.running:
            self.step()
        return self

    # ------------------------------------------------------------------ results
    def summary(self) -> dict[str, float]:
        """Outcomes of the run so far, as defined in ``OUTCOMES[name].summary``."""
        return summarise(self.records)

    def series(self) -> pd.DataFrame:
        """One row per model year with a ``year`` column and every outcome."""
        df = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        df.insert(0, "year", np.arange(1, len(df) + 1))
        return df

    @property
    def ngos(self) -> list[NGO]:
        """Every NGO that ever existed in the run, active or exited."""
        return list(self.agents_by_type.get(NGO, []))

    def ngo_table(self) -> pd.DataFrame:
        """One row per NGO ever present: origin, place, life history and last state."""
        rows = [
            {
                "ngo": n.unique_id,
                "city": n.city,
                "district": n.district,
                "origin": n.origin,
                "entry_year": n.entry_year,
                "exit_year": n.exit_year,
                "exit_reason": n.exit_reason,
                "active": n.alive,
                "reserves": n.reserves,
                "reputation": n.reputation,
                "dependence": n.dependence,
                "staff": n.staff,
                "contracts": len(n.contracts),
            }
            for n in self.ngos
        ]
        return pd.DataFrame(rows)

    def contract_table(self) -> pd.DataFrame:
        """Contracts in force now: purchaser, provider, price, term and tie strength."""
        rows = []
        for city in self.cities:
            for pu in city.purchasers:
                for s in pu.slots:
                    c = s.contract
                    if c is None:
                        continue
                    rows.append(
                        {
                            "purchaser": pu.unique_id,
                            "purchaser_kind": pu.kind,
                            "city": pu.city,
                            "ngo": c.ngo.unique_id,
                            "price": c.price,
                            "start": c.start,
                            "end": c.end,
                            "tie": pu.cadre.tie(c.ngo) if pu.cadre else 0.0,
                        }
                    )
        return pd.DataFrame(rows)
