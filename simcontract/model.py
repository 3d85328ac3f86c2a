"""ContractingModel: the contracting market, set up and run year by year.

One ``step()`` is one year. Cities share nothing, so each runs the year's phases in turn
(one module each in :mod:`simcontract.phases`); every phase reads the year's rules and
adds to the year's record:

1. ``budgets``: dated rule changes take effect; budgets fund service slots.
2. ``entry``: new NGOs register.
3. ``cadres``: officials whose term is up rotate (taking their ties) or leave.
4. ``strategy``: NGO heads who leave end their ties; NGOs decide whether to seek
   contracts; seekers court an official.
5. ``tendering``: empty slots are tendered; NGOs bid; awards.
6. ``workforce`` (staffing): NGOs staff their contracts.
7. ``delivery``: hours go to documentation, extra duties, courting officials, service
   and mission; real quality results.
8. ``evaluation``: evaluators score contracts; scores move reputation; poor scores (or a
   new official) end contracts early.
9. ``money``: payments, match funding, wages, overheads, other income; insolvent NGOs
   exit.
10. ``workforce`` (turnover): workers quit.
11. ``closing``: ended contracts close; NGOs short of money without contracts close;
    ties decay.

Then the year's outcomes are collected (see :mod:`simcontract.outcomes`).
"""

from __future__ import annotations

import copy
import itertools
import warnings
from collections.abc import MutableMapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from simcontract import checkpoint, gcpause
from simcontract.agents import (
    MASS_ORG_SECTORS,
    NGO,
    SECTORS,
    Bureau,
    Cadre,
    City,
    Intermediary,
    MassOrganisation,
)
from simcontract.callers import caller_level
from simcontract.i18n import error_text
from simcontract.marketsize import check_grown, check_market_size
from simcontract.ngostate import NGOState
from simcontract.outcomes import OUTCOMES, YearRecord, combine, frame, summarise, yearly
from simcontract.phases import (
    budgets,
    cadres,
    closing,
    delivery,
    entry,
    evaluation,
    money,
    strategy,
    tendering,
    workforce,
)
from simcontract.scenario import Rules, Scenario, ScenarioError, ScenarioWarning, load_scenario

_wrong = partial(error_text, "types")
"""A message of a wrong argument given from Python, in the language in use."""


def _warn_changed(base: Scenario, scenario: Scenario, params: dict[str, Any]) -> None:
    """Warn (:class:`~simcontract.scenario.ScenarioWarning`) of the dated rule changes of
    ``base`` that keyword ``params`` made moot, as ``--set`` does: those a shorter run
    no longer reaches, and those that set a keyword's parameter again."""
    reached = set(base.unreached_changes())
    lines = [line for line in scenario.unreached_changes() if line not in reached]
    lines += scenario.superseded(params, error_text("scenario", "by_keyword"))
    for line in lines:
        said = error_text("scenario", "named_warning", name=repr(scenario.name), line=line)
        warnings.warn(ScenarioWarning(said), stacklevel=caller_level())


class ContractingModel(mesa.Model):
    """An agent-based model of a government contracting market for social services.

    A run is a pure function of the scenario and the seed::

        model = ContractingModel("baseline", rng=7).run()
        model.summary()        # one value per outcome for the run
        model.series()         # one row per model year
        model.agents           # Mesa's AgentSet: purchasers, NGOs, officials, ...

    Every outcome is defined, with its unit, in :data:`simcontract.outcomes.OUTCOMES`
    (``simcontract outcomes`` prints them). The seed a run used, also when ``rng`` was
    ``None`` (fresh entropy), is ``model.rng.bit_generator.seed_seq``, a NumPy
    ``SeedSequence``: ``ContractingModel(scenario, rng=model.rng.bit_generator.seed_seq)``
    repeats the run, and so does ``rng=`` its ``entropy`` (an integer, or a list of
    them, to write down) when its ``spawn_key`` is empty, as it is for every seed but a
    ``SeedSequence`` spawned from another.

    Args:
        market_scenario: The market to simulate: a ``Scenario``, a built-in scenario
            name, a path to a TOML file, or ``None`` for the registry defaults.
        rng: Seed or generator for all randomness (Mesa's ``rng``): ``None`` (fresh
            entropy), a non-negative integer, a list of them, or a NumPy
            ``SeedSequence``, ``BitGenerator`` or ``Generator``; the same scenario and
            seed give identical results. A ``Generator`` or ``BitGenerator`` is drawn
            from (:func:`_seed`): models made one after another from one generator run
            differently, generators in the same state give the same run, and a
            generator just made from a seed gives the run of that seed.
        seed: Alias of ``rng`` kept for Mesa tools that pass ``seed`` (give one of the
            two).
        cities: Simulate only these cities of the scenario (indices below
            ``n_cities``; default all). Cities share nothing, and each draws from its
            own generator spawned from ``rng``, so a city runs the same whichever others
            run beside it: :mod:`simcontract.experiment.split` uses this to run a
            many-city market over several processes.
        scenario: Mesa's own experiment scenario (Mesa 3.5 and later), passed on to
            ``mesa.Model``. A market scenario given under this name is still taken as
            ``market_scenario``, with a ``DeprecationWarning``.
        **params: Parameter values overriding the scenario's (validated), as
            :meth:`~simcontract.scenario.Scenario.replace` sets them.

    Raises:
        ScenarioError: An unknown parameter or a bad value.
        TypeError: ``rng`` (or ``seed``) is not a seed, or both are given; ``cities``
            is not a list of integers.
        ValueError: A city index out of range or repeated.
    """

    def __init__(
        self,
        market_scenario: Scenario | str | Path | None = None,
        *,
        rng: Any = None,
        seed: Any = None,
        cities: Sequence[int] | None = None,
        scenario: Any = None,
        **params: Any,
    ) -> None:
        if isinstance(scenario, Scenario | str | Path):
            warnings.warn(
                error_text("warnings", "scenario_argument"), DeprecationWarning, stacklevel=2
            )
            market_scenario, scenario = scenario, None
        mesa_args = {"scenario": scenario} if scenario is not None else {}
        if mesa_args and not hasattr(mesa.Model, "scenario"):
            raise TypeError(error_text("model", "mesa_scenario", version=mesa.__version__))
        if rng is not None and seed is not None:
            # Two seeds: whichever were taken, the run would not be the one of the other.
            raise TypeError(error_text("model", "rng_and_seed", rng=repr(rng), seed=repr(seed)))
        super().__init__(rng=_seed(rng if rng is not None else seed), **mesa_args)
        base = load_scenario(market_scenario)
        for key in ("name", "changes", "description", "start_year"):
            if key in params:
                raise ScenarioError(error_text("types", "model_key", param=key, name=repr(key)))
        self.market_scenario: Scenario = base.replace(**params) if params else base
        """The scenario the market follows: its rules, sizes and dated rule changes."""
        if params:
            _warn_changed(base, self.market_scenario, params)
        # Set-up follows the rules of year 1 (a dated change for year 1 applies already).
        self.rules: Rules = Rules(self.market_scenario.at_year(1), 0)
        """The parameter values in force in the year last run (those of year 1 before
        the first step), with the year and last year's values."""
        self.records: list[YearRecord] = []
        """One record of counters per year run (see :mod:`simcontract.outcomes`)."""
        self.year_by_city: list[YearRecord] = []
        """Each city's record of the year last run (in the order of :attr:`cities`); that
        year's record in :attr:`records` is their sum (:func:`~simcontract.outcomes.combine`)."""
        self.cities: list[City] = []
        """The simulated cities, in index order."""
        self._current: dict[str, float] = {}
        self._ngo_states: dict[int, NGOState] = {}
        indices = self._city_indices(cities)
        check_market_size(self.market_scenario, len(indices))
        for index in indices:
            self.cities.append(self._set_up_city(index))
        self.datacollector = mesa.DataCollector(
            # Module-level reporters, not lambdas, so that a model pickles (a checkpoint).
            model_reporters={name: partial(_outcome_now, name=name) for name in OUTCOMES}
        )
        """Mesa's collector of every outcome, one row per year run."""

    # ------------------------------------------------------------------ the year
    def step(self) -> None:
        """Advance the market by one year: every city runs the year's phases in turn
        (past the scenario's ``years``, with a warning: :meth:`_warn_past_years`)."""
        self._warn_past_years()
        rules = self.rules = self.market_scenario.rules(self.year + 1, previous=self.rules)
        by_city = []
        for city in self.cities:
            record = YearRecord(year=rules.year)
            by_city.append(record)
            budgets.open_year(city, rules, record)
            entry.register_ngos(city, rules, record)
            cadres.rotate_officials(city, rules, record)
            strategy.plan_year(city, rules, record)
            tendering.tender_round(city, rules, record)
            workforce.staff_contracts(city, rules, record)
            delivery.deliver_services(city, rules, record)
            evaluation.evaluate_contracts(city, rules, record)
            money.settle_accounts(city, rules, record)
            workforce.workers_quit(city, rules, record)
            closing.close_year(city, rules, record)
        # Each city's record first, then their sum in city order: the same digits
        # however the cities are grouped (experiment.split runs groups apart).
        self.year_by_city = by_city
        record = by_city[0] if len(by_city) == 1 else combine(by_city, rules.year)
        self.records.append(record)
        self._current = yearly(record)
        self.datacollector.collect(self)
        self._end_year(rules.year, rules["years"])

    def _end_year(self, year: int, years: int) -> None:
        """After ``year`` is recorded: the run ends at its last year, or stops where it
        has outgrown the memory a run may use (:func:`~simcontract.marketsize.check_grown`)."""
        if year >= years:
            self.running = False
            return
        try:
            check_grown(self.market_scenario.name, year, self.cities)
        except ScenarioError:
            self.running = False  # the year is whole and recorded; no more follow
            raise

    def run(self) -> ContractingModel:
        """Run the remaining years (until ``years``); return the model itself.

        Python's cyclic garbage collector is paused meanwhile (:mod:`simcontract.gcpause`):
        a run makes no cyclic garbage, and the collector's passes over its agents cost up
        to a seventh of a run.
        """
        with gcpause.paused():
            while self.running:
                self.step()
        return self

    # ------------------------------------------------------------------ copies
    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        """Copies and pickles go through :mod:`simcontract.checkpoint`, which writes the
        model's many linked objects one by one: :mod:`copy` and :mod:`pickle` would
        follow the links from object to object, past Python's recursion limit in a
        long run."""
        return checkpoint.from_bytes, (checkpoint.to_bytes(self),)

    def __getstate__(self) -> dict[str, Any]:
        """The model's state for a copy or a pickle (a checkpoint to go on from).

        Mesa 3.3 numbers agents from a counter kept outside the model
        (``Agent._ids``, by model), so the state carries the next number: a copy goes on
        numbering where the model stands, and runs on exactly as the model would.
        """
        state = self.__dict__.copy()
        ids = _agent_numbering()
        if ids is not None:
            following = next(ids[self])
            ids[self] = itertools.count(following)
            state["_next_agent_id"] = following
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a copy's state (:meth:`__getstate__`)."""
        following = state.pop("_next_agent_id", None)
        self.__dict__.update(state)
        ids = _agent_numbering()
        if following is not None and ids is not None:
            ids[self] = itertools.count(following)

    def release(self) -> None:
        """Let the finished model be garbage-collected once the caller drops it.

        Mesa's ``Agent._ids`` is a class-level dict keyed by model, so without this
        every model stays alive and a batch worker grows by a model with each run
        (mesa/mesa#3179). The model's results stay readable.
        """
        ids = _agent_numbering()
        if ids is not None:
            ids.pop(self, None)

    def ngo_state(self, city: int) -> NGOState:
        """The NGO state of city ``city``: the arrays its NGOs' attributes live in."""
        state = self._ngo_states.get(city)
        if state is None:
            state = self._ngo_states[city] = NGOState()
        return state

    @property
    def year(self) -> int:
        """The model year last run (0 before the first ``step()``)."""
        return self.rules.year

    @property
    def p(self) -> Rules:
        """Short name of :attr:`rules`, the parameter values in force."""
        return self.rules

    if not hasattr(mesa.Model, "scenario"):  # from Mesa 3.5 the name is Mesa's own

        @property
        def scenario(self) -> Scenario:
            """Deprecated name of :attr:`market_scenario` (Mesa before 3.5)."""
            warnings.warn(
                error_text("warnings", "scenario_attribute"), DeprecationWarning, stacklevel=2
            )
            return self.market_scenario

    # ------------------------------------------------------------------ set-up
    def _city_indices(self, cities: Sequence[int] | None) -> list[int]:
        n = self.rules["n_cities"]
        if cities is None:
            return list(range(n))
        if isinstance(cities, np.ndarray):
            cities = cities.tolist()
        if isinstance(cities, str | bytes) or not isinstance(cities, Sequence):
            raise TypeError(_wrong("cities_list", given=f"{cities!r:.60}"))
        whole = [c for c in cities if isinstance(c, int | np.integer) and not isinstance(c, bool)]
        if len(whole) < len(cities):
            odd = next(c for c in cities if c not in whole or isinstance(c, bool))
            raise TypeError(_wrong("city_integer", given=repr(odd)))
        chosen = [int(c) for c in whole]
        if not chosen:
            raise ValueError(_wrong("cities_empty"))
        bad = [c for c in chosen if not 0 <= c < n]
        if bad:
            raise ValueError(_wrong("city_range", given=bad[0], last=n - 1))
        if len(set(chosen)) < len(chosen):
            raise ValueError(_wrong("city_repeated"))
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

    def _set_up_city(self, index: int) -> City:
        """City ``index`` at year 0: purchasers with empty slots and their budgets, the
        initial NGOs, the hub, the evaluators and one official per purchaser."""
        rules = self.rules
        city = City(self, index, self._city_stream(index))
        rng = city.rng
        n_slots, districts = rules["slots_per_purchaser"], rules["districts_per_city"]
        for i in range(rules["n_bureaux"]):
            sector = SECTORS[int(rng.integers(len(SECTORS)))]
            city.purchasers.append(Bureau(self, index, i % districts, sector, n_slots))
        for j in range(rules["n_mass_orgs"]):
            district = int(rng.integers(districts))
            sector = MASS_ORG_SECTORS[j % len(MASS_ORG_SECTORS)]
            city.purchasers.append(MassOrganisation(self, index, district, sector, n_slots))
        for purchaser in city.purchasers:
            factor = budgets.budget_factor(purchaser.kind, rules)
            purchaser.budget = len(purchaser.slots) * rules["contract_value"] * factor
        city.initial_ngos = len(entry.new_ngos(city, rules, rules["initial_ngos"], initial=True))
        city.hub = Intermediary(self, index)
        evaluation.make_evaluators(city, rules)
        city.index_ngos()
        for purchaser in city.purchasers:
            cadres.appoint(city, purchaser, Cadre(self), rules, initial=True)
        return city

    # ------------------------------------------------------------------ results
    def summary(self) -> dict[str, float]:
        """The outcomes of the run so far, one value each for all its years.

        Returns:
            One value per outcome of :data:`~simcontract.outcomes.OUTCOMES`, by name, in
            its order: the run's value as ``OUTCOMES[name].summary`` defines it (pooled
            over the years, their mean or the last year's, by ``OUTCOMES[name].pooling``), in
            ``OUTCOMES[name].unit``; NaN where the outcome is undefined in the run
            (``OUTCOMES[name].undefined`` says when), e.g. before the first year.
        """
        return summarise(self.records)

    def series(self) -> pd.DataFrame:
        """The outcomes of every year run.

        Returns:
            One row per model year run, in order: a ``year`` column (the model year,
            from 1) and a column per outcome of :data:`~simcontract.outcomes.OUTCOMES`,
            the year's value as ``OUTCOMES[name].yearly`` defines it (NaN where
            undefined that year). Mesa's :attr:`datacollector` holds the same values
            without the ``year`` column, one row per ``step()`` and none at set-up,
            so Mesa's ``batch_run`` labels model year ``y`` as its ``Step`` ``y - 1``.
        """
        return frame(self.records)

    def _warn_past_years(self) -> None:
        """Warn once (:class:`~simcontract.scenario.ScenarioWarning`) when the year to run
        lies past the scenario's ``years`` (:attr:`running` is False): the market runs on
        with the last year's rules, and a loop that steps more often than the scenario
        runs would otherwise pool other years into :meth:`summary` unseen."""
        years = self.market_scenario["years"]
        if self.year < years or getattr(self, "_beyond_warned", False):
            return
        self._beyond_warned = True
        said = error_text("warnings", "beyond_years", year=self.year + 1, years=years)
        warnings.warn(ScenarioWarning(said), stacklevel=caller_level())

    def city(self, index: int) -> City:
        """The simulated city with this index.

        Raises:
            KeyError: The model does not simulate that city.
        """
        for city in self.cities:
            if city.index == index:
                return city
        raise KeyError(_wrong("city_not_simulated", index=index))

    @property
    def ngos(self) -> list[NGO]:
        """Every NGO that ever existed in the run, active or exited."""
        return list(self.agents_by_type.get(NGO, []))

    def ngo_table(self) -> pd.DataFrame:
        """One row per NGO ever present: origin, place, life history and last state.

        The columns and their types are those of :data:`NGO_COLUMNS` whatever the run
        (``exit_year`` is NaN for an NGO still active), also when no NGO was present.
        """
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
        return _typed(pd.DataFrame(rows, columns=list(NGO_COLUMNS)), NGO_COLUMNS)

    def contract_table(self) -> pd.DataFrame:
        """Contracts in force now: purchaser, provider, price, term and tie strength.

        After a year has run, its closing has ended the contracts whose term ended with
        it, so those are not in the table (the year's series counts them: ``hhi``,
        ``provider_diversity``, the money shares). ``tie`` is the strength of the
        purchaser's present official's tie to the provider now, after the year's decay
        and any rotation, not at the award (the award's ``tied_award_share`` reads the
        tie then).
        """
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
        return _typed(pd.DataFrame(rows, columns=list(CONTRACT_COLUMNS)), CONTRACT_TYPES)


NGO_COLUMNS = {
    "ngo": "int64",
    "city": "int64",
    "district": "int64",
    "origin": "str",
    "entry_year": "int64",
    "exit_year": "float64",
    "exit_reason": "str",
    "active": "bool",
    "reserves": "float64",
    "reputation": "float64",
    "dependence": "float64",
    "staff": "int64",
    "contracts": "int64",
}
"""The columns of :meth:`ContractingModel.ngo_table` and their types."""

CONTRACT_COLUMNS = ("purchaser", "purchaser_kind", "city", "ngo", "price", "start", "end", "tie")
"""The columns of :meth:`ContractingModel.contract_table` (also when no contract is in
force)."""

CONTRACT_TYPES = {
    "purchaser": "int64",
    "purchaser_kind": "str",
    "city": "int64",
    "ngo": "int64",
    "price": "float64",
    "start": "int64",
    "end": "int64",
    "tie": "float64",
}
"""The type of each column of :meth:`ContractingModel.contract_table`."""


def _typed(table: pd.DataFrame, types: dict[str, str]) -> pd.DataFrame:
    """``table`` with each column given its type in ``types``: the same types whatever
    the rows, and with no rows at all."""
    return table.astype(types)


def _agent_numbering() -> MutableMapping[Any, Any] | None:
    """Mesa 3.3's next agent number of each model (``Agent._ids``, kept outside the
    model, by model); ``None`` from Mesa 3.4 on, which counts on the model."""
    ids = getattr(mesa.Agent, "_ids", None)
    return ids if isinstance(ids, MutableMapping) else None


def _outcome_now(model: ContractingModel, name: str) -> float:
    """The value of outcome ``name`` in the year ``model`` last ran (Mesa's reporter)."""
    return model._current[name]


def _drawn_seed(bits: np.random.BitGenerator) -> np.random.SeedSequence:
    """The seed of a model given a generator (its bit generator ``bits``).

    The model's streams come from a seed sequence (each city's is a child of it,
    :meth:`ContractingModel._city_stream`), so a generator is turned into one: the seed
    sequence it was made from while it stands where that left it (a generator just made
    from a seed runs as the seed does), otherwise one seeded with :data:`SEED_DRAWS`
    draws from it. Either way that many draws are taken from it, so that a generator is
    used up like any other: the next model made from it runs differently.
    """
    seq = bits.seed_seq

    def draws(source: np.random.BitGenerator) -> np.ndarray:
        return np.random.Generator(source).integers(np.iinfo(np.int64).max, size=SEED_DRAWS)

    fresh = isinstance(seq, np.random.SeedSequence) and np.array_equal(
        draws(type(bits)(seq)), draws(copy.deepcopy(bits))
    )
    drawn = draws(bits)
    return seq if fresh else np.random.SeedSequence(drawn.tolist())


SEED_DRAWS = 4
"""Draws a model takes from a generator it is given: 252 bits of seed, more than the 128
bits of entropy NumPy draws for a fresh seed sequence."""


def _seed(rng: Any) -> Any:
    """``rng`` as Mesa takes it, after checking it is a seed or a generator (a generator
    is turned into a seed sequence, :func:`_drawn_seed`).

    Raises:
        TypeError: Not ``None``, a non-negative integer, a sequence of them, a
            ``SeedSequence``, a ``BitGenerator`` or a ``Generator``.
    """
    if isinstance(rng, np.random.Generator):
        rng = rng.bit_generator
    if isinstance(rng, np.random.BitGenerator):
        return _drawn_seed(rng)
    if rng is None or isinstance(rng, np.random.SeedSequence):
        return rng
    values = rng if isinstance(rng, list | tuple) else [rng]
    if (
        all(isinstance(v, int | np.integer) and not isinstance(v, bool) and v >= 0 for v in values)
        and values
    ):
        return rng
    raise TypeError(_wrong("rng", given=repr(rng)))
