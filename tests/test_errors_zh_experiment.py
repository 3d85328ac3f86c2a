"""Errors raised inside the experiments follow the language in use.

A command run with ``--lang zh_CN`` states a bad design, condition, batch folder,
resume, rule or calibration input in Chinese, on one line, with exit status 2; run in
English (or from Python) it says exactly what it always said. The messages come from
the catalogue (``errors.<module>``), so a new English-only message in one of these
modules fails :func:`test_no_english_only_error_is_left`.
"""

from __future__ import annotations

import ast
import json
import multiprocessing
import os
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from test_cli_chinese import english_lines

from simcontract import cli, i18n
from simcontract.experiment import (
    bayes,
    bayes_inputs,
    comparison,
    conditions,
    designs,
    discovery,
    lock,
    results,
    robustness,
    runner,
)
from simcontract.params import PARAMETERS
from simcontract.scenario import builtin_dir

PACKAGE = Path(__file__).resolve().parent.parent / "simcontract" / "experiment"

SYNTAX = {"OUTCOME", "OPERATOR", "NUMBER", "NAME", "PARAM1", "PARAM2", "LOW", "HIGH"}
"""Placeholders of a syntax the messages show as the user types it."""

NAMES = SYNTAX | {
    "simcontract",
    "compare",
    "validate",
    "sigma",
    "grid",
    "lhs",
    "sobol",
    "morris",
    "ties",
}
NAMES |= {"low", "high", "calibrated", "sources", "max_boxes", "outcomes", "None", "abc", "Python"}
NAMES |= {"SIMCONTRACT_START_METHOD", *multiprocessing.get_all_start_methods()}
NAMES |= set(PARAMETERS["tendering"].choices)
"""Words a Chinese message may hold: names of the library's and the command line's
(design kinds, keywords, start methods, choices, a rule's and a file's name)."""


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with a foreign file in ``x``, an empty manifest in ``empty``
    and a manifest without its fields in ``fields``."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SIMCONTRACT_LANG", raising=False)
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "foo.txt").write_text("hi", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "manifest.json").write_text("", encoding="utf-8")
    (tmp_path / "fields").mkdir()
    manifest = json.dumps({"format": "simcontract-results/1"})
    (tmp_path / "fields" / "manifest.json").write_text(manifest, encoding="utf-8")
    # Guangzhou's values and figures, none of its parameters marked as calibrated.
    text = (builtin_dir() / "guangzhou_ifsc.toml").read_text(encoding="utf-8")
    (tmp_path / "uncalibrated.toml").write_text(
        text.replace('["calibrated", ', "["), encoding="utf-8"
    )
    return tmp_path


def _error(capsys: pytest.CaptureFixture[str], argv: list[str], lang: str | None) -> str:
    """The one line a command that refuses its input prints (exit status 2)."""
    command = [argv[0], *(["--lang", lang] if lang else []), *argv[1:]]
    status = cli.main(command)
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert status == 2, captured
    assert len(lines) == 1, lines
    assert "Traceback" not in captured.err
    return lines[0]


# argv, Chinese words the reason holds, the English line as it always was
CLI_CASES = {
    "grid value twice": (
        "sweep baseline --grid favouritism=0.1,0.1",
        "列出了两次",
        "simcontract: error: grid: parameter 'favouritism' lists 0.1 twice",
    ),
    "empty range": (
        "sweep baseline --lhs 4 --param favouritism=0.5:0.2",
        "的范围为空：下限 0.5 不小于上限 0.2",
        "simcontract: error: --param 'favouritism=0.5:0.2': range of 'favouritism' is empty: "
        "low 0.5 is not below high 0.2",
    ),
    "morris trajectories": (
        "sweep baseline --morris 1 --param favouritism",
        "至少应为 2 条轨迹",
        "simcontract: error: morris: n must be at least 2 trajectories, got 1: sigma, the "
        "spread of a parameter's elementary effects, needs two",
    ),
    "validate into a foreign folder": (
        "validate --out x",
        "它不是由 validate 命令写入的",
        "simcontract: error: 'x' holds 'foo.txt', which validate does not write there (the "
        "results of something else?); choose validate's own folder or an empty one",
    ),
    "resume without manifest": (
        "compare baseline --out x --resume",
        "其中没有 manifest.json",
        "simcontract: error: cannot resume in 'x': it holds no manifest.json, so it is not "
        "a results directory",
    ),
    "empty manifest": (
        "compare baseline --out empty --resume",
        "已损坏：内容为空",
        "simcontract: error: 'empty/manifest.json' is damaged: empty",
    ),
    "manifest field": (
        "compare baseline --out fields --resume",
        "字段 'kind' 缺失，或不是文本",
        "simcontract: error: 'fields/manifest.json' is damaged: field 'kind' is missing or "
        "not a str",
    ),
    "too many runs": (
        "compare baseline --replications 20000000",
        "超过了一批最多 10,000,000 次运行的上限",
        "simcontract: error: compare: 1 scenario x 20,000,000 replications = "
        "20,000,000 runs, more than the 10,000,000 runs a batch may have; run fewer points "
        "or replications, e.g. as several batches",
    ),
    "rule form": (
        "decompose baseline thin_market --outcome ngo_survival --rule foo",
        "应写作 NAME=PARAM1,PARAM2",
        "simcontract: error: --rule 'foo': expected NAME=PARAM1,PARAM2,..., e.g. "
        "--rule ties=favouritism,tie_density",
    ),
    "foreign file": (
        "decompose baseline thin_market --outcome ngo_survival --out x --resume",
        "不是由分解写入的",
        "simcontract: error: 'x' holds 'foo.txt', which a decomposition does not write there "
        "(the results of something else?); choose a decomposition's own folder or an empty one",
    ),
    "no gap": (
        "decompose baseline baseline --outcome ngo_survival",
        "没有可分解的差距",
        "simcontract: error: scenarios 'baseline' and 'baseline' have the same parameter "
        "values and rule changes; there is no gap to decompose",
    ),
    "not an outcome": (
        "discover baseline --where foo<1",
        "不是结果指标",
        "simcontract: error: --where 'foo<1': 'foo' is not an outcome (`simcontract outcomes` "
        "lists them)",
    ),
    "condition in brackets": (
        "discover baseline --where (service_coverage<1)",
        "不能用括号",
        "simcontract: error: --where '(service_coverage<1)': cannot read "
        "'(service_coverage<1)' (no parentheses: 'and' binds first): write OUTCOME OPERATOR "
        'NUMBER with one of <, <=, >, >=, e.g. "service_coverage < 0.8" or '
        '"ngo_survival <= 0.5 and staff_turnover > 0.3"',
    ),
    "one value to bound": (
        "discover baseline --where service_coverage<1 --param tendering=open",
        "只会取同一个值",
        "simcontract: error: discovery: parameter 'tendering' would take one value ('open') "
        "in every run, so no box could bound it; give it two choices or more, or fix it "
        "with --set",
    ),
    "not a results folder": (
        "discover --from x --where service_coverage<1",
        "不是结果文件夹",
        "simcontract: error: --from 'x': 'x' is not a results directory (no manifest.json)",
    ),
    "robustness of a choice": (
        "robustness --param tendering",
        "不是数值，因此没有合理区间",
        "simcontract: error: robustness: parameter 'tendering' takes one of 'open', "
        "'selective', 'intermediary', 'direct', not a number, so it has no plausible region: "
        "robustness varies numeric assumptions only; leave it out",
    ),
    "robustness without region": (
        "robustness --param years",
        "请将其略去（可在 Python 中自行给出范围",
        "simcontract: error: robustness: parameter 'years' has no plausible region (only "
        "numeric assumptions other than the run's length and the market's size and "
        "purchasers have one); leave it out (a range of your own can be given from Python: "
        "robustness(parameters={name: (low, high)}))",
    ),
    "calibrate a choice": (
        "calibrate guangzhou_ifsc --param tendering",
        "只有数值型参数可以校准",
        "simcontract: error: parameter: 'tendering' is a choice (open, selective, "
        "intermediary, direct); only numeric parameters can be calibrated",
    ),
    "empty prior": (
        "calibrate guangzhou_ifsc --param favouritism=0.6:0.1",
        "的先验：0.6:0.1 为空",
        "simcontract: error: prior of 'favouritism': 0.6:0.1 is empty; expected low < high",
    ),
    "nothing calibrated": (
        "calibrate uncalibrated.toml",
        "没有标为 calibrated 的参数",
        "simcontract: error: scenario 'guangzhou_ifsc' marks no parameter as calibrated in "
        "its [sources]; name the parameters to fit (--param NAME[=LOW:HIGH])",
    ),
    "no figures": (
        "calibrate baseline",
        "没有校准用的资料数字",
        "simcontract: error: scenario 'baseline' has no calibration figures (the "
        "[[calibration]] figures of patterns.toml describe guangzhou_ifsc); give figures of "
        "its own in Python: `calibrate_abc(scenario, figures=[...])`, each a "
        "`simcontract.experiment.validation.CalibrationTarget`",
    ),
}


@pytest.mark.parametrize("case", CLI_CASES, ids=str)
def test_a_command_states_a_library_error_in_chinese(
    case: str, folders: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv, words, _english = CLI_CASES[case]
    line = _error(capsys, argv.split(), "zh_CN")
    assert line.startswith("simcontract: 错误：")
    assert words in line
    assert english_lines(line, NAMES) == []


@pytest.mark.parametrize("case", CLI_CASES, ids=str)
def test_a_command_states_a_library_error_in_english_as_before(
    case: str, folders: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv, _words, english = CLI_CASES[case]
    assert _error(capsys, argv.split(), None) == english
    assert _error(capsys, argv.split(), "en") == english


# a call that refuses its input, Chinese words of the reason, the English as it always
# was (of the call's temporary folder)
LIBRARY_CASES: dict[str, tuple[Callable[[Path], Any], str, Callable[[Path], str]]] = {
    "grid without values": (
        lambda tmp: designs.Grid({"favouritism": []}),
        "没有取值",
        lambda tmp: "grid: parameter 'favouritism' has no values",
    ),
    "integer range without integer": (
        lambda tmp: designs.LatinHypercube(4, {"n_bureaux": (2.2, 2.8)}),
        "中没有整数",
        lambda tmp: "lhs: range 2.2:2.8 of integer parameter 'n_bureaux' holds no integer",
    ),
    "sobol size": (
        lambda tmp: designs.Sobol(5, ["favouritism"]),
        "应为 2 的幂",
        lambda tmp: (
            "sobol: n must be a power of 2 (1, 2, 4, 8, 16, 32, …), got 5: else the "
            "Sobol' sequence loses its balance and the indices converge more slowly; use n = 4 "
            "or 8"
        ),
    ),
    "unknown design kind": (
        lambda tmp: designs.from_description({"kind": "x"}),
        "未知的设计类型 'x'；应为以下之一：grid、lhs、morris、sobol",
        lambda tmp: "unknown design kind 'x'; expected one of ['grid', 'lhs', 'morris', 'sobol']",
    ),
    "empty condition": (
        lambda tmp: conditions.parse_condition(""),
        "条件为空",
        lambda tmp: (
            'the condition is empty; write OUTCOME < NUMBER, e.g. "service_coverage '
            '< 0.8" or "ngo_survival <= 0.5 and staff_turnover > 0.3"'
        ),
    ),
    "discovery option": (
        lambda tmp: discovery.discover(pd.DataFrame(), "ngo_survival < 1", max_boxes=0),
        "应为不小于 1 的整数",
        lambda tmp: "max_boxes must be an integer >= 1, got 0",
    ),
    "folder in use": (
        lambda tmp: _raise(lock.FolderInUse(lock.in_use_message(tmp))),
        "正被另一批运行使用：另一个进程",
        lambda tmp: (
            f"{str(tmp)!r} is in use by another batch: another process; wait for it "
            "to end or choose another directory"
        ),
    ),
    "no outcome": (
        lambda tmp: results.outcome_list([]),
        "请至少给出一个结果指标",
        lambda tmp: "outcomes is empty; name at least one (or None for all of them)",
    ),
    "reference not compared": (
        lambda tmp: comparison.reference_point(_fake_results(["a", "b"]), "c"),
        "请从以下情景中选择：a、b",
        lambda tmp: "reference 'c' is not among the scenarios compared; choose one of a, b",
    ),
    "robustness without region": (
        lambda tmp: robustness.assumption_ranges(["years"]),
        "没有合理区间",
        lambda tmp: (
            "robustness: parameter 'years' has no plausible region (only numeric "
            "assumptions other than the run's length and the market's size and purchasers have "
            "one); give a range as {name: (low, high)} or leave it out"
        ),
    ),
    "start method": (
        lambda tmp: _with_start_method("bogus"),
        "不是本平台的进程启动方式",
        lambda tmp: (
            "SIMCONTRACT_START_METHOD='bogus' is not a start method of this platform; "
            f"expected one of {', '.join(multiprocessing.get_all_start_methods())}"
        ),
    ),
    "not a calibration folder": (
        lambda tmp: bayes._check_folder(_calibration_folder(tmp), {}, False),
        "不是 simcontract 的校准文件夹",
        lambda tmp: (
            f"{str(tmp / 'calibration')!r} holds abc.db but no calibration.json: not "
            "a calibration folder of simcontract; choose another folder"
        ),
    ),
    "prior outside its range": (
        lambda tmp: bayes_inputs.check_prior("favouritism", 0, 5),
        "超出了允许的范围",
        lambda tmp: (
            "prior of 'favouritism': 0:5 is outside the allowed range; favouritism "
            "takes a number in [0, 1]"
        ),
    ),
}


def _fake_results(names: list[str]) -> types.SimpleNamespace:
    """Results of one run at each point, of the scenarios ``names`` (all a reference
    needs)."""
    return types.SimpleNamespace(runs=pd.DataFrame({"point": range(len(names)), "scenario": names}))


def _calibration_folder(tmp: Path) -> Path:
    """A folder holding a pyabc database but no calibration of simcontract."""
    folder = tmp / "calibration"
    folder.mkdir(parents=True)
    (folder / bayes.DB_FILE).write_bytes(b"")
    return folder


def _raise(err: Exception) -> None:
    raise err


def _with_start_method(method: str) -> None:
    os.environ[runner.START_METHOD_VARIABLE] = method
    try:
        runner.start_method()
    finally:
        del os.environ[runner.START_METHOD_VARIABLE]


def _refusal(case: str, tmp: Path, lang: str) -> str:
    """The message of the error the call of ``case`` raises in ``lang``."""
    tmp.mkdir(parents=True, exist_ok=True)
    with i18n.use_language(lang), pytest.raises(ValueError) as caught:
        LIBRARY_CASES[case][0](tmp)
    return str(caught.value)


@pytest.mark.parametrize("case", LIBRARY_CASES, ids=str)
def test_a_library_error_follows_the_language_in_use(case: str, tmp_path: Path) -> None:
    _call, words, english = LIBRARY_CASES[case]
    chinese = _refusal(case, tmp_path / "zh", "zh_CN")
    assert words in chinese
    assert english_lines(chinese, NAMES) == []
    assert _refusal(case, tmp_path / "en", "en") == english(tmp_path / "en")


# --------------------------------------------------------------------------- the code
USER_FACING = {
    "ExperimentError",
    "DesignError",
    "DiscoveryError",
    "ConditionError",
    "TooLarge",
    "FolderInUse",
    "DamagedResults",
    "ScenarioError",
    "WorkerLost",
    "ClusterLost",
    "ForeignCode",
}
"""Errors whose message a user reads (the command line prints it)."""

INTERNAL = {
    # patterns.toml ships with the package: a mistake in it is the package's own.
    ("validation.py", "missing key"),
    ("validation.py", "{where}: {err}"),
    ("validation.py", "mechanism needs a 'label' and an 'off' table"),
    ("validation.py", "mechanism: "),
    ("validation.py", "unknown outcome"),
    ("validation.py", "expect must be 'higher' or 'lower'"),
    ("validation.py", "a pattern's source is a document"),
    ("validation.py", "calibration figure"),
}
"""English messages left on purpose: the package's own data."""

MODULES = sorted(PACKAGE.glob("*.py"))


def _english_raises(path: Path) -> list[str]:
    """The messages of ``path`` raised as English text (an f-string or a string)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Raise) or not isinstance(node.exc, ast.Call):
            continue
        func = node.exc.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        args = node.exc.args
        texts = (ast.JoinedStr, ast.Constant, ast.BinOp)
        if name in USER_FACING and args and isinstance(args[0], texts):
            found.append(ast.unparse(args[0]))
    return found


def _internal(module: str, message: str) -> bool:
    return any(module == m and part in message for m, part in INTERNAL)


def test_no_english_only_error_is_left() -> None:
    left = [
        f"{path.name}: {message}"
        for path in MODULES
        for message in _english_raises(path)
        if not _internal(path.name, message)
    ]
    assert left == []


def test_the_scan_finds_an_english_only_error(tmp_path: Path) -> None:
    """The check itself: an f-string, a plain string and a qualified class are found;
    a message of the catalogue is not."""
    module = tmp_path / "plan.py"
    module.write_text(
        "def f(x):\n"
        "    raise ExperimentError(f'bad {x}')\n"
        "    raise storage.DamagedResults('bad')\n"
        "    raise ExperimentError(_said('bad', x=x))\n"
        "    raise TypeError(f'not {x}')\n",
        encoding="utf-8",
    )
    assert _english_raises(module) == ["f'bad {x}'", "'bad'"]


def test_every_allowlisted_message_is_still_there() -> None:
    """An internal message that was reworded or converted leaves the allowlist."""
    for module, part in INTERNAL:
        assert any(part in m for m in _english_raises(PACKAGE / module)), (module, part)


def test_the_warnings_of_a_sweep_follow_the_language() -> None:
    """A sweep's warnings of dated rule changes (set again by a change; never reached by
    short runs) read in Chinese under ``use_language("zh_CN")``, in English as before
    outside it."""
    from simcontract import Scenario, sweep
    from simcontract.experiment.designs import Grid, check_points
    from simcontract.scenario import ScenarioWarning

    base = Scenario({"years": 10}, name="dated", changes=[{"year": 6, "contract_years": 5}])
    dated = Scenario(
        {"years": 3, "n_bureaux": 4, "initial_ngos": 8},
        name="d",
        changes=[{"year": 2, "contract_years": 5}],
    )
    with i18n.use_language("zh_CN"):
        with pytest.warns(ScenarioWarning) as short:
            check_points(base, Grid({"years": [2, 4, 8]}))
        with pytest.warns(ScenarioWarning) as again:
            sweep(dated, {"contract_years": [1, 2]}, replications=1, workers=1)
    (line,) = [str(w.message) for w in short]
    assert line.startswith("情景 'dated'：第 6 年的规则变动在 3 个设计点中的 2 个上不会生效")
    assert "2 至 4 年" in line and english_lines(line, NAMES) == []
    said = [str(w.message) for w in again]
    assert said and all(s.startswith("情景 'd'：") for s in said), said
    with pytest.warns(ScenarioWarning, match="their runs last 4 years"):
        check_points(base, Grid({"years": [4, 8]}))
