"""The codebook, the files of a results folder (CSV, Stata) and `simcontract compare`'s
options for a fair comparison."""

from __future__ import annotations

import contextlib
import io
import json
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from simcontract import Scenario, i18n, load_results
from simcontract.cli import main
from simcontract.experiment import codebook, exports
from simcontract.outcomes import OUTCOMES

TINY = {"years": 3, "initial_ngos": 10, "n_bureaux": 4, "n_mass_orgs": 1}


@pytest.fixture(scope="module")
def tomls(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("scenarios")
    paths = []
    for name, extra in (("tiny", {}), ("longer", {"years": 4, "initial_ngos": 20})):
        path = folder / f"{name}.toml"
        path.write_text(Scenario({**TINY, **extra}, name=name).to_toml(), encoding="utf-8")
        paths.append(str(path))
    return paths


@pytest.fixture(scope="module")
def compared(tomls: list[str], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """`simcontract compare` of two small scenarios into a folder, and what it printed."""
    out = tmp_path_factory.mktemp("cmp") / "out"
    argv = ["compare", *tomls, "--replications", "3", "--workers", "1", "--out", str(out)]
    argv += ["--set", "favouritism=0.4", "--set", "contract_years=2", "--reference", "longer"]
    printed = io.StringIO()  # capsys is per test; this fixture serves several
    with contextlib.redirect_stdout(printed):
        assert main(argv) == 0
    return out, printed.getvalue()


def test_the_codebook_covers_every_outcome_and_its_comparable_form() -> None:
    described = codebook.variables()
    for name, outcome in OUTCOMES.items():
        v = described[name]
        assert v.unit and v.definition and v.kind and v.pooling_text, name
        assert v.pooling == outcome.pooling
        if outcome.per:
            assert described[outcome.comparable_name].comparable == name
    md = codebook.markdown()
    assert all(f"## `{name}`" in md for name in described)
    data = json.loads(codebook.to_json("zh_CN"))
    assert data["language"] == "zh_CN"
    assert [v["name"] for v in data["variables"]] == list(described)
    assert codebook.variables()["public_spend"].cumulative
    assert described["ngo_entries"].kind == "cumulative"


def test_the_chinese_codebook_has_no_english_text_left() -> None:
    """Before, when an outcome has no value (``undefined``) stayed in English."""
    import re

    han = re.compile(r"[\u4e00-\u9fff]")
    english = codebook.variables()
    for v in json.loads(codebook.to_json("zh_CN"))["variables"]:
        fields = ("label", "unit", "definition", "kind", "pooling_text", "undefined")
        for field in fields:
            text = v[field]
            assert not text or han.search(text), (v["name"], field, text)
        assert bool(v["undefined"]) == bool(english[v["name"]].undefined), v["name"]


def test_stata_names_are_short_unique_and_readable() -> None:
    names = codebook.stata_names([*codebook.variable_list(None), "x" * 40, "x" * 41])
    assert all(len(n) <= codebook.STATA_NAME for n in names.values())
    assert len(set(names.values())) == len(names)
    assert names["early_terminations_per_purchaser_year"] == "early_term_per_purchaser_year"
    assert names["hhi"] == "hhi"


def test_compare_echoes_settings_sizes_and_the_reference(compared: tuple[Path, str]) -> None:
    out, printed = compared
    lines = printed.splitlines()
    assert max(len(line) for line in lines if str(out) not in line) <= 100
    assert "Settings: --set favouritism=0.4 --set contract_years=2" in printed
    assert "Difference from longer" in printed and "(longer)" in printed
    assert "horizons differ (3 to 4 years)" in printed
    assert "NGOs at the start differ (10 to 20)" in printed
    assert "use --years N to compare the same window" in " ".join(printed.split())
    facts = [line.split() for line in lines if line.startswith(("tiny ", "longer "))][:2]
    assert facts[0][-3:] == ["3", "10", "5"] and facts[1][-3:] == ["4", "20", "5"]


def test_a_results_folder_holds_tables_codebook_and_exports(compared: tuple[Path, str]) -> None:
    out, _printed = compared
    for name in (*exports.FILES, "table.md", "contrasts.csv"):
        assert (out / name).is_file(), name
    table = pd.read_csv(out / "table.csv")
    assert set(table["outcome"]) == set(codebook.variable_list(None))
    assert table.loc[table["outcome"] == "public_spend", "unit"].iloc[0] == "CNY"
    contrasts = pd.read_csv(out / "contrasts.csv")
    assert set(contrasts["reference"]) == {"longer"} and set(contrasts["scenario"]) == {"tiny"}
    markdown = (out / "table.md").read_text(encoding="utf-8")
    assert "| Public spend (`public_spend`) | CNY |" in markdown
    assert "Difference from longer" in markdown
    assert "--set favouritism=0.4" in markdown
    book = json.loads((out / "codebook.json").read_text(encoding="utf-8"))
    assert {v["name"] for v in book["variables"]} == set(codebook.variables())
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs) == 6 and "ngo_survival_annual" in runs


def test_the_stata_file_has_every_run_and_labels_from_the_codebook(
    compared: tuple[Path, str],
) -> None:
    out, _printed = compared
    with pd.io.stata.StataReader(out / "runs.dta") as reader:
        frame = reader.read()
        labels = reader.variable_labels()
    stored = load_results(out).runs
    assert len(frame) == len(stored)
    assert list(frame["seed"]) == [str(s) for s in stored["seed"]]  # 63 bits kept
    assert frame["service_quality"].tolist() == pytest.approx(stored["service_quality"].tolist())
    assert labels["ngo_survival"] == "NGO survival (share)"
    assert labels["early_term_per_purchaser_year"].startswith("Early terminations per purchaser")
    assert all(len(text) <= exports.STATA_LABEL for text in labels.values())


def test_years_sets_a_common_window(tomls: list[str], capsys) -> None:
    argv = ["compare", *tomls, "--replications", "2", "--workers", "1", "--years", "2"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "Common window: every scenario runs its first 2 years (--years 2)." in printed
    assert "horizons differ" not in printed
    assert "NGOs at the start differ" in printed  # --years cannot make sizes alike


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--reference", "nowhere"], "--reference 'nowhere' is not among the scenarios compared"),
        (["--years", "4"], "--years 4: scenario 'tiny' runs only 3 years; choose at most 3"),
        (["--outcomes", "hhi,nothing"], "--outcomes 'hhi,nothing': unknown outcome 'nothing'"),
        (["--years", "0"], "argument --years: expected a positive integer, got 0"),
    ],
)
def test_bad_compare_options_are_one_line_and_write_nothing(
    tomls: list[str], tmp_path: Path, capsys, options: list[str], message: str
) -> None:
    out = tmp_path / "never"
    argv = ["compare", *tomls, "--replications", "2", "--workers", "1", "--out", str(out)]
    assert main([*argv, *options]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith("simcontract: error: ") and message in line
    assert not out.exists()


def test_outcomes_lists_every_outcome(capsys) -> None:
    assert main(["outcomes"]) == 0
    text = capsys.readouterr().out
    assert max(map(len, text.splitlines())) <= 100
    for name in codebook.variables():
        assert f"\n{name}  [" in f"\n{text}", name
    assert main(["outcomes", "--format", "csv", "--lang", "zh_CN"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(table["name"]) == list(codebook.variables())
    assert table.loc[table["name"] == "ngo_survival", "label"].iloc[0] == "社会组织存活率"
    assert main(["outcomes", "--lang", "klingon"]) == 2
    assert capsys.readouterr().err.startswith("simcontract: error: --lang 'klingon'")


def test_the_chinese_codebook_reads_as_chinese_sentences() -> None:
    """Before, ``outcomes --format md --lang zh_CN`` read ``运行结束时. 运行最后一年的数值。``,
    ``运行时长, 市场规模``, ``形式： 年率`` and ``新登记的社会组织（每个购买方）（每年）``."""
    md = codebook.markdown("zh_CN")
    entry = md.split("## `active_ngos`")[1].split("\n## ")[0]
    assert "- **每年或累计**：运行结束时。运行最后一年的数值。" in entry
    assert "- **按定义取决于**：运行时长、市场规模" in entry
    assert "换算到每年尺度的形式：年率" in md and "形式： " not in md
    assert "## `ngo_entries_per_purchaser_year`：新登记的社会组织（每个购买方每年）" in md
    assert "）（" not in md
    english = codebook.markdown("en")
    assert "- **Per year or cumulative**: end of run. The value in the last year of the run." in (
        english
    )
    assert "- **Depends by construction on**: run length, market size" in english
    assert codebook.variables("en")["ngo_entries_per_purchaser_year"].label.endswith(
        " per purchaser per year"
    )


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_text_codebook_fits_100_columns_and_says_when_undefined(lang: str, capsys) -> None:
    """Before, the Chinese lines ran to 192 columns (a CJK character takes two but was
    counted as one, and textwrap breaks only at spaces), and the text format alone left
    out when an outcome is undefined."""
    assert main(["outcomes", "--format", "text", "--lang", lang]) == 0
    text = capsys.readouterr().out
    assert max(map(_columns, text.splitlines())) <= 100
    said = i18n.text(
        "punctuation.field",
        lang,
        name=i18n.text("report.codebook_undefined", lang),
        value=i18n.outcome_undefined("ngo_survival", lang),
    )
    entry = text.split("\nngo_survival_annual  ")[0]
    assert said in entry.replace("\n      ", "" if lang != "en" else " ")
    undefined = [v for v in codebook.variables(lang).values() if v.undefined]
    assert text.count(i18n.text("report.codebook_undefined", lang)) == len(undefined)


def _columns(text: str) -> int:
    """Terminal columns of ``text``: two for a wide (CJK) character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_a_form_per_year_does_not_claim_to_remove_the_horizon() -> None:
    """A 10-year run is the first half of a 20-year one, yet its public spend per
    purchaser and year is lower (budgets grow) and its annual survival rate differs:
    the codebook said both forms were comparable across runs of different length."""
    described = codebook.variables()
    for name in ("public_spend_per_purchaser_year", "ngo_survival_annual"):
        assert described[name].horizon, name
    assert not described["public_spend_per_purchaser_year"].size
    assert "same window of years" in described["ngo_survival_annual"].definition
    said = described["public_spend_per_purchaser_year"].pooling_text
    assert "divided by its years and the market's purchasers" in said
