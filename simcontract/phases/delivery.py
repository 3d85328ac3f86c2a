"""Service delivery: where social workers' hours go, and the real quality of service.

Each year an NGO's staff capacity ``H = staff * hours_per_worker`` is split between
documentation for evaluators, unpaid extra duties ordered by officials (if the NGO
complies) and its head's hours courting an official first (all three cut in proportion
if together they exceed ``H``), then contracted direct service (up to the promised
hours), then the NGO's own hours (whatever is left), which it splits between advocacy
(its planned ``advocacy`` share) and its own mission work. The six parts always add up to
``H``. Officials also choose the users of part of the contracted service: "it was
government officials instead of social workers who had a final say on who should be the
main service users for IFSCs ... as SWAs have to rely on welfare contracts to survive"
(Guangzhou IFSC study n.d.). Delivery runs over a city's active NGOs at once (``city.batch``, see
:mod:`simcontract.batch`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from simcontract.batch import YearBatch, column
from simcontract.ngostate import HOURS
from simcontract.phases.evaluation import unfamiliarity
from simcontract.phases.tendering import award_weights

if TYPE_CHECKING:
    from collections.abc import Mapping

    from simcontract.agents import City, Contract
    from simcontract.outcomes import YearRecord
    from simcontract.scenario import Rules


def comply_probability(dependence: np.ndarray, rules: Mapping[str, Any]) -> np.ndarray:
    """Chance an NGO accepts ordered extra duties, weighing what a refusal puts at stake.

    NGOs "found it difficult to turn down extra work requested by government officials,
    for fear of receiving negative comments on their annual service assessments as well
    as damaging their future service bids" (Guangzhou IFSC study n.d.). A refusal costs
    the award total of the NGO's next bid
    ``refusal_cost = (1 - favouritism) * wr * (1 - reputation_memory) *
    refusal_penalty + favouritism * refusal_tie_cut``: the assessment's penalty lowers
    its reputation, weighted ``wr`` in merit (:func:`~simcontract.phases.tendering.award_weights`),
    and the official's tie falls (:func:`~simcontract.phases.evaluation.evaluate_contracts`).
    With ``stake = refusal_cost * contract_years * dependence``, as for advocacy
    (:func:`~simcontract.phases.strategy.advocacy_effort`),

    ``comply = 1 - (1 - base_compliance) * exp(-refusal_caution * stake)``

    with ``dependence`` the government share of last year's revenue. When refusing costs
    nothing, every NGO complies with ``base_compliance``, whatever its dependence.
    """
    _, wr, _ = award_weights(rules)
    f = rules["favouritism"]
    cost = (1.0 - f) * wr * (1.0 - rules["reputation_memory"]) * rules["refusal_penalty"]
    cost += f * rules["refusal_tie_cut"]
    stake = cost * rules["contract_years"] * dependence
    base = rules["base_compliance"]
    return 1.0 - (1.0 - base) * np.exp(-rules["refusal_caution"] * stake)


def documentation_needs(batch: YearBatch, rules: Mapping[str, Any]) -> np.ndarray:
    """Documentation hours each contract needs this year.

    One contract under evaluator ``e`` (that of its purchaser's district) needs
    ``required * documentation_base * e.doc_intensity`` times

    ``1 + h * (multi_system_overhead * (k - 1) + indicator_learning_cost * u)
    + workload_record_keeping * e.workload_pressure``

    with ``h = evaluator_heterogeneity``. An NGO facing ``k`` different evaluation
    systems meets each one's own indicators and formats; a system still new to it
    (``u``, :func:`~simcontract.phases.evaluation.unfamiliarity`) must first be learned;
    and where counted hours weigh more than impact, "social workers had to keep detailed
    records" of them (Guangzhou IFSC study n.d.).
    """
    city = batch.city
    which = batch.evaluator()
    # Each distinct (NGO, evaluator) pair is one evaluation system the NGO faces.
    faced = np.zeros((batch.size, max(1, len(city.evaluators))), dtype=bool)
    faced[batch.owner, which] = True
    systems = faced.sum(axis=1)
    overhead = rules["multi_system_overhead"]
    h = rules["evaluator_heterogeneity"]
    factor = 1.0 + overhead * h * (systems - 1)
    learning = rules["indicator_learning_cost"] * h * unfamiliarity(batch, rules)
    pressure = column(city.evaluators, "workload_pressure")[which]
    records = rules["workload_record_keeping"] * pressure
    intensity = column(city.evaluators, "doc_intensity")[which]
    base = rules["documentation_base"]
    return (
        batch.term("required_hours") * base * intensity * (factor[batch.owner] + learning + records)
    )


def deliver_services(city: City, rules: Rules, record: YearRecord) -> None:
    """Allocate every NGO's hours for the year and set each contract's real quality.

    Officials order unpaid extra duties of ``extra_duty_demand`` times each contract's
    staff hours; an NGO accepts them with :func:`comply_probability`. Sets ``ngo.hours``,
    ``ngo.strain``, ``batch.doc_needs`` and, on each contract, the hours delivered, spent
    on documentation and on extra duties, whether duties were refused, and ``quality``
    (:func:`real_quality` times :func:`counted_service`).
    """
    batch = city.batch
    cs, own = batch.contracts, batch.owner
    docs = documentation_needs(batch, rules)
    demand = rules["extra_duty_demand"] * batch.contract_values("staff") * rules["hours_per_worker"]
    if rules["extra_duty_demand"] > 0:
        comply = comply_probability(batch.get("dependence"), rules)
        refused = batch.rng.random(len(cs)) >= comply[own]
    else:
        refused = np.zeros(len(cs), dtype=bool)
    done = docs
    if city.players is not None:
        refused, done = city.players.delivery(batch, refused, docs, rules)
    extra = np.where(refused, 0.0, demand)
    record.duty_orders += int((demand > 0).sum())
    record.duty_refusals += int(refused.sum())
    promised = batch.term("promised_hours")
    d_total, e_total, s_total = batch.per_ngo(done), batch.per_ngo(extra), batch.per_ngo(promised)
    service, d_used, e_used, strain = _allocate_hours(
        batch, rules, d_total, e_total, s_total, record
    )
    held = batch.held() > 0
    hours = batch.staff[held].sum() * rules["hours_per_worker"]
    burden = (d_used[held].sum() + e_used[held].sum()) / hours if hours else None
    city.last_burden = None if burden is None else float(burden)
    batch.doc_needs = docs
    if not cs:
        return
    d_share = np.divide(d_used, d_total, out=np.zeros(batch.size), where=d_total > 0)
    e_share = np.divide(e_used, e_total, out=np.zeros(batch.size), where=e_total > 0)
    delivered = np.divide(
        service[own] * promised, s_total[own], out=np.zeros(len(cs)), where=s_total[own] > 0
    )
    required = batch.term("required_hours")
    quality = real_quality(batch, delivered, required, strain, rules) * counted_service(
        batch, rules
    )
    batch.put_contracts("delivered_hours", delivered)
    batch.put_contracts("documentation_hours", done * d_share[own])
    batch.put_contracts("extra_hours", extra * e_share[own])
    batch.put_contracts("refused_duties", refused)
    batch.put_contracts("quality", quality)
    record.promised_hours += float(promised.sum())
    record.required_hours += float(required.sum())
    record.delivered_hours += float(delivered.sum())
    record.add_streets(batch.populations(), delivered, quality)


def counted_service(batch: YearBatch, rules: Mapping[str, Any]) -> np.ndarray:
    """The part of each contract's real quality left when staff chase counted outputs.

    ``1 - output_chasing * e.workload_pressure`` for the contract's evaluator ``e``:
    where indicators reward counted hours over impact, staff fill the hours with what
    counts rather than what users need. "Government officials and even some social
    workers have wrongly emphasised workload outputs rather than service impact";
    "the output figures are different from the qualitative nature of social work
    intervention" (Guangzhou IFSC study n.d.).
    """
    pressure = column(batch.city.evaluators, "workload_pressure")[batch.evaluator()]
    return 1.0 - rules["output_chasing"] * pressure


def _allocate_hours(
    batch: YearBatch,
    rules: Rules,
    d_total: np.ndarray,
    e_total: np.ndarray,
    s_total: np.ndarray,
    record: YearRecord,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split each NGO's staff hours between documentation, extra duties, cultivation,
    contracted service, advocacy and mission; set ``ngo.hours``, ``ngo.strain``,
    ``ngo.directed`` (:func:`directed_hours`) and ``ngo.voice`` (advocacy hours over
    the NGO's own hours).

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
    c_total = batch.get("cultivation")
    chores = d_total + e_total + c_total
    strain = np.divide(chores + s_total, capacity, out=np.zeros(batch.size), where=capacity > 0)
    swamped = chores >= capacity
    shrink = np.divide(capacity, chores, out=np.zeros(batch.size), where=swamped & (chores > 0))
    d_used = np.where(swamped, d_total * shrink, d_total)
    e_used = np.where(swamped, e_total * shrink, e_total)
    c_used = np.where(swamped, c_total * shrink, c_total)
    service = np.where(swamped, 0.0, np.minimum(s_total, capacity - chores))
    own = np.maximum(0.0, capacity - d_used - e_used - c_used - service)
    advocacy = batch.get("advocacy") * own
    mission = own - advocacy
    directed = directed_hours(batch, service, rules)
    voice = np.divide(advocacy, own, out=np.zeros(batch.size), where=own > 0)
    uses = zip(HOURS, (service, d_used, e_used, c_used, mission, advocacy), strict=True)
    for use, hours in uses:
        batch.put(f"hours_{use}", hours)
    batch.put("strain", strain)
    batch.put("directed", directed)
    batch.put("voice", voice)
    record.hours_advocacy += float(advocacy.sum())
    record.hours_directed += float(directed.sum())
    record.hours_service += float(service.sum())
    record.hours_documentation += float(d_used.sum())
    record.hours_extra += float(e_used.sum())
    record.hours_cultivation += float(c_used.sum())
    record.hours_mission += float(mission.sum())
    return service, d_used, e_used, strain


def directed_hours(batch: YearBatch, service: np.ndarray, rules: Mapping[str, Any]) -> np.ndarray:
    """Service hours of each NGO whose users officials chose.

    Officials want to choose the users of the share ``client_control`` of the service;
    the NGO yields as it yields to extra duties, with :func:`comply_probability`, for
    the same fear of what refusing puts at stake. Expected hours, so nothing is drawn.
    """
    if rules["client_control"] <= 0.0:
        return np.zeros(batch.size)
    comply = comply_probability(batch.get("dependence"), rules)
    return service * rules["client_control"] * comply


def real_quality(
    batch: YearBatch,
    delivered: np.ndarray,
    required: np.ndarray,
    strain: np.ndarray,
    rules: Mapping[str, Any],
) -> np.ndarray:
    """The real (hidden) quality of each contract's service this year.

    ::

        q = (skill + fit * (1 - skill))
              * (novice_quality + experience_gain * (1 - exp(-mean_experience
                                                             / experience_scale)))
              * min(1, delivered / required) ** delivery_elasticity
              * (new_provider_quality + continuity_gain
                 * (1 - exp(-years_same_provider / continuity_scale)))
              * (1 - strain_cost * min(1, max(0, strain - 1)))
              * reach ** coverage_elasticity

    where ``mean_experience`` is that of the NGO's staff, ``strain`` the hours demanded
    of it (documents, duties, courting, promised service) over its capacity, ``fit`` the
    provider's knowledge of what the service's users want (:func:`fit`) and ``reach``
    that of the centre's hours over its street's residents (:func:`reach`). Each
    contract's slot counts one more year with the same provider.
    """
    own = batch.owner
    experience, worker_ngo = batch.workers()
    mean_experience = np.bincount(worker_ngo, weights=experience, minlength=batch.size) / (
        np.maximum(batch.staff, 1)
    )
    scale = rules["experience_scale"]
    exp_factor = np.where(batch.staff > 0, 1.0 - np.exp(-mean_experience / scale), 0.0)
    skill = batch.get("skill")[own]
    skill = skill + fit(batch, rules) * (1.0 - skill)
    # Experienced staff reach the NGO's skill, not beyond it (the gain may be set higher).
    base = skill * np.minimum(
        1.0, rules["novice_quality"] + rules["experience_gain"] * exp_factor[own]
    )
    strain_cost = 1.0 - rules["strain_cost"] * np.clip(strain - 1.0, 0.0, 1.0)
    same = []
    for c in batch.contracts:
        slot = c.slot
        slot.years_same_provider += 1
        slot.last_provider = c.ngo
        same.append(slot.years_same_provider)
    gain = 1.0 - np.exp(-np.array(same, dtype=float) / rules["continuity_scale"])
    continuity = np.minimum(1.0, rules["new_provider_quality"] + rules["continuity_gain"] * gain)
    delivery = np.minimum(1.0, delivered / required) ** rules["delivery_elasticity"]
    spread = reach(batch, delivered, required, rules) ** rules["coverage_elasticity"]
    return base * delivery * continuity * strain_cost[own] * spread


FIT_KINDS = ("none", "local", "specialist")
"""Why a contract's provider knows what the service's users want (:func:`fit`), as kept
in the contract state's ``fit_kind``."""


def fit(batch: YearBatch, rules: Mapping[str, Any]) -> np.ndarray:
    """Share of the gap to full skill each contract's provider closes by knowing what
    the service's users want.

    ``local_knowledge`` for a community association serving its home district ("They
    are living in the community and know what the residents want (BJ20180824)");
    ``specialist_voice * partnership`` for a specialist serving a mass organisation of
    its sector, whose services it helps plan ("these NGOs, with their rich expertise
    and experiences, can provide technical support and professional advice to mass
    organisations in planning innovative initiatives ... (GZ20181210)"), both Mok & Wen 2023;
    0 otherwise. Which of the three applies never changes once a contract is signed, so
    it is found in a contract's first year and kept (:func:`fit_kind`).
    """
    kind = batch.contract_values("fit_kind")
    new = np.flatnonzero(kind < 0)
    if len(new):
        contracts = batch.contracts
        kind[new] = [fit_kind(contracts[i]) for i in new.tolist()]
        batch.state.contracts.fit_kind[batch.contract_rows[new]] = kind[new]
    voice = rules["specialist_voice"] * rules["partnership"]
    return np.array([0.0, rules["local_knowledge"], voice])[kind]


def fit_kind(contract: Contract) -> int:
    """Why ``contract``'s provider knows what the service's users want, as an index
    into :data:`FIT_KINDS` (:func:`fit`)."""
    ngo, purchaser = contract.ngo, contract.slot.purchaser
    if ngo.origin == "community" and ngo.district == purchaser.district:
        return FIT_KINDS.index("local")
    if (
        ngo.origin == "specialist"
        and purchaser.kind == "mass_org"
        and ngo.sector == purchaser.sector
    ):
        return FIT_KINDS.index("specialist")
    return FIT_KINDS.index("none")


def reach(
    batch: YearBatch, delivered: np.ndarray, required: np.ndarray, rules: Mapping[str, Any]
) -> np.ndarray:
    """How far each centre's hours reach its street's residents in full depth, in (0, 1].

    ``min(1, coverage_population / population * max(1, delivered / required))``: the
    required hours serve ``coverage_population`` residents in full depth, hours beyond
    the requirement serve more, and a centre funded at the flat rate but serving more
    residents spreads its hours thinner, since "The service coverage of an IFSC should
    include all residents in an area (SO 07)" (Guangzhou IFSC study n.d.). Hours short of the
    requirement count in the delivery factor instead. 1 for a slot without a population.
    """
    population = batch.populations()
    extra = np.maximum(
        1.0, np.divide(delivered, required, out=np.ones_like(delivered), where=required > 0)
    )
    served = rules["coverage_population"] * extra
    ratio = np.divide(served, population, out=np.ones_like(served), where=population > 0)
    return np.minimum(1.0, ratio)
