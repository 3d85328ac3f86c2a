"""Service delivery: where social workers' hours go, and the real quality of service.

Each year an NGO's staff capacity ``H = staff * hours_per_worker`` is split between
documentation for evaluators and unpaid extra duties ordered by officials (if the NGO
complies) first (both cut in proportion if together they exceed ``H``), then contracted
direct service (up to the promised hours), then the NGO's own mission work (whatever
is left). The four parts always add up to ``H``. Delivery runs over a city's active NGOs
at once (``city.batch``, see :mod:`simcontract.batch`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from simcontract.batch import YearBatch, column

if TYPE_CHECKING:
    from simcontract.agents import City
    from simcontract.outcomes import YearRecord
    from simcontract.scenario import Rules

MULTI_SYSTEM_OVERHEAD = 0.5
"""Extra documentation per additional evaluation system an NGO faces, at full
evaluator heterogeneity (as a share of one system's needs)."""

BASE_COMPLIANCE = 0.4
"""Chance that an NGO without government revenue accepts ordered extra duties."""

DEPENDENT_COMPLIANCE = 0.6
"""Added chance of accepting extra duties per unit of dependence on government money."""

NOVICE_QUALITY = 0.55
"""Quality of a service run by staff without experience, as a share of the NGO's skill."""

EXPERIENCE_GAIN = 0.45
"""Gain in quality from experienced staff, as a share of skill (with ``NOVICE_QUALITY``
it reaches the full skill)."""

EXPERIENCE_SCALE = 3.0
"""Years of staff experience over which the experience gain in quality builds up (e-fold)."""

DELIVERY_ELASTICITY = 0.8
"""Exponent of the share of required hours delivered in real quality."""

NEW_PROVIDER_QUALITY = 0.7
"""Quality of a provider's first year at a slot, relative to a long-standing provider."""

CONTINUITY_GAIN = 0.3
"""Gain in quality from years with the same provider (with ``NEW_PROVIDER_QUALITY`` it
reaches 1)."""

CONTINUITY_SCALE = 2.0
"""Years at a slot over which a provider's continuity gain builds up (e-fold)."""

STRAIN_COST = 0.15
"""Largest loss of quality from overstretched staff (at demands of twice the capacity)."""


def comply_probability(dependence: np.ndarray) -> np.ndarray:
    """Chance an NGO accepts ordered extra duties: dependent NGOs cannot afford to refuse.

    ``BASE_COMPLIANCE + DEPENDENT_COMPLIANCE * dependence`` with ``dependence`` the
    government share of last year's revenue.
    """
    return BASE_COMPLIANCE + DEPENDENT_COMPLIANCE * dependence


def documentation_needs(batch: YearBatch, rules: dict[str, Any]) -> np.ndarray:
    """Documentation hours each contract needs this year.

    One contract under evaluator ``e`` (that of its purchaser's district) needs
    ``required * documentation_base * e.doc_intensity``; an NGO facing ``k`` different
    evaluation systems needs ``1 + MULTI_SYSTEM_OVERHEAD * heterogeneity * (k - 1)``
    times that, because each system asks for its own indicators and formats.
    """
    city = batch.city
    cs = batch.contracts
    which = batch.evaluator()
    # Each distinct (NGO, evaluator) pair is one evaluation system the NGO faces.
    faced = np.zeros((batch.size, max(1, len(city.evaluators))), dtype=bool)
    faced[batch.owner, which] = True
    systems = faced.sum(axis=1)
    factor = 1.0 + MULTI_SYSTEM_OVERHEAD * rules["evaluator_heterogeneity"] * (systems - 1)
    intensity = column(city.evaluators, "doc_intensity")[which]
    base = rules["documentation_base"]
    return column(cs, "required_hours") * base * intensity * factor[batch.owner]


def deliver_services(city: City, rules: Rules, record: YearRecord) -> None:
    """Allocate every NGO's hours for the year and set each contract's real quality.

    Officials order unpaid extra duties of ``extra_duty_demand`` times each contract's
    staff hours; an NGO accepts them with :func:`comply_probability`. Sets ``ngo.hours``,
    ``ngo.strain``, ``batch.doc_needs`` and, on each contract, the hours delivered, spent
    on documentation and on extra duties, whether duties were refused, and ``quality``
    (:func:`real_quality`).
    """
    batch = city.batch
    cs, own = batch.contracts, batch.owner
    docs = documentation_needs(batch, rules)
    demand = rules["extra_duty_demand"] * column(cs, "staff") * rules["hours_per_worker"]
    if rules["extra_duty_demand"] > 0:
        comply = comply_probability(column(batch.ngos, "dependence"))
        refused = batch.rng.random(len(cs)) >= comply[own]
    else:
        refused = np.zeros(len(cs), dtype=bool)
    extra = np.where(refused, 0.0, demand)
    record.duty_orders += int((demand > 0).sum())
    record.duty_refusals += int(refused.sum())
    promised = column(cs, "promised_hours")
    d_total, e_total, s_total = batch.per_ngo(docs), batch.per_ngo(extra), batch.per_ngo(promised)
    service, d_used, e_used, strain = _allocate_hours(
        batch, rules, d_total, e_total, s_total, record
    )
    batch.doc_needs = docs
    if not cs:
        return
    d_share = np.divide(d_used, d_total, out=np.zeros(batch.size), where=d_total > 0)
    e_share = np.divide(e_used, e_total, out=np.zeros(batch.size), where=e_total > 0)
    delivered = np.divide(
        service[own] * promised, s_total[own], out=np.zeros(len(cs)), where=s_total[own] > 0
    )
    required = column(cs, "required_hours")
    quality = real_quality(batch, delivered, required, strain)
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


def _allocate_hours(
    batch: YearBatch,
    rules: Rules,
    d_total: np.ndarray,
    e_total: np.ndarray,
    s_total: np.ndarray,
    record: YearRecord,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split each NGO's staff hours between documentation, extra duties, contracted
    service and mission; set ``ngo.hours`` and ``ngo.strain``.

    Args:
        batch: The year's NGOs and contracts.
        rules: The year's rules.
        d_total, e_total, s_total: Each NGO's documentation needs, accepted extra duties
            and promised service hours, summed over its contracts.
        record: The year's record.

    Returns:
        Per NGO: service hours, documentation and extra-duty hours worked, and strain
        (hours demanded over capacity).
    """
    capacity = batch.staff * rules["hours_per_worker"]
    chores = d_total + e_total
    strain = np.divide(chores + s_total, capacity, out=np.zeros(batch.size), where=capacity > 0)
    swamped = chores >= capacity
    shrink = np.divide(capacity, chores, out=np.zeros(batch.size), where=swamped & (chores > 0))
    d_used = np.where(swamped, d_total * shrink, d_total)
    e_used = np.where(swamped, e_total * shrink, e_total)
    service = np.where(swamped, 0.0, np.minimum(s_total, capacity - chores))
    mission = np.maximum(0.0, capacity - d_used - e_used - service)
    hours = zip(
        batch.ngos,
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
    return service, d_used, e_used, strain


def real_quality(
    batch: YearBatch, delivered: np.ndarray, required: np.ndarray, strain: np.ndarray
) -> np.ndarray:
    """The real (hidden) quality of each contract's service this year.

    ::

        q = skill * (NOVICE_QUALITY + EXPERIENCE_GAIN * (1 - exp(-mean_experience
                                                                 / EXPERIENCE_SCALE)))
              * min(1, delivered / required) ** DELIVERY_ELASTICITY
              * (NEW_PROVIDER_QUALITY + CONTINUITY_GAIN
                 * (1 - exp(-years_same_provider / CONTINUITY_SCALE)))
              * (1 - STRAIN_COST * min(1, max(0, strain - 1)))

    where ``mean_experience`` is that of the NGO's staff and ``strain`` the hours
    demanded of it (documents, duties, promised service) over its capacity. Each
    contract's slot counts one more year with the same provider.
    """
    ngos, own = batch.ngos, batch.owner
    experience, worker_ngo = batch.workers()
    mean_experience = np.bincount(worker_ngo, weights=experience, minlength=batch.size) / (
        np.maximum(batch.staff, 1)
    )
    exp_factor = np.where(batch.staff > 0, 1.0 - np.exp(-mean_experience / EXPERIENCE_SCALE), 0.0)
    base = column(ngos, "skill") * (NOVICE_QUALITY + EXPERIENCE_GAIN * exp_factor)
    strain_cost = 1.0 - STRAIN_COST * np.clip(strain - 1.0, 0.0, 1.0)
    same = []
    for c in batch.contracts:
        slot = c.slot
        slot.years_same_provider += 1
        slot.last_provider = c.ngo
        same.append(slot.years_same_provider)
    gain = 1.0 - np.exp(-np.array(same, dtype=float) / CONTINUITY_SCALE)
    continuity = NEW_PROVIDER_QUALITY + CONTINUITY_GAIN * gain
    delivery = np.minimum(1.0, delivered / required) ** DELIVERY_ELASTICITY
    return base[own] * delivery * continuity * strain_cost[own]
