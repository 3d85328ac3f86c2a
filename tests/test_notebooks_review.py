"""The teaching notebooks as a teacher and students read them: Chinese cells that read as
Chinese, Chinese twins that teach what the English notebooks teach, in Chinese, quoting the
sources in their own words as the English ones do, quotations word for word in their sources
(``tests/data/source_passages.toml``), a hand-drawn figure in the catalogue's words and in
whole years, and an index that says what to install."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from test_notebooks import (
    CODE_SPAN,
    ENGLISH_QUOTE,
    EXPECTED,
    IDEOGRAPH,
    NOTEBOOKS,
    SMALL_FLAG,
    _code_cells,
    _read,
    chinese_prose_problems,
)

from simcontract import i18n
from simcontract.sources import SOURCES

ROOT = NOTEBOOKS.parent
INDEX = ROOT / "docs" / "notebooks" / "index.md"
CHINESE = [name for name in EXPECTED if name.endswith("_zh.ipynb")]
TWINS = {name: name.removesuffix("_zh.ipynb") + ".ipynb" for name in CHINESE}
"""Each Chinese notebook and the English one it translates."""

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
        ("反过来的问题：**市场在哪里失灵？**情景发现回答它。", "emphasis"),
    ],
)
def test_the_chinese_check_finds(text: str, problem: str) -> None:
    found = chinese_prose_problems(text)
    assert found and found[0].startswith(problem)


def test_the_chinese_check_passes_chinese_prose() -> None:
    text = (
        '**背景**：北京（Mok & Wen 2023）`name="一年期"` 为 0.45。\n\n'
        "- 社工流失率：29% 和 16%。**市场在哪里失灵**？*平均而言*，`a*b`。"
    )
    assert chinese_prose_problems(text) == []


def test_the_chinese_check_leaves_english_quotations_alone() -> None:
    """A source quoted in its own words keeps its marks; Chinese around it is checked."""
    quoted = "“a favour (in tender), you can't”（在招标中关照一下；Mok & Wen 2023）。"
    assert chinese_prose_problems(quoted) == []
    assert chinese_prose_problems("他说“关照(招标)一下”。")
    assert chinese_prose_problems(quoted.replace("）。", ").")) != []


def _syntax(source: str) -> ast.Module:
    """A code cell's syntax tree, without its IPython magics (``%matplotlib inline``)."""
    return ast.parse("\n".join(line for line in source.splitlines() if line[:1] != "%"))


def _imported(module: str, name: str) -> object:
    """What ``from module import name`` binds: an attribute, else a submodule."""
    try:
        return getattr(importlib.import_module(module), name)
    except AttributeError:
        return importlib.import_module(f"{module}.{name}")


def library_names(cells: list[str]) -> dict[str, object]:
    """The names code ``cells`` import from simcontract, and what each names."""
    names: dict[str, object] = {}
    for node in ast.walk(_syntax("\n".join(cells))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("simcontract"):
            names |= {a.asname or a.name: _imported(node.module, a.name) for a in node.names}
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "simcontract":
                    names[a.asname or a.name] = importlib.import_module(a.name)
    return names


def library_calls(source: str, names: dict[str, object]) -> list[tuple[str, object, ast.Call]]:
    """The calls in ``source`` of what ``names`` name: dotted name, object, call."""
    found = []
    for node in ast.walk(_syntax(source)):
        if not isinstance(node, ast.Call):
            continue
        path, func = [], node.func
        while isinstance(func, ast.Attribute):
            path.insert(0, func.attr)
            func = func.value
        if isinstance(func, ast.Name) and func.id in names:
            target = names[func.id]
            for attr in path:
                target = getattr(target, attr)
            found.append((ast.unparse(node.func), target, node))
    return found


def gives_language(target: object, call: ast.Call) -> bool | None:
    """Whether ``call`` gives ``target`` a ``lang``; ``None`` if it takes none."""
    try:
        signature = inspect.signature(target, follow_wrapped=False)  # a figure's lang=
    except (TypeError, ValueError):
        return None
    if "lang" not in signature.parameters:
        return None
    keywords = {k.arg: None for k in call.keywords if k.arg}
    try:
        bound = signature.bind_partial(*[None] * len(call.args), **keywords)
    except TypeError:
        return False
    return "lang" in bound.arguments


@pytest.mark.parametrize("name", CHINESE)
def test_chinese_twin_teaches_the_english_lesson(name: str) -> None:
    """Cell for cell the English notebook's kinds of cells, and every library call of an
    English code cell made in the Chinese cell too."""
    english, chinese = _read(TWINS[name]), _read(name)
    assert [c.cell_type for c in chinese.cells] == [c.cell_type for c in english.cells]
    names_en = library_names([c.source for c in _code_cells(english)])
    names_zh = library_names([c.source for c in _code_cells(chinese)])
    for cell_en, cell_zh in zip(english.cells, chinese.cells, strict=True):
        if cell_en.cell_type == "code":
            calls_en = {call for call, _, _ in library_calls(cell_en.source, names_en)}
            calls_zh = {call for call, _, _ in library_calls(cell_zh.source, names_zh)}
            assert calls_en <= calls_zh, f"{cell_zh.id} lacks {sorted(calls_en - calls_zh)}"


@pytest.mark.parametrize("name", CHINESE)
def test_chinese_twin_asks_the_library_for_chinese(name: str) -> None:
    """Every library call that takes a language (figures, labels, reports) is given one."""
    cells = _code_cells(_read(name))
    names = library_names([c.source for c in cells])
    english = [
        f"{cell.id}: {call}"
        for cell in cells
        for call, target, node in library_calls(cell.source, names)
        if gives_language(target, node) is False
    ]
    assert not english, english


def test_the_language_check_finds_a_call_without_one() -> None:
    names = library_names(["from simcontract import i18n, plots"])
    calls = library_calls('plots.fan_chart(res, "x")\ni18n.outcome_label("x", ZH)', names)
    assert [gives_language(target, node) for _, target, node in calls] == [False, True]
    calls = library_calls('plots.fan_chart(res, "x", lang=ZH)\nlen("x")', names)
    assert [gives_language(target, node) for _, target, node in calls] == [True]


def _words(text: str) -> str:
    """``text`` with each run of white space (a wrapped line) as one space."""
    return " ".join(text.split())


@pytest.mark.parametrize("name", CHINESE)
def test_chinese_twin_quotes_the_sources_as_the_english_one(name: str) -> None:
    """A source quoted in English is quoted word for word as the English notebook quotes it,
    and every source the English notebook quotes is quoted so in the Chinese one."""
    cells = _read(TWINS[name]).cells
    english = _words(" ".join(c.source for c in cells if c.cell_type == "markdown"))
    quoted = [
        quote
        for cell in _read(name).cells
        if cell.cell_type == "markdown"
        for quote in ENGLISH_QUOTE.findall(_words(cell.source))
    ]
    misquoted = [quote for quote in quoted if f'"{quote[1:-1]}"' not in english]
    assert not misquoted, misquoted
    unquoted = {quote for quote, _ in notebook_quotes(TWINS[name])} - {q[1:-1] for q in quoted}
    assert not unquoted, f"{name} gives these only in translation, if at all: {unquoted}"


def _cited_at(short: str) -> str:
    """A short citation as a pattern, its year also in brackets: "study (n.d.)"."""
    who, year = short.rsplit(" ", 1)
    return rf"{re.escape(who)} (?:{re.escape(year)}|\({re.escape(year)}\))"


CITATION = re.compile("|".join(f"(?P<{key}>{_cited_at(s.short)})" for key, s in SOURCES.items()))
"""A source's short citation in a notebook's text; the group's name is its key."""

QUOTE = re.compile(rf'"([^"]+)"|“([^“”{IDEOGRAPH}]+)”')
"""A quotation in a source's own (English) words, in English or Chinese marks."""

PASSAGES = {
    key: [_words(p) for p in table["passages"]]
    for key, table in tomllib.loads(
        (ROOT / "tests" / "data" / "source_passages.toml").read_text(encoding="utf-8")
    ).items()
}
"""The quoted passages of the source documents, word for word, by citation key."""


def source_quotes(markdown: str) -> list[tuple[str, str]]:
    """The quotations in ``markdown`` that a short citation follows in the same paragraph
    (outside code), each with the key of the first source cited after it."""
    found = []
    for paragraph in re.split(r"\n\s*\n", CODE_SPAN.sub("", markdown)):
        text = _words(paragraph)
        for quote in QUOTE.finditer(text):
            if cited := CITATION.search(text, quote.end()):
                found.append((quote[1] or quote[2], cited.lastgroup))
    return found


def notebook_quotes(name: str) -> list[tuple[str, str]]:
    """The quotations in the Markdown of a notebook that cite a source, with its key."""
    cells = _read(name).cells
    return [q for cell in cells if cell.cell_type == "markdown" for q in source_quotes(cell.source)]


def in_its_source(quote: str, key: str) -> bool:
    """Whether ``quote`` is word for word in a quoted passage of source ``key``: the same
    words and marks, ‘’ read as ', the first letter in either case (it may start a
    sentence of the notebook)."""
    words = _words(quote.replace("‘", "'").replace("’", "'"))
    passages = [p.replace("‘", "'").replace("’", "'") for p in PASSAGES.get(key, [])]
    return any(w in p for w in (words, words[:1].swapcase() + words[1:]) for p in passages)


def test_the_quote_check_finds_a_misquote() -> None:
    text = (
        'Officials "new brooms sweep clean" (Mok & Wen 2023); the “foot-soldiers of local'
        ' governments”（地方政府的步兵；Guangzhou IFSC study n.d.）, the `"x"` code.\n\n'
        '"New brooms sweep everything clean" and "New brooms sweep clean", the '
        "Guangzhou IFSC study (n.d.) says."
    )
    found = source_quotes(text)
    assert found == [
        ("new brooms sweep clean", "mok_wen_2023"),
        ("foot-soldiers of local governments", "guangzhou_ifsc_nd"),
        ("New brooms sweep everything clean", "guangzhou_ifsc_nd"),
        ("New brooms sweep clean", "guangzhou_ifsc_nd"),
    ]
    assert [in_its_source(*q) for q in found] == [True, True, False, False]


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_quotes_its_sources_word_for_word(name: str) -> None:
    """Every quotation that cites a source is word for word in that source (the Chinese
    notebooks quote in the source's own words too, then give a Chinese gloss)."""
    misquoted = [
        f"{quote!r} ({SOURCES[key].short})"
        for quote, key in notebook_quotes(name)
        if not in_its_source(quote, key)
    ]
    assert not misquoted, f"{name}: not word for word in their source: {misquoted}"


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
