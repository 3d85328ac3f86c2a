"""Where a warning points: the user's code, not the package's."""

from __future__ import annotations

import sys

OWN_PACKAGES = ("simcontract", "mesa")
"""Packages whose frames a warning skips to reach the code that called them."""


def caller_level() -> int:
    """The stack level, for ``warnings.warn`` called by the caller of this function, of
    the first frame outside simcontract and Mesa: the user's code, however deep the
    package's calls (and Mesa's wrappers of ``step()``: one in Mesa 3.3, five in 3.5).
    A warning given twice on one call (a check the command line makes before the batch
    makes it again) so points at one place and is shown once."""
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None and frame.f_globals.get("__name__", "").split(".")[0] in (
        OWN_PACKAGES
    ):
        frame, level = frame.f_back, level + 1
    return level
