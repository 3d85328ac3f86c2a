"""A results folder says what every column of every table it holds means, which rules a
scenario changes in later years, and which simcontract made it."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from simcontract import Scenario, i18n, load_results
from simcontract.cli import main
from simcontract.experiment import codebook, columns, exports, report, storage
from simcontract.experiment.plan import code_record
from simcontract.params import PARAMETERS

TINY = {"years": 3, "initial_ngos": 10, "n_bureaux": 4, "n_mass_orgs": 1}

CHANGES = [
    {"year": 2, "registration": "direct", "contract_years": 2},
    {"year": 3, "contract_value": 2.4e6},
]
"""The dated rule changes of the scenario ``reformed``."""

SAID = "year 2: registration=direct, contract_years=2; year 3: contract_value=2400000"
""":data:`CHANGES` as the runs table's column ``changes`` says them."""

_HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def tomls(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("scenarios")
    paths = []
    for name, changes in (("steady", []), ("reformed", CHANGES)):
        path = folder / f"{name}.toml"
        path.write_text(Scenario(TINY, name=name, changes=changes).to_toml(), encoding="utf-8")
        paths.append(str(path))
    return paths


def _main(argv: list[str]) -> str:
    printed = io.StringIO()  # capsys is per test; the fixtures serve several
    with contextlib.redirect_stdout(printed):
        assert main(argv) == 0
    return printed.getvalue()


@pytest.fixture(scope="module")
def compared(tomls: list[str], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A comparison with its series, contracts and NGOs, and what it printed."""
    out = tmp_path_factory.mktemp("cmp") / "out"
    argv = ["compare", *tomls, "--replications", "2", "--workers", "1", "--series"]
    return out, _main([*argv, "--figures", "none", "--out", str(out)])


@pytest.fixture(scope="module")
def swept(tomls: list[str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Morris sweep (it writes indices.csv) of the scenario with dated changes."""
    out = tmp_path_factory.mktemp("sweep") / "out"
    argv = ["sweep", tomls[1], "--morris", "2", "--param", "favouritism", "--param"]
    argv += ["share_grassroots=0:0.3", "--replications", "1", "--workers", "1", "--series"]
    _main([*argv, "--figures", "none", "--out", str(out)])
    return out


def _tables(folder: Path) -> dict[str, pd.DataFrame]:
    """Every table the folder holds, by the file (or folder of parts) it is in."""
    results = load_results(folder)
    found = {f"{name}/": getattr(results, name) for name in (storage.RUNS, *storage.DETAILS)}
    found |= {path.name: pd.read_csv(path) for path in sorted(folder.glob("*.csv"))}
    with pd.io.stata.StataReader(folder / exports.RUNS_DTA) as reader:
        found[exports.RUNS_DTA] = reader.read()
    return found


@pytest.mark.parametrize("batch", ["compared", "swept"])
def test_every_column_of_every_table_is_in_the_codebook(
    batch: str, request: pytest.FixtureRequest
) -> None:
    """Before, codebook.md and codebook.json described the outcomes alone: nothing said
    what ``reserves``, ``exit_reason``, ``tie`` or ``start`` hold."""
    fixture = request.getfixturevalue(batch)
    folder = fixture[0] if isinstance(fixture, tuple) else fixture
    book = json.loads((folder / exports.CODEBOOK_JSON).read_text(encoding="utf-8"))
    md = (folder / exports.CODEBOOK_MD).read_text(encoding="utf-8")
    described = {f: t for t in book["tables"] for f in t["files"]}
    found = _tables(folder)
    assert {"runs/", "ngos/", "contracts/", "runs.csv", "runs.dta", "table.csv"} <= set(found)
    assert ("contrasts.csv" if batch == "compared" else "indices.csv") in found
    for where, frame in found.items():
        table = described[where]  # every table of the folder is in the codebook
        names = [c["name"] for c in table["columns"]]
        if where == exports.RUNS_DTA:  # Stata's names, cut to 32 characters
            names = list(codebook.stata_names(names).values())
        missing = [c for c in frame.columns if c not in names]
        assert not missing, (where, missing)
        section = md.split(f"`{where}`", 1)[1].split("\n## ", 1)[0]
        for c in table["columns"]:
            assert c["label"] and c["meaning"], (where, c["name"])
            assert f"| `{c['name']}` | {c['label']} |" in section, (where, c["name"])
    ngos = {c["name"]: c for c in described["ngos/"]["columns"]}
    assert ngos["reserves"]["unit"] == "CNY" and ngos["dependence"]["unit"] == "share"
    assert set(ngos["exit_reason"]["values"]) == {"insolvent", "closed"}
    assert set(found["ngos/"]["exit_reason"]) <= {"", *ngos["exit_reason"]["values"]}
    contracts = {c["name"]: c for c in described["contracts/"]["columns"]}
    assert contracts["price"]["unit"] == "CNY/year" and contracts["end"]["unit"] == "model year"
    runs = {c["name"]: c for c in described["runs/"]["columns"]}
    assert runs["changes"]["files"] == ["runs.csv", "runs.dta"]
    assert runs["contract_years"]["label"] == i18n.parameter_label("contract_years")


def test_the_chinese_codebook_describes_every_column_in_chinese() -> None:
    for table in columns.tables("zh_CN", varied=["favouritism"], dated=["contract_years"]):
        assert _HAN.search(table.rows), table.name
        for c in table.columns:
            assert _HAN.search(c.label) and _HAN.search(c.meaning), (table.name, c.name)
            assert all(_HAN.search(v) for v in c.values.values()), c.name
    md = codebook.markdown("zh_CN", tables=columns.tables("zh_CN"))
    assert md.startswith("# 结果文件夹编码手册")
    assert "| `exit_reason` | 退出原因 |" in md and "`insolvent`：资金耗尽" in md


def test_the_runs_table_says_which_rules_change_in_later_years(
    compared: tuple[Path, str],
) -> None:
    """Before, runs.csv and runs.dta held the values of year 1 alone; the changes of
    later years were in manifest.json only."""
    out, _printed = compared
    runs = pd.read_csv(out / exports.RUNS_CSV, keep_default_na=False)
    said = dict(zip(runs["scenario"], runs[columns.CHANGES], strict=True))
    assert said == {"steady": "", "reformed": SAID}
    names = list(runs.columns)
    assert names.index(columns.CHANGES) == names.index(list(PARAMETERS)[-1]) + 1
    results = load_results(out)
    assert [dict(c) for c in results.scenarios[1].to_dict()["changes"]] == CHANGES
    with pd.io.stata.StataReader(out / exports.RUNS_DTA) as reader:
        frame, labels = reader.read(), reader.variable_labels()
    assert sorted(set(frame[columns.CHANGES])) == ["", SAID]
    assert labels["contract_years"] == "Contract length, year 1 (years)"
    assert labels["registration"] == f"{i18n.parameter_label('registration')}, year 1"
    assert labels["favouritism"] == i18n.parameter_label("favouritism")
    assert labels[columns.CHANGES] == "Dated rule changes"
    book = json.loads((out / exports.CODEBOOK_JSON).read_text(encoding="utf-8"))
    runs_book = {c["name"]: c for c in book["tables"][0]["columns"]}
    dated = {n for n, c in runs_book.items() if c["dated"]}
    assert dated == {"registration", "contract_years", "contract_value"}
    assert i18n.text("columns.year_one") in runs_book["contract_value"]["meaning"]
    markdown = (out / "table.md").read_text(encoding="utf-8")
    rows = {line.split(" | ")[0]: line for line in markdown.splitlines()}
    assert rows["| reformed"].endswith(f"| {SAID} |")
    assert rows["| steady"].endswith("| none |")


def test_a_change_after_the_last_year_is_left_out() -> None:
    changes = [{"year": 4, "budget_growth": 0.03}, {"year": 2, "contract_value": 2.4e6}]
    assert columns.changes_text(changes, "en") == (
        "year 2: contract_value=2400000; year 4: budget_growth=0.03"
    )
    assert columns.changes_text(changes, "en", years=3) == "year 2: contract_value=2400000"
    assert columns.changes_text(changes, "en", years=1) == ""
    assert columns.changes_text(changes, "zh_CN") == (
        "第 2 年：contract_value=2400000；第 4 年：budget_growth=0.03"
    )
    manifest = {"design": None, "scenarios": [{"changes": []}, {"changes": changes}]}
    runs = pd.DataFrame({"point": [0, 1, 1], "years": [5, 3, 5]})
    assert list(columns.changes_column(runs, manifest)) == [
        "",
        "year 2: contract_value=2400000",
        "year 2: contract_value=2400000; year 4: budget_growth=0.03",
    ]
    assert columns.dated_parameters(runs.iloc[:2], manifest) == ["contract_value"]


def test_a_change_of_year_1_is_in_the_value_of_year_1() -> None:
    """A change dated year 1 applies from the start: the parameter column held the
    value before it, and the codebook called the parameter changed "in a later year"."""
    from simcontract.experiment import compare

    start = Scenario(
        {**TINY, "contract_years": 3}, name="start", changes=[{"year": 1, "contract_years": 1}]
    )
    runs = compare([start], replications=2, workers=1).runs
    assert list(runs["contract_years"]) == [1, 1]
    manifest = {"design": None, "scenarios": [{"changes": [{"year": 1, "contract_years": 1}]}]}
    assert columns.dated_parameters(runs, manifest) == []


def test_table_md_and_the_printout_name_the_version_and_model_code(
    compared: tuple[Path, str], swept: Path
) -> None:
    """Before, table.md and the printed comparison quoted the command and the seed but
    not the version and code to cite with a result (docs/cite.md)."""
    out, printed = compared
    manifest = load_results(out).manifest
    version, code = manifest["simcontract_version"], manifest["identity"]["model_code"]
    line = f"`simcontract {version}`, model code `{code}`"
    assert report.version_line(manifest) == line and code.startswith("sha256:")
    assert printed.splitlines()[1] == line
    assert line in (out / "table.md").read_text(encoding="utf-8").splitlines()
    sweep_md = (swept / "table.md").read_text(encoding="utf-8")
    assert load_results(swept).manifest["identity"]["model_code"] in sweep_md
    assert (
        "rule changes of reformed take effect at every design point whose runs last until "
        f"their year: {SAID} (" in sweep_md
    )
    assert report.version_line({}) == ""
    now = {"version": code_record()["simcontract_version"], "code": code_record()["model_code"]}
    assert report.code_text(code_record(), "zh_CN") == i18n.text("report.version", "zh_CN", **now)
