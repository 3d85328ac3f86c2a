"""The validation page (docs/VALIDATION.md) is generated from stored results and
patterns.toml, and a change of either that the page does not show is caught."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from simcontract import validation_doc
from simcontract.experiment.validation import load_patterns

REGENERATE = "run `python -m simcontract.validation_doc` (or with --run after a model change)"


def test_every_minimum_effect_is_justified() -> None:
    reasons = validation_doc.minimum_effect_reasons()
    for p in load_patterns():
        assert len(reasons.get(p.id, "")) > 10, f"pattern {p.id}: say why its minimum effect"


def test_the_page_is_current() -> None:
    text = validation_doc.render()
    assert validation_doc.PAGE.read_text(encoding="utf-8") == text, REGENERATE


def test_the_page_says_what_each_pattern_rests_on() -> None:
    text = validation_doc.PAGE.read_text(encoding="utf-8")
    for p in load_patterns():
        section = text.split(f"### {p.id}. ", 1)[1].split("\n### ", 1)[0]
        assert "- Result: b − a = " in section, p.id
        assert ("- Mechanism: " in section) == (p.mechanism is not None), p.id
        assert ("- True by construction: " in section) == bool(p.construction), p.id


@pytest.mark.parametrize(
    "column, value",
    [("minimum_effect", 123.0), ("mechanism", "something else"), ("id", "zz")],
)
def test_results_that_patterns_toml_no_longer_matches_are_refused(
    tmp_path: Path, column: str, value: object
) -> None:
    reports = tmp_path / "reports"
    shutil.copytree(validation_doc.REPORTS, reports)
    table = pd.read_csv(reports / "validation.csv", keep_default_na=False, na_values=[""])
    table.loc[0, column] = value
    table.to_csv(reports / "validation.csv", index=False)
    with pytest.raises(validation_doc.StaleResults, match="--run"):
        validation_doc.render(reports)
