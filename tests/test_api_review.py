"""The Python API as a study script uses it: a run and its seed, scenarios changed from
Python, a comparison's levels and contrasts, and one clear error for each wrong
argument."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simcontract
from simcontract import (
    OUTCOMES,
    ContractingModel,
    ExperimentError,
    Results,
    ScenarioError,
    compare,
    load_scenario,
)
from simcontract.experiment.comparison import contrasts, levels, scenario_facts
from simcontract.experiment.stats import mean_ci, paired_difference

ROOT = Path(__file__).resolve().parents[1]

SHORT = load_scenario("baseline").replace(years=3, initial_ngos=20, n_bureaux=4)
"""A small market: the tests check the API, not the model."""


def _same(a: dict[str, float], b: dict[str, float]) -> bool:
    """Whether two summaries agree to the last digit (NaN where both are undefined)."""
    return a.keys() == b.keys() and all(
        a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])) for k in a
    )


@pytest.fixture(scope="module")
def batch() -> Results:
    """Two arms of the small market, three replications each, in this process."""
    arms = [SHORT, SHORT.replace(contract_years=1, name="one_year")]
    return compare(arms, replications=3, workers=1)


# ------------------------------------------------------------------ a run and its seed
def test_rng_and_seed_together_are_refused() -> None:
    # Both were accepted and ``seed`` was dropped: the run was not the one of seed=2.
    with pytest.raises(TypeError, match=r"give the seed once.*got rng=1 and seed=2"):
        ContractingModel(SHORT, rng=1, seed=2)


def test_seed_alone_still_runs_as_rng() -> None:
    by_seed = ContractingModel(SHORT, seed=4).run().summary()
    assert _same(by_seed, ContractingModel(SHORT, rng=4).run().summary())


def test_the_seed_of_an_unseeded_run_repeats_it() -> None:
    """What the model's docstring and getting-started.md say: a run made without a seed
    repeats from ``model.rng.bit_generator.seed_seq`` and from its ``entropy``."""
    first = ContractingModel(SHORT).run()
    seed = first.rng.bit_generator.seed_seq
    assert isinstance(seed.entropy, int) and not seed.spawn_key
    assert _same(first.summary(), ContractingModel(SHORT, rng=seed.entropy).run().summary())
    again = ContractingModel(SHORT, rng=first.rng.bit_generator.seed_seq).run()
    assert _same(first.summary(), again.summary())


def test_a_run_of_a_batch_repeats_from_its_row(batch: Results) -> None:
    row = batch.runs.iloc[-1]
    scenario = batch.scenarios[int(row["point"])]
    alone = ContractingModel(scenario, rng=int(row["seed"])).run().summary()
    assert _same(alone, {name: float(row[name]) for name in OUTCOMES})


def test_summary_and_series_are_what_their_docstrings_say() -> None:
    model = ContractingModel(SHORT, rng=2)
    assert list(model.summary()) == list(OUTCOMES)
    assert all(math.isnan(v) for v in model.summary().values())  # no year run yet
    model.run()
    series = model.series()
    assert list(series.columns) == ["year", *OUTCOMES]
    assert series["year"].tolist() == [1, 2, 3]
    collected = model.datacollector.get_model_vars_dataframe()
    assert np.array_equal(
        collected.to_numpy(float), series.drop(columns="year").to_numpy(float), equal_nan=True
    )


@pytest.mark.parametrize("key", ["description", "start_year"])
def test_model_takes_parameter_values_only(key: str) -> None:
    with pytest.raises(ScenarioError, match=rf"'{key}' is not a parameter"):
        ContractingModel(SHORT, rng=1, **{key: 2010})


# ------------------------------------------------------------------ scenarios from Python
def test_replace_sets_description_and_start_year_and_leaves_the_scenario() -> None:
    guangzhou = load_scenario("guangzhou_ifsc")
    copy = guangzhou.replace(description="Without the reforms.", start_year=2001, changes=[])
    assert (copy.description, copy.start_year, copy.changes) == ("Without the reforms.", 2001, ())
    assert guangzhou.start_year == 2010 and guangzhou.changes
    assert copy.name == guangzhou.name
    assert dict(copy) == dict(guangzhou)


def test_replace_refuses_a_start_year_out_of_range() -> None:
    with pytest.raises(ScenarioError, match="start_year"):
        SHORT.replace(start_year=1800)


def test_replace_does_not_depend_on_the_order_of_its_keywords() -> None:
    one = SHORT.replace(
        contract_years=1, favouritism=0.7, name="x", changes=[{"year": 2, "reshuffle": 0.5}]
    )
    two = SHORT.replace(
        changes=[{"year": 2, "reshuffle": 0.5}], name="x", favouritism=0.7, contract_years=1
    )
    assert one == two and one.to_toml() == two.to_toml()


def test_fixed_refuses_changes_in_one_line() -> None:
    # It raised Python's "got multiple values for keyword argument 'changes'".
    with pytest.raises(ScenarioError, match=r"Scenario\.fixed takes parameter values only"):
        load_scenario("guangzhou_ifsc").fixed(contract_years=3, changes=[])


# ------------------------------------------------------------------ levels and contrasts
@pytest.mark.parametrize("table", [levels, contrasts, scenario_facts])
def test_a_runs_table_instead_of_results_is_one_clear_error(batch: Results, table) -> None:
    # It was pandas' "'DataFrame' object has no attribute 'runs'".
    with pytest.raises(TypeError, match=r"results must be a batch's Results .* got DataFrame"):
        table(batch.runs)


@pytest.mark.parametrize("table", [levels, contrasts])
def test_an_empty_outcome_list_is_refused_as_results_table_refuses_it(
    batch: Results, table
) -> None:
    # levels([]) gave a table without columns, contrasts([]) an empty one.
    with pytest.raises(ExperimentError, match="outcomes is empty"):
        table(batch, outcomes=[])
    with pytest.raises(ExperimentError, match="outcomes is empty"):
        batch.table([])


@pytest.mark.parametrize("table", [levels, contrasts])
def test_outcomes_that_are_not_names_are_one_clear_error(batch: Results, table) -> None:
    # It was "'int' object is not iterable".
    with pytest.raises(TypeError, match="outcomes must be an outcome name or a list of them"):
        table(batch, outcomes=5)


def test_an_outcome_named_twice_gives_its_rows_once(batch: Results) -> None:
    # Results.table raised pandas' "Expected a 1D array"; levels and contrasts gave
    # every row twice.
    twice = ["hhi", "staff_turnover", "hhi"]
    once = ["hhi", "staff_turnover"]
    pd.testing.assert_frame_equal(batch.table(twice), batch.table(once))
    pd.testing.assert_frame_equal(levels(batch, twice), levels(batch, once))
    pd.testing.assert_frame_equal(contrasts(batch, outcomes=twice), contrasts(batch, outcomes=once))
    assert len(levels(batch, once)) == 2 * len(once)


def test_levels_and_contrasts_are_tidy(batch: Results) -> None:
    level = levels(batch, ["staff_turnover"])
    assert list(level.columns) == [
        "point", "scenario", "outcome", "unit", "n", "mean", "sd", "low", "high"
    ]  # fmt: skip
    assert level["scenario"].tolist() == ["baseline", "one_year"]
    contrast = contrasts(batch, outcomes="staff_turnover")
    runs = batch.runs.pivot(index="replication", columns="scenario", values="staff_turnover")
    paired = paired_difference(runs["baseline"], runs["one_year"])
    assert contrast["difference"].item() == paired.mean
    assert (contrast["low"].item(), contrast["high"].item()) == (paired.low, paired.high)


# ------------------------------------------------------------------ statistics
@pytest.mark.parametrize("values", ["abc", 5, [["a"]], [[1.0, 2.0]]])
def test_values_that_are_not_numbers_are_one_clear_error(values: object) -> None:
    # numpy's "could not convert string to float: 'a'" (or a 2-D mean) before.
    with pytest.raises(ValueError, match=r"values must be a sequence of numbers \(one per run\)"):
        mean_ci(values)
    with pytest.raises(ValueError, match=r"b must be a sequence of numbers"):
        paired_difference([1.0], values)


def test_statistics_errors_follow_the_language() -> None:
    from simcontract import i18n

    with i18n.use_language("zh_CN"), pytest.raises(ExperimentError, match="置信水平"):
        mean_ci([1.0, 2.0], level=95)
    with i18n.use_language("zh_CN"), pytest.raises(ValueError, match="配对样本的大小不同"):
        paired_difference([1.0], [1.0, 2.0])


def test_level_and_sizes_say_what_they_said() -> None:
    with pytest.raises(
        ExperimentError,
        match=r"^level must be a confidence level between 0 and 1 \(e\.g\. 0\.95\), got 95$",
    ):
        mean_ci([1.0, 2.0], level=95)
    with pytest.raises(ValueError, match=r"^paired samples differ in size: \(1,\) and \(2,\)$"):
        paired_difference([1.0], [1.0, 2.0])


# ------------------------------------------------------------------ the reference
def test_the_reference_documents_the_statistics_the_how_to_uses() -> None:
    what_if = (ROOT / "docs" / "how-to" / "what-if.md").read_text(encoding="utf-8")
    reference = (ROOT / "docs" / "reference" / "experiments.md").read_text(encoding="utf-8")
    assert "from simcontract.experiment.stats import paired_difference" in what_if
    assert "::: simcontract.experiment.stats.paired_difference" in reference
    assert "::: simcontract.experiment.stats.Interval" in reference


def test_the_package_docstring_names_every_public_name() -> None:
    doc = simcontract.__doc__ or ""
    missing = [name for name in simcontract.__all__ if name not in doc]
    assert not missing, f"simcontract's docstring does not name {missing}"


def test_a_run_of_a_sweep_repeats_from_its_seed_and_its_point() -> None:
    """``Results.scenario_of(point)`` with a run's ``seed`` repeats that run of a sweep
    (a sampled design, whose points are not in the runs table's names) or of a
    comparison, to the last digit; a point the batch does not have is one clear error."""
    from simcontract import ContractingModel, LatinHypercube, Scenario, compare, sweep
    from simcontract.experiment.runner import ExperimentError

    tiny = Scenario({"years": 3, "initial_ngos": 15, "n_bureaux": 4, "n_mass_orgs": 1}, name="t")
    design = LatinHypercube(3, {"favouritism": (0.0, 1.0), "contract_years": (1, 5)}, seed=4)
    swept = sweep(tiny, design, replications=2, workers=1)
    compared = compare([tiny, tiny.replace(favouritism=0.9)], replications=2, workers=1)
    for results in (swept, compared):
        row = results.runs.iloc[-1]
        again = ContractingModel(results.scenario_of(row["point"]), rng=int(row["seed"]))
        summary = again.run().summary()
        for name in ("ngo_survival", "provider_turnover", "staff_turnover"):
            assert summary[name] == row[name] or (summary[name] != summary[name])
    for point in (3, -1, 1.0, True):
        with pytest.raises(ExperimentError, match="not a design point"):
            swept.scenario_of(point)


# ------------------------------------------------------------------ second review
def test_a_numpy_point_number_names_the_reference(batch: Results) -> None:
    # A point number read from the runs table (np.int64) was refused as "not a point
    # number".
    point = batch.runs["point"].iloc[0]
    assert isinstance(point, np.integer)
    pd.testing.assert_frame_equal(
        batch.contrasts(reference=point), batch.contrasts(reference=int(point))
    )


def test_sobol_second_order_is_a_flag() -> None:
    from simcontract import Sobol

    # The string "no" counted as true and gave the second-order design.
    with pytest.raises(TypeError, match="second_order must be True or False"):
        Sobol(8, ["favouritism"], second_order="no")
    assert len(Sobol(8, ["favouritism"], second_order=np.bool_(False))) == 24


def test_mesas_scenario_on_an_older_mesa_says_what_to_do() -> None:
    import mesa

    if hasattr(mesa.Model, "scenario"):
        pytest.skip("this Mesa takes its own scenario")
    with pytest.raises(TypeError, match=r"needs Mesa 3\.5 or later.*market scenario first"):
        ContractingModel("baseline", scenario={"a": 1}, rng=1)


def test_an_output_folder_that_cannot_be_made_is_refused_in_one_line(tmp_path: Path) -> None:
    afile = tmp_path / "notes.txt"
    afile.write_text("x")
    with pytest.raises(ExperimentError, match="cannot create the output directory"):
        compare([SHORT], replications=1, workers=1, out=afile / "sub")
    assert afile.read_text() == "x"


def test_stepping_past_the_scenarios_years_warns_once() -> None:
    """A loop that stepped more often than the scenario runs pooled other years into
    the summary, without a sign."""
    from simcontract.scenario import ScenarioWarning

    model = ContractingModel(SHORT, rng=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(SHORT["years"]):
            model.step()
        assert not caught and not model.running
        model.step()
        model.step()
    said = [w for w in caught if issubclass(w.category, ScenarioWarning)]
    assert len(said) == 1 and "past the scenario's last year, 3" in str(said[0].message)
    assert said[0].filename == __file__
