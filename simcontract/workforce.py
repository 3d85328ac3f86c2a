"""Social workers: hiring for contracts, and who leaves at the end of the year.

Each NGO keeps one core worker (its director) plus the staff its contracts need.
Leavers take their experience with them; hires start with none.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from simcontract.agents import NGO
    from simcontract.metrics import YearRecord
    from simcontract.model import ContractingModel

CORE_STAFF = 1
"""Workers an NGO keeps with no contract (its director)."""


def staff_contracts(ngo: NGO, p: dict[str, Any]) -> None:
    """Hire or lay off so the NGO has the staff its contracts need and can pay.

    Contract ``c`` wants ``ceil(staff_per_contract * promised / required)`` workers, but
    no more than its wage money ``(1 - activity_share) * price / wage`` pays for.
    """
    wanted = CORE_STAFF
    for c in ngo.contracts:
        need = math.ceil(p["staff_per_contract"] * c.promised_hours / c.required_hours)
        afford = int((1.0 - p["activity_share"]) * c.price / p["wage"])
        c.staff = max(1, min(need, afford))
        wanted += c.staff
    have = ngo.staff
    if wanted > have:
        ngo.experience = np.concatenate([ngo.experience, np.zeros(wanted - have)])
    elif wanted < have:
        # Lay off the least experienced first.
        ngo.experience = np.sort(ngo.experience)[have - wanted :]


def turnover(model: ContractingModel, ngo: NGO, p: dict[str, Any], record: YearRecord) -> None:
    """Workers quit at year end; stayers gain a year of experience.

    Each worker quits with probability::

        quit_rate + insecurity_quit * final + strain_quit * max(0, strain - 1)
                  + pay_quit * (1 - pay_level)

    where ``final`` is the share of the NGO's contracts in their last year (1 with no
    contract), ``strain`` is hours demanded over capacity and ``pay_level`` the share
    of the market wage the NGO paid.
    """
    staff = ngo.staff
    if staff == 0:
        return
    if ngo.contracts:
        final = sum(c.end <= model.year or c.terminated for c in ngo.contracts) / len(ngo.contracts)
    else:
        final = 1.0
    prob = (
        p["quit_rate"]
        + p["insecurity_quit"] * final
        + p["strain_quit"] * max(0.0, ngo.strain - 1.0)
        + p["pay_quit"] * (1.0 - ngo.pay_level)
    )
    stay = model.rng.random(staff) >= min(0.95, prob)
    record.staff += staff
    record.quits += int(staff - stay.sum())
    ngo.experience = ngo.experience[stay] + 1.0
