"""Third-party evaluation: evaluators' indicators, scores, and what scores do.

Each evaluator scores a contract on three indicators: hours (delivered over promised
hours), documents (documentation hours over what it demands) and outcome (real quality
seen with noise). Its weights start from the regime's base weights and differ between
evaluators by ``evaluator_heterogeneity``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from simcontract.agents import Evaluator
from simcontract.batch import column
from simcontract.phases.tendering import TIE_THRESHOLD

if TYPE_CHECKING:
    from collections.abc import Mapping

    from simcontract.agents import City
    from simcontract.outcomes import YearRecord
    from simcontract.scenario import Rules

BASE_WEIGHTS = {
    "workload": np.array([0.55, 0.35, 0.10]),
    "mixed": np.array([0.35, 0.25, 0.40]),
    "outcome": np.array([0.15, 0.15, 0.70]),
}
"""Base weights of the (hours, documents, outcome) indicators under each evaluation
regime: with ``tendering.REGIME_WORKLOAD`` they define what each choice of the
``evaluation`` parameter means."""

EVALUATOR_PARAMETERS = ("evaluation", "n_evaluators", "evaluator_heterogeneity")
"""Parameters that shape evaluators; a dated change of any of them replaces them."""


def make_evaluators(city: City, rules: Mapping[str, Any]) -> None:
    """Create the city's evaluators (replacing any) and assign districts to them.

    Evaluator ``e`` gets weights ``base * exp(h * N(0, 1))`` (renormalised) and a
    documentation intensity ``1 + h * U(0, 1)``, with ``h`` the heterogeneity.
    """
    h = rules["evaluator_heterogeneity"]
    rng = city.rng
    for old in city.evaluators:
        old.remove()
    city.evaluators = []
    for _ in range(rules["n_evaluators"]):
        raw = BASE_WEIGHTS[rules["evaluation"]] * np.exp(h * rng.normal(0.0, 1.0, 3))
        city.evaluators.append(
            Evaluator(city.model, city.index, raw / raw.sum(), 1.0 + h * rng.random())
        )
    order = rng.permutation(rules["districts_per_city"])
    city.district_evaluator = [
        city.evaluators[order[d] % len(city.evaluators)] for d in range(rules["districts_per_city"])
    ]


def evaluate_contracts(city: City, rules: Rules, record: YearRecord) -> None:
    """Score every contract delivered this year and apply the consequences.

    Scores come from :func:`score_contracts`. Reputation becomes ``reputation_memory *
    reputation + (1 - reputation_memory) * mean(scores)`` and the track record grows by
    the NGO's contracts; the purchaser's current official's tie falls by
    ``refusal_tie_cut`` after a refusal of extra duties (scores do not make ties); a score
    below ``termination_score`` ends a contract that has years left, and so may a newly
    arrived official without a tie of at least ``TIE_THRESHOLD`` to the provider (chance
    ``new_broom_termination * reshuffle`` in the official's first year).
    """
    batch = city.batch
    cs = batch.contracts
    if not cs:
        return
    m = len(cs)
    scores, quality, refused = score_contracts(city, rules)
    record.add_scores(scores, quality)
    year = rules.year
    chance = rules["new_broom_termination"] * rules["reshuffle"]
    # Drawn whatever the chance, so that reshuffle changes no other draw.
    lottery = city.rng.random(m) if year > 1 else np.ones(m)
    termination = rules["termination_score"]
    cut = -rules["refusal_tie_cut"]
    draws = zip(cs, scores.tolist(), refused.tolist(), lottery.tolist(), strict=True)
    for c, s, refuse, u in draws:
        c.score = s
        c.slot.last_score = s
        cadre = c.slot.purchaser.cadre
        new_broom = False
        if cadre is not None:
            tie = cadre.strengthen(c.ngo, cut) if refuse else cadre.tie(c.ngo)
            new_broom = cadre.arrived == year and u < chance and tie < TIE_THRESHOLD
        if c.end > year and (s < termination or new_broom):
            c.terminated = True
            record.early_terminations += 1
    mean = batch.per_ngo(scores) / np.maximum(batch.held(), 1)
    memory = rules["reputation_memory"]
    for ngo, k, avg in zip(batch.ngos, batch.held().tolist(), mean.tolist(), strict=True):
        if k:
            ngo.reputation = memory * ngo.reputation + (1 - memory) * avg
            ngo.track_record += k


def score_contracts(city: City, rules: Rules) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each contract-year's evaluation score, in [0, 1].

    ``clip(w . (hours, documents, outcome) + N(0, noise) - refusal_penalty * refused, 0,
    1)`` with ``w`` the weights of the contract's evaluator, ``hours = min(1, delivered /
    promised)``, ``documents = min(1, documentation / needed)`` (1 when nothing is
    needed), ``outcome = quality + N(0, noise)`` and ``noise = evaluation_noise``.

    Returns:
        The scores, the real qualities and whether extra duties were refused, per
        contract of ``city.batch``.
    """
    batch = city.batch
    cs = batch.contracts
    m = len(cs)
    delivered = column(cs, "delivered_hours")
    hours = np.minimum(1.0, delivered / column(cs, "promised_hours"))
    need = batch.doc_needs
    docs = np.minimum(
        1.0, np.divide(column(cs, "documentation_hours"), need, out=np.ones(m), where=need > 0)
    )
    draws = city.rng.normal(0.0, rules["evaluation_noise"], (2, m))
    quality = column(cs, "quality")
    outcome = quality + draws[0]
    weights = np.array([e.weights for e in city.evaluators])[batch.evaluator()]
    refused = column(cs, "refused_duties", bool)
    value = (weights * np.stack([hours, docs, outcome], axis=1)).sum(axis=1) + draws[1]
    scores = np.clip(value - rules["refusal_penalty"] * refused, 0.0, 1.0)
    return scores, quality, refused
