"""Griffe extension: the package's docstrings as the site shows them.

The docstrings are written in Google style with some reST markup. On the site:

- a role (``:func:`~simcontract.experiment.runner.run_seed```) becomes a code span that
  links to the object when the API reference documents it (an *optional*
  cross-reference, plain code otherwise);
- ``::`` ending a line (reST's literal-block marker) becomes ``:``;
- an Args entry naming several parameters (``seed, workers: As for compare``) becomes
  one entry per parameter;
- a method or attribute that overrides a documented one of a base class and has no
  docstring of its own shows the base class's docstring (as ``inspect.getdoc`` does).
"""

from __future__ import annotations

import html
import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:func|class|data|meth|attr|mod|exc|obj|const):`(~?)([^`<>]+)`")
"""A reST role: ``:kind:`target``` or ``:kind:`~target``` (show the last part only)."""

LITERAL_COLONS = re.compile(r"(?<=\S)::$", flags=re.M)
"""``::`` closing a line of text (reST's literal-block marker)."""

SECTION = re.compile(r"^(\s*)(Args|Arguments|Parameters|Other Parameters|Attributes):\s*$")
"""The heading of a Google-style section that lists names."""

SHARED_ENTRY = re.compile(r"^(\s+)(\w+(?:,\s*\w+)+):(.*)$")
"""An entry of such a section that names several parameters at once."""


def _target(name: str, obj: griffe.Object) -> str:
    """The full path of ``name`` as seen from ``obj`` (``name`` itself if unknown)."""
    if name.startswith("simcontract"):
        return name
    head, _, rest = name.partition(".")
    scope: Any = obj
    while scope is not None:
        try:
            if head in scope.members:
                found = scope.members[head]
                path = found.target_path if isinstance(found, griffe.Alias) else found.path
                return f"{path}.{rest}" if rest else path
        except (griffe.AliasResolutionError, griffe.CyclicAliasError):
            return name
        scope = scope.parent
    return name


def split_shared_entries(text: str) -> str:
    """``text`` with each entry that names several parameters repeated for each name."""
    lines = text.splitlines()
    out: list[str] = []
    section_indent: int | None = None  # of the current section's heading
    entry_indent: int | None = None  # of its entries
    i = 0
    while i < len(lines):
        line = lines[i]
        indent = len(line) - len(line.lstrip())
        if (heading := SECTION.match(line)) is not None:
            section_indent, entry_indent = len(heading[1]), None
        elif line.strip() and section_indent is not None:
            if indent <= section_indent:
                section_indent = None
            elif entry_indent is None:
                entry_indent = indent
        entry = SHARED_ENTRY.match(line) if section_indent is not None else None
        if entry is not None and len(entry[1]) != entry_indent:
            entry = None
        if entry is None:
            out.append(line)
            i += 1
            continue
        body = [entry[3]]
        i += 1
        while i < len(lines) and (
            not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > len(entry[1])
        ):
            body.append("\n" + lines[i])
            i += 1
        for name in re.split(r",\s*", entry[2]):
            out.append(f"{entry[1]}{name}:{''.join(body)}")
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def to_markdown(text: str, obj: griffe.Object) -> str:
    """``text`` with its reST roles as (optional) cross-references and ``::`` as ``:``."""

    def role(match: re.Match[str]) -> str:
        short, name = match.group(1), match.group(2).strip()
        title = name.rsplit(".", 1)[-1] if short else name
        target = html.escape(_target(name, obj), quote=True)
        code = f"<code>{html.escape(title)}</code>"
        return f'<autoref identifier="{target}" optional>{code}</autoref>'

    text = LITERAL_COLONS.sub(":", ROLE.sub(role, text))
    return split_shared_entries(text)


def inherit_docstring(member: griffe.Object) -> None:
    """Give ``member`` the docstring of the member it overrides, if it has none."""
    parent = member.parent
    if member.docstring is not None or not isinstance(parent, griffe.Class):
        return
    try:
        bases = parent.mro()
    except (ValueError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return
    for base in bases:
        found = base.members.get(member.name)
        if found is not None and not isinstance(found, griffe.Alias) and found.docstring:
            doc = found.docstring
            member.docstring = griffe.Docstring(
                doc.value,
                lineno=doc.lineno,
                endlineno=doc.endlineno,
                parent=member,
                parser=doc.parser,
                parser_options=doc.parser_options,
            )
            return


class SphinxRoles(griffe.Extension):
    """Rewrite the docstrings of a loaded package for the site (see the module's doc)."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Rewrite the docstrings of ``pkg`` and of everything it contains."""
        objects = list(_walk(pkg, set()))
        for obj in objects:
            if obj.docstring is not None:
                obj.docstring.value = to_markdown(obj.docstring.value, obj)
        for obj in objects:
            inherit_docstring(obj)


def _walk(obj: griffe.Object, seen: set[str]) -> Any:
    """``obj`` and every object defined in it (aliases skipped), each once."""
    if obj.path in seen:
        return
    seen.add(obj.path)
    yield obj
    for member in obj.members.values():
        if not isinstance(member, griffe.Alias):
            yield from _walk(member, seen)
