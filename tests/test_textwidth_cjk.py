"""Chinese in terminal tables: a header in a narrow column breaks between its words
(提供方|更替, never 提供|方更替), at the marks the catalogue gives; English is laid
out exactly as before."""

from __future__ import annotations

import re
import textwrap
import tomllib
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simcontract import i18n
from simcontract.experiment.report import layout
from simcontract.textwidth import BREAK, display_width, pad, shorten, words, wrap

ZH = "zh_CN"

HEADER_KEYS = ("report.title", "report.years", "report.ngos", "report.purchasers")
"""Catalogue texts the report tables use as column headers, besides the labels of
outcomes and parameters."""


def _raw(node: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in node.items():
        if isinstance(value, Mapping):
            yield from _raw(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _marked_headers() -> dict[str, str]:
    """The Chinese texts used as column headers, and the units under a figure's narrow
    axis titles, with their marks, by key."""
    raw = dict(_raw(tomllib.loads(i18n.catalogue_text(ZH))))
    return {
        k: v
        for k, v in raw.items()
        if k in HEADER_KEYS
        or k.startswith("figures.outcome_units.")
        or (k.startswith(("outcomes.", "parameters.")) and k.endswith(".label"))
    }


def _header_lines(table: str) -> list[str]:
    """The lines above the rule of a one-column table without a label column."""
    lines = table.splitlines()
    rule = next(i for i, line in enumerate(lines) if set(line) <= {"-", " "})
    return [line.strip() for line in lines[:rule] if line.strip()]


# --------------------------------------------------------------------------- wrapping
def test_a_marked_header_breaks_between_its_words() -> None:
    assert wrap(f"提供方{BREAK}更替", 6) == ["提供方", "更替"]
    assert wrap(f"提供方{BREAK}更替率", 12) == ["提供方更替率"]
    assert words(f"社会组织{BREAK}存活率（年率）") == ["社会组织", "存活率", "（年率）"]


def test_a_short_run_stays_one_word() -> None:
    """A run of up to four Chinese characters between punctuation is one word: 年率
    was cut as （年|率）."""
    assert wrap("存活率（年率）", 10) == ["存活率", "（年率）"]
    assert wrap("购买方数", 6) == ["购买方", "数"]  # wider than the line: cut after all


def test_a_word_wider_than_the_line_breaks_between_characters() -> None:
    lines = wrap(f"群团孵化的{BREAK}专业机构", 6)
    assert "".join(lines) == "群团孵化的专业机构"
    assert all(display_width(line) <= 6 for line in lines)
    assert lines[0] == "群团孵"


def test_running_text_without_marks_still_fills_its_lines() -> None:
    """Sentences break between any two characters: only marked words hold together."""
    sentence = "开始时已有的社会组织中到运行结束时仍在运营的比例" * 3
    lines = wrap(sentence, 20)
    assert "".join(lines) == sentence
    assert all(display_width(line) == 20 for line in lines[:-1])


def test_marks_take_no_column_and_never_show() -> None:
    marked = f"社会组织{BREAK}存活率"
    assert display_width(marked) == 14
    assert BREAK not in pad(marked, 16) and display_width(pad(marked, 16)) == 16
    assert BREAK not in pad(marked, 16, ">")
    assert shorten(marked, 8) == "社会组…"
    assert all(BREAK not in line for line in wrap(marked * 3, 10))


# --------------------------------------------------------------------------- the catalogue
def test_catalogue_texts_are_shown_without_their_marks() -> None:
    assert any(BREAK in v for v in _marked_headers().values())
    shown = dict(_raw(i18n.catalogue(ZH)))
    assert not [k for k, v in shown.items() if isinstance(v, str) and BREAK in v]
    assert i18n.outcome_label("ngo_survival", ZH) == "社会组织存活率"
    assert BREAK not in i18n.parameter_label("n_bureaux", ZH)


def test_every_long_chinese_header_marks_its_words() -> None:
    """A header of more than four Chinese characters in a row: mark where its words
    meet with \\u200b in zh_CN.toml (社会组织\\u200b存活率), or a narrow column cuts it
    between any two characters."""
    unmarked = [
        f"{k} = {v!r}"
        for k, v in _marked_headers().items()
        if any(BREAK not in run for run in re.findall(r"[\u3400-\u9fff\u200b]{5,}", v))
    ]
    assert not unmarked, "\n".join(unmarked)


def test_report_headers_break_only_where_the_catalogue_marks_words() -> None:
    """Each outcome label over a column of short numbers (the narrowest column): every
    line of the header is whole words of the label (社会组织存|活率 before)."""
    i18n.catalogue(ZH)  # the layout learns the marks when the catalogue is read
    wrapped = 0
    for key, marked in _marked_headers().items():
        if not key.startswith("outcomes."):
            continue
        label = marked.replace(BREAK, "")
        lines = _header_lines(layout(["x"], [(label, ["0.5"])]))
        assert "".join(lines) == label, key
        ends = {sum(len(line) for line in lines[: i + 1]) for i in range(len(lines) - 1)}
        allowed = {m.start() - i for i, m in enumerate(re.finditer(BREAK, marked))}
        allowed |= {i + 1 for i, c in enumerate(label) if not re.match(r"[\u3400-\u9fff]", c)}
        allowed |= {i for i, c in enumerate(label) if c in "（("}
        assert ends <= allowed, (key, lines)
        wrapped += len(lines) > 1
    assert wrapped > 20


def test_the_compare_report_keeps_chinese_headers_whole() -> None:
    """The header the report cut as 提供|方更替 (and 社会组织存|活率)."""
    i18n.catalogue(ZH)
    table = layout(
        ["baseline", "thin_market"],
        [
            (i18n.outcome_label(name, ZH), ["0.78 ±0.17", "0.12 ±0.31"])
            for name in ("ngo_survival", "provider_turnover", "service_quality")
        ],
        i18n.text("report.scenario", ZH),
    )
    head = table.splitlines()[:2]
    assert head[0].split() == ["社会组织", "承接机构", "实际"]
    assert head[1].split() == ["情景", "存活率", "更替率", "服务质量"]


# --------------------------------------------------------------------------- English
_ascii = st.text(st.sampled_from("abc de-fg hij, (k) l.\n"), max_size=120)


@given(text=_ascii, width=st.integers(8, 40))
def test_english_lays_out_as_the_standard_library_does(text: str, width: int) -> None:
    assert wrap(text, width, "  ", "    ") == textwrap.wrap(
        text, width, initial_indent="  ", subsequent_indent="    "
    )
    assert words(text) == text.split()
    assert pad(text, width) == text.ljust(width)
    assert pad(text, width, ">") == text.rjust(width)
    assert display_width(text) == len(text)


@pytest.mark.parametrize("name", ["ngo_survival", "provider_turnover", "tied_award_share"])
def test_english_headers_are_untouched(name: str) -> None:
    label = i18n.outcome_label(name, "en")
    lines = _header_lines(layout(["x"], [(label, ["0.5"])]))
    width = max(8, *map(len, label.split()))
    assert lines == [line.strip() for line in textwrap.wrap(label, width)]
