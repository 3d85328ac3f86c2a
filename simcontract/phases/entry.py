"""Entry: new NGOs register, drawn to the funding on offer and to an open market.

The same routine creates the initial NGOs at set-up and each year's entrants; it draws
every attribute for all of a city's new NGOs in one call to the city's generator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from simcontract.agents import MASS_ORG_SECTORS, NGO, SECTORS
from simcontract.params import ORIGINS

if TYPE_CHECKING:
    from collections.abc import Mapping

    from simcontract.agents import City
    from simcontract.outcomes import YearRecord
    from simcontract.scenario import Rules


SMALLEST_SHAPE = float(np.finfo(float).tiny)
"""Smallest shape parameter a Beta draw is given. A mean so close to 0 that
``concentration * mean`` underflows to 0, which NumPy refuses, draws as the limit does:
0 for every NGO, from the same random numbers."""


def register_ngos(city: City, rules: Rules, record: YearRecord) -> None:
    """Register new NGOs: a Poisson number with mean

    ``entry_rate * r * (tenders + failed) * min(1, entry_openness_floor +
    entry_openness_slope * newcomer)`` where ``tenders`` and ``failed`` are the city's
    tenders and failed tenders of last year (funding on offer and unmet demand),
    ``newcomer`` the share of last year's bids placed by NGOs that had never held a
    contract (how open the market is to newcomers), and ``r`` is 1 under direct
    registration or ``sponsor_entry_factor`` under dual sponsorship. In year 1,
    ``tenders`` is the slots over ``contract_years``, ``failed`` 0 and ``newcomer``
    ``first_year_newcomer_share``. Entrants can bid in the same year.
    """
    tenders, failed, newcomer = city.last_tenders, city.last_failed, city.last_newcomer
    if rules.year == 1:
        slots = sum(len(pu.slots) for pu in city.purchasers)
        tenders, failed = slots / rules["contract_years"], 0
        newcomer = rules["first_year_newcomer_share"]
    factor = 1.0 if rules["registration"] == "direct" else rules["sponsor_entry_factor"]
    openness = min(1.0, rules["entry_openness_floor"] + rules["entry_openness_slope"] * newcomer)
    lam = rules["entry_rate"] * factor * (tenders + failed) * openness
    entrants = new_ngos(city, rules, int(city.rng.poisson(lam)), initial=False)
    record.entries += len(entrants)
    city.registered += len(entrants)
    city.registered_in[rules.year] = len(entrants)
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
    a = _draw_attributes(city.rng, rules, count, initial)
    origin, sector = a["origin"], a["any_sector"]
    specialist = origin == ORIGINS.index("specialist")
    mass_org_code = np.array([SECTORS.index(s) for s in MASS_ORG_SECTORS])
    sector = np.where(origin == ORIGINS.index("grassroots"), sector, -1)
    sector = np.where(specialist, mass_org_code[a["mass_org_sector"]], sector)
    state = city.ngo_state
    entry_year = 0 if initial else rules.year
    rows = state.new_rows(
        count,
        origin_code=origin,
        sector_code=sector,
        district=a["district"],
        citywide=a["multi"],
        uid=-1,
        entry_year=entry_year,
    )
    given = ("skill", "dare", "reputation", "track_record", "reserves", "tolerance", "inclination")
    for name in given:
        getattr(state, name)[rows] = a[name]
    state.workforce.hire_founders(rows, a["experience"])  # the founders, who direct them
    names = (None, *SECTORS)
    # The values passed for what the rows already hold are not read.
    places = zip(origin.tolist(), a["district"].tolist(), a["multi"].tolist(), strict=True)
    made = [
        NGO(
            city.model,
            ORIGINS[o],
            city.index,
            d,
            multi_district=m,
            sector=names[s],
            skill=0.0,
            dare=0.0,
            reserves=0.0,
            reputation=0.0,
            entry_year=entry_year,
            row=row,
        )
        for (o, d, m), s, row in zip(places, (sector + 1).tolist(), rows.tolist(), strict=True)
    ]
    city.ngos.extend(made)
    return made


def _draw_attributes(
    rng: np.random.Generator, rules: Mapping[str, Any], count: int, initial: bool
) -> dict[str, np.ndarray]:
    """Every attribute of ``count`` new NGOs, one array per attribute, in draw order.

    Skill is ``Beta(skill_<origin>_a, skill_<origin>_b)``, dare ``Beta(dare_a, dare_b)``,
    reserves ``initial_reserves`` times a mean-one log-normal factor of spread
    ``reserves_spread`` (times ``grassroots_reserves`` for grassroots groups), and the
    director's experience uniform from 0 to ``initial_experience`` (initial NGOs) or
    ``entrant_experience``. Initial NGOs have a reputation uniform between
    ``initial_reputation_low`` and ``initial_reputation_high`` (taken in order, should
    they be given the other way round) and a track record ``U{0..initial_track_record}``;
    entrants ``newcomer_reputation`` and 0. The inclination to advocate is drawn last
    (:func:`_inclination`), so that with advocacy switched off every other draw is
    unchanged.
    """
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
    a = np.array([rules[f"skill_{o}_a"] for o in ORIGINS], dtype=float)
    b = np.array([rules[f"skill_{o}_b"] for o in ORIGINS], dtype=float)
    skill = rng.beta(a[origin], b[origin])
    dare = rng.beta(rules["dare_a"], rules["dare_b"], count)
    reserves = rules["initial_reserves"] * mean_one_lognormal(rng, rules["reserves_spread"], count)
    reserves[origin == ORIGINS.index("grassroots")] *= rules["grassroots_reserves"]
    most = rules["initial_experience" if initial else "entrant_experience"]
    experience = rng.uniform(0.0, most, count)
    if initial:
        bounds = rules["initial_reputation_low"], rules["initial_reputation_high"]
        reputation = rng.uniform(min(bounds), max(bounds), count)
        track_record = rng.integers(0, rules["initial_track_record"] + 1, size=count)
    else:
        reputation = np.full(count, float(rules["newcomer_reputation"]))
        track_record = np.zeros(count, np.int64)
    tolerance = _tolerance(rng, rules["burden_tolerance"], rules["tolerance_concentration"], count)
    return {
        "origin": origin,
        "district": district,
        "multi": multi,
        "mass_org_sector": mass_org_sector,
        "any_sector": any_sector,
        "skill": skill,
        "dare": dare,
        "reserves": reserves,
        "experience": experience,
        "reputation": reputation,
        "track_record": track_record,
        "tolerance": tolerance,
        "inclination": _inclination(rng, rules, origin),
    }


def mean_one_lognormal(rng: np.random.Generator, spread: float, size: int) -> np.ndarray:
    """``size`` log-normal factors with mean 1: ``LogNormal(-spread**2 / 2, spread)``."""
    return rng.lognormal(-(spread**2) / 2, spread, size)


def _tolerance(rng: np.random.Generator, mean: float, concentration: float, count: int):
    """Each NGO's tolerance of the burden of contracting: Beta with the given mean and
    concentration (a + b); a mean of 0 or 1 gives every NGO that value."""
    if mean <= 0.0 or mean >= 1.0:
        return np.full(count, min(1.0, max(0.0, mean)))
    return rng.beta(max(concentration * mean, SMALLEST_SHAPE), concentration * (1.0 - mean), count)


def _inclination(rng: np.random.Generator, rules: Mapping[str, Any], origin: np.ndarray):
    """Each NGO's inclination to advocate: Beta with concentration
    ``advocacy_concentration`` and mean ``advocacy_inclination`` (times
    ``advocacy_specialist`` for specialists), capped at 1.

    "Some NGOs can even engage in the policy-making process and advocate policy changes"
    (Mok & Wen 2023); specialists strive for autonomy (Mok & Wen 2023). A mean of 0 gives
    0 and draws nothing; a mean of 1 or more gives 1.
    """
    factor = np.where(origin == ORIGINS.index("specialist"), rules["advocacy_specialist"], 1.0)
    mean = np.minimum(1.0, rules["advocacy_inclination"] * factor)
    out = mean.copy()
    drawn = (mean > 0.0) & (mean < 1.0)
    if drawn.any():
        k, m = rules["advocacy_concentration"], mean[drawn]
        out[drawn] = rng.beta(np.maximum(k * m, SMALLEST_SHAPE), k * (1.0 - m))
    return out
