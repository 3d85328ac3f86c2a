"""Cadres: officials' terms, their rotation between posts, and the ties they bring.

An official heads a purchaser for a term drawn from a gamma distribution with mean
``rotation_years`` (no rotation when it is 0). When the term is up, the official moves
to another vacant post of the city with probability ``cadre_transfer``, taking its
personal ties, or leaves; vacant posts get new officials, each with ties of its own to
local NGO heads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simcontract.agents import Cadre

if TYPE_CHECKING:
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

    A new official (no post before, no ties) brings initial ties. An initial official
    (set-up) is already ``U{1..term}`` years into its term, so officials leave at
    different times from year 1 on.
    """
    term = _term(city.rng, rules)
    if initial:
        cadre.arrived = -int(city.rng.integers(1, min(term, LONGEST_SERVICE) + 1))
    else:
        cadre.arrived = rules.year
    cadre.term_end = cadre.arrived + term - 1 if term < NO_ROTATION else NO_ROTATION
    if cadre.post is None and not cadre.ties:
        _initial_ties(city, purchaser, cadre, rules)
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
    if purchaser.kind == "mass_org":
        known = [
            n for n in city.citywide if n.origin == "specialist" and n.sector == purchaser.sector
        ]
        chance = np.full(len(known), min(1.0, rules["mass_org_tie_factor"] * density))
    else:
        known = city.by_district.get(purchaser.district, []) + city.citywide
        community = np.fromiter((n.origin == "community" for n in known), bool, len(known))
        factor = rules["community_tie_factor"]
        chance = np.where(community, min(1.0, factor * density), min(1.0, density))
    if not known:
        return
    hit = city.rng.random(len(known)) < chance
    bounds = rules["initial_tie_low"], rules["initial_tie_high"]
    strength = city.rng.uniform(min(bounds), max(bounds), len(known))
    for i in np.flatnonzero(hit).tolist():
        cadre.ties[known[i].unique_id] = float(strength[i])
