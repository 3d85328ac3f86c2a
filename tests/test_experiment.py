"""Batch runner: designs, seeds, executors, storage, resume, summaries, Mesa batch_run."""

from __future__ import annotations

import ast
import concurrent.futures as cf
import inspect
import itertools
import json
import logging
import math
import re
import subprocess
import sys
import threading
import warnings
from typing import Any

import mesa
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from pandas.testing import assert_frame_equal

from simcontract import (
    OUTCOMES,
    PARAMETERS,
    ContractingModel,
    DesignError,
    ExperimentError,
    Grid,
    LatinHypercube,
    Morris,
    Scenario,
    Sobol,
    compare,
    i18n,
    load_results,
    load_scenario,
    sweep,
)
from simcontract.cli import main
from simcontract.experiment import codebook, plan, run_seed, storage
from simcontract.experiment.designs import from_description
from simcontract.scenario import ScenarioWarning

TINY: dict[str, Any] = {"years": 5, "initial_ngos": 20, "n_bureaux": 6, "n_mass_orgs": 1}
"""A market small enough for a run to take a few hundredths of a second."""

GRID = {"favouritism": [0.1, 0.6], "tendering": ["open", "direct"]}


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return Scenario(TINY, name="tiny", description="Tiny market for batch tests.")


@pytest.fixture(scope="module")
def serial(tiny: Scenario):
    """The reference batch: the grid run in this process, series kept."""
    return sweep(tiny, GRID, replications=3, seed=5, workers=1, series=True)


@pytest.fixture(scope="module")
def cluster():
    """A local Dask cluster of two worker processes."""
    import distributed

    for name in ("distributed", "tornado", "asyncio"):
        logging.getLogger(name).setLevel(logging.ERROR)
    with (
        distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
            memory_limit=0,
        ) as local,
        distributed.Client(local) as client,
    ):
        client.wait_for_workers(2, timeout=60)  # fail, not hang, if workers cannot start
        yield local


# --------------------------------------------------------------------------- seeds
def test_run_seed_follows_seed_sequence_and_differs_by_replication() -> None:
    seeds = [run_seed(7, r) for r in range(400)]
    assert len(set(seeds)) == 400
    assert all(0 <= s < 2**63 for s in seeds)
    state = np.random.SeedSequence(7, spawn_key=(4,)).generate_state(1, dtype=np.uint64)
    assert run_seed(7, 4) == int(state[0]) >> 1
    assert run_seed(7, 4) != run_seed(8, 4)


def test_a_replication_has_the_same_seed_at_every_point(serial, tiny: Scenario) -> None:
    runs = serial.runs
    by_replication = runs.groupby("replication")["seed"]
    assert (by_replication.nunique() == 1).all()
    assert by_replication.first().tolist() == [run_seed(5, r) for r in range(3)]
    # Common random numbers: two points with the same parameters give the same runs.
    twins = compare([tiny, tiny.replace(name="twin")], replications=3, seed=2, workers=1)
    first, second = (twins.runs[twins.runs["point"] == p].reset_index(drop=True) for p in (0, 1))
    assert_frame_equal(first[list(OUTCOMES)], second[list(OUTCOMES)])


def test_stored_seed_reproduces_a_run_alone(serial, tiny: Scenario) -> None:
    runs = serial.runs
    assert list(runs[["point", "replication"]].itertuples(index=False, name=None)) == list(
        itertools.product(range(4), range(3))
    )
    row = runs.iloc[7]
    assert row["seed"] == run_seed(5, row["replication"])
    scenario = tiny.replace(favouritism=row["favouritism"], tendering=row["tendering"])
    alone = ContractingModel(scenario, rng=int(row["seed"])).run()
    summary = alone.summary()
    for name in OUTCOMES:
        assert row[name] == pytest.approx(summary[name], nan_ok=True, rel=0, abs=0)
    series = serial.series
    mine = series[(series["point"] == row["point"]) & (series["replication"] == 1)]
    assert_frame_equal(
        mine[["year", *OUTCOMES]].reset_index(drop=True),
        alone.series()[["year", *OUTCOMES]],
        check_dtype=False,
    )


def test_runs_table_columns(serial) -> None:
    runs = serial.runs
    assert list(runs.columns) == [
        *storage.ID_COLUMNS,
        *PARAMETERS,
        *OUTCOMES,
    ]
    assert len(runs) == 12
    assert (runs["scenario"] == "tiny").all()
    assert runs["years"].dtype == np.int64
    assert len(serial.series) == 12 * TINY["years"]


# --------------------------------------------------------------------------- executors
def test_same_runs_serial_pool_and_dask(serial, tiny: Scenario, cluster, tmp_path) -> None:
    pool = sweep(tiny, GRID, replications=3, seed=5, workers=2, series=True, out=tmp_path / "pool")
    from distributed import Client

    with Client(cluster) as client:
        dask = sweep(
            tiny,
            GRID,
            replications=3,
            seed=5,
            series=True,
            executor=client.get_executor(),
            chunk_size=2,
        )
    for other in (pool, dask):
        assert_frame_equal(other.runs, serial.runs)
        assert_frame_equal(other.series, serial.series)


def test_cli_sweep_on_a_dask_scheduler(cluster, tmp_path, capsys) -> None:
    out = tmp_path / "dask"
    argv = ["sweep", "baseline", "--grid", "favouritism=0.1,0.6", "--replications", "2"]
    argv += [f"--set={k}={v}" for k, v in TINY.items()]
    assert main([*argv, "--scheduler", cluster.scheduler_address, "--out", str(out)]) == 0
    assert "results written to" in capsys.readouterr().out
    base = load_scenario("baseline").replace(**TINY)
    local = sweep(base, {"favouritism": [0.1, 0.6]}, replications=2, workers=1)
    assert_frame_equal(load_results(out).runs, local.runs)


class _CountingExecutor(cf.ThreadPoolExecutor):
    """A thread pool that records the most chunks ever in flight."""

    def __init__(self) -> None:
        super().__init__(max_workers=2)
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most = 0

    def submit(self, fn, /, *args, **kwargs):
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future) -> None:
        with self.lock:
            self.in_flight -= 1


def test_any_executor_with_bounded_chunks_in_flight(serial, tiny: Scenario, tmp_path) -> None:
    with _CountingExecutor() as executor:
        res = sweep(
            tiny,
            GRID,
            replications=3,
            seed=5,
            series=True,
            executor=executor,
            chunk_size=1,
            out=tmp_path / "threads",
        )
    assert executor.most <= 4  # twice the executor's two workers
    assert len(storage.parts(tmp_path / "threads" / "runs")) == 12  # one part per chunk
    assert_frame_equal(res.runs, serial.runs)


# --------------------------------------------------------------------------- designs
def test_grid_is_the_full_product_in_order() -> None:
    grid = Grid({"contract_years": [1, 3.0, 5], "tendering": ["open", "direct"], "years": 4})
    points = grid.points()
    assert len(grid) == len(points) == 6
    assert points[0] == {"contract_years": 1, "tendering": "open", "years": 4}
    assert points[1] == {"contract_years": 1, "tendering": "direct", "years": 4}
    assert [p["contract_years"] for p in points] == [1, 1, 3, 3, 5, 5]
    assert all(type(p["contract_years"]) is int for p in points)
    assert from_description(json.loads(json.dumps(grid.describe()))) == grid


def test_plain_dict_is_a_grid(tiny: Scenario) -> None:
    res = sweep(tiny, {"contract_years": [1, 2]}, replications=1, workers=1)
    assert res.design == Grid({"contract_years": [1, 2]})
    assert list(res.runs["contract_years"]) == [1, 2]


def test_latin_hypercube_is_stratified_within_bounds() -> None:
    n = 40
    lhs = LatinHypercube(n, {"favouritism": (0.2, 0.6), "contract_years": None, "wage": None})
    points = lhs.points()
    assert len(points) == n
    fav = np.array([p["favouritism"] for p in points])
    assert ((fav >= 0.2) & (fav < 0.6)).all()
    assert sorted(np.floor((fav - 0.2) / 0.4 * n).astype(int)) == list(range(n))
    years = [p["contract_years"] for p in points]
    assert all(type(y) is int for y in years)
    low, high = PARAMETERS["contract_years"].low, PARAMETERS["contract_years"].high
    assert min(years) >= low and max(years) <= high
    assert set(years) == set(range(int(low), int(high) + 1))  # 40 draws over 10 values
    wage = np.array([p["wage"] for p in points])
    assert wage.min() >= PARAMETERS["wage"].low and wage.max() <= PARAMETERS["wage"].high
    assert (
        LatinHypercube(n, ["favouritism"], seed=1).points()
        != LatinHypercube(n, ["favouritism"], seed=2).points()
    )
    assert from_description(lhs.describe()).points() == points


def test_latin_hypercube_is_scipys() -> None:
    from scipy.stats import qmc

    lhs = LatinHypercube(6, {"favouritism": (0.2, 0.6), "tie_density": None}, seed=3)
    keyword = "rng" if "rng" in inspect.signature(qmc.LatinHypercube).parameters else "seed"
    unit = qmc.LatinHypercube(2, **{keyword: np.random.default_rng(3)}).random(6)
    high = PARAMETERS["tie_density"].high
    expected = qmc.scale(unit, [0.2, PARAMETERS["tie_density"].low], [0.6, high])
    assert np.array_equal(lhs.matrix(), expected)


def test_sobol_n_not_a_power_of_two_is_refused_but_a_stored_one_still_reads() -> None:
    allowed = r"n must be a power of 2 \(1, 2, 4, 8, 16, 32, …\), got 6"
    with pytest.raises(ValueError, match=allowed):
        Sobol(6, ["favouritism", "tie_density"])
    with pytest.raises(DesignError, match="use n = 4 or 8"):
        Sobol(6, ["favouritism"])
    described = {**Sobol(8, ["favouritism", "tie_density"]).describe(), "n": 6}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Sobol(8, ["favouritism"]).points()
        design = from_description(described)  # results of an earlier version
        assert len(design.points()) == 6 * 6
    assert design.describe() == described


def test_salib_warnings_other_than_the_power_of_two_reach_the_user(monkeypatch) -> None:
    from SALib.sample import sobol

    def warns(*args, **kwargs):
        warnings.warn("something else", UserWarning, stacklevel=1)
        return np.full((8 * 3, 1), 0.5)

    monkeypatch.setattr(sobol, "sample", warns)
    with pytest.warns(UserWarning, match="something else"):
        Sobol(8, ["favouritism"]).points()


@pytest.mark.parametrize(
    "second_order, per", [(True, lambda d: 2 * d + 2), (False, lambda d: d + 2)]
)
def test_sobol_size(second_order: bool, per) -> None:
    design = Sobol(8, ["favouritism", "contract_years", "tie_density"], second_order=second_order)
    points = design.points()
    assert len(points) == 8 * per(3)
    assert all(type(p["contract_years"]) is int for p in points)
    assert all(0 <= p["favouritism"] <= 1 for p in points)


def test_morris_size() -> None:
    design = Morris(5, {"favouritism": None, "contract_years": (2, 6), "tie_density": (0, 0.5)})
    points = design.points()
    assert len(points) == 5 * (3 + 1)
    assert {p["contract_years"] for p in points} <= set(range(2, 7))
    assert all(type(p["contract_years"]) is int for p in points)
    assert from_description(design.describe()) == design


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Grid({"favoritism": [0.1]}), "did you mean 'favouritism'"),
        (lambda: Grid({"favouritism": []}), "no values"),
        (lambda: Grid({"favouritism": [1.5]}), "out of range"),
        (lambda: Grid({"contract_years": [2.5]}), "not an integer"),
        (lambda: Grid({}), "at least one parameter"),
        (lambda: LatinHypercube(0, ["favouritism"]), "positive integer"),
        (lambda: Sobol(-2, ["favouritism"]), "positive integer"),
        (lambda: Morris(2.5, ["favouritism"]), "positive integer"),
        (lambda: LatinHypercube(4, {"favouritism": (0.5, 0.5)}), "empty"),
        (lambda: LatinHypercube(4, {"favouritism": (-0.1, 0.5)}), "allowed range"),
        (lambda: Sobol(4, ["tendering"]), "grid"),
        (lambda: Morris(4, {"favouritism": ("a", "b")}), "two numbers"),
        (lambda: LatinHypercube(4, []), "at least one parameter"),
        (lambda: Morris(4, ["favouritism"], levels=3), "even"),
    ],
)
def test_bad_designs_raise_design_error(make, message: str) -> None:
    with pytest.raises(DesignError, match=message):
        make()


def test_invalid_point_is_a_design_error(tiny: Scenario, tmp_path) -> None:
    grid = {"share_specialist": [0.1, 0.9], "share_community": [0.5]}
    with pytest.raises(DesignError, match="design point 1"):
        sweep(tiny, grid, out=tmp_path / "never")
    assert not (tmp_path / "never").exists()


# --------------------------------------------------------------------------- summaries
def test_table_confidence_intervals_contain_the_mean(serial) -> None:
    table = serial.table()
    assert len(table) == 4 * len(OUTCOMES)
    assert {"point", "scenario", "favouritism", "tendering", "outcome", "n", "mean"} <= set(
        table.columns
    )
    finite = table.dropna(subset=["low", "high"])
    assert len(finite) > len(table) / 2
    assert (finite["low"] <= finite["mean"]).all() and (finite["mean"] <= finite["high"]).all()
    row = table[(table["point"] == 2) & (table["outcome"] == "ngo_survival")].iloc[0]
    values = serial.runs.loc[serial.runs["point"] == 2, "ngo_survival"]
    assert row["mean"] == pytest.approx(values.mean())
    assert row["n"] == 3
    half = 4.302652729911275 * values.std(ddof=1) / math.sqrt(3)  # t(0.975, 2)
    assert row["high"] - row["mean"] == pytest.approx(half)


def test_sobol_and_morris_analysis(tiny: Scenario) -> None:
    outcomes = ["ngo_survival", "staff_turnover"]
    sobol = sweep(tiny, Sobol(8, ["favouritism", "contract_years"]), replications=1, workers=1)
    indices = sobol.analyze(outcomes)
    assert set(indices["index"]) == {"S1", "ST", "S2"}
    assert len(indices) == 2 * (2 + 2 + 1)
    assert set(indices["parameter"]) == {
        "favouritism",
        "contract_years",
        "favouritism:contract_years",
    }
    finite = indices.dropna(subset=["conf"])
    assert (finite["low"] <= finite["value"]).all() and (finite["value"] <= finite["high"]).all()
    # The bootstrap of the confidence intervals is seeded: the same results, the same CIs.
    assert_frame_equal(sobol.analyze(outcomes), indices)
    # An outcome undefined at a point, or the same at every point, has no indices:
    # SALib gave 0 ± 0 for them, which reads as "no parameter matters".
    runs = sobol.runs.copy()
    runs.loc[runs["point"] == 3, "ngo_survival"] = np.nan
    runs["staff_turnover"] = 0.25
    undefined = sobol.design.analyze(runs, outcomes)
    assert len(undefined) == len(indices) and undefined[["value", "conf"]].isna().all().all()

    morris = sweep(tiny, Morris(4, ["favouritism", "contract_years"]), replications=2, workers=1)
    indices = morris.analyze(outcomes)
    assert set(indices["index"]) == {"mu_star", "mu", "sigma"}
    star = indices[indices["index"] == "mu_star"]
    assert (star["value"] >= 0).all() and star["conf"].notna().all()

    with pytest.raises(DesignError, match="Sobol or Morris"):
        sweep(tiny, {"favouritism": [0.1, 0.2]}, replications=1, workers=1).analyze()


def test_analysis_takes_comparable_forms_as_the_table_does(tiny: Scenario) -> None:
    design = Morris(4, {"favouritism": (0.0, 0.5), "years": (4, 8)})
    morris = sweep(tiny, design, replications=1, workers=1)
    form = "public_spend_per_purchaser_year"
    indices = morris.analyze(["public_spend", form])
    assert set(indices["outcome"]) == {"public_spend", form}
    assert form in set(morris.table([form])["outcome"])
    # Spend per year removes the horizon the design varies: its effect shrinks.
    star = indices[(indices["index"] == "mu_star") & (indices["parameter"] == "years")]
    by = star.set_index("outcome")["value"]
    spend = morris.runs["public_spend"].abs().mean()
    per_year = codebook.with_comparable(morris.runs)[form].abs().mean()
    assert by[form] / per_year < by["public_spend"] / spend


def test_compare_accepts_names_paths_and_scenarios(tiny: Scenario, tmp_path) -> None:
    path = tmp_path / "other.toml"
    path.write_text(tiny.replace(name="other", contract_years=1).to_toml(), encoding="utf-8")
    res = compare(
        [tiny, str(path), tiny.replace(name="third", tendering="direct")], replications=2, workers=1
    )
    runs = res.runs
    assert list(runs["scenario"].unique()) == ["tiny", "other", "third"]
    assert list(runs["point"]) == [0, 0, 1, 1, 2, 2]
    assert list(runs["contract_years"]) == [3, 3, 1, 1, 3, 3]
    assert runs["seed"].tolist() == [run_seed(0, r) for _point in range(3) for r in range(2)]
    table = res.table("ngo_survival")
    assert list(table["scenario"]) == ["tiny", "other", "third"]
    assert res.series is None


# --------------------------------------------------------------------------- storage
def test_load_results_round_trip(tiny: Scenario, serial, tmp_path) -> None:
    out = tmp_path / "stored"
    res = sweep(tiny, GRID, replications=3, seed=5, workers=1, series=True, out=out)
    assert sorted(p.name for p in out.iterdir()) == [
        ".simcontract.lock",  # the lock, released (its holder file is gone)
        "codebook.json",
        "codebook.md",
        "contracts",
        "manifest.json",
        "ngos",
        "runs",
        "runs.csv",
        "runs.dta",
        "series",
        "table.csv",
    ]
    back = load_results(out)
    assert_frame_equal(back.runs, serial.runs)
    assert_frame_equal(back.series, serial.series)
    assert_frame_equal(back.ngos, serial.ngos)
    assert_frame_equal(back.contracts, serial.contracts)
    assert set(back.ngos["point"]) == set(back.runs["point"])
    assert back.ngos["exit_year"].isna().sum() == back.ngos["active"].sum()
    assert_frame_equal(back.table(), serial.table())
    assert back.design == Grid(GRID)
    assert back.scenarios == [tiny]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["seed"] == 5 and manifest["replications"] == 3
    assert manifest["n_runs"] == 12 and manifest["series"] is True
    assert "SeedSequence" in manifest["run_seeds"]
    assert manifest["versions"]["mesa"] == mesa.__version__
    assert manifest["started"] and manifest["finished"] and manifest["python"]
    assert res.manifest == back.manifest
    assert not list(out.rglob("*.tmp")) and not list(out.rglob(".*.tmp"))
    assert [p.name for p in out.rglob(".*")] == [".simcontract.lock"]
    table = pd.read_csv(out / "table.csv")  # every outcome and comparable form, with units
    assert set(table["outcome"]) >= set(OUTCOMES) and table["unit"].notna().all()
    assert len(table) == 4 * table["outcome"].nunique()


def test_refuses_non_empty_directory_without_resume(tiny: Scenario, tmp_path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ExperimentError, match="not empty"):
        sweep(tiny, GRID, replications=1, workers=1, out=tmp_path)
    with pytest.raises(ExperimentError, match="no manifest"):
        sweep(tiny, GRID, replications=1, workers=1, out=tmp_path, resume=True)
    with pytest.raises(ExperimentError, match="needs an output directory"):
        sweep(tiny, GRID, replications=1, workers=1, resume=True)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_resume_refuses_a_different_batch(tiny: Scenario, tmp_path) -> None:
    out = tmp_path / "batch"
    sweep(tiny, GRID, replications=2, seed=1, workers=1, out=out)
    before = (out / "manifest.json").read_text()
    cases = [
        ({"design": {"favouritism": [0.1, 0.7]}}, "design"),
        ({"seed": 2}, "base seed"),
        ({"base": tiny.replace(years=4)}, "scenario"),
        ({"replications": 3}, "replications"),
        ({"series": True}, "series"),
    ]
    for change, word in cases:
        kwargs = {"base": tiny, "design": GRID, "replications": 2, "seed": 1, **change}
        with pytest.raises(ExperimentError, match=word):
            sweep(**kwargs, workers=1, out=out, resume=True)
    with pytest.raises(ExperimentError, match="kind of batch"):
        compare([tiny], replications=2, seed=1, workers=1, out=out, resume=True)
    assert (out / "manifest.json").read_text() == before


def test_resume_refuses_runs_seeded_by_the_earlier_rule(tiny: Scenario, tmp_path) -> None:
    out = tmp_path / "old"
    sweep(tiny, GRID, replications=2, seed=1, workers=1, out=out, chunk_size=2)
    path = out / "manifest.json"
    manifest = json.loads(path.read_text())
    assert "the same at every design point" in manifest["run_seeds"]
    # As written before the rule changed: seeds per point and replication, and no rule
    # in the identity.
    manifest["run_seeds"] = "run seed = SeedSequence(seed, spawn_key=(point, replication))"
    del manifest["identity"]["run_seeds"]
    path.write_text(json.dumps(manifest))
    storage.parts(out / "runs")[-1].unlink()
    with pytest.raises(ExperimentError, match="seeded by an earlier rule") as err:
        sweep(tiny, GRID, replications=2, seed=1, workers=1, out=out, resume=True)
    assert str(out) in str(err.value) and "\n" not in str(err.value)
    assert json.loads(path.read_text()) == manifest


def test_resume_refuses_runs_of_other_code_but_takes_batches_from_before_it_was_recorded(
    tiny: Scenario, tmp_path
) -> None:
    out = tmp_path / "batch"
    sweep(tiny, GRID, replications=2, seed=1, workers=1, out=out, chunk_size=2)
    path = out / "manifest.json"
    manifest = json.loads(path.read_text())
    assert manifest["identity"]["model_code"] == plan.model_code()
    assert set(manifest["sessions"][0]["versions"]) >= {"mesa", "numpy"}
    # The same version number, other code: as a development install edited in between.
    manifest["identity"]["model_code"] = "sha256:0123456789abcdef"
    path.write_text(json.dumps(manifest))
    storage.parts(out / "runs")[-1].unlink()
    with pytest.raises(ExperimentError, match="made by other simcontract code") as err:
        sweep(tiny, GRID, replications=2, seed=1, workers=1, out=out, resume=True)
    assert "sha256:0123456789abcdef there" in str(err.value) and "\n" not in str(err.value)
    assert json.loads(path.read_text()) == manifest
    # A batch stored before the code was recorded (nor its parts tagged) resumes as before.
    del manifest["identity"]["model_code"]
    path.write_text(json.dumps(manifest))
    for part in storage.parts(out / "runs"):
        table = pq.read_table(part)
        kept = {k: v for k, v in table.schema.metadata.items() if k != storage.BATCH_KEY}
        pq.write_table(table.replace_schema_metadata(kept), part)
    with warnings.catch_warnings():
        warnings.simplefilter("error", plan.DamageWarning)  # its stored runs are kept
        done = sweep(tiny, GRID, replications=2, seed=1, workers=1, out=out, resume=True)
    assert len(done.runs) == 2 * 4 and done.manifest["status"] == "complete"


def test_resume_refuses_a_design_whose_sampler_now_draws_other_points(
    tiny: Scenario, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sampled design is stored as its size, ranges and seed; another SciPy or SALib
    may draw other points from them, and a resumed batch would then mix two samples
    (or, finding every stored run off its point, set them all aside as another batch's)."""
    out = tmp_path / "batch"

    def design() -> LatinHypercube:
        return LatinHypercube(4, {"favouritism": (0.0, 1.0)}, seed=3)

    sweep(tiny, design(), replications=1, seed=1, workers=1, out=out, chunk_size=2)
    manifest = storage.read_manifest(out)
    assert manifest["identity"]["points"] == plan.points_digest(design().points())
    storage.parts(out / "runs")[-1].unlink()
    drawn = LatinHypercube._sample
    monkeypatch.setattr(LatinHypercube, "_sample", lambda self: drawn(self)[::-1])
    with pytest.raises(ExperimentError, match="draw other points from the same design") as err:
        sweep(tiny, design(), replications=1, seed=1, workers=1, out=out, resume=True)
    assert "scipy " in str(err.value) and "SALib " in str(err.value)
    assert "\n" not in str(err.value)
    assert storage.read_manifest(out) == manifest
    # With the sampler's own points it finishes, keeping the runs it has.
    monkeypatch.setattr(LatinHypercube, "_sample", drawn)
    with warnings.catch_warnings():
        warnings.simplefilter("error", plan.DamageWarning)
        done = sweep(tiny, design(), replications=1, seed=1, workers=1, out=out, resume=True)
    assert len(done.runs) == 4 and done.manifest["status"] == "complete"


def test_resume_runs_only_missing_runs(tiny: Scenario, serial, tmp_path) -> None:
    out = tmp_path / "partial"
    sweep(tiny, GRID, replications=3, seed=5, workers=1, series=True, out=out, chunk_size=2)
    runs_parts = storage.parts(out / "runs")
    assert len(runs_parts) == 6
    # As if killed: one chunk never written, one killed between its series and runs part,
    # and a temporary file left behind.
    for gone in runs_parts[1:3]:
        gone.unlink()
    (out / "series" / runs_parts[1].name).unlink()
    (out / "runs" / ".part-000-000009.parquet.1234.tmp").write_bytes(b"half")
    assert len(storage.done_runs(out)) == 8
    res = sweep(tiny, GRID, replications=3, seed=5, workers=1, series=True, out=out, resume=True)
    assert_frame_equal(res.runs, serial.runs)
    assert_frame_equal(res.series, serial.series)
    assert not list(out.rglob("*.tmp"))
    manifest = res.manifest
    assert manifest["status"] == "complete" and len(manifest["sessions"]) == 2
    # Resuming a complete batch runs nothing and changes nothing.
    names = sorted(p.name for p in storage.parts(out / "runs"))
    again = sweep(tiny, GRID, replications=3, seed=5, workers=1, series=True, out=out, resume=True)
    assert sorted(p.name for p in storage.parts(out / "runs")) == names
    assert_frame_equal(again.runs, serial.runs)


def test_progress_only_on_a_terminal_outside_ci(monkeypatch) -> None:
    from simcontract.experiment import show_progress

    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr("sys.stderr", Tty())
    assert show_progress(None) is True
    monkeypatch.setenv("CI", "true")
    assert show_progress(None) is False
    assert show_progress(True) is True


def test_progress_in_a_log_is_plain_lines(
    tiny: Scenario, tmp_path, monkeypatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from simcontract.experiment import runner

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv(runner.LOG_SECONDS_VARIABLE, "1e-9")  # a line at every chunk
    out = tmp_path / "batch"
    sweep(tiny, GRID, replications=2, seed=5, out=out, chunk_size=2, progress=None)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "sweep: 2 of 8 runs (25%), " + lines[0].split(", ", 1)[1]
    assert lines[-2].startswith("sweep: 8 of 8 runs (100%), ")
    assert re.fullmatch(r"sweep: 8 of 8 runs done; this session made 8 in \d+:\d\d:\d\d", lines[-1])
    assert not any("\r" in line or "\x1b" in line for line in lines)
    # A resumed batch says first what it keeps; in Chinese when asked.
    storage.parts(out / "runs")[-1].unlink()
    with i18n.use_language("zh_CN"):
        sweep(tiny, GRID, replications=2, seed=5, out=out, resume=True, progress=None)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "参数扫描：已存有 6 / 8 个运行；运行其余 2 个"
    assert re.fullmatch(
        r"参数扫描：已完成 8 / 8 个运行；本次运行了其中 2 个，用时 \d+:\d\d:\d\d", lines[-1]
    )
    # A finished batch resumed: nothing to run, no line of time.
    sweep(tiny, GRID, replications=2, seed=5, out=out, resume=True, progress=None)
    assert capsys.readouterr().err == "sweep: all 8 runs stored already; nothing left to run\n"
    # Without a log line in time, nothing; outside the command line (False), nothing.
    monkeypatch.setenv(runner.LOG_SECONDS_VARIABLE, "3600")
    sweep(tiny, GRID, replications=2, seed=6, out=tmp_path / "quiet", progress=None)
    sweep(tiny, GRID, replications=2, seed=6, progress=False)
    monkeypatch.setenv(runner.LOG_SECONDS_VARIABLE, "0")
    sweep(tiny, GRID, replications=2, seed=6, progress=None)
    for bad in ("-1", "soon", "nan"):
        monkeypatch.setenv(runner.LOG_SECONDS_VARIABLE, bad)
        with pytest.raises(ExperimentError, match=f"SIMCONTRACT_LOG_SECONDS={bad!r} is not"):
            sweep(tiny, GRID, replications=2, seed=6, out=tmp_path / "bad", progress=None)
        assert not (tmp_path / "bad").exists()  # told before the folder is written
    monkeypatch.setenv(runner.LOG_SECONDS_VARIABLE, "1e-9")
    monkeypatch.setenv("CI", "true")
    sweep(tiny, GRID, replications=2, seed=6, progress=None)
    assert capsys.readouterr().err == ""


def test_a_bad_start_method_is_told_before_the_folder_is_written(
    tiny: Scenario, tmp_path, monkeypatch
) -> None:
    from simcontract.experiment import runner

    monkeypatch.setenv(runner.START_METHOD_VARIABLE, "bogus")
    with pytest.raises(ExperimentError, match="SIMCONTRACT_START_METHOD='bogus' is not"):
        sweep(tiny, GRID, replications=1, workers=2, out=tmp_path / "batch")
    assert not (tmp_path / "batch").exists()
    sweep(tiny, GRID, replications=1, workers=1, out=tmp_path / "serial")  # no pool


def test_bad_options(tiny: Scenario) -> None:
    for kwargs, word in [
        ({"replications": 0}, "replications"),
        ({"seed": -1}, "seed"),
        ({"workers": 0}, "workers"),
        ({"executor": "dask"}, "Executor"),
    ]:
        with pytest.raises(ExperimentError, match=word):
            sweep(tiny, GRID, **kwargs)


def test_import_simcontract_loads_no_batch_dependency() -> None:
    code = "import sys, simcontract; print(sorted({m.split('.')[0] for m in sys.modules}))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    loaded = set(ast.literal_eval(proc.stdout.strip()))
    assert not loaded & {"pyarrow", "SALib", "scipy", "distributed", "tqdm", "mesa"}


# --------------------------------------------------------------------------- Mesa
def test_mesa_batch_run_gives_seeded_reproducible_rows(tiny: Scenario) -> None:
    seeds = [11, 12]
    parameters: dict[str, Any] = {"market_scenario": [tiny], "favouritism": [0.1, 0.6]}
    extra: dict[str, Any] = {}
    if "rng" in inspect.signature(mesa.batch_run).parameters:  # Mesa >= 3.5
        extra["rng"] = seeds
    else:
        parameters["rng"] = seeds
        extra["iterations"] = 1

    def batch() -> pd.DataFrame:
        rows = mesa.batch_run(
            ContractingModel,
            parameters=parameters,
            number_processes=1,
            data_collection_period=1,
            display_progress=False,
            **extra,
        )
        return pd.DataFrame(rows).drop(columns=["market_scenario"])

    first = batch()
    assert_frame_equal(first, batch())
    assert len(first) == 2 * 2 * TINY["years"]
    assert set(OUTCOMES) <= set(first.columns)
    for (fav, seed), rows in first.groupby(
        [
            "favouritism",
            first["rng"] if "rng" in first else first["iteration"].map(seeds.__getitem__),
        ]
    ):
        alone = ContractingModel(tiny, rng=seed, favouritism=fav).run().series()
        # Mesa numbers the rows 0, 1, ... before 3.5 and by model step (the year) after.
        steps = list(rows["Step"])
        assert steps[0] in (0, 1)
        assert [s - steps[0] + 1 for s in steps] == list(alone["year"])
        assert_frame_equal(
            rows[list(OUTCOMES)].reset_index(drop=True), alone[list(OUTCOMES)], check_dtype=False
        )


def test_finished_runs_do_not_stay_in_memory(tiny: Scenario) -> None:
    """No model of the three runs outlives them. (Counting every model in the process
    failed when one left by an earlier test in the same worker went meanwhile.)"""
    import gc
    import weakref

    from simcontract.experiment import run_tasks

    def models() -> list[ContractingModel]:
        gc.collect()
        return [o for o in gc.get_objects() if isinstance(o, ContractingModel)]

    before = weakref.WeakSet(models())
    run_tasks([(0, r, r, tiny) for r in range(3)], series=True)
    assert not [m for m in models() if m not in before]


def test_a_sweep_warns_when_a_dated_change_sets_a_varied_parameter_again() -> None:
    dated = Scenario(
        {"years": 3, "n_bureaux": 4, "initial_ngos": 8},
        changes=[{"year": 2, "contract_years": 5}],
    )
    with pytest.warns(ScenarioWarning, match="contract_years given by the design holds only"):
        sweep(dated, {"contract_years": [1, 2]}, replications=1, workers=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioWarning)
        sweep(dated.fixed(), {"favouritism": [0.1, 0.9]}, replications=1, workers=1)


def test_chunks_of_slow_runs_stay_short() -> None:
    """A chunk's runs are stored when the whole chunk is done: chunks of up to 64 runs of
    a large market (a minute each) lost an hour of each worker's work to a Ctrl-C."""
    from types import SimpleNamespace

    from simcontract.experiment.batches import CHUNK_SECONDS, _Pace

    pace = _Pace()
    assert pace.limit(64) == 1  # before any chunk has said how long a run takes
    pace.observe(("code", SimpleNamespace(num_rows=2), None, 120.0))
    assert pace.limit(64) == 1
    pace = _Pace()
    pace.observe(("code", SimpleNamespace(num_rows=50), None, 2.0))
    assert pace.limit(64) == 64 and pace.limit(8) == 8  # fast runs: as before
    pace.observe(("code", SimpleNamespace(num_rows=10), None, 58.0))  # 1 s a run now
    assert pace.limit(64) == int(CHUNK_SECONDS / 1.0)


def test_a_batch_inside_another_batchs_folder_is_refused(tmp_path) -> None:
    """A batch written into a folder of another batch's results was listed among that
    batch's outputs, and its check then failed."""
    small = load_scenario("baseline").replace(years=2, initial_ngos=10, n_bureaux=2)
    outer = tmp_path / "outer"
    compare([small], replications=1, workers=1, out=outer)
    for inner in (outer / "sub", outer / "runs" / "x"):
        with pytest.raises(ExperimentError, match="lies in the results folder of another batch"):
            compare([small], replications=1, workers=1, out=inner)
        assert not inner.exists()
    compare([small], replications=1, workers=1, out=outer, resume=True)  # its own: resumed


def test_ctrl_c_while_the_command_loads_is_one_line(monkeypatch, capsys) -> None:
    """A Ctrl-C in the second the command line takes to load printed a traceback."""
    import builtins
    import signal

    from simcontract import entry

    real = builtins.__import__

    def interrupted(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "simcontract.cli":
            raise KeyboardInterrupt
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", interrupted)
    assert entry.main() == 128 + signal.SIGINT
    assert capsys.readouterr().err == "simcontract: interrupted by SIGINT\n"


def test_resuming_with_the_design_in_another_order_says_so(tmp_path) -> None:
    """The refusal blamed the samplers' versions (the same here and there)."""
    small = load_scenario("baseline").replace(years=2, initial_ngos=10, n_bureaux=2)
    out = tmp_path / "g"
    grid = {"favouritism": [0.0, 0.5], "contract_years": [1, 3]}
    sweep(small, grid, replications=1, workers=1, out=out)
    swapped = {"contract_years": [1, 3], "favouritism": [0.0, 0.5]}
    with pytest.raises(
        ExperimentError,
        match=r"names its parameters in another order \(favouritism, contract_years\)",
    ):
        sweep(small, swapped, replications=1, workers=1, out=out, resume=True)


def test_a_stopped_redraw_says_how_to_finish_it(tmp_path, monkeypatch, capsys) -> None:
    """A Ctrl-C in `simcontract plot` left some figures redrawn and some not, and said
    only "interrupted by SIGINT"."""
    import signal

    from simcontract import plots
    from simcontract.cli import main

    small = load_scenario("baseline").replace(years=2, initial_ngos=10, n_bureaux=2)
    out = tmp_path / "b"
    compare([small], replications=1, workers=1, out=out)

    def stopped(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(plots, "draw_all", stopped)
    assert main(["plot", str(out), "--width", "85"]) == 128 + signal.SIGINT
    (line,) = capsys.readouterr().err.splitlines()
    assert line.endswith(f"finish with: simcontract plot {out} --width 85")


def test_parts_carry_page_checksums_that_reading_verifies(tmp_path) -> None:
    """Bytes flipped inside a part's data could read as other values, and `check` called
    the part intact."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from simcontract.experiment import storage

    table = pa.table({"reserves": [float(i) for i in range(1000)]})
    path = storage.write_part(tmp_path, "part.parquet", table)
    column = pq.ParquetFile(path).metadata.row_group(0).column(0)
    damaged = bytearray(path.read_bytes())
    start = column.dictionary_page_offset if column.has_dictionary_page else column.data_page_offset
    damaged[start + column.total_compressed_size - 10] ^= 1
    path.write_bytes(bytes(damaged))
    with pytest.raises(OSError, match="CRC checksum verification failed"):
        pq.read_table(path, **storage.VERIFY)


def test_another_programs_manifest_above_the_folder_does_not_block_a_batch(tmp_path) -> None:
    small = load_scenario("baseline").replace(years=2, initial_ngos=10, n_bureaux=2)
    (tmp_path / "manifest.json").write_text('{"name": "my-web-app"}')
    compare([small], replications=1, workers=1, out=tmp_path / "results" / "run1")


def test_a_worker_of_older_code_is_refused_as_such() -> None:
    """A cluster's worker with an older simcontract sends (code, runs, details): the
    batch refuses its runs as other code's, not with an unpacking error."""
    from types import SimpleNamespace

    from simcontract.experiment import runner
    from simcontract.experiment.batches import _Sink

    sink = _Sink(None, 0, "ours", None)
    with pytest.raises(runner.ForeignCode):
        sink.store(("theirs", SimpleNamespace(num_rows=1), None))
