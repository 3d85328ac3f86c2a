"""A run's market projected from its scenario, and runs too large for the machine refused
before they start (simcontract.marketsize)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simcontract import ContractingModel, load_scenario
from simcontract import marketsize as ms
from simcontract.cli import main
from simcontract.marketsize import check_market_size, projected_size
from simcontract.phases.cadres import expected_initial_ties
from simcontract.scenario import Scenario, ScenarioError


def _dated(**changes: object) -> Scenario:
    """``baseline`` with budgets growing 20% a year and a rule change in year 6."""
    base = load_scenario("baseline").replace(budget_growth=0.2, years=10)
    return Scenario(dict(base), name="dated", changes=[{"year": 6, **changes}])


@pytest.mark.parametrize(
    "scenario",
    [
        load_scenario("baseline").replace(budget_growth=0.2, years=10),
        load_scenario("guangzhou_ifsc"),
        _dated(contract_value=1.2e6),
        _dated(mass_org_budget=0.2, budget_growth=-0.1),
    ],
    ids=["growth", "guangzhou_ifsc", "dated-price", "dated-shrink"],
)
def test_projected_services_are_the_runs_own(scenario: Scenario) -> None:
    """The projection's largest year funds as many services as the run's largest year
    (the budget rule draws nothing)."""
    size = projected_size(scenario)
    model = ContractingModel(scenario, rng=3).run()
    funded = [r.slots_funded for r in model.records]
    model.release()
    assert size.services == max(funded)
    assert size.year == 1 + int(np.argmax(funded))


def test_projection_counts_the_cities_a_model_runs() -> None:
    scenario = load_scenario("baseline").replace(n_cities=6)
    whole, one = projected_size(scenario), projected_size(scenario, 1)
    assert whole.services == 6 * one.services
    assert whole.ngos == 6 * one.ngos == 6 * scenario["initial_ngos"]
    assert whole.ties == pytest.approx(6 * one.ties)


@pytest.mark.parametrize("name", ["baseline", "guangzhou_ifsc", "shanghai_hub"])
def test_expected_initial_ties_match_the_drawn_ones(name: str) -> None:
    """The ties the projection expects are the ties officials bring at set-up, within
    3% over three seeds of a market with some 30,000 of them."""
    scenario = load_scenario(name).replace(initial_ngos=3000, n_bureaux=300, n_cities=1)
    drawn = []
    for seed in range(3):
        model = ContractingModel(scenario, rng=seed)
        drawn.append(sum(len(p.cadre.ties) for p in model.cities[0].purchasers))
        model.release()
    expected = expected_initial_ties(scenario.at_year(1), 3000)
    assert np.mean(drawn) == pytest.approx(expected, rel=0.03)


def test_expected_initial_ties_vanish_without_ties() -> None:
    rules = load_scenario("baseline").replace(tie_density=0.0).at_year(1)
    assert expected_initial_ties(rules, 10_000) == 0.0


def test_runnable_scenarios_pass() -> None:
    for name in ("baseline", "guangzhou_ifsc", "shanghai_hub"):
        check_market_size(load_scenario(name))
    check_market_size(load_scenario("baseline").replace(budget_growth=0.5))


def test_exponential_budget_growth_is_refused_before_set_up(monkeypatch) -> None:
    made = []
    monkeypatch.setattr(ContractingModel, "_set_up_city", lambda self, i: made.append(i))
    scenario = load_scenario("baseline").replace(budget_growth=1.0)
    with pytest.raises(ScenarioError) as caught:
        ContractingModel(scenario, rng=1)
    message = str(caught.value)
    assert "\n" not in message
    assert "40,108,032 services in year 20" in message
    assert "budget_growth" in message and "GiB" in message
    assert made == []


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"initial_ngos": 1_000_000}, "starts with 1,000,000 NGOs; lower initial_ngos"),
        ({"initial_ngos": 200_000, "n_bureaux": 10_000}, "ties to NGO heads; lower"),
    ],
)
def test_the_largest_part_is_named(changes: dict[str, int], named: str, monkeypatch) -> None:
    monkeypatch.setattr(ms, "machine_memory", lambda: 4 * 2**30)
    with pytest.raises(ScenarioError, match=named):
        check_market_size(load_scenario("baseline").replace(**changes))


def test_limit_is_a_share_of_the_machines_memory(monkeypatch) -> None:
    scenario = load_scenario("baseline").replace(budget_growth=0.5)
    need = projected_size(scenario).memory
    monkeypatch.setattr(ms, "machine_memory", lambda: int(need / ms.MEMORY_SHARE) + 1)
    check_market_size(scenario)
    monkeypatch.setattr(ms, "machine_memory", lambda: int(need / ms.MEMORY_SHARE) - 1)
    with pytest.raises(ScenarioError, match="50% of this machine's"):
        check_market_size(scenario)


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("simcontract: error: "), err
    return lines[0]


def test_cli_refuses_a_run_too_large_writing_nothing(tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    code = main(["run", "baseline", "--set", "budget_growth=1", "--out", str(out)])
    assert code == 2
    assert "too large to run" in _one_error_line(capsys)
    assert not out.exists()


def test_cli_refuses_a_design_with_a_point_too_large(tmp_path: Path, capsys) -> None:
    out = tmp_path / "sweep"
    argv = ["sweep", "baseline", "--grid", "budget_growth=0.03,1.5", "--out", str(out)]
    assert main([*argv, "--workers", "1"]) == 2
    line = _one_error_line(capsys)
    assert "design point 1 (budget_growth=1.5)" in line and "too large to run" in line
    assert not out.exists()


def test_a_run_that_outgrows_the_limit_stops_at_the_end_of_a_year(monkeypatch) -> None:
    """NGOs that register as the market grows and the ties new officials bring them are
    not in the projection; a run that outgrows the limit stops in one line rather than
    take the machine's memory (``n_bureaux=100000`` reached 11 GB by year 3)."""
    # 600 kB a run: `baseline` is projected at 0.55 MB, and grows past 0.6 MB.
    monkeypatch.setattr(ms, "machine_memory", lambda: 1_200_000)
    model = ContractingModel("baseline", rng=1)
    with pytest.raises(ScenarioError) as stopped:
        model.run()
    message = str(stopped.value)
    year = int(message.split("stopped at the end of year ")[1].split(":")[0])
    # The year it stops in is whole and recorded; none follows.
    assert 1 < year < 20 and len(model.records) == year and not model.running
    assert model.series()["year"].tolist() == list(range(1, year + 1))
    assert "the run of 'baseline'" in message and "50% of this machine's" in message
    assert "; lower " in message and "\n" not in message


def test_cli_stops_a_run_that_outgrows_the_limit_writing_nothing(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setattr(ms, "machine_memory", lambda: 1_200_000)
    out = tmp_path / "run"
    assert main(["run", "baseline", "--out", str(out)]) == 2
    assert "stopped at the end of year" in _one_error_line(capsys)
    assert not out.exists()


def test_workers_of_a_local_pool_share_the_memory_runs_may_use() -> None:
    """Each worker checks only its own run: two at once may each use half of the
    share, or together they would use twice what one run may."""
    from functools import partial

    from simcontract.experiment import runner

    shares: list[float] = []
    ask = "__import__('simcontract.marketsize', fromlist=['_']).memory_share()"
    runner.run_units(
        partial(eval, ask),
        [None, None],
        lambda i, share: shares.append(share),
        bar=runner.Progress(2, "test"),
        workers=2,
    )
    assert shares == [ms.MEMORY_SHARE / 2] * 2
    assert ms.memory_share() == ms.MEMORY_SHARE  # this process runs one at a time


def test_a_batch_says_which_run_outgrew_the_limit(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(ms, "machine_memory", lambda: 1_200_000)
    argv = ["sweep", "baseline", "--grid", "favouritism=0,0.5", "--replications", "2"]
    argv += ["--workers", "1", "--figures", "none", "--out", str(tmp_path / "sweep")]
    assert main(argv) == 2
    line = _one_error_line(capsys)
    assert "'baseline', design point 0, replication 0 (seed " in line
    assert "): the run of 'baseline' stopped at the end of year " in line
