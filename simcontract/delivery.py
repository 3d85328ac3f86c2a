"""Service delivery: where social workers' hours go, and the real quality of service.

Each year an NGO's staff capacity ``H = staff * hours_per_worker`` is split between
documentation for evaluators and unpaid extra duties ordered by officials (if the NGO
complies) first (both cut in proportion if together they exceed ``H``), then contracted
direct service (up to the promised hours), then the NGO's own mission work (whatever
is left). The four parts always add up to ``H``. Delivery runs over a city's active NGOs
at once (see :mod:`simcontract.batch`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from simcontract.batch import YearBatch, column

if TYPE_CHECKING:
    from simcontract.outcomes import YearRecord

MULTI_SYSTEM_OVERHEAD = 0.5
"""Extra documentation per additional evaluation system an NGO faces, at full
evaluator heterogeneity (as a share of one system's needs)."""


def comply_probability(dependence: np.ndarray) -> np.ndarray:
    """Chance an NGO accepts ordered extra duties: dependent NGOs cannot afford to refuse.

    ``0.4 + 0.6 * dependence`` with ``dependence`` the government share of last year's
    revenue.
    """
    return 0.4 + 0.6 * dependence


def documentation_needs(batch: YearBatch, p: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Documentation hours each contract needs this year, and each contract's evaluator.

    One contract under evaluator ``e`` needs ``required * documentation_base *
    e.doc_intensity``; an NGO facing ``k`` different evaluation systems needs
    ``1 + MULTI_SYSTEM_OVERHEAD * heterogeneity * (k - 1)`` times that, because each
    system asks for its own indicators and formats.

    Returns:
        The hours, and each contract's evaluator as an index into ``city.evaluators``
        (the evaluator of its purchaser's district).
    """
    city = batch.city
    number = {id(e): i for i, e in enumerate(city.evaluators)}
    by_district = [number[id(e)] for e in city.district_evaluator]
    cs = batch.contracts
    which = np.fromiter((by_district[c.slot.purchaser.district] for c in cs), np.intp, len(cs))
    # Each distinct (NGO, evaluator) pair is one evaluation system the NGO faces.
    faced = np.zeros((batch.size, max(1, len(number))), dtype=bool)
    faced[batch.owner, which] = True
    systems = faced.sum(axis=1)
    factor = 1.0 + MULTI_SYSTEM_OVERHEAD * p["evaluator_heterogeneity"] * (systems - 1)
    intensity = column(city.evaluators, "doc_intensity")[which]
    needs = column(cs, "required_hours") * p["documentation_base"] * intensity * factor[batch.owner]
    return needs, which


def deliver(batch: YearBatch, p: dict[str, Any], record: YearRecord) -> np.ndarray:
    """Allocate every NGO's hours for the year and set each contract's real quality.

    Sets ``ngo.hours``, ``ngo.strain`` and, on each contract, the hours delivered, spent
    on documentation and on extra duties, whether duties were refused, and ``quality``.
    Sets ``batch.doc_needs`` and returns each contract's evaluator (an index into the
    city's evaluators).

    Quality of contract ``c`` (hidden from purchasers)::

        q = skill * (0.55 + 0.45 * (1 - exp(-mean_experience / 3)))
              * min(1, delivered / required) ** 0.8
              * (0.7 + 0.3 * (1 - exp(-years_same_provider / 2)))
              * (1 - 0.15 * min(1, max(0, strain - 1)))

    where ``strain`` is the hours demanded (documents, duties, promised service) over
    capacity.
    """
    ngos, cs, own = batch.ngos, batch.contracts, batch.owner
    capacity = batch.staff * p["hours_per_worker"]
    docs, evaluators = documentation_needs(batch, p)
    demand = p["extra_duty_demand"] * column(cs, "staff") * p["hours_per_worker"]
    if p["extra_duty_demand"] > 0:
        comply = comply_probability(column(ngos, "dependence"))
        refused = batch.rng.random(len(cs)) >= comply[own]
    else:
        refused = np.zeros(len(cs), dtype=bool)
    extra = np.where(refused, 0.0, demand)
    record.duty_orders += int((demand > 0).sum())
    record.duty_refusals += int(refused.sum())
    promised = column(cs, "promised_hours")
    required = column(cs, "required_hours")
    d_total, e_total, s_total = batch.per_ngo(docs), batch.per_ngo(extra), batch.per_ngo(promised)
    chores = d_total + e_total
    strain = np.divide(chores + s_total, capacity, out=np.zeros(batch.size), where=capacity > 0)
    swamped = chores >= capacity
    shrink = np.divide(capacity, chores, out=np.zeros(batch.size), where=swamped & (chores > 0))
    d_used = np.where(swamped, d_total * shrink, d_total)
    e_used = np.where(swamped, e_total * shrink, e_total)
    service = np.where(swamped, 0.0, np.minimum(s_total, capacity - chores))
    mission = np.maximum(0.0, capacity - d_used - e_used - service)
    hours = zip(
        ngos,
        service.tolist(),
        d_used.tolist(),
        e_used.tolist(),
        mission.tolist(),
        strain.tolist(),
        strict=True,
    )
    for ngo, s, d, e, m, st in hours:
        ngo.hours = {"service": s, "documentation": d, "extra": e, "mission": m}
        ngo.strain = st
    record.hours_service += float(service.sum())
    record.hours_documentation += float(d_used.sum())
    record.hours_extra += float(e_used.sum())
    record.hours_mission += float(mission.sum())
    batch.doc_needs = docs
    if not cs:
        return evaluators

    experience, worker_ngo = batch.workers()
    mean_experience = np.bincount(worker_ngo, weights=experience, minlength=batch.size) / (
        np.maximum(batch.staff, 1)
    )
    exp_factor = np.where(batch.staff > 0, 1.0 - np.exp(-mean_experience / 3.0), 0.0)
    base = column(ngos, "skill") * (0.55 + 0.45 * exp_factor)
    strain_cost = 1.0 - 0.15 * np.clip(strain - 1.0, 0.0, 1.0)
    d_share = np.divide(d_used, d_total, out=np.zeros(batch.size), where=d_total > 0)
    e_share = np.divide(e_used, e_total, out=np.zeros(batch.size), where=e_total > 0)
    same = []
    for c in cs:
        slot = c.slot
        slot.years_same_provider += 1
        slot.last_provider = c.ngo
        same.append(slot.years_same_provider)
    delivered = np.divide(
        service[own] * promised, s_total[own], out=np.zeros(len(cs)), where=s_total[own] > 0
    )
    continuity = 0.7 + 0.3 * (1.0 - np.exp(-np.array(same, dtype=float) / 2.0))
    quality = (
        base[own] * np.minimum(1.0, delivered / required) ** 0.8 * continuity * strain_cost[own]
    )
    # Plain attribute stores in one loop: contracts are many, and a loop of setattr()
    # calls per attribute costs about twice as much.
    for c, dh, doc, ex, ref, q in zip(
        cs,
        delivered.tolist(),
        (docs * d_share[own]).tolist(),
        (extra * e_share[own]).tolist(),
        refused.tolist(),
        quality.tolist(),
        strict=True,
    ):
        c.delivered_hours = dh
        c.documentation_hours = doc
        c.extra_hours = ex
        c.refused_duties = ref
        c.quality = q
    record.promised_hours += float(promised.sum())
    record.required_hours += float(required.sum())
    record.delivered_hours += float(delivered.sum())
    return evaluators
