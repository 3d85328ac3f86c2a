"""Scenarios: the immutable validated mapping, TOML loading, and the error catalogue."""

from __future__ import annotations

import copy
import pickle
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
import pytest

from simcontract import ContractingModel, Scenario, ScenarioError, load_scenario
from simcontract.params import DEFAULTS, PARAMETERS, TENDERING_MODES, lookup
from simcontract.scenario import ScenarioWarning, builtin_dir, builtin_names

WriteToml = Callable[..., Path]


# --------------------------------------------------------------------------- the API
def test_defaults_cover_every_parameter() -> None:
    s = Scenario()
    assert set(s) == set(PARAMETERS)
    assert len(s) == len(PARAMETERS)
    assert dict(s) == dict(DEFAULTS)
    assert s.changes == ()


def test_values_are_converted_to_the_parameter_type() -> None:
    s = Scenario({"years": 4.0, "contract_value": 300_000, "favouritism": 1})
    assert s["years"] == 4 and type(s["years"]) is int
    assert s["contract_value"] == 300_000.0 and type(s["contract_value"]) is float
    assert type(s["favouritism"]) is float


def test_scenario_is_a_read_only_mapping(small: Scenario) -> None:
    with pytest.raises(TypeError):
        small["years"] = 3  # type: ignore[index]
    with pytest.raises(TypeError):
        del small["years"]  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        small.years = 3  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        small.changes[0] = (1, {})  # type: ignore[index]
    assert small["years"] == 6


def test_changes_are_read_only() -> None:
    s = Scenario(changes=[{"year": 3, "favouritism": 0.5}])
    _year, change = s.changes[0]
    with pytest.raises(TypeError):
        change["favouritism"] = 0.9  # type: ignore[index]
    assert s.at_year(3)["favouritism"] == 0.5


def test_unknown_key_lookup_suggests_the_closest_name(small: Scenario) -> None:
    with pytest.raises(KeyError, match="did you mean 'favouritism'"):
        small["favoritism"]
    with pytest.raises(KeyError, match="did you mean 'tendering'"):
        lookup("tenderin")


def test_the_registries_say_what_a_wrong_name_meant() -> None:
    from simcontract import OUTCOMES, PARAMETERS
    from simcontract.params import DEFAULTS

    for table, wrong, message in [
        (
            OUTCOMES,
            "staf_turnover",
            "unknown outcome 'staf_turnover'; did you mean "
            "'staff_turnover'? (`simcontract outcomes` lists every outcome)",
        ),
        (
            PARAMETERS,
            "favoritism",
            "unknown parameter 'favoritism'; did you mean "
            "'favouritism'? (`simcontract params` lists every parameter)",
        ),
        (DEFAULTS, "budgetgrowth", "did you mean 'budget_growth'?"),
    ]:
        with pytest.raises(KeyError) as caught:
            table[wrong]
        assert message in str(caught.value) and not str(caught.value).startswith('"')
        assert wrong not in table and table.get(wrong) is None
    assert next(iter(OUTCOMES)) == "ngo_survival" and "favouritism" in PARAMETERS
    with pytest.raises(TypeError):
        PARAMETERS["years"] = None  # read-only
    for table in (OUTCOMES, PARAMETERS, DEFAULTS):  # a pickle names the table
        assert pickle.loads(pickle.dumps(table)) is table and copy.deepcopy(table) is table


def test_a_retired_parameter_names_what_took_its_place(small: Scenario) -> None:
    with pytest.raises(
        ScenarioError, match=r"'dependent_compliance' no longer exists.*refusal_caution"
    ):
        small.replace(dependent_compliance=0.6)


def test_replace_returns_a_new_validated_copy(small: Scenario) -> None:
    copy = small.replace(favouritism=0.7, name="tied")
    assert copy is not small
    assert copy["favouritism"] == 0.7
    assert small["favouritism"] == DEFAULTS["favouritism"]
    assert copy.name == "tied" and small.name == "small"
    assert copy.description == small.description
    assert copy["years"] == small["years"]
    assert small.replace() == small
    with pytest.raises(ScenarioError, match=r"'favouritism': 1\.5 is out of range"):
        small.replace(favouritism=1.5)
    with pytest.raises(ScenarioError, match="did you mean 'favouritism'"):
        small.replace(favoritism=0.5)


def test_replace_keeps_dated_changes() -> None:
    s = Scenario(changes=[{"year": 4, "tendering": "direct"}])
    t = s.replace(favouritism=0.9)
    assert t.changes == s.changes
    assert t.at_year(4)["tendering"] == "direct"


def test_at_year_applies_dated_changes_in_order() -> None:
    s = Scenario(
        {"contract_years": 3},
        changes=[
            {"year": 6, "contract_years": 2, "tendering": "selective"},
            {"year": 3, "contract_years": 5},
        ],
    )
    assert [y for y, _ in s.changes] == [3, 6]
    assert s.at_year(1)["contract_years"] == 3
    assert s.at_year(2)["contract_years"] == 3
    assert s.at_year(3)["contract_years"] == 5
    assert s.at_year(5)["tendering"] == "open"
    assert s.at_year(6)["contract_years"] == 2
    assert s.at_year(6)["tendering"] == "selective"
    assert s.at_year(100)["contract_years"] == 2
    assert s["contract_years"] == 3  # the mapping itself shows the start values


def test_changes_given_as_year_value_pairs() -> None:
    a = Scenario(changes=[(2, {"favouritism": 0.4})])
    b = Scenario(changes=[{"year": 2, "favouritism": 0.4}])
    assert a == b
    assert a.at_year(2)["favouritism"] == 0.4


def test_model_follows_dated_changes(small: Scenario) -> None:
    s = Scenario(
        {**dict(small), "mass_org_tendering": "selective"},
        changes=[
            {"year": 3, "tendering": "direct"},
            {"year": 4, "mass_org_tendering": "same"},
        ],
    )
    model = ContractingModel(s, rng=3)
    modes = []
    for _ in range(4):
        model.step()
        modes.append({(pu.kind, pu.mode) for pu in model.cities[0].purchasers})
    bureau, mass_org = "bureau", "mass_org"
    assert modes == [
        {(bureau, "open"), (mass_org, "selective")},
        {(bureau, "open"), (mass_org, "selective")},
        {(bureau, "direct"), (mass_org, "selective")},
        {(bureau, "direct"), (mass_org, "direct")},
    ]


def test_the_market_scenario_has_a_name_of_its_own(small: Scenario) -> None:
    model = ContractingModel(small, rng=3, favouritism=0.4)
    assert model.market_scenario == small.replace(favouritism=0.4)
    model.step()
    assert model.rules["favouritism"] == 0.4 and model.rules.year == model.year == 1
    if hasattr(mesa.Model, "scenario"):
        # From Mesa 3.5 ``model.scenario`` is Mesa's own experiment scenario.
        assert not isinstance(model.scenario, Scenario)
    else:
        with pytest.warns(DeprecationWarning, match="market_scenario"):
            assert model.scenario is model.market_scenario


def test_the_old_scenario_keyword_still_names_the_market(small: Scenario) -> None:
    with pytest.warns(DeprecationWarning, match="market_scenario"):
        model = ContractingModel(scenario=small, rng=3)
    assert model.market_scenario == small
    assert model.run().summary() == ContractingModel(small, rng=3).run().summary()


def test_to_toml_round_trip(small: Scenario, write_toml: WriteToml) -> None:
    s = Scenario(
        {**dict(small), "tendering": "selective", "contract_value": 123456.789},
        name="round-trip",
        description='Quotes " and backslashes \\ survive.',
        changes=[
            {"year": 2, "favouritism": 0.55, "evaluation": "outcome"},
            {"year": 4, "contract_years": 1},
        ],
    )
    loaded = load_scenario(write_toml(s.to_toml(), "rt.toml"))
    assert loaded == s
    assert dict(loaded) == dict(s)
    assert loaded.name == s.name
    assert loaded.description == s.description
    assert loaded.changes == s.changes
    assert hash(loaded) == hash(s)


def test_to_toml_round_trip_of_a_multi_line_description(write_toml: WriteToml) -> None:
    s = Scenario(name="ml", description="First line.\nSecond line.\tTabbed.")
    loaded = load_scenario(write_toml(s.to_toml(), "ml.toml"))
    assert loaded.description == s.description


def test_pickle_round_trip(small: Scenario) -> None:
    s = Scenario(dict(small), name="p", description="d", changes=[(3, {"reshuffle": 0.9})])
    back = pickle.loads(pickle.dumps(s))
    assert back == s
    assert back.name == "p" and back.description == "d"
    assert back.changes == s.changes
    assert isinstance(back, Scenario)


def test_equality_and_hash_depend_on_values_and_changes(small: Scenario) -> None:
    assert small == Scenario(dict(small))
    assert hash(small) == hash(Scenario(dict(small)))
    assert small != small.replace(favouritism=0.9)
    assert small != Scenario(dict(small), changes=[(2, {"favouritism": 0.9})])
    assert small != dict(small)
    # The order of keys within a dated change matters to neither.
    a = Scenario(changes=[{"year": 2, "favouritism": 0.3, "tie_decay": 0.2}])
    b = Scenario(changes=[{"year": 2, "tie_decay": 0.2, "favouritism": 0.3}])
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1


def test_builtin_baseline_loads() -> None:
    assert "baseline" in builtin_names()
    s = load_scenario("baseline")
    assert s.name == "baseline"
    assert s.description
    assert s["tendering"] == "open"
    assert s["contract_years"] == 3
    assert s["districts_per_city"] == 12
    assert load_scenario(s) is s
    assert load_scenario(None) == Scenario()


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_scenario_loads_and_round_trips(name: str, write_toml: WriteToml) -> None:
    s = load_scenario(name)
    assert s.name == name
    assert s.description
    again = load_scenario(write_toml(s.to_toml(), f"{name}.toml"))
    assert again == s and again.changes == s.changes


def test_load_from_path_and_string(write_toml: WriteToml) -> None:
    path = write_toml('[parameters]\nyears = 4\ntendering = "direct"\n', "mine.toml")
    for arg in (path, str(path)):
        s = load_scenario(arg)
        assert s.name == "mine"  # the file name when no name is given
        assert s["years"] == 4 and s["tendering"] == "direct"


def test_every_parameter_default_is_valid() -> None:
    for p in PARAMETERS.values():
        assert p.check(p.default) == p.default
        if p.numeric:
            assert p.low <= p.default <= p.high
        else:
            assert p.default in p.choices


def test_parse_command_line_text() -> None:
    assert PARAMETERS["years"].parse(" 7 ") == 7
    assert PARAMETERS["years"].parse("7.0") == 7
    assert PARAMETERS["favouritism"].parse("0.25") == 0.25
    assert PARAMETERS["tendering"].parse("direct") == "direct"
    assert set(PARAMETERS["tendering"].choices) == set(TENDERING_MODES)


# ------------------------------------------------------------------- the error catalogue
# Each API case: keyword arguments for Scenario(...), and the regular expression the
# message must match: it names the parameter, the bad value and what is allowed.
BAD_VALUES: list[tuple[str, dict[str, Any], str]] = [
    (
        "typo suggests the closest name",
        {"favoritism": 0.5},
        r"unknown parameter 'favoritism'; did you mean 'favouritism'\?",
    ),
    (
        "string for int",
        {"years": "ten"},
        r"parameter 'years': 'ten' is not a number; expected an integer in \[1, 200\]",
    ),
    (
        "bool for int",
        {"years": True},
        r"parameter 'years': a true/false value is not a number; expected an integer in \[1, 200\]",
    ),
    (
        "bool for float",
        {"favouritism": False},
        r"parameter 'favouritism': a true/false value is not a number; expected a number",
    ),
    (
        "float for int",
        {"years": 2.5},
        r"parameter 'years': 2\.5 is not an integer; expected an integer in \[1, 200\]",
    ),
    (
        "out of range low",
        {"years": 0},
        r"parameter 'years': 0 is out of range; expected an integer in \[1, 200\]",
    ),
    (
        "out of range high",
        {"favouritism": 1.5},
        r"parameter 'favouritism': 1\.5 is out of range; expected a number in \[0, 1\]",
    ),
    (
        "negative where not allowed",
        {"budget_growth": -0.75},
        r"parameter 'budget_growth': -0\.75 is out of range; expected a number in "
        r"\[-0\.5, 2\]",
    ),
    (
        "infinity",
        {"contract_value": float("inf")},
        r"parameter 'contract_value': inf is out of range; expected a number in "
        r"\[10000, 1000000000\]",
    ),
    (
        "NaN",
        {"favouritism": float("nan")},
        r"parameter 'favouritism': NaN is not allowed; expected a number in \[0, 1\]",
    ),
    (
        "bad choice for tendering",
        {"tendering": "closed"},
        r"parameter 'tendering': 'closed' is not allowed; expected one of 'open', "
        r"'selective', 'intermediary', 'direct'",
    ),
    (
        "number for a choice",
        {"evaluation": 1},
        r"parameter 'evaluation': 1 is not allowed; expected one of 'workload', "
        r"'outcome', 'mixed'",
    ),
    (
        "None",
        {"n_bureaux": None},
        r"parameter 'n_bureaux': None is not a number; expected an integer",
    ),
    (
        "shares sum above 1",
        {"share_specialist": 0.5, "share_community": 0.4, "share_grassroots": 0.3},
        r"'share_specialist' \+ 'share_community' \+ 'share_grassroots' sum to 1\.2; "
        r"expected at most 1",
    ),
    (
        "all award weights 0",
        {"price_weight": 0, "reputation_weight": 0, "workload_weight": 0},
        r"'price_weight', 'reputation_weight' and 'workload_weight' are all 0; "
        r"expected at least one above 0",
    ),
]


@pytest.mark.parametrize(
    ("values", "message"), [c[1:] for c in BAD_VALUES], ids=[c[0] for c in BAD_VALUES]
)
def test_bad_values_give_clear_errors(values: dict[str, Any], message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        Scenario(values)


@pytest.mark.parametrize(
    ("values", "message"), [c[1:] for c in BAD_VALUES], ids=[c[0] for c in BAD_VALUES]
)
def test_bad_keyword_arguments_of_the_model_give_the_same_errors(
    small: Scenario, values: dict[str, Any], message: str
) -> None:
    with pytest.raises(ScenarioError, match=message):
        ContractingModel(small, rng=0, **values)


BAD_CHANGES: list[tuple[str, Any, str]] = [
    ("missing year", [{"favouritism": 0.5}], r"change #1 has no 'year'; expected an integer"),
    (
        "year 0",
        [{"year": 0, "favouritism": 0.5}],
        r"change #1: 'year' = 0 is not allowed; expected an integer >= 1",
    ),
    (
        "year as text",
        [{"year": 2, "favouritism": 0.1}, {"year": "three", "favouritism": 0.5}],
        r"change #2: 'year' = 'three' is not allowed; expected an integer >= 1",
    ),
    (
        "year as bool",
        [{"year": True, "favouritism": 0.5}],
        r"change #1: 'year' = a true/false value is not allowed",
    ),
    ("nothing changed", [{"year": 2}], r"change #1 \(year 2\) changes no parameter"),
    (
        "structural parameter",
        [{"year": 2, "n_bureaux": 3}],
        r"change #1: parameter 'n_bureaux' sets the market's size and cannot change "
        r"during a run",
    ),
    (
        "unknown name",
        [{"year": 2, "favoritism": 0.5}],
        r"unknown parameter 'favoritism'; did you mean 'favouritism'\?",
    ),
    (
        "bad value",
        [{"year": 2, "favouritism": 2}],
        r"parameter 'favouritism': 2(\.0)? is out of range; expected a number in \[0, 1\]",
    ),
    (
        "change zeroes the award weights",
        [{"year": 2, "price_weight": 0, "reputation_weight": 0, "workload_weight": 0}],
        r"are all 0; expected at least one above 0",
    ),
    (
        "changes zero the award weights together",
        [
            {"year": 2, "price_weight": 0, "reputation_weight": 0},
            {"year": 3, "workload_weight": 0},
        ],
        r"from the rule change of year 3 on, parameters .* are all 0; expected at least one",
    ),
    (
        "not a list",
        {"year": 2, "favouritism": 0.5},
        r"'changes' must be a list of tables \(\[\[changes\]\]\), got dict",
    ),
    (
        "two changes of one year (a TOML file of them could not be read again)",
        [{"year": 9, "contract_years": 5}, {"year": 9, "favouritism": 0.1}],
        r"changes #1 and #2 are both for year 9; put their values in one change",
    ),
    (
        "not a table",
        [3],
        r"change #1 must be a table with 'year' and new values \(or a \(year, values\) pair\), "
        "got 3",
    ),
]


@pytest.mark.parametrize(
    ("changes", "message"), [c[1:] for c in BAD_CHANGES], ids=[c[0] for c in BAD_CHANGES]
)
def test_bad_changes_give_clear_errors(changes: Any, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        Scenario(changes=changes)


BAD_FILES: list[tuple[str, str | bytes, str]] = [
    ("malformed TOML", "[parameters]\nyears = = 3\n", r"malformed TOML: .*line 2"),
    (
        "unknown top-level key",
        'colour = "red"\n[parameters]\nyears = 3\n',
        r"unknown top-level key 'colour'; allowed top-level keys are name, "
        r"description, \[parameters\] and \[\[changes\]\]",
    ),
    (
        "parameter at top level",
        "years = 3\n",
        r"unknown top-level key 'years'; put it under \[parameters\] as `years = \.\.\.`",
    ),
    ("parameters not a table", "parameters = 3\n", r"'parameters' must be a table"),
    (
        "typo in [parameters]",
        "[parameters]\nfavoritism = 0.5\n",
        r"unknown parameter 'favoritism'; did you mean 'favouritism'\?",
    ),
    (
        "string for int in TOML",
        '[parameters]\nyears = "ten"\n',
        r"parameter 'years': 'ten' is not a number; expected an integer in \[1, 200\]",
    ),
    (
        "float for int in TOML",
        "[parameters]\nn_bureaux = 2.5\n",
        r"parameter 'n_bureaux': 2\.5 is not an integer; expected an integer in "
        r"\[0, 100000\]",
    ),
    (
        "bool for int in TOML",
        "[parameters]\nyears = true\n",
        r"parameter 'years': a true/false value is not a number",
    ),
    (
        "NaN in TOML",
        "[parameters]\nfavouritism = nan\n",
        r"parameter 'favouritism': NaN is not allowed; expected a number in \[0, 1\]",
    ),
    (
        "bad choice in TOML",
        '[parameters]\ntendering = "auction"\n',
        r"parameter 'tendering': 'auction' is not allowed; expected one of 'open'",
    ),
    ("[[changes]] missing year", "[[changes]]\nfavouritism = 0.5\n", r"change #1 has no 'year'"),
    (
        "[[changes]] bad year",
        "[[changes]]\nyear = -2\nfavouritism = 0.5\n",
        r"change #1: 'year' = -2 is not allowed; expected an integer >= 1",
    ),
    (
        "[[changes]] structural parameter",
        "[[changes]]\nyear = 3\ninitial_ngos = 10\n",
        r"parameter 'initial_ngos' sets the market's size and cannot change",
    ),
    (
        "[[changes]] unknown name",
        "[[changes]]\nyear = 3\ntenderng = 'direct'\n",
        r"unknown parameter 'tenderng'; did you mean 'tendering'\?",
    ),
    (
        "[changes] as a single table",
        "[changes]\nyear = 3\nfavouritism = 0.5\n",
        r"'changes' must be a list of tables",
    ),
    (
        "shares sum above 1 in TOML",
        "[parameters]\nshare_specialist = 0.6\nshare_community = 0.6\n",
        r"sum to 1\.45; expected at most 1",
    ),
    ("non-UTF-8 file", b"name = 'caf\xe9'\n", r"not a UTF-8 text file"),
]


@pytest.mark.parametrize(
    ("text", "message"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_bad_files_give_clear_errors_naming_the_file(
    write_toml: WriteToml, text: str | bytes, message: str
) -> None:
    path = write_toml(text, "bad.toml")
    with pytest.raises(ScenarioError, match=message) as info:
        load_scenario(path)
    assert str(info.value).startswith(f"{path}: ")
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    with pytest.raises(ScenarioError, match=r"scenario file '.*nowhere\.toml' does not exist"):
        load_scenario(path)
    with pytest.raises(ScenarioError, match=r"does not exist"):
        load_scenario(str(tmp_path / "sub" / "nowhere"))


def test_folder_instead_of_file(tmp_path: Path) -> None:
    folder = tmp_path / "scenarios.toml"
    folder.mkdir()
    with pytest.raises(ScenarioError, match=r"'.*scenarios\.toml' is a folder, not a \.toml file"):
        load_scenario(folder)


@pytest.mark.parametrize("values", [[("years", 3)], "years=3", 3])
def test_values_that_are_not_a_mapping(values: Any) -> None:
    with pytest.raises(ScenarioError, match=r"parameter values must be a mapping of name to value"):
        Scenario(values)


def test_unknown_builtin_scenario_suggests_the_closest() -> None:
    with pytest.raises(
        ScenarioError,
        match=r"unknown scenario 'basline'; did you mean 'baseline'\? \(built-in "
        r"scenarios: .*baseline",
    ):
        load_scenario("basline")
    with pytest.raises(ScenarioError, match=r"unknown scenario 'zzz' \(built-in scenarios"):
        load_scenario("zzz")


def test_error_messages_are_one_line() -> None:
    cases: list[Callable[[], Any]] = [
        lambda: Scenario({"favoritism": 1}),
        lambda: Scenario({"years": "x"}),
        lambda: Scenario(changes=[{"favouritism": 1}]),
        lambda: load_scenario("basline"),
    ]
    for case in cases:
        with pytest.raises(ScenarioError) as info:
            case()
        message = str(info.value)
        assert message and "\n" not in message
        assert not re.search(r"Traceback|Error\(", message)


@pytest.mark.parametrize("rng", ["abc", -1, 1.5, True, [1, -2], []])
def test_a_bad_seed_is_refused_in_one_line(rng: object) -> None:
    with pytest.raises(TypeError, match=r"^rng: .* is not a seed; expected None, a non-neg"):
        ContractingModel("baseline", rng=rng)


def _series(rng: object) -> pd.DataFrame:
    return ContractingModel("baseline", years=3, rng=rng).run().series()


def test_a_generator_is_drawn_from_like_any_generator() -> None:
    """Before, a model read only the seed a generator was made from: models made one
    after another from one generator were the same run, and two generators in the same
    state (jumped, or restored from a state) ran differently."""
    shared = np.random.default_rng(0)
    first, second = _series(shared), _series(shared)
    assert not first.equals(second)
    assert first.equals(_series(0))  # a generator just made from a seed runs as the seed
    assert _series(np.random.PCG64(5)).equals(_series(5))
    jumped = [np.random.Generator(np.random.PCG64(1).jumped()) for _ in range(2)]
    assert _series(jumped[0]).equals(_series(jumped[1]))
    restored = np.random.default_rng(9)
    restored.random(3)
    copy = np.random.default_rng()
    copy.bit_generator.state = restored.bit_generator.state
    assert _series(restored).equals(_series(copy))


@pytest.mark.parametrize("key", ["name", "changes"])
def test_model_keywords_are_parameters_only(key: str) -> None:
    """Before, ``name=`` renamed the scenario and ``changes=[]`` dropped its dated rule
    changes without a word."""
    with pytest.raises(ScenarioError, match=f"^{key!r} is not a parameter: ContractingModel"):
        ContractingModel("guangzhou_ifsc", rng=1, **{key: []})


def test_an_empty_set_of_cities_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one city"):
        ContractingModel("baseline", rng=1, cities=[])


@pytest.mark.parametrize("cities", [[0.7], "a", 0, [None], [True]])
def test_cities_that_are_not_city_indices_are_refused(cities: object) -> None:
    """Before, ``[0.7]`` ran city 0 and the others failed deep in Python."""
    with pytest.raises(TypeError, match=r"^cities: .* (is not a city index|list of city)"):
        ContractingModel("baseline", rng=1, cities=cities)


def test_contract_table_keeps_its_columns_when_no_contract_is_in_force() -> None:
    model = ContractingModel(load_scenario("baseline").replace(years=1, initial_ngos=0), rng=1)
    table = model.run().contract_table()
    assert table.empty and list(table.columns) == [
        *("purchaser", "purchaser_kind", "city", "ngo", "price", "start", "end", "tie")
    ]


# ------------------------------------------------------------- the 2012 registration reform
REGISTRATION_REFORM = 2012
"""LSE n.d.: "in July 2012 the Ministry of Civil Affairs changed the framework to enable
certain types of NGOs to register directly"; the scenarios apply it from model year 2012."""


@pytest.mark.parametrize("name", builtin_names())
def test_registration_follows_the_calendar_of_the_reform(name: str) -> None:
    """A dated scenario needs two sponsors in the years before 2012 and registers directly
    from 2012; an undated one registers directly in every year (the rules since 2012)."""
    scenario = load_scenario(name)
    rules = None
    for year in range(1, scenario["years"] + 1):
        rules = scenario.rules(year, previous=rules)
        if scenario.start_year is None:
            expected = "direct"
        else:
            calendar = scenario.start_year + year - 1
            expected = "dual_sponsor" if calendar < REGISTRATION_REFORM else "direct"
        assert rules["registration"] == expected, (name, year)


# --------------------------------------------------------------------------- dated changes
def test_a_value_given_holds_until_a_dated_change_sets_it_again() -> None:
    """``replace`` sets the value a run starts with; ``fixed`` gives it for the whole run;
    ``replace(changes=...)`` replaces the dated changes; ``superseded`` says which given
    values a dated change sets again."""
    guangzhou = load_scenario("guangzhou_ifsc")
    (reform,) = [year for year, change in guangzhou.changes if "contract_years" in change]
    replaced = guangzhou.replace(contract_years=1)
    assert replaced.at_year(reform - 1)["contract_years"] == 1
    assert replaced.at_year(reform)["contract_years"] == 5
    (line,) = replaced.superseded(["contract_years", "favouritism"], "by --set")
    assert f"until year {reform - 1}" in line and f"year {reform} sets it to 5" in line
    fixed = guangzhou.fixed(contract_years=1)
    assert {fixed.at_year(y)["contract_years"] for y in range(1, fixed["years"] + 1)} == {1}
    assert fixed.superseded(["contract_years"], "by --set") == []
    # The other changes of that year and the other years stay.
    assert fixed.at_year(reform)["contract_value"] == guangzhou.at_year(reform)["contract_value"]
    assert len(fixed.changes) == len(guangzhou.changes)
    assert guangzhou.replace(changes=[]).changes == ()
    assert guangzhou.replace(changes=[{"year": 2, "favouritism": 0.9}]).at_year(2)[
        "favouritism"
    ] == pytest.approx(0.9)
    # A change past the run's end does not set anything again.
    assert (
        guangzhou.replace(years=reform - 1, contract_years=1).superseded(
            ["contract_years"], "by --set"
        )
        == []
    )


def test_a_bare_builtin_name_means_the_builtin_whatever_the_folder_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline").mkdir()
    (tmp_path / "thin_market").write_text("not toml", encoding="utf-8")
    assert load_scenario("baseline") == load_scenario(builtin_dir() / "baseline.toml")
    assert load_scenario("thin_market").name == "thin_market"
    with pytest.raises(ScenarioError, match="is a folder"):
        load_scenario("./baseline")
    (tmp_path / "my_city.toml").write_text("[parameters]\nyears = 3\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"did you mean the file 'my_city\.toml'\?"):
        load_scenario("my_city")


def test_a_calendar_year_given_as_a_change_year_is_named_as_a_model_year() -> None:
    dated = Scenario(start_year=2010, changes=[{"year": 2018, "contract_years": 5}])
    (line,) = dated.unreached_changes()
    assert "2018 is model year 9" in line
    undated = Scenario(changes=[{"year": 2018, "contract_years": 5}])
    assert "model year" not in undated.unreached_changes()[0]


def test_an_edited_copy_of_a_builtin_under_its_name_is_warned_of(tmp_path: Path) -> None:
    text = (builtin_dir() / "thin_market.toml").read_text(encoding="utf-8")
    same, edited = tmp_path / "same.toml", tmp_path / "edited.toml"
    same.write_text(text, encoding="utf-8")
    edited.write_text(text.replace("[parameters]", "[parameters]\nfavouritism = 0.9"), "utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_scenario(same) == load_scenario("thin_market")
    with pytest.warns(ScenarioWarning, match=r"named 'thin_market' like the built-in scenario"):
        load_scenario(edited)


@pytest.mark.parametrize("text", ["", "\n# nothing yet\n", "[parameters]\n"])
def test_a_file_that_sets_nothing_warns_that_it_runs_the_defaults(
    text: str, write_toml: WriteToml
) -> None:
    path = write_toml(text)
    with pytest.warns(ScenarioWarning, match=r"the file sets nothing .* default of every"):
        scenario = load_scenario(path)
    assert dict(scenario) == dict(Scenario())


def test_a_file_that_sets_only_a_name_runs_the_defaults_quietly(write_toml: WriteToml) -> None:
    path = write_toml('name = "defaults"\n')
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioWarning)
        assert dict(load_scenario(path)) == dict(Scenario())
