"""Shared fixtures: a small scenario whose runs take a few hundredths of a second."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from simcontract import ContractingModel, Scenario

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
