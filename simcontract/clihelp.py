"""The command line in its reader's language: the help, argparse's own words, the errors.

The language is known before argparse builds the help (:func:`language`): ``--lang X``
(or ``--lang=X``) on the command line, else the environment variable
``SIMCONTRACT_LANG`` (:data:`LANGUAGE_VARIABLE`), else English. The help texts are
``cli.help.*`` of the catalogue (:func:`helped`); argparse's headings and its messages
(``invalid choice``, ``the following arguments are required``, ...) are ``cli.argparse.*``
(:class:`Formatter`, :func:`localise`, :func:`argparse_message`).
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from simcontract import i18n
from simcontract.textwidth import display_width, wrap

LANGUAGE_VARIABLE = "SIMCONTRACT_LANG"
"""The environment variable naming the command line's language when ``--lang`` is not
given, e.g. ``SIMCONTRACT_LANG=zh_CN``."""

_LANG_OPTION = "--lang"
_SHORTEST_PREFIX = 4
"""Characters of the shortest abbreviation of ``--lang`` argparse takes (``--la``;
``--l`` is ambiguous where ``--lhs`` is an option)."""


def given_language(argv: Sequence[str]) -> str | None:
    """The value of the last ``--lang`` option of ``argv`` (``--lang X``, ``--lang=X`` or
    an abbreviation argparse accepts, e.g. ``--lan X``), as typed; ``None`` without one."""
    found = None
    words = list(argv)
    for i, word in enumerate(words):
        if word == "--":
            break
        name, equals, value = word.partition("=")
        if len(name) < _SHORTEST_PREFIX or not _LANG_OPTION.startswith(name):
            continue
        if equals:
            found = value
        elif i + 1 < len(words):
            found = words[i + 1]
    return found


def language(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """The language of the command line, known before its options are parsed: that of
    ``--lang`` in ``argv``, else that of :data:`LANGUAGE_VARIABLE`, else English. A
    ``--lang`` without a catalogue gives English here; parsing reports it.

    Raises:
        ValueError: :data:`LANGUAGE_VARIABLE` names a language without a catalogue
            (when ``--lang`` is not given), with one line saying so.
    """
    given = given_language(argv)
    if given is not None:
        try:
            return i18n.resolve(given)
        except ValueError:
            return i18n.DEFAULT_LANGUAGE
    setting = (os.environ if environ is None else environ).get(LANGUAGE_VARIABLE, "")
    if not setting.strip():
        return i18n.DEFAULT_LANGUAGE
    try:
        return i18n.resolve(setting.strip())
    except ValueError:
        reason = unknown_language(setting)
        raise ValueError(
            i18n.text(
                "cli.error.environment", variable=LANGUAGE_VARIABLE, value=setting, reason=reason
            )
        ) from None


def unknown_language(value: str) -> str:
    """Why ``value`` is not a language of the command line, in the language in use."""
    return i18n.text(
        "cli.error.unknown_language", value=repr(value), languages=", ".join(i18n.LANGUAGES)
    )


def helped(key: str, **values: Any) -> str:
    """The help text ``cli.help.<key>`` in the language in use, its ``{placeholders}``
    filled with ``values``, ready for argparse (which formats ``%``)."""
    return i18n.text(f"cli.help.{key}", **values).replace("%", "%%")


class Formatter(argparse.HelpFormatter):
    """argparse's help in the language in use: its ``usage:`` from the catalogue, and
    Chinese text wrapped by terminal columns (English as argparse wraps it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._headings: list[str] = []

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[Any],
        prefix: str | None = None,
    ) -> None:
        """The usage line, headed by the catalogue's ``usage:``."""
        said = i18n.text("cli.argparse.usage") if prefix is None else prefix
        super().add_usage(usage, actions, groups, said)

    def _format_usage(self, *args: Any) -> str:
        # argparse indents the usage's next lines by the prefix's characters; a Chinese
        # prefix takes two columns a character.
        usage = super()._format_usage(*args)
        prefix = i18n.text("cli.argparse.usage")
        extra = " " * (display_width(prefix) - len(prefix))
        if not extra or not usage.startswith(prefix):
            return usage
        lines = usage.split("\n")
        return "\n".join([lines[0], *(extra + line if line else line for line in lines[1:])])

    def start_section(self, heading: str | None) -> None:
        """A section, its heading to be followed by the catalogue's colon."""
        if heading:
            self._headings.append(heading)
        super().start_section(heading)

    def format_help(self) -> str:
        """The help, its sections headed as the language writes a heading."""
        shown = super().format_help()
        for heading in self._headings:
            said = i18n.text("cli.argparse.heading", title=heading)
            shown = shown.replace(f"\n{heading}:\n", f"\n{said}\n")
        return shown

    def _split_lines(self, text: str, width: int) -> list[str]:
        if display_width(text) == len(text):
            return super()._split_lines(text, width)
        return wrap(text, width, break_on_hyphens=False)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if display_width(text) == len(text):
            return super()._fill_text(text, width, indent)
        return "\n".join(wrap(text, width, indent, indent, break_on_hyphens=False))


def localise(parser: argparse.ArgumentParser) -> None:
    """Head ``parser``'s sections and say its ``-h`` in the language in use."""
    parser._positionals.title = i18n.text("cli.argparse.positionals")
    parser._optionals.title = i18n.text("cli.argparse.optionals")
    shown = parser._option_string_actions.get("-h")
    if shown is not None:
        shown.help = helped("help")


# argparse's messages (its English, Python 3.11 to 3.13) and the catalogue's keys.
_ARGPARSE = (
    (r"argument (?P<argument>[^:]+): (?P<message>.+)", "argument"),
    (r"the following arguments are required: (?P<names>.+)", "required"),
    (r"one of the arguments (?P<names>.+) is required", "one_required"),
    (r"unrecognized arguments: (?P<names>.+)", "unrecognized"),
    (r"invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)", "invalid_choice"),
    (r"invalid (?P<type>\S+) value: (?P<value>.+)", "invalid_value"),
    (r"expected one argument", "expected_one"),
    (r"expected at most one argument", "expected_at_most_one"),
    (r"expected at least one argument", "expected_at_least_one"),
    (r"not allowed with argument (?P<other>.+)", "not_allowed_with"),
    (r"ambiguous option: (?P<option>\S+) could match (?P<matches>.+)", "ambiguous"),
    (r"ignored explicit argument (?P<value>.+)", "ignored_explicit"),
)


def argparse_message(message: str) -> str:
    """An error message of argparse in the language in use (a message it does not know
    as it is)."""
    for pattern, key in _ARGPARSE:
        found = re.fullmatch(pattern, message, re.DOTALL)
        if found:
            values = found.groupdict()
            if "message" in values:
                values["message"] = argparse_message(values["message"])
            return i18n.text(f"cli.argparse.{key}", **values)
    return message
