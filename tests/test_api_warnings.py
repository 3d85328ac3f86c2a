"""What the command line warns of its arguments, the Python API warns of its own, at the
caller's line: keyword parameters that make a scenario's dated rule changes moot, and
scenarios of a comparison that share a name or never reach a rule change."""

from __future__ import annotations

import warnings

import pytest

from simcontract import ContractingModel, load_scenario
from simcontract.experiment import compare, sweep
from simcontract.experiment.batches import BatchScenarioWarning
from simcontract.scenario import ScenarioWarning


def caught(call: object) -> list[warnings.WarningMessage]:
    """The warnings ``call()`` gives, every one of them."""
    with warnings.catch_warnings(record=True) as found:
        warnings.simplefilter("always")
        call()  # type: ignore[operator]
    return found


def texts(found: list[warnings.WarningMessage], category: type[Warning]) -> list[str]:
    """The messages of ``category``; each must point at this file (the caller's line)."""
    mine = [w for w in found if issubclass(w.category, category)]
    assert all(w.filename == __file__ for w in mine), [w.filename for w in mine]
    return [str(w.message) for w in mine]


def test_a_shorter_run_by_keyword_warns_of_the_changes_it_never_reaches() -> None:
    found = texts(caught(lambda: ContractingModel("guangzhou_ifsc", rng=1, years=5)), Warning)
    assert [t for t in found if "never takes effect" in t] == [
        "scenario 'guangzhou_ifsc': the rule change of year 6 never takes effect: the run "
        "lasts 5 years (parameter 'years')",
        "scenario 'guangzhou_ifsc': the rule change of year 9 never takes effect: the run "
        "lasts 5 years (parameter 'years')",
    ]
    assert not caught(lambda: ContractingModel("guangzhou_ifsc", rng=1))
    assert not caught(lambda: ContractingModel("guangzhou_ifsc", rng=1, years=9))


def test_a_keyword_a_rule_change_sets_again_warns_until_when_it_holds() -> None:
    found = texts(
        caught(lambda: ContractingModel("guangzhou_ifsc", rng=1, contract_years=1)),
        ScenarioWarning,
    )
    assert found == [
        "scenario 'guangzhou_ifsc': contract_years given by a keyword argument holds only "
        "until year 8: the scenario's rule change of year 9 sets it to 5"
    ]
    assert not caught(lambda: ContractingModel("baseline", rng=1, contract_years=1))


def test_a_comparison_warns_of_shared_names_and_unreached_changes() -> None:
    base = load_scenario("baseline").replace(years=2)
    short = load_scenario("guangzhou_ifsc").replace(years=2)
    found = caught(
        lambda: compare(
            [base, base.replace(contract_years=1), short],
            replications=1,
            workers=1,
            progress=False,
        )
    )
    said = texts(found, BatchScenarioWarning)
    assert "scenarios #1, #2 share the name 'baseline': the tables and figures cannot tell" in (
        " ".join(said)
    )
    assert sum("guangzhou_ifsc': the rule change of year" in t for t in said) == 3
    fine = caught(lambda: compare([base, short.replace(years=9)], replications=1, workers=1))
    assert not [w for w in fine if issubclass(w.category, BatchScenarioWarning)]


def test_a_sweep_warns_at_the_callers_line() -> None:
    found = caught(lambda: sweep("guangzhou_ifsc", {"years": [2, 4]}, replications=1, workers=1))
    said = texts(found, ScenarioWarning)
    assert len(said) == 3 and all("design points" in t for t in said)


def test_the_command_line_says_a_shared_name_once(capsys: pytest.CaptureFixture[str]) -> None:
    from simcontract.cli import main

    args = ["compare", "baseline", "baseline", "--replications", "1", "--set", "years=2"]
    assert main([*args, "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert err.count("share the name 'baseline'") == 1, err
