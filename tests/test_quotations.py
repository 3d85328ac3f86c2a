"""Every quotation of a source document is in that document, word for word.

Passages: a Markdown paragraph, list item or table row (README.md, docs/, the notebooks'
text cells); a run of comment lines or a string literal, implicitly joined ones as one
(docstrings included), of the package's Python code and the notebooks' code cells; a
comment (a run of full-line ones as one) or a string of a TOML file (the built-in
scenarios, examples/, patterns.toml, the locales).

Citations: a source's short citation of :mod:`simcontract.sources` ("Mok & Wen 2023") or
its narrative form ("Mok & Wen (2023)"). In patterns.toml a passage of a ``[[pattern]]``
that holds no citation cites that pattern's ``source``.

Quotations: in a passage that cites, each span of at least :data:`MIN_WORDS` Latin-script
words between double quotes (straight or curly), except a value after ``=``. It is
attributed to the citation whose parentheses hold it ("Mok & Wen 2023 (Beijing, "...")"),
else to the first citation after it in its sentence, else the last before it in its
sentence, else the first after it in the passage, else the last before it.

Check: each quotation occurs in its source's text once both are normalised. The texts are
not part of the repository: they are read from the folder ``SIMCONTRACT_SOURCE_TEXTS``
names, else from ``../shared/seeds`` beside the checkout, and the check is skipped (with
that reason) where neither exists. Normalised:
case folded, curly double quotes made straight, apostrophes dropped, hyphens and dashes
dropped with the white space around them (so a word broken at a line's end is whole),
Markdown emphasis, HTML tags and the manuscript's line numbers removed, white space made
single spaces. ``...``, ``. . .``, ``…`` and a ``[bracketed insertion]`` mark an
elision: the pieces between them must occur in this order; their outer punctuation is
ignored.
"""

from __future__ import annotations

import ast
import io
import json
import os
import re
import tokenize
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from simcontract.sources import SOURCES

ROOT = Path(__file__).resolve().parent.parent
SEEDS = Path(os.environ.get("SIMCONTRACT_SOURCE_TEXTS") or ROOT.parent / "shared" / "seeds")
"""The folder of the source documents' texts (see the module docstring)."""

MIN_WORDS = 3
"""The fewest words a quoted span must hold to count as a quotation."""

Cited = tuple[int, int, str]
"""A citation in a passage: where it starts and ends, and its source's key."""

CURLY = re.compile(r"“([^”]*)”")
STRAIGHT = re.compile(r'"([^"]*)"')
WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
ELISION = re.compile(r"\s*(?:\[[^\]]*\]|\.\.\.|\. \. \.|…)\s*")
FENCE = re.compile(r"^\s*(```|~~~)")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+\.)\s")
SENTENCE_END = re.compile(r"[.!?](?=\)?\s+[A-Z“\"*(])|[。！？]")


@dataclass(frozen=True)
class Passage:
    """A stretch of text that may quote and cite a source.

    Attributes:
        where: ``file:line`` of the passage's start.
        text: The text, with escapes resolved.
        cites: Keys of the sources it cites when it holds no citation itself.
    """

    where: str
    text: str
    cites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Quotation:
    """A quoted span and the source it is attributed to.

    Attributes:
        where: ``file:line`` of the passage holding it.
        quote: The quoted words.
        keys: Citation keys of the sources it is attributed to (it must be in one).
    """

    where: str
    quote: str
    keys: tuple[str, ...]


# ------------------------------------------------------------------------- passages
def _markdown(text: str, name: str, first: int = 1) -> Iterator[Passage]:
    """Paragraphs and table rows of Markdown text, outside fenced code."""
    block: list[str] = []
    start = first
    fenced = False
    for number, line in enumerate([*text.splitlines(), ""], start=first):
        if FENCE.match(line):
            fenced = not fenced
            line = ""
        if fenced or not line.strip() or line.lstrip().startswith("|"):
            if block:
                yield Passage(f"{name}:{start}", "\n".join(block))
                block = []
            if not fenced and line.lstrip().startswith("|"):
                yield Passage(f"{name}:{number}", line)
            continue
        if block and LIST_ITEM.match(line):
            yield Passage(f"{name}:{start}", "\n".join(block))
            block = []
        if not block:
            start = number
        block.append(line)


def _literal(token: str) -> str:
    """The value of a Python string literal, f-strings read as plain ones."""
    prefix = token[: len(token) - len(token.lstrip("rRbBuUfF"))]
    try:
        value = ast.literal_eval(prefix.replace("f", "").replace("F", "") + token[len(prefix) :])
    except (SyntaxError, ValueError):
        return token
    return value if isinstance(value, str) else ""


def _python(text: str, name: str, first: int = 1) -> Iterator[Passage]:
    """Comment runs and (implicitly joined) string literals of Python code."""
    strings: list[str] = []
    comments: list[str] = []
    s_line = c_line = last_comment = 0
    fstring: list[tuple[int, int]] = []
    lines = text.splitlines(keepends=True)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return
    for tok in tokens:
        kind = tokenize.tok_name[tok.type]
        if kind == "FSTRING_START":
            fstring.append(tok.start)
            continue
        if kind in ("FSTRING_MIDDLE", "FSTRING_END") or fstring:
            if kind == "FSTRING_END":
                begin = fstring.pop()
                if not fstring:
                    raw = _span(lines, begin, tok.end)
                    s_line = s_line or begin[0]
                    strings.append(_literal(raw))
            continue
        if kind == "STRING":
            s_line = s_line or tok.start[0]
            strings.append(_literal(tok.string))
        elif kind not in ("NL", "NEWLINE", "COMMENT") and strings:
            yield Passage(f"{name}:{s_line + first - 1}", "".join(strings))
            strings, s_line = [], 0
        if kind == "COMMENT":
            if comments and tok.start[0] != last_comment + 1:
                yield Passage(f"{name}:{c_line + first - 1}", " ".join(comments))
                comments = []
            if not comments:
                c_line = tok.start[0]
            comments.append(tok.string.lstrip("#").strip())
            last_comment = tok.start[0]
    if strings:
        yield Passage(f"{name}:{s_line + first - 1}", "".join(strings))
    if comments:
        yield Passage(f"{name}:{c_line + first - 1}", " ".join(comments))


def _span(lines: list[str], begin: tuple[int, int], end: tuple[int, int]) -> str:
    """The source text between two token positions (1-based lines)."""
    if begin[0] == end[0]:
        return lines[begin[0] - 1][begin[1] : end[1]]
    middle = "".join(lines[begin[0] : end[0] - 1])
    return lines[begin[0] - 1][begin[1] :] + middle + lines[end[0] - 1][: end[1]]


TOML_TOKEN = re.compile(
    r'"""(?P<ml>.*?)"""|\'\'\'(?P<mll>.*?)\'\'\'|"(?P<basic>(?:[^"\\\n]|\\.)*)"'
    r"|'(?P<lit>[^'\n]*)'|#(?P<comment>[^\n]*)",
    re.S,
)


def _toml(text: str, name: str) -> Iterator[Passage]:
    """Strings and comments of a TOML file; consecutive full-line comments are one."""
    comments: list[str] = []
    c_line = last = 0
    for match in TOML_TOKEN.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if match.group("comment") is None:
            value = next(v for v in match.groups() if v is not None)
            if match.group("ml") is not None or match.group("basic") is not None:
                value = json.loads('"' + value.replace("\n", "\\n") + '"')
            yield Passage(f"{name}:{line}", value)
            continue
        own_line = not text[text.rfind("\n", 0, match.start()) + 1 : match.start()].strip()
        if comments and not (own_line and line == last + 1):
            yield Passage(f"{name}:{c_line}", " ".join(comments))
            comments = []
        if not comments:
            c_line = line
        comments.append(match.group("comment").strip())
        last = line
    if comments:
        yield Passage(f"{name}:{c_line}", " ".join(comments))


def _notebook(path: Path, name: str) -> Iterator[Passage]:
    """Text cells as Markdown, code cells as Python."""
    for number, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"], 1):
        source = "".join(cell["source"])
        where = f"{name}#cell{number}"
        if cell["cell_type"] == "markdown":
            yield from _markdown(source, where)
        elif cell["cell_type"] == "code":
            yield from _python(source, where)


def _patterns(text: str, name: str) -> Iterator[Passage]:
    """The passages of patterns.toml, each ``[[pattern]]``'s citing its ``source``."""
    starts = [m.start() for m in re.finditer(r"^\[\[pattern\]\]", text, re.M)]
    bounds = list(zip(starts, [*starts[1:], len(text)], strict=True))
    tables = [
        (text.count("\n", 0, a) + 1, tomllib.loads(text[a:b])["pattern"][0]) for a, b in bounds
    ]
    for passage in _toml(text, name):
        line = int(passage.where.rpartition(":")[2])
        mine = [table for first, table in tables if first <= line]
        source = mine[-1].get("source", ()) if mine else ()
        yield Passage(
            passage.where, passage.text, (source,) if isinstance(source, str) else tuple(source)
        )


def passages() -> Iterator[Passage]:
    """Every passage of the places that quote sources."""
    files = [
        ROOT / "README.md",
        *sorted((ROOT / "docs").rglob("*.md")),
        *sorted((ROOT / "simcontract").rglob("*.py")),
        *sorted((ROOT / "simcontract").rglob("*.toml")),
        *sorted((ROOT / "scenarios").glob("*.toml")),  # the built-in scenarios
        *sorted((ROOT / "examples").glob("*.toml")),
        *sorted((ROOT / "notebooks").glob("*.ipynb")),
    ]
    for path in files:
        name = path.relative_to(ROOT).as_posix()
        if path.suffix == ".md":
            yield from _markdown(path.read_text(encoding="utf-8"), name)
        elif path.suffix == ".py":
            yield from _python(path.read_text(encoding="utf-8"), name)
        elif path.name == "patterns.toml":
            yield from _patterns(path.read_text(encoding="utf-8"), name)
        elif path.suffix == ".toml":
            yield from _toml(path.read_text(encoding="utf-8"), name)
        else:
            yield from _notebook(path, name)


# ----------------------------------------------------------------------- quotations
def _citations() -> re.Pattern[str]:
    """Any source's short citation or its narrative form, one named group per key."""
    forms = []
    for key, source in SOURCES.items():
        names, _, year = source.short.rpartition(" ")
        if year == "n.d.":
            names, year = source.short[: -len(" n.d.")], "n.d."
        short = r"\s+".join(map(re.escape, source.short.split()))
        narrative = r"\s+".join(map(re.escape, names.split())) + r"\s+\(" + re.escape(year) + r"\)"
        forms.append(f"(?P<{key}>{short}|{narrative})")
    return re.compile("|".join(forms))


CITATION = _citations()


def _attribute(text: str, masked: str, quote: re.Match[str], cited: list[Cited]) -> str:
    """The key of the citation a quotation is attributed to (the module docstring's rule)."""
    for _, end, key in cited:  # Mok & Wen 2023 ("...") or Mok & Wen 2023 (Beijing, "...")
        opened = re.match(r"\s*[(（]", masked[end:])
        close = re.compile(r"[)）]").search(masked, end + opened.end()) if opened else None
        if close and end < quote.start() and quote.end() <= close.start():
            return key
    ends = [m.end() for m in SENTENCE_END.finditer(masked)]
    begin = max([0, *(e for e in ends if e <= quote.start())])
    stop = min([len(text), *(e for e in ends if e >= quote.end())])
    after = [key for at, _, key in cited if at >= quote.end()]
    before = [key for at, _, key in cited if at < quote.start()]
    here_after = [key for at, end, key in cited if quote.end() <= at and end <= stop]
    here_before = [key for at, _, key in cited if begin <= at < quote.start()]
    return (here_after or here_before[-1:] or after or before[-1:])[0]


def quotations(passage: Passage) -> Iterator[Quotation]:
    """The quotations of a passage, each with the source it is attributed to."""
    text = passage.text
    cited = [(m.start(), m.end(), str(m.lastgroup)) for m in CITATION.finditer(text)]
    if not cited and not passage.cites:
        return
    spans = sorted(
        (m for pattern in (CURLY, STRAIGHT) for m in pattern.finditer(text)),
        key=lambda m: m.start(),
    )
    masked = text
    for match in spans:  # what a quotation holds ends no sentence and closes no bracket
        masked = masked[: match.start(1)] + "x" * len(match[1]) + masked[match.end(1) :]
    for match in spans:
        quote = " ".join(match.group(1).split())
        if len(WORD.findall(quote)) < MIN_WORDS or re.search(r"=\s*$", text[: match.start()]):
            continue
        keys = (_attribute(text, masked, match, cited),) if cited else passage.cites
        yield Quotation(passage.where, quote, keys)


def normalise(text: str) -> str:
    """Text folded for comparison (see the module docstring)."""
    text = re.sub(r"<[^>]+>", "", text).replace("*", "")
    text = re.sub(r"['‘’]", "", text.replace("“", '"').replace("”", '"'))
    text = re.sub(r"\s*[-‐‑–—]\s*", "", text)
    return " ".join(text.split()).casefold()


@cache
def source_text(key: str) -> str:
    """A source's normalised text, without the manuscript's line numbers."""
    lines = (SEEDS / SOURCES[key].file).read_text(encoding="utf-8").splitlines()
    filled = [line for line in lines if line.strip()]
    if sum(bool(re.match(r"\s*\d+(\s|$)", line)) for line in filled) > len(filled) / 2:
        lines = [re.sub(r"^\s*\d+(\s+|$)", "", line) for line in lines]
    return normalise("\n".join(lines))


def found(quote: str, text: str) -> bool:
    """Whether the pieces of a quote between elisions occur in order in a text."""
    at = 0
    for piece in ELISION.split(quote):
        words = normalise(piece).strip(" .,;:!?'\"")
        if not words:
            continue
        at = text.find(words, at)
        if at < 0:
            return False
        at += len(words)
    return True


def all_quotations() -> list[Quotation]:
    """Every quotation of every passage."""
    return [q for p in passages() for q in quotations(p)]


# ---------------------------------------------------------------------------- tests
needs_sources = pytest.mark.skipif(
    not SEEDS.is_dir(), reason=f"the source documents are not at {SEEDS}"
)


def test_the_rule_finds_the_quotations() -> None:
    quotes = all_quotations()
    where = {q.where.partition(":")[0].partition("#")[0] for q in quotes}
    assert len(quotes) > 50
    assert {"docs/ODD.md", "simcontract/patterns.toml", "scenarios/guangzhou_ifsc.toml"} <= where
    assert any(w.startswith("simcontract/phases/") for w in where)


def test_normalising_and_elisions() -> None:
    text = normalise("the Con-\ntracting “out” of  services—and the rest")
    assert found('the contracting "out" of services ... the rest', text)
    assert found("The [NGOs'] contracting", text)
    assert not found("the contracting of services", text)
    assert not found("the rest ... the contracting", text)


@needs_sources
def test_each_quotation_is_in_its_source() -> None:
    wrong = [
        f'{q.where}: "{q.quote}" is not in {" or ".join(SOURCES[k].short for k in q.keys)}'
        for q in all_quotations()
        if not any(found(q.quote, source_text(key)) for key in q.keys)
    ]
    assert not wrong, "\n".join(wrong)
