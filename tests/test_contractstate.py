"""The contracts' state: one row per contract a city signed, the contracts views on it."""

from __future__ import annotations

import copy
import math
import pickle

import numpy as np
import pytest

from simcontract import ContractingModel, Scenario
from simcontract.agents import Contract, Slot
from simcontract.batch import YearBatch
from simcontract.contractstate import ContractState
from simcontract.phases.delivery import FIT_KINDS, fit_kind


@pytest.fixture
def market(small: Scenario) -> ContractingModel:
    """The small market after three years."""
    model = ContractingModel(small, rng=5)
    for _ in range(3):
        model.step()
    return model


def test_each_contract_attribute_is_its_row_of_the_city_state(market: ContractingModel) -> None:
    model = market
    city = model.cities[0]
    contracts = [c for n in city.ngos for c in n.contracts]
    assert contracts
    state = city.ngo_state.contracts
    assert len({c.row for c in contracts}) == len(contracts)
    for c in contracts:
        assert c.state is state
        for name in ContractState.LAYOUT:
            if hasattr(Contract, name):
                assert getattr(c, name) == getattr(state, name)[c.row] or math.isnan(
                    getattr(c, name)
                )
        assert type(c.price) is float and type(c.end) is int and type(c.tied) is bool


def test_setting_an_attribute_writes_only_that_contracts_row(market: ContractingModel) -> None:
    model = market
    contracts = [c for n in model.cities[0].ngos for c in n.contracts]
    first, others = contracts[0], contracts[1:]
    before = [(c.quality, c.staff, c.terminated) for c in others]
    first.quality, first.staff, first.terminated = 0.25, 7, True
    assert (first.quality, first.staff, first.terminated) == (0.25, 7, True)
    assert [(c.quality, c.staff, c.terminated) for c in others] == before


def test_a_new_contract_starts_with_its_terms_and_nothing_delivered(small: Scenario) -> None:
    model = ContractingModel(small, rng=2)
    ngo = model.cities[0].ngos[0]
    purchaser = model.cities[0].purchasers[0]
    contract = Contract(Slot(purchaser), ngo, 1000.0, 3, 5, 900.0, 800.0, True)
    assert (contract.price, contract.start, contract.end) == (1000.0, 3, 5)
    assert (contract.promised_hours, contract.required_hours, contract.tied) == (900.0, 800.0, True)
    assert (contract.staff, contract.delivered_hours, contract.terminated) == (0, 0.0, False)
    assert math.isnan(contract.quality) and math.isnan(contract.score)
    assert contract.purchaser is purchaser
    assert contract.state.district[contract.row] == purchaser.district
    assert "Contract(ngo=" in repr(contract)


def test_a_growing_contract_state_keeps_every_row() -> None:
    state = ContractState(capacity=2)
    rows = []
    for k in range(100):
        row = state.new_row()
        state.price[row] = float(k)
        state.end[row] = k
        rows.append(row)
    assert rows == list(range(100)) and state.size == 100 <= state.capacity
    assert state.price[:100].tolist() == [float(k) for k in range(100)]
    assert state.end[:100].tolist() == list(range(100))
    assert not state.terminated[:100].any() and np.isnan(state.quality[:100]).all()
    assert (state.fit_kind[:100] == -1).all()


def test_an_unknown_contract_column_names_the_columns() -> None:
    with pytest.raises(AttributeError, match="contract state has no column 'cost'; columns: price"):
        _ = ContractState().cost


def test_a_copied_model_has_its_own_contracts(market: ContractingModel) -> None:
    model = market
    twin = copy.deepcopy(model)
    original = next(c for n in model.cities[0].ngos for c in n.contracts)
    copied = next(c for n in twin.cities[0].ngos for c in n.contracts)
    assert copied.state is twin.cities[0].ngo_state.contracts
    assert copied.price == original.price
    copied.price = -1.0
    assert original.price != -1.0
    state = pickle.loads(pickle.dumps(model.cities[0].ngo_state.contracts))
    assert state.price.tolist() == model.cities[0].ngo_state.contracts.price.tolist()


def test_a_years_values_are_written_for_every_contract_at_once(market: ContractingModel) -> None:
    model = market
    batch = YearBatch.of(model.cities[0])
    staff = np.arange(len(batch.contracts)) + 1
    batch.put_contracts("staff", staff)
    assert [c.staff for c in batch.contracts] == staff.tolist()
    values = batch.contract_values("staff")
    values[:] = 0  # a copy: the contracts keep theirs
    assert [c.staff for c in batch.contracts] == staff.tolist()


def test_why_a_provider_fits_its_users_is_found_once_and_kept(market: ContractingModel) -> None:
    model = market
    contracts = [c for n in model.cities[0].ngos for c in n.contracts]
    # Every contract delivered at least once has its kind, the one its parties give.
    for c in contracts:
        kept = int(c.state.fit_kind[c.row])
        assert kept == fit_kind(c) and 0 <= kept < len(FIT_KINDS)
