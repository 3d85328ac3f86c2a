"""The teaching notebooks in notebooks/: committed without outputs, and they run.

Each notebook is executed top to bottom with nbclient in a python3 kernel of this
interpreter, on a copy in a temporary folder (nothing is written into the repository),
with ``SIMCONTRACT_NOTEBOOK_SMALL=1`` so it uses tiny markets and few replications
(together they take about a minute) and ``MPLBACKEND=Agg``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from itertools import pairwise
from pathlib import Path

import mistune
import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

from simcontract.textwidth import join_chinese_lines

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

EXPECTED = [
    "01_quickstart.ipynb",
    "01_quickstart_zh.ipynb",
    "02_what_if.ipynb",
    "02_what_if_zh.ipynb",
    "03_sweeps_and_sensitivity.ipynb",
    "03_sweeps_and_sensitivity_zh.ipynb",
    "04_seminar_exercises.ipynb",
    "04_seminar_exercises_zh.ipynb",
]
"""The teaching notebooks, in reading order, each also in Chinese."""

SEMINARS = {"04_seminar_exercises.ipynb": "## Question", "04_seminar_exercises_zh.ipynb": "## 问题"}
"""The seminar notebooks and how their questions' headings start."""

SMALL_FLAG = "SIMCONTRACT_NOTEBOOK_SMALL"

CELL_TIMEOUT = 300
"""Seconds one cell may run before the test fails."""

STARTUP_TIMEOUT = 120
"""Seconds the kernel may take to start."""

CODE_SPAN = re.compile(r"`[^`]*`")
LINK_TARGET = re.compile(r"\]\([^)\s]*\)")
IDEOGRAPH = "\u3400-\u4dbf\u4e00-\u9fff"
FULL_WIDTH_MARK = "\u3000-\u303f\uff01-\uff5e"
"""Chinese marks: 。、「」 and the full-width （），：；！？."""
ASCII_MARK = re.compile(rf"[{IDEOGRAPH}{FULL_WIDTH_MARK}]\**[.,;:!?]|[.,;:!?]\**[{IDEOGRAPH}]|[()]")
"""An ASCII mark next to Chinese text, or an ASCII bracket (Chinese takes （）)."""

ENGLISH_QUOTE = re.compile(rf"“[^“”{IDEOGRAPH}]*”")
"""A quotation in English: a source's own words, whose marks are its own."""

MARK_AT_END = re.compile(rf"[{FULL_WIDTH_MARK}]$")
NEW_BLOCK = re.compile(r"\s*([-*+>]\s|#+\s|\||\d+[.)]\s)")
"""A line that starts a list item, quotation, heading or table row, not a wrapped one."""

CODE_HTML = re.compile(r"<code>.*?</code>", flags=re.S)
"""Code in rendered Markdown, whose ``*`` are its own."""

PRINTED_MARKDOWN = re.compile(r"\*\*\S|^\|.*\|$", flags=re.M)
"""Bold marks or a table row: Markdown printed as plain text instead of shown."""


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def _code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def test_every_notebook_is_listed() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_committed_without_outputs(name: str) -> None:
    raw = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    nbformat.validate(nbformat.from_dict(raw))
    for i, cell in enumerate(raw["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{name}: cell {i} has outputs; clear them"
            assert cell.get("execution_count") is None, f"{name}: cell {i} has an execution count"
        assert "attachments" not in cell or not cell["attachments"], f"{name}: cell {i}"
    assert "widgets" not in raw.get("metadata", {}), f"{name}: widget state is saved"


@pytest.mark.parametrize("name", EXPECTED)
def test_small_switch_in_first_code_cell(name: str) -> None:
    first = _code_cells(_read(name))[0].source
    assert f'os.environ.get("{SMALL_FLAG}") == "1"' in first
    assert "SMALL =" in first


@pytest.mark.parametrize("name", sorted(SEMINARS))
def test_seminar_answers_are_collapsed(name: str) -> None:
    nb = _read(name)
    answers = [cell for cell in nb.cells if "answer" in cell.metadata.get("tags", [])]
    questions = [cell for cell in nb.cells if cell.source.startswith(SEMINARS[name])]
    assert 4 <= len(questions) <= 6
    assert {cell.cell_type for cell in answers} == {"code", "markdown"}
    for cell in answers:
        assert cell.metadata["jupyter"]["source_hidden"] is True
        if cell.cell_type == "code":
            assert cell.metadata["jupyter"]["outputs_hidden"] is True
    # Every question is followed by at least one answer before the next question.
    kinds = ["q" if c in questions else "a" if c in answers else "-" for c in nb.cells]
    blocks = "".join(kinds).split("q")[1:]
    assert len(blocks) == len(questions)
    assert all("a" in block for block in blocks)


def chinese_prose_problems(markdown: str) -> list[str]:
    """Where Chinese Markdown reads badly once rendered: a line break between two Chinese
    characters (Jupyter and the site show it as a space), an ASCII mark in Chinese
    prose (outside code and English quotations), or a ``*`` shown as it is: emphasis
    that never closes (``**…？**`` closes only before a space or a mark)."""
    lines = markdown.split("\n")
    problems = [
        f"line break between {a[-8:]!r} and {b[:8]!r}"
        for a, b in pairwise(lines)
        if "\n" not in join_chinese_lines(f"{a}\n{b}")
        or (MARK_AT_END.search(a) and b.strip() and not NEW_BLOCK.match(b))
    ]
    prose = LINK_TARGET.sub("]", ENGLISH_QUOTE.sub("“”", CODE_SPAN.sub("", markdown)))
    problems += [
        f"ASCII mark in {prose[max(m.start() - 8, 0) : m.end() + 8]!r}"
        for m in ASCII_MARK.finditer(prose)
    ]
    shown = CODE_HTML.sub("", mistune.html(markdown))
    problems += [
        f"emphasis not closed in {shown[max(m.start() - 8, 0) : m.end() + 8]!r}"
        for m in re.finditer(r"\*+", shown)
    ]
    return problems


def _kernel_manager() -> KernelManager:
    """A manager for this interpreter's ipykernel, ignoring other installed kernelspecs."""
    specs = KernelSpecManager(kernel_dirs=[])  # only the native kernel: sys.executable
    spec = specs.get_kernel_spec("python3")
    assert Path(spec.argv[0]).resolve() == Path(sys.executable).resolve(), spec.argv
    return KernelManager(kernel_name="python3", kernel_spec_manager=specs)


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_runs(name: str, tmp_path: Path) -> None:
    copy = tmp_path / name
    shutil.copyfile(NOTEBOOKS / name, copy)
    nb = nbformat.read(copy, as_version=4)
    env = {
        **os.environ,
        SMALL_FLAG: "1",
        "MPLBACKEND": "Agg",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    client = NotebookClient(
        nb,
        km=_kernel_manager(),
        timeout=CELL_TIMEOUT,
        startup_timeout=STARTUP_TIMEOUT,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute(env=env)  # raises CellExecutionError on the first failing cell

    outputs = [out for cell in _code_cells(nb) for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    images = [out for out in outputs if "image/png" in out.get("data", {})]
    assert images, f"{name} drew no figure"
    # Figures show as images, not as "<Figure size ...>" text.
    bare = [
        out
        for out in outputs
        if out.output_type == "execute_result"
        and "image/png" not in out.get("data", {})
        and str(out.get("data", {}).get("text/plain", "")).startswith("<Figure")
    ]
    assert not bare, f"{name}: a figure was returned but not drawn"
    # Every glyph has a font (the Chinese one installs with the package).
    streams = "".join(out.get("text", "") for out in outputs if out.output_type == "stream")
    assert "missing from font" not in streams, f"{name}: text drawn without a font"
    # Markdown (a box of rules, a table) is displayed as Markdown, not printed raw.
    printed = PRINTED_MARKDOWN.findall(streams)
    assert not printed, f"{name}: Markdown printed as plain text: {printed[:3]}"
    # Answers written in Chinese read as Chinese once rendered.
    if name.endswith("_zh.ipynb"):
        shown = [
            out.data["text/markdown"] for out in outputs if "text/markdown" in out.get("data", {})
        ]
        assert shown or name not in SEMINARS, f"{name} showed no written answer"
        problems = [problem for text in shown for problem in chinese_prose_problems(text)]
        assert not problems, f"{name}: {problems[:5]}"
    # The repository copy is untouched.
    assert all(not cell.outputs for cell in _code_cells(_read(name)))
