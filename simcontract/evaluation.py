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
from simcontract.batch import YearBatch, column
from simcontract.tendering import TIE_THRESHOLD

if TYPE_CHECKING:
    from simcontract.agents import City
    from simcontract.model import ContractingModel
    from simcontract.outcomes import YearRecord

BASE_WEIGHTS = {
    "workload": np.array([0.55, 0.35, 0.10]),
    "mixed": np.array([0.35, 0.25, 0.40]),
    "outcome": np.array([0.15, 0.15, 0.70]),
}
"""Weights of the (hours, documents, outcome) indicators under each regime."""

REPUTATION_MEMORY = 0.6
"""Weight of past reputation when a new year's scores come in."""


EVALUATOR_PARAMETERS = ("evaluation", "n_evaluators", "evaluator_heterogeneity")
"""Parameters that shape evaluators; a dated change of any of them replaces them."""


def make_evaluators(model: ContractingModel, city: City, p: dict[str, Any]) -> None:
    """Create the city's evaluators (replacing any) and assign districts to them.

    Evaluator ``e`` gets weights ``base * exp(h * N(0, 1))`` (renormalised) and a
    documentation intensity ``1 + h * U(0, 1)``, with ``h`` the heterogeneity.
    """
    h = p["evaluator_heterogeneity"]
    rng = city.rng
    for old in city.evaluators:
        old.remove()
    city.evaluators = []
    for _ in range(p["n_evaluators"]):
        raw = BASE_WEIGHTS[p["evaluation"]] * np.exp(h * rng.normal(0.0, 1.0, 3))
        city.evaluators.append(
            Evaluator(model, city.index, raw / raw.sum(), 1.0 + h * rng.random())
        )
    order = rng.permutation(p["districts_per_city"])
    city.district_evaluator = [
        city.evaluators[order[d] % len(city.evaluators)] for d in range(p["districts_per_city"])
    ]


def evaluate(
    model: ContractingModel,
    batch: YearBatch,
    evaluators: np.ndarray,
    p: dict[str, Any],
    record: YearRecord,
) -> None:
    """Score every contract delivered this year and apply the consequences.

    The score of a contract-year, in [0, 1], is ``clip(w . (hours, documents, outcome)
    + N(0, noise) - refusal_penalty * refused, 0, 1)`` with ``w`` the weights of the
    contract's evaluator, ``hours = min(1, delivered / promised)``, ``documents =
    min(1, documentation / needed)`` (1 when nothing is needed) and ``outcome = quality
    + N(0, noise)``.

    Reputation becomes ``0.6 * reputation + 0.4 * mean(scores)``; the purchaser's
    current official's tie grows by ``tie_growth * score`` (or falls by 0.2 after a refusal of
    extra duties); a score below ``termination_score`` ends a contract that has years
    left, and so may a newly arrived official without a tie of at least
    ``TIE_THRESHOLD`` to the provider (chance ``0.25 * reshuffle`` in the official's
    first year).

    ``evaluators`` gives each contract's evaluator as an index into the city's
    evaluators (as :func:`simcontract.delivery.deliver` returns it).
    """
    cs = batch.contracts
    if not cs:
        return
    m = len(cs)
    noise = p["evaluation_noise"]
    rng = batch.rng
    delivered = column(cs, "delivered_hours")
    hours = np.minimum(1.0, delivered / column(cs, "promised_hours"))
    need = batch.doc_needs
    docs = np.minimum(
        1.0, np.divide(column(cs, "documentation_hours"), need, out=np.ones(m), where=need > 0)
    )
    draws = rng.normal(0.0, noise, (2, m))
    quality = column(cs, "quality")
    outcome = quality + draws[0]
    weights = np.array([e.weights for e in batch.city.evaluators])[evaluators]
    refused = column(cs, "refused_duties", bool)
    value = (weights * np.stack([hours, docs, outcome], axis=1)).sum(axis=1) + draws[1]
    scores = np.clip(value - p["refusal_penalty"] * refused, 0.0, 1.0)
    record.add_scores(scores, quality)
    year = model.year
    chance = 0.25 * p["reshuffle"]
    lottery = rng.random(m) if chance > 0 and year > 1 else np.ones(m)
    growth = p["tie_growth"]
    termination = p["termination_score"]
    draws = zip(cs, scores.tolist(), refused.tolist(), lottery.tolist(), strict=True)
    for c, s, refuse, u in draws:
        c.score = s
        c.slot.last_score = s
        cadre = c.slot.purchaser.cadre
        new_broom = False
        if cadre is not None:
            tie = cadre.strengthen(c.ngo, -0.2 if refuse else growth * s)
            new_broom = cadre.arrived == year and u < chance and tie < TIE_THRESHOLD
        if c.end > year and (s < termination or new_broom):
            c.terminated = True
            record.early_terminations += 1
    mean = batch.per_ngo(scores) / np.maximum(batch.held(), 1)
    for ngo, k, avg in zip(batch.ngos, batch.held().tolist(), mean.tolist(), strict=True):
        if k:
            ngo.reputation = REPUTATION_MEMORY * ngo.reputation + (1 - REPUTATION_MEMORY) * avg
            ngo.track_record += k
