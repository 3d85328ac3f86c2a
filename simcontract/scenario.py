"""Scenarios: validated, immutable sets of parameter values, read from TOML.

A scenario file looks like this::

    name = "baseline"
    description = "A mid-sized city with open tendering."

    [parameters]
    contract_years = 3        # Mok & Wen 2023: three-year contracts
    tendering = "open"

    [sources]                 # optional: the source of each value (simcontract.scenariosources)
    contract_years = "mok_wen_2023"

    [[changes]]               # a dated rule change: applies from model year 9 on
    year = 9
    contract_years = 5

Parameters not set keep the registry's default. Every error names the file, the
parameter, the bad value and what is allowed.
"""

from __future__ import annotations

import contextlib
import numbers
import os
import re
import stat
import tomllib
import warnings
from collections.abc import Iterable, Iterator, Mapping
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import Any

from simcontract import scenariosources
from simcontract.callers import caller_level
from simcontract.params import (
    DEFAULTS,
    FIRST_YEAR_ONLY,
    NGO_MIX,
    PARAMETERS,
    check_joint,
    error_text,
    listed,
    shown,
    unknown_message,
)
from simcontract.scenariosources import ScenarioSources

_said = partial(error_text, "scenario")

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
"""Folder of the built-in scenarios (``scenarios/`` at the top of the project)."""

_META_KEYS = (
    "name",
    "description",
    "start_year",
    "parameters",
    "changes",
    scenariosources.SOURCES_KEY,
)


MAX_NAME_LENGTH = 100
"""Most characters of a scenario's name (it labels tables, figures and file names)."""

MAX_FILE_BYTES = 1 << 20
"""Largest scenario file read (1 MiB; a scenario with every parameter is about 5 KiB)."""


class ScenarioError(ValueError):
    """A scenario, parameter value or rule change is not valid."""


class ScenarioWarning(UserWarning):
    """A scenario is valid but does something it probably does not mean to (e.g. a rule
    change dated after the run's last year)."""


def builtin_dir() -> Path:
    """Return the folder holding the built-in scenario files."""
    packaged = Path(__file__).resolve().parent / "scenarios"
    return SCENARIO_DIR if SCENARIO_DIR.is_dir() else packaged


def builtin_names() -> list[str]:
    """Names of the built-in scenarios, sorted."""
    return sorted(p.stem for p in builtin_dir().glob("*.toml"))


def _check_value(name: str, value: Any) -> Any:
    if name not in PARAMETERS:
        raise ScenarioError(unknown_message(name))
    try:
        return PARAMETERS[name].check(value)
    except ValueError as err:
        raise ScenarioError(str(err)) from None


def _check_changes(changes: Any) -> tuple[tuple[int, Mapping[str, Any]], ...]:
    if not isinstance(changes, list | tuple):
        raise ScenarioError(_said("changes_list", type=type(changes).__name__))
    out = []
    first: dict[int, int] = {}
    for i, change in enumerate(changes, 1):
        year, values = _check_change(i, change)
        if year in first:
            raise ScenarioError(_said("same_year", first=first[year], i=i, year=year))
        first[year] = i
        out.append((year, MappingProxyType(values)))
    out.sort(key=lambda c: c[0])
    return tuple(out)


def _check_change(i: int, change: Any) -> tuple[int, dict[str, Any]]:
    """Change number ``i`` as its year and checked values."""
    if isinstance(change, tuple) and len(change) == 2 and isinstance(change[1], Mapping):
        change = {**dict(change[1]), "year": change[0]}
    if not isinstance(change, Mapping):
        raise ScenarioError(_said("change_table", i=i, change=repr(change)))
    change = dict(change)
    if "year" not in change:
        raise ScenarioError(_said("change_no_year", i=i))
    year = change.pop("year")
    if isinstance(year, bool) or not isinstance(year, numbers.Integral) or year < 1:
        raise ScenarioError(_said("change_bad_year", i=i, year=shown(year)))
    year = int(year)
    if not change:
        raise ScenarioError(_said("change_empty", i=i, year=year))
    values = {}
    for name, value in change.items():
        try:
            value = _check_value(name, value)
        except ScenarioError as err:
            raise ScenarioError(_said("change_value", i=i, year=year, reason=err)) from None
        if PARAMETERS[name].group == "run":
            what = (
                "sets_length" if name == "years" else "sets_mix" if name in NGO_MIX else "sets_size"
            )
            raise ScenarioError(_said("change_run", i=i, name=repr(name), what=_said(what)))
        values[name] = value
    return year, values


def _check_text(value: Any, key: str, longest: int | None = None) -> str:
    """``value`` when it is text fit to be the scenario's ``key`` (name or description)."""
    if not isinstance(value, str):
        raise ScenarioError(_said("not_text", field=repr(key), value=repr(value)))
    if longest is not None:
        if not value.strip():
            raise ScenarioError(_said("empty_name", field=repr(key)))
        if len(value) > longest:
            raise ScenarioError(
                _said("too_long", field=repr(key), length=len(value), longest=longest)
            )
        if any(not ch.isprintable() for ch in value):
            raise ScenarioError(_said("control_character", field=repr(key), value=repr(value)))
    return str(value)


class Scenario(Mapping[str, Any]):
    """An immutable, validated mapping from every parameter name to its value.

    Args:
        values: Parameter values; names not given take the registry default.
        name: Short name of the scenario: 1 to :data:`MAX_NAME_LENGTH` printable
            characters.
        description: One or two sentences on what the scenario represents (text).
        changes: Dated rule changes, each a mapping with ``year`` (model year from which
            it applies, counting from 1) and new parameter values.
        start_year: Calendar year of model year 1, when the scenario is dated (figures
            then show calendar years); it changes no result.

    Raises:
        ScenarioError: An unknown name, a value of the wrong type or out of range, or
            a bad rule change.
    """

    __slots__ = ("_changes", "_description", "_name", "_start_year", "_values")

    def __init__(
        self,
        values: Mapping[str, Any] | None = None,
        *,
        name: str = "custom",
        description: str = "",
        changes: Any = (),
        start_year: int | None = None,
    ) -> None:
        merged = dict(DEFAULTS)
        if values is not None and not isinstance(values, Mapping):
            raise ScenarioError(_said("values_mapping", type=type(values).__name__))
        for key, value in (values or {}).items():
            merged[key] = _check_value(key, value)
        try:
            check_joint(merged)
        except ValueError as err:
            raise ScenarioError(str(err)) from None
        self._values = MappingProxyType(merged)
        self._name = _check_text(name, "name", MAX_NAME_LENGTH)
        self._description = _check_text(description, "description")
        self._changes = _check_changes(changes)
        self._start_year = _check_start_year(start_year)
        in_force = dict(merged)  # changes accumulate (see at_year), so check them so
        for year, change in self._changes:
            in_force.update(change)
            try:
                check_joint(in_force)
            except ValueError as err:
                # The values given are valid alone: say which change breaks them.
                raise ScenarioError(_said("change_breaks", year=year, reason=err)) from None

    def __getitem__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            raise KeyError(unknown_message(key)) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        changed = {k: v for k, v in self._values.items() if v != DEFAULTS[k]}
        changes = f", changes={self._changes_plain()!r}" if self._changes else ""
        return f"Scenario(name={self._name!r}, changed_from_defaults={changed!r}{changes})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        return (
            dict(self._values) == dict(other._values)
            and self._changes_plain() == other._changes_plain()
        )

    def __hash__(self) -> int:
        # Equal changes in another key order are equal scenarios (``__eq__``).
        changes = [sorted(change.items()) for change in self._changes_plain()]
        return hash((tuple(sorted(self._values.items())), repr(changes)))

    def __reduce__(self):
        return (
            _rebuild,
            (
                dict(self._values),
                self._name,
                self._description,
                self._changes_plain(),
                self._start_year,
            ),
        )

    @property
    def name(self) -> str:
        """Short name of the scenario."""
        return self._name

    @property
    def description(self) -> str:
        """What the scenario represents."""
        return self._description

    @property
    def start_year(self) -> int | None:
        """Calendar year of model year 1, or ``None`` for an undated scenario."""
        return self._start_year

    @property
    def changes(self) -> tuple[tuple[int, Mapping[str, Any]], ...]:
        """Dated rule changes as ``(year, {name: value})`` pairs, sorted by year."""
        return self._changes

    def _changes_plain(self) -> list[dict[str, Any]]:
        return [{"year": y, **dict(v)} for y, v in self._changes]

    def unreached_changes(self) -> list[str]:
        """One line for each rule change dated after the run's last year (it never takes
        effect), naming its year and the run's length."""
        years = self._values["years"]
        start = self._start_year
        lines = []
        for year, _change in self._changes:
            if year <= years:
                continue
            line = _said("unreached_one" if years == 1 else "unreached", year=year, years=years)
            if start is not None and year >= start:
                # A calendar year where a model year belongs: say which one it meant.
                line += _said("unreached_calendar", start=start, year=year, model=year - start + 1)
            lines.append(line)
        return lines

    def inert_changes(self) -> list[str]:
        """One line for each rule change after year 1 that sets a parameter read only
        in model year 1 (:data:`~simcontract.params.FIRST_YEAR_ONLY`): it never takes
        effect."""
        years = self._values["years"]
        return [
            _said("inert", year=year, name=repr(name))
            for year, change in self._changes
            if 1 < year <= years
            for name in change
            if name in FIRST_YEAR_ONLY
        ]

    def superseded(self, names: Iterable[str], how: str) -> list[str]:
        """One line for each rule change of the run that sets one of ``names`` again:
        the value given ``how`` (e.g. ``"by --set"``, in the language in use) holds only
        until the year before."""
        years = self._values["years"]
        return [
            _said(
                "superseded",
                name=name,
                how=how,
                until=year - 1,
                year=year,
                value=repr(change[name]),
            )
            for name in names
            for year, change in self._changes
            if name in change and year <= years
        ]

    def replace(self, **changes: Any) -> Scenario:
        """Return a copy with some parameter values changed (validated).

        The keyword ``name`` renames the copy, ``description`` and ``start_year`` (as
        :class:`Scenario` takes them) replace its own, and ``changes`` replaces its
        dated rule changes (as a scenario file's ``[[changes]]`` tables: mappings with a
        ``year``); every other keyword must be a parameter. The scenario itself is left
        as it is, and the order of the keywords does not matter. A parameter the
        scenario changes by date takes the new value until its first rule change
        (:meth:`superseded` says when); :meth:`fixed` gives it one value for the whole
        run.

        Raises:
            ScenarioError: An unknown parameter, a bad value, or bad rule changes.
        """
        name = changes.pop("name", self._name)
        dated = changes.pop("changes", self._changes_plain())
        description = changes.pop("description", self._description)
        start_year = changes.pop("start_year", self._start_year)
        return Scenario(
            {**self._values, **changes},
            name=name,
            description=description,
            changes=dated,
            start_year=start_year,
        )

    def fixed(self, **values: Any) -> Scenario:
        """A copy in which each of ``values`` holds for the whole run: set as
        :meth:`replace` does, and taken out of the dated rule changes (a change left
        with nothing to change goes).

        Raises:
            ScenarioError: An unknown parameter or a bad value, or ``changes`` among
                ``values`` (the changes left are this method's to set).
        """
        if "changes" in values:
            raise ScenarioError(_said("fixed_changes"))
        changes = []
        for year, change in self._changes:
            rest = {k: v for k, v in change.items() if k not in values}
            if rest:
                changes.append({"year": year, **rest})
        return self.replace(**values, changes=changes)

    def at_year(self, year: int) -> dict[str, Any]:
        """Parameter values in force in model year ``year`` (rule changes applied).

        Raises:
            TypeError: ``year`` is not a whole number of at least 0.
        """
        if isinstance(year, bool) or not isinstance(year, numbers.Integral) or year < 0:
            raise TypeError(error_text("types", "year", given=repr(year)))
        values = dict(self._values)
        for change_year, change in self._changes:
            if change_year <= year:
                values.update(change)
        return values

    def rules(self, year: int, previous: Mapping[str, Any] | None = None) -> Rules:
        """The rules of model year ``year``: :meth:`at_year` with the year and the
        values of the year before (``previous``; by default those of ``year``)."""
        return Rules(self.at_year(year), year, previous)

    def to_dict(self) -> dict[str, Any]:
        """Plain dictionary form: name, description, parameters and changes (and
        ``start_year`` when the scenario is dated)."""
        dated = {} if self._start_year is None else {"start_year": self._start_year}
        return {
            "name": self._name,
            "description": self._description,
            **dated,
            "parameters": dict(self._values),
            "changes": self._changes_plain(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "") -> Scenario:
        """Build a scenario from the plain form that TOML or ``to_dict()`` gives."""

        def where(reason: Any) -> str:
            return _said("in_file", path=source, reason=reason) if source else str(reason)

        unknown = [k for k in data if k not in _META_KEYS]
        if unknown:
            key = unknown[0]
            hint = ""
            if key in PARAMETERS:
                hint = _said("key_is_parameter", field=key)
            elif close := _close_key(key):
                hint = _said("key_close", close=close)
            raise ScenarioError(where(_said("unknown_key", field=repr(key), hint=hint)))
        try:
            scenariosources.parse(data)
        except ValueError as err:
            raise ScenarioError(where(err)) from None
        data = scenariosources.without_sources(data)
        params = data.get("parameters", {})
        if not isinstance(params, Mapping):
            raise ScenarioError(where(_said("parameters_table")))
        try:
            return cls(
                params,
                name=data.get("name", "custom"),
                description=data.get("description", ""),
                changes=data.get("changes", []),
                start_year=data.get("start_year"),
            )
        except ScenarioError as err:
            raise ScenarioError(where(err)) from None

    def to_toml(self) -> str:
        """The scenario as TOML text that ``load_scenario`` reads back unchanged."""
        lines = [f"name = {_toml(self._name)}"]
        if self._description:
            lines.append(f"description = {_toml(self._description)}")
        if self._start_year is not None:
            lines.append(f"start_year = {self._start_year}")
        lines += ["", "[parameters]"]
        lines += [f"{k} = {_toml(v)}" for k, v in self._values.items()]
        for year, change in self._changes:
            lines += ["", "[[changes]]", f"year = {year}"]
            lines += [f"{k} = {_toml(v)}" for k, v in change.items()]
        return "\n".join(lines) + "\n"


_TABLES = {
    "parameters": "[parameters]",
    "changes": "[[changes]]",
    scenariosources.SOURCES_KEY: "[sources]",
}


def _close_key(key: Any) -> str:
    """The top-level key of a scenario file that ``key`` probably meant, as the file
    writes it (``[[changes]]`` for ``change``), or ``""``."""
    import difflib

    close = difflib.get_close_matches(str(key).strip("[] ").lower(), _META_KEYS, n=1, cutoff=0.7)
    return _TABLES.get(close[0], repr(close[0])) if close else ""


class Rules(dict):
    """The parameter values in force in one model year, as the phases read them.

    A plain ``dict`` of parameter name to value (``rules["favouritism"]``), with the
    model year and last year's values beside it.

    Attributes:
        year: The model year (1, 2, ...; 0 while the model is set up).
        previous: The values in force the year before (in year 1, the year's own).
    """

    __slots__ = ("previous", "year")

    def __init__(
        self, values: Mapping[str, Any], year: int, previous: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(values)
        self.year = year
        self.previous: dict[str, Any] = dict(values if previous is None else previous)

    def changed(self, names: Iterable[str]) -> bool:
        """Whether any of ``names`` has a value other than last year's."""
        return any(self[k] != self.previous[k] for k in names)


def _rebuild(values, name, description, changes, start_year=None) -> Scenario:
    return Scenario(
        values, name=name, description=description, changes=changes, start_year=start_year
    )


FIRST_START_YEAR, LAST_START_YEAR = 1949, 2100
"""Earliest and latest calendar year a scenario's model year 1 may be."""


def _check_start_year(value: Any) -> int | None:
    """``value`` when it is a calendar year fit to be a scenario's ``start_year``."""
    if value is None:
        return None
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok or not FIRST_START_YEAR <= value <= LAST_START_YEAR:
        raise ScenarioError(
            _said("start_year", value=shown(value), first=FIRST_START_YEAR, last=LAST_START_YEAR)
        )
    return int(value)


_TOML_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}


def _toml(value: Any) -> str:
    if isinstance(value, str):
        out = []
        for ch in value:
            if ch in _TOML_ESCAPES:
                out.append(_TOML_ESCAPES[ch])
            elif ord(ch) < 0x20 or ord(ch) == 0x7F:
                out.append(f"\\u{ord(ch):04X}")
            else:
                out.append(ch)
        return '"' + "".join(out) + '"'
    if isinstance(value, float):
        return repr(value)
    return str(value)


def load_scenario(name_or_path: str | Path | Scenario | None = None) -> Scenario:
    """Load a scenario by built-in name (e.g. ``"baseline"``) or from a TOML file.

    A rule change dated after the run's last year gives a :class:`ScenarioWarning`.

    Args:
        name_or_path: A built-in scenario name, a path to a ``.toml`` file, an existing
            ``Scenario`` (returned as is), or ``None`` for the registry defaults.

    Returns:
        The scenario, named by its file's ``name`` (else the file's stem).

    Raises:
        ScenarioError: The file is missing, unreadable or malformed, or a value is not
            valid.
        TypeError: ``name_or_path`` is none of the above.
    """
    if name_or_path is None:
        return Scenario(name="defaults")
    if isinstance(name_or_path, Scenario):
        return name_or_path
    if not isinstance(name_or_path, str | os.PathLike):
        given = f"{type(name_or_path).__name__} {name_or_path!r}"
        raise TypeError(error_text("types", "scenario", given=given))
    text = os.fsdecode(name_or_path)
    if not text.strip():
        raise ScenarioError(_said("empty_scenario", text=repr(text)))
    path = _scenario_path(text)
    data = _read_toml(path)
    # Only empty tables: a bad value (an empty name) is an error, said alone.
    empty = all(isinstance(v, dict | list) and not v for v in data.values())
    _check_change_years(data.get("changes"), path)
    data.setdefault("name", path.stem)
    scenario = Scenario.from_dict(data, source=str(path))
    # A file that sets nothing (only empty tables) is most likely the wrong file, or one
    # not saved yet.
    lines = [_said("empty_file")] if empty else []
    for line in lines + scenario.unreached_changes() + scenario.inert_changes():
        warnings.warn(
            ScenarioWarning(_said("in_file", path=path, reason=line)), stacklevel=caller_level()
        )
    if path.parent != builtin_dir() and scenario.name in builtin_names():
        builtin = load_scenario(scenario.name)
        differ = [k for k in PARAMETERS if scenario[k] != builtin[k]]
        if scenario.start_year != builtin.start_year:
            differ.append("start_year")
        if differ or scenario.changes != builtin.changes:
            what = (
                _said("differ_more", name=repr(differ[0]))
                if len(differ) > 1
                else repr(differ[0])
                if differ
                else _said("differ_changes")
            )
            line = _said("named_like_builtin", name=repr(scenario.name), what=what)
            said = _said("in_file", path=path, reason=line)
            warnings.warn(ScenarioWarning(said), stacklevel=caller_level())
    return scenario


def load_sources(name_or_path: str | Path) -> ScenarioSources:
    """The sources a scenario file gives for its values (its ``[sources]`` tables).

    Args:
        name_or_path: A built-in scenario name or a path to a ``.toml`` file.

    Raises:
        ScenarioError: The file is missing, unreadable or malformed, or its sources
            tables are not valid.
    """
    path = _scenario_path(os.fsdecode(name_or_path))
    try:
        return scenariosources.parse(_read_toml(path))
    except ValueError as err:
        if isinstance(err, ScenarioError):
            raise
        raise ScenarioError(_said("in_file", path=path, reason=err)) from None


def _scenario_path(text: str) -> Path:
    """The file of built-in scenario ``text``, or ``text`` as a path.

    A bare built-in name means the built-in even when the working folder holds a file or
    folder of that name (``baseline``); ``./baseline`` names that file.
    """
    path = Path(text)
    separated = "/" in text or os.sep in text
    if not separated and path.suffix.lower() != ".toml":
        builtin = builtin_dir() / f"{text}.toml"
        if builtin.is_file():
            return builtin
    try:
        exists = path.exists()
    except (OSError, ValueError):  # a name the file system cannot hold
        exists = False
    if path.suffix.lower() == ".toml" or exists or separated:
        return path
    import difflib

    names = builtin_names()
    close = difflib.get_close_matches(text, names, n=1)
    hint = _said("did_you_mean", name=repr(close[0])) if close else ""
    with contextlib.suppress(OSError, ValueError):
        if Path(f"{text}.toml").is_file():
            hint = _said("did_you_mean_file", name=repr(text + ".toml"))
    builtins = listed(names) or _said("no_builtins")
    raise ScenarioError(_said("unknown_scenario", text=repr(text), hint=hint, names=builtins))


_NOT_REGULAR = {
    stat.S_ISFIFO: "fifo",
    stat.S_ISCHR: "character_device",
    stat.S_ISBLK: "block_device",
    stat.S_ISSOCK: "socket",
}
"""The kinds of file that are not regular files, and their texts (``errors.scenario.<kind>``)."""


def _read_toml(path: Path) -> dict[str, Any]:
    """The TOML table of scenario file ``path``; every failure as one ``ScenarioError``."""
    where = {"path": repr(str(path))}
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise ScenarioError(_said("file_folder", **where))
        for is_kind, kind in _NOT_REGULAR.items():
            if is_kind(info.st_mode):
                raise ScenarioError(_said("file_not_regular", **where, kind=_said(kind)))
        if info.st_size > MAX_FILE_BYTES:
            size = {"size": f"{info.st_size:,}", "most": f"{MAX_FILE_BYTES:,}"}
            raise ScenarioError(_said("file_too_large", **where, **size))
        raw = path.read_bytes()
    except ScenarioError:
        raise
    except FileNotFoundError:
        raise ScenarioError(_said("file_missing", **where)) from None
    except (OSError, ValueError) as err:  # permissions, a name too long, a NUL byte
        from simcontract.i18n import os_reason  # i18n reads the registries, so not at import

        raise ScenarioError(_said("file_unreadable", **where, reason=os_reason(err))) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raise ScenarioError(_said("in_file", path=path, reason=_said("bom")))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(_said("in_file", path=path, reason=_said("not_utf8"))) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        problem = _said("malformed", problem=_toml_problem(text, err))
        raise ScenarioError(_said("in_file", path=path, reason=problem)) from None
    except RecursionError:
        problem = _said("malformed", problem=_said("nested"))
        raise ScenarioError(_said("in_file", path=path, reason=problem)) from None


_TOML_WHERE = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)\s*$")
"""Where ``tomllib`` says a problem is, at the end of its message: a line, or the end of
the file (a list or table left open)."""

_TOML_HINTS = {
    "Cannot overwrite a value": "toml_key_twice",
    "Cannot declare": "toml_table_twice",
    "Invalid value": "toml_invalid_value",
    "Expected newline or end of document after a statement": "toml_one_per_line",
    "Expected '=' after a key in a key/value pair": "toml_expected_equals",
    "Invalid statement": "toml_invalid_statement",
    "Invalid initial character for a key part": "toml_key_start",
    "Unclosed array": "toml_unclosed_array",
    "Unclosed inline table": "toml_unclosed_inline",
    "Unterminated string": "toml_unterminated_string",
    "Expected ']' at the end of a table declaration": "toml_table_header",
    "Expected ']]' at the end of an array declaration": "toml_array_header",
    "Illegal character": "toml_illegal_character",
    "Found invalid character": "toml_illegal_character",
    "Invalid date or datetime": "toml_date",
    "Unescaped '\\' in a string": "toml_backslash",
    "Invalid hex value": "toml_escape",
    "Escaped character is not a Unicode scalar value": "toml_escape",
}
"""What ``tomllib``'s messages mean in a scenario file, and what is allowed: the texts
``errors.scenario.<hint>`` (with the key of the line, and the rest of the message, such
as the character refused). Its rarer messages (a table or inline table redefined) are
shown as ``tomllib`` gives them."""


def _toml_problem(text: str, err: tomllib.TOMLDecodeError) -> str:
    """``line N ('the line'): what is wrong``, from ``tomllib``'s message."""
    message = str(err)
    where = _TOML_WHERE.search(message)
    if where is None:
        return message
    reason = message[: where.start()]
    if where.group(1) is not None and reason.startswith("Cannot declare"):
        # A header left open ("[parameters") after the same table reads as that table
        # declared again: the missing ']' is the mistake.
        header = text.split("\n")[int(where.group(1)) - 1].split("#", 1)[0].strip()
        if not header.endswith("]"):
            reason = "Expected ']' at the end of a table declaration"
    if where.group(1) is None:
        return _said("toml_at_end", reason=_toml_hint(reason, ""))
    number = int(where.group(1))
    lines = text.split("\n")
    line = lines[number - 1].strip() if number <= len(lines) else ""
    key = (line.split("=", 1)[0] if "=" in line else line.split("#", 1)[0]).strip()
    reason = _toml_hint(reason, key)
    if len(line) > 60:
        line = line[:59] + "…"
    if line:
        return _said("toml_line", number=number, line=repr(line), reason=reason)
    return _said("toml_line_empty", number=number, reason=reason)


def _toml_hint(reason: str, key: str) -> str:
    """What ``tomllib``'s ``reason`` means on the line of ``key``, and what is allowed
    (:data:`_TOML_HINTS`); ``reason`` itself when no hint says it."""
    for start, hint in _TOML_HINTS.items():
        if reason.startswith(start):
            detail = reason[len(start) :].strip()
            if hint == "toml_illegal_character" and detail == repr("\n"):
                hint = "toml_unterminated_string"  # a line break inside a text
            if hint == "toml_expected_equals":  # the name read, not the rest of the line
                key = key.split()[0] if key.split() else key
            return _said(hint, field=key, quoted=repr(key), detail=detail)
    return reason


def _check_change_years(changes: Any, path: Path) -> None:
    """Refuse two ``[[changes]]`` tables of one year (which one was meant to win?).

    Only valid years count here: a bad one (``true``, 0) is told as such where each
    change is checked.
    """
    first: dict[Any, int] = {}
    for i, change in enumerate(changes if isinstance(changes, list) else [], 1):
        year = change.get("year") if isinstance(change, dict) else None
        if not isinstance(year, int) or isinstance(year, bool) or year < 1:
            continue
        if year in first:
            same = _said("same_year_file", first=first[year], i=i, year=year)
            raise ScenarioError(_said("in_file", path=path, reason=same))
        first[year] = i
