"""Which code made a result: simcontract's version and a fingerprint of its model code.

Light to import (no batch machinery), so that a single run can say it too.
"""

from __future__ import annotations

import functools
import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np


@functools.cache
def model_code() -> str:
    """A fingerprint of the code that makes a run (``sha256:`` and 16 hex digits):
    simcontract's code and data files, as installed, and NumPy's version, whose
    generators may draw other numbers from the same seed in another release (NumPy 2.5
    changed ``Generator.binomial``). A batch resumes only under the code that started
    it, which the version numbers alone cannot tell in a development version. The
    built-in scenarios are left out (a wheel holds them in the package, a checkout
    beside it): a batch's identity holds its scenarios' values."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"numpy {np.__version__}\0".encode())
    for path in sorted(root.rglob("*")):
        inside = path.relative_to(root).parts
        if path.suffix in (".py", ".toml") and "__pycache__" not in inside:
            if inside[0] == "scenarios":
                continue
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(b"\0" + path.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()[:16]


def code_record() -> dict[str, str]:
    """The simcontract version and the model code (:func:`model_code`) of the code
    running now, as a manifest records them (``simcontract_version``, ``model_code``)."""
    return {"simcontract_version": package_version("simcontract"), "model_code": model_code()}


def package_version(package: str) -> str:
    """The installed version of ``package`` (``"unknown"`` when not installed)."""
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"
