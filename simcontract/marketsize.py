"""How large a run's market grows, projected from its scenario before the run starts.

A run's memory grows with the services its purchasers fund, the NGOs it starts with and
the ties its officials bring to them (docs/DESIGN.md, Speed). Budgets grow by
``budget_growth`` a year, so services grow exponentially: ``budget_growth=1`` over 20
years funds half a million times the first year's services, which no machine holds.
:func:`check_market_size` projects a run's memory from the services funded in its
largest year, the NGOs at the start and the ties expected at the start, and refuses a
run beyond :data:`MEMORY_SHARE` of this machine's memory in one line, before anything
is set up. What the projection cannot count, NGOs registering as the market grows and
the ties new officials bring to them, :func:`check_grown` counts at the end of every
year: a run that outgrows the same share stops there, in one line, before it takes the
machine's memory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from simcontract.params import error_text
from simcontract.phases.budgets import affordable_slots, budget_factor, next_budget
from simcontract.phases.cadres import expected_initial_ties
from simcontract.scenario import Rules, ScenarioError

if TYPE_CHECKING:
    from simcontract.agents import City
    from simcontract.scenario import Scenario

_said = partial(error_text, "market")

BUDGET_RULES = ("budget_growth", "contract_value", "mass_org_budget")
"""The parameters the budget rule reads (:func:`~simcontract.phases.budgets.next_budget`,
:func:`~simcontract.phases.budgets.affordable_slots`)."""

MEMORY_SHARE = 0.5
"""Share of the machine's memory a run may be projected to use."""

_RUNS_AT_ONCE = 1
"""Runs this machine runs at once, of which this process is one (a local pool's worker:
:func:`share_memory`)."""

UNKNOWN_MEMORY = 8 * 2**30
"""The machine's memory assumed where the platform does not report it."""

# Peak memory per item, rounded up, as measured by benchmarks/memory.py (resident memory of
# `baseline` runs growing by budget) and by tracemalloc over `baseline` runs with many NGOs
# and bureaux (Python 3.11, NumPy 2).
BYTES_PER_SERVICE = 3_000
"""A service funded in the run's largest year, with the contracts, bids and entrant
NGOs that come with it."""
BYTES_PER_NGO = 2_500
"""An NGO at the start, with its social workers."""
BYTES_PER_TIE = 150
"""An official's tie to an NGO head."""


@dataclass(frozen=True)
class MarketSize:
    """A run's market as projected from its scenario.

    Attributes:
        services: Most services (slots) funded in one year, over the run's cities.
        year: The first year that funds them.
        ngos: NGOs at the start, over the run's cities.
        ties: Officials' ties expected at the start, over the run's cities.
    """

    services: int
    year: int
    ngos: int
    ties: float

    @property
    def memory(self) -> int:
        """Bytes the run is projected to need, about."""
        return int(
            self.services * BYTES_PER_SERVICE
            + self.ngos * BYTES_PER_NGO
            + self.ties * BYTES_PER_TIE
        )


def machine_memory() -> int:
    """This machine's physical memory in bytes (:data:`UNKNOWN_MEMORY` if unknown)."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):  # Windows, or not reported
        return UNKNOWN_MEMORY


def share_memory(runs: int) -> None:
    """Runs in this process may use their share of :data:`MEMORY_SHARE` when ``runs``
    processes run at once (the workers of a local pool, each checking only its own)."""
    global _RUNS_AT_ONCE
    _RUNS_AT_ONCE = max(1, int(runs))


def memory_share() -> float:
    """Share of the machine's memory a run may use: :data:`MEMORY_SHARE`, divided among
    the runs at once (:func:`share_memory`)."""
    return MEMORY_SHARE / _RUNS_AT_ONCE


def memory_limit() -> int:
    """Memory a run may use: :func:`memory_share` of the machine's."""
    return int(memory_share() * machine_memory())


def projected_size(scenario: Scenario, cities: int | None = None) -> MarketSize:
    """The market of a run of ``scenario`` over ``cities`` of its cities (all by default).

    Services follow the budget rule year by year
    (:func:`~simcontract.phases.budgets.next_budget`), which draws nothing, so the count
    is the run's own; where budgets shrink, slots under contract are kept a little longer
    than the count says.
    """
    first = scenario.rules(1)
    cities = first["n_cities"] if cities is None else cities
    kinds = {"bureau": first["n_bureaux"], "mass_org": first["n_mass_orgs"]}
    budget = {
        kind: first["slots_per_purchaser"] * first["contract_value"] * budget_factor(kind, first)
        for kind in kinds
    }
    change_years = {year for year, _change in scenario.changes}
    # Only what the budget rule reads, so that a year costs a microsecond or two.
    values = previous = {name: first[name] for name in BUDGET_RULES}
    most, most_year = -1, 1
    for year in range(1, first["years"] + 1):
        if year in change_years:
            in_force = scenario.at_year(year)
            values = {name: in_force[name] for name in BUDGET_RULES}
        rules = Rules(values, year, previous)
        previous = values
        reprice = values["contract_value"] / rules.previous["contract_value"]
        services = 0
        for kind, count in kinds.items():
            budget[kind] = next_budget(budget[kind], kind, rules, reprice)
            services += count * affordable_slots(budget[kind], rules) if count else 0
        if services > most:
            most, most_year = services, year
    ngos = first["initial_ngos"]
    return MarketSize(
        services=cities * most,
        year=most_year,
        ngos=cities * ngos,
        ties=cities * expected_initial_ties(first, ngos),
    )


def check_market_size(scenario: Scenario, cities: int | None = None) -> None:
    """Refuse a run of ``scenario`` (over ``cities`` of its cities) that is projected to
    need more than :func:`memory_limit`.

    Raises:
        ScenarioError: One line with the projection, the limit and what to lower.
    """
    size = projected_size(scenario, cities)
    need, limit = size.memory, memory_limit()
    if need <= limit:
        return
    counts = {
        "services": f"{size.services:,}",
        "year": size.year,
        "ngos": f"{size.ngos:,}",
        "ties": f"{size.ties:,.0f}",
    }
    cause = _said(f"too_many_{_largest(size)}", **counts)
    raise ScenarioError(_said("too_large", name=repr(scenario.name), cause=cause, **_gib(need)))


def check_grown(name: str, year: int, cities: list[City]) -> None:
    """Stop a run of the scenario ``name`` whose ``cities`` have outgrown
    :func:`memory_limit` by the end of ``year``: the services they fund, their NGOs
    and their officials' ties, counted as :class:`MarketSize` weighs them.

    Raises:
        ScenarioError: One line with the year, the count that grew most and what to lower.
    """
    services = ngos = ties = 0
    for city in cities:
        ngos += len(city.ngos)
        for purchaser in city.purchasers:
            services += len(purchaser.slots)
            if purchaser.cadre is not None:
                ties += len(purchaser.cadre.ties)
    size = MarketSize(services, year, ngos, ties)
    need, limit = size.memory, memory_limit()
    if need <= limit:
        return
    counts = {"services": f"{services:,}", "ngos": f"{ngos:,}", "ties": f"{ties:,}"}
    cause = _said(f"grown_{_largest(size)}", **counts)
    said = {"name": repr(name), "year": year, "cause": cause, **_gib(need)}
    raise ScenarioError(_said("outgrown", **said))


def _largest(size: MarketSize) -> str:
    """Which of services, NGOs and ties takes the most of ``size``'s memory."""
    parts = {
        "services": size.services * BYTES_PER_SERVICE,
        "ngos": size.ngos * BYTES_PER_NGO,
        "ties": size.ties * BYTES_PER_TIE,
    }
    return max(parts, key=parts.__getitem__)


def _gib(need: int) -> dict[str, str]:
    return {
        "need": f"{need / 2**30:,.1f}",
        "limit": f"{memory_limit() / 2**30:,.1f}",
        "share": f"{memory_share():.0%}",
    }
