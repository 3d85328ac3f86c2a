"""What a release needs: one version everywhere, a valid citation, a changelog, manifests.

The build of the archives and the install of the wheel alone run in ``.ci/run`` (the
release check), not here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.version import Version

import simcontract
from simcontract.cli import main

ROOT = Path(__file__).resolve().parent.parent
CITATION = ROOT / "CITATION.cff"
CHANGELOG = ROOT / "CHANGELOG.md"
CFF_SCHEMA = Path(__file__).resolve().parent / "data" / "citation-file-format-1.2.0.schema.json"

SECTION_KINDS = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")
"""The kinds of change of Keep a Changelog, in its order."""

TINY = {
    "years": 2,
    "n_bureaux": 8,
    "n_mass_orgs": 2,
    "initial_ngos": 25,
    "districts_per_city": 4,
    "n_evaluators": 3,
}
"""A tiny market, for a batch that only has to write its manifest."""


def project_version() -> str:
    """``[project] version`` of pyproject.toml: the one place the version is set."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return pyproject["project"]["version"]


def citation() -> dict:
    """CITATION.cff as data (dates as ISO strings, as the schema expects)."""
    import yaml

    data = yaml.safe_load(CITATION.read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=lambda d: d.isoformat()))


def changelog_versions() -> list[tuple[str, str | None]]:
    """``(version, date)`` of each section of CHANGELOG.md, newest first."""
    text = CHANGELOG.read_text(encoding="utf-8")
    return [
        (m["version"], m["date"])
        for m in re.finditer(
            r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?\s*$", text, re.M
        )
    ]


def test_installed_version_is_the_project_version() -> None:
    expected = project_version()
    Version(expected)  # a valid version (PEP 440)
    assert version("simcontract") == expected, "reinstall: pip install -e '.[test]'"
    assert simcontract.__version__ == expected


def test_version_of_a_source_tree_never_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    assert simcontract._version() == project_version()


def test_version_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"simcontract {project_version()}"


def test_citation_validates_against_the_schema() -> None:
    import jsonschema

    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(citation())
    ]
    assert not errors, "CITATION.cff is not valid CFF 1.2.0:\n" + "\n".join(errors)


def test_citation_names_the_project_version() -> None:
    data = citation()
    assert data["cff-version"] == "1.2.0"
    assert data["version"] == project_version()
    assert data["license"] == "MIT"
    assert data["title"].startswith("simcontract")


def test_changelog_follows_keep_a_changelog() -> None:
    text = CHANGELOG.read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n")
    assert "Keep a Changelog" in text
    sections = changelog_versions()
    released = [Version(v) for v, _ in sections if v != "Unreleased"]
    assert released == sorted(released, reverse=True), "newest version first"
    assert [v for v, _ in sections].count("Unreleased") <= 1
    assert all(date is not None for v, date in sections if v != "Unreleased")
    for heading in re.findall(r"^### (.+?)\s*$", text, re.M):
        assert heading in SECTION_KINDS, f"unknown kind of change {heading!r}"


def test_changelog_and_citation_follow_the_version() -> None:
    """A development version has an Unreleased section; a release its dated section."""
    current = Version(project_version())
    sections = changelog_versions()
    data = citation()
    if current.is_devrelease or current.is_prerelease:
        assert sections[0][0] == "Unreleased"
        assert "date-released" not in data
        released = [Version(v) for v, _ in sections[1:]]
        assert all(v < current for v in released)
    else:
        newest, date = next((v, d) for v, d in sections if v != "Unreleased")
        assert newest == str(current), f"CHANGELOG.md's newest section is not {current}"
        assert data.get("date-released") == date
        dt.date.fromisoformat(date)


def test_manifest_records_version_and_seed(tmp_path: Path) -> None:
    from simcontract import compare, load_results, load_scenario

    scenario = load_scenario("baseline").replace(**TINY)
    compare([scenario], replications=2, seed=11, workers=1, out=tmp_path / "batch")
    manifest = json.loads((tmp_path / "batch" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["simcontract_version"] == simcontract.__version__
    assert manifest["seed"] == 11
    assert manifest["identity"]["simcontract_version"] == simcontract.__version__
    runs = load_results(tmp_path / "batch").runs
    assert runs["seed"].nunique() == 2  # each run's own seed, from the base seed


def test_package_data_is_declared() -> None:
    """Every data file of the package is declared in the package that holds it, and that
    package is listed, so the wheel ships it (.ci/run checks the wheel itself)."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]
    assert setuptools["package-dir"]["simcontract.scenarios"] == "scenarios"
    assert "*.toml" in setuptools["package-data"]["simcontract.scenarios"]
    assert sorted(ROOT.glob("scenarios/*.toml"))
    declared = setuptools["package-data"]
    assert set(declared) <= set(setuptools["packages"])
    folders = {ROOT / Path(*name.split(".")): name for name in setuptools["packages"]}
    data = [
        path
        for path in (ROOT / "simcontract").rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and not path.name.startswith(".")
    ]
    assert ROOT / "simcontract" / "patterns.toml" in data
    assert ROOT / "simcontract" / "locales" / "zh_CN.toml" in data
    assert ROOT / "simcontract" / "classroom" / "static" / "classroom.js" in data
    for path in data:
        # A directory holding data must be a listed package, or setuptools drops it.
        package = folders.get(path.parent)
        assert package is not None, f"{path.parent.relative_to(ROOT)} is not a listed package"
        patterns = declared.get(package, [])
        assert any(path.match(p) for p in patterns), (
            f"{path.relative_to(ROOT)} is not in [tool.setuptools.package-data] (not in the wheel)"
        )
