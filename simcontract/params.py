"""The parameter registry: every model parameter, declared once.

The TOML loader, the CLI's ``--set``, the batch runner's designs, the app's controls,
the documentation's parameter table and every error message read this registry.
Sources name a file in the project's seed documents or say ``assumption``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

SEED_GUANGZHOU = "004_03c87105c24127cd.txt"
SEED_THREE_CITIES = "002_52d5503e79805775.txt"
SEED_POLICY = "003_cb4aa1f09a237e0c.txt"
SEED_LSE = "000_effe18ee7456b6b6.txt"
SEED_PROJECT = "001_0973de3132233a76.txt"

TENDERING_MODES = ("open", "selective", "intermediary", "direct")


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
        source: Seed file name the value comes from, or ``"assumption"``.
        group: Which part of the model reads it (for documentation and the app).
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

    @property
    def numeric(self) -> bool:
        """Whether the parameter takes a number (int or float)."""
        return self.kind in ("int", "float")

    def allowed(self) -> str:
        """Describe the allowed values in words, for error messages."""
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        kind = "an integer" if self.kind == "int" else "a number"
        return f"{kind} in [{_fmt(self.low)}, {_fmt(self.high)}]"

    def check(self, value: Any) -> Any:
        """Return ``value`` converted to this parameter's type, or raise ``ValueError``.

        Integers are accepted for float parameters; floats with no fractional part are
        accepted for integer parameters; booleans are never numbers.
        """
        if self.kind == "choice":
            if not isinstance(value, str) or value not in self.choices:
                raise ValueError(
                    f"parameter {self.name!r}: {value!r} is not allowed; expected {self.allowed()}"
                )
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(
                f"parameter {self.name!r}: {value!r} is not a number; expected {self.allowed()}"
            )
        if self.kind == "int":
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(
                    f"parameter {self.name!r}: {value!r} is not an integer; "
                    f"expected {self.allowed()}"
                )
            value = int(value)
        else:
            value = float(value)
            if value != value:  # NaN
                raise ValueError(
                    f"parameter {self.name!r}: NaN is not allowed; expected {self.allowed()}"
                )
        if not (self.low <= value <= self.high):
            raise ValueError(
                f"parameter {self.name!r}: {value!r} is out of range; expected {self.allowed()}"
            )
        return value

    def parse(self, text: str) -> Any:
        """Parse a value typed on the command line (``--set name=text``)."""
        text = text.strip()
        if self.kind == "choice":
            return self.check(text)
        try:
            value: Any = int(text) if self.kind == "int" else float(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                raise ValueError(
                    f"parameter {self.name!r}: {text!r} is not a number; expected {self.allowed()}"
                ) from None
        return self.check(value)


def _fmt(x: float | None) -> str:
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
        source=SEED_THREE_CITIES,
    ),
    _p(
        "slots_per_purchaser",
        "int",
        3,
        1,
        1_000,
        unit="contracts",
        group="run",
        meaning="Service slots (contracts) each purchaser funds in the first year.",
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
        source=SEED_THREE_CITIES,
    ),
    _p(
        "share_community",
        "float",
        0.2,
        0.0,
        1.0,
        group="run",
        meaning="Share of NGOs that are community associations of trusted residents.",
        source=SEED_THREE_CITIES,
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
        source=SEED_LSE,
    ),
    _p(
        "multi_district_share",
        "float",
        0.3,
        0.0,
        1.0,
        group="run",
        meaning="Share of general social-work agencies that serve every district of their city.",
        source=SEED_GUANGZHOU,
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
        meaning="Length of a service contract.",
        source=SEED_THREE_CITIES,
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
        "selective",
        choices=("same", *TENDERING_MODES),
        group="tendering",
        meaning="How mass organisations award contracts ('same' follows `tendering`); they "
        "mostly choose partners they know.",
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
        source=SEED_POLICY,
    ),
    _p(
        "favouritism",
        "float",
        0.2,
        0.0,
        1.0,
        group="tendering",
        meaning="Weight of personal ties (versus merit) in award decisions.",
        source=SEED_THREE_CITIES,
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
        source=SEED_GUANGZHOU,
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
        source=SEED_THREE_CITIES,
    ),
    _p(
        "snatching",
        "float",
        0.5,
        0.0,
        1.0,
        group="tendering",
        meaning="How hard NGOs without contracts underbid to snatch one (0 = never).",
        source=SEED_THREE_CITIES,
    ),
    _p(
        "max_bid_inflation",
        "float",
        0.3,
        0.0,
        2.0,
        group="tendering",
        meaning="Most extra hours a bidder dares to promise, as a share of required hours.",
        source=SEED_GUANGZHOU,
    ),
    _p(
        "min_reputation",
        "float",
        0.25,
        0.0,
        1.0,
        group="tendering",
        meaning="Lowest bidder reputation, after the purchaser's adjustments (blame "
        "avoidance, partnership, reshuffle, continuity), a purchaser accepts; with no "
        "acceptable bid the tender fails.",
        source="assumption",
    ),
    _p(
        "blame_avoidance",
        "float",
        0.5,
        0.0,
        1.0,
        group="tendering",
        meaning="How strongly bureaux shun bidders without a track record.",
        source=SEED_THREE_CITIES,
    ),
    _p(
        "partnership",
        "float",
        0.5,
        0.0,
        1.0,
        group="tendering",
        meaning="Bonus mass organisations give specialist NGOs of their sector and past partners.",
        source=SEED_THREE_CITIES,
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
        source=SEED_THREE_CITIES,
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
        source=SEED_POLICY,
    ),
    _p(
        "reshuffle",
        "float",
        0.3,
        0.0,
        1.0,
        group="cadres",
        meaning="How strongly a newly arrived official turns against incumbent providers.",
        source=SEED_THREE_CITIES,
    ),
    _p(
        "tie_density",
        "float",
        0.1,
        0.0,
        1.0,
        group="cadres",
        meaning="Chance that a new official already knows a given local NGO's head "
        "(x3 for community associations, x5 for a federation's own specialists).",
        source="assumption",
    ),
    _p(
        "tie_growth",
        "float",
        0.15,
        0.0,
        1.0,
        unit="1/year",
        group="cadres",
        meaning="Yearly growth of an official's tie to a provider that served well.",
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
    # --- money and survival -------------------------------------------------------------
    _p(
        "match_funding",
        "float",
        0.0,
        0.0,
        0.95,
        group="money",
        meaning="Share of contract value the NGO must co-fund from its own money.",
        source=SEED_POLICY,
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
        meaning="Mean non-government income of an NGO (donations, fees, foundations).",
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
        "dormancy_years",
        "int",
        3,
        1,
        100,
        unit="years",
        group="money",
        meaning="Years without any contract after which an NGO dissolves.",
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
        unit="1/year",
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
        source=SEED_PROJECT,
    ),
    _p(
        "dependence_threshold",
        "float",
        0.8,
        0.0,
        1.0,
        group="money",
        meaning="Government share of revenue above which an NGO counts as highly dependent.",
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
        source=SEED_GUANGZHOU,
    ),
    _p(
        "refusal_penalty",
        "float",
        0.15,
        0.0,
        1.0,
        group="delivery",
        meaning="Evaluation-score loss when an NGO refuses ordered extra duties.",
        source=SEED_GUANGZHOU,
    ),
    _p(
        "evaluation",
        "choice",
        "mixed",
        choices=("workload", "outcome", "mixed"),
        group="delivery",
        meaning="What evaluators and award criteria reward: hours, outcomes, or both.",
        source=SEED_GUANGZHOU,
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
        source=SEED_GUANGZHOU,
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
        source=SEED_GUANGZHOU,
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
        source=SEED_THREE_CITIES,
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
        source=SEED_GUANGZHOU,
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
        source=SEED_THREE_CITIES,
    ),
]

PARAMETERS: MappingProxyType[str, Parameter] = MappingProxyType({p.name: p for p in _DECLARED})
"""All parameters by name (read-only)."""

DEFAULTS: MappingProxyType[str, Any] = MappingProxyType({p.name: p.default for p in _DECLARED})
"""Default value of every parameter (read-only)."""


def lookup(name: str) -> Parameter:
    """Return the parameter called ``name`` or raise ``KeyError`` with a suggestion."""
    try:
        return PARAMETERS[name]
    except KeyError:
        raise KeyError(unknown_message(name)) from None


def unknown_message(name: str) -> str:
    """One-line message for an unknown parameter name, suggesting the closest one."""
    close = difflib.get_close_matches(str(name), PARAMETERS.keys(), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown parameter {name!r}{hint} (`simcontract params` lists every parameter)"


def check_joint(values: dict[str, Any]) -> None:
    """Check constraints that tie several parameters together; raise ``ValueError``."""
    shares = ("share_specialist", "share_community", "share_grassroots")
    total = sum(values[s] for s in shares)
    if total > 1.0 + 1e-12:
        raise ValueError(
            "parameters 'share_specialist' + 'share_community' + 'share_grassroots' "
            f"sum to {total:g}; expected at most 1 (the rest are general agencies)"
        )
    weights = ("price_weight", "reputation_weight", "workload_weight")
    if sum(values[w] for w in weights) <= 0:
        raise ValueError(
            "parameters 'price_weight', 'reputation_weight' and 'workload_weight' are all "
            "0; expected at least one above 0"
        )
