"""The NGO state: NGO attributes kept in per-city arrays, with the agents as views."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simcontract import ContractingModel
from simcontract.agents import NGO, SECTORS, exit_ngos
from simcontract.batch import YearBatch, column
from simcontract.ngostate import COLUMNS, COUNTS, FIXED, HOURS, NGOState, Workforce
from simcontract.params import ORIGINS
from simcontract.phases import entry
from simcontract.scenario import Scenario

TINY = Scenario({"years": 6, "initial_ngos": 30, "n_bureaux": 6, "n_mass_orgs": 2}, name="tiny")
VIEWED = [name for name in COLUMNS if not name.startswith("hours_")]


def test_each_attribute_is_its_row_of_the_city_state() -> None:
    model = ContractingModel(TINY.replace(n_cities=2), rng=5).run()
    for city in model.cities:
        state = city.ngo_state
        ngos = [n for n in model.ngos if n.city == city.index]
        assert sorted(n.row for n in ngos) == list(range(state.size))
        for ngo in ngos:
            assert ngo.state is state
            for name in VIEWED:
                value = getattr(ngo, name)
                assert type(value) is float
                assert value == getattr(state, name)[ngo.row]
            assert ngo.hours == {u: getattr(state, f"hours_{u}")[ngo.row] for u in HOURS}
        # City.ngos is in creation order, so its rows ascend: arrays over the active
        # NGOs are in the same order as before.
        rows = city.ngo_rows()
        assert rows.tolist() == [n.row for n in city.ngos]
        assert np.all(np.diff(rows) > 0)
        for name in VIEWED:
            assert city.ngo_values(name).tolist() == column(city.ngos, name).tolist()


def test_setting_an_attribute_writes_only_that_ngos_row() -> None:
    model = ContractingModel(TINY, rng=2)
    model.step()
    city = model.cities[0]
    one, other = city.ngos[0], city.ngos[1]
    before = other.reserves
    one.reserves = 123.5
    one.hours = dict.fromkeys(HOURS, 2.0) | {"mission": 7.0}
    assert one.reserves == 123.5 and city.ngo_values("reserves")[0] == 123.5
    assert one.hours["mission"] == 7.0 and one.hours["service"] == 2.0
    assert other.reserves == before
    batch = YearBatch.of(city)
    batch.put("strain", np.arange(batch.size, dtype=float))
    assert [n.strain for n in city.ngos] == list(range(batch.size))
    assert batch.get("strain").tolist() == list(range(batch.size))


def test_a_growing_state_keeps_every_row() -> None:
    model = ContractingModel(TINY, rng=1)
    state = model.cities[0].ngo_state
    made = []
    for i in range(3 * len(state.skill)):  # past the initial room, twice
        made.append(
            NGO(
                model,
                "general",
                0,
                0,
                multi_district=False,
                sector=None,
                skill=i / 1000,
                dare=0.5,
                reserves=float(i),
                reputation=0.5,
                entry_year=1,
            )
        )
    assert [n.skill for n in made] == [i / 1000 for i in range(len(made))]
    assert [n.reserves for n in made] == [float(i) for i in range(len(made))]
    assert all(n.pay_level == COLUMNS["pay_level"] for n in made)
    assert state.size == len(model.ngos)


def test_exited_ngos_keep_their_last_values() -> None:
    model = ContractingModel(TINY.replace(years=12), rng=8).run()
    gone = [n for n in model.ngos if not n.alive]
    assert gone, "no NGO exited: the check would be empty"
    for ngo in gone:
        assert ngo not in model.cities[0].ngos
        assert ngo.reserves == model.cities[0].ngo_state.reserves[ngo.row]


def test_the_rows_follow_the_active_ngos() -> None:
    model = ContractingModel(TINY, rng=3)
    city = model.cities[0]
    for _ in range(4):
        model.step()
        assert city.ngo_rows().tolist() == [n.row for n in city.ngos]
    city.ngos.append(city.ngos[0])  # grown in place
    assert city.ngo_rows().tolist() == [n.row for n in city.ngos]


def test_a_copied_model_has_its_own_state() -> None:
    model = ContractingModel(TINY, rng=6)
    model.step()
    twin = copy.deepcopy(model)
    ngo = twin.cities[0].ngos[0]
    assert ngo.state is twin.cities[0].ngo_state
    assert ngo.reserves == model.cities[0].ngos[0].reserves
    ngo.reserves = -1.0
    assert model.cities[0].ngos[0].reserves != -1.0
    # The state alone pickles (a results folder or a worker may hold one).
    state = pickle.loads(pickle.dumps(model.cities[0].ngo_state))
    assert state.reserves.tolist() == model.cities[0].ngo_state.reserves.tolist()


def test_an_unknown_column_names_the_columns() -> None:
    with pytest.raises(AttributeError, match="no column 'wealth'; columns: skill, reserves"):
        _ = NGOState().wealth


@settings(max_examples=200, deadline=None)
@given(
    founders=st.lists(st.floats(0.0, 9.0), min_size=1, max_size=70),
    changes=st.lists(
        st.dictionaries(st.integers(0, 69), st.lists(st.floats(0.0, 9.0), max_size=9), max_size=40),
        max_size=4,
    ),
)
def test_the_workforce_keeps_each_ngos_workers_in_order(
    founders: list[float], changes: list[dict[int, list[float]]]
) -> None:
    """Against a plain list per NGO: founders hired, then any set of NGOs given new
    workers at once (in any order of rows, all or some of them), up to sizes beyond
    the workforce's first room of 64 workers."""
    workforce = Workforce()
    expected: dict[int, list[float]] = {}
    for row, years in enumerate(founders):
        workforce.hire_founder(row, years)
        expected[row] = [years]
    for change in changes:
        change = {row: years for row, years in change.items() if row < len(founders)}
        if not change:
            continue
        rows = np.array(list(change), np.intp)
        counts = np.array([len(y) for y in change.values()])
        years = np.array([x for y in change.values() for x in y])
        workforce.replace(rows, years, counts)
        expected.update(change)
        everyone = np.arange(len(founders))
        got, owner = workforce.of(everyone)
        assert got.tolist() == [x for row in everyone.tolist() for x in expected[row]]
        assert owner.tolist() == [i for i in everyone.tolist() for _ in expected[i]]
        assert workforce.counts(everyone).tolist() == [len(expected[r]) for r in everyone]
        some = rows[::-1]
        got, _ = workforce.of(some)
        assert got.tolist() == [x for row in some.tolist() for x in expected[row]]


def test_the_workforce_grows_past_its_room_and_shrinks_back_into_it() -> None:
    """Founders hired one at a time past the first 64 places, then many at once, every
    NGO then given more workers, then fewer: each NGO keeps exactly its own."""
    workforce, n = Workforce(), 140
    for row in range(70):
        workforce.hire_founder(row, float(row))
    workforce.hire_founders(np.arange(70, n), np.arange(70, n) + 0.5)
    everyone = np.arange(n)
    founders = [float(r) if r < 70 else r + 0.5 for r in range(n)]
    assert workforce.of(everyone)[0].tolist() == founders
    for size in (3, 1, 5, 0):
        counts = np.full(n, size)
        years = np.repeat(everyone * 10.0, size) + np.tile(np.arange(size), n)
        workforce.replace(everyone, years, counts)
        expected = [r * 10.0 + k for r in range(n) for k in range(size)]
        got, owner = workforce.of(everyone)
        assert got.tolist() == expected
        assert owner.tolist() == [r for r in range(n) for _ in range(size)]
    workforce.hire_founder(n, 7.0)
    assert workforce.of(np.array([n]))[0].tolist() == [7.0]
    assert workforce.counts(everyone).tolist() == [0] * n


def test_an_ngos_experience_reads_and_sets_its_workers() -> None:
    model = ContractingModel(TINY, rng=4)
    model.step()
    city = model.cities[0]
    one, other = city.ngos[0], city.ngos[1]
    keep = other.experience.tolist()
    one.experience = np.array([3.0, 1.0, 2.0])
    assert one.experience.tolist() == [3.0, 1.0, 2.0] and one.staff == 3
    assert other.experience.tolist() == keep
    one.experience[0] = 99.0  # a copy: the workforce is not changed behind its back
    assert one.experience.tolist() == [3.0, 1.0, 2.0]
    one.exit("closed")
    assert one.staff == 0 and one.experience.tolist() == []
    assert other.experience.tolist() == keep


def test_fixed_columns_hold_each_ngos_registration() -> None:
    model = ContractingModel(TINY.replace(years=4, multi_district_share=0.5), rng=8)
    model.run()
    for city in model.cities:
        everyone = list(model.agents_by_type[NGO])
        mine = [n for n in everyone if n.city == city.index]
        state, rows = city.ngo_state, NGOState.rows(mine)
        assert state.origin_code[rows].tolist() == [ORIGINS.index(n.origin) for n in mine]
        assert state.sector_code[rows].tolist() == [
            -1 if n.sector is None else SECTORS.index(n.sector) for n in mine
        ]
        assert state.district[rows].tolist() == [n.district for n in mine]
        assert state.citywide[rows].tolist() == [int(n.multi_district) for n in mine]
        assert state.uid[rows].tolist() == [n.unique_id for n in mine]
        assert state.entry_year[rows].tolist() == [n.entry_year for n in mine]
    assert len({n.sector for n in everyone}) > 1 and len({n.origin for n in everyone}) > 1
    assert len({n.entry_year for n in everyone}) > 1


def test_ngos_made_at_once_have_the_attributes_drawn_for_them() -> None:
    model = ContractingModel(TINY.replace(multi_district_share=0.5), rng=6)
    model.step()
    city = model.cities[0]
    rng = copy.deepcopy(city.rng)
    made = entry.new_ngos(city, model.rules, 40, initial=True)
    drawn = {k: v.tolist() for k, v in entry._draw_attributes(rng, model.rules, 40, True).items()}
    assert [ORIGINS.index(n.origin) for n in made] == drawn["origin"]
    assert [n.district for n in made] == drawn["district"]
    assert [n.multi_district for n in made] == drawn["multi"]
    for name in ("skill", "dare", "reserves", "reputation", "track_record", "tolerance"):
        assert [getattr(n, name) for n in made] == drawn[name]
    assert [n.inclination for n in made] == drawn["inclination"]
    assert [n.experience.tolist() for n in made] == [[e] for e in drawn["experience"]]
    assert made[-1].row == city.ngo_state.size - 1
    assert city.ngos[-40:] == made


def test_ngos_made_at_once_match_ngos_made_one_by_one() -> None:
    # The initial NGOs are made at once (entry.new_ngos fills their rows first).
    batch = ContractingModel(TINY.replace(multi_district_share=0.5), rng=4).cities[0]
    single = ContractingModel(TINY.replace(initial_ngos=0), rng=4)
    for n in batch.ngos:
        NGO(
            single,
            n.origin,
            0,
            n.district,
            multi_district=n.multi_district,
            sector=n.sector,
            skill=n.skill,
            dare=n.dare,
            reserves=n.reserves,
            reputation=n.reputation,
            entry_year=n.entry_year,
            tolerance=n.tolerance,
            inclination=n.inclination,
            founder_experience=float(n.experience[0]),
            track_record=n.track_record,
        )
    a, b = batch.ngo_state, single.cities[0].ngo_state
    assert a.size == b.size == len(batch.ngos)
    for name in [*COLUMNS, *COUNTS, *FIXED]:
        if name != "uid":  # other agents were made first in the second model
            assert getattr(a, name)[: a.size].tolist() == getattr(b, name)[: b.size].tolist()
    rows = np.arange(a.size)
    assert a.workforce.of(rows)[0].tolist() == b.workforce.of(rows)[0].tolist()
    assert a.workforce.counts(rows).tolist() == [1] * a.size


def test_place_lookups_follow_the_active_ngos() -> None:
    model = ContractingModel(TINY.replace(multi_district_share=0.5, years=3), rng=9)

    def expected() -> tuple[dict[int, list[NGO]], list[NGO]]:
        local: dict[int, list[NGO]] = {}
        for n in city.ngos:
            if not n.multi_district:
                local.setdefault(n.district, []).append(n)
        return local, [n for n in city.ngos if n.multi_district]

    city = model.cities[0]
    for built in (True, False, True):
        model.step()  # NGOs exit and enter
        if built:
            assert (city.by_district, city.citywide) == expected()
        made = entry.new_ngos(city, model.rules, 6, initial=False)
        city.index_entrants(made)  # added to the lookups if built, else read when built
        assert (city.by_district, city.citywide) == expected()


def test_ngos_exiting_together_match_ngos_exiting_one_by_one() -> None:
    """``exit_ngos`` lays off the workers of all of them at once: the same workforce,
    slots and exit records as each NGO leaving in turn, and their staff returned."""
    model = ContractingModel(TINY, rng=5)
    for _ in range(3):
        model.step()
    twin = copy.deepcopy(model)
    picks = [0, 3, 4, 9]
    together = [model.cities[0].ngos[i] for i in picks]
    one_by_one = [twin.cities[0].ngos[i] for i in picks]
    staff = sum(n.staff for n in together)
    assert staff > 0 and any(n.contracts for n in together)
    assert exit_ngos(together, "closed") == staff
    for ngo in one_by_one:
        ngo.exit("closed")
    mine, theirs = model.cities[0], twin.cities[0]
    everyone = np.arange(mine.ngo_state.size)
    assert mine.ngo_state.workforce.of(everyone)[0].tolist() == (
        theirs.ngo_state.workforce.of(everyone)[0].tolist()
    )
    assert [n.staff for n in together] == [0] * len(picks)
    for a, b in zip(mine.ngos, theirs.ngos, strict=True):
        assert (a.alive, a.exit_year, a.exit_reason, len(a.contracts)) == (
            b.alive,
            b.exit_year,
            b.exit_reason,
            len(b.contracts),
        )
    slots = [(s.contract is None, s.last_terminated) for p in mine.purchasers for s in p.slots]
    assert slots == [
        (s.contract is None, s.last_terminated) for p in theirs.purchasers for s in p.slots
    ]
    assert exit_ngos([], "closed") == 0


def test_the_alive_mask_follows_exits() -> None:
    model = ContractingModel(TINY, rng=6)
    model.step()
    city = model.cities[0]
    assert city.alive(city.ngos).all()
    city.ngos[2].exit("insolvent")
    assert city.alive(city.ngos).tolist() == [n.alive for n in city.ngos]
    assert not city.alive(city.ngos)[2]
    some = city.ngos[1:4]
    assert city.alive(some).tolist() == [True, False, True]
    model.step()  # the close of the year drops the exited
    assert city.alive(city.ngos).all() and all(n.alive for n in city.ngos)
