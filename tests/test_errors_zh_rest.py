"""The rest of what a user reads follows the language in use: warnings, wrong arguments
given from Python, the system's reasons for a file it cannot read, and a Dask scheduler
that cannot be reached.

Each case reads in Chinese under ``use_language("zh_CN")`` (or ``--lang zh_CN``) and, in
English, exactly as it always did. :func:`test_no_english_message_is_left_anywhere`
scans the whole package for a message raised or warned with English words written in.
"""

from __future__ import annotations

import ast
import errno
import os
import re
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pyarrow as pa
import pytest
from test_cli_chinese import english_lines
from test_errors_zh_scenario import _literal_words, english_raises

from simcontract import ContractingModel, cli, i18n
from simcontract.experiment import (
    batches,
    codebook,
    comparison,
    designs,
    integrity,
    plan,
    results,
    runner,
    storage,
    survival,
    validation,
)
from simcontract.scenario import Scenario, ScenarioError, load_scenario

PACKAGE = Path(__file__).resolve().parent.parent / "simcontract"

NAMES = {
    "rng",
    "None",
    "numpy",
    "SeedSequence",
    "BitGenerator",
    "Generator",
    "cities",
    "year",
    "Scenario",
    "toml",
    "scenarios",
    "outcomes",
    "resume",
    "True",
    "False",
    "str",
    "Path",
    "executor",
    "concurrent",
    "futures",
    "Executor",
    "Grid",
    "LatinHypercube",
    "Sobol",
    "dict",
    "int",
    "float",
    "reference",
    "format",
    "by",
    "ContractingModel",
    "replace",
    "Parquet",
    "runs",
    "mplfonts",
    "pip",
    "install",
    "market_scenario",
    "tcp",
    "scenario",
    "name",
    "patterns",
    "Pattern",
    "load_patterns",
    "text",
    "csv",
    "json",
    "zh_CN",
}
"""Words a Chinese message may hold: names of arguments, types and packages."""


def _message(call: Callable[[], Any], lang: str) -> str:
    """The message of the error ``call`` raises in ``lang``."""
    with i18n.use_language(lang), pytest.raises(Exception) as caught:
        call()
    return caught.value.args[0]


# --------------------------------------------------------------------------- wrong arguments
# a call from Python with a wrong argument, its English as it always was, Chinese words
WRONG: dict[str, tuple[Callable[[], Any], str, str]] = {
    "rng": (
        lambda: ContractingModel(rng="x"),
        "rng: 'x' is not a seed; expected None, a non-negative integer, a list of them, or a "
        "numpy SeedSequence, BitGenerator or Generator",
        "不是种子",
    ),
    "cities": (
        lambda: ContractingModel(cities="0"),
        "cities: expected a list of city indices, got '0'",
        "应为城市编号的列表",
    ),
    "city index": (
        lambda: ContractingModel(cities=[3]),
        "cities: 3 is not a city index (0 to 0)",
        "应在 0 到 0 之间",
    ),
    "not a parameter": (
        lambda: ContractingModel(name="x"),
        "'name' is not a parameter: ContractingModel takes parameter values only; give a "
        "scenario made with Scenario.replace(name=...) instead",
        "不是参数",
    ),
    "at_year": (
        lambda: Scenario().at_year(1.5),  # type: ignore[arg-type]
        "year must be a model year (an integer >= 0), got 1.5",
        "应为模型年份",
    ),
    "load_scenario": (
        lambda: load_scenario(3),  # type: ignore[arg-type]
        "a scenario is a built-in name, a path to a .toml file or a Scenario, got int 3",
        "内置情景的名称",
    ),
    "outcomes": (
        lambda: results.outcome_list(3),  # type: ignore[arg-type]
        "outcomes must be an outcome name or a list of them, got int",
        "结果指标的名称",
    ),
    "scenarios": (
        lambda: batches._scenarios(3),
        "scenarios must be a scenario (built-in name, .toml path or Scenario) or a list of "
        "them, got int",
        "由情景组成的列表",
    ),
    "flag": (
        lambda: runner.check_flag("no", "resume"),
        "resume must be True or False, got 'no'",
        "应为 True 或 False",
    ),
    "executor": (
        lambda: runner.width(None, 3),  # type: ignore[arg-type]
        "executor must be a concurrent.futures.Executor, got int",
        "的实例",
    ),
    "design": (
        lambda: designs.as_design(3),  # type: ignore[arg-type]
        "expected a design (Grid, LatinHypercube, Sobol, Morris) or a dict of value lists, got int",
        "应给出一个设计",
    ),
    "reference": (
        lambda: comparison.reference_point(_one_point(), 1.5),  # type: ignore[arg-type]
        "reference must be a scenario name or a point number, got 1.5",
        "设计点编号",
    ),
    "codebook format": (
        lambda: codebook.render("xls"),
        "format must be one of text, md, csv, json, got 'xls'",
        "text、md、csv、json",
    ),
    "grouping": (
        lambda: survival.survival_by(None, by="sector"),
        "by: 'sector' is not a grouping; expected one of ['cohort', 'origin']",
        "不是可用的分组方式",
    ),
    "patterns": (
        lambda: validation._checked_patterns("1a"),  # type: ignore[arg-type]
        "patterns must be a list of Pattern (from load_patterns()), got '1a'",
        "由 Pattern 组成的列表",
    ),
    "language": (
        lambda: i18n.resolve("fr"),
        "unknown language 'fr'; languages are en, zh_CN",
        "未知的语言",
    ),
}


def _one_point() -> SimpleNamespace:
    """Results of one run at one point (all a reference needs)."""
    import pandas as pd

    return SimpleNamespace(runs=pd.DataFrame({"point": [0], "scenario": ["a"]}))


@pytest.mark.parametrize("case", WRONG, ids=str)
def test_a_wrong_argument_from_python_follows_the_language(case: str) -> None:
    call, english, words = WRONG[case]
    assert _message(call, "en") == english
    chinese = _message(call, "zh_CN")
    assert words in chinese
    assert english_lines(chinese, NAMES) == []


# --------------------------------------------------------------------------- warnings
def test_a_damaged_part_set_aside_is_said_in_the_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a resumed batch says of a part it sets aside, and why, in either language."""
    part = tmp_path / "runs" / "part-000-000001.parquet"
    part.parent.mkdir()
    part.write_bytes(b"")

    def inspect(directory: Path, full: bool) -> SimpleNamespace:
        _ids, why = integrity._check_part(part, storage.RUNS, None, full)  # type: ignore[arg-type]
        problem = i18n.error_text("damage", "part", part=f"runs/{part.name}", problem=why)
        return SimpleNamespace(damaged={part.name: problem}, runs={})

    monkeypatch.setattr(integrity, "inspect", inspect)
    monkeypatch.setattr(integrity, "set_aside", lambda *_args: [])
    said = {}
    for lang in i18n.LANGUAGES:
        with i18n.use_language(lang), pytest.warns(plan.DamageWarning) as caught:
            plan._intact_runs(tmp_path)
        (said[lang],) = [str(w.message) for w in caught]
    aside = repr(str(tmp_path / "damaged"))
    assert said["en"] == (
        f"runs/{part.name} is empty (0 bytes); set aside in {aside}, its runs run again"
    )
    assert (
        said["zh_CN"] == f"runs/{part.name} 为空（0 字节）；已移至 {aside}，该部分的运行将重新进行"
    )


def test_what_is_wrong_with_a_part_reads_in_chinese(tmp_path: Path) -> None:
    """``simcontract check`` names what is wrong with each damaged part."""
    folder = tmp_path / "part.parquet"
    folder.mkdir()
    schema = pa.schema([("scenario", pa.string()), ("point", pa.int32())])
    for lang, missing, is_folder, wrong_type in [
        ("en", "is missing", "is not a file but a folder", "has column 'point' of type int32"),
        ("zh_CN", "缺失", "不是文件，而是文件夹", "列 'point' 的类型为 int32，而不是 int64"),
    ]:
        with i18n.use_language(lang):
            assert integrity._check_part(tmp_path / "none", "runs", None, True)[1] == missing  # type: ignore[arg-type]
            assert integrity._check_part(folder, "runs", None, True)[1] == is_folder  # type: ignore[arg-type]
            assert integrity._schema_problem(schema, None, "runs").startswith(wrong_type)  # type: ignore[union-attr]


def test_a_missing_chinese_font_is_warned_in_the_language(monkeypatch: pytest.MonkeyPatch) -> None:
    from simcontract.plots import style

    monkeypatch.setitem(sys.modules, "mplfonts.conf", None)  # importing it fails
    find = style.cjk_family.__wrapped__
    for lang, words in [
        ("en", "Chinese figure text needs the mplfonts package"),
        ("zh_CN", "图中的中文文字"),
    ]:
        with i18n.use_language(lang), pytest.warns(UserWarning, match=words):
            assert find(warn=True) is None


def test_a_deprecated_argument_is_warned_in_the_language() -> None:
    with i18n.use_language("zh_CN"), pytest.warns(DeprecationWarning) as caught:
        ContractingModel(scenario=Scenario({"years": 1, "n_bureaux": 1}))
    (line,) = [str(w.message) for w in caught]
    assert "已弃用" in line and english_lines(line, NAMES) == []
    with pytest.warns(
        DeprecationWarning, match=r"^ContractingModel\(scenario=\.\.\.\) is deprecated"
    ):
        ContractingModel(scenario=Scenario({"years": 1, "n_bureaux": 1}))


# --------------------------------------------------------------------------- the system's reasons
def _os_error(kind: type[OSError], number: int, *files: str) -> OSError:
    return kind(number, os.strerror(number), *files)


@pytest.mark.parametrize(
    ("number", "chinese"),
    [
        (errno.ENOENT, "文件或文件夹不存在"),
        (errno.EACCES, "没有访问权限"),
        (errno.EISDIR, "这是文件夹，不是文件"),
        (errno.ENOTDIR, "路径中有一项不是文件夹"),
    ],
)
def test_the_common_reasons_of_the_system_read_in_chinese(number: int, chinese: str) -> None:
    err = _os_error(OSError, number, "x.toml")
    assert i18n.os_reason(err) == os.strerror(number)
    assert i18n.os_message(err) == str(err)
    with i18n.use_language("zh_CN"):
        assert i18n.os_reason(err) == chinese
        assert i18n.os_message(err) == f"'x.toml'：{chinese}（错误号 {number}）"


def test_other_reasons_keep_the_systems_words() -> None:
    """A reason the catalogue does not say keeps the system's words; so does English,
    with a library's more detailed words for a known one."""
    other = _os_error(OSError, errno.EMFILE)
    arrow = PermissionError(errno.EACCES, "Failed to open local file 'x'. Detail: [errno 13]")
    with i18n.use_language("zh_CN"):
        assert i18n.os_reason(other) == os.strerror(errno.EMFILE)
        assert i18n.os_message(other) == str(other)
        assert i18n.os_reason(arrow) == "没有访问权限"
    assert i18n.os_reason(arrow, "mine") == "mine"
    assert i18n.os_reason(ValueError("embedded null byte")) == "embedded null byte"


def _refused(capsys: pytest.CaptureFixture[str], argv: list[str], status: int = 2) -> str:
    """The one line a command prints on stderr, with exit status ``status``."""
    capsys.readouterr()
    assert cli.main(argv) == status
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    (line,) = captured.err.splitlines()
    return line


def test_a_scenario_file_the_system_refuses_is_said_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    inside = tmp_path / "file.toml"
    inside.write_text("[parameters]\n", encoding="utf-8")
    below = str(inside / "s.toml")
    line = _refused(capsys, ["run", below, "--lang", "zh_CN"])
    assert line == f"simcontract: 错误：无法读取情景文件 {below!r}：路径中有一项不是文件夹"
    assert _refused(capsys, ["run", below]) == (
        f"simcontract: error: scenario file {below!r} cannot be read: Not a directory"
    )
    read = Path.read_bytes

    def refuse(self: Path) -> bytes:  # as root no file is unreadable: imitate the refusal
        if self == inside:
            raise _os_error(PermissionError, errno.EACCES, str(self))
        return read(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert _refused(capsys, ["params", str(inside), "--lang", "zh_CN"]).endswith("：没有访问权限")
    with pytest.raises(ScenarioError, match=r"cannot be read: Permission denied$"):
        load_scenario(inside)


def test_a_results_folder_the_system_refuses_is_said_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text("{}", encoding="utf-8")

    def refuse(self: Path) -> bytes:
        raise _os_error(PermissionError, errno.EACCES, str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    line = _refused(capsys, ["check", str(tmp_path), "--lang", "zh_CN"])
    assert line == f"simcontract: 错误：无法读取 {str(manifest)!r}：没有访问权限"
    assert _refused(capsys, ["check", str(tmp_path)]).endswith("cannot be read: Permission denied")


def test_a_refusal_of_the_system_ends_a_command_in_chinese(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error of the system that no check foresaw: one line, exit status 1."""

    def refuse(_args: Any) -> int:
        raise _os_error(PermissionError, errno.EACCES, "out/table.md")

    monkeypatch.setattr(cli, "cmd_outcomes", refuse)
    line = _refused(capsys, ["outcomes", "--lang", "zh_CN"], 1)
    assert line == f"simcontract: 错误：'out/table.md'：没有访问权限（错误号 {errno.EACCES}）"
    assert _refused(capsys, ["outcomes"], 1) == (
        f"simcontract: error: [Errno {errno.EACCES}] Permission denied: 'out/table.md'"
    )


# --------------------------------------------------------------------------- the scheduler
@pytest.mark.parametrize("command", ["sweep", "compare"])
def test_a_scheduler_that_cannot_be_reached_is_said_in_chinese(
    command: str, capsys: pytest.CaptureFixture[str], small_toml: Path
) -> None:
    grid = ["--grid", "favouritism=0.1,0.2"] if command == "sweep" else []
    argv = [command, str(small_toml), *grid, "--replications", "1"]
    address = "tcp://127.0.0.1:9"  # the discard port: nothing listens there
    line = _refused(capsys, [*argv, "--scheduler", address, "--lang", "zh_CN"])
    assert line == (
        f"simcontract: 错误：--scheduler '{address}'：无法连接：连接被拒绝，该地址上没有程序在监听"
        f"（错误号 {errno.ECONNREFUSED}）"
    )
    assert _refused(capsys, [*argv, "--scheduler", address]) == (
        f"simcontract: error: --scheduler '{address}': cannot connect: "
        f"[Errno {errno.ECONNREFUSED}] Connection refused"
    )
    if command == "sweep":
        line = _refused(capsys, [*argv, "--scheduler", "10.0.0.5", "--lang", "zh_CN"])
        assert "无法连接：地址 '10.0.0.5' 缺少端口号；应写作 tcp://主机:端口" in line
        assert _refused(capsys, [*argv, "--scheduler", "10.0.0.5"]).endswith(
            "cannot connect: missing port number in address '10.0.0.5'"
        )
        line = _refused(capsys, [*argv, "--scheduler", "tcpp://10.0.0.5:1", "--lang", "zh_CN"])
        assert "未知的地址协议 'tcpp'（已知的协议：[" in line


def test_a_host_name_that_cannot_be_resolved_reads_in_chinese() -> None:
    unknown = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    assert i18n.os_message(unknown) == str(unknown)
    with i18n.use_language("zh_CN"):
        said = i18n.os_message(unknown)
        late = i18n.os_message(TimeoutError("timed out"))
    assert said == f"无法解析该主机名：域名解析服务不认识这个名称（错误号 {socket.EAI_NONAME}）"
    assert late == "超时，没有应答"


# --------------------------------------------------------------------------- none left behind
INTERNAL = {
    # Python's protocol of a module's attributes, which tools read as it is.
    ("__init__.py", "AttributeError(f'module {__name__!r} has no attribute"),
    ("experiment/__init__.py", "AttributeError(f'module {__name__!r} has no attribute"),
    # The model's own state tables and outcome declarations: mistakes in the code.
    ("rowtable.py", "AttributeError(f'{self.ITEMS} state has no column"),
    ("batch.py", 'ValueError(f"{name!r} is not a contract term'),
    ("outcomes.py", "ValueError(f'outcome {self.name!r}: pooling must"),
    ("outcomes.py", "ValueError(f'outcome {self.name!r}: per must"),
    # Tools of the project's maintainers (generated documentation, the catalogue's record).
    ("doctable.py", "ValueError(f'{where}: "),
    ("i18n.py", "ValueError(f'{key!r} is not a translated text"),
    # patterns.toml ships with the package: a mistake in it is the package's own.
    ("experiment/validation.py", "ScenarioError(f'{where}: "),
    ("experiment/validation.py", 'ScenarioError(f"{where}: '),
    ("experiment/validation.py", "ScenarioError(f'calibration figure"),
}
"""Messages left in English on purpose, by module and the start of their call: none a
user's call can reach."""


def _english_messages(source: str) -> list[str]:
    """Messages raised or warned with English words written in (a catalogue's key, one
    word with underscores, is not a message)."""
    found = english_raises(source)
    for node in ast.walk(ast.parse(source)):
        is_warn = isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "warn"
        if is_warn and node.args and re.search(r"[A-Za-z]{3,}", _literal_words(node.args[0])):
            found.append(ast.unparse(node)[:60])
    return [m for m in found if not _a_key(m)]


def _starts(message: str, start: str) -> bool:
    """Whether ``message`` starts with ``start``, whichever quotes each uses (``ast.unparse``
    quotes an f-string with quotes inside it one way before Python 3.12, another after)."""
    return message.replace('"', "'").startswith(start.replace('"', "'"))


def _a_key(call: str) -> bool:
    """Whether a call's first argument is a key of the catalogue (``PlanError('x_y')``)."""
    _name, _, rest = call.partition("(")
    return rest[:1] in "'\"" and rest[1:].split(rest[0])[0].replace("_", "").isalpha()


def test_no_english_message_is_left_anywhere() -> None:
    left = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE).as_posix()
        for message in _english_messages(path.read_text(encoding="utf-8")):
            if not any(module == m and _starts(message, a) for m, a in INTERNAL):
                left.append(f"{module}: {message}")
    assert left == [], "build these messages with the catalogue (errors.<area>)"


def test_the_scan_finds_an_english_warning() -> None:
    source = "warnings.warn('needs a font')\nwarnings.warn(said)\nraise PlanError('not_a_form')\n"
    assert _english_messages(source) == ["warnings.warn('needs a font')"]


def test_every_allowlisted_message_is_still_there() -> None:
    for module, start in INTERNAL:
        found = _english_messages((PACKAGE / module).read_text(encoding="utf-8"))
        assert any(_starts(m, start) for m in found), (module, start)


BAD_JSON = ["", '{"a": 1,}', '{"a" 1}', "[1 2]", '"abc', '{"a": "\\q"}', "1 2", "[1,]", '"a\x01"']
"""JSON texts with each mistake Python's reader names (trailing commas: Python 3.13)."""


@pytest.mark.parametrize("text", BAD_JSON)
def test_a_damaged_json_file_says_where_and_what_in_chinese(text: str) -> None:
    import json

    with pytest.raises(ValueError) as caught:
        json.loads(text)
    err = caught.value
    assert i18n.json_reason(err) == str(err)  # English: the reader's own words
    with i18n.use_language("zh_CN"):
        said = i18n.json_reason(err)
    assert said.startswith(f"第 {err.lineno} 行第 {err.colno} 列：")
    assert not re.search("[A-Za-z]{3,}", said.replace("JSON", "")), said


def test_a_damaged_manifest_is_said_in_chinese(tmp_path: Path) -> None:
    (tmp_path / storage.MANIFEST).write_text('{"format": 1,', encoding="utf-8")
    with i18n.use_language("zh_CN"), pytest.raises(storage.DamagedResults) as caught:
        storage.read_manifest(tmp_path)
    said = str(caught.value).replace(str(tmp_path / storage.MANIFEST), "")
    assert "第 1 行" in said and not re.search("[A-Za-z]{3,}", said.replace("JSON", "")), said
