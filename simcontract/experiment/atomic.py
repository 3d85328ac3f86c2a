"""Atomic writing: a file appears whole under its name, or not at all.

Every file simcontract writes (result parts, manifests, tables, series, figures) is
written under a temporary dot-name in its final folder and then renamed over its final
name with ``os.replace``, which is atomic within one file system. A crash, a signal or a
full disk leaves the old file (or none) and at most a temporary file, which
:func:`is_temporary` recognises and a resumed batch removes.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

TEMPORARY_SUFFIX = ".tmp"
"""Suffix of the temporary files (``.<name>.<random>.tmp``)."""


def temporary_name(target: Path) -> Path:
    """A fresh temporary path next to ``target``."""
    return target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}{TEMPORARY_SUFFIX}")


def is_temporary(path: Path) -> bool:
    """Whether ``path`` is a temporary file left by :func:`write_atomic`."""
    return path.name.startswith(".") and path.name.endswith(TEMPORARY_SUFFIX)


def write_atomic(target: str | Path, write: Callable[[Path], Any]) -> Path:
    """Call ``write(tmp)`` on a temporary path, then rename it to ``target``.

    The temporary file is removed when ``write`` or the rename fails (or is interrupted).

    Returns:
        ``target`` as a ``Path``.
    """
    target = Path(target)
    tmp = temporary_name(target)
    try:
        write(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def write_text(target: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically."""
    return write_atomic(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))
