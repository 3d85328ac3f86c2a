"""The year opens: dated rule changes take effect and budgets fund service slots.

Each purchaser's budget is re-priced when a dated change moves ``contract_value`` (the
finance bureau keeps funding the same services at the new price) and grows by
``budget_growth`` from year 2 on; it funds ``max(1, round(budget / contract_value))``
slots. New slots start empty; when the budget shrinks, empty slots go first and slots
under contract are kept until their contracts end. Each purchaser tenders by the mode in
force: ``tendering``, or ``mass_org_tendering`` for mass organisations when it is not
``"same"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simcontract.agents import Slot
from simcontract.batch import column
from simcontract.phases.evaluation import EVALUATOR_PARAMETERS, make_evaluators

if TYPE_CHECKING:
    from simcontract.agents import City, Purchaser
    from simcontract.outcomes import YearRecord
    from simcontract.scenario import Rules


def open_year(city: City, rules: Rules, record: YearRecord) -> None:
    """Carry the reserves over, apply the year's rules, and fund each purchaser's slots.

    Evaluators are replaced when a dated change moves any of ``EVALUATOR_PARAMETERS``.
    """
    record.reserves_start += float(column(city.ngos, "reserves").sum())
    if rules.changed(EVALUATOR_PARAMETERS):
        make_evaluators(city, rules)
    reprice = rules["contract_value"] / rules.previous["contract_value"]
    for purchaser in city.purchasers:
        fund_slots(purchaser, rules, reprice)
        purchaser.mode = tender_mode(purchaser, rules)
        purchaser.spent = 0.0


def fund_slots(purchaser: Purchaser, rules: Rules, reprice: float = 1.0) -> None:
    """Set the purchaser's budget for the year and the slots it funds.

    Args:
        purchaser: The purchaser.
        rules: The year's rules.
        reprice: This year's contract price over last year's.
    """
    purchaser.budget *= reprice
    if rules.year > 1:
        purchaser.budget *= 1.0 + rules["budget_growth"]
    # Nearest whole number of slots: flooring would lose half a slot per purchaser.
    affordable = max(1, round(purchaser.budget / rules["contract_value"]))
    while len(purchaser.slots) < affordable:
        purchaser.slots.append(Slot(purchaser))
    if len(purchaser.slots) > affordable:
        keep = [s for s in purchaser.slots if s.contract is not None]
        empty = [s for s in purchaser.slots if s.contract is None]
        room = max(0, affordable - len(keep))
        purchaser.slots = keep + empty[:room]


def tender_mode(purchaser: Purchaser, rules: Rules) -> str:
    """The tender procedure the purchaser follows this year."""
    if purchaser.kind == "mass_org" and rules["mass_org_tendering"] != "same":
        return rules["mass_org_tendering"]
    return rules["tendering"]
