"""Writing one's own scenarios and designs: the mistakes a scholar makes, and the docs'
examples as a scholar copies them.

Each bad input must give one line naming what is wrong and what is allowed; each valid
input must reach the model as the documentation says.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from simcontract import ContractingModel, Grid, LatinHypercube, Scenario, ScenarioError
from simcontract.cli import main
from simcontract.experiment.conditions import ConditionError, parse_condition
from simcontract.experiment.designs import DesignError, check_points
from simcontract.params import FIRST_YEAR_ONLY
from simcontract.scenario import ScenarioWarning, load_scenario

ROOT = Path(__file__).resolve().parent.parent

WriteToml = Callable[..., Path]


def _load_quietly(path: Path) -> tuple[Scenario, list[str]]:
    """The scenario of ``path`` and the texts of the warnings loading it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scenario = load_scenario(path)
    return scenario, [str(w.message) for w in caught]


# ------------------------------------------------------------------ malformed TOML
@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (
            'name = "a"\n[parameters]\ncontract_years = 3\ncontract_years = 4\n',
            r"line 4 \('contract_years = 4'\): 'contract_years' is given twice in one "
            r"table; give each key once",
        ),
        (
            'name = "a"\n[parameters]\ntendering = open\n',
            r"line 3 \('tendering = open'\): .*text goes in quotes \(tendering = \"open\"\)",
        ),
        (
            'name = "a"\n[parameters]\ncontract_value = 2,000,000\n',
            r"line 3 \('contract_value = 2,000,000'\): .*numbers without commas or %",
        ),
        (
            'name = "a"\n[parameters]\nyears = 3\n[parameters]\nfavouritism = 0.1\n',
            r"line 4 \('\[parameters\]'\): the table \[parameters\] is declared twice",
        ),
        (
            'name = "a"\n[parameters]\ncontract_years 3\n',
            r"line 3 \('contract_years 3'\): 'contract_years' is not followed by '='",
        ),
        (
            'name = "a"\n[parameters\nyears = 3\n',
            r"line 2 \('\[parameters'\): a table's header is \[name\], closed with '\]'",
        ),
        (  # tomllib reads an open header after the same table as the table again
            'name = "a"\n[parameters]\nyears = 3\n[parameters\nfavouritism = 0.1\n',
            r"line 4 \('\[parameters'\): a table's header is \[name\], closed with '\]'",
        ),
        (
            'name = "a\n[parameters]\n',
            r"line 1 \('name = \"a'\): a text is not closed: it ends on its line",
        ),
        (
            'name = "a"\n[parameters]\ncity_sizes = [1, 2\n',
            r"at the end of the file: a list opened with '\[' is not closed",
        ),
        (
            'name = "a"\n[parameters]\nfavouritism = 0.1 ; years = 3\n',
            r"line 3 .*more than one value on the line",
        ),
        (
            'name = "a"\n[parameters]\n= 3\n',
            r"line 3 \('= 3'\): not a line TOML reads: each line is a setting",
        ),
        (
            'name = "a\x01"\n',
            r"line 1 .*: a character TOML does not take here \('\\x01'\)",
        ),
        (
            'description = "C:\\data"\n',
            r"line 1 .*: a '\\' in text in double quotes begins an escape",
        ),
    ],
    ids=[
        "key twice",
        "unquoted text",
        "comma in a number",
        "table twice",
        "no equals sign",
        "unclosed header",
        "unclosed header after the table",
        "unclosed text",
        "unclosed list",
        "two on a line",
        "not a setting",
        "control character",
        "backslash",
    ],
)
def test_malformed_toml_names_the_line_and_what_is_allowed(
    write_toml: WriteToml, text: str, pattern: str
) -> None:
    path = write_toml(text, "bad.toml")
    with pytest.raises(ScenarioError, match=r"bad\.toml: malformed TOML: " + pattern) as err:
        load_scenario(path)
    assert "\n" not in str(err.value)


def test_a_key_given_twice_is_one_line_and_status_2_on_the_command_line(
    write_toml: WriteToml, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_toml('name = "a"\n[parameters]\nyears = 2\nyears = 3\n', "twice.toml")
    assert main(["params", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert re.fullmatch(r"simcontract: error: .*twice\.toml: .*'years' is given twice.*", line)


# ------------------------------------------------------------- keys of the file itself
@pytest.mark.parametrize(
    ("key", "meant"),
    [
        ("[change]\nyear = 9\ncontract_years = 5\n", "[[changes]]"),
        ("[[change]]\nyear = 9\ncontract_years = 5\n", "[[changes]]"),
        ("[parameter]\ncontract_years = 5\n", "[parameters]"),
        ("[Parameters]\ncontract_years = 5\n", "[parameters]"),
        ('[source]\ncontract_years = "assumption"\n', "[sources]"),
        ('Description = "x"\n', "'description'"),
    ],
    ids=["[change]", "[[change]]", "[parameter]", "[Parameters]", "[source]", "Description"],
)
def test_a_misspelt_top_level_key_gets_a_suggestion(
    write_toml: WriteToml, key: str, meant: str
) -> None:
    path = write_toml('name = "a"\n' + key)
    with pytest.raises(
        ScenarioError, match=rf"\(did you mean {re.escape(meant)}\?\); allowed top-level keys"
    ):
        load_scenario(path)


def test_an_empty_name_is_one_error_and_no_warning(write_toml: WriteToml) -> None:
    path = write_toml('name = ""\n')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ScenarioError, match=r"'name' is empty"):
            load_scenario(path)
    assert [str(w.message) for w in caught] == []


def test_an_empty_file_still_warns_that_it_sets_nothing(write_toml: WriteToml) -> None:
    _scenario, said = _load_quietly(write_toml("# nothing yet\n[parameters]\n"))
    assert len(said) == 1 and "the file sets nothing" in said[0]


# ------------------------------------------------------------------- dated changes
def test_a_share_in_a_dated_change_is_called_part_of_the_mix(write_toml: WriteToml) -> None:
    path = write_toml('name = "a"\n[[changes]]\nyear = 3\nshare_specialist = 0.3\n')
    with pytest.raises(
        ScenarioError,
        match=r"'share_specialist' sets the market's mix of NGOs and cannot change during a "
        r"run; only rule parameters can \(set it in \[parameters\]\)",
    ):
        load_scenario(path)


@pytest.mark.parametrize("name", FIRST_YEAR_ONLY)
def test_a_dated_change_of_a_first_year_parameter_warns(write_toml: WriteToml, name: str) -> None:
    value = Scenario()[name]
    later = write_toml(f'name = "a"\n[[changes]]\nyear = 3\n{name} = {value!r}\n', "later.toml")
    _scenario, said = _load_quietly(later)
    assert len(said) == 1
    assert re.search(
        rf"the rule change of year 3 sets '{name}', which the model reads only in model "
        r"year 1 .* never takes effect; set it in \[parameters\]",
        said[0],
    )
    first = write_toml(f'name = "a"\n[[changes]]\nyear = 1\n{name} = {value!r}\n', "first.toml")
    assert _load_quietly(first)[1] == []


def test_the_first_year_parameters_are_read_in_year_one_only(small: Scenario) -> None:
    """What the warning says is so: changed after year 1, they change no result."""
    late = {
        "initial_experience": 1.0,
        "initial_reputation_low": 0.05,
        "initial_reputation_high": 0.95,
        "initial_track_record": 0,
        "first_year_newcomer_share": 0.6,
    }
    assert set(late) == set(FIRST_YEAR_ONLY)
    assert all(small[k] != v for k, v in late.items())
    changed = small.replace(changes=[{"year": 2, **late}], name="late")
    plain = ContractingModel(small, rng=3).run().series()
    later = ContractingModel(changed, rng=3).run().series()
    assert plain.equals(later)
    assert not ContractingModel(small.replace(**late), rng=3).run().series().equals(plain)


# --------------------------------------------------------------------------- designs
def test_a_sweep_over_years_warns_of_changes_its_short_runs_never_reach() -> None:
    base = Scenario({"years": 10}, name="dated", changes=[{"year": 6, "contract_years": 5}])
    with pytest.warns(
        ScenarioWarning,
        match=r"scenario 'dated': the rule change of year 6 never takes effect at 2 of 3 "
        r"design points: their runs last 2 to 4 years \(parameter 'years'\)",
    ):
        check_points(base, Grid({"years": [2, 4, 8]}))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioWarning)
        check_points(base, Grid({"years": [6, 8]}))


def test_a_sampled_point_against_a_joint_rule_says_to_narrow_the_ranges() -> None:
    design = LatinHypercube(4, {"share_specialist": (0, 1), "share_community": (0, 1)}, seed=0)
    with pytest.raises(
        DesignError,
        match=r"sum to .*; expected at most 1 .*; narrow the design's ranges so that every "
        r"point is valid$",
    ):
        check_points(Scenario(), design)
    with pytest.raises(DesignError, match=r"expected at most 1 \(the rest are general agencies\)$"):
        check_points(Scenario(), Grid({"share_specialist": [0.1, 0.9]}))


@pytest.mark.parametrize(
    "text",
    [
        "service_coverage < 0.8 AND ngo_survival > 0.5",
        "service_coverage < 0.8 And ngo_survival > 0.5",
    ],
)
def test_conditions_join_clauses_with_and_or_in_any_case(text: str) -> None:
    lower = parse_condition("service_coverage < 0.8 and ngo_survival > 0.5")
    assert parse_condition(text).terms == lower.terms
    either = parse_condition("hhi > 0.3 OR service_coverage < 0.8")
    assert len(either.terms) == 2


def test_a_condition_in_parentheses_says_there_are_none() -> None:
    with pytest.raises(ConditionError, match=r"\(no parentheses: 'and' binds first\)"):
        parse_condition("(service_coverage < 0.8)")


# ------------------------------------------------------------------ the docs' examples
def _toml_blocks(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return re.findall(r"```toml\n(.*?)```", text, flags=re.DOTALL)


@pytest.mark.parametrize("doc", ["README.md", "docs/scenarios.md"])
def test_the_docs_scenario_example_loads_and_reaches_the_model(
    write_toml: WriteToml, doc: str
) -> None:
    (block,) = _toml_blocks(ROOT / doc)
    scenario, said = _load_quietly(write_toml(block, "my_city.toml"))
    assert said == []
    assert scenario.name == "my_city"
    assert scenario["contract_years"] == 3
    assert scenario.at_year(8)["contract_years"] == 3
    assert scenario.at_year(9)["contract_years"] == 5
    assert scenario.at_year(9)["contract_value"] == 2.4e6


def test_the_scenarios_page_names_every_first_year_parameter() -> None:
    text = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    assert [name for name in FIRST_YEAR_ONLY if f"`{name}`" not in text] == []
