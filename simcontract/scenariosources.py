"""The sources of a scenario file's values: its ``[sources]`` tables.

A scenario file names the source of each value it sets in a ``[sources]`` table, and of
each dated rule change in a ``sources`` table of that ``[[changes]]`` entry::

    [parameters]
    contract_years = 3
    n_bureaux = 100

    [sources]
    contract_years = "mok_wen_2023"
    n_bureaux = ["yang_huang_fulda_2016", "assumption"]

    [[changes]]
    year = 9
    contract_years = 5
    sources = { contract_years = "mok_wen_2023" }

A source is a citation key of :mod:`simcontract.sources`, ``"assumption"`` or
``"calibrated"``, or a list of them. The tables are optional (a value without one shows
"not given"); what they hold is checked when the file is loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from simcontract import i18n, sources
from simcontract.params import PARAMETERS, error_text, unknown_message

_said = partial(error_text, "sources")

SOURCES_KEY = "sources"
"""Name of the sources table, at the top of a scenario file and in a ``[[changes]]`` entry."""


@dataclass(frozen=True)
class ScenarioSources:
    """Where a scenario file's values come from.

    Attributes:
        parameters: Source of each value of ``[parameters]`` that has one, as a tuple
            of citation keys and kinds.
        changes: For each year of a dated rule change, the source of each of its values
            that has one.
    """

    parameters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    changes: Mapping[int, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)

    def of(self, name: str, year: int | None = None) -> str:
        """The short citation of a value's source, or ``""`` if the file gives none.

        Args:
            name: A parameter name.
            year: The year of a dated rule change, or ``None`` for ``[parameters]``.
        """
        table = self.parameters if year is None else self.changes.get(year, {})
        if name not in table:
            return ""
        ref = table[name]
        return "; ".join(_cited(item) for item in ([ref] if isinstance(ref, str) else ref))


def _cited(ref: str) -> str:
    """The short citation of one source, a kind word ("assumption", "calibrated") in
    the language in use."""
    return i18n.text(f"params_view.{ref}") if ref in sources.KINDS else sources.cite(ref)


def _table(raw: Any, values: Mapping[str, Any], where: str, sets: str) -> dict[str, tuple]:
    """A checked sources table: every key a parameter the file sets, every value a source."""
    if not isinstance(raw, Mapping):
        raise ValueError(_said("not_table", where=where, raw=repr(raw)))
    out = {}
    for name, ref in raw.items():
        if name not in PARAMETERS:
            raise ValueError(_said("in_table", where=where, reason=unknown_message(name)))
        if name not in values:
            raise ValueError(_said("not_set", where=where, name=repr(name), sets=sets))
        try:
            out[name] = sources.check(ref)
        except ValueError as err:
            raise ValueError(
                _said("bad_source", where=where, name=repr(name), reason=err)
            ) from None
    return out


def parse(data: Mapping[str, Any]) -> ScenarioSources:
    """The checked sources of a scenario file's plain form (what TOML gives).

    Raises:
        ValueError: A sources table that is not a table, names an unknown parameter or
            one the file does not set, or an unknown source.
    """
    params = data.get("parameters", {})
    params = params if isinstance(params, Mapping) else {}
    found = _table(data.get(SOURCES_KEY, {}), params, "[sources]", "[parameters]")
    changes: dict[int, dict[str, tuple]] = {}
    raw_changes = data.get("changes", [])
    for i, change in enumerate(raw_changes if isinstance(raw_changes, list) else [], 1):
        if not isinstance(change, Mapping) or SOURCES_KEY not in change:
            continue
        year = change.get("year")
        if not isinstance(year, int) or isinstance(year, bool):
            continue  # the scenario refuses the change's year, in one line
        where = _said("change_sources", i=i, year=year)
        values = {k: v for k, v in change.items() if k not in ("year", SOURCES_KEY)}
        changes[year] = _table(change[SOURCES_KEY], values, where, _said("this_change"))
    return ScenarioSources(found, changes)


def without_sources(data: Mapping[str, Any]) -> dict[str, Any]:
    """The plain form with its sources tables taken out (what :class:`Scenario` reads)."""
    out = {k: v for k, v in data.items() if k != SOURCES_KEY}
    if isinstance(out.get("changes"), list):
        out["changes"] = [
            {k: v for k, v in c.items() if k != SOURCES_KEY} if isinstance(c, Mapping) else c
            for c in out["changes"]
        ]
    return out
