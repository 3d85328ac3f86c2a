"""Properties that hold for every valid scenario: money is conserved, every contract has
one living provider, hours add up, outcomes stay in their units' bounds, runs repeat."""

from __future__ import annotations

import copy
import math
import os
import pickle
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, note, reject, settings
from hypothesis import strategies as st

from simcontract import (
    OUTCOMES,
    PARAMETERS,
    ContractingModel,
    Scenario,
    ScenarioError,
    load_scenario,
)
from simcontract.experiment.stats import UNIT_RANGES
from simcontract.phases import delivery, tendering
from simcontract.scenario import builtin_names

SIZES: dict[str, tuple[int, int]] = {
    "years": (1, 6),
    "n_cities": (1, 2),
    "districts_per_city": (1, 4),
    "n_bureaux": (0, 6),
    "n_mass_orgs": (0, 2),
    "initial_ngos": (0, 25),
    "slots_per_purchaser": (1, 3),
}
"""Small ranges for the parameters that set the market's size."""

NARROWED: dict[str, tuple[float, float]] = {
    "budget_growth": (-0.5, 0.5),  # the registry's 2.0 multiplies slots 243-fold in 6 years
    "entry_rate": (0.0, 1.0),
    "n_evaluators": (1, 8),
    "hub_pool_size": (1, 30),
    "shortlist_size": (1, 8),
}
"""Parameters drawn from part of their registry range to keep the runs small."""

ROUNDING = 1e-12
"""Floating-point slack allowed on the bounds of outcome values."""

SHARES = ("share_specialist", "share_community", "share_grassroots")
WEIGHTS = ("price_weight", "reputation_weight", "workload_weight")
RULES = [
    name
    for name, p in PARAMETERS.items()
    if p.group != "run" and name not in WEIGHTS  # weights are drawn jointly
]
"""Every parameter a dated rule change may set, apart from the award weights."""


def value_of(name: str) -> st.SearchStrategy[Any]:
    """Values of one parameter, from its registry range (or the narrowed range)."""
    p = PARAMETERS[name]
    if p.kind == "choice":
        return st.sampled_from(p.choices)
    low, high = SIZES.get(name) or NARROWED.get(name) or (p.low, p.high)
    if p.kind == "int":
        return st.integers(int(low), int(high))
    return st.floats(float(low), float(high), allow_nan=False, allow_infinity=False)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """Random valid small scenarios, with up to two dated rule changes."""
    values: dict[str, Any] = {name: draw(value_of(name)) for name in SIZES}
    values["multi_district_share"] = draw(value_of("multi_district_share"))
    shares = [draw(st.floats(0.0, 1.0)) for _ in SHARES]
    if sum(shares) > 1.0:
        shares = [s / sum(shares) * 0.999 for s in shares]
    values.update(zip(SHARES, shares, strict=True))
    for name in draw(st.sets(st.sampled_from(RULES), max_size=len(RULES))):
        values[name] = draw(value_of(name))
    for name in WEIGHTS:
        values[name] = draw(st.sampled_from([0.0, 1.0]) | value_of(name))
    changes = []
    for year in draw(st.lists(st.integers(1, 6), max_size=2, unique=True)):
        change = {"year": year}
        for name in draw(st.sets(st.sampled_from(RULES + list(WEIGHTS)), min_size=1, max_size=4)):
            change[name] = draw(value_of(name))
        changes.append(change)
    try:
        return Scenario(values, name="drawn", changes=changes)
    except ScenarioError as err:
        if "are all 0" in str(err):  # the award weights need one above 0
            reject()
        raise


SETTINGS = settings(
    # On top of the loaded profile (tests/conftest.py), which sets the number of examples
    # (SIMCONTRACT_EXAMPLES=1000 searches harder: about a minute per property), the
    # deadline and, under CI, derandomisation.
    suppress_health_check=[HealthCheck.too_slow],
)


# ------------------------------------------------------------------------- checkers
@contextmanager
def watched() -> Iterator[dict[str, Any]]:
    """Check each NGO's hours right after delivery and each tender's winner as it wins."""
    real_deliver = delivery.deliver_services
    real_tender = tendering.run_tender
    seen: dict[str, Any] = {"deliveries": 0, "awards": 0, "hours": 0.0}

    def deliver(city: Any, p: dict[str, Any], record: Any) -> None:
        real_deliver(city, p, record)
        for ngo in city.batch.ngos:
            capacity = ngo.staff * p["hours_per_worker"]
            parts = ngo.hours
            kinds = {"service", "documentation", "extra", "cultivation", "mission", "advocacy"}
            assert set(parts) == kinds
            assert all(v >= 0.0 for v in parts.values()), parts
            assert math.isclose(sum(parts.values()), capacity, rel_tol=1e-9, abs_tol=1e-6), (
                parts,
                capacity,
            )
            assert ngo.alive
            seen["deliveries"] += 1
            seen["hours"] += capacity

    def run_tender(city: Any, slot: Any, terms: Any, record: Any):
        assert slot.contract is None, "a slot with a contract in force was tendered"
        purchaser = slot.purchaser
        contract = real_tender(city, slot, terms, record)
        if contract is not None:
            assert contract.ngo.alive and contract.ngo.exit_year is None
            assert contract.ngo.city == purchaser.city
            assert contract.ngo.serves(purchaser)
            assert slot.contract is contract
            assert 0 < contract.price <= terms.rules["contract_value"] * (1 + 1e-12)
            seen["awards"] += 1
        return contract

    with (
        mock.patch.object(delivery, "deliver_services", deliver),
        mock.patch.object(tendering, "run_tender", run_tender),
    ):
        yield seen


def check_money(model: ContractingModel) -> None:
    r = model.records[-1]
    expected = (
        r.reserves_start
        + r.entry_reserves
        + r.gov_payments
        + r.cofunding
        + r.other_income
        - r.activities
        - r.overheads
        - r.wages
        - r.exit_reserves
    )
    terms = (
        r.reserves_start,
        r.entry_reserves,
        r.gov_payments,
        r.cofunding,
        r.other_income,
        r.activities,
        r.overheads,
        r.wages,
        r.exit_reserves,
    )
    scale = max(1.0, sum(abs(t) for t in terms))
    assert abs(r.reserves_end - expected) <= 1e-6 * scale, (r.reserves_end, expected)
    alive = [n for n in model.ngos if n.alive]
    assert math.isclose(sum(n.reserves for n in alive), r.reserves_end, rel_tol=1e-9, abs_tol=1e-3)
    assert all(n.reserves >= 0 for n in alive), "an insolvent NGO is still active"
    spent = sum(pu.spent for city in model.cities for pu in city.purchasers)
    assert abs(spent - r.gov_payments) <= 1e-6 * max(1.0, r.gov_payments)
    for value in (r.gov_payments, r.other_income, r.activities, r.overheads, r.wages):
        assert value >= 0


def check_contracts(model: ContractingModel) -> None:
    slots = [s for city in model.cities for pu in city.purchasers for s in pu.slots]
    assert len({id(s) for s in slots}) == len(slots), "a slot belongs to two purchasers"
    slot_of: dict[int, int] = {}
    for s in slots:
        c = s.contract
        if c is None:
            continue
        assert c.slot is s
        assert c.ngo.alive, "an exited NGO holds a contract"
        assert sum(x is c for x in c.ngo.contracts) == 1
        assert c.ngo.city == s.purchaser.city
        slot_of[id(c)] = slot_of.get(id(c), 0) + 1
    assert all(k == 1 for k in slot_of.values()), "a contract fills two slots"
    held = 0
    for n in model.ngos:
        if not n.alive:
            assert n.contracts == [], "an exited NGO holds a contract"
            assert n.exit_year is not None and n.exit_reason in ("insolvent", "closed")
            continue
        for c in n.contracts:
            assert c.ngo is n
            assert id(c) in slot_of, "a contract held by an NGO is in no slot"
            assert not c.terminated and c.end > model.year, "an ended contract is held"
            held += 1
    assert held == len(slot_of)
    active = [n for city in model.cities for n in city.ngos]
    assert all(n.alive for n in active)
    assert len({n.unique_id for n in active}) == len(active)
    assert {n.unique_id for n in active} == {n.unique_id for n in model.ngos if n.alive}


def check_counts(model: ContractingModel, seen: dict[str, Any]) -> None:
    r = model.records[-1]
    assert 0 <= r.failed <= r.tenders
    assert r.awards + r.failed == r.tenders
    assert r.awards == seen["awards"]
    assert 0 <= r.incumbent_lost <= r.with_incumbent <= r.awards
    assert 0 <= r.incumbent_defeats <= r.incumbent_tenders <= r.with_incumbent
    assert r.incumbent_defeats <= r.incumbent_lost
    assert 0 <= r.repeat_awards <= r.awards and 0 <= r.tied_awards <= r.awards
    assert 0 <= r.slots_served <= r.slots_funded
    assert 0 <= r.quits <= r.staff
    assert r.duty_refusals <= r.duty_orders
    assert 0 <= r.agency_providers <= r.agencies_delivering <= r.ngos_delivering
    assert r.agency_providers <= r.providers and r.active_agencies <= r.active_ngos
    assert r.active_agencies == sum(
        n.origin == "general" for city in model.cities for n in city.ngos
    )
    assert r.active_ngos == sum(len(city.ngos) for city in model.cities)
    assert 0 <= r.initial_alive <= r.initial_total
    assert math.isclose(r.hours_total, seen["hours"], rel_tol=1e-9, abs_tol=1e-6)
    assert r.entries == sum(n.entry_year == model.year for n in model.ngos)
    assert r.exits == sum(n.exit_year == model.year for n in model.ngos)


def check_bounds(values: dict[str, float], where: str) -> None:
    """Every outcome within the values its unit allows (:data:`UNIT_RANGES`: shares and
    indices in [0, 1], correlations and differences in [-1, 1], counts, money and ratios
    at least 0), up to rounding."""
    for name, outcome in OUTCOMES.items():
        v = values[name]
        if math.isnan(v):
            continue
        assert math.isfinite(v), f"{where}: {name} = {v}"
        lo, hi = UNIT_RANGES[outcome.unit]
        assert lo - ROUNDING <= v <= hi + ROUNDING, f"{where}: {name} = {v} not in [{lo}, {hi}]"


def test_every_unit_has_its_range() -> None:
    """Intervals are cut at the ends of an outcome's range and the bounds above are
    checked by unit: an outcome of a unit without a range would escape both."""
    assert {o.unit for o in OUTCOMES.values()} <= set(UNIT_RANGES)


# --------------------------------------------------------------------------- properties
@SETTINGS
@given(scenario=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_invariants_hold_every_year(scenario: Scenario, seed: int) -> None:
    note(scenario.to_toml())  # the scenario's repr leaves out its dated changes
    model = ContractingModel(scenario, rng=seed)
    check_contracts(model)
    with watched() as seen:
        while model.running:
            before = dict(seen)
            model.step()
            seen_this_year = {
                "awards": seen["awards"] - before["awards"],
                "hours": seen["hours"] - before["hours"],
            }
            check_money(model)
            check_contracts(model)
            check_counts(model, seen_this_year)
    assert len(model.records) == scenario["years"]
    assert len(model.series()) == scenario["years"]


@SETTINGS
@given(scenario=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_outcomes_stay_within_their_units(scenario: Scenario, seed: int) -> None:
    note(scenario.to_toml())  # the scenario's repr leaves out its dated changes
    model = ContractingModel(scenario, rng=seed).run()
    series = model.series()
    assert list(series.columns) == ["year", *OUTCOMES]
    assert series["year"].tolist() == list(range(1, scenario["years"] + 1))
    for row in series.to_dict("records"):
        check_bounds(row, f"year {row['year']}")
    check_bounds(model.summary(), "summary")


@settings(max_examples=15)
@given(scenario=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_same_seed_gives_identical_series(scenario: Scenario, seed: int) -> None:
    note(scenario.to_toml())  # the scenario's repr leaves out its dated changes
    first = ContractingModel(scenario, rng=seed).run()
    second = ContractingModel(scenario, rng=seed).run()
    pd.testing.assert_frame_equal(first.series(), second.series(), check_exact=True)
    a, b = first.summary(), second.summary()
    assert a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name] or (math.isnan(a[name]) and math.isnan(b[name])), name
    pd.testing.assert_frame_equal(first.ngo_table(), second.ngo_table(), check_exact=True)


@settings(max_examples=10)
@given(scenario=scenarios(), seed=st.integers(0, 2**32 - 1), cut=st.integers(0, 5))
def test_a_copied_or_pickled_model_runs_on_as_the_model(
    scenario: Scenario, seed: int, cut: int
) -> None:
    """A copy or a pickle taken after ``cut`` years (a checkpoint, or the start of a
    what-if branch) runs on to the same results as the model, and numbers the agents it
    creates after those it has."""
    note(scenario.to_toml())  # the scenario's repr leaves out its dated changes
    whole = ContractingModel(scenario, rng=seed).run()
    model = ContractingModel(scenario, rng=seed)
    for _ in range(min(cut, scenario["years"])):
        model.step()
    copies = [copy.deepcopy(model), pickle.loads(pickle.dumps(model))]
    for run_on in [model, *copies]:
        run_on.run()
        pd.testing.assert_frame_equal(run_on.series(), whole.series(), check_exact=True)
        pd.testing.assert_frame_equal(run_on.ngo_table(), whole.ngo_table(), check_exact=True)
        ids = [a.unique_id for a in run_on.agents]
        assert len(ids) == len(set(ids))


def test_copies_and_pickles_do_not_recurse_deeper_as_the_market_grows() -> None:
    """The links between agents, slots and contracts grow with the market and the years
    (copy and pickle followed them past Python's recursion limit in a 40-year
    ``guangzhou_ifsc`` run); a copy or a pickle needs the same small depth whatever the
    run, and still runs on to the model's results."""
    scenario = load_scenario("guangzhou_ifsc").replace(years=12)
    whole = ContractingModel(scenario, rng=5).run()
    model = ContractingModel(scenario, rng=5)
    for _ in range(8):
        model.step()
    assert len(model.agents) > 600
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + 100)
    try:
        copies = [copy.deepcopy(model), pickle.loads(pickle.dumps(model))]
    finally:
        sys.setrecursionlimit(limit)
    for run_on in [model, *copies]:
        run_on.run()
        pd.testing.assert_frame_equal(run_on.series(), whole.series(), check_exact=True)
        pd.testing.assert_frame_equal(run_on.ngo_table(), whole.ngo_table(), check_exact=True)


def test_a_mean_whose_beta_shape_underflows_draws_0(small: Scenario) -> None:
    """The registry allows any positive mean; one so small that ``concentration * mean``
    underflows to 0 (found by the property tests) draws 0, as the limit does."""
    tiny = 5e-324
    scenario = small.replace(
        advocacy_inclination=tiny,
        advocacy_concentration=0.5,
        burden_tolerance=tiny,
        tolerance_concentration=0.1,
    )
    model = ContractingModel(scenario, rng=0)
    ngos = [n for city in model.cities for n in city.ngos]
    assert ngos
    assert all(n.inclination == 0.0 and n.tolerance == 0.0 for n in ngos)
    model.run()


def test_bid_inflation_share_stays_within_its_unit(small: Scenario) -> None:
    """``bid_inflation`` is declared a share; the registry lets bids promise up to 3 times
    the required hours (``max_bid_inflation`` up to 2)."""
    scenario = small.replace(
        max_bid_inflation=2.0, workload_weight=1.0, price_weight=0.0, evaluation="workload"
    )
    model = ContractingModel(scenario, rng=1).run()
    for row in model.series().to_dict("records"):
        check_bounds(row, f"year {row['year']}")
    check_bounds(model.summary(), "summary")


def test_different_seeds_give_different_runs(small_run: Callable[..., ContractingModel]) -> None:
    a, b = small_run(seed=1).series(), small_run(seed=2).series()
    assert not a.equals(b)


def test_seed_alias_and_generator_give_the_same_run(small: Scenario) -> None:
    by_rng = ContractingModel(small, rng=5).run().series()
    by_seed = ContractingModel(small, seed=5).run().series()
    pd.testing.assert_frame_equal(by_rng, by_seed, check_exact=True)


def test_run_in_another_process_gives_the_same_series(
    small: Scenario, write_toml: Callable[..., Path], tmp_path: Path
) -> None:
    scenario = Scenario(
        dict(small),
        name="replay",
        changes=[{"year": 3, "tendering": "selective", "evaluation": "outcome"}],
    )
    path = write_toml(scenario.to_toml(), "replay.toml")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    command = [sys.executable, "-m", "simcontract.cli", "run", str(path)]
    command += ["--seed", "7", "--out", str(out)]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (csv,) = out.glob("*.csv")
    there = pd.read_csv(csv)
    here = ContractingModel(scenario, rng=7).run().series()
    assert len(there) == small["years"]
    pd.testing.assert_frame_equal(there, here, check_dtype=False, check_exact=True)


@pytest.mark.parametrize("mode", ["open", "selective", "intermediary", "direct"])
def test_each_tender_mode_runs_with_sound_books(small: Scenario, mode: str) -> None:
    model = ContractingModel(small.replace(tendering=mode, mass_org_tendering="same"), rng=4)
    with watched() as seen:
        while model.running:
            model.step()
            check_money(model)
            check_contracts(model)
    assert seen["awards"] > 0
    assert {pu.mode for city in model.cities for pu in city.purchasers} == {mode}
    if mode == "direct":
        assert model.series()["bid_inflation"].dropna().eq(0.0).all()
        assert model.series()["bids_per_tender"].dropna().le(1.0).all()


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_scenarios_run_with_sound_books(name: str) -> None:
    model = ContractingModel(name, rng=2, years=2)
    with watched():
        while model.running:
            model.step()
            check_money(model)
            check_contracts(model)
    check_bounds(model.summary(), f"{name} summary")
