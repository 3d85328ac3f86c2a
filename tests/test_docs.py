"""The model description (docs/ODD.md) stays in step with the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simcontract import doctable
from simcontract.outcomes import OUTCOMES
from simcontract.params import PARAMETERS

ODD = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"

REGENERATE = "run `python -m simcontract.doctable` to regenerate it"

SECTIONS = [
    "Purpose and patterns",
    "Entities, state variables and scales",
    "Process overview and scheduling",
    "Design concepts",
    "Initialization",
    "Input data",
    "Submodels",
]
"""The seven top-level sections of the ODD protocol (Grimm et al. 2020), in order."""

DESIGN_CONCEPTS = [
    "Basic principles",
    "Emergence",
    "Adaptation",
    "Objectives",
    "Learning",
    "Prediction",
    "Sensing",
    "Interaction",
    "Stochasticity",
    "Collectives",
    "Observation",
]
"""The eleven design concepts, in the protocol's order."""


@pytest.fixture(scope="module")
def odd_text() -> str:
    """The text of docs/ODD.md."""
    assert ODD.is_file(), f"{ODD} is missing"
    return ODD.read_text(encoding="utf-8")


def prose(text: str) -> str:
    """``text`` without its generated blocks (what was written by hand)."""
    for name in doctable.BLOCKS:
        start, end = doctable.markers(name)
        text = re.sub(re.escape(start) + ".*?" + re.escape(end), "", text, flags=re.S)
    return text


def code(text: str) -> str:
    """The code in Markdown ``text``: fenced blocks and inline code spans, one per line."""
    fence = r"^```[^\n]*\n(.*?)^```"
    blocks = re.findall(fence, text, flags=re.S | re.M)
    spans = re.findall(r"`([^`\n]+)`", re.sub(fence, "", text, flags=re.S | re.M))
    return "\n".join(blocks + spans)


def named(name: str, text: str) -> bool:
    """Whether ``name`` appears as a whole word in the code of ``text``."""
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", code(text)) is not None


def headings(text: str, level: int) -> list[str]:
    """Titles of the headings of one level, in order (fenced code is skipped)."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    return re.findall(rf"^{'#' * level} (.+?)\s*$", text, flags=re.M)


@pytest.mark.parametrize("name", list(doctable.BLOCKS))
def test_generated_blocks_are_current(odd_text: str, name: str) -> None:
    current = doctable.extract(odd_text, name, str(ODD))
    assert current is not None, f"docs/ODD.md has no {name} block; add its markers and {REGENERATE}"
    assert current == doctable.block_content(name), (
        f"the {name} table in docs/ODD.md differs from the code; {REGENERATE}"
    )


def test_every_parameter_is_named_in_the_prose(odd_text: str) -> None:
    text = prose(odd_text)
    missing = [name for name in PARAMETERS if not named(name, text)]
    assert not missing, (
        f"parameters not described outside the generated tables of docs/ODD.md: {missing}"
    )


def test_every_outcome_is_named_in_the_prose(odd_text: str) -> None:
    text = prose(odd_text)
    missing = [name for name in OUTCOMES if not named(name, text)]
    assert not missing, (
        f"outcomes not described outside the generated tables of docs/ODD.md: {missing}"
    )


def test_seven_top_level_sections_in_order(odd_text: str) -> None:
    numbered = {}
    for title in headings(odd_text, 2):
        m = re.fullmatch(r"(\d+)\.?\s+(.+)", title)
        if m:
            numbered[int(m.group(1))] = m.group(2)
    assert numbered == dict(enumerate(SECTIONS, 1))


def test_eleven_design_concepts_are_headings(odd_text: str) -> None:
    section = odd_text.split("## 4. Design concepts", 1)[1].split("\n## ", 1)[0]
    titles = [re.sub(r"^[\d.]+\s+", "", t) for t in headings(section, 3)]
    assert titles == DESIGN_CONCEPTS


def test_refresh_rewrites_stale_blocks_only(tmp_path: Path) -> None:
    start, end = doctable.markers("outcomes")
    path = tmp_path / "doc.md"
    path.write_text(f"# Title\n\ntext before\n{start}\nold table\n{end}\ntext after\n", "utf-8")
    assert doctable.refresh(path) is True
    text = path.read_text("utf-8")
    assert text.startswith("# Title\n\ntext before\n")
    assert text.endswith(f"{end}\ntext after\n")
    assert doctable.extract(text, "outcomes") == doctable.block_content("outcomes")
    for name in OUTCOMES:
        assert f"`{name}`" in text
    assert doctable.refresh(path) is False


def test_refresh_rejects_files_without_or_with_broken_markers(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    path.write_text("# No markers here\n", "utf-8")
    with pytest.raises(ValueError, match="no generated block"):
        doctable.refresh(path)
    start, end = doctable.markers("parameters")
    path.write_text(f"{start}\n{start}\n{end}\n", "utf-8")
    with pytest.raises(ValueError, match="expected one"):
        doctable.refresh(path)
    path.write_text(f"{end}\n{start}\n", "utf-8")
    with pytest.raises(ValueError, match="comes before"):
        doctable.refresh(path)


def test_parameter_table_lists_the_registry_in_order() -> None:
    table = doctable.parameter_table()
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert [r.split("`")[1] for r in rows] == list(PARAMETERS)
    for p in PARAMETERS.values():
        assert p.allowed() in table


def test_names_count_in_inline_or_fenced_code_only() -> None:
    text = "plain wage, `quit_rate`, `1 - tie_decay`\n```\nq = pay_quit * x\n```\n"
    assert named("quit_rate", text)
    assert named("tie_decay", text)
    assert named("pay_quit", text)
    assert not named("wage", text)
    assert not named("pay", text)


def test_cells_escape_pipes() -> None:
    assert doctable._row(["a|b", "c\nd"]) == "| a\\|b | c d |"


def test_command_line_check_and_update(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    start, end = doctable.markers("parameters")
    path = tmp_path / "doc.md"
    path.write_text(f"{start}\n{end}\n", "utf-8")
    assert doctable.main(["--check", str(path)]) == 1
    assert "out of date: parameters" in capsys.readouterr().out
    assert doctable.main([str(path)]) == 0
    assert doctable.main(["--check", str(path)]) == 0
    assert doctable.main([str(tmp_path / "missing.md")]) == 1
