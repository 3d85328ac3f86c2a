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
    """The line a command stopped by SIGINT says, in the language of
    ``SIMCONTRACT_LANG`` when the catalogue can be read."""
    try:
        from simcontract import i18n

        with i18n.use_language(os.environ.get("SIMCONTRACT_LANG") or None):
            return i18n.text("cli.error.interrupted", signal="SIGINT", stored="")
    except BaseException:  # another Ctrl-C, or a language without a catalogue
        return "interrupted by SIGINT"
