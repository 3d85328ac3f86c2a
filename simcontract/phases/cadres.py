"""Cadres: officials' terms, their rotation between posts, and the ties they bring.

An official heads a purchaser for a term drawn from a gamma distribution with mean
``rotation_years`` (no rotation when it is 0). When the term is up, the official moves
to another vacant post of the city with probability ``cadre_transfer``, taking its
personal ties, or leaves; vacant posts get new officials, each with ties of its own to
local NGO heads.

Each official carries two motives (Mok & Wen 2023: "Local officials face a mixed career
incentive to collaborate with NGOs"): a promotion drive and a caution (blame
avoidance), its ranks among officials drawn when it is first appointed, so rotation
brings officials with other motives. Its motives decide whether the purchaser bargains
with the finance bureau for multi-year contracts (:func:`contract_length`), and its
caution how far a bureau shuns bidders without a track record
(:meth:`simcontract.agents.Bureau.merit_adjustments`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from simcontract.agents import MASS_ORG_SECTORS, SECTORS, Cadre
from simcontract.params import ORIGINS

if TYPE_CHECKING:
    from collections.abc import Mapping

    from simcontract.agents import City, Purchaser
    from simcontract.outcomes import YearRecord
    from simcontract.scenario import Rules

NO_ROTATION = 10**9
"""A term that never ends (``rotation_years`` = 0)."""

LONGEST_SERVICE = 10**6
"""Most years an initial official without rotation has already served at its post."""


def rotate_officials(city: City, rules: Rules, record: YearRecord) -> None:
    """Officials whose term is up move to another vacant post or leave; new officials
    fill the posts still vacant.

    Movers are taken in a random order; each moves with probability ``cadre_transfer``
    to a vacant post drawn uniformly among those other than its own.
    """
    leaving = [
        pu for pu in city.purchasers if pu.cadre is not None and pu.cadre.term_end < rules.year
    ]
    if not leaving:
        return
    vacant = list(leaving)
    movers = [pu.cadre for pu in leaving]
    for pu in leaving:
        pu.cadre = None
    rng = city.rng
    for k in rng.permutation(len(movers)):
        cadre = movers[k]
        options = [pu for pu in vacant if pu is not cadre.post]
        if options and rng.random() < rules["cadre_transfer"]:
            post = options[int(rng.integers(len(options)))]
            vacant.remove(post)
            appoint(city, post, cadre, rules)
        else:
            cadre.post = None
            cadre.remove()
    for pu in vacant:
        appoint(city, pu, Cadre(city.model), rules)


def appoint(
    city: City, purchaser: Purchaser, cadre: Cadre, rules: Rules, *, initial: bool = False
) -> None:
    """Put ``cadre`` at the head of ``purchaser`` for a new term.

    A new official (no post before, no ties) brings initial ties and draws its ranks in
    caution and promotion drive among officials (:func:`_draw_motives`). An initial
    official (set-up) is already ``U{1..term}`` years into its term, so officials leave
    at different times from year 1 on.
    """
    term = _term(city.rng, rules)
    if initial:
        cadre.arrived = -int(city.rng.integers(1, min(term, LONGEST_SERVICE) + 1))
    else:
        cadre.arrived = rules.year
    cadre.term_end = cadre.arrived + term - 1 if term < NO_ROTATION else NO_ROTATION
    if cadre.post is None:
        if not cadre.ties:
            _initial_ties(city, purchaser, cadre, rules)
        _draw_motives(city, cadre, rules)
    cadre.post = purchaser
    purchaser.cadre = cadre


def _term(rng: np.random.Generator, rules: Rules) -> int:
    """Years of a term: ``max(1, round(Gamma(term_shape, rotation_years / term_shape)))``."""
    mean = rules["rotation_years"]
    if mean <= 0:
        return NO_ROTATION
    shape = rules["term_shape"]
    return max(1, round(float(rng.gamma(shape, mean / shape))))


def _initial_ties(city: City, purchaser: Purchaser, cadre: Cadre, rules: Rules) -> None:
    """Ties a new official brings to the NGO heads it knows.

    A mass organisation's official knows the city-wide specialists of its sector; a
    bureau's official knows the NGOs of its district and the city-wide ones, community
    associations best. Each is tied with a chance of ``tie_density`` (times
    ``mass_org_tie_factor`` or ``community_tie_factor`` for its kind, capped at 1), with a
    strength drawn uniformly between ``initial_tie_low`` and ``initial_tie_high`` (taken
    in order, should they be given the other way round).
    """
    density = rules["tie_density"]
    if density <= 0:
        return
    citywide = city.ngo_values("citywide") > 0
    origin = city.ngo_values("origin_code")
    if purchaser.kind == "mass_org":
        sector = city.ngo_values("sector_code") == SECTORS.index(purchaser.sector)
        known = np.flatnonzero(citywide & (origin == ORIGINS.index("specialist")) & sector)
        chance = np.full(len(known), min(1.0, rules["mass_org_tie_factor"] * density))
    else:
        local = ~citywide & (city.ngo_values("district") == purchaser.district)
        known = np.concatenate([np.flatnonzero(local), np.flatnonzero(citywide)])
        community = origin[known] == ORIGINS.index("community")
        factor = rules["community_tie_factor"]
        chance = np.where(community, min(1.0, factor * density), min(1.0, density))
    if not len(known):
        return
    hit = city.rng.random(len(known)) < chance
    bounds = rules["initial_tie_low"], rules["initial_tie_high"]
    strength = city.rng.uniform(min(bounds), max(bounds), len(known))
    uids = city.ngo_values("uid")[known[hit]].tolist()
    cadre.ties.update(zip(uids, strength[hit].tolist(), strict=True))


def expected_initial_ties(rules: Mapping[str, Any], ngos: int) -> float:
    """Ties that a city's officials bring to ``ngos`` NGO heads, expected by
    :func:`_initial_ties`'s rule for NGOs drawn with the origin shares of
    :func:`simcontract.phases.entry.new_ngos` (one official per purchaser)."""
    density = rules["tie_density"]
    if density <= 0 or ngos <= 0:
        return 0.0
    shares = [rules[f"share_{o}"] for o in ORIGINS[1:]]
    weights = np.array([max(0.0, 1.0 - sum(shares)), *shares])
    share = dict(zip(ORIGINS, weights / weights.sum(), strict=True))
    # Specialists serve the whole city, a general NGO with multi_district_share.
    citywide = {"specialist": 1.0, "general": rules["multi_district_share"]}
    plain = min(1.0, density)
    chance = {"community": min(1.0, rules["community_tie_factor"] * density)}
    known = sum(
        share[o]
        * (citywide.get(o, 0.0) + (1.0 - citywide.get(o, 0.0)) / rules["districts_per_city"])
        * chance.get(o, plain)
        for o in ORIGINS
    )
    mass_org = share["specialist"] / len(MASS_ORG_SECTORS)
    mass_org *= min(1.0, rules["mass_org_tie_factor"] * density)
    return ngos * (rules["n_bureaux"] * known + rules["n_mass_orgs"] * mass_org)


def _draw_motives(city: City, cadre: Cadre, rules: Rules) -> None:
    """A new official's ranks among officials in caution and in promotion drive, each
    ``U(0, 1)`` (no draw when ``motive_spread`` = 0: every official is at the mean).

    The ranks are personal and go with the official when it moves; its motives at a
    post are the ranks read in the distribution of that kind of post
    (:meth:`simcontract.agents.Cadre.caution`, :meth:`~simcontract.agents.Cadre.drive`).
    """
    if rules["motive_spread"] > 0:
        cadre.caution_rank = float(city.rng.random())
        cadre.drive_rank = float(city.rng.random())


def contract_length(city: City, purchaser: Purchaser, rules: Rules) -> int:
    """Years of the contracts the purchaser signs this year, decided once a year.

    "A multi-year contract is a little breakthrough in this budgeting regulation and
    needs the finance bureau's statutory authorisation" (Mok & Wen 2023). A contract is
    one year unless the purchaser's official seeks the authorisation, which it does when
    ``multiyear_endorsement + drive >= caution`` (it avoids the red tape unless the
    municipal leaders' blessing or its own promotion drive outweighs its caution), and
    the finance bureau grants it, with chance ``multiyear_endorsement + (1 -
    multiyear_endorsement) * standing`` (``bureau_standing`` or ``mass_org_standing``).
    An authorised contract runs the longest the rules allow, ``contract_years``.
    """
    longest = rules["contract_years"]
    if longest <= 1:
        return longest
    if purchaser.length_year == rules.year:
        return purchaser.length
    endorsement = rules["multiyear_endorsement"]
    cadre = purchaser.cadre
    if cadre is not None:
        drive, caution = cadre.drive(rules), cadre.caution(rules)
    else:
        drive, caution = rules[purchaser.drive_mean], rules[purchaser.caution_mean]
    length = 1
    if endorsement + drive >= caution:
        grant = endorsement + (1.0 - endorsement) * rules[purchaser.standing]
        # Drawn only when the bargain is in doubt: full endorsement draws nothing.
        if grant >= 1.0 or (grant > 0.0 and city.rng.random() < grant):
            length = longest
    purchaser.length_year, purchaser.length = rules.year, length
    return length
