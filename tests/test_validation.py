"""The stylised facts (reduced replications) and the Guangzhou calibration report."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from simcontract import Scenario
from simcontract.experiment.validation import (
    Arm,
    Pattern,
    ablated,
    calibrate,
    format_calibration,
    format_validation,
    load_calibration,
    load_patterns,
    validate,
)
from simcontract.experiment.validation_report import failure

REPORTS = Path(__file__).resolve().parent.parent / "docs" / "reports"


def test_patterns_cover_every_stylised_fact() -> None:
    patterns = load_patterns()
    assert {p.fact for p in patterns} == set(range(1, 12))
    assert len({p.id for p in patterns}) == len(patterns)
    for p in patterns:
        assert p.a.scenario != p.b.scenario, p.id


def test_both_arms_run_on_the_same_seeds() -> None:
    tiny = {"years": 4, "initial_ngos": 15, "n_bureaux": 4, "n_mass_orgs": 1}
    a = Arm("a", Scenario(tiny, name="tiny"))
    # A rule change after the last year: another scenario, the same runs.
    later = Scenario(tiny, name="tiny", changes=[{"year": 9, "contract_years": 1}])
    assert later != a.scenario
    pattern = Pattern("x", 1, "claim", "source", "ngo_survival", "higher", a, Arm("b", later))
    (row,) = validate(replications=3, seed=4, workers=1, patterns=[pattern]).itertuples()
    assert row.diff == row.diff_low == row.diff_high == 0
    assert row.mean_a == row.mean_b and not row.reproduced


@pytest.fixture(scope="module")
def reduced() -> object:
    return validate(replications=20, seed=0, workers=2)


def test_every_pattern_has_a_minimum_effect_and_a_mechanism_or_a_construction() -> None:
    for p in load_patterns():
        assert p.minimum_effect > 0, p.id
        assert p.mechanism is not None or p.construction, p.id
        if p.mechanism is not None:
            # Switching the mechanism off changes an arm (an arm whose rule is already
            # the "off" value, as Guangzhou's open tendering in 4a, stays as it is), but
            # not the lever: the arms still differ, so the ablation compares what the
            # pattern compares.
            changed = [ablated(arm, p.mechanism).scenario != arm.scenario for arm in (p.a, p.b)]
            assert any(changed), p.id
            assert ablated(p.a, p.mechanism).scenario != ablated(p.b, p.mechanism).scenario


def test_the_ablation_verdict_reads_the_ablated_ci(reduced) -> None:
    patterns = {p.id: p for p in load_patterns()}
    for r in reduced.itertuples():
        p = patterns[r.id]
        if p.mechanism is None:
            assert r.ablation == "" and math.isnan(r.ablation_diff)
            continue
        assert r.ablation_low <= r.ablation_diff <= r.ablation_high
        m = p.minimum_effect
        vanishes = -m < r.ablation_low and r.ablation_high < m
        assert (r.ablation == "vanishes") == vanishes, r.id
        sourced = not p.mechanism.assumed  # a source describes the mechanism
        assert r.evidence == (r.reproduced and not p.construction and vanishes and sourced), r.id
    # Switched off, at least the mechanisms the ablation tests of the model know do
    # remove their patterns' effects.
    assert {"1", "3c", "9a"} <= set(reduced.loc[reduced["ablation"] == "vanishes", "id"])


def test_reduced_validation_agrees_with_the_published_one(reduced) -> None:
    """Every pattern not true by construction that the published validation reproduces
    (docs/reports/validation.csv: 30 replications, regenerated whenever results change;
    ``test_validation_doc`` holds it current) is reproduced with 20 replications too, and
    one it reports as not reproduced is not reproduced here either."""
    published = pd.read_csv(REPORTS / "validation.csv", keep_default_na=False, na_values=[""])
    published = published.set_index("id")["reproduced"].astype(bool)
    tested = reduced[reduced["construction"] == ""].set_index("id")["reproduced"]
    differ = tested[tested != published[tested.index]]
    assert differ.empty, f"reproduced with 20 replications, against the published run:\n{differ}"


def test_validation_table_is_consistent(reduced) -> None:
    for r in reduced.itertuples():
        assert r.ci_a_low <= r.mean_a <= r.ci_a_high
        assert r.ci_b_low <= r.mean_b <= r.ci_b_high
        assert r.diff_low <= r.diff <= r.diff_high
        assert math.isclose(r.diff, r.mean_b - r.mean_a, rel_tol=1e-9, abs_tol=1e-9)
        assert (r.effect_size > 0) == (r.expect == "higher")
    text = format_validation(reduced)
    assert text.count("\n") == len(reduced) + 1
    rows = {line.split("|")[1].strip(): line for line in text.splitlines()[2:]}
    for r in reduced.itertuples():
        assert rows[r.id].endswith("| by construction |") == bool(r.construction and r.reproduced)
        said = rows[r.id].rsplit("|", 2)[1].strip()
        assert (said in ("NOT reproduced", "too small")) == (not r.reproduced), r.id
        assert (said == "too small") == (failure(r) == "small"), r.id


def test_calibration_report_compares_every_figure() -> None:
    table = calibrate(replications=4, seed=0, workers=2)
    assert len(table) == len(load_calibration())
    assert (table["source_value"] > 0).all()
    assert table["model_mean"].notna().all()
    # Centres follow the budget rule exactly: 20 centres growing 67% a year.
    slots_2014 = table.loc[(table.outcome == "service_slots") & (table.year == 5), "model_mean"]
    assert slots_2014.iloc[0] == pytest.approx(160)
    assert "IFSCs in 2014" in format_calibration(table)


def test_validate_calibration_writes_its_report_with_out(tmp_path, capsys) -> None:
    """Before, ``--out`` was ignored with ``--calibration`` (nothing written, no word),
    and so were ``--pattern``, ``--robustness`` and ``--no-ablation``."""
    import pandas as pd

    from simcontract.cli import main

    out = tmp_path / "vc"
    argv = ["validate", "--calibration", "--replications", "2", "--workers", "1"]
    assert main([*argv, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    written = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert written == ["calibration.csv", "calibration.md"]
    table = pd.read_csv(out / "calibration.csv")
    assert len(table) == len(load_calibration())
    md = (out / "calibration.md").read_text(encoding="utf-8")
    assert format_calibration(calibrate(replications=2, seed=0, workers=1)) in md
    assert printed.splitlines()[0] in md
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "table.md").write_text("a validation report")
    assert main([*argv, "--out", str(tmp_path / "other")]) == 2
    assert "holds 'table.md', which validate --calibration does not write" in (
        capsys.readouterr().err
    )
    for extra in (
        ["--pattern", "2a"],
        ["--no-ablation"],
        ["--robustness", "16"],
        ["--robustness-replications", "4"],
    ):
        assert main([*argv, *extra]) == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert f"{extra[0]} does not apply to --calibration" in line


def _facts_in_the_odd() -> dict[int, str]:
    """Each stylised fact of the ODD's list (Section 1), by number, as one line."""
    text = (REPORTS.parent / "ODD.md").read_text("utf-8")
    block = text.split("a direction of effect:", 1)[1].split("**Test of a pattern.**", 1)[0]
    facts: dict[int, str] = {}
    for line in block.splitlines():
        head, dot, rest = line.strip().partition(". ")
        if dot and head.isdigit():
            facts[int(head)] = rest
        elif facts and line.strip():
            facts[max(facts)] += " " + line.strip()
    return facts


def test_patterns_cite_the_sources_the_odd_gives_for_their_fact() -> None:
    from simcontract.sources import SOURCES

    facts = _facts_in_the_odd()
    assert set(facts) == set(range(1, 12))
    cited = {n: {k for k, s in SOURCES.items() if s.short in t} for n, t in facts.items()}
    for p in load_patterns():
        assert set(p.sources) <= cited[p.fact], (p.id, p.sources, cited[p.fact])
    for fact, keys in cited.items():
        used = {k for p in load_patterns() if p.fact == fact for k in p.sources}
        assert used == keys, (fact, used, keys)


def test_a_pattern_with_an_unknown_or_no_document_source_is_refused(monkeypatch) -> None:
    import simcontract.experiment.validation as validation
    from simcontract.scenario import ScenarioError

    raw = validation._pattern_file()
    for bad in ("no_such_key", "assumption", []):
        first = dict(raw["pattern"][0], source=bad)
        monkeypatch.setattr(validation, "_pattern_file", lambda f=first: {"pattern": [f]})
        with pytest.raises(ScenarioError, match="pattern 1: "):
            validation.load_patterns()
