"""Service delivery: where social workers' hours go, and the real quality of service.

Each year an NGO's staff capacity ``H = staff * hours_per_worker`` is split between
documentation for evaluators and unpaid extra duties ordered by officials (if the NGO
complies) first (both cut in proportion if together they exceed ``H``), then contracted
direct service (up to the promised hours), then the NGO's own mission work (whatever
is left). The four parts always add up to ``H``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from simcontract.agents import NGO, City
    from simcontract.metrics import YearRecord
    from simcontract.model import ContractingModel

MULTI_SYSTEM_OVERHEAD = 0.5
"""Extra documentation per additional evaluation system an NGO faces, at full
evaluator heterogeneity (as a share of one system's needs)."""


def comply_probability(ngo: NGO) -> float:
    """Chance an NGO accepts ordered extra duties: dependent NGOs cannot afford to refuse.

    ``0.4 + 0.6 * dependence`` with ``dependence`` the government share of last year's
    revenue.
    """
    return 0.4 + 0.6 * ngo.dependence


def documentation_needs(city: City, ngo: NGO, p: dict[str, Any]) -> list[float]:
    """Documentation hours each of the NGO's contracts needs this year.

    One contract under evaluator ``e`` needs ``required * documentation_base *
    e.doc_intensity``; an NGO facing ``k`` different evaluation systems needs
    ``1 + MULTI_SYSTEM_OVERHEAD * heterogeneity * (k - 1)`` times that, because each
    system asks for its own indicators and formats.
    """
    evaluators = [city.district_evaluator[c.purchaser.district] for c in ngo.contracts]
    k = len({id(e) for e in evaluators})
    factor = 1.0 + MULTI_SYSTEM_OVERHEAD * p["evaluator_heterogeneity"] * (k - 1)
    return [
        c.required_hours * p["documentation_base"] * e.doc_intensity * factor
        for c, e in zip(ngo.contracts, evaluators, strict=True)
    ]


def deliver(
    model: ContractingModel, city: City, ngo: NGO, p: dict[str, Any], record: YearRecord
) -> list[float]:
    """Allocate the NGO's hours for the year and set each contract's real quality.

    Returns the documentation hours each contract needs (for the evaluators).

    Quality of contract ``c`` (hidden from purchasers)::

        q = skill * (0.55 + 0.45 * (1 - exp(-mean_experience / 3)))
              * min(1, delivered / required) ** 0.8
              * (0.7 + 0.3 * (1 - exp(-years_same_provider / 2)))
              * (1 - 0.15 * min(1, max(0, strain - 1)))

    where ``strain`` is the hours demanded (documents, duties, promised service) over
    capacity.
    """
    capacity = ngo.staff * p["hours_per_worker"]
    contracts = ngo.contracts
    if not contracts:
        ngo.hours = {
            "service": 0.0,
            "documentation": 0.0,
            "extra": 0.0,
            "mission": capacity,
        }
        ngo.strain = 0.0
        record.add_hours(ngo.hours)
        return []
    docs = documentation_needs(city, ngo, p)
    rng = model.rng
    comply = comply_probability(ngo)
    extra = []
    for c in contracts:
        demand = p["extra_duty_demand"] * c.staff * p["hours_per_worker"]
        c.refused_duties = demand > 0 and rng.random() >= comply
        extra.append(0.0 if c.refused_duties else demand)
        record.duty_orders += demand > 0
        record.duty_refusals += c.refused_duties
    promised = [c.promised_hours for c in contracts]
    d_total, e_total, s_total = sum(docs), sum(extra), sum(promised)
    ngo.strain = (d_total + e_total + s_total) / capacity if capacity > 0 else 0.0
    if d_total + e_total >= capacity:
        shrink = capacity / (d_total + e_total) if d_total + e_total > 0 else 0.0
        d_used, e_used, service = d_total * shrink, e_total * shrink, 0.0
    else:
        d_used, e_used = d_total, e_total
        service = min(s_total, capacity - d_total - e_total)
    mission = max(0.0, capacity - d_used - e_used - service)
    ngo.hours = {
        "service": service,
        "documentation": d_used,
        "extra": e_used,
        "mission": mission,
    }
    record.add_hours(ngo.hours)

    exp_factor = 1.0 - math.exp(-float(np.mean(ngo.experience)) / 3.0) if ngo.staff else 0
    base = ngo.skill * (0.55 + 0.45 * exp_factor)
    strain_cost = 1.0 - 0.15 * min(1.0, max(0.0, ngo.strain - 1.0))
    d_share = d_used / d_total if d_total > 0 else 0.0
    e_share = e_used / e_total if e_total > 0 else 0.0
    for c, doc, ex in zip(contracts, docs, extra, strict=True):
        slot = c.slot
        slot.years_same_provider += 1
        slot.last_provider = ngo
        c.delivered_hours = service * c.promised_hours / s_total if s_total > 0 else 0.0
        c.documentation_hours = doc * d_share
        c.extra_hours = ex * e_share
        continuity = 0.7 + 0.3 * (1.0 - math.exp(-slot.years_same_provider / 2.0))
        delivered = min(1.0, c.delivered_hours / c.required_hours) ** 0.8
        c.quality = base * delivered * continuity * strain_cost
        record.promised_hours += c.promised_hours
        record.required_hours += c.required_hours
        record.delivered_hours += c.delivered_hours
    return docs
