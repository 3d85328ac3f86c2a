"""Social workers: hiring for the year's contracts, and who quits at the end of it.

Each NGO keeps one core worker (its director) plus the staff its contracts need.
Leavers take their experience with them; hires start with none. Both phases run over a
city's active NGOs at once (``city.batch``, see :mod:`simcontract.batch`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from simcontract.agents import City
    from simcontract.ngostate import Workforce
    from simcontract.outcomes import YearRecord
    from simcontract.scenario import Rules

CORE_STAFF = 1
"""Workers an NGO keeps with no contract (its director)."""


def staff_contracts(city: City, rules: Rules, record: YearRecord) -> None:
    """Hire or lay off so each NGO has the staff its contracts need and can pay.

    Contract ``c`` wants ``ceil(staff_per_contract * promised / required)`` workers, but
    no more than its wage money ``(1 - activity_share) * price / wage`` pays for, and at
    least one. Hires start with no experience; layoffs take the least experienced first.
    Sets ``c.staff`` on each contract and ``batch.staff``; counts the workers employed
    (those kept or hired, and those laid off) and the layoffs.
    """
    batch = city.batch
    need = np.ceil(
        rules["staff_per_contract"] * batch.term("promised_hours") / batch.term("required_hours")
    )
    afford = np.floor((1.0 - rules["activity_share"]) * batch.term("price") / rules["wage"])
    staff = np.maximum(1, np.minimum(need, afford)).astype(np.intp)
    batch.put_contracts("staff", staff)
    wanted = (CORE_STAFF + np.bincount(batch.owner, weights=staff, minlength=batch.size)).astype(
        np.intp
    )
    if city.players is not None:
        wanted = wanted + city.players.hires(batch)
    workforce = batch.state.workforce
    have = workforce.counts(batch.rows)
    if np.any(wanted != have):
        workforce.replace(batch.rows, _restaffed(workforce, batch.rows, have, wanted), wanted)
    laid_off = int(np.maximum(have - wanted, 0).sum())
    batch.staff = wanted
    record.layoffs += laid_off
    record.employed += int(batch.staff.sum()) + laid_off


def _restaffed(
    workforce: Workforce, rows: np.ndarray, have: np.ndarray, wanted: np.ndarray
) -> np.ndarray:
    """The experience of the NGOs' workers once each NGO of ``rows`` has ``wanted``
    workers, NGO by NGO: an NGO that hires keeps its workers in order and adds hires
    with no experience after them; one that lays off keeps its ``wanted`` most
    experienced, from the least to the most experienced."""
    experience, owner = workforce.of(rows)
    cut = wanted < have
    # Sorting by (NGO, experience) orders the workers of NGOs that lay off and, the
    # sort being stable, leaves the others in their order.
    order = np.lexsort((np.where(cut[owner], experience, 0.0), owner))
    experience, owner = experience[order], owner[order]
    rank = np.arange(len(owner)) - (np.cumsum(have) - have)[owner]
    kept = ~cut[owner] | (rank >= (have - wanted)[owner])
    experience, owner, rank = experience[kept], owner[kept], rank[kept]
    rank = rank - np.where(cut, have - wanted, 0)[owner]
    out = np.zeros(int(wanted.sum()))
    out[(np.cumsum(wanted) - wanted)[owner] + rank] = experience
    return out


def workers_quit(city: City, rules: Rules, record: YearRecord) -> None:
    """Workers quit at year end; stayers gain a year of experience.

    Only NGOs still active after settlement are treated. Each worker quits with
    probability::

        min(max_quit, quit_rate + insecurity_quit * final + strain_quit * max(0, strain - 1)
                      + pay_quit * (1 - pay_level))

    where ``final`` is the share of the NGO's contracts in their last year (1 with no
    contract), ``strain`` is hours demanded over capacity and ``pay_level`` the share
    of the market wage the NGO paid.
    """
    batch = city.batch
    ngos = batch.ngos
    if not ngos:
        return
    keep = city.alive(ngos)
    held = batch.held()
    final = np.where(held > 0, batch.per_ngo(batch.ending(rules.year)) / np.maximum(held, 1), 1.0)
    prob = np.minimum(
        rules["max_quit"],
        rules["quit_rate"]
        + rules["insecurity_quit"] * final
        + rules["strain_quit"] * np.maximum(0.0, batch.get("strain") - 1.0)
        + rules["pay_quit"] * (1.0 - batch.get("pay_level")),
    )
    experience, worker_ngo = batch.workers()
    mine = keep[worker_ngo]
    experience, worker_ngo = experience[mine], worker_ngo[mine]
    stay = batch.rng.random(len(experience)) >= prob[worker_ngo]
    record.staff += len(experience)
    record.quits += int(len(experience) - stay.sum())
    remaining = np.bincount(worker_ngo[stay], minlength=batch.size)
    batch.state.workforce.replace(batch.rows[keep], experience[stay] + 1.0, remaining[keep])
