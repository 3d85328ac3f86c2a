"""The rules a scenario decomposition switches: parameters grouped as a reader names them,
each parameter's course over a run, and the scenario of a coalition of switched rules.

A *rule* is a named set of parameters that a reader understands as one institution
("tendering mode", "contract length"). :data:`DEFAULT_RULES` is a hand-written map of
such rules; a parameter it does not name falls into the rule of its registry group
(``other_<group>``, e.g. ``other_money``), so every parameter belongs to exactly one rule.

A parameter's :class:`Schedule` is its value in model year 1 and the dated changes of
its value (the scenario's ``[[changes]]``), in model years. Switching a rule from
scenario a to scenario b gives each of its parameters b's whole schedule, so the dated
rule changes travel with the parameters they change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType
from typing import Any

from simcontract import i18n
from simcontract.experiment import messages
from simcontract.experiment.runner import ExperimentError
from simcontract.params import PARAMETERS, unknown_message
from simcontract.scenario import Scenario, ScenarioError

DEFAULT_RULES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "run_length": ("years",),
        "market_scale": (
            "n_cities",
            "districts_per_city",
            "n_bureaux",
            "n_mass_orgs",
            "slots_per_purchaser",
            "initial_ngos",
            "budget_growth",
            "entry_rate",
        ),
        "ngo_mix": ("share_specialist", "share_community", "share_grassroots"),
        "ngo_capacity": (
            "multi_district_share",
            "experience_per_contract",
            "small_ngo_contracts",
            "startup_share",
        ),
        "entry": (
            "registration",
            "sponsor_entry_factor",
            "entry_openness_floor",
            "entry_openness_slope",
            "first_year_newcomer_share",
            "newcomer_reputation",
        ),
        "tendering_mode": (
            "tendering",
            "mass_org_tendering",
            "shortlist_size",
            "hub_pool_size",
            "hub_citywide_preference",
            "hub_noise",
            "hub_spare_ratio",
            "invited_bid_chance",
            "incumbent_rank_bonus",
            "rank_noise",
            "continuity_bonus",
        ),
        "favouritism": (
            "favouritism",
            "tie_density",
            "tie_decay",
            "community_tie_factor",
            "mass_org_tie_factor",
            "initial_tie_low",
            "initial_tie_high",
            "tie_cultivation",
            "cultivation_hours",
            "refusal_tie_cut",
            "local_trust",
            "partnership",
            "patronage_bonus",
        ),
        "caution": (
            "blame_avoidance",
            "blame_penalty",
            "proven_track_record",
            "min_reputation",
            "mass_org_caution",
            "promotion_drive",
            "mass_org_drive",
            "motive_spread",
        ),
        "rotation": (
            "rotation_years",
            "cadre_transfer",
            "term_shape",
            "reshuffle",
            "reshuffle_cut",
            "new_broom_years",
            "new_broom_termination",
        ),
        "control": (
            "client_control",
            "extra_duty_demand",
            "refusal_penalty",
            "base_compliance",
            "refusal_caution",
            "obedience_discount",
        ),
        "bid_scoring": (
            "price_weight",
            "reputation_weight",
            "workload_weight",
            "max_bid_inflation",
            "workload_incentive",
            "max_discount",
            "base_discount",
            "discount_noise",
            "snatching",
            "award_noise",
        ),
        "evaluation": (
            "evaluation",
            "n_evaluators",
            "evaluator_heterogeneity",
            "evaluator_tenure",
            "documentation_base",
            "multi_system_overhead",
            "indicator_learning_cost",
            "indicator_learning_noise",
            "indicator_learning_scale",
            "workload_record_keeping",
            "output_chasing",
            "evaluation_noise",
            "termination_score",
            "reputation_memory",
        ),
        "contract_length": (
            "contract_years",
            "multiyear_endorsement",
            "bureau_standing",
            "mass_org_standing",
        ),
        "contract_money": (
            "contract_value",
            "required_hours",
            "staff_per_contract",
            "mass_org_budget",
            "activity_share",
            "match_funding",
            "inkind_match",
            "cofunder_match",
        ),
        "service_reach": (
            "street_population_low",
            "street_population_high",
            "coverage_population",
            "coverage_elasticity",
        ),
    }
)
"""The named rules of a decomposition and their parameters (see :func:`rule_map`).

``run_length`` and ``market_scale`` set how long the run lasts and how large the market
is and grows: as rules of their own, their share of a gap says how much of it comes from
the size of the run rather than from its institutions. The market's growth (budgets'
yearly growth, entrants per tender) belongs to its size: one city's growth at another's
scale (Guangzhou's roll-out, 67 % budget growth and two entrants per tender, in Beijing's
market of 300 projects) makes markets of tens of thousands of NGOs that neither city is,
and runs a hundred times slower. Parameters tied by a joint constraint (the NGO shares,
which sum to at most 1; the three weights of bid scoring, not all 0) share a rule, so
that every coalition of rules is a valid scenario."""

FALLBACK_PREFIX = "other_"
"""A parameter no named rule holds belongs to the rule ``other_<its registry group>``."""

_said = partial(messages.error, "decomposition_rules")


def rule_map(rules: Mapping[str, Iterable[str]] | None = None) -> dict[str, tuple[str, ...]]:
    """Every parameter's rule: ``rules`` over :data:`DEFAULT_RULES` over the groups.

    A parameter ``rules`` names belongs to that rule. A default rule that ``rules``
    redefines (same name) keeps only the parameters ``rules`` gives it; the others of
    its parameters, and every parameter no rule names, belong to ``other_<group>``.

    Args:
        rules: Rules of the caller, ``{name: [parameter, ...]}``.

    Returns:
        Rule name to its parameters, every parameter exactly once; the caller's rules
        first, then the default rules, then the fallback rules.

    Raises:
        ExperimentError: An unknown parameter, an empty rule, a bad name, or a parameter
            in two of the caller's rules.
    """
    own = _check_rules(rules or {})
    taken = {p: name for name, params in own.items() for p in params}
    out = dict(own)
    for name, params in DEFAULT_RULES.items():
        if name not in own:
            kept = tuple(p for p in params if p not in taken)
            if kept:
                out[name] = kept
                taken.update(dict.fromkeys(kept, name))
    for name, param in PARAMETERS.items():
        if name not in taken:
            rule = FALLBACK_PREFIX + param.group
            out[rule] = (*out.get(rule, ()), name)
    return out


def _check_rules(rules: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(rules, Mapping):
        raise ExperimentError(_said("not_mapping", kind=type(rules).__name__))
    out: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for name, params in rules.items():
        if not isinstance(name, str) or not name.strip() or not name.isprintable():
            raise ExperimentError(_said("bad_name", name=repr(name)))
        if isinstance(params, str) or not isinstance(params, Iterable):
            raise ExperimentError(_said("not_list", name=repr(name), params=repr(params)))
        params = tuple(params)
        if not params:
            raise ExperimentError(_said("no_parameter", name=repr(name)))
        for p in params:
            if p not in PARAMETERS:
                raise ExperimentError(_said("unknown", name=repr(name), reason=unknown_message(p)))
            if p in owner:
                said = {"param": repr(p), "first": repr(owner[p]), "second": repr(name)}
                raise ExperimentError(_said("two_rules", **said))
            owner[p] = name
        out[name] = tuple(dict.fromkeys(params))
    return out


def parse_rule(text: str) -> tuple[str, tuple[str, ...]]:
    """A rule given as ``NAME=p1,p2`` (the ``--rule`` option).

    Raises:
        ExperimentError: Not of that form, or an unknown parameter.
    """
    name, sep, rest = text.partition("=")
    params = tuple(p.strip() for p in rest.split(",") if p.strip())
    if not sep or not name.strip() or not params:
        raise ExperimentError(_said("rule_form", text=repr(text)))
    for p in params:
        if p not in PARAMETERS:
            raise ExperimentError(_said("rule_unknown", text=repr(text), reason=unknown_message(p)))
    return name.strip(), params


def rule_label(name: str, lang: str | None = None) -> str:
    """A rule's name in words: the catalogue's label of a default rule, ``Other rules:
    <group>`` for a fallback rule, else the name as given."""
    found = i18n.text(f"decomposition.rules.{name}", lang)
    if found != f"decomposition.rules.{name}":
        return found
    group = name.removeprefix(FALLBACK_PREFIX)
    if name.startswith(FALLBACK_PREFIX) and any(p.group == group for p in PARAMETERS.values()):
        return i18n.text("decomposition.other_rules", lang, group=i18n.group_name(group, lang))
    return name


@dataclass(frozen=True)
class Schedule:
    """A parameter's course over a run: its value from model year 1 and its changes.

    Attributes:
        value: Value in model year 1.
        changes: ``(model year, new value)`` of each dated change of the value, in year
            order (changes that set the value already in force are left out).
    """

    value: Any
    changes: tuple[tuple[int, Any], ...] = ()

    def describe(self, lang: str | None = None) -> str:
        """The schedule in words, e.g. ``3; 5 from year 9``."""
        parts = [_fmt(self.value)]
        parts += [
            i18n.text("decomposition.from_year", lang, value=_fmt(v), year=y)
            for y, v in self.changes
        ]
        return "; ".join(parts)

    def __str__(self) -> str:
        return self.describe()


def _fmt(value: Any) -> str:
    """A value as scenario tables show it: ``0.67``, ``2``, ``2,400,000``,
    ``21,268.8``."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{value:,.0f}"
        return f"{value:,.6g}"
    return str(value)


def schedules(scenario: Scenario) -> dict[str, Schedule]:
    """Every parameter's :class:`Schedule` in ``scenario``."""
    out = {}
    for name in PARAMETERS:
        current = scenario[name]
        changes = []
        for year, change in scenario.changes:
            if name in change and change[name] != current:
                current = change[name]
                changes.append((year, current))
        out[name] = Schedule(scenario[name], tuple(changes))
    return out


@dataclass(frozen=True)
class Rule:
    """A rule that differs between two scenarios.

    Attributes:
        name: The rule's name (a key of :func:`rule_map`).
        parameters: Its parameters whose schedules differ between a and b.
        a: Their schedules in scenario a.
        b: Their schedules in scenario b.
    """

    name: str
    parameters: tuple[str, ...]
    a: Mapping[str, Schedule]
    b: Mapping[str, Schedule]

    def label(self, lang: str | None = None) -> str:
        """The rule's name in words (:func:`rule_label`)."""
        return rule_label(self.name, lang)


def differing_rules(
    a: Scenario, b: Scenario, rules: Mapping[str, Iterable[str]] | None = None
) -> dict[str, Rule]:
    """The rules whose parameters' schedules differ between ``a`` and ``b``, in the
    order of :func:`rule_map`; each holds only its differing parameters."""
    sched_a, sched_b = schedules(a), schedules(b)
    out = {}
    for name, params in rule_map(rules).items():
        differ = tuple(p for p in params if sched_a[p] != sched_b[p])
        if differ:
            out[name] = Rule(
                name,
                differ,
                MappingProxyType({p: sched_a[p] for p in differ}),
                MappingProxyType({p: sched_b[p] for p in differ}),
            )
    return out


def members(mask: int, rules: Sequence[Rule]) -> tuple[str, ...]:
    """The names of the rules in coalition ``mask`` (bit ``i``: ``rules[i]``)."""
    return tuple(r.name for i, r in enumerate(rules) if mask >> i & 1)


def coalition_scenario(a: Scenario, b: Scenario, rules: Sequence[Rule], mask: int) -> Scenario:
    """Scenario a with the rules of coalition ``mask`` (bit ``i``: ``rules[i]``) switched
    to b's schedules; named ``coalition-<mask in hex>``.

    ``start_year`` only labels calendars (it changes no result): the coalition keeps a's
    when a and b share it, else it is undated.

    Raises:
        ExperimentError: The coalition breaks a constraint that ties parameters of
            different rules (e.g. shares of NGOs summing above 1).
    """
    chosen = schedules(a)
    for i, rule in enumerate(rules):
        if mask >> i & 1:
            chosen.update(rule.b)
    by_year: dict[int, dict[str, Any]] = {}
    for name, schedule in chosen.items():
        for year, value in schedule.changes:
            by_year.setdefault(year, {})[name] = value
    switched = members(mask, rules)
    try:
        return Scenario(
            {name: s.value for name, s in chosen.items()},
            name=f"coalition-{mask:x}",
            description=f"{a.name} with the rules {', '.join(switched) or '(none)'} of {b.name}",
            changes=[{"year": y, **by_year[y]} for y in sorted(by_year)],
            start_year=a.start_year if a.start_year == b.start_year else None,
        )
    except ScenarioError as err:
        said = {"a": a.name, "b": b.name, "rules": messages.listed(switched), "reason": err}
        raise ExperimentError(_said("invalid_coalition", **said)) from None
