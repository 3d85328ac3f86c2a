"""Money: payments, co-funding, wages, overheads, other income, reserves, insolvency.

For each active NGO and year::

    reserves += government payments + other income - activities - overheads - wages

Government payments are ``price * (1 - match_funding)`` per contract; the NGO spends
the whole price on the service (``activity_share`` of it on activities, the rest
through wages), so match funding is the part it pays from its own money. Wages are
cut (down to 60 % of the market wage) before reserves would go negative; an NGO whose
pay cut balances its books ends the year with reserves of exactly 0, and one whose
reserves still fall below zero (by more than ``SHORTFALL_TOLERANCE``) is insolvent and
exits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simcontract.batch import column

if TYPE_CHECKING:
    from simcontract.agents import City
    from simcontract.outcomes import YearRecord
    from simcontract.scenario import Rules

OTHER_INCOME_FACTOR = {
    "general": 1.0,
    "specialist": 1.0,
    "community": 0.5,
    "grassroots": 1.2,
}
"""Non-government income by origin, relative to ``other_income``."""

MIN_PAY_LEVEL = 0.6
"""Lowest share of the market wage an NGO pays before it counts as insolvent."""

SHORTFALL_TOLERANCE = 0.01
"""A shortfall (CNY) below which an NGO paying the lowest wage still balances its books."""

OTHER_INCOME_LOGNORMAL = (-0.045, 0.3)
"""Parameters (mu, sigma) of the yearly log-normal factor on other income; its mean is 1."""


def settle_accounts(city: City, rules: Rules, record: YearRecord) -> None:
    """Book every NGO's money for the year; insolvent NGOs exit.

    Sets ``reserves``, ``pay_level``, ``revenue_gov``, ``revenue_other`` and
    ``dependence`` (government payments over total revenue, 0 without revenue) of each
    NGO, and adds each contract's payment to its purchaser's ``spent``. An NGO whose
    reserves are then below 0 exits as insolvent.
    """
    batch = city.batch
    ngos, cs = batch.ngos, batch.contracts
    m = rules["match_funding"]
    prices = column(cs, "price")
    for c, paid in zip(cs, (prices * (1.0 - m)).tolist(), strict=True):
        c.slot.purchaser.spent += paid
    price = batch.per_ngo(prices)
    gov = price * (1.0 - m)
    factor = np.fromiter((OTHER_INCOME_FACTOR[n.origin] for n in ngos), float, batch.size)
    other = (
        rules["other_income"] * factor * batch.rng.lognormal(*OTHER_INCOME_LOGNORMAL, batch.size)
    )
    activities = rules["activity_share"] * price
    overheads = np.full(batch.size, float(rules["overhead"]))
    wage_bill = batch.staff * rules["wage"]
    reserves = column(ngos, "reserves")
    available = reserves + gov + other - activities - overheads
    pay_level = np.where(
        wage_bill > 0,
        np.clip(
            np.divide(available, wage_bill, out=np.ones(batch.size), where=wage_bill > 0),
            MIN_PAY_LEVEL,
            1.0,
        ),
        1.0,
    )
    wages = wage_bill * pay_level
    # An NGO whose pay cut balances its books ends at zero: the rounding of sums of
    # millions of yuan (of order 1e-11) must not make it insolvent.
    balanced = (wage_bill > 0) & (available >= MIN_PAY_LEVEL * wage_bill - SHORTFALL_TOLERANCE)
    reserves = np.where(balanced, np.maximum(available - wages, 0.0), available - wages)
    revenue = gov + other
    dependence = np.divide(gov, revenue, out=np.zeros(batch.size), where=revenue > 0)
    # Plain attribute stores in one loop: a loop of setattr() calls per attribute costs more.
    for ngo, r, pay, g, o, d in zip(
        ngos,
        reserves.tolist(),
        pay_level.tolist(),
        gov.tolist(),
        other.tolist(),
        dependence.tolist(),
        strict=True,
    ):
        ngo.reserves = r
        ngo.pay_level = pay
        ngo.revenue_gov = g
        ngo.revenue_other = o
        ngo.dependence = d
    record.gov_payments += float(gov.sum())
    record.other_income += float(other.sum())
    record.activities += float(activities.sum())
    record.overheads += float(overheads.sum())
    record.wages += float(wages.sum())
    for ngo, r in zip(ngos, reserves.tolist(), strict=True):
        if not r >= 0.0:
            record.add_exit(r)
            ngo.exit("insolvent")
