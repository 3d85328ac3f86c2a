"""Sources are cited by key and short citation, never by file name; the bibliography
(docs/SOURCES.md) follows the code; `simcontract params SCENARIO` shows a scenario's
values with their sources; the national example ships as a scenario file."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from simcontract import ContractingModel, bibliography, sources
from simcontract.cli import main
from simcontract.experiment.validation import load_calibration, load_patterns
from simcontract.params import PARAMETERS
from simcontract.scenario import (
    ScenarioError,
    builtin_dir,
    builtin_names,
    load_scenario,
    load_sources,
)

ROOT = Path(__file__).resolve().parent.parent
FILE_NAME = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
"""A source document's file name, which no user-facing text may show."""
DOCUMENT_NUMBER = re.compile(r"(?:\(|, )00[0-4]\)")
"""A citation by the number of a document's file: "(002)", ", 003)"."""


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``main(argv)``: exit status, stdout and stderr (nothing may escape it)."""
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(argv: list[str], capsys: pytest.CaptureFixture[str], *fragments: str) -> None:
    """Exit status 2 and one ``simcontract: error:`` line naming ``fragments``."""
    code, out, err = run_cli(argv, capsys)
    assert code == 2 and out == ""
    (line,) = err.splitlines()
    assert line.startswith("simcontract: error: ")
    for fragment in fragments:
        assert fragment in line, line


def scenario_toml(tmp_path: Path, text: str) -> str:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


# ------------------------------------------------------------------ the registry of sources
def test_each_source_has_a_short_citation_and_a_full_reference() -> None:
    assert len(sources.SOURCES) == 5
    shorts = [s.short for s in sources.SOURCES.values()]
    assert len(set(shorts)) == len(shorts)
    for key, source in sources.SOURCES.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", key)
        assert sources.cite(key) == sources.cite(source.file) == source.short
        assert source.year in source.short  # author-date: the short form carries the year
        full = sources.reference(key)
        assert source.title in full and f"({source.year})" in full
        assert not FILE_NAME.search(full)
    assert sources.cite("mok_wen_2023") == "Mok & Wen 2023"
    assert "Social Policy and Society" in sources.reference("mok_wen_2023")


def test_cite_joins_lists_and_refuses_unknown_sources() -> None:
    assert sources.cite("assumption") == "assumption"
    assert sources.cite(["calibrated", "guangzhou_ifsc_nd"]) == (
        "calibrated; Guangzhou IFSC study n.d."
    )
    for bad in ("mok_2023", "", [], ["mok_wen_2023", 3]):
        with pytest.raises(ValueError, match="source"):
            sources.cite(bad)


def test_every_source_named_anywhere_is_in_the_registry() -> None:
    named = {p.source for p in PARAMETERS.values()} | {p.basis for p in PARAMETERS.values()}
    named.discard("")
    named |= {k for p in load_patterns() for k in p.sources}
    named |= {t.source for t in load_calibration()}
    for name in builtin_names():
        found = load_sources(name)
        named |= {ref for refs in found.parameters.values() for ref in refs}
        named |= {ref for t in found.changes.values() for refs in t.values() for ref in refs}
    assert named - set(sources.SOURCES) - set(sources.KINDS) == set()
    assert set(sources.SOURCES) <= named, "a source nothing cites"


# ------------------------------------------------------------------ scenario files
@pytest.mark.parametrize("name", builtin_names())
def test_every_value_of_a_builtin_scenario_has_its_source(name: str) -> None:
    data = tomllib.loads((builtin_dir() / f"{name}.toml").read_text(encoding="utf-8"))
    found = load_sources(name)
    assert set(found.parameters) == set(data["parameters"])
    for change in data.get("changes", []):
        assert set(found.changes[change["year"]]) == set(change) - {"year", "sources"}


@pytest.mark.parametrize("name", builtin_names())
def test_comments_cite_what_the_sources_table_says(name: str) -> None:
    """The comment beside a value starts with the short citation of its first source."""
    found = load_sources(name)
    text = (builtin_dir() / f"{name}.toml").read_text(encoding="utf-8")
    body = text.split("[parameters]", 1)[1].split("[sources]", 1)[0]
    checked = 0
    for value_name, comment in re.findall(r"^(\w+)\s*=[^#\n]*#\s*([^\n]+)$", body, re.M):
        first = comment.split(":", 1)[0].strip()
        assert first == sources.cite(found.parameters[value_name][0]), (value_name, comment)
        checked += 1
    assert checked == len(found.parameters)


def test_no_file_name_is_cited_in_files_a_reader_sees() -> None:
    paths = [*builtin_dir().glob("*.toml"), ROOT / "examples" / "national.toml"]
    paths += [ROOT / "simcontract" / "patterns.toml", ROOT / "README.md"]
    paths += [ROOT / "docs" / "ODD.md", ROOT / "docs" / "SOURCES.md"]
    paths += sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        found = FILE_NAME.search(path.read_text(encoding="utf-8"))
        assert found is None, f"{path.name} cites {found.group(0)}"


def test_the_code_cites_sources_by_short_citation_not_by_document_number() -> None:
    """Docstrings reach the API reference: "(002)" tells a reader nothing."""
    for path in sorted((ROOT / "simcontract").rglob("*.py")):
        found = DOCUMENT_NUMBER.search(path.read_text(encoding="utf-8"))
        assert found is None, f"{path.relative_to(ROOT)} cites {found.group(0)}"


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (
            '[parameters]\nyears = 3\n[sources]\nyears = "mok_2023"\n',
            ("[sources] 'years'", "unknown source 'mok_2023'", "mok_wen_2023"),
        ),
        ('[parameters]\nyears = 3\n[sources]\nfavouritism = "assumption"\n', ("not set",)),
        ('[parameters]\nyears = 3\n[sources]\ncolour = "assumption"\n', ("colour",)),
        (
            '[parameters]\nyears = 3\nsources = "assumption"\n',
            ("'sources' is not a parameter: a scenario file gives it as a table of its own",),
        ),
        (
            "[parameters]\nyears = 9\n[[changes]]\nyear = 2\nfavouritism = 0.5\n"
            'sources = { favouritism = "nobody" }\n',
            ("change #1 (year 2) sources", "unknown source 'nobody'"),
        ),
    ],
)
def test_bad_sources_tables_are_one_clear_error(
    tmp_path: Path, text: str, fragments: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    path = scenario_toml(tmp_path, text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    for fragment in fragments:
        assert fragment in str(err.value)
    one_error_line(["params", path], capsys, *fragments)
    one_error_line(["run", path], capsys, *fragments)


def test_a_sources_table_changes_no_value(tmp_path: Path) -> None:
    with_sources = scenario_toml(
        tmp_path, '[parameters]\nyears = 3\n[sources]\nyears = ["assumption", "lse_nd"]\n'
    )
    assert load_scenario(with_sources) == load_scenario("baseline").replace(years=3)
    assert load_sources(with_sources).of("years") == "assumption; LSE n.d."


# ------------------------------------------------------------------ simcontract params
def test_params_verbose_cites_by_short_citation(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run_cli(["params", "-v"], capsys)
    assert code == 0
    assert not FILE_NAME.search(out)
    assert "(source: Mok & Wen 2023 [mok_wen_2023])" in out
    assert "(source: Guangzhou IFSC study n.d. [guangzhou_ifsc_nd])" in out
    for p in PARAMETERS.values():
        assert f"{p.meaning} (source: {p.citation}" in out


def _table(out: str) -> dict[str, list[str]]:
    """Rows of the params table by parameter name (columns split on 2+ spaces)."""
    rows = {}
    for line in out.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if cells[0] in PARAMETERS:
            rows[cells[0]] = cells
    return rows


def test_params_of_a_scenario_shows_values_defaults_and_sources(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _err = run_cli(["params", "guangzhou_ifsc"], capsys)
    assert code == 0
    assert not FILE_NAME.search(out)
    rows = _table(out)
    assert set(rows) == set(PARAMETERS)
    scenario, found = load_scenario("guangzhou_ifsc"), load_sources("guangzhou_ifsc")
    changed = [name for name, p in PARAMETERS.items() if scenario[name] != p.default]
    assert changed and all(rows[name][3] == "yes" for name in changed)
    assert f"{len(changed)} of {len(PARAMETERS)} parameters differ" in out
    assert rows["initial_ngos"][1:] == ["13", "60", "yes", "Guangzhou IFSC study n.d."]
    assert rows["entry_rate"][-1] == "calibrated; Guangzhou IFSC study n.d."
    assert rows["contract_years"][-1] == sources.cite(found.parameters["contract_years"])
    untouched = next(n for n in PARAMETERS if n not in found.parameters)
    assert rows[untouched][-1] == PARAMETERS[untouched].citation
    assert "year 9 (2018): contract_years = 5 (Mok & Wen 2023)" in out


def test_params_of_a_file_marks_values_without_a_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = scenario_toml(
        tmp_path,
        'name = "mine"\n[parameters]\nyears = 4\nfavouritism = 0.9\n'
        '[sources]\nyears = "assumption"\n',
    )
    code, out, _err = run_cli(["params", path], capsys)
    assert code == 0
    rows = _table(out)
    assert rows["years"][1:] == ["4", "20", "yes", "assumption"]
    assert rows["favouritism"][1:] == ["0.9", "0.2", "yes", "not given"]


def test_params_of_an_unknown_scenario_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    one_error_line(["params", "guangzhuo_ifsc"], capsys, "unknown scenario", "guangzhou_ifsc")
    one_error_line(["params", "nowhere/mine.toml"], capsys, "does not exist")


# ------------------------------------------------------------------ the bibliography page
def test_sources_page_is_current() -> None:
    page = (ROOT / "docs" / "SOURCES.md").read_text(encoding="utf-8")
    assert page == bibliography.page(), "run `python -m simcontract.bibliography`"
    for source in sources.SOURCES.values():
        assert source.reference() in page
    assert "`contract_years (year 9)`" not in page  # code spans hold names only
    assert "`guangzhou_ifsc`: " in page


def test_bibliography_check_reports_a_stale_page(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "SOURCES.md"
    stale.write_text("# Sources\n", encoding="utf-8")
    monkeypatch.setattr(bibliography, "default_path", lambda: stale)
    assert bibliography.main(["--check"]) == 1
    assert bibliography.main([]) == 0
    assert stale.read_text(encoding="utf-8") == bibliography.page()
    assert bibliography.main(["--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_odd_lists_the_sources_as_the_registry_has_them() -> None:
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    for s in sources.SOURCES.values():
        assert f"| {s.short} | `{s.key}` | {s.used_for} |" in odd
    assert "(SOURCES.md)" in odd


def test_sources_page_is_in_the_site_navigation() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^  - Sources: SOURCES\.md$", config, flags=re.M)


# ------------------------------------------------------------------ the national example
def test_national_example_is_the_readme_market_and_not_built_in() -> None:
    path = ROOT / "examples" / "national.toml"
    nation = load_scenario(path)
    assert dict(nation) == dict(load_scenario("baseline").replace(n_cities=1482))
    assert "national" not in builtin_names()
    assert set(load_sources(path).parameters) == set(
        tomllib.loads(path.read_text(encoding="utf-8"))["parameters"]
    )
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "simcontract run examples/national.toml --workers 2" in readme


def test_national_example_runs_a_few_years_at_toy_size() -> None:
    nation = load_scenario(ROOT / "examples" / "national.toml").replace(n_cities=2, years=2)
    model = ContractingModel(nation, rng=1).run()
    assert len(model.cities) == 2
    assert len(model.series()) == 2
    assert model.summary()["active_ngos"] > 0


def test_readme_tells_how_to_open_the_notebooks_and_find_chromium() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extra = " ".join(project["optional-dependencies"]["notebooks"])
    assert "jupyterlab" in extra and "ipykernel" in extra
    assert 'pip install ".[notebooks]" && jupyter lab notebooks/' in readme
    browser = (ROOT / "tests" / "test_app_browser.py").read_text(encoding="utf-8")
    for name in ("SIMCONTRACT_CHROMIUM", "/usr/bin/chromium", "SIMCONTRACT_REQUIRE_BROWSER"):
        assert name in browser and name in readme
