"""The parameter registry: every model parameter, declared once.

The TOML loader, the CLI's ``--set``, the batch runner's designs, the app's controls,
the documentation's parameter table and every error message read this registry.
Sources are citation keys of :mod:`simcontract.sources` or say ``assumption``.
"""

from __future__ import annotations

import difflib
import math
import numbers
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from simcontract.named import Named
from simcontract.sources import cite

ORIGINS = ("general", "specialist", "community", "grassroots")
"""NGO origins: general social-work agency, specialist spun off from a mass
organisation, community association of trusted residents, grassroots group."""

# Citation keys of the sources (simcontract.sources lists them with full references).
SEED_GUANGZHOU = "guangzhou_ifsc_nd"
SEED_THREE_CITIES = "mok_wen_2023"
SEED_POLICY = "yang_huang_fulda_2016"
SEED_LSE = "lse_nd"
SEED_PROJECT = "csnc_nd"

TENDERING_MODES = ("open", "selective", "intermediary", "direct")

REGIMES = ("workload", "mixed", "outcome")
"""Evaluation regimes, the choices of ``evaluation``: what evaluators and award criteria
reward (hours, both, outcomes)."""

INDICATORS = ("hours", "documents", "outcome")
"""An evaluator's indicators: service hours delivered, documents, service outcomes."""

PLAUSIBLE_FACTOR = 0.5
"""Half-width of an assumption's default plausible region, relative to its default
(assumption: a reader accepts any value from half to one and a half times the default)."""

NGO_MIX = ("share_specialist", "share_community", "share_grassroots", "multi_district_share")
"""Parameters of group ``"run"`` that set the mix of NGOs (origin shares, NGOs serving
several districts) rather than the run's length or the market's size: fixed during a
run, and like other assumptions varied by the robustness analysis."""


@dataclass(frozen=True)
class Parameter:
    """One model parameter.

    Attributes:
        name: Public name, used in scenario files, ``--set`` and keyword arguments.
        kind: ``"int"``, ``"float"`` or ``"choice"``.
        default: Value used when a scenario does not set it.
        low: Smallest allowed value (numeric kinds).
        high: Largest allowed value (numeric kinds).
        choices: Allowed values (``"choice"`` kind).
        unit: Unit of the value, or ``""`` for dimensionless.
        meaning: One-line meaning.
        source: Citation key of the source the value comes from (:mod:`simcontract.sources`),
            or ``"assumption"``: a source counts only where it gives the number (or
            numbers it follows from by arithmetic).
        basis: For an assumed value, the citation key of the source that supports the
            mechanism the parameter weighs (that it exists, its direction), or ``""``.
        group: Which part of the model reads it (for documentation and the app).
        plausible: The plausible region of an assumption, ``(low, high)``, that the
            robustness analysis samples; ``None`` takes :data:`PLAUSIBLE_FACTOR` around
            the default (see :attr:`plausible_range`).
        never_at_zero: A term for which 0 stands for "never ends" (officials who never
            rotate): figures place 0 after every other value and label it "never".
    """

    name: str
    kind: str
    default: Any
    meaning: str
    source: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    group: str = "market"
    plausible: tuple[float, float] | None = None
    basis: str = ""
    never_at_zero: bool = False

    @property
    def plausible_range(self) -> tuple[float, float] | None:
        """The region of values a reader would accept for this assumption: the declared
        ``plausible`` pair, or else from half to one and a half times the default (for a
        default of 0: the lowest tenth of the allowed range), within the allowed range.
        ``None`` for choices, sourced values and the parameters of group ``"run"`` that
        set the run's length and the market's size and purchasers (they define the market
        a pattern studies), which the robustness analysis does not vary; the mix of NGOs
        (:data:`NGO_MIX`) is varied like any other assumption."""
        if not self.numeric or self.source != "assumption":
            return None
        if self.group == "run" and self.name not in NGO_MIX:
            return None
        if self.plausible is not None:
            low, high = self.plausible
        elif self.default == 0:
            low, high = self.low, self.low + (self.high - self.low) / 10
        else:
            low, high = sorted(
                (self.default * (1 - PLAUSIBLE_FACTOR), self.default * (1 + PLAUSIBLE_FACTOR))
            )
        low, high = max(low, self.low), min(high, self.high)
        if self.kind == "int":
            low, high = math.ceil(low), math.floor(high)
        return (low, high) if high > low else None

    @property
    def citation(self) -> str:
        """The source as tables show it: a short citation ("Mok & Wen 2023"),
        ``assumption``, or for an assumed value whose mechanism a source supports
        ``assumption (mechanism: Mok & Wen 2023)``."""
        if self.basis:
            return f"assumption (mechanism: {cite(self.basis)})"
        return cite(self.source)

    @property
    def numeric(self) -> bool:
        """Whether the parameter takes a number (int or float)."""
        return self.kind in ("int", "float")

    def allowed(self) -> str:
        """Describe the allowed values in words, for error messages (in the language in
        use)."""
        if self.kind == "choice":
            return _said("allowed_choice", choices=listed(repr(c) for c in self.choices))
        kind = "allowed_integer" if self.kind == "int" else "allowed_number"
        return _said(kind, low=format_bound(self.low), high=format_bound(self.high))

    def check(self, value: Any) -> Any:
        """Return ``value`` converted to this parameter's type, or raise ``ValueError``.

        Integers are accepted for float parameters; floats with no fractional part are
        accepted for integer parameters; NumPy's numbers count as numbers; booleans are
        never numbers.
        """
        if self.kind == "choice":
            if not isinstance(value, str) or value not in self.choices:
                raise ValueError(self._refused("not_allowed", shown(value)))
            return str(value)
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(self._refused("not_a_number", shown(value)))
        if self.kind == "int":
            if not isinstance(value, numbers.Integral):
                value = float(value)
                if not value.is_integer():
                    raise ValueError(self._refused("not_an_integer", repr(value)))
            value = int(value)
        else:
            value = float(value)
            if value != value:  # NaN
                raise ValueError(self._refused("nan"))
        if not (self.low <= value <= self.high):
            text = f"{float(value):g}" if abs(value) >= 1e15 else repr(value)
            raise ValueError(self._refused("out_of_range", text))
        return value

    def _refused(self, problem: str, value: str = "") -> str:
        """Why a value is refused: ``errors.params.<problem>`` with this parameter's
        name, the value as shown and what is allowed."""
        return _said(problem, name=repr(self.name), value=value, allowed=self.allowed())

    def parse(self, text: str) -> Any:
        """Parse a value typed on the command line (``--set name=text``).

        Numbers are written in plain ASCII decimal notation (``3``, ``-0.5``, ``2.4e6``;
        ``nan`` and ``inf`` are read, then refused by :meth:`check`): Python's own ``int``
        would also read ``5_0`` as 50 and other scripts' digits.
        """
        text = text.strip()
        if self.kind == "choice":
            return self.check(text)
        if not _NUMBER.fullmatch(text):
            raise ValueError(self._refused("not_a_number", repr(text)))
        value: Any = int(text) if _INTEGER.fullmatch(text) else float(text)
        return self.check(value)


_NUMBER = re.compile(
    r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|nan|inf|infinity)", re.ASCII | re.IGNORECASE
)
"""A number as ``--set`` reads it: ASCII decimal notation, or nan and inf."""
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)


def shown(value: Any) -> str:
    """``value`` as an error message shows it: ``repr``, except that a boolean, written
    ``True`` in Python and ``true`` in a scenario file, is called a true/false value."""
    if isinstance(value, bool | np.bool_):
        return _said("true_false")
    return repr(value)


def error_text(area: str, key: str, /, **values: Any) -> str:
    """:func:`simcontract.i18n.error_text`, for modules :mod:`simcontract.i18n` imports."""
    from simcontract import i18n  # i18n reads this registry, so not at import

    return i18n.error_text(area, key, **values)


_said = partial(error_text, "params")


def listed(items: Iterable[Any]) -> str:
    """:func:`simcontract.i18n.listed` in the language in use, for modules
    :mod:`simcontract.i18n` imports."""
    from simcontract import i18n

    return i18n.listed(items)


def format_bound(x: float | None) -> str:
    """A range bound as ``allowed`` prints it: whole numbers without a decimal point."""
    if x is None:
        return "?"
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:g}"


def _p(name: str, kind: str, default: Any, low=None, high=None, **kw) -> Parameter:
    return Parameter(name=name, kind=kind, default=default, low=low, high=high, **kw)


_DECLARED = [
    # --- run length and size -------------------------------------------------------
    _p(
        "years",
        "int",
        20,
        1,
        200,
        unit="years",
        group="run",
        meaning="Run length: number of yearly tendering rounds.",
        source="assumption",
    ),
    _p(
        "n_cities",
        "int",
        1,
        1,
        10_000,
        unit="cities",
        group="run",
        meaning="Number of cities; each city is a separate local market.",
        source="assumption",
    ),
    _p(
        "districts_per_city",
        "int",
        12,
        1,
        200,
        unit="districts",
        group="run",
        meaning="Districts per city; purchasers and NGOs sit in districts.",
        source=SEED_GUANGZHOU,
    ),
    _p(
        "n_bureaux",
        "int",
        24,
        0,
        100_000,
        unit="per city",
        group="run",
        meaning="Government bureaux (departments, street offices) buying services, per city.",
        source="assumption",
    ),
    _p(
        "n_mass_orgs",
        "int",
        3,
        0,
        10_000,
        unit="per city",
        group="run",
        meaning="Mass organisations (women's, youth, disabled persons' federations), per city.",
        source="assumption",
        basis=SEED_THREE_CITIES,
    ),
    _p(
        "slots_per_purchaser",
        "int",
        3,
        1,
        1_000,
        unit="contracts",
        group="run",
        meaning="Service slots (contracts) each bureau funds in the first year (a mass "
        "organisation `mass_org_budget` times as many, rounded, at least 1).",
        source="assumption",
    ),
    _p(
        "initial_ngos",
        "int",
        60,
        0,
        1_000_000,
        unit="per city",
        group="run",
        meaning="NGOs present in each city at the start.",
        source="assumption",
    ),
    _p(
        "share_specialist",
        "float",
        0.15,
        0.0,
        1.0,
        group="run",
        meaning="Share of NGOs that are specialists spun off from a mass organisation.",
        source="assumption",
        basis=SEED_THREE_CITIES,
    ),
    _p(
        "share_community",
        "float",
        0.2,
        0.0,
        1.0,
        group="run",
        meaning="Share of NGOs that are community associations of trusted residents.",
        source="assumption",
        basis=SEED_THREE_CITIES,
    ),
    _p(
        "share_grassroots",
        "float",
        0.25,
        0.0,
        1.0,
        group="run",
        meaning="Share of NGOs that are small grassroots groups (the rest are general "
        "social-work agencies).",
        source="assumption",
    ),
    _p(
        "multi_district_share",
        "float",
        0.3,
        0.0,
        1.0,
        group="run",
        meaning="Share of general social-work agencies that serve every district of their city.",
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    # --- contracts and budget --------------------------------------------------------
    _p(
        "contract_years",
        "int",
        3,
        1,
        10,
        unit="years",
        group="contracts",
        meaning="Longest service contract the rules allow; longer than one year only "
        "with the finance bureau's authorisation (`multiyear_endorsement`).",
        source=SEED_THREE_CITIES,
    ),
    _p(
        "multiyear_endorsement",
        "float",
        1.0,
        0.0,
        1.0,
        group="contracts",
        meaning="Municipal leaders' endorsement of multi-year contracting: it pushes "
        "officials to seek the finance bureau's authorisation and the bureau to grant it "
        "(1 = every purchaser signs `contract_years`, as in a municipal roll-out).",
        source="assumption",
        basis=SEED_THREE_CITIES,
    ),
    _p(
        "bureau_standing",
        "float",
        0.5,
        0.0,
        1.0,
        group="contracts",
        meaning="Chance that the finance bureau grants a bureau's request for multi-year "
        "contracts without the municipal leaders' endorsement.",
        source="assumption",
    ),
    _p(
        "mass_org_standing",
        "float",
        0.25,
        0.0,
        1.0,
        group="contracts",
        meaning="Chance that the finance bureau grants a mass organisation's request for "
        "multi-year contracts without the municipal leaders' endorsement.",
        source="assumption",
    ),
    _p(
        "contract_value",
        "float",
        2.0e6,
        1e4,
        1e9,
        unit="CNY/year",
        group="contracts",
        meaning="Ceiling price of one service contract per year.",
        source=SEED_THREE_CITIES,
    ),
    _p(
        "required_hours",
        "float",
        21268.8,
        10.0,
        1e6,
        unit="hours/year",
        group="contracts",
        meaning="Direct-service hours a contract requires per year.",
        source=SEED_GUANGZHOU,
    ),
    _p(
        "staff_per_contract",
        "int",
        14,
        1,
        1_000,
        unit="workers",
        group="contracts",
        meaning="Social workers the contract specification expects per contract.",
        source=SEED_GUANGZHOU,
    ),
    _p(
        "budget_growth",
        "float",
        0.03,
        -0.5,
        2.0,
        unit="1/year",
        group="contracts",
        meaning="Yearly growth rate of every purchaser's service budget.",
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "mass_org_budget",
        "float",
        0.5,
        0.05,
        2.0,
        group="contracts",
        meaning="A mass organisation's service budget at the start, relative to a "
        "government bureau's with as many slots (1: as strong; below 1: weaker finances).",
        source="assumption",
    ),
    _p(
        "street_population_low",
        "float",
        3000.0,
        100.0,
        1e7,
        unit="residents",
        group="contracts",
        meaning="Fewest residents a service slot (a street's centre) serves; each slot's "
        "population is uniform between this and `street_population_high`.",
        source=SEED_GUANGZHOU,
    ),
    _p(
        "street_population_high",
        "float",
        90000.0,
        100.0,
        1e7,
        unit="residents",
        group="contracts",
        meaning="Most residents a service slot (a street's centre) serves.",
        source=SEED_GUANGZHOU,
    ),
    _p(
        "activity_share",
        "float",
        0.3,
        0.0,
        0.9,
        group="contracts",
        meaning="Share of the contract price spent on activities and materials, not wages.",
        source="assumption",
    ),
    # --- tendering and award ---------------------------------------------------------
    _p(
        "tendering",
        "choice",
        "open",
        choices=TENDERING_MODES,
        group="tendering",
        meaning="How bureaux award contracts: open, selective shortlist, through an "
        "intermediary hub, or direct award.",
        source=SEED_THREE_CITIES,
    ),
    _p(
        "mass_org_tendering",
        "choice",
        "same",
        choices=("same", *TENDERING_MODES),
        group="tendering",
        meaning="How mass organisations award contracts ('same' follows `tendering`: a "
        "city's departments and mass organisations use similar procurement methods).",
        source=SEED_THREE_CITIES,
    ),
    _p(
        "shortlist_size",
        "int",
        3,
        1,
        100,
        unit="NGOs",
        group="tendering",
        meaning="NGOs invited to bid in selective and intermediary tenders.",
        source="assumption",
    ),
    _p(
        "hub_pool_size",
        "int",
        10,
        1,
        10_000,
        unit="NGOs",
        group="tendering",
        meaning="Smallest pool of NGOs a city's intermediary hub manages; it admits more "
        "only when its pool cannot cover the slots it must fill.",
        source="assumption",
        basis=SEED_THREE_CITIES,
    ),
    _p(
        "favouritism",
        "float",
        0.2,
        0.0,
        1.0,
        group="tendering",
        meaning="Weight of personal ties (versus merit) in award decisions.",
        source="assumption",
        basis=SEED_THREE_CITIES,
    ),
    _p(
        "obedience_discount",
        "float",
        0.05,
        0.0,
        1.0,
        unit="merit/contract-year",
        group="tendering",
        meaning="Merit an official takes off a bidder per year of the contract at stake and per "
        "unit of the share of its own hours the bidder spent on advocacy last year (long "
        "contracts reward obedience).",
        source="assumption",
        basis=SEED_THREE_CITIES,
    ),
    _p(
        "price_weight",
        "float",
        0.3,
        0.0,
        1.0,
        group="tendering",
        meaning="Relative weight of a low price in the merit score of a bid.",
        source="assumption",
    ),
    _p(
        "reputation_weight",
        "float",
        0.4,
        0.0,
        1.0,
        group="tendering",
        meaning="Relative weight of the bidder's reputation in the merit score.",
        source="assumption",
    ),
    _p(
        "workload_weight",
        "float",
        0.3,
        0.0,
        1.0,
        group="tendering",
        meaning="Relative weight of promised service hours in the merit score.",
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "workload_regime_award",
        "float",
        1.0,
        0.0,
        2.0,
        group="tendering",
        meaning="Multiplier on workload_weight in the merit score of bids under the "
        'workload regime (evaluation = "workload"): how far award criteria reward promised hours.',
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "mixed_regime_award",
        "float",
        0.6,
        0.0,
        2.0,
        group="tendering",
        meaning="Multiplier on workload_weight in the merit score of bids under the "
        'mixed regime (evaluation = "mixed"): how far award criteria reward promised hours.',
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "outcome_regime_award",
        "float",
        0.2,
        0.0,
        2.0,
        group="tendering",
        meaning="Multiplier on workload_weight in the merit score of bids under the "
        'outcome regime (evaluation = "outcome"): how far award criteria reward promised hours.',
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "bid_propensity",
        "float",
        0.6,
        0.0,
        1.0,
        group="tendering",
        meaning="Probability that an eligible NGO with spare capacity bids in an open tender.",
        source="assumption",
    ),
    _p(
        "max_discount",
        "float",
        0.3,
        0.0,
        0.9,
        group="tendering",
        meaning="Deepest price cut below the ceiling that a bidder offers.",
        source="assumption",
        basis=SEED_THREE_CITIES,
    ),
    _p(
        "snatching",
        "float",
        0.5,
        0.0,
        1.0,
        group="tendering",
        meaning="How hard NGOs without contracts underbid to snatch one (0 = never).",
        source="assumption",
        basis=SEED_THREE_CITIES,
    ),
    _p(
        "max_bid_inflation",
        "float",
        0.3,
        0.0,
        2.0,
        group="tendering",
        meaning="Most extra hours a bidder dares to promise, as a share of required hours.",
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "min_reputation",
        "float",
        0.25,
        0.0,
        1.0,
        group="tendering",
        meaning="Lowest bidder reputation, after the purchaser's adjustments (blame "
        "avoidance, partnership, local trust, reshuffle, continuity, obedience), a "
        "purchaser accepts; with no acceptable bid the tender fails.",
        source="assumption",
    ),
    _p(
        "blame_avoidance",
        "float",
        0.5,
        0.0,
        1.0,
        group="tendering",
        meaning="Mean caution of bureaux' officials: how strongly they shun bidders "
        "without a track record and avoid the red tape of multi-year contracts.",
        source="assumption",
        basis=SEED_THREE_CITIES,
    ),
    _p(
        "partnership",
        "float",
        0.5,
        0.0,
        1.0,
        group="tendering",
        meaning="Bonus mass organisations give specialist NGOs of their sector and past partners.",
        source="assumption",
        basis=SEED_THREE_CITIES,
    ),
    _p(
        "patronage_bonus",
        "float",
        0.3,
        0.0,
        1.0,
        group="tendering",
        meaning="Merit bonus a mass organisation gives a specialist of its sector, and again "
        "a current or last partner, at full `partnership`.",
        source="assumption",
    ),
    _p(
        "blame_penalty",
        "float",
        0.3,
        0.0,
        1.0,
        group="tendering",
        meaning="Merit penalty a bureau gives a bidder without any track record when its "
        "official's caution is 1 (it shrinks linearly to 0 at `proven_track_record`).",
        source="assumption",
    ),
    _p(
        "proven_track_record",
        "int",
        3,
        1,
        30,
        unit="contract-years",
        group="tendering",
        meaning="Contract-years delivered from which a bureau sees a bidder as a safe choice.",
        source="assumption",
    ),
    _p(
        "local_trust",
        "float",
        0.1,
        0.0,
        1.0,
        group="tendering",
        meaning="Merit bonus a bureau gives a community association of its own district, "
        "run by residents it trusts.",
        source="assumption",
    ),
    _p(
        "continuity_bonus",
        "float",
        0.3,
        0.0,
        1.0,
        group="tendering",
        meaning="Merit bonus per unit of last evaluation score for the incumbent in "
        "selective, intermediary and direct procedures (none in open tenders, scored by "
        "formal rules).",
        source="assumption",
        basis=SEED_THREE_CITIES,
    ),
    _p(
        "bids_per_free_contract",
        "int",
        2,
        0,
        20,
        unit="tenders",
        group="tendering",
        meaning="Open tenders an NGO bids for in a year per further contract it has room "
        "for, counting at most `free_contracts_counted` (proposals are costly); an "
        "incumbent always rebids for its slot.",
        source="assumption",
    ),
    _p(
        "free_contracts_counted",
        "int",
        2,
        0,
        20,
        unit="contracts",
        group="tendering",
        meaning="Most free contracts that count towards the open tenders an NGO bids for "
        "in a year.",
        source="assumption",
    ),
    _p(
        "invited_bid_chance",
        "float",
        0.9,
        0.0,
        1.0,
        group="tendering",
        meaning="Chance that an NGO invited to a selective or intermediary tender bids "
        "(the incumbent always does).",
        source="assumption",
    ),
    _p(
        "incumbent_rank_bonus",
        "float",
        0.3,
        0.0,
        1.0,
        group="tendering",
        meaning="How much a purchaser or hub drawing up a shortlist favours the slot's "
        "incumbent, in units of reputation.",
        source="assumption",
    ),
    _p(
        "rank_noise",
        "float",
        0.1,
        0.0,
        1.0,
        group="tendering",
        meaning="Standard deviation of the noise in a purchaser's or hub's ranking of "
        "candidates, in units of reputation.",
        source="assumption",
    ),
    _p(
        "base_discount",
        "float",
        0.15,
        0.0,
        1.0,
        group="tendering",
        meaning="An ordinary bidder's mean discount, as a share of `max_discount`.",
        source="assumption",
    ),
    _p(
        "discount_noise",
        "float",
        0.1,
        0.0,
        1.0,
        group="tendering",
        meaning="Standard deviation of a bidder's discount, as a share of `max_discount`.",
        source="assumption",
    ),
    _p(
        "workload_incentive",
        "float",
        3.0,
        0.0,
        10.0,
        group="tendering",
        meaning="How far bidders inflate promised hours per unit of the normalised weight "
        "of promised hours in award scoring (capped at full inflation, "
        "`max_bid_inflation` times the bidder's dare).",
        source="assumption",
    ),
    _p(
        "award_noise",
        "float",
        0.02,
        0.0,
        0.5,
        group="tendering",
        meaning="Standard deviation of the noise in award scores (judgement the model leaves out).",
        source="assumption",
    ),
    _p(
        "hub_citywide_preference",
        "float",
        0.3,
        0.0,
        1.0,
        group="tendering",
        meaning="How much a hub prefers city-wide NGOs when admitting members, in units of "
        "reputation.",
        source="assumption",
    ),
    _p(
        "hub_noise",
        "float",
        0.1,
        0.0,
        1.0,
        group="tendering",
        meaning="Standard deviation of the noise in a hub's view of candidates' reputation.",
        source="assumption",
    ),
    _p(
        "hub_spare_ratio",
        "float",
        1.5,
        0.0,
        10.0,
        group="tendering",
        meaning="A hub admits members beyond `hub_pool_size` until their spare capacity is "
        "this many times the slots to fill.",
        source="assumption",
    ),
    # --- cadres and ties ---------------------------------------------------------------
    _p(
        "rotation_years",
        "float",
        5.0,
        0.0,
        100.0,
        unit="years",
        group="cadres",
        meaning="Mean term of the official in charge of a purchaser (0 = never rotate).",
        source="assumption",
        basis=SEED_POLICY,
        never_at_zero=True,
    ),
    _p(
        "cadre_transfer",
        "float",
        0.5,
        0.0,
        1.0,
        group="cadres",
        meaning="Chance that a rotating official moves to another post vacated in the "
        "city the same year (otherwise the official leaves).",
        source="assumption",
        basis=SEED_POLICY,
    ),
    _p(
        "reshuffle",
        "float",
        0.3,
        0.0,
        1.0,
        group="cadres",
        meaning="How strongly a newly arrived official turns against incumbent providers.",
        source="assumption",
        basis=SEED_THREE_CITIES,
    ),
    _p(
        "promotion_drive",
        "float",
        0.5,
        0.0,
        1.0,
        group="cadres",
        meaning="Mean promotion drive of bureaux' officials: eagerness for achievements in "
        "social services, such as multi-year contracts.",
        source="assumption",
    ),
    _p(
        "mass_org_drive",
        "float",
        0.8,
        0.0,
        1.0,
        group="cadres",
        meaning="Mean promotion drive of mass organisations' officials, who seek welfare "
        "contracting as a political credit.",
        source="assumption",
        basis=SEED_THREE_CITIES,
    ),
    _p(
        "mass_org_caution",
        "float",
        0.2,
        0.0,
        1.0,
        group="cadres",
        meaning="Mean caution of mass organisations' officials, less subject to review "
        "and audit than bureaux' (their bureaux counterpart: `blame_avoidance`).",
        source="assumption",
        basis=SEED_THREE_CITIES,
    ),
    _p(
        "motive_spread",
        "float",
        0.5,
        0.0,
        1.0,
        group="cadres",
        meaning="How far officials' caution and promotion drive differ around their "
        "means (0 = all alike; 1 = as widely as [0, 1] allows).",
        source="assumption",
    ),
    _p(
        "tie_density",
        "float",
        0.1,
        0.0,
        1.0,
        group="cadres",
        meaning="Chance that a new official already knows a given local NGO's head (times "
        "`community_tie_factor` for community associations, `mass_org_tie_factor` for a "
        "federation's own specialists).",
        source="assumption",
    ),
    _p(
        "tie_decay",
        "float",
        0.1,
        0.0,
        1.0,
        unit="1/year",
        group="cadres",
        meaning="Yearly decay of every personal tie.",
        source="assumption",
    ),
    _p(
        "term_shape",
        "float",
        4.0,
        0.5,
        100.0,
        group="cadres",
        meaning="Shape of the gamma distribution of an official's term at a post (its mean "
        "is `rotation_years`, its coefficient of variation 1 / sqrt(shape)).",
        source="assumption",
    ),
    _p(
        "community_tie_factor",
        "float",
        3.0,
        0.0,
        20.0,
        group="cadres",
        meaning="How much likelier a bureau's new official is tied to a community "
        "association than to another local NGO (times `tie_density`, capped at 1).",
        source="assumption",
        basis=SEED_THREE_CITIES,
    ),
    _p(
        "mass_org_tie_factor",
        "float",
        5.0,
        0.0,
        20.0,
        group="cadres",
        meaning="How much likelier a mass organisation's new official is tied to a "
        "specialist of its sector than a bureau's official to a local NGO (times "
        "`tie_density`, capped at 1).",
        source="assumption",
        basis=SEED_THREE_CITIES,
    ),
    _p(
        "initial_tie_low",
        "float",
        0.3,
        0.0,
        1.0,
        group="cadres",
        meaning="Weakest initial tie of a new official (strengths are uniform between "
        "`initial_tie_low` and `initial_tie_high`).",
        source="assumption",
    ),
    _p(
        "initial_tie_high",
        "float",
        0.8,
        0.0,
        1.0,
        group="cadres",
        meaning="Strongest initial tie of a new official.",
        source="assumption",
    ),
    _p(
        "refusal_tie_cut",
        "float",
        0.2,
        0.0,
        1.0,
        group="cadres",
        meaning="How much an official's tie to an NGO weakens when it refuses ordered "
        "extra duties.",
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "new_broom_years",
        "int",
        2,
        0,
        20,
        unit="years",
        group="cadres",
        meaning="Years at a post during which an official marks down past providers he has "
        "no tie to (0 = never).",
        source="assumption",
    ),
    _p(
        "reshuffle_cut",
        "float",
        0.3,
        0.0,
        1.0,
        group="cadres",
        meaning="Merit cut a new official gives an untied past provider of the purchaser "
        "at full `reshuffle`.",
        source="assumption",
    ),
    _p(
        "new_broom_termination",
        "float",
        0.0,
        0.0,
        1.0,
        group="cadres",
        meaning="Chance, at full `reshuffle`, that an official in his first year at a post "
        "ends a contract with a provider he has no tie to; a tie lowers it in proportion "
        "(an option for what-if runs; no source reports it, so it is off by default).",
        source="assumption",
    ),
    _p(
        "tie_cultivation",
        "float",
        0.2,
        0.0,
        1.0,
        unit="1/year",
        group="cadres",
        meaning="Yearly growth of the tie of an NGO head who cultivates an official, as a "
        "share of the gap to a full tie.",
        source="assumption",
    ),
    _p(
        "cultivation_hours",
        "float",
        150.0,
        0.0,
        2000.0,
        unit="hours/year",
        group="cadres",
        meaning="Hours an NGO head seeking contracts spends cultivating an official per year.",
        source="assumption",
    ),
    _p(
        "head_turnover",
        "float",
        0.1,
        0.0,
        1.0,
        unit="1/year",
        group="cadres",
        meaning="Yearly chance that an NGO's head leaves; officials' ties to the NGO end.",
        source="assumption",
    ),
    # --- money and survival -------------------------------------------------------------
    _p(
        "match_funding",
        "float",
        0.0,
        0.0,
        0.95,
        group="money",
        meaning="Share of contract value the NGO must bring as match funding (in kind, from "
        "co-funders or from its own money).",
        source="assumption",
        basis=SEED_POLICY,
    ),
    _p(
        "wage",
        "float",
        80_000.0,
        1_000.0,
        1e7,
        unit="CNY/year",
        group="money",
        meaning="Market wage of a social worker (employer cost).",
        source="assumption",
    ),
    _p(
        "overhead",
        "float",
        100_000.0,
        0.0,
        1e9,
        unit="CNY/year",
        group="money",
        meaning="Fixed running cost of an NGO (office, registration, accounts).",
        source="assumption",
    ),
    _p(
        "other_income",
        "float",
        150_000.0,
        0.0,
        1e9,
        unit="CNY/year",
        group="money",
        meaning="Mean non-government income (donations, fees, foundations) of a general "
        "agency; other origins get it times their factor (`other_income_community`, ...).",
        source="assumption",
    ),
    _p(
        "initial_reserves",
        "float",
        400_000.0,
        0.0,
        1e10,
        unit="CNY",
        group="money",
        meaning="Mean reserves of an NGO when it enters.",
        source="assumption",
    ),
    _p(
        "registration",
        "choice",
        "direct",
        choices=("dual_sponsor", "direct"),
        group="money",
        meaning="NGO registration regime: two government sponsors (pre-2012) or direct.",
        source=SEED_LSE,
    ),
    _p(
        "entry_rate",
        "float",
        0.15,
        0.0,
        5.0,
        unit="NGOs/tender",
        group="money",
        meaning="New NGOs registered per tender (and per failed tender) of the previous "
        "year when the market is open to newcomers (direct registration).",
        source="assumption",
    ),
    _p(
        "sponsor_entry_factor",
        "float",
        0.25,
        0.0,
        1.0,
        group="money",
        meaning="Entry under dual sponsorship as a share of entry under direct registration.",
        source="assumption",
        basis=SEED_PROJECT,
    ),
    _p(
        "dependence_threshold",
        "float",
        0.8,
        0.0,
        1.0,
        group="money",
        meaning="Government share of revenue at or above which an NGO counts as highly dependent.",
        source="assumption",
    ),
    _p(
        "other_income_spread",
        "float",
        0.3,
        0.0,
        2.0,
        group="money",
        meaning="Spread (standard deviation of the log) of the yearly log-normal factor on "
        "an NGO's other income; the factor's mean stays 1.",
        source="assumption",
    ),
    _p(
        "other_income_specialist",
        "float",
        1.0,
        0.0,
        10.0,
        group="money",
        meaning="Mean other income of a specialist NGO relative to `other_income` (that of "
        "a general agency).",
        source="assumption",
    ),
    _p(
        "other_income_community",
        "float",
        0.5,
        0.0,
        10.0,
        group="money",
        meaning="Mean other income of a community association relative to `other_income`.",
        source="assumption",
    ),
    _p(
        "other_income_grassroots",
        "float",
        1.2,
        0.0,
        10.0,
        group="money",
        meaning="Mean other income of a grassroots group relative to `other_income`.",
        source="assumption",
    ),
    _p(
        "min_pay_level",
        "float",
        0.6,
        0.0,
        1.0,
        group="money",
        meaning="Lowest share of the market wage an NGO pays before it counts as insolvent.",
        source="assumption",
    ),
    _p(
        "inkind_match",
        "float",
        0.2,
        0.0,
        1.0,
        group="money",
        meaning="Most of the match that volunteers' time and donated goods and venues can "
        "cover, as a share of the contract price (never more than its activity spending).",
        source="assumption",
    ),
    _p(
        "cofunder_match",
        "float",
        0.3,
        0.0,
        1.0,
        group="money",
        meaning="Match an established NGO with the mean other income raises from "
        "co-funders (foundations, companies), as a share of the contract price; in "
        "proportion to its track record below `proven_track_record` and to its other "
        "income relative to `other_income`.",
        source="assumption",
    ),
    _p(
        "startup_share",
        "float",
        0.1,
        0.0,
        2.0,
        group="money",
        meaning="Money an NGO must hold to take on one more contract, as a share of the "
        "contract's yearly wage bill (staff_per_contract x wage).",
        source="assumption",
    ),
    _p(
        "lean_overhead",
        "float",
        0.5,
        0.0,
        1.0,
        group="money",
        meaning="Share of the overhead an NGO without contracts still pays (costs it can cut).",
        source="assumption",
    ),
    _p(
        "closure_reserves",
        "float",
        0.5,
        0.0,
        10.0,
        unit="years",
        group="money",
        meaning="An NGO without contracts closes when its reserves fall below this many years "
        "of its running costs (lean overhead and its head's wage).",
        source="assumption",
    ),
    # --- delivery, evaluation and workforce --------------------------------------------
    _p(
        "hours_per_worker",
        "float",
        2000.0,
        100.0,
        5000.0,
        unit="hours/year",
        group="delivery",
        meaning="Working hours one social worker gives per year.",
        source="assumption",
    ),
    _p(
        "extra_duty_demand",
        "float",
        0.1,
        0.0,
        1.0,
        group="delivery",
        meaning="Share of a provider's contract staff time officials try to claim for "
        "unpaid extra duties.",
        source="assumption",
        basis=SEED_GUANGZHOU,
        plausible=(0.05, 0.33),
    ),
    _p(
        "refusal_penalty",
        "float",
        0.15,
        0.0,
        1.0,
        group="delivery",
        meaning="Evaluation-score loss when an NGO refuses ordered extra duties.",
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "evaluation",
        "choice",
        "mixed",
        choices=("workload", "outcome", "mixed"),
        group="delivery",
        meaning="What evaluators and award criteria reward: hours, outcomes, or both.",
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "n_evaluators",
        "int",
        7,
        1,
        1_000,
        unit="per city",
        group="delivery",
        meaning="Third-party evaluation agencies per city, each assigned to districts.",
        source=SEED_GUANGZHOU,
    ),
    _p(
        "evaluator_heterogeneity",
        "float",
        0.5,
        0.0,
        1.0,
        group="delivery",
        meaning="How much evaluators' indicators and document demands differ.",
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "workload_regime_hours",
        "float",
        0.55,
        0.0,
        1.0,
        group="delivery",
        meaning="Base weight of service hours delivered among evaluators' indicators under the "
        'workload regime (evaluation = "workload"), relative to its other two base weights.',
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "workload_regime_documents",
        "float",
        0.35,
        0.0,
        1.0,
        group="delivery",
        meaning="Base weight of documents (paperwork) among evaluators' indicators under the "
        'workload regime (evaluation = "workload"), relative to its other two base weights.',
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "workload_regime_outcome",
        "float",
        0.1,
        0.0,
        1.0,
        group="delivery",
        meaning="Base weight of service outcomes among evaluators' indicators under the "
        'workload regime (evaluation = "workload"), relative to its other two base weights.',
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "mixed_regime_hours",
        "float",
        0.35,
        0.0,
        1.0,
        group="delivery",
        meaning="Base weight of service hours delivered among evaluators' indicators under the "
        'mixed regime (evaluation = "mixed"), relative to its other two base weights.',
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "mixed_regime_documents",
        "float",
        0.25,
        0.0,
        1.0,
        group="delivery",
        meaning="Base weight of documents (paperwork) among evaluators' indicators under the "
        'mixed regime (evaluation = "mixed"), relative to its other two base weights.',
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "mixed_regime_outcome",
        "float",
        0.4,
        0.0,
        1.0,
        group="delivery",
        meaning="Base weight of service outcomes among evaluators' indicators under the "
        'mixed regime (evaluation = "mixed"), relative to its other two base weights.',
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "outcome_regime_hours",
        "float",
        0.15,
        0.0,
        1.0,
        group="delivery",
        meaning="Base weight of service hours delivered among evaluators' indicators under the "
        'outcome regime (evaluation = "outcome"), relative to its other two base weights.',
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "outcome_regime_documents",
        "float",
        0.15,
        0.0,
        1.0,
        group="delivery",
        meaning="Base weight of documents (paperwork) among evaluators' indicators under the "
        'outcome regime (evaluation = "outcome"), relative to its other two base weights.',
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "outcome_regime_outcome",
        "float",
        0.7,
        0.0,
        1.0,
        group="delivery",
        meaning="Base weight of service outcomes among evaluators' indicators under the "
        'outcome regime (evaluation = "outcome"), relative to its other two base weights.',
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "documentation_base",
        "float",
        0.12,
        0.0,
        1.0,
        group="delivery",
        meaning="Documentation hours one evaluation system needs, as a share of the "
        "contract's required hours.",
        source="assumption",
        basis=SEED_GUANGZHOU,
        plausible=(0.06, 0.3),
    ),
    _p(
        "evaluation_noise",
        "float",
        0.1,
        0.0,
        1.0,
        group="delivery",
        meaning="Standard deviation of evaluators' scoring noise.",
        source="assumption",
    ),
    _p(
        "termination_score",
        "float",
        0.3,
        0.0,
        1.0,
        group="delivery",
        meaning="Evaluation score below which the purchaser terminates a contract early.",
        source="assumption",
    ),
    _p(
        "quit_rate",
        "float",
        0.08,
        0.0,
        1.0,
        unit="1/year",
        group="delivery",
        meaning="Baseline yearly chance that a social worker quits.",
        source="assumption",
    ),
    _p(
        "insecurity_quit",
        "float",
        0.2,
        0.0,
        1.0,
        unit="1/year",
        group="delivery",
        meaning="Extra quit chance when the employer's contracts are in their final year "
        "(scaled by the share of its contracts that are).",
        source="assumption",
        basis=SEED_THREE_CITIES,
    ),
    _p(
        "strain_quit",
        "float",
        0.3,
        0.0,
        1.0,
        unit="1/year",
        group="delivery",
        meaning="Extra quit chance per unit of workload above capacity.",
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "pay_quit",
        "float",
        0.3,
        0.0,
        1.0,
        unit="1/year",
        group="delivery",
        meaning="Extra quit chance per unit of pay below the market wage.",
        source="assumption",
        basis=SEED_THREE_CITIES,
    ),
    _p(
        "max_quit",
        "float",
        0.95,
        0.0,
        1.0,
        unit="1/year",
        group="delivery",
        meaning="Highest yearly chance that a social worker quits.",
        source="assumption",
    ),
    _p(
        "multi_system_overhead",
        "float",
        0.5,
        0.0,
        5.0,
        group="delivery",
        meaning="Extra documentation per additional evaluation system an NGO faces, at full "
        "`evaluator_heterogeneity`, as a share of one system's needs.",
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "evaluator_tenure",
        "float",
        2.0,
        0.0,
        100.0,
        unit="years",
        group="delivery",
        meaning="Mean years an evaluation agency, with its indicator system, evaluates its "
        "districts before a new agency takes over (0 = agencies never change).",
        source="assumption",
        basis=SEED_GUANGZHOU,
        never_at_zero=True,
    ),
    _p(
        "indicator_learning_cost",
        "float",
        0.5,
        0.0,
        5.0,
        group="delivery",
        meaning="Extra documentation in an NGO's first year under a new agency's indicator "
        "system, at full `evaluator_heterogeneity`, as a share of one system's needs "
        "(fading with its years under that system).",
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "indicator_learning_noise",
        "float",
        1.0,
        0.0,
        10.0,
        group="delivery",
        meaning="Extra scoring noise in an NGO's first year under a new agency's indicator "
        "system, at full `evaluator_heterogeneity`, relative to `evaluation_noise`.",
        source="assumption",
    ),
    _p(
        "indicator_learning_scale",
        "float",
        1.0,
        0.1,
        50.0,
        unit="years",
        group="delivery",
        meaning="Years under an indicator system over which an NGO's cost of learning it "
        "fades (e-folding time).",
        source="assumption",
    ),
    _p(
        "workload_record_keeping",
        "float",
        1.0,
        0.0,
        5.0,
        group="delivery",
        meaning="Extra documentation (records of countable hours) per unit by which an "
        "evaluator's weight on hours exceeds its weight on outcome, as a share of one "
        "system's needs.",
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "output_chasing",
        "float",
        0.3,
        0.0,
        1.0,
        group="delivery",
        meaning="Share of real service quality lost per unit by which an evaluator's weight "
        "on hours exceeds its weight on outcome (staff chase what is counted).",
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "base_compliance",
        "float",
        0.4,
        0.0,
        1.0,
        group="delivery",
        meaning="Chance that an NGO without government revenue accepts ordered extra duties.",
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "refusal_caution",
        "float",
        10.0,
        0.0,
        1000.0,
        unit="1/merit",
        group="delivery",
        meaning="How strongly an NGO avoids refusing ordered extra duties per unit of award "
        "merit a refusal would put at stake, weighted by its dependence on government money.",
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "client_control",
        "float",
        0.5,
        0.0,
        1.0,
        group="delivery",
        meaning="Share of a contract's service whose users the purchaser's official wants to "
        "choose; the NGO yields as it yields to extra duties.",
        source="assumption",
        basis=SEED_GUANGZHOU,
    ),
    _p(
        "reputation_memory",
        "float",
        0.6,
        0.0,
        1.0,
        group="delivery",
        meaning="Weight of past reputation when a year's evaluation scores come in (0: "
        "reputation is the year's mean score).",
        source="assumption",
    ),
    # --- real quality of service --------------------------------------------------------
    _p(
        "novice_quality",
        "float",
        0.55,
        0.0,
        1.0,
        group="quality",
        meaning="Quality of a service run by staff without experience, as a share of the "
        "NGO's skill.",
        source="assumption",
    ),
    _p(
        "experience_gain",
        "float",
        0.45,
        0.0,
        1.0,
        group="quality",
        meaning="Gain in quality from fully experienced staff, as a share of skill (with "
        "the default `novice_quality` it reaches the full skill; the two together never "
        "exceed it).",
        source="assumption",
    ),
    _p(
        "experience_scale",
        "float",
        3.0,
        0.1,
        50.0,
        unit="years",
        group="quality",
        meaning="Years of staff experience over which the experience gain in quality "
        "builds up (e-folding time).",
        source="assumption",
    ),
    _p(
        "delivery_elasticity",
        "float",
        0.8,
        0.0,
        5.0,
        group="quality",
        meaning="Exponent of the share of required hours delivered in real quality (0: "
        "hours delivered do not matter).",
        source="assumption",
    ),
    _p(
        "new_provider_quality",
        "float",
        0.7,
        0.0,
        1.0,
        group="quality",
        meaning="Quality of a provider's first year at a slot, relative to a long-standing "
        "provider.",
        source="assumption",
    ),
    _p(
        "continuity_gain",
        "float",
        0.3,
        0.0,
        1.0,
        group="quality",
        meaning="Gain in quality from years with the same provider (with the default "
        "`new_provider_quality` it reaches 1; the two together never exceed 1).",
        source="assumption",
        basis=SEED_THREE_CITIES,
    ),
    _p(
        "continuity_scale",
        "float",
        2.0,
        0.1,
        50.0,
        unit="years",
        group="quality",
        meaning="Years at a slot over which a provider's continuity gain builds up "
        "(e-folding time).",
        source="assumption",
    ),
    _p(
        "strain_cost",
        "float",
        0.15,
        0.0,
        1.0,
        group="quality",
        meaning="Largest loss of quality from overstretched staff, reached at demands of "
        "twice their capacity.",
        source="assumption",
    ),
    _p(
        "coverage_population",
        "float",
        40000.0,
        100.0,
        1e7,
        unit="residents",
        group="quality",
        meaning="Residents a centre's required hours serve in full depth; a centre serving "
        "more spreads its hours thinner.",
        source="assumption",
    ),
    _p(
        "coverage_elasticity",
        "float",
        0.5,
        0.0,
        5.0,
        group="quality",
        meaning="Exponent of the reach of a centre's hours (residents it can serve in full "
        "depth over residents it serves, at most 1) in real quality (0: population does "
        "not matter).",
        source="assumption",
    ),
    _p(
        "local_knowledge",
        "float",
        0.3,
        0.0,
        1.0,
        group="quality",
        meaning="Share of the gap to full skill a community association closes when it "
        "serves its home district: residents know it and it knows what they want.",
        source="assumption",
    ),
    _p(
        "specialist_voice",
        "float",
        0.3,
        0.0,
        1.0,
        group="quality",
        meaning="Share of the gap to full skill a specialist closes, at full `partnership`, "
        "when it serves a mass organisation of its sector whose services it helped plan.",
        source="assumption",
    ),
    # --- entry and the attributes of new NGOs --------------------------------------------
    _p(
        "entry_openness_floor",
        "float",
        0.05,
        0.0,
        1.0,
        group="entry",
        meaning="Entry's openness factor (a multiplier of the entry rate) when no newcomer "
        "bid last year.",
        source="assumption",
    ),
    _p(
        "entry_openness_slope",
        "float",
        5.0,
        0.0,
        100.0,
        group="entry",
        meaning="Growth of entry's openness factor per unit share of last year's bids "
        "placed by newcomers (the factor is capped at 1).",
        source="assumption",
    ),
    _p(
        "first_year_newcomer_share",
        "float",
        0.1,
        0.0,
        1.0,
        group="entry",
        meaning="Share of bids by newcomers assumed for the year before the first (drives "
        "entry in year 1).",
        source="assumption",
    ),
    _p(
        "newcomer_reputation",
        "float",
        0.5,
        0.0,
        1.0,
        group="entry",
        meaning="Reputation of an entrant without a track record, as purchasers see it.",
        source="assumption",
    ),
    _p(
        "skill_general_a",
        "float",
        5.0,
        0.1,
        100.0,
        group="entry",
        meaning="First shape (a) of the Beta(a, b) distribution of the skill of "
        "a general social-work agency (mean a / (a + b)).",
        source="assumption",
    ),
    _p(
        "skill_general_b",
        "float",
        3.0,
        0.1,
        100.0,
        group="entry",
        meaning="Second shape (b) of the Beta(a, b) distribution of the skill of "
        "a general social-work agency.",
        source="assumption",
    ),
    _p(
        "skill_specialist_a",
        "float",
        6.0,
        0.1,
        100.0,
        group="entry",
        meaning="First shape (a) of the Beta(a, b) distribution of the skill of "
        "a specialist NGO (mean a / (a + b)).",
        source="assumption",
    ),
    _p(
        "skill_specialist_b",
        "float",
        2.0,
        0.1,
        100.0,
        group="entry",
        meaning="Second shape (b) of the Beta(a, b) distribution of the skill of a specialist NGO.",
        source="assumption",
    ),
    _p(
        "skill_community_a",
        "float",
        3.0,
        0.1,
        100.0,
        group="entry",
        meaning="First shape (a) of the Beta(a, b) distribution of the skill of "
        "a community association (mean a / (a + b)).",
        source="assumption",
    ),
    _p(
        "skill_community_b",
        "float",
        4.0,
        0.1,
        100.0,
        group="entry",
        meaning="Second shape (b) of the Beta(a, b) distribution of the skill of "
        "a community association.",
        source="assumption",
    ),
    _p(
        "skill_grassroots_a",
        "float",
        3.0,
        0.1,
        100.0,
        group="entry",
        meaning="First shape (a) of the Beta(a, b) distribution of the skill of "
        "a grassroots group (mean a / (a + b)).",
        source="assumption",
    ),
    _p(
        "skill_grassroots_b",
        "float",
        3.0,
        0.1,
        100.0,
        group="entry",
        meaning="Second shape (b) of the Beta(a, b) distribution of the skill of "
        "a grassroots group.",
        source="assumption",
    ),
    _p(
        "dare_a",
        "float",
        2.0,
        0.1,
        100.0,
        group="entry",
        meaning="First shape (a) of the Beta(a, b) distribution of an NGO's dare, how far "
        "it inflates promised hours (mean a / (a + b)).",
        source="assumption",
    ),
    _p(
        "dare_b",
        "float",
        2.0,
        0.1,
        100.0,
        group="entry",
        meaning="Second shape (b) of the Beta(a, b) distribution of an NGO's dare.",
        source="assumption",
    ),
    _p(
        "reserves_spread",
        "float",
        0.5,
        0.0,
        2.0,
        group="entry",
        meaning="Spread (standard deviation of the log) of the log-normal factor on an "
        "entering NGO's `initial_reserves`; the factor's mean stays 1.",
        source="assumption",
    ),
    _p(
        "grassroots_reserves",
        "float",
        0.3,
        0.0,
        5.0,
        group="entry",
        meaning="Reserves of an entering grassroots group relative to other NGOs.",
        source="assumption",
    ),
    _p(
        "entrant_experience",
        "float",
        3.0,
        0.0,
        40.0,
        unit="years",
        group="entry",
        meaning="Most years of experience of an entrant's director (uniform from 0).",
        source="assumption",
    ),
    _p(
        "initial_experience",
        "float",
        5.0,
        0.0,
        40.0,
        unit="years",
        group="entry",
        meaning="Most years of experience of the director of an NGO present at the start "
        "(uniform from 0).",
        source="assumption",
    ),
    _p(
        "initial_reputation_low",
        "float",
        0.3,
        0.0,
        1.0,
        group="entry",
        meaning="Lowest reputation of an NGO present at the start (reputations are uniform "
        "between `initial_reputation_low` and `initial_reputation_high`).",
        source="assumption",
    ),
    _p(
        "initial_reputation_high",
        "float",
        0.7,
        0.0,
        1.0,
        group="entry",
        meaning="Highest reputation of an NGO present at the start.",
        source="assumption",
    ),
    _p(
        "initial_track_record",
        "int",
        5,
        0,
        50,
        unit="contract-years",
        group="entry",
        meaning="Most contract-years delivered by an NGO present at the start (uniform from 0).",
        source="assumption",
    ),
    # --- NGOs' strategies and growth -----------------------------------------------
    _p(
        "burden_tolerance",
        "float",
        0.5,
        0.0,
        1.0,
        group="strategy",
        meaning="Mean share of staff time an NGO will give to documentation and extra duties "
        "before it stays out of contracting (each NGO's own tolerance is drawn from a Beta "
        "distribution with this mean).",
        source="assumption",
        basis=SEED_LSE,
    ),
    _p(
        "tolerance_concentration",
        "float",
        4.0,
        0.1,
        1000.0,
        group="strategy",
        meaning="Concentration (a + b) of the Beta distribution of NGOs' tolerance of the "
        "burden of contracting: higher values make NGOs more alike.",
        source="assumption",
    ),
    _p(
        "runway_years",
        "float",
        2.0,
        0.0,
        50.0,
        unit="years",
        group="strategy",
        meaning="An NGO whose reserves would last fewer years than this on its other income "
        "seeks contracts whatever their burden.",
        source="assumption",
    ),
    _p(
        "experience_per_contract",
        "float",
        3.0,
        0.5,
        50.0,
        unit="contract-years",
        group="strategy",
        meaning="Contract-years an NGO must have delivered to manage one more contract at once.",
        source="assumption",
        basis=SEED_POLICY,
    ),
    _p(
        "small_ngo_contracts",
        "int",
        1,
        1,
        100,
        unit="contracts",
        group="strategy",
        meaning="Most contracts a community association or grassroots group runs at once.",
        source="assumption",
        basis=SEED_THREE_CITIES,
        plausible=(1, 2),
    ),
    _p(
        "advocacy_inclination",
        "float",
        0.05,
        0.0,
        1.0,
        group="strategy",
        meaning="Mean share of its own hours (those left after contracted work and chores) a "
        "general agency would spend on advocacy if it feared nothing (each NGO's inclination "
        "is drawn from a Beta distribution with this mean; 0 switches advocacy off).",
        source="assumption",
    ),
    _p(
        "advocacy_concentration",
        "float",
        1.0,
        0.1,
        1000.0,
        group="strategy",
        meaning="Concentration (a + b) of the Beta distribution of NGOs' inclination to "
        "advocate: low values make a few NGOs vocal and most silent.",
        source="assumption",
    ),
    _p(
        "advocacy_specialist",
        "float",
        2.0,
        0.0,
        20.0,
        group="strategy",
        meaning="Mean inclination to advocate of specialist NGOs relative to a general agency's.",
        source="assumption",
    ),
    _p(
        "advocacy_caution",
        "float",
        10.0,
        0.0,
        1000.0,
        unit="1/merit",
        group="strategy",
        meaning="How strongly an NGO holds back advocacy per unit of award merit it would put "
        "at stake, weighted by its dependence on government money.",
        source="assumption",
    ),
]

PARAMETERS: Named[Parameter] = Named(
    {p.name: p for p in _DECLARED}, lambda n: unknown_message(n), "simcontract.params:PARAMETERS"
)
"""All parameters by name (read-only); an unknown name raises
:class:`~simcontract.named.UnknownName`, a ``KeyError`` that names the closest one."""

DEFAULTS: Named[Any] = Named(
    {p.name: p.default for p in _DECLARED},
    lambda n: unknown_message(n),
    "simcontract.params:DEFAULTS",
)
"""Default value of every parameter (read-only; an unknown name as in :data:`PARAMETERS`)."""


def lookup(name: str) -> Parameter:
    """Return the parameter called ``name`` or raise ``KeyError`` with a suggestion."""
    return PARAMETERS[name]


SCENARIO_KEYS = ("name", "description", "start_year", "changes", "sources")
"""Keys a scenario file holds outside ``[parameters]`` (and what it names them)."""


FIRST_YEAR_ONLY = (
    "initial_experience",
    "initial_reputation_low",
    "initial_reputation_high",
    "initial_track_record",
    "first_year_newcomer_share",
)
"""Parameters the model reads only in model year 1: the NGOs it sets the market up with,
and the first year's entry. A dated rule change after year 1 leaves them without effect
(ODD section 6)."""


RETIRED = ("dependent_compliance",)
"""Parameters of earlier versions that no longer exist; what took the place of each is
said in the catalogue (``errors.params.retired_because.<name>``)."""


def unknown_message(name: str) -> str:
    """One-line message for an unknown parameter name, suggesting the closest one (or
    saying where a key of the scenario file itself belongs)."""
    tables = {"sources": "[sources]", "changes": "[[changes]]"}
    if name in tables:
        return _said("own_table", name=repr(name), table=tables[name])
    if name in SCENARIO_KEYS:
        return _said("scenario_key", name=repr(name))
    if name in RETIRED:
        return _said("retired", name=repr(name), reason=_said(f"retired_because.{name}"))
    close = difflib.get_close_matches(str(name).lower(), PARAMETERS.keys(), n=1, cutoff=0.6)
    hint = _said("did_you_mean", name=repr(close[0])) if close else ""
    return _said("unknown", name=repr(name), hint=hint)


def check_joint(values: dict[str, Any]) -> None:
    """Check constraints that tie several parameters together; raise ``ValueError``."""
    shares = ("share_specialist", "share_community", "share_grassroots")
    total = sum(values[s] for s in shares)
    if total > 1.0 + 1e-12:
        raise ValueError(_said("shares_sum", total=f"{total:g}"))
    for regime in REGIMES:
        names = [f"{regime}_regime_{indicator}" for indicator in INDICATORS]
        if sum(values[n] for n in names) <= 0:
            quoted = {k: repr(n) for k, n in zip(("first", "second", "third"), names, strict=True)}
            raise ValueError(_said("indicator_weights_zero", **quoted, regime=regime))
    weights = ("price_weight", "reputation_weight", "workload_weight")
    if sum(values[w] for w in weights) <= 0:
        raise ValueError(_said("score_weights_zero"))
    award = f"{values['evaluation']}_regime_award"
    if values["price_weight"] == values["reputation_weight"] == values[award] == 0:
        raise ValueError(
            _said("award_weights_zero", award=repr(award), evaluation=repr(values["evaluation"]))
        )
