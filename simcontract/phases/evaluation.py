"""Third-party evaluation: evaluators' indicators, scores, and what scores do.

Each evaluator scores a contract on three indicators: hours (delivered over promised
hours), documents (documentation hours over what it demands) and outcome (real quality
seen with noise). Its weights start from the regime's base weights and differ between
evaluators by ``evaluator_heterogeneity``.

Evaluation agencies change: at the end of each year an agency's engagement ends with
chance ``1 / evaluator_tenure`` and a new agency with its own indicators takes over its
districts. "IFSCs had to change the structure and contents of their services in the face
of frequent changes in the evaluation agencies"; "We have experienced two evaluation
systems over the past two years and have to encounter a new one next year. ... Our
social workers are annoyed with this and they have no idea what they need to do now"
(Guangzhou IFSC study n.d.). An NGO judged by a new system for the first years scores
with more noise (:func:`unfamiliarity`) and needs more documentation (see
:func:`simcontract.phases.delivery.documentation_needs`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from simcontract.agents import Evaluator
from simcontract.batch import column
from simcontract.params import INDICATORS, REGIMES

if TYPE_CHECKING:
    from collections.abc import Mapping

    from simcontract.agents import City
    from simcontract.batch import YearBatch
    from simcontract.outcomes import YearRecord
    from simcontract.scenario import Rules

DOCUMENTS, OUTCOME = 1, 2
"""Columns of the documents and outcome indicators in (hours, documents, outcome)."""

EVALUATOR_PARAMETERS = (
    "evaluation",
    "n_evaluators",
    "evaluator_heterogeneity",
    *(f"{regime}_regime_{indicator}" for regime in REGIMES for indicator in INDICATORS),
)
"""Parameters that shape evaluators; a dated change of any of them replaces them."""


def base_weights(rules: Mapping[str, Any]) -> np.ndarray:
    """Base weights of the (hours, documents, outcome) indicators under the regime in
    force (``<regime>_regime_<indicator>``), before an agency's own variation."""
    regime = rules["evaluation"]
    return np.array([rules[f"{regime}_regime_{indicator}"] for indicator in INDICATORS])


def new_evaluator(city: City, rules: Mapping[str, Any], *, switched_in: bool = False) -> Evaluator:
    """Draw one evaluation agency's indicator system.

    It gets weights ``base * exp(h * N(0, 1))`` (renormalised) and a documentation
    intensity ``1 + h * U(0, 1)``, with ``h`` the heterogeneity.
    """
    h = rules["evaluator_heterogeneity"]
    raw = base_weights(rules) * np.exp(h * city.rng.normal(0.0, 1.0, 3))
    intensity = 1.0 + h * city.rng.random()
    return Evaluator(city.model, city.index, raw / raw.sum(), intensity, switched_in=switched_in)


def make_evaluators(city: City, rules: Mapping[str, Any]) -> None:
    """Create the city's evaluators (replacing any, :func:`new_evaluator`) and assign
    districts to them."""
    for old in city.evaluators:
        old.remove()
    city.evaluators = [new_evaluator(city, rules) for _ in range(rules["n_evaluators"])]
    order = city.rng.permutation(rules["districts_per_city"])
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
    arrived official (chance ``new_broom_termination * reshuffle * (1 - tie)`` in the
    official's first year, ``tie`` his tie to the provider: as in his markdown of past
    providers at tender, a strong tie spares it).
    """
    batch = city.batch
    cs = batch.contracts
    if not cs:
        return
    m = len(cs)
    scores, quality, refused = score_contracts(city, rules)
    record.add_scores(scores, quality)
    record.disagreement_sum += float(second_opinion_gap(city, rules).sum())
    learn_systems(batch, record)
    year = rules.year
    chance = rules["new_broom_termination"] * rules["reshuffle"]
    # Drawn whatever the chance, so that reshuffle changes no other draw.
    lottery = city.rng.random(m) if year > 1 else np.ones(m)
    termination = rules["termination_score"]
    cut = -rules["refusal_tie_cut"]
    running = (batch.contract_values("end") > year).tolist()
    batch.put_contracts("score", scores)
    draws = zip(cs, scores.tolist(), refused.tolist(), lottery.tolist(), running, strict=True)
    for c, s, refuse, u, years_left in draws:
        c.slot.last_score = s
        cadre = c.slot.purchaser.cadre
        new_broom = False
        if cadre is not None:
            tie = cadre.strengthen(c.ngo, cut) if refuse else cadre.tie(c.ngo)
            new_broom = cadre.arrived == year and u < chance * (1.0 - tie)
        if years_left and (s < termination or new_broom):
            c.terminated = True
            record.early_terminations += 1
    held = batch.held()
    mean = batch.per_ngo(scores) / np.maximum(held, 1)
    memory = rules["reputation_memory"]
    judged = held > 0
    reputation = batch.get("reputation")
    reputation[judged] = memory * reputation[judged] + (1 - memory) * mean[judged]
    batch.put("reputation", reputation)
    batch.put("track_record", batch.get("track_record") + held)


def replace_agencies(city: City, rules: Rules, record: YearRecord) -> None:
    """As the year closes, evaluation agencies whose engagement ends give way to new ones.

    Each agency's engagement ends with chance ``1 / evaluator_tenure`` (never when the
    tenure is 0); a new agency (:func:`new_evaluator`, with its own indicators) takes
    over its districts. One draw per agency, and none when agencies never change.
    """
    tenure = rules["evaluator_tenure"]
    if tenure <= 0 or not city.evaluators:
        return
    ends = city.rng.random(len(city.evaluators)) < 1.0 / tenure
    for i in np.flatnonzero(ends).tolist():
        old = city.evaluators[i]
        new = new_evaluator(city, rules, switched_in=True)
        city.evaluators[i] = new
        city.district_evaluator = [new if e is old else e for e in city.district_evaluator]
        old.remove()
        record.evaluator_changes += 1


def unfamiliarity(batch: YearBatch, rules: Mapping[str, Any]) -> np.ndarray:
    """How new each contract's evaluation system still is to its NGO, in [0, 1].

    ``exp(-y / indicator_learning_scale)`` with ``y`` the years the NGO has been judged
    by the contract's evaluator, if that agency took over during the run; 0 under the
    agencies the market started with (or that a dated rule change brought), whose
    indicators NGOs know from the start.
    """
    evaluators = batch.city.evaluators
    cs = batch.contracts
    if not any(e.switched_in for e in evaluators):
        return np.zeros(len(cs))
    new = column(evaluators, "switched_in", bool)[batch.evaluator()]
    return np.where(new, np.exp(-batch.judged() / rules["indicator_learning_scale"]), 0.0)


def learn_systems(batch: YearBatch, record: YearRecord) -> None:
    """Each NGO counts one more year under every new agency that judged it this year;
    the contract-years of an NGO's first year under such an agency are counted."""
    evaluators = batch.city.evaluators
    pairs = [
        (c.ngo, evaluators[k].unique_id)
        for c, k in zip(batch.contracts, batch.evaluator().tolist(), strict=True)
        if evaluators[k].switched_in
    ]
    record.new_system_years += sum(uid not in ngo.systems for ngo, uid in pairs)
    for ngo, uid in dict.fromkeys(pairs):
        ngo.systems[uid] = ngo.systems.get(uid, 0) + 1


def _indicators(batch: YearBatch) -> np.ndarray:
    """Each contract's (hours, documentation over needs, real quality), unclipped: a
    copy of ``batch.indicators``, gathered at the first call."""
    if batch.indicators is None:
        cs = batch.contracts
        m = len(cs)
        delivered = batch.contract_values("delivered_hours")
        hours = np.minimum(1.0, delivered / batch.term("promised_hours"))
        need = batch.doc_needs
        docs = batch.contract_values("documentation_hours")
        docs = np.divide(docs, need, out=np.ones(m), where=need > 0)
        batch.indicators = np.stack([hours, docs, batch.contract_values("quality")], axis=1)
    return batch.indicators.copy()


def _systematic(
    weights: np.ndarray, indicators: np.ndarray, refused: np.ndarray, rules: Mapping[str, Any]
) -> np.ndarray:
    """Scores without noise: ``clip(w . (hours, min(1, docs), quality) - refusal_penalty
    * refused, 0, 1)``."""
    seen = indicators.copy()
    seen[:, DOCUMENTS] = np.minimum(1.0, seen[:, DOCUMENTS])
    value = (weights * seen).sum(axis=1) - rules["refusal_penalty"] * refused
    return np.clip(value, 0.0, 1.0)


def second_opinion_gap(city: City, rules: Mapping[str, Any]) -> np.ndarray:
    """How far a second evaluator of the city would disagree on each contract-year.

    The second evaluator of a contract judged by evaluator ``i`` is evaluator ``i + 1``
    (cyclically) of ``city.evaluators``; it reads the same hours, documentation and real
    quality through its own weights, the documentation against its own intensity
    (``docs * intensity_i / intensity_j``). The gap is ``|s_i - s_j|`` between the two
    scores without noise (:func:`_systematic`): no random draw, and 0 when the city has
    one evaluator or evaluators do not differ.
    """
    batch = city.batch
    evaluators = city.evaluators
    which = batch.evaluator()
    other = (which + 1) % len(evaluators)
    weights = np.array([e.weights for e in evaluators])
    intensity = column(evaluators, "doc_intensity")
    indicators = _indicators(batch)
    refused = batch.contract_values("refused_duties")
    own = _systematic(weights[which], indicators, refused, rules)
    indicators[:, DOCUMENTS] *= intensity[which] / intensity[other]
    return np.abs(own - _systematic(weights[other], indicators, refused, rules))


def score_contracts(city: City, rules: Rules) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each contract-year's evaluation score, in [0, 1].

    ``clip(w . (hours, documents, outcome) + N(0, noise) * (1 + indicator_learning_noise
    * evaluator_heterogeneity * u) - refusal_penalty * refused, 0, 1)`` with ``w`` the
    weights of the contract's evaluator, ``hours = min(1, delivered / promised)``,
    ``documents = min(1, documentation / needed)`` (1 when nothing is needed), ``outcome =
    quality + N(0, noise)``, ``noise = evaluation_noise`` and ``u`` the system's
    :func:`unfamiliarity` to the NGO: an NGO that has "no idea what they need to do now"
    meets a new system's indicators by chance.

    Returns:
        The scores, the real qualities and whether extra duties were refused, per
        contract of ``city.batch``.
    """
    batch = city.batch
    cs = batch.contracts
    m = len(cs)
    indicators = _indicators(batch)
    indicators[:, DOCUMENTS] = np.minimum(1.0, indicators[:, DOCUMENTS])
    draws = city.rng.normal(0.0, rules["evaluation_noise"], (2, m))
    quality = indicators[:, OUTCOME].copy()
    indicators[:, OUTCOME] += draws[0]
    weights = np.array([e.weights for e in city.evaluators])[batch.evaluator()]
    refused = batch.contract_values("refused_duties")
    learning = rules["indicator_learning_noise"] * rules["evaluator_heterogeneity"]
    noise = draws[1] * (1.0 + learning * unfamiliarity(batch, rules))
    value = (weights * indicators).sum(axis=1) + noise
    scores = np.clip(value - rules["refusal_penalty"] * refused, 0.0, 1.0)
    return scores, quality, refused
