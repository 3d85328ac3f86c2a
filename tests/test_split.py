"""Cities as independent streams, and one run split over several processes."""

from __future__ import annotations

import concurrent.futures as cf
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simcontract import ContractingModel, Scenario
from simcontract.cli import main
from simcontract.experiment.split import city_groups, run_split
from simcontract.outcomes import OUTCOMES


@pytest.fixture
def cities(small: Scenario) -> Scenario:
    """Three small cities for five years."""
    return small.replace(n_cities=3, years=5)


def assert_same_outcomes(a: dict[str, float], b: dict[str, float]) -> None:
    """The same values to the last digit (NaN where undefined)."""
    for name in OUTCOMES:
        if math.isnan(a[name]):
            assert math.isnan(b[name]), name
        else:
            assert b[name] == a[name], name


def test_a_city_runs_the_same_whichever_cities_run_beside_it(cities: Scenario) -> None:
    alone = ContractingModel(cities, rng=5, cities=[1]).run()
    together = ContractingModel(cities, rng=5).run()
    first, second = alone.city(1), together.city(1)
    assert [n.reserves for n in first.ngos] == [n.reserves for n in second.ngos]
    assert [len(n.contracts) for n in first.ngos] == [len(n.contracts) for n in second.ngos]
    assert len(alone.cities) == 1 and [c.index for c in together.cities] == [0, 1, 2]


def test_cities_draw_from_different_streams(cities: Scenario) -> None:
    model = ContractingModel(cities, rng=5)
    reserves = [sorted(n.reserves for n in c.ngos) for c in model.cities]
    assert reserves[0] != reserves[1] != reserves[2]


@pytest.mark.parametrize(("workers", "per_task"), [(2, 1), (3, 1), (2, 2), (1, 2)])
def test_a_split_run_gives_the_results_of_one_process(
    cities: Scenario, workers: int, per_task: int
) -> None:
    whole = ContractingModel(cities, rng=8).run()
    split = run_split(cities, 8, workers=workers, cities_per_task=per_task)
    assert split.workers == min(workers, len(city_groups(3, per_task)))
    assert_same_outcomes(whole.summary(), split.summary())
    pd.testing.assert_frame_equal(split.series(), whole.series(), check_exact=True)


def test_one_worker_runs_the_model_in_this_process(cities: Scenario) -> None:
    whole = ContractingModel(cities, rng=2).run()
    split = run_split(cities, 2, workers=1)
    assert split.summary() == pytest.approx(whole.summary(), nan_ok=True, rel=0, abs=0)


def test_city_groups_cover_every_city_once_in_order() -> None:
    for n in range(1, 12):
        for size in range(1, 6):
            groups = city_groups(n, size)
            assert [c for group in groups for c in group] == list(range(n))
            assert all(1 <= len(g) <= size for g in groups)
            assert len(groups) == -(-n // size)


@pytest.mark.parametrize("bad", [{"workers": 0}, {"cities_per_task": 0}])
def test_run_split_refuses_fewer_than_one(cities: Scenario, bad: dict[str, int]) -> None:
    with pytest.raises(ValueError, match=f"{next(iter(bad))} must be an integer >= 1, got 0"):
        run_split(cities, 1, **bad)


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_counts_every_city_year(
    cities: Scenario, workers: int, capsys: pytest.CaptureFixture[str]
) -> None:
    run_split(cities, 3, workers=workers, cities_per_task=1, progress=True)
    err = capsys.readouterr().err
    assert "15/15" in err and "city-year" in err  # three cities for five years


def test_a_split_run_on_an_executor_gives_the_same_results(cities: Scenario) -> None:
    whole = ContractingModel(cities, rng=8).run()
    with cf.ThreadPoolExecutor(max_workers=2) as executor:
        split = run_split(cities, 8, executor=executor, cities_per_task=1)
    assert split.workers == 2
    assert_same_outcomes(whole.summary(), split.summary())


@pytest.mark.parametrize("bad", [[3], [-1], [0, 0]])
def test_bad_city_indices_are_refused(cities: Scenario, bad: list[int]) -> None:
    with pytest.raises(ValueError, match="cities"):
        ContractingModel(cities, rng=1, cities=bad)


def test_model_city_looks_up_by_index(cities: Scenario) -> None:
    model = ContractingModel(cities, rng=1, cities=[2])
    assert model.city(2) is model.cities[0]
    with pytest.raises(KeyError, match="city 0"):
        model.city(0)


def test_cli_run_with_workers_writes_the_same_series(
    cities: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "three.toml"
    path.write_text(cities.to_toml(), encoding="utf-8")
    tables = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}"
        argv = ["run", str(path), "--seed", "4", "--workers", workers, "--out", str(out)]
        assert main(argv) == 0, capsys.readouterr().err
        (csv,) = out.glob("*.csv")
        tables.append(pd.read_csv(csv))
    pd.testing.assert_frame_equal(tables[0], tables[1], rtol=1e-9)


def test_city_streams_are_the_spawned_children_of_the_seed() -> None:
    model = ContractingModel("baseline", rng=7)
    spawned = np.random.default_rng(7).spawn(3)
    for index, child in enumerate(spawned):
        assert model._city_stream(index).random(4).tolist() == child.random(4).tolist()
