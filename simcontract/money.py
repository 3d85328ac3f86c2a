"""Money: payments, co-funding, wages, overheads, other income, reserves, insolvency.

For each active NGO and year::

    reserves += government payments + other income - activities - overheads - wages

Government payments are ``price * (1 - match_funding)`` per contract; the NGO spends
the whole price on the service (``activity_share`` of it on activities, the rest
through wages), so match funding is the part it pays from its own money. Wages are
cut (down to 60 % of the market wage) before reserves would go negative; an NGO whose
reserves still fall below zero is insolvent and exits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simcontract.agents import NGO
    from simcontract.metrics import YearRecord
    from simcontract.model import ContractingModel

OTHER_INCOME_FACTOR = {
    "general": 1.0,
    "specialist": 1.0,
    "community": 0.5,
    "grassroots": 1.2,
}
"""Non-government income by origin, relative to ``other_income``."""

MIN_PAY_LEVEL = 0.6
"""Lowest share of the market wage an NGO pays before it counts as insolvent."""


def settle(model: ContractingModel, ngo: NGO, p: dict[str, Any], record: YearRecord) -> None:
    """Book the NGO's money for the year and record the flows in ``record``."""
    price = sum(c.price for c in ngo.contracts)
    gov = price * (1.0 - p["match_funding"])
    for c in ngo.contracts:
        paid = c.price * (1.0 - p["match_funding"])
        c.purchaser.spent += paid
    other = (
        p["other_income"]
        * OTHER_INCOME_FACTOR[ngo.origin]
        * float(model.rng.lognormal(-0.045, 0.3))
    )
    activities = p["activity_share"] * price
    overheads = p["overhead"]
    wage_bill = ngo.staff * p["wage"]
    available = ngo.reserves + gov + other - activities - overheads
    if wage_bill > 0:
        ngo.pay_level = min(1.0, max(MIN_PAY_LEVEL, available / wage_bill))
    else:
        ngo.pay_level = 1.0
    wages = wage_bill * ngo.pay_level
    ngo.reserves += gov + other - activities - overheads - wages
    ngo.revenue_gov = gov
    ngo.revenue_other = other
    ngo.dependence = gov / (gov + other) if gov + other > 0 else 0.0
    record.gov_payments += gov
    record.other_income += other
    record.activities += activities
    record.overheads += overheads
    record.wages += wages
