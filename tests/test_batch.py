"""The year's vectorised submodels: the batch of NGOs and contracts, and settlement."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simcontract import ContractingModel, Scenario
from simcontract.batch import YearBatch, column
from simcontract.outcomes import YearRecord
from simcontract.params import DEFAULTS
from simcontract.phases import delivery, money, workforce
from simcontract.scenario import Rules


def stepped(small: Scenario, years: int = 3) -> ContractingModel:
    model = ContractingModel(small, rng=4)
    for _ in range(years):
        model.step()
    return model


def test_batch_maps_each_contract_to_its_ngo(small: Scenario) -> None:
    model = stepped(small)
    city = model.cities[0]
    ngos = city.ngos
    batch = YearBatch.of(city)
    assert batch.ngos == ngos and batch.rng is city.rng
    assert batch.size == len(ngos)
    assert len(batch.contracts) == sum(len(n.contracts) for n in ngos) > 0
    for c, i in zip(batch.contracts, batch.owner.tolist(), strict=True):
        assert c.ngo is ngos[i]
    assert batch.held().tolist() == [len(n.contracts) for n in ngos]
    prices = column(batch.contracts, "price")
    assert np.allclose(batch.per_ngo(prices), [sum(c.price for c in n.contracts) for n in ngos])
    experience, owner = batch.workers()
    assert len(experience) == sum(n.staff for n in ngos)
    for i, n in enumerate(ngos):
        assert experience[owner == i].tolist() == n.experience.tolist()


def test_contract_terms_are_read_once_a_year_and_cannot_be_changed(small: Scenario) -> None:
    model = stepped(small)
    batch = YearBatch.of(model.cities[0])
    for name in ("price", "promised_hours", "required_hours"):
        values = batch.term(name)
        assert values.tolist() == [getattr(c, name) for c in batch.contracts]
        assert batch.term(name) is values
        with pytest.raises(ValueError, match="read-only"):
            values[0] = 0.0
    with pytest.raises(ValueError, match="'staff' is not a contract term; terms: price"):
        batch.term("staff")


class FixedIncome:
    """Stands in for the city's generator: other income draws are all ``value``."""

    def __init__(self, value: float) -> None:
        self.value = value

    def lognormal(self, mean: float, sigma: float, size: int) -> np.ndarray:
        return np.full(size, self.value)


@settings(max_examples=200, deadline=None)
@given(
    staff=st.integers(1, 40),
    share=st.floats(0.6, 1.0),
    draw=st.floats(0.2, 3.0),
    wage=st.floats(1e3, 2e5),
)
def test_an_ngo_that_cuts_pay_to_balance_its_books_stays_solvent(
    staff: int, share: float, draw: float, wage: float
) -> None:
    """Reserves set so that paying ``share`` of the wage bill spends every yuan: the NGO
    pays that share, ends at 0 (up to rounding) and stays solvent, however the sums
    round."""
    small = Scenario({"years": 2, "initial_ngos": 20}, name="tiny")
    model = stepped(small, years=1)
    ngo = next(n for n in model.cities[0].ngos if not n.contracts)
    ngo.experience = np.zeros(staff)
    p = Rules({**DEFAULTS, **dict(small), "wage": wage}, 1)
    city: Any = SimpleNamespace(rng=FixedIncome(draw))
    city.batch = batch = YearBatch.of(city, [ngo])
    batch.staff = np.array([staff])
    other = p["other_income"] * money.other_income_factors(p)[ngo.origin] * draw
    ngo.reserves = share * staff * wage + p["lean_overhead"] * p["overhead"] - other
    money.settle_accounts(city, p, YearRecord(year=1))
    assert ngo.alive
    assert ngo.pay_level == pytest.approx(share)
    assert 0.0 <= ngo.reserves <= 1e-6


def test_documentation_needs_count_each_evaluation_system_an_ngo_faces(small: Scenario) -> None:
    """Each contract needs its evaluator's documentation, times ``1 + h * (overhead * (k -
    1) + learning * u) + record_keeping * pressure`` for an NGO facing ``k`` different
    evaluators, ``u`` how new the evaluator's system is to it; checked contract by
    contract."""
    h = 0.8
    model = ContractingModel(
        small, rng=2, n_evaluators=3, evaluator_heterogeneity=h, multi_district_share=0.8
    )
    for _ in range(3):
        model.step()
    city = model.cities[0]
    batch = YearBatch.of(city)
    needs = delivery.documentation_needs(batch, model.p)
    which = batch.evaluator()
    p = model.p
    faced, learning = [], []
    for c, need, k in zip(batch.contracts, needs.tolist(), which.tolist(), strict=True):
        evaluator = city.district_evaluator[c.slot.purchaser.district]
        assert city.evaluators[k] is evaluator
        systems = len(
            {id(city.district_evaluator[o.slot.purchaser.district]) for o in c.ngo.contracts}
        )
        faced.append(systems)
        years = c.ngo.systems.get(evaluator.unique_id, 0)
        u = math.exp(-years / p["indicator_learning_scale"]) if evaluator.switched_in else 0.0
        learning.append(u)
        factor = (
            1.0
            + h * (p["multi_system_overhead"] * (systems - 1) + p["indicator_learning_cost"] * u)
            + p["workload_record_keeping"] * evaluator.workload_pressure
        )
        expected = c.required_hours * model.p["documentation_base"] * evaluator.doc_intensity
        assert need == pytest.approx(expected * factor)
    assert max(faced) >= 2, "no NGO faced two evaluators: the test checks nothing"
    assert max(learning) > 0.0 and min(learning) < 1.0, "no system was new, or all were"


def test_contracts_ending_this_year_are_over_or_terminated(small: Scenario) -> None:
    model = stepped(small, years=2)
    batch = YearBatch.of(model.cities[0])
    batch.contracts[0].terminated = True
    ending = batch.ending(model.year)
    expected = [c.end <= model.year or c.terminated for c in batch.contracts]
    assert ending.tolist() == expected
    assert ending[0] and not all(expected)


def test_staffing_hires_newcomers_and_lays_off_the_least_experienced(small: Scenario) -> None:
    """Each NGO ends with one director plus its contracts' staff: hires join with no
    experience after those already there; layoffs keep the most experienced, in order."""
    model = stepped(small, years=3)
    p = model.p
    city = model.cities[0]
    city.batch = batch = YearBatch.of(city)
    draws = np.random.default_rng(0)
    before = {}
    for ngo in batch.ngos:
        ngo.experience = draws.uniform(0.0, 9.0, int(draws.integers(0, 9)))
        before[ngo.unique_id] = ngo.experience.copy()
    workforce.staff_contracts(city, p, YearRecord(year=model.year))
    grew = shrank = 0
    for ngo, staffed in zip(batch.ngos, batch.staff.tolist(), strict=True):
        need = [
            max(
                1,
                min(
                    math.ceil(p["staff_per_contract"] * c.promised_hours / c.required_hours),
                    math.floor((1.0 - p["activity_share"]) * c.price / p["wage"]),
                ),
            )
            for c in ngo.contracts
        ]
        assert [c.staff for c in ngo.contracts] == need
        wanted = workforce.CORE_STAFF + sum(need)
        old = before[ngo.unique_id]
        if wanted >= len(old):
            expected = [*old.tolist(), *[0.0] * (wanted - len(old))]
            grew += wanted > len(old)
        else:
            expected = sorted(old.tolist())[len(old) - wanted :]
            shrank += 1
        assert staffed == wanted == ngo.staff
        assert ngo.experience.tolist() == expected
    assert grew and shrank, "the draws did not exercise both hiring and layoffs"
    experience, owner = batch.workers()
    assert experience.tolist() == [x for n in batch.ngos for x in n.experience.tolist()]
    assert owner.tolist() == [i for i, n in enumerate(batch.ngos) for _ in range(n.staff)]
