"""Shared fixtures (a small scenario whose runs take a few hundredths of a second) and the
Hypothesis profiles.

Profiles: ``dev`` searches afresh on every run; ``ci`` replays the same examples on every
run (derandomised, no example database) and prints a blob that reproduces a failure. ``ci``
is loaded when the ``CI`` environment variable is set, ``dev`` otherwise;
``HYPOTHESIS_PROFILE=ci`` (or ``dev``) chooses explicitly, and pytest's
``--hypothesis-profile`` option overrides both. ``SIMCONTRACT_EXAMPLES`` sets the number of
examples per property in either profile (default 40; 1000 searches harder).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from simcontract import ContractingModel, Scenario

# The command line's language from the environment (simcontract.clihelp): the tests
# expect English unless they ask for another.
os.environ.pop("SIMCONTRACT_LANG", None)
# No progress lines in the captured stderr of commands (tests of them turn them on).
os.environ["SIMCONTRACT_LOG_SECONDS"] = "0"

EXAMPLES = int(os.environ.get("SIMCONTRACT_EXAMPLES", "40"))
"""Examples per property test unless a test sets its own number."""

# Hypothesis's own "default" profile as the parent: without one, "dev" would inherit
# whichever profile Hypothesis loaded on import (its built-in "ci" when CI is set).
settings.register_profile(
    "dev", settings.get_profile("default"), max_examples=EXAMPLES, deadline=None
)
settings.register_profile(
    "ci", settings.get_profile("dev"), derandomize=True, database=None, print_blob=True
)


def _profile() -> str:
    """``HYPOTHESIS_PROFILE`` if set, else ``ci`` when ``CI`` is set (not to 0 or false)."""
    chosen = os.environ.get("HYPOTHESIS_PROFILE", "").strip()
    if chosen:
        return chosen
    in_ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false")
    return "ci" if in_ci else "dev"


settings.load_profile(_profile())

SMALL: dict[str, Any] = {
    "years": 6,
    "initial_ngos": 25,
    "n_bureaux": 8,
    "n_mass_orgs": 2,
    "districts_per_city": 4,
    "n_evaluators": 3,
}
"""Parameter values of the small scenario (everything else at the registry default)."""


@pytest.fixture
def small() -> Scenario:
    """A small one-city market run for six years."""
    return Scenario(SMALL, name="small", description="Small market for fast tests.")


@pytest.fixture
def small_run(small: Scenario) -> Callable[..., ContractingModel]:
    """Run the small scenario (with optional parameter overrides) to the end."""

    def run(seed: int = 1, **params: Any) -> ContractingModel:
        return ContractingModel(small, rng=seed, **params).run()

    return run


@pytest.fixture
def write_toml(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write a scenario file into the test's temporary folder and return its path."""

    def write(text: str | bytes, name: str = "scenario.toml") -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def small_toml(small: Scenario, write_toml: Callable[..., Path]) -> Path:
    """The small scenario saved as a TOML file named ``small.toml``."""
    return write_toml(small.to_toml(), "small.toml")


TINY_BATCH = {"years": 5, "initial_ngos": 20, "n_bureaux": 6, "n_mass_orgs": 1}
"""A market small enough for batches run by the command line in tests."""


@pytest.fixture
def tiny_toml(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """The test module's ``TINY`` market, else :data:`TINY_BATCH`, saved as ``tiny.toml``."""
    values = getattr(request.module, "TINY", TINY_BATCH)
    path = tmp_path / "tiny.toml"
    path.write_text(Scenario(values, name="tiny").to_toml(), encoding="utf-8")
    return path
