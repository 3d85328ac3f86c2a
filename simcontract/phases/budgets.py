"""The year opens: dated rule changes take effect and budgets fund service slots.

Each purchaser's budget is re-priced when a dated change moves ``contract_value`` (the
finance bureau keeps funding the same services at the new price) and grows by
``budget_growth`` from year 2 on; it funds ``max(1, round(budget / contract_value))``
slots. New slots start empty; when the budget shrinks, empty slots go first and slots
under contract are kept until their contracts end. Each purchaser tenders by the mode in
force: ``tendering``, or ``mass_org_tendering`` for mass organisations when it is not
``"same"``.

A mass organisation starts with ``mass_org_budget`` times a bureau's budget for as many
slots: "Their political and financial power is significantly weaker than government
departments (GZ20181210)" (Mok & Wen 2023). Every slot of a bureau is a centre serving
one street, whose population is drawn when the slot is first funded: "The population in each
sub-district ranges from 3,000 to nearly 90,000", yet "the Municipal and District
Bureaus of Finance allocated ¥6 million to each SO in three years" (Guangzhou IFSC study n.d.):
a centre's money does not depend on how many residents it serves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simcontract.agents import Slot
from simcontract.phases.evaluation import EVALUATOR_PARAMETERS, make_evaluators

if TYPE_CHECKING:
    from collections.abc import Mapping

    from simcontract.agents import City, Purchaser
    from simcontract.outcomes import YearRecord
    from simcontract.scenario import Rules


def open_year(city: City, rules: Rules, record: YearRecord) -> None:
    """Carry the reserves over, apply the year's rules, and fund each purchaser's slots.

    Evaluators are replaced when a dated change moves any of ``EVALUATOR_PARAMETERS``.
    """
    record.reserves_start += float(city.ngo_values("reserves").sum())
    if rules.changed(EVALUATOR_PARAMETERS):
        make_evaluators(city, rules)
    reprice = rules["contract_value"] / rules.previous["contract_value"]
    for purchaser in city.purchasers:
        fund_slots(purchaser, rules, reprice)
        purchaser.mode = tender_mode(purchaser, rules)
        purchaser.spent = 0.0
    settle_streets(city, rules)


def budget_factor(kind: str, rules: Mapping[str, Any]) -> float:
    """The budget of a purchaser of ``kind`` relative to a bureau's with as many slots:
    ``mass_org_budget`` for a mass organisation, 1 otherwise."""
    return rules["mass_org_budget"] if kind == "mass_org" else 1.0


def settle_streets(city: City, rules: Mapping[str, Any]) -> None:
    """Give every bureau's slot funded for the first time the population of its street
    (a mass organisation's service lines serve no one street).

    ``U(street_population_low, street_population_high)`` (bounds taken in order), drawn
    from ``city.streets``, a generator spawned from the city's on first use: the draws
    move no other draw of the city.
    """
    new = [
        s for pu in city.purchasers if pu.kind == "bureau" for s in pu.slots if s.population <= 0.0
    ]
    if not new:
        return
    if city.streets is None:
        city.streets = city.rng.spawn(1)[0]
    bounds = rules["street_population_low"], rules["street_population_high"]
    populations = city.streets.uniform(min(bounds), max(bounds), len(new))
    for slot, population in zip(new, populations.tolist(), strict=True):
        slot.population = population


def fund_slots(purchaser: Purchaser, rules: Rules, reprice: float = 1.0) -> None:
    """Set the purchaser's budget for the year and the slots it funds.

    Args:
        purchaser: The purchaser.
        rules: The year's rules.
        reprice: This year's contract price over last year's.
    """
    purchaser.budget = next_budget(purchaser.budget, purchaser.kind, rules, reprice)
    affordable = affordable_slots(purchaser.budget, rules)
    while len(purchaser.slots) < affordable:
        purchaser.slots.append(Slot(purchaser))
    if len(purchaser.slots) > affordable:
        keep = [s for s in purchaser.slots if s.contract is not None]
        empty = [s for s in purchaser.slots if s.contract is None]
        room = max(0, affordable - len(keep))
        purchaser.slots = keep + empty[:room]


def next_budget(budget: float, kind: str, rules: Rules, reprice: float = 1.0) -> float:
    """This year's budget of a purchaser of ``kind`` whose budget was ``budget`` last
    year: re-priced, moved with a dated change of ``mass_org_budget`` (for a mass
    organisation), and grown by ``budget_growth`` from year 2 on."""
    budget *= reprice
    # A dated change of mass_org_budget moves a mass organisation's budget with it.
    budget *= budget_factor(kind, rules) / budget_factor(kind, rules.previous)
    if rules.year > 1:
        budget *= 1.0 + rules["budget_growth"]
    return budget


def affordable_slots(budget: float, rules: Mapping[str, Any]) -> int:
    """Slots a budget funds: ``max(1, round(budget / contract_value))``."""
    # Nearest whole number of slots: flooring would lose half a slot per purchaser.
    return max(1, round(budget / rules["contract_value"]))


def tender_mode(purchaser: Purchaser, rules: Rules) -> str:
    """The tender procedure the purchaser follows this year."""
    if purchaser.kind == "mass_org" and rules["mass_org_tendering"] != "same":
        return rules["mass_org_tendering"]
    return rules["tendering"]
