"""The teaching notebooks as a teacher and students read them: Chinese cells that read as
Chinese, a hand-drawn figure in the catalogue's words and in whole years, and an index
that says what to install."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from test_notebooks import (
    EXPECTED,
    NOTEBOOKS,
    SMALL_FLAG,
    _code_cells,
    _read,
    chinese_prose_problems,
)

from simcontract import i18n

ROOT = NOTEBOOKS.parent
INDEX = ROOT / "docs" / "notebooks" / "index.md"
CHINESE = [name for name in EXPECTED if name.endswith("_zh.ipynb")]

INSTALL = re.compile(r'pip install "\.\[([\w,-]+)\]"')
"""The index's install command and its extras."""

CHINESE_PART = "\n## 中文说明\n"
"""The heading of the index's part for Chinese readers."""

SELF_EXTRA = re.compile(r"simcontract\[([\w-]+)\]")
"""An extra that installs another extra of the package."""

EXTRA_CALLS = {"discover": "discover("}
"""Extras a notebook needs beyond ``notebooks``, by the call that needs them."""


@pytest.mark.parametrize("name", CHINESE)
def test_chinese_cells_read_as_chinese(name: str) -> None:
    problems = {
        cell.id: found
        for cell in _read(name).cells
        if cell.cell_type == "markdown" and (found := chinese_prose_problems(cell.source))
    }
    assert not problems, problems


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("社工流失率\n差别明显", "line break"),
        ("**背景.** 北京", "ASCII mark"),
        ("比较两者。(b) 找出机制", "ASCII mark"),
        ("结果指标 `staff_turnover`、\n`service_quality`", "line break"),
        ("工作的时间：9.2%、\n5.1% 和 3.7%。", "line break"),
    ],
)
def test_the_chinese_check_finds(text: str, problem: str) -> None:
    found = chinese_prose_problems(text)
    assert found and found[0].startswith(problem)


def test_the_chinese_check_passes_chinese_prose() -> None:
    text = (
        '**背景**：北京（译自 Mok & Wen 2023）`name="一年期"` 为 0.45。\n\n'
        "- 社工流失率：29% 和 16%。"
    )
    assert chinese_prose_problems(text) == []


FIGURE_FACTS = """
import json
import matplotlib.pyplot as plt
ax = plt.gca()
low, high = ax.get_xlim()
print(json.dumps({
    "xlabel": ax.get_xlabel(),
    "legend": [text.get_text() for text in ax.get_legend().get_texts()],
    "ticks": [float(tick) for tick in ax.get_xticks() if low <= tick <= high],
}))
"""
"""What a script prints about the figure the notebook's code has just drawn."""


def test_quickstart_figure_in_catalogue_words_and_whole_years(tmp_path: Path) -> None:
    """The quick start's own figure: labels from the catalogue, ticks on model years."""
    cells = []
    for cell in _code_cells(_read("01_quickstart.ipynb")):
        cells.append("\n".join(line for line in cell.source.splitlines() if line[:1] != "%"))
        if "plt.show()" in cell.source:
            break
    script = tmp_path / "figure.py"
    script.write_text("\n".join(cells) + FIGURE_FACTS, encoding="utf-8")
    # Full length (a tiny run's few years get whole-number ticks anyway), in a process of
    # its own: the notebook's code sets pandas and matplotlib options.
    env = {k: v for k, v in os.environ.items() if k != SMALL_FLAG} | {"MPLBACKEND": "Agg"}
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    facts = json.loads(done.stdout.splitlines()[-1])
    assert facts["xlabel"] == i18n.text("figures.model_year")
    outcomes = ("provider_turnover", "staff_turnover")
    assert facts["legend"] == [i18n.outcome_label(name) for name in outcomes]
    assert facts["ticks"] and all(tick.is_integer() for tick in facts["ticks"]), facts["ticks"]


def test_index_lists_every_notebook() -> None:
    index = INDEX.read_text(encoding="utf-8")
    for name in EXPECTED:
        assert f"]({name})" in index, f"{name} is not linked from {INDEX.name}"


def test_index_speaks_to_a_chinese_reader() -> None:
    """The index has a Chinese part that links the Chinese notebook and reads as Chinese."""
    index = INDEX.read_text(encoding="utf-8")
    assert CHINESE_PART in index
    part = index.split(CHINESE_PART, 1)[1]
    assert all(f"]({name})" in part for name in CHINESE)
    prose = "\n".join(line for line in part.splitlines() if not line.startswith("|"))
    assert chinese_prose_problems(prose) == []


def installed_extras(extras: set[str], defined: dict[str, list[str]]) -> set[str]:
    """``extras`` with the extras they install in turn (``simcontract[discover]``)."""
    found, todo = set(), list(extras)
    while todo:
        extra = todo.pop()
        if extra not in found:
            found.add(extra)
            todo += [m[1] for m in map(SELF_EXTRA.match, defined[extra]) if m]
    return found


def test_installed_extras_follow_references() -> None:
    defined = {"notebooks": ["jupyterlab", "simcontract[discover]"], "discover": ["x"], "app": []}
    assert installed_extras({"notebooks"}, defined) == {"notebooks", "discover"}


def test_index_installs_what_the_notebooks_need() -> None:
    """Following the index's install command, every notebook runs to the end."""
    extras = set(INSTALL.search(INDEX.read_text(encoding="utf-8"))[1].split(","))
    defined = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    assert extras <= set(defined)
    code = "".join(cell.source for name in EXPECTED for cell in _code_cells(_read(name)))
    needed = {"notebooks"} | {extra for extra, call in EXTRA_CALLS.items() if call in code}
    missing = needed - installed_extras(extras, defined)
    assert not missing, f"the install command lacks {sorted(missing)}"
