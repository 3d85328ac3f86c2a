"""Errors of scenarios, parameters and market size in the language in use.

A scenario file, a ``--set`` value or a market too large is refused with one line in
the language of ``--lang``: the command line's prefix and the library's reason alike.
From Python (no language chosen) the same errors read in English, word for word as
before.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from test_cli_chinese import english_lines

from simcontract import cli, cli_discover, i18n, marketsize
from simcontract.params import PARAMETERS, RETIRED, check_joint, unknown_message
from simcontract.scenario import Scenario, ScenarioError, load_scenario, load_sources
from simcontract.sources import SOURCES

ROOT = Path(__file__).resolve().parent.parent / "simcontract"

SMALL = 'name = "small"\n[parameters]\nyears = 3\nn_bureaux = 3\ndistricts_per_city = 2\n'


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """The one line ``simcontract ARGV --lang zh_CN`` prints on stderr; exit status 2,
    nothing on stdout."""
    capsys.readouterr()
    assert cli.main([*argv, "--lang", "zh_CN"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith("simcontract: 错误：")
    return line


KEPT = (
    "simcontract",
    "toml",
    "int",
    "open",
    "NaN",
    "TOML",
    "GiB",
    "BOM",
    "UTF",
    "FIFO",
    "ODD",
    "Sobol",
)
"""Terms the Chinese messages keep in Latin letters (a file type, a Python type, an
example value, technical terms)."""

TYPED = ("parameters", "changes", "sources", "name", "description", "start_year", "year", "values")
"""Keys of a scenario file, named as the file writes them."""


def assert_chinese(line: str, *words: str) -> None:
    """``line`` holds each of ``words`` and no English word outside names."""
    for word in words:
        assert word in line, (word, line)
    assert english_lines(line, KEPT + TYPED + tuple(SOURCES)) == [], line


def scenario_file(tmp_path: Path, text: str, name: str = "s.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# --------------------------------------------------------------------------- --set values
@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ("favouritism=2", ["参数 'favouritism'", "超出范围", "[0, 1] 之间的数"]),
        ("favouritism=abc", ["不是数值"]),
        ("years=2.5", ["不是整数", "[1, 200] 之间的整数"]),
        ("budget_growth=nan", ["不允许取 NaN"]),
        ("tendering=auction", ["不是允许的取值", "'open'、'selective'"]),
        ("favoritism=0.5", ["未知参数 'favoritism'", "是否想写 'favouritism'"]),
        ("dependent_compliance=0.5", ["已不再存在", "拒绝"]),
    ],
)
def test_a_bad_set_value_is_refused_in_chinese(
    capsys: pytest.CaptureFixture[str], setting: str, words: list[str]
) -> None:
    line = refused(capsys, "run", "baseline", "--set", setting)
    assert_chinese(line, f"--set '{setting}'：", *words)


def test_weights_all_zero_are_refused_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    zero = ["price_weight=0", "reputation_weight=0", "workload_weight=0"]
    line = refused(capsys, "run", "baseline", *[f"--set={z}" for z in zero])
    assert_chinese(line, "均为 0", "应至少有一个大于 0")
    line = refused(capsys, "run", "baseline", "--set", "share_specialist=0.9")
    assert_chinese(line, "之和为", "应不超过 1（其余为社工机构）")


# --------------------------------------------------------------------------- scenario files
BAD_FILES = {
    "malformed TOML": ("[parameters]\nfavouritism = high\n", ["第 2 行", "文本要加引号"]),
    "key twice": ("[parameters]\nyears = 3\nyears = 4\n", ["出现了两次"]),
    "two values on a line": ("[parameters]\nyears = 3 4\n", ["每行只写一个"]),
    "unknown top-level key": (
        "[parameter]\nyears = 3\n",
        ["未知的顶层键", "是否想写 [parameters]"],
    ),
    "parameter at the top": ("favouritism = 0.5\n", ["请把它写在 [parameters] 下"]),
    "a true/false value": ("[parameters]\nyears = true\n", ["布尔值", "不是数值"]),
    "parameters not a table": ("parameters = 3\n", ["必须是一个表"]),
    "name too long": (f'name = "{"x" * 101}"\n', ["长 101 个字符", "最多允许 100 个"]),
    "name empty": ('name = " "\n', ["为空", "简短的名称"]),
    "name not text": ("name = 3\n", ["必须是文本"]),
    "start_year": ("start_year = 1800\n", ["公历年份", "1949 到 2100"]),
    "changes not a list": ("changes = 3\n", ["必须是由表组成的列表"]),
    "change without year": ("[[changes]]\nfavouritism = 0.5\n", ["缺少 'year'"]),
    "change of year 0": ("[[changes]]\nyear = 0\nfavouritism = 0.5\n", ["不小于 1 的整数"]),
    "change of nothing": ("[[changes]]\nyear = 2\n", ["没有改变任何参数"]),
    "change of a bad value": (
        "[[changes]]\nyear = 2\nfavouritism = 3\n",
        ["第 1 项变动", "超出范围"],
    ),
    "change of the run's length": ("[[changes]]\nyear = 2\nyears = 5\n", ["运行的年数"]),
    "two changes of one year": (
        "[[changes]]\nyear = 2\nfavouritism = 0.1\n[[changes]]\nyear = 2\nfavouritism = 0.2\n",
        ["第 1 项和第 2 项变动都在第 2 年", "[[changes]] 表"],
    ),
    "change breaks the joint rules": (
        "[parameters]\nprice_weight = 0\nreputation_weight = 0\n[[changes]]\nyear = 2\n"
        "workload_weight = 0\n",
        ["自第 2 年的规则变动起", "均为 0"],
    ),
    "a source for no value": ('[sources]\nfavouritism = "assumption"\n', ["[sources]", "没有设定"]),
    "a source for no parameter": ('[sources]\nfavoritism = "assumption"\n', ["未知参数"]),
    "sources not a table": ("sources = 3\n", ["文献引用键的表"]),
    "an unknown source": (
        '[parameters]\nfavouritism = 0.5\n[sources]\nfavouritism = "zz"\n',
        ["未知的来源 'zz'", "之一", "lse_nd、"],
    ),
    "an empty list of sources": (
        "[parameters]\nfavouritism = 0.5\n[sources]\nfavouritism = []\n",
        ["来源 [] 不可用", "列表"],
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_scenario_file_is_refused_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    text, words = BAD_FILES[case]
    path = scenario_file(tmp_path, text)
    line = refused(capsys, "run", path)
    assert_chinese(line, f"{path}：", *words)
    assert refused(capsys, "params", path) == line  # the pass-through of `params`


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\xef\xbb\xbfname = 'x'\n", ["字节顺序标记", "不带 BOM 的 UTF-8"]),
        (b"name = '\xff'\n", ["不是 UTF-8 文本文件"]),
    ],
)
def test_a_file_of_the_wrong_encoding_is_refused_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, words: list[str]
) -> None:
    path = tmp_path / "s.toml"
    path.write_bytes(content)
    assert_chinese(refused(capsys, "run", str(path)), *words)


def test_a_missing_or_unknown_scenario_is_refused_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "none.toml")
    assert_chinese(refused(capsys, "run", missing), "情景文件", "不存在")
    assert_chinese(refused(capsys, "run", str(tmp_path) + "/"), "是文件夹")
    line = refused(capsys, "run", "basline")
    assert_chinese(line, "未知的情景 'basline'", "是否想写 'baseline'", "baseline、")
    assert_chinese(refused(capsys, "run", " "), "为空", "内置情景的名称")
    assert_chinese(refused(capsys, "calibrate", "basline"), "未知的情景")  # its pass-through


def test_a_market_too_large_is_refused_in_chinese(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(marketsize, "memory_limit", lambda: 1)
    line = refused(capsys, "run", "baseline")
    assert_chinese(line, "规模过大", "本机内存的 50%", "请调低")
    with pytest.raises(ScenarioError, match=r"^scenario 'baseline' is too large to run: it "):
        marketsize.check_market_size(load_scenario("baseline"))


# --------------------------------------------------------------------------- warnings
def test_warnings_of_a_scenario_read_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each warning of a scenario (a change never reached, one the model never reads, a
    value of --set that a change overrides, a file that sets nothing, a built-in's name)
    is one Chinese line."""
    dated = SMALL + "[[changes]]\nyear = 2\ncontract_years = 1\ninitial_experience = 2\n"
    dated += "[[changes]]\nyear = 9\nfavouritism = 0.1\n"
    path = scenario_file(tmp_path, dated)
    capsys.readouterr()
    argv = ["run", path, "--set", "contract_years=2", "--lang", "zh_CN"]
    assert cli.main(argv) == 0
    warnings = capsys.readouterr().err.splitlines()
    assert len(warnings) == 3, warnings
    for line in warnings:
        assert line.startswith("simcontract: 警告：")
        assert_chinese(line)
    said = "\n".join(warnings)
    assert "第 9 年的规则变动不会生效：运行只持续 3 年" in said
    assert "只在第 1 年（建立市场时）读取它" in said
    assert "contract_years（由 --set 给出）只到第 1 年为止有效" in said
    empty = scenario_file(tmp_path, "[parameters]\n", "empty.toml")
    builtin = scenario_file(tmp_path, 'name = "baseline"\n[parameters]\nyears = 2\n', "b.toml")
    for path, words in ((empty, "没有设定任何内容"), (builtin, "与内置情景相同")):
        capsys.readouterr()
        assert cli.main(["params", path, "--lang", "zh_CN"]) == 0
        (line,) = capsys.readouterr().err.splitlines()
        assert_chinese(line, "simcontract: 警告：", words)


def test_warnings_stay_english_from_python(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, SMALL + "[[changes]]\nyear = 9\nfavouritism = 0.1\n")
    with pytest.warns(UserWarning) as caught:
        scenario = load_scenario(path)
    assert str(caught[0].message) == (
        f"{path}: the rule change of year 9 never takes effect: the run lasts 3 years "
        "(parameter 'years')"
    )
    assert (
        scenario.replace(years=1)
        .unreached_changes()[0]
        .endswith("lasts 1 year (parameter 'years')")
    )
    dated = Scenario({"years": 5}, changes=[{"year": 3, "favouritism": 0.1}], start_year=2000)
    with i18n.use_language("zh_CN"):
        (line,) = dated.replace(years=2).unreached_changes()
        (over,) = dated.superseded(["favouritism"], i18n.text("errors.scenario.by_set"))
    assert "模型年" not in line and "运行只持续 2 年" in line
    assert (
        over == "favouritism（由 --set 给出）只到第 2 年为止有效：情景第 3 年的规则变动把它设为 0.1"
    )
    calendar = Scenario({"years": 5}, changes=[{"year": 2003, "favouritism": 0.1}], start_year=2000)
    with i18n.use_language("zh_CN"):
        assert "所以 2003 是模型第 4 年" in calendar.unreached_changes()[0]


# --------------------------------------------------------------------------- English as before
ENGLISH = {
    "out of range": (
        lambda: PARAMETERS["favouritism"].parse("2"),
        "parameter 'favouritism': 2.0 is out of range; expected a number in [0, 1]",
    ),
    "a true/false value": (
        lambda: PARAMETERS["tendering"].check(True),
        "parameter 'tendering': a true/false value is not allowed; expected one of 'open', "
        "'selective', 'intermediary', 'direct'",
    ),
    "not an integer": (
        lambda: PARAMETERS["years"].check(2.5),
        "parameter 'years': 2.5 is not an integer; expected an integer in [1, 200]",
    ),
    "NaN": (
        lambda: PARAMETERS["favouritism"].check(float("nan")),
        "parameter 'favouritism': NaN is not allowed; expected a number in [0, 1]",
    ),
    "not a number": (
        lambda: PARAMETERS["favouritism"].parse("5_0"),
        "parameter 'favouritism': '5_0' is not a number; expected a number in [0, 1]",
    ),
    "shares": (
        lambda: Scenario({"share_specialist": 0.6, "share_community": 0.6}),
        "parameters 'share_specialist' + 'share_community' + 'share_grassroots' sum to 1.45; "
        "expected at most 1 (the rest are general agencies)",
    ),
    "indicator weights": (
        lambda: Scenario({f"workload_regime_{i}": 0 for i in ("hours", "documents", "outcome")}),
        "parameters 'workload_regime_hours', 'workload_regime_documents' and "
        "'workload_regime_outcome' are all 0; expected at least one above 0 (they are the "
        "evaluators' indicator weights under the workload regime)",
    ),
    "retired": (
        lambda: Scenario({"dependent_compliance": 0.5}),
        "parameter 'dependent_compliance' no longer exists: since 0.2 an NGO's compliance with "
        "extra duties follows what a refusal puts at stake (`refusal_caution`, ODD 7.13), not "
        "an assumed slope",
    ),
    "run parameter changed": (
        lambda: Scenario({"favouritism": 0.5}, changes=[{"year": 2, "years": 4}]),
        "change #1: parameter 'years' sets the run's length and cannot change during a run; "
        "only rule parameters can (set it in [parameters])",
    ),
    "unknown top-level key": (
        lambda: Scenario.from_dict({"parameter": {}}, source="x.toml"),
        "x.toml: unknown top-level key 'parameter' (did you mean [parameters]?); allowed "
        "top-level keys are name, description, [parameters] and [[changes]] (and [sources], "
        "the sources of the values; start_year, the calendar year of model year 1)",
    ),
    "control character": (
        lambda: Scenario(name="a\nb"),
        "'name' 'a\\nb' holds a line break or control character",
    ),
    "empty change": (
        lambda: Scenario(changes=[{"year": 2}]),
        "change #1 (year 2) changes no parameter",
    ),
    "source of no value": (
        lambda: Scenario.from_dict({"sources": {"favouritism": "assumption"}}),
        "[sources]: 'favouritism' is not set in [parameters]; a source belongs to a value the "
        "file sets",
    ),
    "unknown scenario": (
        lambda: load_scenario("basline"),
        "unknown scenario 'basline'; did you mean 'baseline'? (built-in scenarios: "
        "baseline, beijing_piecemeal, guangzhou_ifsc, luoshan_delegation, "
        "mass_org_partnership, moca_2012_fund, shanghai_hub, thin_market; or give a path to a "
        ".toml file)",
    ),
}


@pytest.mark.parametrize("case", ENGLISH)
def test_english_messages_are_unchanged(case: str) -> None:
    call, expected = ENGLISH[case]
    with pytest.raises(ValueError) as caught:
        call()
    assert str(caught.value) == expected


def test_a_bad_toml_file_reads_as_before(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, "[parameters]\nfavouritism = high\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value) == (
        f"{path}: malformed TOML: line 2 ('favouritism = high'): a value TOML cannot read: "
        'text goes in quotes (tendering = "open"), numbers are plain (2000000, 2.0e6, 0.5)'
    )
    folder = str(tmp_path)
    with pytest.raises(
        ScenarioError, match=rf"^scenario file {re.escape(repr(folder))} is a folder"
    ):
        load_sources(folder + "/")


def test_every_retired_parameter_says_what_took_its_place() -> None:
    for name in RETIRED:
        for lang in i18n.LANGUAGES:
            with i18n.use_language(lang):
                reason = unknown_message(name)
            assert "retired_because" not in reason and len(reason) > 40, (lang, reason)


def test_joint_names_are_found_in_a_chinese_message() -> None:
    """The app reads the parameters a combination ties together from the message (in
    quotes), in either language."""
    from simcontract.appstate import joint_names

    values = {**Scenario(), "price_weight": 0.0, "reputation_weight": 0.0}
    values |= {f"{r}_regime_award": 0.0 for r in ("workload", "mixed", "outcome")}
    with i18n.use_language("zh_CN"), pytest.raises(ValueError) as caught:
        check_joint(values)
    assert "均为 0" in str(caught.value)
    assert {"price_weight", "reputation_weight"} <= set(joint_names(caught.value))


# --------------------------------------------------------------------------- the command line's own
def test_a_sobol_size_not_a_power_of_two_is_refused_in_chinese(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["sweep", "baseline", "--sobol", "3", "--param", "favouritism"]
    line = refused(capsys, *argv)
    assert_chinese(line, "--sobol 3：", "2 的幂", "--sobol 2 或 --sobol 4")
    assert cli.main(argv) == 2
    assert capsys.readouterr().err.startswith(
        "simcontract: error: --sobol 3: n must be a power of 2 (1, 2, 4, 8, 16, 32, …), else "
        "the Sobol' sequence loses its balance"
    )


def test_a_failed_discovery_says_the_runs_are_kept_in_chinese(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from simcontract.experiment import discovery

    def fails(*_args: Any, **_kwargs: Any) -> None:
        raise discovery.DiscoveryError("--min-density")

    monkeypatch.setattr(discovery, "discover", fails)
    args = SimpleNamespace(min_density=0.5, max_boxes=1, mass_min=0.05, max_qp=1, seed=0)
    results = SimpleNamespace(directory="/tmp/runs")
    with i18n.use_language("zh_CN"), pytest.raises(cli.UsageError) as caught:
        cli_discover._report(args, results, None, None)  # type: ignore[arg-type]
    assert (
        str(caught.value)
        == "--min-density；运行结果已保留：可用 --from /tmp/runs 换一个 --where 再试"
    )
    with pytest.raises(cli.UsageError, match="; the runs are kept: try another --where"):
        cli_discover._report(args, results, None, None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- none left behind
MODULES = (
    "scenario.py",
    "scenariosources.py",
    "params.py",
    "marketsize.py",
    "cli.py",
    "clihelp.py",
    "cli_calibrate.py",
    "cli_discover.py",
    "cli_classroom.py",
    "sources.py",
)
"""The modules whose errors follow the language in use."""

INTERNAL: set[tuple[str, str]] = set()
"""Messages left in English on purpose, by module and the start of their call: none (a
wrong type given from Python reads in the language in use too, ``errors.types``)."""

_WORDS = re.compile(r"[A-Za-z]{3,}")


def _literal_words(node: ast.expr) -> str:
    """The literal text of a message (the parts of an f-string that are not fields)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_literal_words(v) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _literal_words(node.left) + _literal_words(node.right)
    return ""


def english_raises(source: str) -> list[str]:
    """The messages of ``source`` raised (or warned) with English words written in."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        raised = name.endswith(("Error", "Warning", "Exception", "_Stopped"))
        if raised and _WORDS.search(_literal_words(node.args[0])):
            found.append(ast.unparse(node)[:60])
    return found


def test_english_raises_finds_an_english_message() -> None:
    """The scan itself: an English f-string is found; a catalogue text is not."""
    source = 'raise ScenarioError(f"{path}: not a file")\nraise ScenarioError(_said("x"))\n'
    assert english_raises(source) == ["ScenarioError(f'{path}: not a file')"]
    assert english_raises('warnings.warn(ScenarioWarning(f"{p}: {line}"))') == []


@pytest.mark.parametrize("module", MODULES)
def test_no_english_error_is_left_behind(module: str) -> None:
    found = english_raises((ROOT / module).read_text(encoding="utf-8"))
    left = [m for m in found if not any(m.startswith(a) for mod, a in INTERNAL if mod == module)]
    assert left == [], f"{module}: build these messages with the catalogue (errors.<area>)"


def test_a_condition_is_refused_without_its_api_prefix_in_chinese(
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = refused(capsys, "discover", "--where", "service_coverage <", "--from", "none")
    assert line.startswith("simcontract: 错误：--where 'service_coverage <'：无法读取")
    assert "where：" not in line


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_api_words_become_options_in_either_language(lang: str) -> None:
    """A message of the Python API names the command line's options instead, in the
    language in use."""
    pairs = [
        ("errors.robustness.api_choose", "errors.robustness.cli_choose"),
        ("errors.discovery.how_inputs", "cli.error.how_inputs"),
    ]
    with i18n.use_language(lang):
        for api, option in pairs:
            said = cli.in_cli_words(f"x: {i18n.text(api)}")
            assert said == f"x: {i18n.text(option)}" and "--param" in said
            assert "parameters=" not in said
        done = i18n.text("errors.results.not_complete", folder="'f'", summary="s", step="t")
        cut = cli.api_hint_removed(done, "errors.results.not_complete", "step")
    assert cut == {"en": "'f' is not complete: s; t", "zh_CN": "'f' 不完整：s；t"}[lang]


def test_api_words_in_english_are_as_before() -> None:
    said = cli.in_cli_words("sobol over 9 parameters: choose them with parameters=, or use morris")
    assert said == "sobol over 9 parameters: choose them with --param NAME, or use morris"
    assert cli.in_cli_words("no design (parameters=, or --param)") == "no design (--param)"
    said = cli.in_cli_words("no region; give a range as {name: (low, high)} or leave it out")
    assert said == (
        "no region; leave it out (a range of your own can be given from Python: "
        "robustness(parameters={name: (low, high)}))"
    )


BAD_TOML = {
    "no equals sign": "[parameters]\ncontract_years 3\n",
    "not a setting": "[parameters]\n= 3\n",
    "key start": "[parameters]\nyears. = 3\n",
    "unclosed header": "[parameters\nyears = 3\n",
    "unclosed list header": "[[changes]\nyear = 3\n",
    "unclosed text": 'name = "a\n',
    "unclosed list": "[parameters]\ncity_sizes = [1, 2\n",
    "unclosed inline table": "[parameters]\nx = {a = 1\n",
    "control character": 'name = "a\x01"\n',
    "date": "[parameters]\nyears = 2024-02-30\n",
    "backslash": 'description = "C:\\data"\n',
    "escape": 'description = "\\uZZZZ"\n',
}
"""Malformed scenario files, one of each mistake ``tomllib`` names."""


@pytest.mark.parametrize("case", BAD_TOML)
def test_toml_mistakes_are_said_in_chinese(tmp_path: Path, case: str) -> None:
    """Each of ``tomllib``'s messages a scenario file can meet, said in the language in
    use with what is allowed (they reached a Chinese reader in English)."""
    from simcontract.scenario import _TOML_HINTS

    path = scenario_file(tmp_path, BAD_TOML[case])
    said = {}
    for lang in i18n.LANGUAGES:
        with i18n.use_language(lang), pytest.raises(ScenarioError) as caught:
            load_scenario(path)
        said[lang] = str(caught.value)
    assert not [start for start in _TOML_HINTS if start in said["en"]], said["en"]
    assert not [start for start in _TOML_HINTS if start in said["zh_CN"]], said["zh_CN"]
    assert re.search("[\u4e00-\u9fff]", said["zh_CN"].split("TOML", 1)[-1]), said["zh_CN"]
