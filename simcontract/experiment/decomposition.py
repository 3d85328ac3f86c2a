"""Scenario decomposition: how much of the gap between two scenarios each rule makes.

Two city scenarios (Guangzhou and Shanghai, say) differ in dozens of parameters at
once, and a comparison of the two says only how far apart their outcomes are.
:func:`decompose` groups the differing parameters into rules a reader names
(:mod:`~simcontract.experiment.decomposition_rules`), runs scenario a with every needed
*coalition* of rules switched to b's values, and splits the gap ``b - a`` among the
rules by their Shapley values::

    from simcontract.experiment.decomposition import decompose, format_decomposition
    d = decompose("guangzhou_ifsc", "shanghai_hub", "bids_per_tender", workers=2)
    print(format_decomposition(d))
    d.shapley        # rule, value, low, high, share, ...

How it works:

* Dated rule changes and the calendar. Each parameter's *schedule* is its value in
  model year 1 with its dated changes (``[[changes]]``), in model years; a rule
  switched to b takes b's schedule of each of its parameters, so a change moves with the
  rule it changes (Guangzhou's five-year contracts of model year 9 belong to
  ``contract_length``; the registration reform of 2012, model year 3 in Guangzhou and 7
  in Shanghai, to ``entry``). Runs are aligned by model year, as the model is: what a
  run sees is the year of the reform, not the calendar. ``start_year`` only labels
  calendars and is no rule. The run's length (``years``) is the rule ``run_length`` and
  the market's size and growth the rule ``market_scale``; most outcomes are shares or
  rates, so runs of different lengths and sizes compare, and these rules' values say how
  much of a gap comes from the size of the run. An outcome that counts (NGO entries,
  say) grows with both, which these rules then show.
* Coalitions and common random numbers. All coalition scenarios run as one
  :func:`~simcontract.experiment.batches.compare`, so replication ``r`` of every
  coalition has the same seed, and every contrast is paired. The empty coalition is
  scenario a, the full one scenario b.
* Shapley values. The value of coalition ``S`` in replication ``r`` is the outcome of
  that run, ``v_r(S)``. With ``k`` rules and ``k <= exact_limit`` every one of the
  ``2^k`` coalitions runs and each rule's Shapley value is exact; otherwise
  ``permutations`` random orders of the rules (seeded by ``seed``, in antithetic pairs:
  an order and its reverse) give the Monte-Carlo estimate, the mean of each rule's
  marginal contribution ``v_r(S + i) - v_r(S)`` over the orders. Either way the values
  are computed per replication, so they sum to that replication's gap
  ``v_r(b) - v_r(a)`` (efficiency, exactly, also when sampled); the table reports
  their mean over replications with a Student's t interval. Sampled values also carry
  the error of the orders drawn, the same in every replication and so not in that
  interval: ``sampling_se`` estimates it from the spread between pairs of orders. A rule
  that changes nothing the runs read gets exactly 0.
* One at a time. Each rule is also switched alone in a (``at_a``: ``v(i) - v(a)``)
  and alone back to a's values in b (``at_b``: ``v(b) - v(b - i)``, the same
  direction a to b). The two differ where rules interact; the Shapley value averages
  the rule's contribution over all contexts between them.
* A coalition can break a constraint across rules (shares of NGOs above 1): every
  coalition is built before anything runs, and the first invalid one is reported with
  the advice to put the constrained parameters into one rule.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simcontract.experiment import limits, messages, storage
from simcontract.experiment.codebook import comparable_forms, with_comparable
from simcontract.experiment.decomposition_rules import (
    DEFAULT_RULES,
    Rule,
    coalition_scenario,
    differing_rules,
    members,
    parse_rule,
    rule_label,
    rule_map,
)
from simcontract.experiment.runner import ExperimentError, check_flag, check_int
from simcontract.experiment.stats import Interval, mean_ci, paired_difference
from simcontract.outcomes import OUTCOMES, closest
from simcontract.scenario import Scenario, load_scenario

__all__ = [
    "BATCH_FOLDER",
    "DEFAULT_EXACT_LIMIT",
    "DEFAULT_PERMUTATIONS",
    "DEFAULT_REPLICATIONS",
    "DEFAULT_RULES",
    "Decomposition",
    "Rule",
    "decompose",
    "exact_shapley",
    "format_decomposition",
    "parse_rule",
    "rule_label",
    "rule_map",
    "sampled_shapley",
]

DEFAULT_REPLICATIONS = 6
"""Replications of every coalition (runs per coalition). With common random numbers the
paired contrasts are precise: for the city scenarios, the t interval over 6 replications
is about as wide as the sampling error of 20 orders, and the three city decompositions
take a few minutes each on two cores."""

DEFAULT_EXACT_LIMIT = 8
"""Most rules for exact Shapley values (``2^8 = 256`` coalitions); beyond, sampled."""

DEFAULT_PERMUTATIONS = 20
"""Random orders of the rules (10 antithetic pairs) for sampled Shapley values."""

BATCH_FOLDER = "batch"
"""Folder of ``out`` that holds the coalitions' runs (a results directory)."""

TABLES = ("shapley", "one_at_a_time", "rules", "coalitions", "per_replication")
"""The tables a decomposition writes, as ``NAME.csv``."""

OWN_FILES = (
    BATCH_FOLDER,
    *(f"{name}.csv" for name in TABLES),
    "decomposition.md",
    "decomposition.png",
    "decomposition.pdf",
)
"""What a decomposition writes into its folder: it resumes only in a folder holding
nothing else."""

_PERMUTATION_KEY = (0, 0x5348)
"""Spawn key of the orders' generator under the base seed (run seeds use ``(r,)``)."""

_said = partial(messages.error, "decomposition")


@dataclass(frozen=True)
class Decomposition:
    """The gap between two scenarios split among the rules that differ.

    Attributes:
        a: Scenario a (the reference).
        b: Scenario b.
        outcome: The outcome decomposed.
        rules: The differing rules, by name, in the order of the tables.
        total: Mean over replications of the paired gap ``b - a`` with its t interval,
            over the replications in which every Shapley value is defined (the outcome
            defined in every coalition), as are the values: they sum to it.
        shapley: One row per rule: ``rule``, ``label`` (in words), ``value`` (mean over
            replications of the rule's Shapley value, in the outcome's unit), ``low``,
            ``high`` (its t interval over replications), ``share`` (``value`` over the
            mean gap), ``sd`` (sd of the per-replication values), ``n`` (replications
            with a value), ``sampling_se`` (standard error of the order sampling: sd over
            antithetic pairs of orders of the replication-mean estimate, over the square
            root of the pairs; NaN when exact).
        one_at_a_time: One row per rule: ``rule``, ``label``, ``at_a`` (mean paired
            change when the rule alone takes b's values in a), ``at_a_low``,
            ``at_a_high``, ``at_b`` (mean paired change ``b`` minus b with the rule
            alone back at a's values), ``at_b_low``, ``at_b_high``, ``n``.
        per_replication: One row per replication (index ``replication``): each rule's
            Shapley value (columns named by rule) and ``total``, the gap ``b - a``.
        coalitions: One row per coalition run: ``point`` (its design point in the
            batch), ``mask`` (bit ``i``: ``rules``' ``i``-th rule switched to b),
            ``rules`` (their names, ``+``-joined; empty for a), ``size``, ``mean``,
            ``low``, ``high`` (mean outcome and t interval over replications).
        method: ``"exact"`` (every coalition) or ``"sampled"`` (random orders).
        permutations: Orders sampled (``None`` when exact).
        replications: Runs per coalition.
        seed: Base seed of the runs and of the orders.
        directory: Folder the decomposition was written to, or ``None``.
    """

    a: Scenario
    b: Scenario
    outcome: str
    rules: dict[str, Rule]
    total: Interval
    shapley: pd.DataFrame
    one_at_a_time: pd.DataFrame
    per_replication: pd.DataFrame
    coalitions: pd.DataFrame
    method: str
    permutations: int | None
    replications: int
    seed: int
    directory: Path | None = field(default=None, compare=False)

    @property
    def n_coalitions(self) -> int:
        """Coalitions run (scenarios a and b included)."""
        return len(self.coalitions)

    def rule_table(self, lang: str | None = None) -> pd.DataFrame:
        """One row per differing parameter: ``rule``, ``label``, ``parameter``, ``a``
        and ``b`` (its schedules in words, e.g. ``3; 5 from year 9``)."""
        return pd.DataFrame(
            [
                {
                    "rule": rule.name,
                    "label": rule.label(lang),
                    "parameter": p,
                    "a": rule.a[p].describe(lang),
                    "b": rule.b[p].describe(lang),
                }
                for rule in self.rules.values()
                for p in rule.parameters
            ],
            columns=["rule", "label", "parameter", "a", "b"],
        )

    def write(
        self, directory: str | Path, *, lang: str | None = None, figure: bool = True
    ) -> list[Path]:
        """Write the tables (``shapley.csv``, ``one_at_a_time.csv``, ``rules.csv``,
        ``coalitions.csv``, ``per_replication.csv``, ``decomposition.md``) and, with
        ``figure``, the figure (``decomposition.png`` and ``.pdf``) to ``directory``.

        Returns:
            The written paths.
        """
        from simcontract.experiment.atomic import write_atomic, write_text

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        tables = {
            "shapley": self.shapley,
            "one_at_a_time": self.one_at_a_time,
            "rules": self.rule_table(lang),
            "coalitions": self.coalitions,
            "per_replication": self.per_replication.reset_index(),
        }
        paths = [
            write_atomic(directory / f"{name}.csv", lambda tmp, t=table: t.to_csv(tmp, index=False))
            for name, table in tables.items()
        ]
        paths.append(
            write_text(directory / "decomposition.md", format_decomposition(self, lang) + "\n")
        )
        if figure:
            from simcontract import plots
            from simcontract.plots.decomposition import decomposition_chart

            fig = decomposition_chart(self, lang=lang)
            paths += plots.save(fig, directory / "decomposition")
        return paths


def decompose(
    a: str | Path | Scenario,
    b: str | Path | Scenario,
    outcome: str,
    *,
    rules: Mapping[str, Iterable[str]] | None = None,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = 0,
    workers: int | None = None,
    executor: cf.Executor | None = None,
    progress: bool | None = False,
    exact_limit: int = DEFAULT_EXACT_LIMIT,
    permutations: int = DEFAULT_PERMUTATIONS,
    out: str | Path | None = None,
    resume: bool = False,
    lang: str | None = None,
) -> Decomposition:
    """Split the gap ``b - a`` in ``outcome`` among the rules that differ (the method:
    see the module's description).

    Args:
        a: Scenario a, the reference (built-in name, TOML path or ``Scenario``).
        b: Scenario b.
        outcome: An outcome of :data:`~simcontract.outcomes.OUTCOMES`, or its comparable
            form (``"public_spend_per_purchaser_year"``: fair when the rules that differ
            change the market's size or horizon).
        rules: Rules of the caller, ``{name: [parameter, ...]}``, over
            :data:`DEFAULT_RULES` (see :func:`rule_map`).
        replications: Runs per coalition (>= 1; >= 2 for intervals).
        seed: Base seed of the run seeds and of the sampled orders.
        workers, executor, progress: As for
            :func:`~simcontract.experiment.batches.compare`.
        exact_limit: Most rules for exact Shapley values (all ``2^k`` coalitions).
        permutations: Orders of the rules sampled beyond ``exact_limit``: an even
            number, drawn as pairs of an order and its reverse.
        out: Folder to write to: the runs go to ``out/batch`` (a results directory of
            :func:`~simcontract.experiment.batches.compare`), then the tables and the
            figure (:meth:`Decomposition.write`). It must be empty unless ``resume``.
        resume: Finish an interrupted decomposition in ``out`` (same scenarios, rules,
            seed and settings), running only the missing runs.
        lang: Language of the written tables and figure.

    Returns:
        The :class:`Decomposition`.

    Raises:
        ScenarioError: A scenario cannot be loaded.
        ExperimentError: An unknown outcome, bad rules or options, scenarios that do not
            differ, a coalition that is not a valid scenario, too many coalitions, or an
            unusable ``out``.
        TypeError: ``resume`` is not a bool.
    """
    from simcontract.experiment.batches import compare_own

    a, b = load_scenario(a), load_scenario(b)
    counts = _checked_options(outcome, replications, seed, exact_limit, permutations)
    replications, seed, exact_limit, permutations = counts
    resume = check_flag(resume, "resume")
    differ = list(differing_rules(a, b, rules).values())
    if not differ:
        raise ExperimentError(_said("no_gap", a=repr(a.name), b=repr(b.name)))
    k = len(differ)
    exact = k <= exact_limit
    count = 2**k if exact else min(2**k, 2 + 2 * k + permutations * max(k - 1, 0))
    limits.check_batch("decompose", count, replications, a)  # before 2^k scenarios are built
    orders = None if exact else _orders(k, permutations, seed)
    masks = _masks(k, orders)
    scenarios = [coalition_scenario(a, b, differ, m) for m in masks]
    batch = _batch_folder(out, resume)
    options = {"workers": workers, "executor": executor, "progress": progress}
    runs = compare_own(
        scenarios, replications=replications, seed=seed, out=batch, resume=resume, **options
    ).runs
    values = _values(runs, masks, outcome, replications)
    result = _result(a, b, outcome, differ, values, masks, orders, replications, seed)
    if out is not None:
        result.write(out, lang=lang)
        result = replace(result, directory=Path(out))
    return result


def _checked_options(
    outcome: str, replications: Any, seed: Any, exact_limit: Any, permutations: Any
) -> tuple[int, int, int, int]:
    """The outcome checked, and the counts as integers in their ranges."""
    if outcome not in OUTCOMES and outcome not in comparable_forms():
        close = closest(outcome, [*OUTCOMES, *comparable_forms()])
        hint = _said("did_you_mean", name=repr(close)) if close else ""
        raise ExperimentError(_said("unknown_outcome", name=repr(outcome), hint=hint))
    replications = check_int(replications, "replications", 1)
    seed = check_int(seed, "seed", 0)
    exact_limit = check_int(exact_limit, "exact_limit", 0)
    permutations = check_int(permutations, "permutations", 2)
    if permutations % 2:
        raise ExperimentError(_said("permutations", n=permutations))
    return replications, seed, exact_limit, permutations


def _batch_folder(out: str | Path | None, resume: bool) -> Path | None:
    """The folder of the coalitions' runs under ``out``, after checking ``out``."""
    if out is None:
        if resume:
            raise ExperimentError(_said("resume_needs_out"))
        return None
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ExperimentError(_said("not_directory", out=repr(str(out))))
    if not resume and not storage.is_empty(out):
        raise ExperimentError(_said("not_empty", out=repr(str(out))))
    storage.check_own(out, OWN_FILES, messages.error("storage", "what_decomposition"))
    return out / BATCH_FOLDER


def _orders(k: int, permutations: int, seed: int) -> np.ndarray:
    """``permutations`` orders of ``k`` rules: random orders, each followed by its reverse."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=_PERMUTATION_KEY))
    out = []
    for _ in range(permutations // 2):
        order = rng.permutation(k)
        out += [order, order[::-1]]
    return np.array(out)


def _masks(k: int, orders: np.ndarray | None) -> list[int]:
    """The coalitions to run, by size then mask: all of them, or those of the orders
    with a, b, each rule alone and each rule left out (for the one-at-a-time table)."""
    full = (1 << k) - 1
    if orders is None:
        needed = set(range(full + 1))
    else:
        needed = {0, full} | {1 << i for i in range(k)} | {full ^ (1 << i) for i in range(k)}
        for order in orders:
            mask = 0
            for i in order:
                mask |= 1 << int(i)
                needed.add(mask)
    return sorted(needed, key=lambda m: (m.bit_count(), m))


def _values(
    runs: pd.DataFrame, masks: Sequence[int], outcome: str, replications: int
) -> dict[int, np.ndarray]:
    """Each coalition's outcome (or comparable form) per replication (NaN where a run has
    no value)."""
    if outcome not in runs.columns:
        runs = with_comparable(runs, [outcome])
    table = runs.pivot(index="point", columns="replication", values=outcome)
    table = table.reindex(index=range(len(masks)), columns=range(replications))
    data = table.to_numpy(dtype=float)
    return {mask: data[point] for point, mask in enumerate(masks)}


def exact_shapley(values: Mapping[int, np.ndarray], k: int) -> np.ndarray:
    """Shapley values of ``k`` players from every coalition's values.

    Args:
        values: Coalition (bit mask) to its values (any shape, e.g. per replication).
        k: Players.

    Returns:
        Array ``(k, *shape)``: player ``i``'s weighted mean of ``v(S + i) - v(S)`` over
        coalitions ``S`` without ``i``, weights ``|S|! (k - |S| - 1)! / k!``.
    """
    weight = [math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) for s in range(k)]
    shape = np.shape(values[0])
    out = np.zeros((k, *shape))
    for i in range(k):
        bit = 1 << i
        for mask in range(1 << k):
            if not mask & bit:
                out[i] += weight[mask.bit_count()] * (values[mask | bit] - values[mask])
    return out


def sampled_shapley(values: Mapping[int, np.ndarray], orders: np.ndarray) -> np.ndarray:
    """Each player's marginal contribution in each order.

    Returns:
        Array ``(orders, k, *shape)``; its mean over axis 0 estimates the Shapley values.
    """
    n, k = orders.shape
    shape = np.shape(values[0])
    out = np.zeros((n, k, *shape))
    for j, order in enumerate(orders):
        mask = 0
        for i in order:
            after = mask | 1 << int(i)
            out[j, i] = values[after] - values[mask]
            mask = after
    return out


def _shapley_values(
    values: dict[int, np.ndarray], k: int, orders: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Per rule and replication, the Shapley values (exact, or from the sampled
    ``orders``), and per rule the standard error of the order sampling (NaN if exact)."""
    sampling = np.full(k, np.nan)
    if orders is None:
        return exact_shapley(values, k), sampling
    marginal = sampled_shapley(values, orders)
    phi = marginal.mean(axis=0)
    with warnings.catch_warnings():  # a rule without any value: NaN, said as such
        warnings.simplefilter("ignore", RuntimeWarning)
        estimate = np.nanmean(marginal, axis=2)  # (orders, k): mean over replications
    pairs = estimate.reshape(-1, 2, k).mean(axis=1)
    if len(pairs) >= 2:
        sampling = pairs.std(axis=0, ddof=1) / math.sqrt(len(pairs))
    return phi, sampling


def _coalition_table(
    values: dict[int, np.ndarray], masks: list[int], rules: list[Rule]
) -> pd.DataFrame:
    """One row per coalition run: its point, mask, rules, size and mean outcome."""
    rows = []
    for point, mask in enumerate(masks):
        ci = mean_ci(values[mask])
        rows.append(
            {
                "point": point,
                "mask": mask,
                "rules": "+".join(members(mask, rules)),
                "size": mask.bit_count(),
                "mean": ci.mean,
                "low": ci.low,
                "high": ci.high,
            }
        )
    return pd.DataFrame(rows)


def _result(
    a: Scenario,
    b: Scenario,
    outcome: str,
    rules: list[Rule],
    values: dict[int, np.ndarray],
    masks: list[int],
    orders: np.ndarray | None,
    replications: int,
    seed: int,
) -> Decomposition:
    k = len(rules)
    full = (1 << k) - 1
    gap = values[full] - values[0]
    phi, sampling = _shapley_values(values, k, orders)
    # The values sum to the gap replication by replication; where the outcome is
    # undefined in some coalition, a value is too: the gap is taken over the same
    # replications as the values, so that they still add up.
    defined = np.isfinite(gap) & np.isfinite(phi).all(axis=0)
    total = mean_ci(gap[defined])
    shapley, alone = [], []
    for i, rule in enumerate(rules):
        ci = mean_ci(phi[i][defined])
        shapley.append(
            {
                "rule": rule.name,
                "label": rule.label(),
                "value": ci.mean,
                "low": ci.low,
                "high": ci.high,
                "share": ci.mean / total.mean if total.mean else math.nan,
                "sd": ci.sd,
                "n": ci.n,
                "sampling_se": float(sampling[i]),
            }
        )
        at_a = paired_difference(values[0], values[1 << i])
        at_b = paired_difference(values[full ^ (1 << i)], values[full])
        alone.append(
            {
                "rule": rule.name,
                "label": rule.label(),
                "at_a": at_a.mean,
                "at_a_low": at_a.low,
                "at_a_high": at_a.high,
                "at_b": at_b.mean,
                "at_b_low": at_b.low,
                "at_b_high": at_b.high,
                "n": min(at_a.n, at_b.n),
            }
        )
    per_replication = pd.DataFrame(
        {**{rule.name: phi[i] for i, rule in enumerate(rules)}, "total": gap},
        index=pd.RangeIndex(replications, name="replication"),
    )
    coalitions = _coalition_table(values, masks, rules)
    return Decomposition(
        a=a,
        b=b,
        outcome=outcome,
        rules={r.name: r for r in rules},
        total=total,
        shapley=pd.DataFrame(shapley),
        one_at_a_time=pd.DataFrame(alone),
        per_replication=per_replication,
        coalitions=coalitions,
        method="exact" if orders is None else "sampled",
        permutations=None if orders is None else len(orders),
        replications=replications,
        seed=seed,
    )


def format_decomposition(
    decompositions: Decomposition | Sequence[Decomposition], lang: str | None = None
) -> str:
    """One or more decompositions as Markdown: per decomposition a heading, the gap with
    its CI, the method, the table of Shapley values and one-at-a-time effects, and the
    differing parameters with their values in a and b (see
    :mod:`~simcontract.experiment.decomposition_report`)."""
    from simcontract.experiment import decomposition_report

    if isinstance(decompositions, Decomposition):
        decompositions = [decompositions]
    return "\n\n".join(decomposition_report.markdown(d, lang) for d in decompositions)
