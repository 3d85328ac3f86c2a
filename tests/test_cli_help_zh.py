"""The command line's help, argparse's words and its errors follow ``--lang`` and
``SIMCONTRACT_LANG``; English stays as it was."""

from __future__ import annotations

import argparse
import errno
import re
import signal

import pytest

from simcontract import cli, clihelp, i18n
from simcontract.cli import build_parser, main, warn
from simcontract.params import PARAMETERS
from simcontract.textwidth import display_width

HAN = re.compile(r"[\u3400-\u9fff]")
LONGEST = PARAMETERS["years"].high


@pytest.fixture(autouse=True)
def _terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed terminal width and no language from the environment."""
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv(clihelp.LANGUAGE_VARIABLE, raising=False)


def _commands() -> list[str]:
    parser = build_parser()
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices)


COMMANDS = _commands()


def _help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The help of the command ``argv`` names, ``--help`` after the command (the main
    parser has no ``--lang``: ``simcontract --help --lang zh_CN``)."""
    command = [w for w in argv[:1] if w in COMMANDS]
    with pytest.raises(SystemExit) as exc:
        main([*command, "--help", *argv[len(command) :]])
    assert exc.value.code == 0
    return capsys.readouterr().out


def _entries(shown: str) -> list[str]:
    """The entries of a help's sections: an option or argument with its help, each
    continued by the lines indented under it."""
    entries: list[str] = []
    section = False
    for line in shown.splitlines():
        if not line.strip():
            section = False
        elif not line.startswith(" "):
            section = line.endswith(("：", ":"))
        elif section and re.match(r" {2}\S| {4}\S", line):
            entries.append(line)
        elif section and entries:
            entries[-1] += "\n" + line
    return entries


def _error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_every_help_line_is_in_chinese(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    shown = _help([*filter(None, [command]), "--lang", "zh_CN"], capsys)
    assert shown.startswith("用法：simcontract")
    assert "选项：\n" in shown
    for english in ("usage:", "options:", "positional arguments:", "show this help"):
        assert english not in shown
    entries = [e for e in _entries(shown) if e.strip() != "COMMAND"]
    assert len(entries) >= 2
    for entry in entries:
        assert HAN.search(entry), entry


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_has_a_chinese_help(command: str) -> None:
    """Every option's help (and the commands' summaries and descriptions) is
    translated, whether or not argparse prints it."""
    with i18n.use_language("zh_CN"):
        parser = build_parser()
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    summary = next(a for a in sub._choices_actions if a.dest == command)
    assert HAN.search(summary.help), command
    chosen = sub.choices[command]
    assert chosen.description is None or HAN.search(chosen.description)
    for action in chosen._actions:
        assert action.help and HAN.search(action.help), (command, action.dest, action.help)


def test_the_help_says_chinese_headings_with_a_chinese_colon(
    capsys: pytest.CaptureFixture[str],
) -> None:
    shown = _help(["check", "--lang", "zh_CN"], capsys)
    assert "\n位置参数：\n" in shown and "\n选项：\n" in shown
    assert "按清单逐项检查结果文件夹" in shown  # the description
    assert "%%" not in _help(["compare", "--lang", "zh_CN"], capsys)


def test_the_usage_lines_of_a_chinese_help_align(capsys: pytest.CaptureFixture[str]) -> None:
    """A Chinese ``用法：`` takes six columns: the usage's next lines start below the
    first option, as in English."""
    for lang in ("en", "zh_CN"):
        usage = _help(["sweep", "--lang", lang], capsys).split("\n\n")[0].splitlines()
        assert len(usage) > 2
        first = display_width(usage[0][: usage[0].index("[-h]")])
        for line in usage[1:]:
            assert len(line) - len(line.lstrip()) == first, (lang, line)


@pytest.mark.parametrize(
    ("argv", "excerpt"),
    [
        ([], "usage: simcontract [-h] [--version] [--lang LANG] COMMAND ...\n\nAgent-based"),
        # The column of the help text moves between Python versions.
        ([], "options:\n  -h, --help "),
        ([], "  show this help message and exit\n"),
        (["run"], "\npositional arguments:\n  scenario          built-in scenario name or path"),
        (["run"], "  --seed SEED       random seed (default 0)\n"),
        ([], "compare their outcomes (mean, 95% CI)"),
        (["validate"], "  --replications N      replications per arm (default 30)\n"),
        (["calibrate"], "particles per generation (default 200)"),
        (["discover"], "most boxes to find (default"),
    ],
)
def test_english_help_is_unchanged(
    argv: list[str], excerpt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert excerpt in _help(argv, capsys)


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_english_help_has_no_chinese(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    shown = _help([*filter(None, [command]), "--lang", "en"], capsys)
    assert shown.startswith("usage: simcontract") and not HAN.search(shown)


def test_an_invalid_choice_is_said_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _error(["outcomes", "--format", "x", "--lang", "zh_CN"], capsys)
    assert code == 2
    (line,) = err.splitlines()
    assert line == (
        "simcontract: 错误：参数 --format：无效的选项：'x'（可选：'text', 'md', 'csv', 'json'）"
    )
    code, err = _error(["outcomes", "--format", "x"], capsys)
    assert code == 2
    assert err == (
        "simcontract: error: argument --format: invalid choice: 'x' "
        "(choose from 'text', 'md', 'csv', 'json')\n"
    )


@pytest.mark.parametrize(
    ("argv", "chinese"),
    [
        (["frob"], "参数 COMMAND：无效的选项：'frob'"),
        (["decompose", "a", "b"], "缺少以下必需参数：--outcome"),
        (["run", "baseline", "--seed"], "参数 --seed：需要一个值"),
        (["run", "baseline", "--seed", "x"], "参数 --seed：'x' 不是整数"),
        (["sweep", "baseline", "--lhs", "0"], "参数 --lhs：需要一个正整数，实际为 0"),
        (["run", "baseline", "--bogus"], "无法识别的参数：--bogus"),
        (["sweep", "baseline", "--lhs", "2", "--grid", "a=1"], "不能与参数 --lhs 同时使用"),
        (["discover", "baseline", "--where", "x", "--min-density", "a"], "无效的 float 值：'a'"),
        (["sweep", "baseline"], "请选择一种设计：--grid、--lhs N、--sobol N 或 --morris N"),
        (["plot", "/no/such/folder"], "'/no/such/folder' 不存在；请给出一个结果文件夹"),
        (["run", "baseline", "--set", "x"], "--set 'x'：应写作 name=value"),
        (["sweep", "baseline", "--grid", "favouritism=0.1,,0.2"], "取值列表中有空值"),
        (["compare", "baseline", "--years", "999"], f"一次运行最多 {LONGEST:g} 年"),
        (["sweep", "baseline", "--lhs", "2", "--param", "favouritism=a"], "应为数值范围 lo:hi"),
    ],
)
def test_errors_are_said_in_chinese(
    argv: list[str], chinese: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _error([*argv, "--lang", "zh_CN"], capsys)
    assert code == 2
    (line,) = err.splitlines()
    assert line.startswith("simcontract: 错误：") and chinese in line
    code, err = _error(argv, capsys)
    assert code == 2 and err.startswith("simcontract: error: ") and not HAN.search(err)


def test_a_warning_is_said_in_the_language(capsys: pytest.CaptureFixture[str]) -> None:
    with i18n.use_language("zh_CN"):
        warn("情景 'x'：一条规则")
    assert capsys.readouterr().err == "simcontract: 警告：情景 'x'：一条规则\n"
    warn("a rule")
    assert capsys.readouterr().err == "simcontract: warning: a rule\n"


def test_the_environment_sets_the_language(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(clihelp.LANGUAGE_VARIABLE, "zh_CN")
    assert _help(["run"], capsys).startswith("用法：")
    assert _help(["run", "--lang", "en"], capsys).startswith("usage: ")  # --lang wins
    assert main(["params"]) == 0
    assert capsys.readouterr().out.startswith("参数")


def test_a_bad_environment_language_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(clihelp.LANGUAGE_VARIABLE, "fr")
    code, err = _error(["params"], capsys)
    assert code == 2
    assert err == (
        "simcontract: error: SIMCONTRACT_LANG=fr: unknown language 'fr'; languages are en, zh_CN\n"
    )
    assert capsys.readouterr().out == ""
    assert main(["params", "--lang", "en"]) == 0  # not read when --lang is given


def test_an_unknown_lang_keeps_its_english_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _error(["params", "--lang=fr"], capsys)
    assert code == 2
    assert (
        err == "simcontract: error: --lang 'fr': unknown language 'fr'; languages are en, zh_CN\n"
    )


@pytest.mark.parametrize(
    ("argv", "given"),
    [
        (["run", "x", "--lang", "zh_CN"], "zh_CN"),
        (["run", "x", "--lang=zh"], "zh"),
        (["run", "x", "--lan", "zh_CN", "--lang", "en"], "en"),
        (["run", "x", "--la=zh_CN"], "zh_CN"),
        (["run", "x", "--l", "zh_CN"], None),
        (["run", "x", "--", "--lang", "zh_CN"], None),
        (["run", "x", "--lang"], None),
        (["run", "x"], None),
    ],
)
def test_the_language_is_read_before_parsing(argv: list[str], given: str | None) -> None:
    assert clihelp.given_language(argv) == given


def test_argparse_messages_it_does_not_know_stay_as_they_are() -> None:
    with i18n.use_language("zh_CN"):
        assert clihelp.argparse_message("something else") == "something else"
        said = clihelp.argparse_message("argument --x: expected at least one argument")
    assert said == "参数 --x：至少需要一个值"


@pytest.mark.parametrize(
    ("lang", "said"),
    [("en", "simcontract: interrupted by SIGINT\n"), ("zh_CN", "simcontract: 被 SIGINT 中断\n")],
)
def test_an_interrupted_command_says_so_in_the_language(
    lang: str, said: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def stopped(_args: argparse.Namespace) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "cmd_params", stopped)
    assert main(["params", "--lang", lang]) == 128 + signal.SIGINT
    assert capsys.readouterr().err == said


def test_what_an_ended_batch_left_is_said_in_the_language() -> None:
    nothing = argparse.Namespace(out=None)
    assert cli._stored(nothing) == "; nothing was stored (no --out)"
    with i18n.use_language("zh_CN"):
        assert cli._stored(nothing) == "；没有保存任何内容（未给出 --out）"
        stop = cli._interrupted(KeyboardInterrupt(), cli._stored(nothing))
    assert str(stop) == "被 SIGINT 中断；没有保存任何内容（未给出 --out）"
    assert stop.status == 128 + signal.SIGINT


def test_a_full_disk_is_said_in_the_language() -> None:
    full = OSError(errno.ENOSPC, "No space left on device", "out/runs.parquet")
    english = cli._refusal(full)
    assert english.startswith("no space left on the device (writing 'out/runs.parquet');")
    with i18n.use_language("zh_CN"):
        chinese = cli._refusal(full)
    assert chinese.startswith("设备上没有剩余空间（正在写入 'out/runs.parquet'）；")
    assert "--resume" in chinese
