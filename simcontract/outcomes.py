"""Outcome measures: what a year counts, and every outcome declared once.

The phases of a year add to the counters of a :class:`YearRecord` (one per year, summed
over cities). Each outcome in :data:`OUTCOMES` is declared once, with its name (stable
public API), unit, definitions, the ``measure`` that computes it from a record, and how
a run pools it (``pooling``):

- ``"pooled"``: the measure of the run's summed counters (a flow over the whole run);
- ``"mean"``: the mean of the yearly values, years where it is undefined left out;
- ``"last"``: the value in the last year (a stock at the end of the run).

``series()`` (one value per model year, :func:`frame`), ``summary()`` (one per run,
:func:`summarise`), the Mesa ``DataCollector``, the documentation, the command line and
the app all read these declarations.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from simcontract.named import Named
from simcontract.params import ORIGINS

POOLINGS = ("pooled", "mean", "last")
"""How a run's value of an outcome is formed from its years (see the module docstring)."""

PER = ("purchaser", "year")
"""What a comparable form of an outcome is per (see ``Outcome.per``)."""

TOP_PROVIDERS = 5
"""Number of largest providers whose share of contract money ``top5_money_share`` counts."""

SMALL_STREET = 30_000
"""Residents below which a centre's street counts as small in
``street_size_quality_gap`` (the lower third of the Guangzhou range, 3,000 to 90,000)."""

LARGE_STREET = 60_000
"""Residents from which a centre's street counts as large in
``street_size_quality_gap`` (the upper third of the Guangzhou range)."""

ORIGIN_MONEY = MappingProxyType({origin: f"money_{origin}" for origin in ORIGINS})
"""The counter of contract money held by the NGOs of each origin."""


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative ``values`` sorted in ascending order (0 when
    all are equal; ``(n - 1) / n`` when one holds everything; NaN when they sum to 0)."""
    n = len(values)
    total = float(values.sum())
    if n == 0 or total <= 0:
        return float("nan")
    rank = np.arange(1, n + 1)
    return float(2.0 * (rank @ values) / (n * total) - (n + 1) / n)


@dataclass(slots=True)
class YearRecord:
    """Counters for one model year, filled by the phases as the year runs.

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
    incumbent_tenders: int = 0
    incumbent_defeats: int = 0
    repeat_awards: int = 0
    tied_awards: int = 0
    tied_bid_share_sum: float = 0.0
    newcomer_bids: int = 0
    inflation_sum: float = 0.0
    entries: int = 0
    exits: int = 0
    active_ngos: int = 0
    active_agencies: int = 0
    agencies_delivering: int = 0
    agency_providers: int = 0
    agency_contracts: int = 0
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
    hours_cultivation: float = 0.0
    hours_mission: float = 0.0
    hours_advocacy: float = 0.0
    hours_directed: float = 0.0
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
    residents_served: float = 0.0
    street_hours: float = 0.0
    small_streets: int = 0
    small_quality_sum: float = 0.0
    large_streets: int = 0
    large_quality_sum: float = 0.0
    disagreement_sum: float = 0.0
    evaluator_changes: int = 0
    new_system_years: int = 0
    staff: int = 0
    quits: int = 0
    early_terminations: int = 0
    seeking: int = 0
    planning: int = 0
    closures: int = 0
    cofunding: float = 0.0
    churn_slots: int = 0
    churn_changed: int = 0
    employed: int = 0
    layoffs: int = 0
    contract_money: float = 0.0
    money_general: float = 0.0
    money_specialist: float = 0.0
    money_community: float = 0.0
    money_grassroots: float = 0.0
    top_sum: float = 0.0
    gini_sum: float = 0.0
    districts_funded: int = 0
    gap_districts: int = 0
    price_ratio_sum: float = 0.0
    length_sum: int = 0
    never_contracted: int = 0
    entrants_total: int = 0
    entrants_alive: int = 0
    cohort_registered: int = 0
    cohort_alive: int = 0

    def add_exit(self, reserves: float) -> None:
        """Count an NGO that exits with ``reserves`` in hand."""
        self.exits += 1
        self.exit_reserves += reserves

    def add_scores(self, scores: np.ndarray, qualities: np.ndarray) -> None:
        """Add contract-years' evaluation scores and their real qualities."""
        self.scored += len(scores)
        self.score_sum += float(scores.sum())
        self.score_sq += float(scores @ scores)
        self.quality_sum += float(qualities.sum())
        self.quality_sq += float(qualities @ qualities)
        self.score_quality += float(scores @ qualities)

    def add_streets(
        self, populations: np.ndarray, delivered: np.ndarray, qualities: np.ndarray
    ) -> None:
        """Add the contract-years delivered this year at slots serving a street (a
        population above 0): the residents of their streets, the direct-service hours
        delivered there, and their real qualities in small and in large streets."""
        street = populations > 0.0
        self.residents_served += float(populations[street].sum())
        self.street_hours += float(delivered[street].sum())
        small = street & (populations < SMALL_STREET)
        large = populations >= LARGE_STREET
        self.small_streets += int(small.sum())
        self.small_quality_sum += float(qualities[small].sum())
        self.large_streets += int(large.sum())
        self.large_quality_sum += float(qualities[large].sum())

    def add_capture(self, money: np.ndarray, origins: np.ndarray) -> None:
        """Add one city's contract money in force, one entry per active NGO (0 for an
        NGO without a contract) with its origin (index in ``ORIGINS``): the money by
        origin, and the city's top-``TOP_PROVIDERS`` share and Gini coefficient when any
        money is in force."""
        total = float(money.sum())
        self.contract_money += total
        kinds = np.asarray(origins)
        for i, field in enumerate(ORIGIN_MONEY.values()):
            setattr(self, field, getattr(self, field) + float(money[kinds == i].sum()))
        if total > 0:
            ordered = np.sort(money)
            self.top_sum += float(ordered[-TOP_PROVIDERS:].sum()) / total
            self.gini_sum += gini(ordered)

    @property
    def hours_total(self) -> float:
        """All staff hours of active NGOs in the year."""
        return (
            self.hours_service
            + self.hours_documentation
            + self.hours_extra
            + self.hours_cultivation
            + self.hours_mission
            + self.hours_advocacy
        )

    @property
    def hours_autonomous(self) -> float:
        """Staff hours whose use the NGOs decided themselves: own mission work, advocacy
        and contracted service to users that officials did not choose."""
        return self.hours_mission + self.hours_advocacy + self.hours_service - self.hours_directed


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


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else float("nan")


@dataclass(frozen=True)
class Ratio:
    """A measure: one counter over another (NaN when the denominator is 0)."""

    numerator: str
    denominator: str

    def __call__(self, r: YearRecord) -> float:
        return _ratio(getattr(r, self.numerator), getattr(r, self.denominator))

    def __str__(self) -> str:
        return f"{self.numerator} / {self.denominator}"


@dataclass(frozen=True)
class Count:
    """A measure: one counter as it stands."""

    counter: str

    def __call__(self, r: YearRecord) -> float:
        return float(getattr(r, self.counter))

    def __str__(self) -> str:
        return self.counter


@dataclass(frozen=True)
class Formula:
    """A measure computed by a function of the record, with its formula in words."""

    function: Callable[[YearRecord], float]
    text: str

    def __call__(self, r: YearRecord) -> float:
        return self.function(r)

    def __str__(self) -> str:
        return self.text


def _street_size_gap(r: YearRecord) -> float:
    """Mean real quality in small streets minus that in large ones (NaN if either has
    no contract-year)."""
    return _ratio(r.small_quality_sum, r.small_streets) - _ratio(
        r.large_quality_sum, r.large_streets
    )


def _hours_share(part: str) -> Formula:
    return Formula(lambda r: _ratio(getattr(r, part), r.hours_total), f"{part} / hours_total")


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


@dataclass(frozen=True)
class Outcome:
    """Definition of one outcome measure.

    Attributes:
        name: Stable public name.
        unit: Unit: ``share`` for a share of a count and ``index`` for another value
            in [0, 1], ``-difference`` for a difference of two of them; the values
            each unit allows are :data:`~simcontract.experiment.stats.UNIT_RANGES`.
        yearly: What the value in ``series()`` counts for one year.
        summary: What the value in ``summary()`` counts for the whole run.
        measure: The value from a :class:`YearRecord` (``str(measure)`` gives the
            formula in the record's counters).
        pooling: How a run's value is formed from its years: ``"pooled"``, ``"mean"``
            or ``"last"``.
        undefined: When the value is undefined (NaN); empty if it always has a value. A
            run's value is undefined when it is in every year (``"mean"``), in the last
            year (``"last"``) or over the whole run (``"pooled"``).
        horizon: Whether a run's value depends on the run's length by construction (a
            total over the run, a stock at its end, a share surviving all of it), so
            runs of different lengths are not comparable as they stand.
        size: Whether a run's value depends on the size of the market by construction
            (a count of NGOs, slots or money; a concentration bounded by the number of
            NGOs), so markets of different sizes are not comparable as they stand.
        per: The comparable form of a horizon- or size-dependent value (see
            :meth:`comparable`): ``"year"`` divides by the run's years (for a share that
            survives the whole run, takes its annual rate instead), ``"purchaser"``
            divides by the market's purchasers; empty when there is none.
    """

    name: str
    unit: str
    yearly: str
    summary: str
    measure: Callable[[YearRecord], float]
    pooling: str
    undefined: str = ""
    horizon: bool = False
    size: bool = False
    per: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.pooling not in POOLINGS:
            raise ValueError(f"outcome {self.name!r}: pooling must be one of {POOLINGS}")
        if not set(self.per) <= set(PER):
            raise ValueError(f"outcome {self.name!r}: per must name some of {PER}")

    @property
    def compounds(self) -> bool:
        """Whether the per-year form is an annual rate (a share surviving the run)."""
        return "year" in self.per and self.unit == "share"

    @property
    def comparable_name(self) -> str:
        """Name of the comparable form, e.g. ``public_spend_per_purchaser_year`` or
        ``ngo_survival_annual`` (empty when the outcome has none)."""
        if not self.per:
            return ""
        if self.compounds:
            return f"{self.name}_annual"
        return f"{self.name}_per_{'_'.join(self.per)}"

    def comparable(self, value: Any, years: Any, purchasers: Any) -> Any:
        """The comparable form of a run's ``value`` (scalars or arrays alike).

        Args:
            value: The run's value of this outcome (its ``summary()``).
            years: The run's length in years.
            purchasers: The market's purchasers (bureaux and mass organisations of
                every city).
        """
        if "year" in self.per:
            value = value ** (1.0 / years) if self.compounds else value / years
        if "purchaser" in self.per:
            value = value / purchasers
        return value


_SHARE_MEAN = "Mean of the yearly values."

_DEFINED = [
    Outcome(
        "ngo_survival",
        "share",
        "Share of the NGOs present at the start that are still active at year end.",
        "Share of the NGOs present at the start still active at the end of the run.",
        Ratio("initial_alive", "initial_total"),
        "last",
        undefined="no NGO was present at the start",
        horizon=True,
        per=("year",),
    ),
    Outcome(
        "active_ngos",
        "NGOs",
        "Active NGOs at year end.",
        "Active NGOs at the end of the run.",
        Count("active_ngos"),
        "last",
        horizon=True,
        size=True,
        per=("purchaser",),
    ),
    Outcome(
        "active_agencies",
        "NGOs",
        "General social-work agencies (not specialists, community associations or "
        "grassroots groups) active at year end.",
        "General social-work agencies active at the end of the run.",
        Count("active_agencies"),
        "last",
        horizon=True,
        size=True,
        per=("purchaser",),
    ),
    Outcome(
        "ngo_entries",
        "NGOs",
        "NGOs registered during the year.",
        "NGOs registered over the run.",
        Count("entries"),
        "pooled",
        horizon=True,
        size=True,
        per=("purchaser", "year"),
    ),
    Outcome(
        "ngo_exits",
        "NGOs",
        "NGOs that exited during the year (insolvent, or closed by their own decision).",
        "NGOs that exited over the run.",
        Count("exits"),
        "pooled",
        horizon=True,
        size=True,
        per=("purchaser", "year"),
    ),
    Outcome(
        "provider_turnover",
        "share",
        "Among awarded tenders for slots that had a provider before (still active or "
        "not, its contract ended early or not), the share won by a different NGO.",
        "The same, pooled over all tenders of the run.",
        Ratio("incumbent_lost", "with_incumbent"),
        "pooled",
        undefined="no tender for a slot that had a provider before was awarded",
    ),
    Outcome(
        "incumbent_loss_rate",
        "share",
        "Among awarded tenders for slots with an incumbent (the last provider, still "
        "active, whose contract was neither ended early nor by its insolvency), the share "
        "won by another NGO.",
        "The same, pooled over all tenders of the run.",
        Ratio("incumbent_defeats", "incumbent_tenders"),
        "pooled",
        undefined="no tender for a slot with an incumbent was awarded",
    ),
    Outcome(
        "repeat_award_rate",
        "share",
        "Share of awards won by an NGO that had won a contract from the same purchaser in an "
        "earlier year (a second award in the same year is no repeat).",
        "The same, pooled over all awards of the run.",
        Ratio("repeat_awards", "awards"),
        "pooled",
        undefined="no tender was awarded",
        horizon=True,  # the history an award can repeat grows with the run
    ),
    Outcome(
        "tied_award_share",
        "share",
        "Share of awards won by an NGO whose head has a personal tie of strength "
        ">= 0.3 to the awarding official.",
        "The same, pooled over the run.",
        Ratio("tied_awards", "awards"),
        "pooled",
        undefined="no tender was awarded",
    ),
    Outcome(
        "tie_advantage",
        "share-difference",
        "Share of awards won by an NGO with a personal tie of strength >= 0.3 to the "
        "awarding official, less the share tied NGOs would win if each award went to one of "
        "its tender's bidders at random (the mean over awards of the tied share of their "
        "tender's bids): what ties add to tied NGOs' awards, 0 when ties count for nothing "
        "and tied bidders are like the others.",
        "The same, pooled over all awards of the run.",
        Formula(
            lambda r: _ratio(r.tied_awards - r.tied_bid_share_sum, r.awards),
            "(tied_awards - tied_bid_share_sum) / awards",
        ),
        "pooled",
        undefined="no tender was awarded",
    ),
    Outcome(
        "bids_per_tender",
        "bids",
        "Mean number of bids per tender.",
        "Bids per tender, pooled over the run.",
        Ratio("bids", "tenders"),
        "pooled",
        undefined="no slot was tendered",
        size=True,
    ),
    Outcome(
        "failed_tender_rate",
        "share",
        "Share of tenders with no acceptable bid (the slot stays empty a year).",
        "The same, pooled over the run.",
        Ratio("failed", "tenders"),
        "pooled",
        undefined="no slot was tendered",
    ),
    Outcome(
        "provider_diversity",
        "share",
        "Distinct NGOs holding contracts divided by contracts in force (1 = every "
        "contract with a different NGO).",
        _SHARE_MEAN,
        Ratio("providers", "contracts"),
        "mean",
        undefined="no contract was in force",
        size=True,  # at most the number of NGOs over the number of contracts
    ),
    Outcome(
        "hhi",
        "index",
        "Herfindahl-Hirschman index of providers' shares of contract value in "
        "force, per city, averaged over cities (1 = one provider holds all).",
        _SHARE_MEAN,
        Ratio("hhi_sum", "hhi_cities"),
        "mean",
        undefined="no city had a contract in force",
        size=True,  # at least 1 / the number of NGOs
    ),
    Outcome(
        "dependence_mean",
        "share",
        "Mean over active NGOs with revenue of government payments over total revenue.",
        _SHARE_MEAN,
        Ratio("dependence_sum", "dependence_ngos"),
        "mean",
        undefined="no active NGO had revenue",
    ),
    Outcome(
        "dependence_high_share",
        "share",
        "Share of active NGOs with revenue whose dependence is at least `dependence_threshold`.",
        _SHARE_MEAN,
        Ratio("dependence_high", "dependence_ngos"),
        "mean",
        undefined="no active NGO had revenue",
    ),
    Outcome(
        "service_coverage",
        "share",
        "Share of the year's service slots (as `service_slots` counts them) with a "
        "provider delivering in the year.",
        _SHARE_MEAN,
        Ratio("slots_served", "slots_funded"),
        "mean",
        undefined="no slot was funded",
    ),
    Outcome(
        "service_slots",
        "slots",
        "Service slots (contracts) purchasers hold in the year: those the year's budgets "
        "fund, and any beyond them still under a running contract (a budget cut ends no "
        "contract).",
        "The same in the last year of the run.",
        Count("slots_funded"),
        "last",
        horizon=True,  # budgets grow
        size=True,
        per=("purchaser",),
    ),
    Outcome(
        "provider_share",
        "share",
        "Share of the NGOs active during the year that held at least one contract.",
        _SHARE_MEAN,
        Ratio("providers", "ngos_delivering"),
        "mean",
        undefined="no NGO was active",
    ),
    Outcome(
        "agency_provider_share",
        "share",
        "Share of the general social-work agencies active during the year that held at "
        "least one contract.",
        _SHARE_MEAN,
        Ratio("agency_providers", "agencies_delivering"),
        "mean",
        undefined="no general social-work agency was active",
    ),
    Outcome(
        "agency_diversity",
        "share",
        "General social-work agencies holding contracts divided by the contracts in force "
        "they hold: `provider_diversity` over the general agencies alone (1 = every such "
        "contract with a different agency).",
        _SHARE_MEAN,
        Ratio("agency_providers", "agency_contracts"),
        "mean",
        undefined="no general social-work agency held a contract",
        size=True,  # at most the number of agencies over the number of their contracts
    ),
    Outcome(
        "public_spend",
        "CNY",
        "Government payments to NGOs in the year.",
        "Government payments to NGOs over the run.",
        Count("gov_payments"),
        "pooled",
        horizon=True,
        size=True,
        per=("purchaser", "year"),
    ),
    Outcome(
        "service_quality",
        "index",
        "Mean real (hidden) quality of the contract-years delivered in the year.",
        "Mean over all contract-years of the run.",
        Ratio("quality_sum", "scored"),
        "pooled",
        undefined="no contract-year was delivered",
    ),
    Outcome(
        "service_hours_per_1000",
        "hours/1000-residents",
        "Direct-service hours delivered in the year at street centres (bureaux' slots) "
        "per 1,000 residents of the streets whose centres had a provider.",
        "The same, pooled over the run: all years' hours per 1,000 of all years' residents "
        "served (a yearly rate).",
        Formula(
            lambda r: 1000.0 * _ratio(r.street_hours, r.residents_served),
            "1000 * street_hours / residents_served",
        ),
        "pooled",
        undefined="no contract-year was delivered at a street centre",
    ),
    Outcome(
        "street_size_quality_gap",
        "index-difference",
        f"Mean real quality of the year's contract-years in streets of fewer than "
        f"{SMALL_STREET:,} residents minus that in streets of {LARGE_STREET:,} or more.",
        "The same over all contract-years of the run.",
        Formula(
            _street_size_gap,
            "small_quality_sum / small_streets - large_quality_sum / large_streets",
        ),
        "pooled",
        undefined="no contract-year was delivered in a small street, or none in a large one",
    ),
    Outcome(
        "evaluation_score",
        "index",
        "Mean evaluation score of the contract-years delivered in the year (what "
        "purchasers see of the service).",
        "Mean over all contract-years of the run.",
        Ratio("score_sum", "scored"),
        "pooled",
        undefined="no contract-year was delivered",
    ),
    Outcome(
        "score_quality_corr",
        "correlation",
        "Pearson correlation between evaluation score and real quality across the "
        "year's contract-years (NaN with fewer than 3).",
        "The same across all contract-years of the run.",
        Formula(_score_quality_corr, "Pearson correlation from the sums of scores and qualities"),
        "pooled",
        undefined="fewer than 3 contract-years were delivered, or their scores or qualities "
        "were all equal",
    ),
    Outcome(
        "evaluator_disagreement",
        "index",
        "Mean over the year's contract-years of |s - s'|, where s is the score the "
        "contract's evaluator gives without noise and s' the score, without noise, that the "
        "next evaluator of the city would give under its own indicators (0 with one "
        "evaluator).",
        "Mean over all contract-years of the run.",
        Ratio("disagreement_sum", "scored"),
        "pooled",
        undefined="no contract-year was delivered",
    ),
    Outcome(
        "new_system_share",
        "share",
        "Share of the year's contract-years delivered in the NGO's first year under an "
        "evaluation agency that took over from one whose engagement ended during the run (a "
        "new indicator system to learn; an agency a dated rule change brings in does not "
        "count).",
        "The same, pooled over all contract-years of the run.",
        Ratio("new_system_years", "scored"),
        "pooled",
        undefined="no contract-year was delivered",
    ),
    Outcome(
        "bid_inflation",
        "ratio",
        "Mean over the year's winning bids of promised over required direct-service "
        "hours, minus 1.",
        "The same over all winning bids of the run.",
        Ratio("inflation_sum", "awards"),
        "pooled",
        undefined="no tender was awarded",
    ),
    Outcome(
        "hours_delivered_ratio",
        "share",
        "Direct-service hours delivered over hours promised, summed over contracts.",
        "The same, summed over the run.",
        # Delivered never exceeds promised; min() removes float rounding above 1.
        Formula(
            lambda r: _ratio(min(r.delivered_hours, r.promised_hours), r.promised_hours),
            "min(delivered_hours, promised_hours) / promised_hours",
        ),
        "pooled",
        undefined="no direct-service hours were promised",
    ),
    Outcome(
        "documentation_share",
        "share",
        "Share of all active NGOs' staff hours spent on documentation for evaluators.",
        "The same, summed over the run.",
        _hours_share("hours_documentation"),
        "pooled",
        undefined="no NGO was active",
    ),
    Outcome(
        "extra_duty_share",
        "share",
        "Share of all active NGOs' staff hours spent on unpaid extra duties ordered by officials.",
        "The same, summed over the run.",
        _hours_share("hours_extra"),
        "pooled",
        undefined="no NGO was active",
    ),
    Outcome(
        "duty_acceptance",
        "share",
        "Share of the contracts on which officials ordered unpaid extra duties whose "
        "provider accepted them.",
        "The same, pooled over all orders of the run.",
        Formula(
            lambda r: 1.0 - _ratio(r.duty_refusals, r.duty_orders),
            "1 - duty_refusals / duty_orders",
        ),
        "pooled",
        undefined="no extra duties were ordered",
    ),
    Outcome(
        "mission_share",
        "share",
        "Share of all active NGOs' staff hours left for their own mission work (advocacy "
        "not counted).",
        "The same, summed over the run.",
        _hours_share("hours_mission"),
        "pooled",
        undefined="no NGO was active",
    ),
    Outcome(
        "advocacy_share",
        "share",
        "Share of all active NGOs' staff hours spent on advocacy (speaking for their users, "
        "taking part in policy-making).",
        "The same, summed over the run.",
        _hours_share("hours_advocacy"),
        "pooled",
        undefined="no NGO was active",
    ),
    Outcome(
        "autonomy_share",
        "share",
        "Share of all active NGOs' staff hours whose use the NGOs decided themselves: own "
        "mission work, advocacy, and contracted service to users that officials did not "
        "choose (not documentation, extra duties, courting officials or directed service).",
        "The same, summed over the run.",
        Formula(
            lambda r: _ratio(r.hours_autonomous, r.hours_total),
            "(hours_mission + hours_advocacy + hours_service - hours_directed) / hours_total",
        ),
        "pooled",
        undefined="no NGO was active",
    ),
    Outcome(
        "staff_turnover",
        "share",
        "Social workers who quit at year end over the workers of the NGOs still active "
        "then (layoffs, and the workers of NGOs that exited during the year, not counted).",
        "The same, pooled over the run: all years' quits over all years' workers.",
        Ratio("quits", "staff"),
        "pooled",
        undefined="no NGO was still active after settlement (no worker could quit)",
    ),
    Outcome(
        "opt_out_share",
        "share",
        "Share of the active NGOs that chose not to seek new contracts in the year (some "
        "still deliver contracts they hold).",
        _SHARE_MEAN,
        Formula(lambda r: 1.0 - _ratio(r.seeking, r.planning), "1 - seeking / planning"),
        "mean",
        undefined="no NGO was active",
    ),
    Outcome(
        "early_terminations",
        "contracts",
        "Contracts ended before their term for a score below `termination_score` "
        "or by a newly arrived official.",
        "Total over the run.",
        Count("early_terminations"),
        "pooled",
        horizon=True,
        size=True,
        per=("purchaser", "year"),
    ),
    Outcome(
        "provider_churn",
        "share",
        "Among funded slots served this year that were also served last year, the share "
        "whose provider changed (slot-years, so comparable across contract lengths).",
        "The same, pooled over all slot-years of the run.",
        Ratio("churn_changed", "churn_slots"),
        "pooled",
        undefined="no slot was served both this year and last year (always so in year 1)",
    ),
    Outcome(
        "staff_separation_rate",
        "share",
        "Social workers who quit or were let go (fewer contracts to staff, or their NGO "
        "exited) over workers employed at any time in the year.",
        "The same, summed over the run.",
        Formula(lambda r: _ratio(r.quits + r.layoffs, r.employed), "(quits + layoffs) / employed"),
        "pooled",
        undefined="no social worker was employed",
    ),
    Outcome(
        "top5_money_share",
        "share",
        f"Share of contract money in force held by the {TOP_PROVIDERS} largest providers, "
        "per city, averaged over cities.",
        _SHARE_MEAN,
        Ratio("top_sum", "hhi_cities"),
        "mean",
        undefined="no city had a contract in force",
        size=True,  # 1 wherever a city has at most that many providers
    ),
    Outcome(
        "contract_money_gini",
        "index",
        "Gini coefficient of contract money in force across the active NGOs (those "
        "without a contract hold 0), per city, averaged over cities.",
        _SHARE_MEAN,
        Ratio("gini_sum", "hhi_cities"),
        "mean",
        undefined="no city had a contract in force",
        size=True,  # at least 1 - contracts / active NGOs, and at most (n - 1) / n
    ),
    *(
        Outcome(
            f"money_share_{origin}",
            "share",
            f"Share of contract money in force held by NGOs of origin `{origin}`.",
            _SHARE_MEAN,
            Ratio(field, "contract_money"),
            "mean",
            undefined="no contract was in force",
        )
        for origin, field in ORIGIN_MONEY.items()
    ),
    Outcome(
        "gap_district_share",
        "share",
        "Share of the districts with funded slots where at least one funded slot has no "
        "provider in the year (a service gap).",
        _SHARE_MEAN,
        Ratio("gap_districts", "districts_funded"),
        "mean",
        undefined="no district had a funded slot",
    ),
    Outcome(
        "winning_price_ratio",
        "ratio",
        "Mean over the year's winning bids of the bid price over the price ceiling "
        "(`contract_value`).",
        "The same over all winning bids of the run.",
        Ratio("price_ratio_sum", "awards"),
        "pooled",
        undefined="no tender was awarded",
    ),
    Outcome(
        "contract_length_mean",
        "years",
        "Mean over the year's awards of the contract's agreed length (one year, or "
        "`contract_years` when the finance bureau authorised a multi-year contract; in "
        "year 1 the agreed length, not the years left of it).",
        "The same over all awards of the run.",
        Ratio("length_sum", "awards"),
        "pooled",
        undefined="no tender was awarded",
    ),
    Outcome(
        "never_contracted_share",
        "share",
        "Share of the NGOs active at year end that have never held a contract (in the "
        "run, or before it for the initial NGOs).",
        "The same at the end of the run.",
        Ratio("never_contracted", "active_ngos"),
        "last",
        undefined="no NGO was active",
        horizon=True,  # a longer run gives more rounds in which to win a first contract
    ),
    Outcome(
        "entrant_survival",
        "share",
        "Share of the NGOs registered since the start that are still active at year end.",
        "Share of the NGOs registered during the run still active at its end.",
        Ratio("entrants_alive", "entrants_total"),
        "last",
        undefined="no NGO has registered since the start",
        horizon=True,  # early entrants have had longer to fail
    ),
    Outcome(
        "entrant_survival_3y",
        "share",
        "Share of the NGOs that registered two years before this year still active at "
        "its end: entrants judged at the end of their third year (`ENTRANT_AGE`), so a "
        "lever that changes how many register late in a run does not change their age.",
        "The same pooled over the run's years: of the entrants that reached the end of "
        "their third year within the run, the share still active then.",
        Ratio("cohort_alive", "cohort_registered"),
        "pooled",
        undefined="no NGO registered two years before (in years 1 and 2: always)",
    ),
]


def _unknown(name: str) -> str:
    from simcontract.params import error_text  # i18n reads this table, so not at import

    close = closest(name, OUTCOMES)
    hint = error_text("outcomes", "did_you_mean", name=repr(close)) if close else ""
    return error_text("outcomes", "unknown", name=repr(name), hint=hint)


OUTCOMES: Named[Outcome] = Named(
    {o.name: o for o in _DEFINED}, _unknown, "simcontract.outcomes:OUTCOMES"
)
"""Every outcome by its stable name, in a fixed order; an unknown name raises
:class:`~simcontract.named.UnknownName`, a ``KeyError`` that names the closest one."""


def yearly(r: YearRecord) -> dict[str, float]:
    """Every outcome for one year, as defined in ``OUTCOMES[name].yearly``."""
    return {name: o.measure(r) for name, o in OUTCOMES.items()}


def summarise(records: Sequence[YearRecord]) -> dict[str, float]:
    """Every outcome for a whole run, as defined in ``OUTCOMES[name].summary``."""
    if not records:
        return {name: float("nan") for name in OUTCOMES}
    total = combine(records)
    out = {}
    for name, o in OUTCOMES.items():
        if o.pooling == "pooled":
            out[name] = o.measure(total)
        elif o.pooling == "last":
            out[name] = o.measure(records[-1])
        else:
            values = [v for v in map(o.measure, records) if not math.isnan(v)]
            out[name] = float(np.mean(values)) if values else float("nan")
    return out


def frame(records: Sequence[YearRecord]) -> pd.DataFrame:
    """One row per record: a ``year`` column, then every outcome as in :func:`yearly`."""
    rows = [yearly(r) for r in records]
    df = pd.DataFrame(rows, columns=list(OUTCOMES), dtype=float)
    df.insert(0, "year", np.array([r.year for r in records], dtype=np.int64))
    return df


def closest(name: str, known: Iterable[str]) -> str | None:
    """The name among ``known`` most like ``name`` (what a misspelling likely meant), or
    ``None`` when none is close."""
    close = difflib.get_close_matches(str(name), sorted(known), n=1, cutoff=0.6)
    return close[0] if close else None
