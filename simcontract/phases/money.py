"""Money: payments, match funding, wages, overheads, other income, reserves, insolvency.

For each active NGO and year::

    reserves += government payments + co-funders' grants + other income
                - activities paid in cash - overheads - wages

Government payments are ``price * (1 - match_funding)`` per contract; the NGO runs the
whole service, so it brings the match, ``match_funding * price``, itself (the 2012
national fund asked CSOs for "half the amount in matched funding", which "created an
obstacle for smaller social organizations unlikely to be able to mobilize sufficient
internal resources", Yang, Huang & Fulda 2016). The match comes from three sources
(:func:`match_sources`): volunteers' time and donated goods and venues, which replace
activity spending; co-funders (foundations, companies), who back established NGOs; and
the NGO's own money (:func:`cash_match`). An NGO without contracts pays only
``lean_overhead`` of its overhead. Wages are cut (down to ``min_pay_level`` of the
market wage) before reserves would go negative; an NGO whose pay cut balances its books
ends the year with reserves of exactly 0, and one whose reserves still fall below zero
(by more than ``SHORTFALL_TOLERANCE``) is insolvent and exits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from simcontract.agents import exit_ngos
from simcontract.params import ORIGINS
from simcontract.phases.entry import mean_one_lognormal

if TYPE_CHECKING:
    from collections.abc import Mapping

    from simcontract.agents import NGO, City
    from simcontract.outcomes import YearRecord
    from simcontract.scenario import Rules

SHORTFALL_TOLERANCE = 0.01
"""A shortfall (CNY) below which an NGO paying the lowest wage still balances its books."""


def other_income_factors(rules: Mapping[str, Any]) -> dict[str, float]:
    """Mean other income of each NGO origin relative to ``other_income`` (a general
    agency's)."""
    return {
        "general": 1.0,
        "specialist": rules["other_income_specialist"],
        "community": rules["other_income_community"],
        "grassroots": rules["other_income_grassroots"],
    }


def expected_other_income(ngo: NGO, rules: Mapping[str, Any]) -> float:
    """The non-government income an NGO counts on: last year's, or before its first year
    the mean for its origin (``other_income`` times its origin's factor)."""
    if ngo.revenue_other > 0:
        return ngo.revenue_other
    return rules["other_income"] * other_income_factors(rules)[ngo.origin]


def match_sources(
    track_record: np.ndarray | float,
    network: np.ndarray | float,
    price: np.ndarray | float,
    rules: Rules,
) -> tuple[np.ndarray | float, np.ndarray | float]:
    """In-kind and co-funders' parts of the yearly match of a contract at ``price``.

    In kind (volunteers' time, donated goods and venues): up to ``inkind_match * price``
    and never more than the activity spending it replaces. Co-funders (foundations,
    companies): up to ``cofunder_match * standing * network * price`` of what is left,
    where ``standing`` is ``min(1, track_record / proven_track_record)`` (co-funders back
    NGOs with a record) and ``network`` the NGO's other income over ``other_income`` (an
    NGO with donors and foundations behind it raises more).
    """
    match = rules["match_funding"] * price
    inkind = np.minimum(match, np.minimum(rules["inkind_match"], rules["activity_share"]) * price)
    proven = rules["proven_track_record"]
    standing = np.minimum(1.0, np.asarray(track_record, dtype=float) / proven)
    grant = np.minimum(match - inkind, rules["cofunder_match"] * standing * network * price)
    return inkind, grant


def expected_other_incomes(
    revenue_other: np.ndarray, origin: np.ndarray, rules: Mapping[str, Any]
) -> np.ndarray:
    """:func:`expected_other_income` of NGOs with other income ``revenue_other`` last
    year and origins ``origin`` (indices into ``ORIGINS``)."""
    mean = rules["other_income"]
    by_origin = {k: mean * f for k, f in other_income_factors(rules).items()}
    mean_of_origin = np.array([by_origin[o] for o in ORIGINS])[origin]
    return np.where(revenue_other > 0, revenue_other, mean_of_origin)


def funding_network(ngo: NGO, rules: Mapping[str, Any]) -> float:
    """The NGO's other income relative to the mean (0 when the mean is 0)."""
    mean = rules["other_income"]
    return expected_other_income(ngo, rules) / mean if mean > 0 else 0.0


def funding_networks(
    revenue_other: np.ndarray, origin: np.ndarray, rules: Mapping[str, Any]
) -> np.ndarray:
    """:func:`funding_network` of NGOs with other income ``revenue_other`` last year and
    origins ``origin``."""
    mean = rules["other_income"]
    if mean > 0:
        return expected_other_incomes(revenue_other, origin, rules) / mean
    return np.zeros(len(revenue_other))


def cash_match(ngo: NGO, price: float, rules: Rules) -> float:
    """The part of a contract's yearly match the NGO pays from its own money."""
    if rules["match_funding"] <= 0.0:
        return 0.0
    return float(cash_matches(ngo.track_record, funding_network(ngo, rules), price, rules))


def cash_matches(
    track_record: np.ndarray | float,
    network: np.ndarray | float,
    price: np.ndarray | float,
    rules: Rules,
) -> np.ndarray | float:
    """:func:`cash_match` of many contracts at once, from the track record and funding
    network (:func:`funding_network`) of each one's NGO."""
    inkind, grant = match_sources(track_record, network, price, rules)
    return rules["match_funding"] * price - inkind - grant


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
    prices = batch.term("price")
    for c, paid in zip(cs, (prices * (1.0 - m)).tolist(), strict=True):
        c.slot.purchaser.spent += paid
    price = batch.per_ngo(prices)
    gov = price * (1.0 - m)
    if m > 0:
        track = batch.get("track_record")[batch.owner]
        network = funding_networks(batch.get("revenue_other"), batch.get("origin_code"), rules)
        inkind, grant = match_sources(track, network[batch.owner], prices, rules)
    else:
        inkind = grant = 0.0 * prices
    inkind, grant = batch.per_ngo(inkind), batch.per_ngo(grant)
    factors = other_income_factors(rules)
    factor = np.array([factors[o] for o in ORIGINS])[batch.get("origin_code")]
    draws = mean_one_lognormal(batch.rng, rules["other_income_spread"], batch.size)
    other = rules["other_income"] * factor * draws
    # In kind never exceeds a contract's activity spending, but the two are summed over
    # an NGO's contracts apart, so their difference can round below 0 (by ~1e-10).
    activities = np.maximum(0.0, rules["activity_share"] * price - inkind)
    lean = np.where(batch.held() > 0, 1.0, rules["lean_overhead"])
    overheads = lean * float(rules["overhead"])
    wage_bill = batch.staff * rules["wage"]
    reserves = batch.get("reserves")
    available = reserves + gov + grant + other - activities - overheads
    lowest = rules["min_pay_level"]
    pay_level = np.where(
        wage_bill > 0,
        np.clip(
            np.divide(available, wage_bill, out=np.ones(batch.size), where=wage_bill > 0),
            lowest,
            1.0,
        ),
        1.0,
    )
    wages = wage_bill * pay_level
    # An NGO whose pay cut balances its books ends at zero: the rounding of sums of
    # millions of yuan (of order 1e-11) must not make it insolvent.
    balanced = (wage_bill > 0) & (available >= lowest * wage_bill - SHORTFALL_TOLERANCE)
    reserves = np.where(balanced, np.maximum(available - wages, 0.0), available - wages)
    revenue = gov + grant + other
    dependence = np.divide(gov, revenue, out=np.zeros(batch.size), where=revenue > 0)
    batch.put("reserves", reserves)
    batch.put("pay_level", pay_level)
    batch.put("revenue_gov", gov)
    batch.put("revenue_other", other)
    batch.put("dependence", dependence)
    record.gov_payments += float(gov.sum())
    record.other_income += float(other.sum())
    record.cofunding += float(grant.sum())
    record.activities += float(activities.sum())
    record.overheads += float(overheads.sum())
    record.wages += float(wages.sum())
    insolvent = np.flatnonzero(~(reserves >= 0.0)).tolist()
    for i in insolvent:
        record.add_exit(float(reserves[i]))
    record.layoffs += exit_ngos([ngos[i] for i in insolvent], "insolvent")
