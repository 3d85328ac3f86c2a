"""``--lang zh_CN``: every line a command prints for readers is Chinese.

Each test runs commands in this process on tiny inputs and looks for English words in
what they print (and in the Markdown they write): a line may hold Latin letters only in
names (of outcomes, parameters, scenarios, files, options, figures) and in the few
technical terms the Chinese texts keep (Stata, Shapley, Morris, ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

from simcontract import cli
from simcontract.experiment import codebook
from simcontract.params import PARAMETERS
from simcontract.scenario import builtin_names
from simcontract.sources import cite

KEPT_TERMS = {"Stata", "Shapley", "Morris", "Sobol", "Student", "Cohen", "Wilson", "HHI"}
"""Terms the Chinese catalogue keeps in Latin letters on purpose."""

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:'s)?")
_CODE = re.compile(r"`[^`]*`")  # a command line, a condition (may run over two lines)
_NAMES = [
    re.compile(r"'[^']*'"),  # a quoted name
    re.compile(r"--[a-z][\w-]*"),  # an option
    re.compile(r"\S*/\S*"),  # a path
    re.compile(r"[\w-]+\.(?:md|csv|json|dta|png|pdf|svg|toml)\b"),  # a file
]

SCENARIO_A = 'name = "small_a"\n[parameters]\nyears = 3\ndistricts_per_city = 2\nn_bureaux = 4\n'
SCENARIO_B = SCENARIO_A.replace("small_a", "small_b") + "contract_years = 1\nfavouritism = 0.6\n"


def english_lines(text: str, names: Iterable[str] = ()) -> list[str]:
    """The lines of ``text`` with a word in Latin letters that is not a name."""
    known = set(names) | KEPT_TERMS | set(PARAMETERS) | set(codebook.variables())
    known |= set(builtin_names()) | {"png", "pdf", "svg", "rbd_fast"}
    found = []
    blanked = _CODE.sub(lambda code: re.sub(r"[^\n]", " ", code.group()), text)
    for line, bare in zip(text.splitlines(), blanked.splitlines(), strict=True):
        for pattern in _NAMES:
            bare = pattern.sub(" ", bare)
        words = [w.removesuffix("'s") for w in _WORD.findall(bare)]
        if any(len(w) > 2 and w not in known for w in words):
            found.append(line)
    return found


def test_english_lines_finds_english() -> None:
    """The check itself: English status lines are found, names and Chinese are not."""
    text = "results written to /tmp/x\n结果已写入 /tmp/x\n表格：table.md、`simcontract outcomes`"
    assert english_lines(text) == ["results written to /tmp/x"]
    assert english_lines("设计点：favouritism、ngo_survival、baseline（Shapley）") == []


def run(capsys: pytest.CaptureFixture[str], *argv: str, verdict: bool = False) -> str:
    """What ``simcontract ARGV --lang zh_CN`` prints on stdout; its status is 0 (or 1,
    a verdict of the model's, with ``verdict``)."""
    capsys.readouterr()
    assert cli.main([*argv, "--lang", "zh_CN"]) in ((0, 1) if verdict else (0,))
    return capsys.readouterr().out


def stems(folder: Path) -> set[str]:
    """Names of the files in ``folder`` and below, without their suffixes."""
    return {p.stem for p in folder.rglob("*") if p.is_file()}


def assert_chinese(text: str, names: Sequence[str] = ()) -> None:
    assert text.strip()
    assert english_lines(text, names) == []


def test_compare_plot_and_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cmp"
    common = ["--set", "years=3", "--replications", "2", "--workers", "1", "--out", str(out)]
    said = run(capsys, "compare", "baseline", "thin_market", *common)
    assert "结果已写入" in said
    assert_chinese(said, stems(out))
    assert_chinese((out / "table.md").read_text(encoding="utf-8"), stems(out))
    said = run(capsys, "plot", str(out), "--format", "svg", "--out", str(tmp_path / "plot"))
    assert_chinese(said)
    said = run(capsys, "check", str(out))
    assert_chinese(said)
    assert "次运行" in said


def test_sweep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sweep"
    said = run(
        capsys,
        *("sweep", "thin_market", "--morris", "2", "--param", "favouritism"),
        *("--set", "years=3", "--replications", "2", "--workers", "1", "--out", str(out)),
    )
    assert "Morris 筛选设计" in said
    assert_chinese(said, stems(out))


def test_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    options = ["--replications", "2", "--workers", "1"]
    said = run(
        capsys,
        *("validate", "--pattern", "2a", "--robustness", "0", "--no-ablation", *options),
        *("--out", str(tmp_path / "patterns")),
        verdict=True,
    )
    assert "已写入" in said
    assert_chinese(said)
    out = tmp_path / "calibration"
    said = run(capsys, "validate", "--calibration", *options, "--out", str(out), verdict=True)
    assert_chinese(said, cite("guangzhou_ifsc_nd").split())


def test_robustness(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "robustness"
    said = run(
        capsys,
        *("robustness", "--pattern", "2a", "--points", "4", "--replications", "1"),
        *("--param", "favouritism", "--param", "price_weight", "--workers", "1"),
        *("--out", str(out)),
    )
    assert_chinese(said, stems(out))
    assert_chinese((out / "shares.md").read_text(encoding="utf-8"))


def test_decompose_and_discover(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.toml").write_text(SCENARIO_A, encoding="utf-8")
    (tmp_path / "b.toml").write_text(SCENARIO_B, encoding="utf-8")
    out = tmp_path / "decomposition"
    said = run(
        capsys,
        *("decompose", str(tmp_path / "a.toml"), str(tmp_path / "b.toml")),
        *("--outcome", "provider_turnover", "--replications", "2", "--workers", "1"),
        *("--out", str(out)),
    )
    assert "表格与图表已写入" in said
    assert_chinese(said, ["small_a", "small_b"])
    out = tmp_path / "discovery"
    said = run(
        capsys,
        *("discover", str(tmp_path / "a.toml"), "--param", "contract_years", "--points", "8"),
        *("--replications", "1", "--workers", "1", "--where", "provider_turnover > 0.3"),
        *("--max-qp", "1", "--format", "svg", "--out", str(out)),
    )
    assert_chinese(said, ["small_a", *stems(out)])
    said = run(
        capsys,
        *("discover", "--from", str(out), "--where", "provider_turnover > 0.3"),
        *("--max-qp", "1", "--format", "svg", "--out", str(tmp_path / "again")),
    )
    assert_chinese(said, stems(tmp_path / "again"))
