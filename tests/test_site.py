"""The documentation site builds in strict mode, covers the API and loads nothing remote.

One build of the real site (the README's command) and one of a copy of ``docs/`` broken
on purpose, which must fail on each kind of fault: about 15 seconds on two idle cores.
"""

from __future__ import annotations

import html
import importlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import material  # noqa: F401  the docs extra builds the site
import mkdocs  # noqa: F401
import mkdocs_jupyter  # noqa: F401
import mkdocstrings  # noqa: F401
import pytest
import yaml

import simcontract
from simcontract.scenario import builtin_names

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
HOOKS = DOCS / "_hooks"
REPORTS = DOCS / "reports"

sys.path.insert(0, str(HOOKS))
try:  # the build hooks and the griffe extension (docs/_hooks/)
    simcontract_site = importlib.import_module("simcontract_site")
    griffe_roles = importlib.import_module("griffe_roles")
finally:
    sys.path.remove(str(HOOKS))


def mkdocs_build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of ``config`` into ``site``, from the project's top."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def readme_command() -> str:
    """The documentation command of the README (after ``<!-- docs-line -->``)."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("<!-- docs-line -->")
    return lines[start + 2]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built from the repository as the README says (into a temporary folder)."""
    out = tmp_path_factory.mktemp("site")
    result = mkdocs_build(ROOT / "mkdocs.yml", out)
    log = (result.stdout + result.stderr)[-5000:]
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{log}"
    return out


def html_of(site: Path, page: str) -> str:
    """The HTML of a page of the site (``page`` without ``.md``)."""
    return (site / f"{page}.html").read_text(encoding="utf-8")


def test_readme_names_the_strict_build() -> None:
    command = readme_command()
    assert command.startswith('pip install -e ".[docs]"')
    assert command.endswith("mkdocs build --strict")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["strict"] is True


def test_docs_extra_holds_the_plugins() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    docs = " ".join(project["optional-dependencies"]["docs"])
    for package in ("mkdocs", "mkdocs-material", "mkdocstrings-python", "mkdocs-jupyter"):
        assert re.search(rf"(?<![\w-]){package}\b", docs), package
    assert "simcontract[docs]" in project["optional-dependencies"]["test"]


def test_api_reference_documents_every_public_name(site: Path) -> None:
    pages = "".join(html_of(site, f"reference/{p.stem}") for p in (DOCS / "reference").glob("*.md"))
    for name in simcontract.__all__:
        if name == "__version__":
            assert "__version__" in html_of(site, "reference/index")
            continue
        home = simcontract_site.home(name)
        assert f'id="{home}"' in pages, f"{home} has no entry in the API reference"


def test_site_has_every_part(site: Path) -> None:
    for page in ("index", "getting-started", "ODD", "DESIGN", "VALIDATION", "scenarios"):
        assert (site / f"{page}.html").is_file(), page
    for guide in ("what-if", "sweeps", "sensitivity", "calibration", "app"):
        assert (site / "how-to" / f"{guide}.html").is_file(), guide
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        page = html_of(site, f"notebooks/{notebook.stem}")
        assert "jupyter-wrapper" in page, f"{notebook.name} is not rendered as a notebook"
    assert "Unreleased" in html_of(site, "changelog")
    assert (site / "zh" / "index.html").is_file()
    assert (site / "zh" / "app.html").is_file()


def test_generated_parts_are_filled(site: Path) -> None:
    from simcontract.experiment.validation import load_patterns

    validation = html_of(site, "VALIDATION")
    for p in load_patterns():
        assert f"{p.id}. {html.escape(p.claim, quote=False)}" in validation, p.id
    assert "What this validation does not show" in validation
    scenarios = html_of(site, "scenarios")
    for name in builtin_names():
        assert f'id="{name}"' in scenarios, f"scenario {name} has no section"
    cli = html_of(site, "reference/cli")
    for command in ("run", "params", "compare", "sweep", "plot", "validate", "app"):
        assert f"simcontract {command}" in cli


def test_site_loads_nothing_from_the_web(site: Path) -> None:
    remote = re.compile(
        r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=[\"']?(?:https?:)?//", flags=re.I
    )
    css_remote = re.compile(r"url\([\"']?(?:https?:)?//|@import\s+[\"']?(?:https?:)?//", re.I)
    for path in site.rglob("*"):
        if path.suffix == ".html":
            found = remote.search(path.read_text(encoding="utf-8"))
            assert found is None, f"{path.relative_to(site)} loads {found.group(0)!r}"
        elif path.suffix == ".css":
            found = css_remote.search(path.read_text(encoding="utf-8"))
            assert found is None, f"{path.relative_to(site)} loads {found.group(0)!r}"


def broken_docs(tmp: Path) -> Path:
    """A copy of the site's sources with one fault of each kind; returns its config."""
    docs = tmp / "docs"
    shutil.copytree(DOCS, docs, ignore=shutil.ignore_patterns("_hooks", "reports"))
    shutil.copytree(REPORTS, docs / "reports")
    designs = docs / "reference" / "designs.md"
    text = designs.read_text(encoding="utf-8")
    text = text.replace("::: simcontract.experiment.designs.Morris\n", "")  # a public name
    text += "\n::: simcontract.experiment.designs.Design\n"  # Design.kind has no docstring
    text += "\nSee [the missing page](no-such-page.md) and [nothing][simcontract.nothing].\n"
    designs.write_text(text, encoding="utf-8")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = str(docs)
    config["hooks"] = [str(ROOT / h) for h in config["hooks"]]
    # What the faults do not touch is left out, to save time: search, notebook pages.
    config["plugins"] = [
        p for p in config["plugins"] if _name(p) not in ("search", "mkdocs-jupyter")
    ]
    config["nav"] = [e for e in config["nav"] if "Notebooks" not in e]
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "mkdocstrings" in plugin:
            python = plugin["mkdocstrings"]["handlers"]["python"]
            python["paths"] = [str(ROOT)]
            options = python["options"]
            options["extensions"] = [str(ROOT / e) for e in options["extensions"]]
    path = tmp / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def _name(plugin: str | dict) -> str:
    """The name of a plugin entry of mkdocs.yml."""
    return plugin if isinstance(plugin, str) else next(iter(plugin))


def test_strict_build_fails_on_each_fault(tmp_path: Path) -> None:
    result = mkdocs_build(broken_docs(tmp_path), tmp_path / "site")
    assert result.returncode != 0
    log = result.stdout + result.stderr
    assert "no-such-page.md" in log  # a broken link
    assert "simcontract.nothing" in log  # a cross-reference to nothing
    assert "simcontract.experiment.designs.Morris (in simcontract.__all__) is not documented" in log
    assert "simcontract.experiment.designs.Design.kind has no docstring" in log
    assert "Aborted with" in log and "in strict mode" in log


def test_known_gaps_still_lack_docstrings() -> None:
    """Each name let through without a docstring still has none (the list only shrinks)."""
    package = simcontract_site.load_package()
    for path in sorted(simcontract_site.KNOWN_GAPS):
        obj = package[path.removeprefix("simcontract.")]
        assert not obj.docstring, f"{path} is documented now: remove it from KNOWN_GAPS"


def test_shared_args_entries_are_split() -> None:
    text = "Run.\n\nArgs:\n    a: One.\n    seed, workers: As for\n        compare.\n"
    assert griffe_roles.split_shared_entries(text) == (
        "Run.\n\nArgs:\n    a: One.\n    seed: As for\n        compare.\n"
        "    workers: As for\n        compare.\n"
    )


def test_roles_become_optional_references() -> None:
    package = simcontract_site.load_package()
    sweep = package["experiment.batches.sweep"]
    text = griffe_roles.to_markdown(":func:`compare` and :class:`~x.Y`, e.g.::", sweep)
    assert text == (
        '<autoref identifier="simcontract.experiment.batches.compare" optional>'
        "<code>compare</code></autoref> and "
        '<autoref identifier="x.Y" optional><code>Y</code></autoref>, e.g.:'
    )


def test_validation_reports_cover_every_pattern() -> None:
    """The committed reports list each pattern and figure of patterns.toml."""
    from simcontract.experiment.validation import load_calibration, load_patterns

    regenerate = "regenerate docs/reports/ (see docs/VALIDATION.md)"
    report = (REPORTS / "validation.txt").read_text(encoding="utf-8").splitlines()
    assert report[0].startswith("simcontract "), regenerate
    ids = [p.id for p in load_patterns()]
    rows = [line.split("|")[1].strip() for line in report if re.match(r"\| \w+ \|", line)]
    # Two tables: the effects, then the mechanisms and robustness (each with a header).
    assert rows == ["pattern", *ids, "pattern", *ids], regenerate
    report = (REPORTS / "calibration.txt").read_text(encoding="utf-8").splitlines()
    assert report[0].startswith("simcontract "), regenerate
    rows = [line.split("|")[1].strip() for line in report if line.startswith("| ")]
    assert rows[1:] == [t.figure for t in load_calibration()], regenerate


def test_generated_blocks_are_left_to_the_build() -> None:
    """Pages hold the markers of generated tables, filled only when the site is built."""
    from simcontract import doctable

    for page, names in (("scenarios.md", ("scenarios",)),):
        text = (DOCS / page).read_text(encoding="utf-8")
        for name in names:
            assert doctable.extract(text, name, page) == "\n", (
                f"docs/{page}: empty the {name} block"
            )


def test_chinese_pages_show_no_spaces_where_their_source_lines_break(site: Path) -> None:
    """A Chinese paragraph wrapped in the Markdown source reads as one line on the site
    (a browser shows a line break between Chinese characters as a space)."""
    source = (ROOT / "docs" / "zh" / "app.md").read_text(encoding="utf-8")
    source = re.sub(r"^```.*?^```", "", source, flags=re.S | re.M)
    broken = re.findall(r"([\u4e00-\u9fff])\n([\u4e00-\u9fff])", source)
    assert broken, "the page no longer wraps a Chinese line; choose another page"
    html = (site / "zh" / "app.html").read_text(encoding="utf-8")
    for before, after in broken:
        assert f"{before}\n{after}" not in html and f"{before} {after}" not in html
