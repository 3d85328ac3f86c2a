"""The year closes: contracts that ended are closed, NGOs may decide to close, ties fade,
evaluation agencies may change, and the city's stocks are counted."""

from __future__ import annotations

from itertools import compress
from typing import TYPE_CHECKING

import numpy as np

from simcontract.agents import exit_ngos
from simcontract.params import ORIGINS
from simcontract.phases.evaluation import replace_agencies

if TYPE_CHECKING:
    from simcontract.agents import City
    from simcontract.batch import YearBatch
    from simcontract.outcomes import YearRecord
    from simcontract.scenario import Rules


GENERAL = ORIGINS.index("general")
"""Origin code of the general social-work agencies."""

ENTRANT_AGE = 3
"""Year ends an entrant has lived through when ``entrant_survival_3y`` judges it: the
end of the year it registered and the two after (one term of a three-year contract)."""


def close_year(city: City, rules: Rules, record: YearRecord) -> None:
    """Close the city's year.

    For each NGO still active, in list order, its contracts that reached their end or
    were terminated close; one left without contracts whose reserves are below
    ``closure_reserves`` years of its running costs (lean overhead and its head's wage)
    decides to close. Then the ties of every purchaser's official decay by
    ``tie_decay``, evaluation agencies whose engagement ends give way to new ones
    (:func:`~simcontract.phases.evaluation.replace_agencies`), the lookups of active
    NGOs are rebuilt, the year's NGOs and contracts (``city.batch``) are dropped and the
    city's stocks are counted.
    """
    batch = city.batch
    ngos = batch.ngos
    alive = city.alive(ngos)
    ending = close_contracts(batch, alive, rules.year)
    costs = rules["lean_overhead"] * rules["overhead"] + rules["wage"]
    floor = rules["closure_reserves"] * costs
    # An NGO's contracts do not share slots with another's, so closing every NGO's
    # contracts before any NGO closes changes nothing; closures stay in list order.
    left = batch.held() - ending
    closes = alive & (left == 0) & (batch.get("reserves") < floor)
    closing = [ngos[i] for i in np.flatnonzero(closes).tolist()]
    for ngo in closing:
        record.add_exit(ngo.reserves)
    record.closures += len(closing)
    record.layoffs += exit_ngos(closing, "closed")
    for pu in city.purchasers:
        if pu.cadre is not None:
            pu.cadre.decay_ties(rules["tie_decay"])
    replace_agencies(city, rules, record)
    city.index_ngos()
    city.batch = None
    _count_stocks(city, rules, record)


def close_contracts(batch: YearBatch, alive: np.ndarray, year: int) -> np.ndarray:
    """Close the contracts of the ``alive`` NGOs of ``batch`` that end in ``year`` or
    were terminated; their slots fall empty and remember the NGO as their last
    provider.

    Returns:
        The contracts each NGO of the batch closed (0 for an NGO no longer alive, whose
        contracts closed when it exited).
    """
    closing = batch.ending(year) & alive[batch.owner]
    terminated = batch.contract_values("terminated")[closing].tolist()
    for c, early in zip(compress(batch.contracts, closing), terminated, strict=True):
        slot = c.slot
        slot.contract = None
        slot.last_provider = c.ngo
        slot.last_terminated = early
    closed = batch.per_ngo(closing)
    for i in np.flatnonzero(closed).tolist():
        ngo = batch.ngos[i]
        # A contract still running fills its slot; a closed one no longer does.
        ngo.contracts = [c for c in ngo.contracts if c.slot.contract is c]
    return closed


def _count_stocks(city: City, rules: Rules, record: YearRecord) -> None:
    """Count the city's active NGOs, survivors, NGOs that never held a contract,
    reserves and dependence at year end.

    An NGO has held a contract when its track record is above 0: every contract-year it
    delivers is evaluated before the year ends, and an initial NGO's record counts the
    contracts it held before the run.
    """
    ngos = city.ngos
    record.active_ngos += len(ngos)
    record.active_agencies += int((city.ngo_values("origin_code") == GENERAL).sum())
    record.initial_total += city.initial_ngos
    entered = city.ngo_values("entry_year")
    record.initial_alive += int((entered == 0).sum())
    record.entrants_total += city.registered
    record.entrants_alive += int((entered > 0).sum())
    cohort = rules.year - ENTRANT_AGE + 1
    if cohort >= 1:
        record.cohort_registered += city.registered_in.get(cohort, 0)
        record.cohort_alive += int((entered == cohort).sum())
    record.never_contracted += int((city.ngo_values("track_record") == 0).sum())
    record.reserves_end += float(city.ngo_values("reserves").sum())
    revenue = city.ngo_values("revenue_gov") + city.ngo_values("revenue_other")
    dependence = city.ngo_values("dependence")[revenue > 0]
    record.dependence_sum += float(dependence.sum())
    record.dependence_ngos += len(dependence)
    record.dependence_high += int((dependence >= rules["dependence_threshold"]).sum())
