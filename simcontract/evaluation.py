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
from simcontract.tendering import TIE_THRESHOLD

if TYPE_CHECKING:
    from simcontract.agents import NGO, City, Contract
    from simcontract.metrics import YearRecord
    from simcontract.model import ContractingModel

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
    rng = model.rng
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


def score(
    model: ContractingModel,
    evaluator: Evaluator,
    contract: Contract,
    doc_needed: float,
    p: dict[str, Any],
) -> float:
    """Evaluation score of one contract-year in [0, 1].

    ``score = w . (hours, documents, outcome) + N(0, noise) - refusal_penalty *
    refused``, where ``hours = min(1, delivered / promised)``, ``documents =
    min(1, documentation / doc_needed)`` and ``outcome = quality + N(0, noise)``.
    """
    noise = p["evaluation_noise"]
    rng = model.rng
    hours = min(1.0, contract.delivered_hours / contract.promised_hours)
    docs = min(1.0, contract.documentation_hours / doc_needed) if doc_needed > 0 else 1.0
    outcome = contract.quality + rng.normal(0.0, noise)
    value = float(evaluator.weights @ np.array([hours, docs, outcome]))
    value += rng.normal(0.0, noise)
    if contract.refused_duties:
        value -= p["refusal_penalty"]
    return min(1.0, max(0.0, value))


def evaluate_ngo(
    model: ContractingModel,
    city: City,
    ngo: NGO,
    doc_needs: list[float],
    p: dict[str, Any],
    record: YearRecord,
) -> None:
    """Score the NGO's contracts and apply the consequences.

    Reputation becomes ``0.6 * reputation + 0.4 * mean(scores)``; the purchaser's
    current official's tie grows by ``tie_growth * score`` (or falls by 0.2 after a refusal of
    extra duties); a score below ``termination_score`` ends a contract that has years
    left, and so may a newly arrived official without a tie of at least
    ``TIE_THRESHOLD`` to the provider (chance ``0.25 * reshuffle`` in the official's
    first year).
    """
    if not ngo.contracts:
        return
    scores = []
    for c, need in zip(ngo.contracts, doc_needs, strict=True):
        evaluator = city.district_evaluator[c.purchaser.district]
        c.score = score(model, evaluator, c, need, p)
        c.slot.last_score = c.score
        scores.append(c.score)
        record.scores.append(c.score)
        record.qualities.append(c.quality)
        cadre = c.purchaser.cadre
        if cadre is not None:
            if c.refused_duties:
                cadre.strengthen(ngo, -0.2)
            else:
                cadre.strengthen(ngo, p["tie_growth"] * c.score)
        new_broom = (
            cadre is not None
            and c.purchaser.years_at_post() == 0
            and model.year > 1
            and cadre.tie(ngo) < TIE_THRESHOLD
            and model.rng.random() < 0.25 * p["reshuffle"]
        )
        if c.end > model.year and (c.score < p["termination_score"] or new_broom):
            c.terminated = True
            record.early_terminations += 1
    ngo.reputation = REPUTATION_MEMORY * ngo.reputation + (1 - REPUTATION_MEMORY) * float(
        np.mean(scores)
    )
    ngo.track_record += len(ngo.contracts)
