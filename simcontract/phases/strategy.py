"""NGOs' plans for the year: heads who leave, whether to seek contracts, whom to court.

Personal ties bind an official and an NGO's head, not their organisations: "state-society
relation, actually, is the interpersonal relationship between agency head and government
official ... Changes in personnel, from either side of the collaboration, may result in
the termination of relationship" (Mok & Wen 2023). An NGO's head leaves with chance
``head_turnover`` a year, and every official's tie to the NGO ends with him.

Contracting has a price: documentation for evaluators and unpaid extra duties ordered by
officials (Guangzhou IFSC study n.d.); some NGOs do not contract (LSE n.d.) and live on
donors, fees and other income. An NGO stays out of contracting for the year when the
share of staff time that providers lost to documents and duties last year exceeds its
own tolerance, unless its money would not last ``runway_years`` without contracts.

An NGO that seeks contracts courts one official of a purchaser it serves: its head spends
``cultivation_hours`` on it, and the tie grows by ``tie_cultivation`` of its gap to 1.
Ties are formed by people, outside the contract: scores do not make them.

Each NGO also plans how much of its own hours it will spend on advocacy
(:func:`advocacy_effort`): "Some NGOs can even engage in the policy-making process and
advocate policy changes" (Mok & Wen 2023), but contracting brings "the stunting of
advocacy activity in order not to endanger public funding streams" (Guangzhou IFSC study
n.d.): a long contract "is a signal about obedience . . . It will be a huge loss for the
agency once it loses the bid" (Mok & Wen 2023).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from simcontract.agents import SECTORS
from simcontract.phases.money import expected_other_incomes

if TYPE_CHECKING:
    from collections.abc import Mapping

    from simcontract.agents import City
    from simcontract.outcomes import YearRecord
    from simcontract.scenario import Rules


def plan_year(city: City, rules: Rules, record: YearRecord) -> None:
    """Heads leave, NGOs decide whether to seek contracts, and seekers court officials."""
    ngos = city.ngos
    if not ngos:
        return
    rng = city.rng
    _heads_leave(city, rng.random(len(ngos)) < rules["head_turnover"])
    seeks = _seek_contracts(city, rules)
    record.seeking += int(seeks.sum())
    record.planning += len(ngos)
    advocacy = _plan_advocacy(city, rules)
    draws = rng.random(len(ngos))
    state, rows = city.ngo_state, city.ngo_rows()
    state.advocacy[rows] = advocacy
    state.cultivation[rows] = 0.0
    for ngo, seek in zip(ngos, seeks.tolist(), strict=True):
        ngo.seeks_contracts = seek
    courting, courted = _courted(city, rules, seeks, draws)
    purchasers, players = city.purchasers, city.players
    if players is not None:
        # Seated heads court whom they choose; the model's choice is their default.
        free = []
        for i, k in zip(courting.tolist(), courted.tolist(), strict=True):
            seated = players.seated(ngos[i])
            if seated:
                players.default_court[ngos[i].unique_id] = purchasers[k].cadre
            free.append(not seated)
        courting, courted = courting[free], courted[free]
    state.cultivation[rows[courting]] = rules["cultivation_hours"]
    uids = city.ngo_values("uid")[courting]
    order = np.argsort(courted, kind="stable")
    bounds = np.searchsorted(courted[order], np.arange(len(purchasers) + 1)).tolist()
    growth = rules["tie_cultivation"]
    for k, purchaser in enumerate(purchasers):
        if bounds[k] < bounds[k + 1]:
            purchaser.cadre.cultivated(uids[order[bounds[k] : bounds[k + 1]]].tolist(), growth)
    if players is not None:
        players.plan_year(city, rules)


def _courted(
    city: City, rules: Rules, seeks: np.ndarray, draws: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The NGOs (indices into ``city.ngos``) that court an official this year, and the
    purchaser (index into ``city.purchasers``) each courts: a seeker picks one of the
    purchasers with an official that it serves, uniformly with its draw of ``draws``."""
    anywhere, any_sector = rules["districts_per_city"], len(SECTORS)
    # Places coded as numbers: (district, or ``anywhere`` for a city-wide NGO) *
    # (any_sector + 1) + (sector code, or ``any_sector`` for a generalist).
    district = np.where(city.ngo_values("citywide") > 0, anywhere, city.ngo_values("district"))
    sector = city.ngo_values("sector_code")
    code = district * (any_sector + 1) + np.where(sector < 0, any_sector, sector)
    flat, start, size = _officials_by_place(city, anywhere, any_sector)
    courting = np.flatnonzero(seeks & (size[code] > 0))
    pick = (draws[courting] * size[code[courting]]).astype(np.intp)
    return courting, flat[start[code[courting]] + pick]


def _heads_leave(city: City, leaving: np.ndarray) -> None:
    """End every official's tie to the NGOs whose head leaves this year."""
    gone = set(city.ngo_values("uid")[leaving].tolist())
    if not gone:
        return
    for pu in city.purchasers:
        if pu.cadre is not None and pu.cadre.ties:
            ties = pu.cadre.ties
            for uid in gone.intersection(ties):
                del ties[uid]


def _seek_contracts(city: City, rules: Rules) -> np.ndarray:
    """Whether each NGO seeks contracts this year.

    It does when the burden of contracting (share of providers' staff hours that went to
    documentation and extra duties last year; in year 1, ``documentation_base +
    extra_duty_demand``) is within its tolerance, or when its reserves would not last
    ``runway_years`` of a year without contracts (lean overhead and its head's wage,
    less its other income).
    """
    burden = city.last_burden
    if burden is None:
        burden = rules["documentation_base"] + rules["extra_duty_demand"]
    tolerance = city.ngo_values("tolerance")
    costs = rules["lean_overhead"] * rules["overhead"] + rules["wage"]
    other, origin = city.ngo_values("revenue_other"), city.ngo_values("origin_code")
    expected = expected_other_incomes(other, origin, rules)
    deficit = costs - expected
    reserves = city.ngo_values("reserves")
    short = (deficit > 0) & (reserves < rules["runway_years"] * deficit)
    return (burden <= tolerance) | short


def advocacy_effort(
    inclination: np.ndarray,
    own_users: np.ndarray,
    dependence: np.ndarray,
    rules: Mapping[str, Any],
) -> np.ndarray:
    """Share of its own hours each NGO spends on advocacy this year.

    ``inclination * own_users * exp(-advocacy_caution * stake)`` with ``stake =
    obedience_discount * contract_years * dependence``: the award merit officials take
    off per unit of advocacy in a tender for a contract of ``contract_years``
    (:func:`simcontract.phases.tendering.make_bids`; NGOs judge by the longest contract
    the rules allow, not knowing each purchaser's decision), weighted by the share of the NGO's
    revenue that is government money. ``own_users`` is the share of its direct work last
    year whose users it chose itself: an NGO speaks for the people it chose to serve.
    Without an obedience discount nothing is at stake, and dependence and contract
    length do not hold advocacy back.
    """
    stake = rules["obedience_discount"] * rules["contract_years"] * dependence
    return inclination * own_users * np.exp(-rules["advocacy_caution"] * stake)


def _plan_advocacy(city: City, rules: Rules) -> np.ndarray:
    """Each NGO's ``advocacy`` for the year (:func:`advocacy_effort`), from last year's
    dependence and the share of last year's service and mission hours whose users
    officials did not choose (1 for an NGO without such hours)."""
    work = city.ngo_values("hours_service") + city.ngo_values("hours_mission")
    directed = city.ngo_values("directed")
    own = 1.0 - np.divide(directed, work, out=np.zeros(len(work)), where=work > 0)
    inclination, dependence = city.ngo_values("inclination"), city.ngo_values("dependence")
    return advocacy_effort(inclination, own, dependence, rules)


def _officials_by_place(
    city: City, anywhere: int, any_sector: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The purchasers with an official that each kind of NGO serves, by place code (see
    :func:`_courted`): those serving code ``c`` are ``flat[start[c] : start[c] +
    size[c]]`` (indices into ``city.purchasers``, in order).

    A purchaser serves the NGOs of its district that work in its sector or in none
    (generalists), and the city-wide ones that do.
    """
    purchasers = city.purchasers
    staffed = [k for k, pu in enumerate(purchasers) if pu.cadre is not None]
    district = np.array([purchasers[k].district for k in staffed], np.intp)
    sector = np.array([SECTORS.index(purchasers[k].sector) for k in staffed], np.intp)
    places = [district, np.full_like(district, anywhere)]
    sectors = [sector, np.full_like(sector, any_sector)]
    codes = np.concatenate([d * (any_sector + 1) + s for d in places for s in sectors])
    order = np.argsort(codes, kind="stable")
    flat = np.tile(np.array(staffed, np.intp), len(places) * len(sectors))[order]
    size = np.bincount(codes, minlength=(anywhere + 1) * (any_sector + 1))
    start = np.cumsum(size) - size
    return flat, start, size
