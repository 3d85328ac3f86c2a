"""Languages: every text the app and the figures show, from one catalogue.

The catalogue is one TOML file per language in ``simcontract/locales/`` (``en.toml``,
``zh_CN.toml``). It holds the interface's words, a short label for every parameter,
choice and outcome of the registries, the names of NGO origins and purchaser kinds, the
scenarios' titles and the figures' text. English meanings come from the registries
(:data:`simcontract.params.PARAMETERS`, :data:`simcontract.outcomes.OUTCOMES`) and the
scenario files; other languages translate them in the catalogue.

The validation patterns and the calibration figures of ``simcontract/patterns.toml`` are
English there; other languages translate their texts in the catalogue (a pattern's
``claim``, its arms' labels ``arm_a`` and ``arm_b``, its ``mechanism``, its
``construction`` note and ``why`` its minimum effect matters, under ``patterns."<id>"``;
a calibration figure under ``calibration_figures.<outcome>."<year>"``).

A text missing from a language falls back to English, and an English label missing for
a new parameter falls back to its name in words, so a new parameter never breaks the
app; :func:`missing` lists what a language lacks (``tests/test_i18n.py`` fails on it).

The language of figures is set for a block of code with :func:`use_language` (the
figure functions of :mod:`simcontract.plots` take ``lang=``).

Each translation records the English it was made from: ``locales/<lang>.basis.toml``
holds a fingerprint of that English for every translated text (:func:`english_sources`
says where each English text lives). When an English text is reworded, its translation
is out of date until a translator has checked it and accepted it again::

    python -m simcontract.i18n --check            # one line per out-of-date text
    python -m simcontract.i18n --accept KEY ...   # after re-translating these texts
"""

from __future__ import annotations

import argparse
import contextlib
import contextvars
import errno
import functools
import hashlib
import json
import re
import socket
import string
import sys
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from simcontract.outcomes import OUTCOMES
from simcontract.params import PARAMETERS
from simcontract.textwidth import BREAK, learn_breaks

LANGUAGES: dict[str, str] = {"en": "English", "zh_CN": "简体中文"}
"""Languages with a catalogue: code and the language's own name."""

DEFAULT_LANGUAGE = "en"
"""Language of the registries, the scenario files and anything not translated."""

_ALIASES = {"zh": "zh_CN", "zh_hans": "zh_CN", "zh_sg": "zh_CN", "zh_hans_cn": "zh_CN"}

_current: contextvars.ContextVar[str] = contextvars.ContextVar(
    "simcontract_language", default=DEFAULT_LANGUAGE
)


# --------------------------------------------------------------------------- languages
def resolve(lang: str | None) -> str:
    """The catalogue code of a language tag: ``"zh"``, ``"zh-CN"``, ``"zh_Hans"`` give
    ``"zh_CN"``; ``None`` gives the language in use (:func:`current`).

    Raises:
        ValueError: A language without a catalogue.
    """
    if lang is None:
        return current()
    if lang in LANGUAGES:
        return lang
    key = lang.replace("-", "_").lower()
    for code in LANGUAGES:
        if key == code.lower():
            return code
    if key in _ALIASES:
        return _ALIASES[key]
    if key.startswith("en"):
        return "en"
    raise ValueError(error_text("types", "language", given=repr(lang), languages=listed(LANGUAGES)))


def from_accept_language(header: str | None) -> str:
    """The first language of a browser's ``Accept-Language`` header that has a catalogue
    (English when none has). A tag without a catalogue of its own is shortened as in RFC
    4647's lookup, so ``zh-TW`` and ``zh-HK`` read Chinese rather than English."""
    tags = []
    for part in (header or "").split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        if tag:
            tags.append((-weight, len(tags), tag))
    for _w, _i, tag in sorted(tags):
        subtags = tag.replace("_", "-").split("-")
        for n in range(len(subtags), 0, -1):
            with contextlib.suppress(ValueError):
                return resolve("-".join(subtags[:n]))
    return DEFAULT_LANGUAGE


def html_lang(lang: str | None = None) -> str:
    """The language as an HTML ``lang`` attribute, e.g. ``"zh-CN"``."""
    return resolve(lang).replace("_", "-")


def current() -> str:
    """The language figures are drawn in now (English unless :func:`use_language`)."""
    return _current.get()


@contextlib.contextmanager
def use_language(lang: str | None) -> Iterator[str]:
    """Draw figures in ``lang`` inside the block (``None``: keep the language in use)."""
    token = _current.set(resolve(lang))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


# --------------------------------------------------------------------------- catalogue
def catalogue_text(lang: str) -> str:
    """The TOML text of a language's catalogue."""
    source = resources.files("simcontract") / "locales" / f"{resolve(lang)}.toml"
    return source.read_text(encoding="utf-8")


@functools.cache
def catalogue(lang: str) -> Mapping[str, Any]:
    """The catalogue of a language as read from its TOML file, its texts as shown: the
    marks of where a label's words may break in a narrow column (``\\u200b``,
    :data:`simcontract.textwidth.BREAK`) go to the terminal layout
    (:func:`~simcontract.textwidth.learn_breaks`) and out of the texts."""
    marked: list[str] = []
    shown = _unmarked(tomllib.loads(catalogue_text(lang)), marked)
    learn_breaks(marked)
    return shown


def _unmarked(node: Any, marked: list[str]) -> Any:
    """``node`` with the marks taken out of its texts, the marked texts added to
    ``marked``."""
    if isinstance(node, Mapping):
        return {k: _unmarked(v, marked) for k, v in node.items()}
    if isinstance(node, list):
        return [_unmarked(v, marked) for v in node]
    if isinstance(node, str) and BREAK in node:
        marked.append(node)
        return node.replace(BREAK, "")
    return node


def _lookup(lang: str, path: str) -> Any:
    node: Any = catalogue(lang)
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def _find(lang: str | None, path: str) -> Any:
    """The entry at a dotted ``path`` in ``lang``, else in English, else ``None``."""
    found = _lookup(resolve(lang), path)
    return found if found is not None else _lookup(DEFAULT_LANGUAGE, path)


def text(key: str, lang: str | None = None, **values: Any) -> str:
    """An interface or figure text, e.g. ``text("app.step", "zh_CN")``.

    ``values`` fill the text's ``{placeholders}``. A key missing everywhere shows as
    itself, so a gap is visible but harmless.
    """
    found = _find(lang, key)
    template = found if isinstance(found, str) else key
    return template.format(**values) if values else template


def listed(items: Iterable[Any], lang: str | None = None) -> str:
    """``items`` as a list in ``lang`` (default the language in use): ``a, b`` in
    English, ``a、b`` in Chinese."""
    return text("punctuation.list", lang).join(str(item) for item in items)


def error_text(area: str, key: str, /, **values: Any) -> str:
    """An error message of the library, ``errors.<area>.<key>`` of the catalogue with
    its ``values`` filled in, in the language in use (English unless
    :func:`use_language`), so a command run with ``--lang zh_CN`` states its refusals in
    Chinese and the library, called from Python, in English."""
    return text(f"errors.{area}.{key}", **values)


_OS_REASONS = {
    errno.ENOENT: "not_found",
    errno.EACCES: "permission",
    errno.EPERM: "not_permitted",
    errno.EISDIR: "is_folder",
    errno.ENOTDIR: "not_folder",
    errno.ECONNREFUSED: "refused",
    errno.ECONNRESET: "reset",
    errno.EHOSTUNREACH: "host_unreachable",
    errno.ENETUNREACH: "network_unreachable",
    errno.ETIMEDOUT: "connection_timed_out",
}
"""The system's reasons the catalogue says (``errors.os.<key>``), by ``errno``."""

_NAME_REASONS = {socket.EAI_NONAME: "unknown_host", socket.EAI_AGAIN: "name_service"}
"""The name service's reasons the catalogue says, by the code of ``socket.gaierror``."""


def _os_key(err: BaseException) -> str | None:
    """The catalogue's key (``errors.os.<key>``) of why the system refused, if it has one."""
    number = getattr(err, "errno", None)
    if isinstance(err, socket.gaierror):
        return _NAME_REASONS.get(number)  # type: ignore[arg-type]
    if isinstance(err, TimeoutError) and number is None:  # a socket's own time limit
        return "timed_out"
    return _OS_REASONS.get(number) if isinstance(err, OSError) else None  # type: ignore[arg-type]


def os_reason(err: BaseException, own: str | None = None) -> str:
    """Why the system refused (``err.strerror``, e.g. ``Permission denied``), in the
    language in use: a file not found, access denied, a folder where a file belongs (or
    the reverse), a connection refused or timed out, a host name unknown are said by
    the catalogue (``errors.os.<key>``). English keeps the system's own words (or
    ``own``, a caller's words for it), which are English already and, from some
    libraries, more detailed; so does any other reason."""
    own = own or getattr(err, "strerror", None) or str(err) or type(err).__name__
    key = _os_key(err)
    if key is None or current() == DEFAULT_LANGUAGE:
        return own
    return text(f"errors.os.{key}")


_JSON_REASONS = {
    "Expecting value": "value",
    "Expecting property name enclosed in double quotes": "name",
    "Expecting ':' delimiter": "colon",
    "Expecting ',' delimiter": "comma",
    "Unterminated string starting at": "unterminated",
    "Invalid control character at": "control",
    "Invalid \\escape": "escape",
    "Invalid \\uXXXX escape": "escape",
    "Extra data": "extra",
    "Illegal trailing comma before end of array": "trailing_comma",
    "Illegal trailing comma before end of object": "trailing_comma",
}
"""The messages of Python's JSON reader the catalogue says (``errors.json.<key>``)."""


def json_reason(err: BaseException) -> str:
    """Why a JSON file could not be read, in the language in use: where (line and
    column) and what, for the JSON reader's own messages; English, and any other
    error, is ``str(err)`` itself (``Expecting value: line 1 column 1 (char 0)``)."""
    if not isinstance(err, json.JSONDecodeError) or current() == DEFAULT_LANGUAGE:
        return str(err)
    key = _JSON_REASONS.get(err.msg)
    what = text(f"errors.json.{key}") if key else err.msg
    return text("errors.json.at", line=err.lineno, column=err.colno, what=what)


def os_message(err: BaseException) -> str:
    """A system error as Python writes it (``[Errno 13] Permission denied: 'x.toml'``),
    in the language in use: its reason as :func:`os_reason` says it, with its number
    and file names. English, and any reason the catalogue does not say, is ``str(err)``
    itself (so is an error of Windows, whose system speaks the user's language)."""
    key = _os_key(err)
    if key is None or current() == DEFAULT_LANGUAGE or getattr(err, "winerror", None):
        return str(err)
    reason = text(f"errors.os.{key}")
    number = getattr(err, "errno", None)
    if number is None:
        return reason
    names = [getattr(err, "filename", None), getattr(err, "filename2", None)]
    files = " -> ".join(repr(name) for name in names if name is not None)
    numbered = "numbered_file" if files else "numbered"
    return text(f"errors.os.{numbered}", errno=number, reason=reason, files=files)


def words(name: str) -> str:
    """A code name in words, the fallback label: ``"min_reputation"`` gives
    ``"Min reputation"``."""
    parts = ["NGOs" if w == "ngos" else "NGO" if w == "ngo" else w for w in name.split("_")]
    said = " ".join(parts)
    return said[:1].upper() + said[1:]


def parameter_label(name: str, lang: str | None = None) -> str:
    """Short label of a parameter, e.g. ``"Contract length"`` or ``"合同期限"``."""
    found = _find(lang, f"parameters.{name}.label")
    return found if isinstance(found, str) else words(name)


def parameter_meaning(name: str, lang: str | None = None) -> str:
    """What a parameter sets, in a sentence (the registry's ``meaning`` in English)."""
    found = _lookup(resolve(lang), f"parameters.{name}.meaning")
    if isinstance(found, str):
        return found
    return PARAMETERS[name].meaning if name in PARAMETERS else ""


def choice_label(name: str, value: Any, lang: str | None = None) -> str:
    """A choice of a parameter in words, e.g. tendering ``"open"``: ``"open tendering"``."""
    found = _find(lang, f"parameters.{name}.choices.{value}")
    return found if isinstance(found, str) else str(value)


def outcome_label(name: str, lang: str | None = None) -> str:
    """Short label of an outcome, e.g. ``"Provider turnover"``."""
    found = _find(lang, f"outcomes.{name}.label")
    return found if isinstance(found, str) else words(name)


def outcome_meaning(name: str, lang: str | None = None, *, summary: bool = False) -> str:
    """How an outcome is measured each year (or over the run, with ``summary``)."""
    field = "summary" if summary else "yearly"
    found = _lookup(resolve(lang), f"outcomes.{name}.{field}")
    if isinstance(found, str):
        return found
    return getattr(OUTCOMES[name], field) if name in OUTCOMES else ""


def outcome_undefined(name: str, lang: str | None = None) -> str:
    """When an outcome has no value (empty when it always has one)."""
    found = _lookup(resolve(lang), f"outcomes.{name}.undefined")
    if isinstance(found, str):
        return found
    return OUTCOMES[name].undefined if name in OUTCOMES else ""


def unit(name: str, lang: str | None = None) -> str:
    """A unit of the registries in a language (English units are as declared)."""
    found = _lookup(resolve(lang), f"units.{name}")
    return found if isinstance(found, str) else name


def group_name(group: str, lang: str | None = None) -> str:
    """Name of a group of parameters of the registry, e.g. ``"Officials and ties"``."""
    found = _find(lang, f"groups.{group}")
    return found if isinstance(found, str) else words(group)


def origin_name(origin: str, lang: str | None = None) -> str:
    """Name of an NGO origin (plural), e.g. ``"Grassroots groups"``."""
    found = _find(lang, f"origins.{origin}")
    return found if isinstance(found, str) else f"{words(origin)} NGOs"


def purchaser_name(kind: str, lang: str | None = None) -> str:
    """Name of a purchaser kind (plural), e.g. ``"Bureaux"``."""
    found = _find(lang, f"purchasers.{kind}")
    return found if isinstance(found, str) else words(kind)


def scenario_title(name: str, lang: str | None = None) -> str:
    """Title of a built-in scenario (its name when the catalogue has none)."""
    found = _find(lang, f"scenarios.{name}.title")
    return found if isinstance(found, str) else name


def scenario_description(name: str, english: str, lang: str | None = None) -> str:
    """A scenario's description in ``lang``; ``english`` is the scenario file's own."""
    found = _lookup(resolve(lang), f"scenarios.{name}.description")
    return found if isinstance(found, str) and resolve(lang) != DEFAULT_LANGUAGE else english


# --------------------------------------------------------------------------- patterns
PATTERN_FIELDS = ("claim", "arm_a", "arm_b", "mechanism", "construction", "why")
"""The texts of a validation pattern a language translates (:func:`pattern_text`)."""


@functools.cache
def _patterns_toml() -> tuple[str, Mapping[str, Any]]:
    text = resources.files("simcontract").joinpath("patterns.toml").read_text("utf-8")
    return text, tomllib.loads(text)


def pattern_sources() -> dict[str, dict[str, str]]:
    """The English texts of each pattern of ``patterns.toml``, by id: those of
    :data:`PATTERN_FIELDS` the pattern has (``why`` is the comment after its
    ``minimum_effect``)."""
    return {pid: dict(texts) for pid, texts in _pattern_sources().items()}


@functools.cache
def _pattern_sources() -> dict[str, dict[str, str]]:
    text, data = _patterns_toml()
    reasons = {}
    for block in text.split("\n[[pattern]]\n")[1:]:
        pid = re.search(r'^id = "([^"]+)"', block, re.M)
        why = re.search(r"^minimum_effect = [^#\n]*#\s*(.+)$", block, re.M)
        if pid and why:
            reasons[pid.group(1)] = why.group(1).strip()
    out: dict[str, dict[str, str]] = {}
    for raw in data.get("pattern", []):
        pid = str(raw.get("id", ""))
        mechanism = raw.get("mechanism")
        found = {
            "claim": raw.get("claim"),
            "arm_a": raw.get("a", {}).get("label"),
            "arm_b": raw.get("b", {}).get("label"),
            "mechanism": mechanism.get("label") if isinstance(mechanism, Mapping) else None,
            "construction": raw.get("construction"),
            "why": reasons.get(pid),
        }
        out[pid] = {k: str(v) for k, v in found.items() if v}
    return out


def pattern_text(pattern_id: str, field: str, english: str, lang: str | None = None) -> str:
    """A text of a validation pattern in ``lang``, e.g. ``pattern_text("2a", "arm_b",
    "open", "zh_CN")``; ``field`` is one of :data:`PATTERN_FIELDS`.

    ``english`` is the text as the pattern has it; it is translated only when it is the
    text ``patterns.toml`` gives that pattern (a pattern of one's own that reuses an id
    keeps its own words), and given back as it is in English or without a translation.
    """
    code = resolve(lang)
    source = pattern_sources().get(str(pattern_id), {}).get(field)
    if code == DEFAULT_LANGUAGE or source != english:
        return english
    found = _lookup(code, f"patterns.{pattern_id}.{field}")
    return found if isinstance(found, str) else english


def calibration_sources() -> dict[tuple[str, int], str]:
    """The English text of each calibration figure of ``patterns.toml``, by its outcome
    and model year."""
    _text, data = _patterns_toml()
    return {
        (str(r["outcome"]), int(r["year"])): str(r["figure"]) for r in data.get("calibration", [])
    }


def calibration_figure(outcome: str, year: int, english: str, lang: str | None = None) -> str:
    """A calibration figure in words in ``lang`` (``english``, the figure of
    ``patterns.toml``, when English, untranslated or not that file's figure)."""
    code = resolve(lang)
    if code == DEFAULT_LANGUAGE or calibration_sources().get((outcome, int(year))) != english:
        return english
    found = _lookup(code, f"calibration_figures.{outcome}.{int(year)}")
    return found if isinstance(found, str) else english


def _pattern_keys() -> set[str]:
    keys = {f"patterns.{pid}.{f}" for pid, texts in pattern_sources().items() for f in texts}
    return keys | {f"calibration_figures.{o}.{y}" for o, y in calibration_sources()}


# --------------------------------------------------------------------------- checks
def _keys(node: Mapping[str, Any], prefix: str = "") -> set[str]:
    out: set[str] = set()
    for key, value in node.items():
        path = f"{prefix}{key}"
        out |= _keys(value, f"{path}.") if isinstance(value, Mapping) else {path}
    return out


def _placeholders(template: str) -> set[str]:
    return {field for _t, field, _f, _c in string.Formatter().parse(template) if field}


def required_keys(lang: str, scenarios: list[str] | None = None) -> set[str]:
    """Every entry a language's catalogue must hold for the registries as they are now.

    English needs a label for every parameter, choice and outcome; other languages
    also need every meaning, unit and scenario description, every text of the
    validation patterns and calibration figures (:func:`pattern_text`), and every key of
    the English catalogue.
    """
    code = resolve(lang)
    keys = {f"parameters.{name}.label" for name in PARAMETERS}
    keys |= {f"parameters.{p.name}.choices.{c}" for p in PARAMETERS.values() for c in p.choices}
    keys |= {f"outcomes.{name}.label" for name in OUTCOMES}
    keys |= {f"groups.{p.group}" for p in PARAMETERS.values()}
    if code == DEFAULT_LANGUAGE:
        return keys
    keys |= {f"parameters.{name}.meaning" for name in PARAMETERS}
    keys |= {f"outcomes.{name}.{f}" for name in OUTCOMES for f in ("yearly", "summary")}
    keys |= {f"outcomes.{name}.undefined" for name, o in OUTCOMES.items() if o.undefined}
    units = {p.unit for p in PARAMETERS.values()} | {o.unit for o in OUTCOMES.values()}
    keys |= {f"units.{u}" for u in units if u}
    keys |= {f"scenarios.{name}.description" for name in scenarios or []}
    keys |= _pattern_keys()
    return keys | _keys(catalogue(DEFAULT_LANGUAGE))


def missing(lang: str, scenarios: list[str] | None = None) -> list[str]:
    """Entries a language's catalogue lacks, sorted (empty when complete)."""
    have = _keys(catalogue(resolve(lang)))
    return sorted(required_keys(lang, scenarios) - have)


def stale(lang: str) -> list[str]:
    """Catalogue entries of parameters or outcomes the registries no longer declare (a
    renamed parameter leaves one behind), and texts of patterns or calibration figures
    ``patterns.toml`` no longer has (in English they come from that file, so any)."""
    code = resolve(lang)
    node = catalogue(code)
    gone = [f"parameters.{k}" for k in node.get("parameters", {}) if k not in PARAMETERS]
    gone += [f"outcomes.{k}" for k in node.get("outcomes", {}) if k not in OUTCOMES]
    wanted = _pattern_keys() if code != DEFAULT_LANGUAGE else set()
    for section in ("patterns", "calibration_figures"):
        if isinstance(node.get(section), Mapping):
            have = _keys(node[section], f"{section}.")
            gone += [k for k in have if k not in wanted]
        elif section in node:
            gone.append(section)
    return sorted(gone)


def mismatched_placeholders(lang: str) -> list[str]:
    """Texts whose ``{placeholders}`` differ from the English text's."""
    english = catalogue(DEFAULT_LANGUAGE)
    bad = []
    for key in sorted(_keys(english) & _keys(catalogue(resolve(lang)))):
        here, there = _lookup(lang, key), _lookup(DEFAULT_LANGUAGE, key)
        strings = isinstance(here, str) and isinstance(there, str)
        if strings and _placeholders(here) != _placeholders(there):
            bad.append(key)
    return bad


def untranslated(lang: str) -> list[str]:
    """Texts of ``lang`` with no character of its script (only for Chinese: no Han
    character), which usually means an English text was copied over."""
    if not resolve(lang).startswith("zh"):
        return []
    han = re.compile(r"[\u3400-\u9fff]")
    bad = []
    for key in _keys(catalogue(resolve(lang))):
        found = _lookup(lang, key)
        if key.startswith(("language.", "units.")) or not isinstance(found, str):
            continue
        bare = re.sub(r"\{[^}]*\}", "", found)
        if re.search(r"[A-Za-z]{3}", bare) and not han.search(bare):
            bad.append(key)
    return sorted(bad)


# --------------------------------------------------------------------------- basis
_LOCALES = Path(__file__).resolve().parent / "locales"

_COMMAND = "python -m simcontract.i18n"


def english_sources() -> dict[str, tuple[str, str]]:
    """The English each translation translates, by catalogue key, with the file it is
    in: the English catalogue, the registries' meanings, the built-in scenarios'
    descriptions and the texts of ``patterns.toml``. (Units are their own English.)"""
    from simcontract.scenario import builtin_names, load_scenario

    english = catalogue(DEFAULT_LANGUAGE)
    out = {
        key: (str(_lookup(DEFAULT_LANGUAGE, key)), "simcontract/locales/en.toml")
        for key in _keys(english)
        if not key.startswith("language.")
    }
    registry = {f"parameters.{n}.meaning": p.meaning for n, p in PARAMETERS.items()}
    for name, outcome in OUTCOMES.items():
        for field in ("yearly", "summary", "undefined"):
            registry[f"outcomes.{name}.{field}"] = getattr(outcome, field)
    for key, said in registry.items():
        if said and key not in out:
            where = "params.py" if key.startswith("parameters.") else "outcomes.py"
            out[key] = (said, f"simcontract/{where}")
    for name in builtin_names():
        said = load_scenario(name).description
        if said:
            out[f"scenarios.{name}.description"] = (said, f"scenarios/{name}.toml")
    for pid, texts in pattern_sources().items():
        for field, said in texts.items():
            out[f"patterns.{pid}.{field}"] = (said, "simcontract/patterns.toml")
    for (outcome, year), said in calibration_sources().items():
        out[f"calibration_figures.{outcome}.{year}"] = (said, "simcontract/patterns.toml")
    return out


def fingerprint(english: str) -> str:
    """A short fingerprint of an English text: it changes whenever the text does."""
    return hashlib.sha256(english.encode("utf-8")).hexdigest()[:12]


def basis_path(lang: str) -> Path:
    """The file recording the English each text of ``lang`` was translated from."""
    return _LOCALES / f"{resolve(lang)}.basis.toml"


def basis(lang: str) -> dict[str, str]:
    """The fingerprint of the English each text of ``lang`` was translated from, by key
    (empty when nothing is recorded)."""
    path = basis_path(lang)
    if not path.is_file():
        return {}
    return {str(k): str(v) for k, v in tomllib.loads(path.read_text("utf-8")).items()}


def _translated(lang: str) -> dict[str, str]:
    """Fingerprint of the English, now, of each text ``lang`` translates."""
    have = _keys(catalogue(resolve(lang)))
    return {k: fingerprint(said) for k, (said, _f) in english_sources().items() if k in have}


def out_of_date(lang: str) -> list[str]:
    """One line per text of ``lang`` whose English changed since it was translated (or
    was never recorded), naming the key and what to do; empty when all are current."""
    code = resolve(lang)
    sources, recorded, now = english_sources(), basis(code), _translated(code)
    lines = []
    for key in sorted(now.keys() | recorded.keys()):
        accept = f"then run {_COMMAND} --accept {key}"
        if key not in now:
            lines.append(f"{code}: {key}: no longer translated; run {_COMMAND} --accept {key}")
        elif key not in recorded:
            where = sources[key][1]
            lines.append(
                f"{code}: {key}: new translation; check it against the English in {where}, "
                + accept
            )
        elif recorded[key] != now[key]:
            where = sources[key][1]
            lines.append(
                f"{code}: {key}: the English in {where} changed since it was translated; "
                f"update the translation, {accept}"
            )
    return lines


def accept(lang: str, keys: Sequence[str] | None = None) -> list[str]:
    """Record that the texts ``keys`` of ``lang`` translate the English as it is now
    (all texts with ``None``). A key may name a table (``patterns.2a``): all its texts.

    Returns:
        The keys whose record changed.

    Raises:
        ValueError: A key that is not a translated text or table of ``lang``.
    """
    code = resolve(lang)
    recorded, now = basis(code), _translated(code)
    chosen = set(now) | set(recorded)
    if keys is not None:
        chosen = set()
        for key in keys:
            found = {k for k in now.keys() | recorded.keys() if k == key or k.startswith(f"{key}.")}
            if not found:
                raise ValueError(
                    f"{key!r} is not a translated text of {code}.toml; "
                    f"accept the keys {_COMMAND} --check names"
                )
            chosen |= found
    new = {k: v for k, v in recorded.items() if k not in chosen}
    new |= {k: now[k] for k in chosen if k in now}
    changed = sorted(k for k in chosen if recorded.get(k) != new.get(k))
    if changed:
        _write_basis(code, new)
    return changed


def _write_basis(lang: str, record: Mapping[str, str]) -> None:
    lines = [
        f"# The English each text of {lang}.toml was translated from: a fingerprint",
        "# (simcontract.i18n.fingerprint) of the English, by key. Generated; do not edit.",
        f"# After re-translating a text whose English changed: {_COMMAND} --accept KEY",
        "",
    ]
    lines += [
        f"{json.dumps(k, ensure_ascii=False)} = {json.dumps(record[k])}" for k in sorted(record)
    ]
    path = basis_path(lang)
    temporary = path.with_suffix(".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(path)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: check (``--check``) or accept (``--accept``) that the translations
    translate the English as it is now.

    Returns:
        0 when current (or accepted); 1 if a text is out of date under ``--check``; 2 on
        bad input.
    """
    parser = argparse.ArgumentParser(
        prog=_COMMAND,
        description="Check that each translated text translates the English as it is now, "
        "or record that it does after re-translating.",
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument(
        "--check", action="store_true", help="list out-of-date translations; change nothing"
    )
    action.add_argument(
        "--accept",
        nargs="+",
        metavar="KEY",
        help="record the English of these texts (or of every text under a table) as translated",
    )
    action.add_argument(
        "--accept-all",
        action="store_true",
        help="record the English of every translated text (only after reviewing them all)",
    )
    others = [code for code in LANGUAGES if code != DEFAULT_LANGUAGE]
    parser.add_argument("--lang", choices=others, help="one language (default: all translations)")
    args = parser.parse_args(argv)
    languages = [args.lang] if args.lang else others
    if args.check:
        lines = [line for code in languages for line in out_of_date(code)]
        print("\n".join(lines) if lines else f"{', '.join(languages)}: translations up to date")
        return 1 if lines else 0
    for code in languages:
        try:
            changed = accept(code, None if args.accept_all else args.accept)
        except ValueError as err:
            print(f"{_COMMAND}: error: {err}", file=sys.stderr)
            return 2
        print(
            f"{basis_path(code).name}: {len(changed)} recorded"
            + (f": {', '.join(changed)}" if 0 < len(changed) <= 10 else "")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
