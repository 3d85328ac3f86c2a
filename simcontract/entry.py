"""The ``simcontract`` command's entry point: the command line, and a Ctrl-C while it
loads (NumPy, pandas and Mesa take a second) ended in one line, not a traceback."""

from __future__ import annotations

import os
import signal
import sys


def main() -> int:
    """Load and run the command line (:func:`simcontract.cli.main`)."""
    try:
        from simcontract.cli import main as command
    except KeyboardInterrupt:
        print(f"simcontract: {_interrupted()}", file=sys.stderr)
        return 128 + signal.SIGINT
    return command()


def _interrupted() -> str:
    """The line a command stopped by SIGINT says, in the language of ``--lang`` (or
    ``SIMCONTRACT_LANG``) when the catalogue can be read."""
    try:
        from simcontract import i18n

        with i18n.use_language(_language(sys.argv[1:])):
            return i18n.text("cli.error.interrupted", signal="SIGINT", stored="")
    except BaseException:  # another Ctrl-C, or a language without a catalogue
        return "interrupted by SIGINT"


def _language(argv: list[str]) -> str | None:
    """The language ``--lang`` names in ``argv``, else ``SIMCONTRACT_LANG``'s."""
    for i, word in enumerate(argv):
        if word.startswith("--lang="):
            return word.partition("=")[2]
        if word == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
    return os.environ.get("SIMCONTRACT_LANG") or None
