"""Outcome measures: what is counted each year, the yearly series and the run summary.

Outcome names are stable public API. Each is defined in :data:`OUTCOMES` for two
views: ``series()`` (one value per model year) and ``summary()`` (one value per run).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from types import MappingProxyType

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Outcome:
    """Definition of one outcome measure.

    Attributes:
        name: Stable public name.
        unit: Unit (``share`` for values in [0, 1]).
        yearly: What the value in ``series()`` counts for one year.
        summary: What the value in ``summary()`` counts for the whole run.
    """

    name: str
    unit: str
    yearly: str
    summary: str


_DEFINED = [
    Outcome(
        "ngo_survival",
        "share",
        "Share of the NGOs present at the start that are still active at year end.",
        "Share of the NGOs present at the start still active at the end of the run.",
    ),
    Outcome(
        "active_ngos",
        "NGOs",
        "Active NGOs at year end.",
        "Active NGOs at the end of the run.",
    ),
    Outcome(
        "ngo_entries",
        "NGOs",
        "NGOs registered during the year.",
        "NGOs registered over the run.",
    ),
    Outcome(
        "ngo_exits",
        "NGOs",
        "NGOs that exited during the year (insolvency or dormancy).",
        "NGOs that exited over the run.",
    ),
    Outcome(
        "provider_turnover",
        "share",
        "Among awarded tenders for slots that had a provider before, the share won "
        "by a different NGO.",
        "The same, pooled over all tenders of the run.",
    ),
    Outcome(
        "repeat_award_rate",
        "share",
        "Share of awards won by an NGO that had held a contract from the same purchaser before.",
        "The same, pooled over all awards of the run.",
    ),
    Outcome(
        "tied_award_share",
        "share",
        "Share of awards won by an NGO whose head has a personal tie of strength "
        ">= 0.3 to the awarding official.",
        "The same, pooled over the run.",
    ),
    Outcome(
        "bids_per_tender",
        "bids",
        "Mean number of bids per tender.",
        "Bids per tender, pooled over the run.",
    ),
    Outcome(
        "failed_tender_rate",
        "share",
        "Share of tenders with no acceptable bid (the slot stays empty a year).",
        "The same, pooled over the run.",
    ),
    Outcome(
        "provider_diversity",
        "share",
        "Distinct NGOs holding contracts divided by contracts in force (1 = every "
        "contract with a different NGO).",
        "Mean of the yearly values.",
    ),
    Outcome(
        "hhi",
        "index",
        "Herfindahl-Hirschman index of providers' shares of contract value in "
        "force, per city, averaged over cities (1 = one provider holds all).",
        "Mean of the yearly values.",
    ),
    Outcome(
        "dependence_mean",
        "share",
        "Mean over active NGOs with revenue of government payments over total revenue.",
        "Mean of the yearly values.",
    ),
    Outcome(
        "dependence_high_share",
        "share",
        "Share of active NGOs whose dependence is at least `dependence_threshold`.",
        "Mean of the yearly values.",
    ),
    Outcome(
        "service_coverage",
        "share",
        "Share of funded service slots with a provider delivering in the year.",
        "Mean of the yearly values.",
    ),
    Outcome(
        "service_slots",
        "slots",
        "Service slots (contracts) funded by purchasers in the year.",
        "Service slots funded in the last year of the run.",
    ),
    Outcome(
        "provider_share",
        "share",
        "Share of the NGOs active during the year that held at least one contract.",
        "Mean of the yearly values.",
    ),
    Outcome(
        "public_spend",
        "CNY",
        "Government payments to NGOs in the year.",
        "Government payments to NGOs over the run.",
    ),
    Outcome(
        "service_quality",
        "index",
        "Mean real (hidden) quality of the contract-years delivered in the year.",
        "Mean over all contract-years of the run.",
    ),
    Outcome(
        "score_quality_corr",
        "correlation",
        "Pearson correlation between evaluation score and real quality across the "
        "year's contract-years (NaN with fewer than 3).",
        "The same across all contract-years of the run.",
    ),
    Outcome(
        "bid_inflation",
        "ratio",
        "Mean over the year's winning bids of promised over required direct-service "
        "hours, minus 1.",
        "The same over all winning bids of the run.",
    ),
    Outcome(
        "hours_delivered_ratio",
        "share",
        "Direct-service hours delivered over hours promised, summed over contracts.",
        "The same, summed over the run.",
    ),
    Outcome(
        "documentation_share",
        "share",
        "Share of all active NGOs' staff hours spent on documentation for evaluators.",
        "The same, summed over the run.",
    ),
    Outcome(
        "extra_duty_share",
        "share",
        "Share of all active NGOs' staff hours spent on unpaid extra duties ordered by officials.",
        "The same, summed over the run.",
    ),
    Outcome(
        "mission_share",
        "share",
        "Share of all active NGOs' staff hours left for their own mission work.",
        "The same, summed over the run.",
    ),
    Outcome(
        "staff_turnover",
        "share",
        "Social workers who quit at year end over workers employed in the year "
        "(layoffs not counted).",
        "The same, summed over the run.",
    ),
    Outcome(
        "early_terminations",
        "contracts",
        "Contracts ended before their term for a score below `termination_score` "
        "or by a newly arrived official.",
        "Total over the run.",
    ),
]

OUTCOMES: MappingProxyType[str, Outcome] = MappingProxyType({o.name: o for o in _DEFINED})
"""Every outcome by its stable name, in a fixed order."""


@dataclass
class YearRecord:
    """Counters for one model year, filled by the submodels as the year runs.

    Every field but ``year`` is a sum over cities, so the records of one year from
    disjoint sets of cities add up with :func:`combine`. Means and the score-quality
    correlation are kept as sums (of values, squares and products) for the same reason.
    """

    year: int
    tenders: int = 0
    bids: int = 0
    failed: int = 0
    awards: int = 0
    with_incumbent: int = 0
    incumbent_lost: int = 0
    repeat_awards: int = 0
    tied_awards: int = 0
    newcomer_bids: int = 0
    inflation_sum: float = 0.0
    entries: int = 0
    exits: int = 0
    active_ngos: int = 0
    initial_alive: int = 0
    initial_total: int = 0
    providers: int = 0
    contracts: int = 0
    hhi_sum: float = 0.0
    hhi_cities: int = 0
    ngos_delivering: int = 0
    dependence_sum: float = 0.0
    dependence_ngos: int = 0
    dependence_high: int = 0
    slots_funded: int = 0
    slots_served: int = 0
    gov_payments: float = 0.0
    other_income: float = 0.0
    activities: float = 0.0
    overheads: float = 0.0
    wages: float = 0.0
    entry_reserves: float = 0.0
    exit_reserves: float = 0.0
    reserves_start: float = 0.0
    reserves_end: float = 0.0
    budget: float = 0.0
    hours_service: float = 0.0
    hours_documentation: float = 0.0
    hours_extra: float = 0.0
    hours_mission: float = 0.0
    promised_hours: float = 0.0
    required_hours: float = 0.0
    delivered_hours: float = 0.0
    duty_orders: int = 0
    duty_refusals: int = 0
    scored: int = 0
    score_sum: float = 0.0
    score_sq: float = 0.0
    quality_sum: float = 0.0
    quality_sq: float = 0.0
    score_quality: float = 0.0
    staff: int = 0
    quits: int = 0
    early_terminations: int = 0

    def add_scores(self, scores: np.ndarray, qualities: np.ndarray) -> None:
        """Add contract-years' evaluation scores and their real qualities."""
        self.scored += len(scores)
        self.score_sum += float(scores.sum())
        self.score_sq += float(scores @ scores)
        self.quality_sum += float(qualities.sum())
        self.quality_sq += float(qualities @ qualities)
        self.score_quality += float(scores @ qualities)

    @property
    def hours_total(self) -> float:
        """All staff hours of active NGOs in the year."""
        return self.hours_service + self.hours_documentation + self.hours_extra + self.hours_mission


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else float("nan")


FLAT = 1e-12
"""Relative spread below which a set of scores or qualities counts as constant (no
correlation): sums of squares leave rounding of this order where the spread is 0."""


def _score_quality_corr(r: YearRecord) -> float:
    """Pearson correlation of scores and qualities over ``r``'s contract-years (NaN for
    fewer than 3 or a constant variable)."""
    n = r.scored
    if n < 3:
        return float("nan")
    vs = r.score_sq - r.score_sum**2 / n
    vq = r.quality_sq - r.quality_sum**2 / n
    if vs <= FLAT * r.score_sq or vq <= FLAT * r.quality_sq:
        return float("nan")
    cov = r.score_quality - r.score_sum * r.quality_sum / n
    return max(-1.0, min(1.0, cov / math.sqrt(vs * vq)))


_COUNTERS = tuple(f.name for f in fields(YearRecord) if f.name != "year")


def combine(records: Sequence[YearRecord], year: int | None = None) -> YearRecord:
    """Add up records field by field.

    The records of one year from disjoint sets of cities combine into that year's
    record for all of them; the records of several years combine into run totals (whose
    flows are meaningful, and whose stocks are not).

    Args:
        records: The records to add up.
        year: The year of the result (default: that of the last record, or 0).
    """
    total = YearRecord(year=year if year is not None else (records[-1].year if records else 0))
    for name in _COUNTERS:
        # Added left to right, as ``sum()`` did before Python 3.12 compensated float
        # sums: the same seed gives the same digits on every Python.
        value = getattr(total, name)
        for r in records:
            value += getattr(r, name)
        setattr(total, name, value)
    return total


def _flow_outcomes(r: YearRecord) -> dict[str, float]:
    hours = r.hours_total
    return {
        "provider_turnover": _ratio(r.incumbent_lost, r.with_incumbent),
        "repeat_award_rate": _ratio(r.repeat_awards, r.awards),
        "tied_award_share": _ratio(r.tied_awards, r.awards),
        "bids_per_tender": _ratio(r.bids, r.tenders),
        "failed_tender_rate": _ratio(r.failed, r.tenders),
        "public_spend": r.gov_payments,
        "service_quality": _ratio(r.quality_sum, r.scored),
        "score_quality_corr": _score_quality_corr(r),
        "bid_inflation": _ratio(r.inflation_sum, r.awards),
        # Delivered never exceeds promised; min() removes float rounding above 1.
        "hours_delivered_ratio": _ratio(min(r.delivered_hours, r.promised_hours), r.promised_hours),
        "documentation_share": _ratio(r.hours_documentation, hours),
        "extra_duty_share": _ratio(r.hours_extra, hours),
        "mission_share": _ratio(r.hours_mission, hours),
        "staff_turnover": _ratio(r.quits, r.staff),
        "early_terminations": float(r.early_terminations),
        "ngo_entries": float(r.entries),
        "ngo_exits": float(r.exits),
    }


def yearly(r: YearRecord) -> dict[str, float]:
    """Every outcome for one year, as defined in ``OUTCOMES[name].yearly``."""
    out = {
        "ngo_survival": _ratio(r.initial_alive, r.initial_total),
        "active_ngos": float(r.active_ngos),
        "provider_diversity": _ratio(r.providers, r.contracts),
        "hhi": _ratio(r.hhi_sum, r.hhi_cities),
        "dependence_mean": _ratio(r.dependence_sum, r.dependence_ngos),
        "dependence_high_share": _ratio(r.dependence_high, r.dependence_ngos),
        "service_coverage": _ratio(r.slots_served, r.slots_funded),
        "service_slots": float(r.slots_funded),
        "provider_share": _ratio(r.providers, r.ngos_delivering),
    }
    out.update(_flow_outcomes(r))
    return {name: out[name] for name in OUTCOMES}


def summarise(records: list[YearRecord]) -> dict[str, float]:
    """Every outcome for a whole run, as defined in ``OUTCOMES[name].summary``."""
    if not records:
        return {name: float("nan") for name in OUTCOMES}
    years = [yearly(r) for r in records]
    last = records[-1]
    out = {
        "ngo_survival": _ratio(last.initial_alive, last.initial_total),
        "active_ngos": float(last.active_ngos),
        "service_slots": float(last.slots_funded),
    }
    for name in (
        "provider_share",
        "provider_diversity",
        "hhi",
        "dependence_mean",
        "dependence_high_share",
        "service_coverage",
    ):
        values = [y[name] for y in years if not math.isnan(y[name])]
        out[name] = float(np.mean(values)) if values else float("nan")
    out.update(_flow_outcomes(combine(records)))
    return {name: out[name] for name in OUTCOMES}


def frame(records: Sequence[YearRecord]) -> pd.DataFrame:
    """One row per record: a ``year`` column, then every outcome as in :func:`yearly`."""
    rows = [yearly(r) for r in records]
    df = pd.DataFrame(rows, columns=list(OUTCOMES), dtype=float)
    df.insert(0, "year", np.array([r.year for r in records], dtype=np.int64))
    return df
