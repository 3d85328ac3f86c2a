"""The runs of the seminar app: the live run, policy shocks, running on, kept runs.

A :class:`Run` wraps one model with what the app adds to it: the preset it started
from, the seed, a label for comparisons and the policy shocks applied during the run.
A shock is a dated rule change from the next year on, added to the running model's
scenario, the same way a scenario file's ``[[changes]]`` work, so the model treats it
like any other dated change. Nothing here draws; the page (:mod:`simcontract.app`)
shows runs.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from simcontract.model import ContractingModel
from simcontract.params import PARAMETERS
from simcontract.scenario import Scenario, ScenarioWarning, load_scenario

DEFAULT_SCENARIO = "baseline"
"""Scenario shown when the page opens."""

DEFAULT_SEED = 42
"""Random seed of the first run."""

RUN_ON_YEARS = 10
"""Years added when a finished run is run on."""

KEPT_RUNS = 3
"""Most runs kept for comparison at once (the oldest goes first)."""

RUN_LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
"""Labels of kept runs, in the order they are kept."""


class AppModel(ContractingModel):
    """The contracting model as the app builds it: a preset, a seed and rule values.

    Args:
        preset: Built-in scenario name, a ``Scenario``, or ``None`` for the registry
            defaults.
        seed: Random seed.
        **values: Parameter values overriding the preset's.
    """

    def __init__(
        self,
        preset: Scenario | str | None = DEFAULT_SCENARIO,
        *,
        seed: int | None = DEFAULT_SEED,
        **values: Any,
    ) -> None:
        super().__init__(preset, rng=None if seed is None else int(seed), **values)

    @property
    def preset(self) -> Scenario:
        """The scenario the market follows: the preset, the app's values and shocks."""
        return self.market_scenario


@dataclass(frozen=True)
class Shock:
    """Rules changed during a run, in force from ``year`` on.

    Attributes:
        year: First model year under the new rules.
        changes: Each changed rule's value before and after, by name.
    """

    year: int
    changes: Mapping[str, tuple[Any, Any]]


@dataclass
class Run:
    """One run of the market as the app shows it.

    Attributes:
        model: The model, stepped in place.
        preset: Name of the built-in scenario it started from.
        seed: Its random seed.
        start: The rules it started with (year 1, before any shock).
        shocks: Policy shocks applied during the run, in order.
        label: Its label once kept for comparison (empty while live).
    """

    model: AppModel
    preset: str
    seed: int
    start: dict[str, Any]
    shocks: list[Shock] = field(default_factory=list)
    label: str = ""
    _series: tuple[int, pd.DataFrame] | None = field(default=None, repr=False, compare=False)

    @property
    def year(self) -> int:
        """The last year run (0 before the first step)."""
        return self.model.year

    @property
    def years(self) -> int:
        """The run's length in years."""
        return int(self.model.market_scenario["years"])

    @property
    def finished(self) -> bool:
        """Whether the run has reached its last year."""
        return not self.model.running

    def step(self) -> None:
        """Run one year, unless the run is finished."""
        if self.model.running:
            self.model.step()

    def series(self) -> pd.DataFrame:
        """One row per year run, with every outcome (kept until the next year is run,
        since the page reads it many times a year: do not change it in place)."""
        key = len(self.model.records)
        if self._series is None or self._series[0] != key:
            self._series = (key, self.model.series())
        return self._series[1]

    def rules_now(self) -> dict[str, Any]:
        """The rules in force: this year's, or the starting rules before year 1."""
        return dict(self.model.rules) if self.year else dict(self.start)

    def rules_next(self) -> dict[str, Any]:
        """The rules set for next year (shocks and dated changes included)."""
        return self.model.market_scenario.at_year(self.year + 1)

    def apply_shock(self, values: Mapping[str, Any]) -> Shock | None:
        """Change rules from the next year on; return the shock (``None`` if nothing
        changes).

        ``years`` is not a rule of the market but the run's length: it changes at once
        and is not recorded as a shock. Parameters that set the market's size cannot
        change during a run (``ScenarioError``).
        """
        values = dict(values)
        if "years" in values:
            self.set_length(int(values.pop("years")))
        now = self.rules_now()
        changed = {k: v for k, v in values.items() if now.get(k) != v}
        if not changed:
            return None
        year = self.year + 1
        scenario = self.model.market_scenario
        changes = [{"year": y, **dict(c)} for y, c in scenario.changes]
        same = next((c for c in changes if c["year"] == year), None)
        if same is None:
            changes.append({"year": year, **changed})
        else:  # a rule change of that year already (the scenario's, or a shock's): joined
            same.update(changed)
        self.model.market_scenario = Scenario(
            dict(scenario), name=scenario.name, description=scenario.description, changes=changes
        )
        shock = Shock(year, {k: (now.get(k), v) for k, v in changed.items()})
        self.shocks.append(shock)
        return shock

    def set_length(self, years: int) -> None:
        """Make the run ``years`` long (at least the years already run) and let it go on
        if that leaves years to run."""
        years = max(int(years), self.year, 1)
        self.model.market_scenario = self.model.market_scenario.replace(years=years)
        self.model.running = self.year < years

    def run_on(self, years: int = RUN_ON_YEARS) -> None:
        """Add ``years`` to a run's length, so a finished run goes on."""
        self.set_length(self.years + years)


def start_run(
    preset: str = DEFAULT_SCENARIO, seed: int = DEFAULT_SEED, values: Mapping[str, Any] = ()
) -> Run:
    """A new run of ``preset`` with some rule values changed, at year 0."""
    with warnings.catch_warnings():
        # The page shows the preset's dated changes and marks them on the charts; the
        # controls pass every rule, so keyword warnings would only fill the server's log.
        warnings.simplefilter("ignore", ScenarioWarning)
        model = AppModel(preset, seed=seed, **dict(values))
    return Run(model, preset, int(seed), dict(model.market_scenario.at_year(1)))


def pending(run: Run, draft: Mapping[str, Any]) -> dict[str, Any]:
    """The rules of ``draft`` (the controls) that differ both from those in force and
    from those already set for next year (by a shock or the preset's dated changes)."""
    now, upcoming = run.rules_now(), run.rules_next()
    now["years"] = upcoming["years"] = run.years
    return {k: v for k, v in draft.items() if k in now and v not in (now[k], upcoming[k])}


def rule_differences(
    first: Run, second: Run, names: Iterable[str] | None = None
) -> list[tuple[str, Any, Any]]:
    """Rules that differ between two runs at their start, as ``(name, first, second)``,
    in the registry's order (shocks are listed apart, see :attr:`Run.shocks`)."""
    names = list(PARAMETERS) if names is None else list(names)
    return [
        (name, first.start.get(name), second.start.get(name))
        for name in names
        if first.start.get(name) != second.start.get(name)
    ]


def keep(kept: list[Run], run: Run) -> list[Run]:
    """The kept runs with ``run`` added under the next label (A, B, C, ...; at most
    :data:`KEPT_RUNS` are kept, the oldest goes first)."""
    last = RUN_LABELS.find(kept[-1].label) if kept else -1
    run.label = RUN_LABELS[(last + 1) % len(RUN_LABELS)]
    return [*kept, run][-KEPT_RUNS:]


def preset_changes(run: Run) -> list[tuple[int, dict[str, Any]]]:
    """The dated rule changes the run's preset brings, as ``(year, values)``."""
    base = load_scenario(run.preset)
    return [(year, dict(values)) for year, values in base.changes]
