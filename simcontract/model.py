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
8. Data collection: the year's outcomes (see :mod:`simcontract.outcomes`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
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
from simcontract.outcomes import OUTCOMES, YearRecord, frame, summarise, yearly
from simcontract.scenario import Scenario, load_scenario

try:  # Mesa 3.5 and later
    from mesa.experimental.scenarios import Scenario as MesaScenario
except ImportError:  # pragma: no cover - Mesa before 3.5
    MesaScenario = None

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
        cities: Simulate only these cities of the scenario (indices below
            ``n_cities``; default all). Cities share nothing, and each draws from its
            own generator spawned from ``rng``, so a city runs the same whichever others
            run beside it: :mod:`simcontract.experiment.split` uses this to run a many-city market
            over several processes.
        **params: Parameter values overriding the scenario's (validated).

    Raises:
        ScenarioError: An unknown parameter or a bad value.
        ValueError: A city index out of range or repeated.
    """

    def __init__(
        self,
        scenario: Scenario | str | None = None,
        *,
        rng: Any = None,
        seed: Any = None,
        cities: Sequence[int] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(rng=rng if rng is not None else seed)
        base = load_scenario(scenario)
        self._market_scenario: Scenario = base.replace(**params) if params else base
        self.year = 0
        self.p: dict[str, Any] = self._market_scenario.at_year(1)
        self.records: list[YearRecord] = []
        self.cities: list[City] = []
        self._current: dict[str, float] = {}
        self._setup(self._city_indices(cities))
        self.datacollector = mesa.DataCollector(
            model_reporters={name: (lambda m, n=name: m._current[n]) for name in OUTCOMES}
        )

    @property
    def scenario(self) -> Scenario:
        """The scenario the market follows: its rules, sizes and dated rule changes."""
        return self._market_scenario

    @scenario.setter
    def scenario(self, value: Scenario) -> None:
        if isinstance(value, Scenario):
            self._market_scenario = value
        elif MesaScenario is not None and isinstance(value, MesaScenario):
            # From Mesa 3.5, ``Model.__init__`` gives every model an experiment scenario
            # of Mesa's own under this name; the market's scenario keeps the name, and
            # Mesa's is kept aside.
            self._mesa_scenario = value
            value.model = self
        else:
            raise TypeError(f"scenario must be a simcontract Scenario, not {type(value).__name__}")

    # ------------------------------------------------------------------ setup
    def _city_indices(self, cities: Sequence[int] | None) -> list[int]:
        n = self.p["n_cities"]
        if cities is None:
            return list(range(n))
        chosen = [int(c) for c in cities]
        bad = [c for c in chosen if not 0 <= c < n]
        if bad:
            raise ValueError(f"cities: {bad[0]} is not a city index (0 to {n - 1})")
        if len(set(chosen)) < len(chosen):
            raise ValueError("cities: an index is repeated")
        return sorted(chosen)

    def _city_stream(self, index: int) -> np.random.Generator:
        """City ``index``'s generator: child ``index`` of the model's seed sequence, as
        ``self.rng.spawn(n_cities)[index]`` would give on a fresh model, made alone so
        that a model of a few cities does not make every city's."""
        bits = self.rng.bit_generator
        seq = bits.seed_seq
        child = np.random.SeedSequence(
            seq.entropy, spawn_key=(*seq.spawn_key, index), pool_size=seq.pool_size
        )
        return np.random.Generator(type(bits)(child))

    def _setup(self, indices: list[int]) -> None:
        p = self.p
        for c in indices:
            city = City(c, self._city_stream(c))
            rng = city.rng
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
            city.initial_ngos = len(self._new_ngos(city, p["initial_ngos"], initial=True))
            city.hub = Intermediary(self, c)
            evaluation.make_evaluators(self, city, p)
            city.index_ngos()
            for purchaser in city.purchasers:
                self._appoint(city, purchaser, Cadre(self), initial=True)

    def _new_ngos(self, city: City, count: int, *, initial: bool) -> list[NGO]:
        """Register ``count`` NGOs in ``city`` (initial ones or this year's entrants)."""
        if count <= 0:
            return []
        p = self.p
        rng = city.rng
        shares = [p["share_specialist"], p["share_community"], p["share_grassroots"]]
        weights = np.array([max(0.0, 1.0 - sum(shares)), *shares])
        # Inverse CDF: what rng.choice(p=...) does, without its checks (which cost more
        # than the draw for the few entrants of a year).
        cdf = np.cumsum(weights / weights.sum())
        origin = np.minimum(np.searchsorted(cdf, rng.random(count), side="right"), len(ORIGINS) - 1)
        district = rng.integers(p["districts_per_city"], size=count)
        multi = (origin == ORIGINS.index("specialist")) | (
            (origin == ORIGINS.index("general")) & (rng.random(count) < p["multi_district_share"])
        )
        mass_org_sector = rng.integers(len(MASS_ORG_SECTORS), size=count)
        any_sector = rng.integers(len(SECTORS), size=count)
        a, b = np.array([SKILL_BETA[o] for o in ORIGINS], dtype=float).T
        skill = rng.beta(a[origin], b[origin])
        dare = rng.beta(2.0, 2.0, count)
        reserves = p["initial_reserves"] * rng.lognormal(-0.125, 0.5, count)
        reserves[origin == ORIGINS.index("grassroots")] *= 0.3
        experience = rng.uniform(0.0, 5.0 if initial else 3.0, count)
        if initial:
            reputation = rng.uniform(0.3, 0.7, count).tolist()
            track_record = rng.integers(0, 6, size=count).tolist()
        else:
            reputation = [NEWCOMER_REPUTATION] * count
            track_record = [0] * count
        entry_year = 0 if initial else self.year
        made = []
        columns = zip(
            origin.tolist(),
            district.tolist(),
            multi.tolist(),
            mass_org_sector.tolist(),
            any_sector.tolist(),
            skill.tolist(),
            dare.tolist(),
            reserves.tolist(),
            experience.tolist(),
            reputation,
            track_record,
            strict=True,
        )
        for o, d, m, ms, s, sk, da, r, e, rep, t in columns:
            kind = ORIGINS[o]
            if kind == "specialist":
                sector = MASS_ORG_SECTORS[ms]
            elif kind == "grassroots":
                sector = SECTORS[s]
            else:
                sector = None
            ngo = NGO(
                self,
                kind,
                city.index,
                d,
                multi_district=m,
                sector=sector,
                skill=sk,
                dare=da,
                reserves=r,
                entry_year=entry_year,
            )
            ngo.experience = np.array([e])
            ngo.reputation = rep
            ngo.track_record = t
            made.append(ngo)
        city.ngos.extend(made)
        return made

    def _term(self, rng: np.random.Generator) -> int:
        mean = self.p["rotation_years"]
        if mean <= 0:
            return 10**9
        return max(1, round(float(rng.gamma(4.0, mean / 4.0))))

    def _appoint(
        self, city: City, purchaser: Purchaser, cadre: Cadre, *, initial: bool = False
    ) -> None:
        """Put ``cadre`` at the head of ``purchaser``; new cadres bring local ties."""
        term = self._term(city.rng)
        if initial:
            cadre.arrived = -int(city.rng.integers(1, min(term, 10**6) + 1))
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
            community = np.fromiter((n.origin == "community" for n in known), bool, len(known))
            chance = np.where(community, min(1.0, 3.0 * density), min(1.0, density))
        if not known:
            return
        hit = city.rng.random(len(known)) < chance
        strength = city.rng.uniform(0.3, 0.8, len(known))
        for i in np.flatnonzero(hit).tolist():
            cadre.ties[known[i].unique_id] = float(strength[i])

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
        rng = city.rng
        order = rng.permutation(len(movers))
        for k in order:
            cadre = movers[k]
            old = cadre.post
            options = [pu for pu in vacant if pu is not old]
            if options and rng.random() < self.p["cadre_transfer"]:
                post = options[int(rng.integers(len(options)))]
                vacant.remove(post)
                self._appoint(city, post, cadre)
            else:
                cadre.post = None
                cadre.remove()
        for pu in vacant:
            self._appoint(city, pu, Cadre(self))

    def _entry(self, city: City, record: YearRecord) -> list[NGO]:
        """Register new NGOs: a Poisson number with mean

        ``entry_rate * r * (tenders + failed) * min(1, 0.05 + 5 * newcomer)`` where ``tenders``
        and ``failed`` are the city's tenders and failed tenders of last year (funding on
        offer and unmet demand), ``newcomer`` the share of last year's bids placed by NGOs
        that had never held a contract (how open the market is to newcomers), and ``r``
        is 1 under direct registration or ``sponsor_entry_factor`` under dual sponsorship.

        Returns:
            The entrants (already appended to ``city.ngos``).
        """
        p = self.p
        tenders, failed, newcomer = city.last_tenders, city.last_failed, city.last_newcomer
        if self.year == 1:
            slots = sum(len(pu.slots) for pu in city.purchasers)
            tenders, failed, newcomer = slots / p["contract_years"], 0, 0.1
        factor = 1.0 if p["registration"] == "direct" else p["sponsor_entry_factor"]
        lam = p["entry_rate"] * factor * (tenders + failed) * min(1.0, 0.05 + 5.0 * newcomer)
        entrants = self._new_ngos(city, int(city.rng.poisson(lam)), initial=False)
        record.entries += len(entrants)
        added = 0.0
        for n in entrants:  # left to right, on every Python (see metrics.combine)
            added += n.reserves
        record.entry_reserves += added
        return entrants

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
            record.hhi_sum += float(((value / total) ** 2).sum())
            record.hhi_cities += 1
        for pu in city.purchasers:
            record.slots_funded += len(pu.slots)
            record.slots_served += sum(s.contract is not None for s in pu.slots)
            record.budget += pu.budget

    def _year_end(self, city: City, p: dict[str, Any], record: YearRecord) -> None:
        """Staffing, delivery, evaluation, market structure, money, turnover and closing
        for the city's active NGOs, all at once (see :mod:`simcontract.batch`)."""
        batch = YearBatch.of(city)
        workforce.staff_contracts(batch, p)
        evaluators = delivery.deliver(batch, p, record)
        evaluation.evaluate(self, batch, evaluators, p, record)
        self._market_structure(city, batch, record)
        money.settle(batch, p, record)
        solvent = column(batch.ngos, "reserves") >= 0
        for ngo in itertools.compress(batch.ngos, ~solvent):
            self._exit(ngo, "insolvent", record)
        workforce.turnover(self, batch, solvent, p, record)
        dormancy = p["dormancy_years"]
        held = batch.held() > 0
        closing = batch.per_ngo(batch.ending(self.year)) > 0
        for ngo, ok, has, close in zip(
            batch.ngos, solvent.tolist(), held.tolist(), closing.tolist(), strict=True
        ):
            if not ok:
                continue
            if has:
                ngo.dormant_years = 0
                if close:
                    self._close_contracts(ngo)
            else:
                ngo.dormant_years += 1
                if ngo.dormant_years >= dormancy:
                    self._exit(ngo, "dormant", record)
        for pu in city.purchasers:
            if pu.cadre is not None:
                pu.cadre.decay_ties(p["tie_decay"])
        city.index_ngos()
        self._stocks(city, p, record)

    def _stocks(self, city: City, p: dict[str, Any], record: YearRecord) -> None:
        """Count the city's active NGOs, survivors, reserves and dependence at year end."""
        ngos = city.ngos
        record.active_ngos += len(ngos)
        record.initial_total += city.initial_ngos
        record.initial_alive += int((column(ngos, "entry_year", int) == 0).sum())
        record.reserves_end += float(column(ngos, "reserves").sum())
        revenue = column(ngos, "revenue_gov") + column(ngos, "revenue_other")
        dependence = column(ngos, "dependence")[revenue > 0]
        record.dependence_sum += float(dependence.sum())
        record.dependence_ngos += len(dependence)
        record.dependence_high += int((dependence >= p["dependence_threshold"]).sum())

    def _city_year(
        self, city: City, previous: dict[str, Any], p: dict[str, Any], record: YearRecord
    ) -> None:
        """One year of one city, phases 1 to 7 (cities share nothing)."""
        record.reserves_start += float(column(city.ngos, "reserves").sum())
        if any(p[k] != previous[k] for k in evaluation.EVALUATOR_PARAMETERS):
            evaluation.make_evaluators(self, city, p)
        self._budgets_and_rules(city, previous)
        city.index_entrants(self._entry(city, record))
        self._rotate(city)
        before = (record.tenders, record.failed, record.bids, record.newcomer_bids)
        tendering.tender_city(self, city, p, record)
        city.last_tenders = record.tenders - before[0]
        city.last_failed = record.failed - before[1]
        bids = record.bids - before[2]
        city.last_newcomer = (record.newcomer_bids - before[3]) / bids if bids else 0.0
        self._year_end(city, p, record)

    # ------------------------------------------------------------------ the year
    def step(self) -> None:
        """Advance the market by one year (see the module docstring for the order)."""
        self.year += 1
        previous = self.p
        p = self.p = self._market_scenario.at_year(self.year)
        record = YearRecord(year=self.year)
        for city in self.cities:
            self._city_year(city, previous, p, record)
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

    def release(self) -> None:
        """Let the finished model be garbage-collected once the caller drops it.

        Mesa's ``Agent._ids`` is a class-level dict keyed by model, so without this
        every model stays alive and a batch worker grows by a model with each run
        (mesa/mesa#3179). The model's results stay readable.
        """
        ids = getattr(mesa.Agent, "_ids", None)
        if isinstance(ids, dict):
            ids.pop(self, None)

    # ------------------------------------------------------------------ results
    def summary(self) -> dict[str, float]:
        """Outcomes of the run so far, as defined in ``OUTCOMES[name].summary``."""
        return summarise(self.records)

    def series(self) -> pd.DataFrame:
        """One row per model year with a ``year`` column and every outcome."""
        return frame(self.records)

    def city(self, index: int) -> City:
        """The simulated city with this index.

        Raises:
            KeyError: The model does not simulate that city.
        """
        for city in self.cities:
            if city.index == index:
                return city
        raise KeyError(f"city {index} is not simulated in this model")

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
