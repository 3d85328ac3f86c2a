"""Text as a terminal shows it: a wide (CJK) character takes two columns.

:func:`display_width`, :func:`pad`, :func:`shorten`, :func:`words` and :func:`wrap` are
:func:`len`, :meth:`str.ljust`, cutting, :meth:`str.split` and :func:`textwrap.wrap`
for text that may hold Chinese: text without wide characters comes out exactly as
those give it.

Chinese running text may break between any two characters, but a short label in a
narrow column should break between its words (提供方|更替, not 提供|方更替). The
catalogue marks such words with :data:`BREAK`; a run of Chinese characters that holds
marks breaks only at them (and at spaces and punctuation), between its characters only
when one of its words is wider than the line. A short run (:data:`_WORD` characters at
most) is one word. The marks take no column and never reach the output. Runs marked
once are remembered (:func:`learn_breaks`), so the same words break there wherever they
appear as a whole run, marked or not.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Iterable

WIDTH = 100
"""Most columns of a line the terminal tables and reports print."""

_OPENING = "（《「『“‘【〔〈([{"
"""Punctuation that never ends a line: it stays with the character after it."""

_CLOSING = "，。、；：！？）》」』”’】〕〉…,.;:!?)]}%"
"""Punctuation that never starts a line: it stays with the character before it."""

BREAK = "\u200b"
"""Zero-width space: where a run of Chinese characters may break (between its words)."""

_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u200b]+")
"""A run of Chinese characters, with the marks it holds."""

CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
"""Chinese characters and full-width punctuation, as the inside of a regular expression's
character class."""

_WIDE = f"[{CJK}\u2018\u2019\u201c\u201d]"
_CHINESE_LINE_BREAK = re.compile(rf"(?<={_WIDE})(\**)\n[ \t]*(?=\**{_WIDE}|\[)")
"""A line break inside Chinese text (bold or not, in a list item or not, before a link),
which a browser shows as a space."""

_FENCED = re.compile(r"^```.*?^```", flags=re.S | re.M)


def join_chinese_lines(markdown: str) -> str:
    """``markdown`` with the line breaks inside Chinese paragraphs taken out (outside
    fenced code blocks): a source wrapped at a fixed width would otherwise show a space
    wherever a line ended between two Chinese characters."""
    parts, last = [], 0
    for block in _FENCED.finditer(markdown):
        parts += [_CHINESE_LINE_BREAK.sub(r"\1", markdown[last : block.start()]), block[0]]
        last = block.end()
    return "".join(parts) + _CHINESE_LINE_BREAK.sub(r"\1", markdown[last:])


_WORD = 4
"""Most characters of a run of Chinese characters without marks that is taken as one
word (年率, 购买方数): longer runs break between any characters."""

_marked: dict[str, str] = {}
"""Runs of Chinese characters whose words are known: the run with its marks, by the
run as shown."""


def learn_breaks(texts: Iterable[str]) -> None:
    """Remember where the runs of Chinese characters of ``texts`` break: at the
    :data:`BREAK` marks they hold (runs without marks are left as they are)."""
    for text in texts:
        for run in _RUN.findall(text):
            if BREAK in run.strip(BREAK):
                _marked[run.replace(BREAK, "")] = run.strip(BREAK)


def _with_marks(text: str) -> str:
    """``text`` with the marks of each run of Chinese characters whose words are known
    (:func:`learn_breaks`) and has none of its own."""
    if not _marked:
        return text
    return _RUN.sub(lambda m: _marked.get(m.group(), m.group()), text)


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


def _cjk(text: str) -> bool:
    """Whether ``text`` has a wide character or a mark (else it is laid out as ASCII)."""
    return any(_wide(c) or c == BREAK for c in text)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: two for a wide (CJK) character, none for a
    combining mark or a :data:`BREAK`, one for any other."""
    return sum(2 if _wide(c) else 0 if unicodedata.combining(c) or c == BREAK else 1 for c in text)


def pad(text: str, width: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``width`` columns: left-aligned with ``"<"``,
    right-aligned with ``">"`` (as :meth:`str.ljust` and :meth:`str.rjust` for text
    without wide characters)."""
    text = text.replace(BREAK, "")
    fill = " " * max(0, width - display_width(text))
    return text + fill if align == "<" else fill + text


def shorten(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` columns, ending in ``…`` when cut."""
    text = text.replace(BREAK, "")
    if display_width(text) <= width:
        return text
    kept = ""
    for char in text:
        if display_width(kept + char) > width - 1:
            break
        kept += char
    return kept + "…"


def _units(text: str) -> list[str]:
    """``text`` cut where a line may break: at spaces (kept as units of their own),
    between wide characters (only at the marks of a run that has any, the marks
    dropped), punctuation kept with the character it belongs to."""
    text = _with_marks(text)
    glued = [False] * len(text)
    for run in _RUN.finditer(text):
        if BREAK in run.group().strip(BREAK) or len(run.group()) <= _WORD:
            for i in range(run.start() + 1, run.end()):
                glued[i] = BREAK not in (text[i - 1], text[i])
    units: list[str] = []
    for char, glue in zip(text, glued, strict=True):
        if char == BREAK:
            continue
        kind = "space" if char.isspace() else "wide" if _wide(char) else "narrow"
        last = units[-1] if units else ""
        joins = bool(last) and (
            glue
            or (kind == "space" and last[-1].isspace())
            or (kind != "space" and char in _CLOSING and not last[-1].isspace())
            or (kind != "space" and last[-1] in _OPENING)
            or (kind == "narrow" and not last[-1].isspace() and not _wide(last[-1]))
        )
        if joins:
            units[-1] += char
        else:
            units.append(char)
    return units


def words(text: str) -> list[str]:
    """The pieces of ``text`` a line never breaks: its words (:meth:`str.split` for
    text without wide characters), and each wide character, or each marked word of
    Chinese characters, with its punctuation."""
    if not _cjk(text):
        return text.split()
    return [u for u in _units(text) if not u.isspace()]


def wrap(
    text: str,
    width: int = WIDTH,
    indent: str = "",
    subsequent: str = "",
    break_on_hyphens: bool = True,
) -> list[str]:
    """``text`` in lines of at most ``width`` columns (:func:`textwrap.wrap` for text
    without wide characters; Chinese text also breaks between its characters, or only
    between its marked words, never before a closing or after an opening punctuation
    mark)."""
    if not _cjk(text):
        return textwrap.wrap(
            text,
            width,
            initial_indent=indent,
            subsequent_indent=subsequent,
            break_on_hyphens=break_on_hyphens,
        )
    lines: list[str] = []
    line, used, empty, space = indent, display_width(indent), True, False
    for unit in _units(" ".join(text.split())):
        if unit.isspace():
            space = not empty
            continue
        if not empty and used + space + display_width(unit) > width:
            lines.append(line)
            line, used, empty, space = subsequent, display_width(subsequent), True, False
        while empty and used + display_width(unit) > width and len(unit) > 1:
            head = unit[0]
            for char in unit[1:]:
                if used + display_width(head + char) > width:
                    break
                head += char
            lines.append(line + head)
            unit = unit[len(head) :]
            line, used = subsequent, display_width(subsequent)
        line += " " * space + unit
        used += space + display_width(unit)
        empty, space = False, False
    if not empty:
        lines.append(line)
    return lines
