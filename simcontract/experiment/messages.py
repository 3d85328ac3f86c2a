"""The experiments' error messages, in the language in use.

Each message is a text of the catalogue (:mod:`simcontract.i18n`) under
``errors.<area>``, one area per module, so an error raised inside a command run with
``--lang zh_CN`` reads in Chinese and one raised from Python reads in English.
"""

from __future__ import annotations

from simcontract.i18n import error_text as error
from simcontract.i18n import listed

__all__ = ["error", "listed"]
