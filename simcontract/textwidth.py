"""Text as a terminal shows it: a wide (CJK) character takes two columns.

:func:`display_width`, :func:`pad`, :func:`shorten`, :func:`words` and :func:`wrap` are
:func:`len`, :meth:`str.ljust`, cutting, :meth:`str.split` and :func:`textwrap.wrap`
for text that may hold Chinese: text without wide characters comes out exactly as
those give it.
"""

from __future__ import annotations

import textwrap
import unicodedata

WIDTH = 100
"""Most columns of a line the terminal tables and reports print."""

_OPENING = "（《「『“‘【〔〈([{"
"""Punctuation that never ends a line: it stays with the character after it."""

_CLOSING = "，。、；：！？）》」』”’】〕〉…,.;:!?)]}%"
"""Punctuation that never starts a line: it stays with the character before it."""


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: two for a wide (CJK) character, none for a
    combining mark, one for any other."""
    return sum(2 if _wide(c) else 0 if unicodedata.combining(c) else 1 for c in text)


def pad(text: str, width: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``width`` columns: left-aligned with ``"<"``,
    right-aligned with ``">"`` (as :meth:`str.ljust` and :meth:`str.rjust` for text
    without wide characters)."""
    fill = " " * max(0, width - display_width(text))
    return text + fill if align == "<" else fill + text


def shorten(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` columns, ending in ``…`` when cut."""
    if display_width(text) <= width:
        return text
    kept = ""
    for char in text:
        if display_width(kept + char) > width - 1:
            break
        kept += char
    return kept + "…"


def _units(text: str) -> list[str]:
    """``text`` cut where a line may break: at spaces (kept as units of their own) and
    between wide characters, punctuation kept with the character it belongs to."""
    units: list[str] = []
    for char in text:
        kind = "space" if char.isspace() else "wide" if _wide(char) else "narrow"
        last = units[-1] if units else ""
        joins = bool(last) and (
            (kind == "space" and last[-1].isspace())
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
    text without wide characters), and each wide character with its punctuation."""
    if not any(_wide(c) for c in text):
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
    without wide characters; Chinese text also breaks between its characters, never
    before a closing or after an opening punctuation mark)."""
    if not any(_wide(c) for c in text):
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
