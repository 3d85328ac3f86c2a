"""Build hooks of the documentation site (``hooks:`` in mkdocs.yml).

- ``notebooks/*.ipynb`` (at the top of the project) become pages under ``notebooks/``,
  rendered by mkdocs-jupyter without being run.
- Generated blocks (``<!-- patterns:start -->`` ... of :mod:`simcontract.doctable`) are
  rendered from the code on every page that holds them.
- ``<!-- include-output: PATH -->`` inserts a committed command output (PATH relative to
  ``docs/``), ``<!-- scenario-files -->`` every built-in scenario file and
  ``<!-- cli-help -->`` the help of every command.
- Chinese pages (``zh/``) have the line breaks inside their paragraphs taken out
  (:func:`simcontract.textwidth.join_chinese_lines`): a browser would show each as a space.
- The API reference must document every name of ``simcontract.__all__`` from its home
  module, and every object it documents (with its public members) must have a
  docstring; scripts and styles of notebook pages that would load from the web are
  dropped. Each failure is a warning, so ``mkdocs build --strict`` fails on it.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
from pathlib import Path
from typing import Any

import griffe
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

import simcontract

log = logging.getLogger("mkdocs.hooks.simcontract")

ROOT = Path(__file__).resolve().parents[2]
"""The project's top folder (mkdocs.yml, notebooks/, simcontract/)."""

NOTEBOOKS = "notebooks"
"""Folder of the notebooks, at the top of the project and on the site."""

DIRECTIVE = re.compile(r"^:::[ \t]+([\w.]+)", flags=re.M)
"""A mkdocstrings directive and the identifier it documents."""

INCLUDE_OUTPUT = re.compile(r"^<!-- include-output: (\S+) -->$", flags=re.M)
"""Where a committed command output goes."""

EXTERNAL_ASSET = re.compile(
    r"<script\b[^>]*\bsrc=[\"']?(?:https?:)?//[^>]*>\s*</script>"
    r"|<link\b[^>]*\bhref=[\"']?(?:https?:)?//[^>]*>",
    flags=re.I,
)
"""A script or style sheet loaded from another host."""

GRIFFE_EXTENSION = f"{Path(__file__).with_name('griffe_roles.py')}:SphinxRoles"
"""The griffe extension the API pages use (mkdocs.yml), applied to the docstring check too."""

KNOWN_GAPS = frozenset(
    {
        "simcontract.experiment.designs.Grid.kind",
        "simcontract.experiment.designs.LatinHypercube.kind",
        "simcontract.experiment.designs.Morris.kind",
        "simcontract.experiment.designs.Sobol.kind",
    }
)
"""Public attributes that had no docstring when the strict build was introduced.

They are shown without a description and do not fail the build; any other public name
without a docstring does. Remove a name once it is documented (a test checks that every
name here still lacks a docstring, so the list can only shrink).
"""

_documented: dict[str, str] = {}
"""Identifier documented by a ``:::`` directive -> page that documents it."""


@event_priority(50)  # before mkdocs-jupyter looks at the files
def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the project's notebooks as pages."""
    for path in sorted((ROOT / NOTEBOOKS).glob("*.ipynb")):
        uri = f"{NOTEBOOKS}/{path.name}"
        if files.get_file_from_path(uri) is None:
            # A file whose source folder is the project's top (not File.generated, whose
            # source path mkdocs-jupyter cannot see through its wrapper).
            files.append(File(uri, str(ROOT), config.site_dir, config.use_directory_urls))
    return files


def on_pre_build(config: MkDocsConfig) -> None:
    """Forget the directives of a previous build (``mkdocs serve`` rebuilds)."""
    _documented.clear()


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Fill the generated parts of a page; note what its directives document."""
    for identifier in DIRECTIVE.findall(markdown):
        _documented.setdefault(identifier, page.file.src_uri)
    if "<!-- scenario-files -->" in markdown:
        markdown = markdown.replace("<!-- scenario-files -->", scenario_files())
    if "<!-- cli-help -->" in markdown:
        markdown = markdown.replace("<!-- cli-help -->", cli_help())
    markdown = INCLUDE_OUTPUT.sub(lambda m: command_output(Path(config.docs_dir) / m[1]), markdown)
    from simcontract import doctable

    if any(doctable.markers(name)[0] in markdown for name in doctable.BLOCKS):
        markdown = doctable.render(markdown, page.file.src_uri)
    if page.file.src_uri.startswith("zh/"):
        from simcontract.textwidth import join_chinese_lines

        markdown = join_chinese_lines(markdown)
    return markdown


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    """Drop what a notebook page would load from the web (MathJax, Mermaid)."""
    if page.file.src_uri.endswith(".ipynb"):
        output = EXTERNAL_ASSET.sub("", output)
    return output


def on_post_build(config: MkDocsConfig) -> None:
    """Warn about public names the API reference leaves out or that lack a docstring."""
    for problem in api_problems(set(_documented)):
        log.warning(problem)


def api_problems(documented: set[str]) -> list[str]:
    """What is wrong with an API reference documenting the identifiers ``documented``.

    Returns:
        One line per name of ``simcontract.__all__`` not documented from its home module
        and per documented object, or public member of one, without a docstring.
    """
    homes = {home(n) for n in simcontract.__all__ if n != "__version__"}
    problems = [
        f"API reference: {path} (in simcontract.__all__) is not documented by a ':::' directive"
        for path in sorted(homes - documented)
    ]
    package = load_package()
    for identifier in sorted(documented):
        try:
            obj = package[identifier.removeprefix("simcontract.")]
        except KeyError:
            problems.append(f"API reference: {identifier} is not an object of simcontract")
            continue
        problems += [
            f"API reference: {path} has no docstring"
            for path in undocumented(obj)
            if path not in KNOWN_GAPS
        ]
    return problems


def home(name: str) -> str:
    """Where a name of ``simcontract.__all__`` is defined: ``module.name``, or a submodule."""
    module = simcontract._MODULE_OF.get(name)
    return f"{module}.{name}" if module else f"simcontract.{name}"


def load_package() -> griffe.Module:
    """The package as the API pages see it (same docstring style and extension)."""
    extensions = griffe.load_extensions(GRIFFE_EXTENSION)
    package = griffe.load(
        "simcontract",
        search_paths=[str(ROOT)],
        docstring_parser="google",
        extensions=extensions,
    )
    assert isinstance(package, griffe.Module)
    return package


def undocumented(obj: griffe.Object | griffe.Alias) -> list[str]:
    """Paths of ``obj`` and of its public members (not inherited) that have no docstring.

    A member of a class counts as documented when it is named in the Attributes section
    of the class's docstring, or is an attribute named after a documented argument of
    the class (its docstring's or ``__init__``'s Args section, shown with the class).
    """
    if isinstance(obj, griffe.Alias):
        obj = obj.final_target
    missing = [] if obj.docstring and obj.docstring.value.strip() else [obj.path]
    if obj.kind is not griffe.Kind.CLASS:
        return missing
    described = _names_in(obj, griffe.DocstringSectionKind.attributes)
    arguments = _names_in(obj, griffe.DocstringSectionKind.parameters)
    if "__init__" in obj.members:
        arguments |= _names_in(obj.members["__init__"], griffe.DocstringSectionKind.parameters)
    for name, member in obj.members.items():
        if name.startswith("_") or isinstance(member, griffe.Alias) or name in described:
            continue
        if member.kind is griffe.Kind.ATTRIBUTE and name in arguments:
            continue
        missing += undocumented(member)
    return missing


def _names_in(obj: griffe.Object | griffe.Alias, kind: griffe.DocstringSectionKind) -> set[str]:
    """Names listed in the sections of one kind of ``obj``'s docstring."""
    sections = obj.docstring.parsed if obj.docstring else []
    return {item.name for section in sections if section.kind is kind for item in section.value}


def scenario_files() -> str:
    """Each built-in scenario: a heading, its description and its file."""
    from simcontract.scenario import builtin_dir, builtin_names, load_scenario

    parts = []
    for name in builtin_names():
        text = (builtin_dir() / f"{name}.toml").read_text(encoding="utf-8")
        parts.append(
            f"### `{name}`\n\n{load_scenario(name).description}\n\n```toml\n{text.rstrip()}\n```\n"
        )
    return "\n".join(parts)


def cli_help() -> str:
    """The help of ``simcontract`` and of each of its commands, as text blocks."""
    from simcontract.cli import build_parser

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"  # argparse wraps help to the terminal's width
    try:
        parser = build_parser()
        parts = [("simcontract", parser.format_help())]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                choices: dict[str, Any] = action.choices
                parts += [(f"simcontract {n}", p.format_help()) for n, p in choices.items()]
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old
    return "\n".join(f"### `{title}`\n\n```text\n{text.rstrip()}\n```\n" for title, text in parts)


def command_output(path: Path) -> str:
    """A command's saved output as Markdown: its table lines as a table, the rest as text."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        log.warning(f"include-output: cannot read {path}: {err}")
        return ""
    blocks: list[list[str]] = []
    for line in lines:
        if blocks and blocks[-1] and blocks[-1][0].startswith("|") == line.startswith("|"):
            blocks[-1].append(line)
        else:
            blocks.append([line])
    return "\n\n".join("\n".join(b) if b[0].startswith("|") else "\n\n".join(b) for b in blocks)
