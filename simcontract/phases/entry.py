"""Entry: new NGOs register, drawn to the funding on offer and to an open market.

The same routine creates the initial NGOs at set-up and each year's entrants; it draws
every attribute for all of a city's new NGOs in one call to the city's generator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from simcontract.agents import MASS_ORG_SECTORS, NEWCOMER_REPUTATION, NGO, ORIGINS, SECTORS

if TYPE_CHECKING:
    from collections.abc import Mapping

    from simcontract.agents import City
    from simcontract.outcomes import YearRecord
    from simcontract.scenario import Rules

SKILL_BETA = {
    "general": (5, 3),
    "specialist": (6, 2),
    "community": (3, 4),
    "grassroots": (3, 3),
}
"""Beta distribution of professional skill by NGO origin."""

DARE_BETA = (2.0, 2.0)
"""Beta distribution of how far an NGO dares inflate its promised hours."""

RESERVES_LOGNORMAL = (-0.125, 0.5)
"""Parameters (mu, sigma) of the log-normal factor on ``initial_reserves``; its mean is 1."""

GRASSROOTS_RESERVES = 0.3
"""Reserves of a grassroots group relative to other NGOs."""

INITIAL_EXPERIENCE = 5.0
"""Upper end of the uniform years of experience of an initial NGO's director."""

ENTRANT_EXPERIENCE = 3.0
"""Upper end of the uniform years of experience of an entrant's director."""

INITIAL_REPUTATION = (0.3, 0.7)
"""Range of the uniform reputation of the NGOs present at the start."""

INITIAL_TRACK_RECORD = 5
"""Highest contract-years delivered by an NGO present at the start (uniform from 0)."""

FIRST_YEAR_NEWCOMER_SHARE = 0.1
"""Share of bids by newcomers assumed for the year before the first (drives year-1 entry)."""

OPENNESS_FLOOR = 0.05
"""Entry's openness factor with no newcomer bidding last year."""

OPENNESS_SLOPE = 5.0
"""Growth of entry's openness factor per unit share of bids by newcomers (capped at 1)."""


def register_ngos(city: City, rules: Rules, record: YearRecord) -> None:
    """Register new NGOs: a Poisson number with mean

    ``entry_rate * r * (tenders + failed) * min(1, OPENNESS_FLOOR + OPENNESS_SLOPE *
    newcomer)`` where ``tenders`` and ``failed`` are the city's tenders and failed
    tenders of last year (funding on offer and unmet demand), ``newcomer`` the share of
    last year's bids placed by NGOs that had never held a contract (how open the market
    is to newcomers), and ``r`` is 1 under direct registration or
    ``sponsor_entry_factor`` under dual sponsorship. In year 1, ``tenders`` is the slots
    over ``contract_years``, ``failed`` 0 and ``newcomer`` ``FIRST_YEAR_NEWCOMER_SHARE``.
    Entrants can bid in the same year.
    """
    tenders, failed, newcomer = city.last_tenders, city.last_failed, city.last_newcomer
    if rules.year == 1:
        slots = sum(len(pu.slots) for pu in city.purchasers)
        tenders, failed = slots / rules["contract_years"], 0
        newcomer = FIRST_YEAR_NEWCOMER_SHARE
    factor = 1.0 if rules["registration"] == "direct" else rules["sponsor_entry_factor"]
    openness = min(1.0, OPENNESS_FLOOR + OPENNESS_SLOPE * newcomer)
    lam = rules["entry_rate"] * factor * (tenders + failed) * openness
    entrants = new_ngos(city, rules, int(city.rng.poisson(lam)), initial=False)
    record.entries += len(entrants)
    added = 0.0
    for n in entrants:  # left to right, on every Python (see outcomes.combine)
        added += n.reserves
    record.entry_reserves += added
    city.index_entrants(entrants)


def new_ngos(city: City, rules: Rules, count: int, *, initial: bool) -> list[NGO]:
    """Create ``count`` NGOs in ``city`` (initial ones or this year's entrants).

    Returns:
        The new NGOs, already appended to ``city.ngos`` (not yet to its lookups).
    """
    if count <= 0:
        return []
    columns = _draw_attributes(city.rng, rules, count, initial)
    entry_year = 0 if initial else rules.year
    made = []
    for o, d, m, ms, s, sk, da, r, e, rep, t in zip(*columns, strict=True):
        kind = ORIGINS[o]
        if kind == "specialist":
            sector = MASS_ORG_SECTORS[ms]
        elif kind == "grassroots":
            sector = SECTORS[s]
        else:
            sector = None
        ngo = NGO(
            city.model,
            kind,
            city.index,
            d,
            multi_district=m,
            sector=sector,
            skill=sk,
            dare=da,
            reserves=r,
            entry_year=entry_year,
        )
        ngo.experience = np.array([e])
        ngo.reputation = rep
        ngo.track_record = t
        made.append(ngo)
    city.ngos.extend(made)
    return made


def _draw_attributes(
    rng: np.random.Generator, rules: Mapping[str, Any], count: int, initial: bool
) -> tuple[list, ...]:
    """Every attribute of ``count`` new NGOs, one list per attribute, in draw order."""
    shares = [rules["share_specialist"], rules["share_community"], rules["share_grassroots"]]
    weights = np.array([max(0.0, 1.0 - sum(shares)), *shares])
    # Inverse CDF: what rng.choice(p=...) does, without its checks (which cost more
    # than the draw for the few entrants of a year).
    cdf = np.cumsum(weights / weights.sum())
    origin = np.minimum(np.searchsorted(cdf, rng.random(count), side="right"), len(ORIGINS) - 1)
    district = rng.integers(rules["districts_per_city"], size=count)
    multi = (origin == ORIGINS.index("specialist")) | (
        (origin == ORIGINS.index("general")) & (rng.random(count) < rules["multi_district_share"])
    )
    mass_org_sector = rng.integers(len(MASS_ORG_SECTORS), size=count)
    any_sector = rng.integers(len(SECTORS), size=count)
    a, b = np.array([SKILL_BETA[o] for o in ORIGINS], dtype=float).T
    skill = rng.beta(a[origin], b[origin])
    dare = rng.beta(*DARE_BETA, count)
    reserves = rules["initial_reserves"] * rng.lognormal(*RESERVES_LOGNORMAL, count)
    reserves[origin == ORIGINS.index("grassroots")] *= GRASSROOTS_RESERVES
    experience = rng.uniform(0.0, INITIAL_EXPERIENCE if initial else ENTRANT_EXPERIENCE, count)
    if initial:
        reputation = rng.uniform(*INITIAL_REPUTATION, count).tolist()
        track_record = rng.integers(0, INITIAL_TRACK_RECORD + 1, size=count).tolist()
    else:
        reputation = [NEWCOMER_REPUTATION] * count
        track_record = [0] * count
    return (
        origin.tolist(),
        district.tolist(),
        multi.tolist(),
        mass_org_sector.tolist(),
        any_sector.tolist(),
        skill.tolist(),
        dare.tolist(),
        reserves.tolist(),
        experience.tolist(),
        reputation,
        track_record,
    )
