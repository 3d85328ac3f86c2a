"""Pattern-oriented validation: the sources' stylised facts as controlled comparisons.

The patterns live in ``patterns.toml`` next to this module: each names two arms (a
scenario plus parameter overrides), an outcome and the expected direction of arm b
against arm a. Both arms run on the same seeds (common random numbers), and a pattern
counts as *reproduced* when the 95 % confidence interval of the paired difference
``b - a`` lies entirely on the expected side of zero.

The calibration report compares the ``guangzhou_ifsc`` scenario's yearly series with the
figures of the Guangzhou IFSC system listed in the same file.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import os
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from simcontract.experiment.parallel import process_context
from simcontract.outcomes import OUTCOMES
from simcontract.scenario import Scenario, ScenarioError, load_scenario


@dataclass(frozen=True)
class Arm:
    """One side of a comparison: a labelled scenario."""

    label: str
    scenario: Scenario


@dataclass(frozen=True)
class Pattern:
    """A stylised fact as a comparison of two arms.

    Attributes:
        id: Short identifier (``"2a"``).
        fact: Number of the stylised fact in the domain brief (1-11).
        claim: The fact in one sentence.
        source: Seed document the fact comes from.
        outcome: Outcome compared.
        expect: ``"higher"`` or ``"lower"``: arm b against arm a.
        a: Reference arm.
        b: Treatment arm.
    """

    id: str
    fact: int
    claim: str
    source: str
    outcome: str
    expect: str
    a: Arm
    b: Arm


@dataclass(frozen=True)
class CalibrationTarget:
    """A figure from the sources that a yearly outcome should match."""

    figure: str
    outcome: str
    year: int
    value: float
    source: str


def _arm(data: dict[str, Any], where: str) -> Arm:
    try:
        scenario = load_scenario(data["scenario"])
        if data.get("set"):
            scenario = scenario.replace(**data["set"])
    except KeyError as err:
        raise ScenarioError(f"{where}: missing key {err}") from None
    except ScenarioError as err:
        raise ScenarioError(f"{where}: {err}") from None
    return Arm(str(data.get("label", scenario.name)), scenario)


def _pattern_file() -> dict[str, Any]:
    text = resources.files("simcontract").joinpath("patterns.toml").read_text("utf-8")
    return tomllib.loads(text)


def load_patterns() -> list[Pattern]:
    """The stylised-fact patterns, validated (outcomes and arms must exist)."""
    out = []
    for raw in _pattern_file()["pattern"]:
        where = f"pattern {raw.get('id', '?')}"
        if raw["outcome"] not in OUTCOMES:
            raise ScenarioError(f"{where}: unknown outcome {raw['outcome']!r}")
        if raw["expect"] not in ("higher", "lower"):
            raise ScenarioError(f"{where}: expect must be 'higher' or 'lower'")
        out.append(
            Pattern(
                id=str(raw["id"]),
                fact=int(raw["fact"]),
                claim=raw["claim"],
                source=raw["source"],
                outcome=raw["outcome"],
                expect=raw["expect"],
                a=_arm(raw["a"], f"{where} arm a"),
                b=_arm(raw["b"], f"{where} arm b"),
            )
        )
    return out


def load_calibration() -> list[CalibrationTarget]:
    """The Guangzhou figures the ``guangzhou_ifsc`` scenario is compared with."""
    return [CalibrationTarget(**raw) for raw in _pattern_file()["calibration"]]


def replication_seeds(seed: int, replications: int) -> list[int]:
    """Per-replication seeds from ``SeedSequence(seed, spawn_key=(r,))``; the same for
    every arm, so arms differ only by their rules."""
    return [
        int(np.random.SeedSequence(seed, spawn_key=(r,)).generate_state(1, np.uint64)[0])
        for r in range(replications)
    ]


def _summary_task(task: tuple[Scenario, int]) -> dict[str, float]:
    from simcontract.experiment import _release
    from simcontract.model import ContractingModel

    scenario, seed = task
    model = ContractingModel(scenario, rng=seed).run()
    summary = model.summary()
    _release(model)
    return summary


def _series_task(task: tuple[Scenario, int]) -> pd.DataFrame:
    from simcontract.experiment import _release
    from simcontract.model import ContractingModel

    scenario, seed = task
    model = ContractingModel(scenario, rng=seed).run()
    series = model.series()
    _release(model)
    return series


def _run_all(
    fn: Callable[[tuple[Scenario, int]], Any],
    tasks: Sequence[tuple[Scenario, int]],
    workers: int | None,
    progress: Callable[[int, int], None] | None,
) -> list[Any]:
    """Run tasks in order, serially (workers=1) or on a local process pool."""
    workers = workers or os.cpu_count() or 1
    results: list[Any] = []
    if workers == 1:
        for i, task in enumerate(tasks, 1):
            results.append(fn(task))
            if progress:
                progress(i, len(tasks))
        return results
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=process_context()) as pool:
        for i, result in enumerate(pool.map(fn, tasks, chunksize=1), 1):
            results.append(result)
            if progress:
                progress(i, len(tasks))
    return results


def mean_ci(values: Iterable[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean and the t-based confidence interval of the mean (NaNs dropped)."""
    from scipy import stats

    arr = np.asarray([v for v in values if not math.isnan(v)], dtype=float)
    if arr.size == 0:
        return (math.nan, math.nan, math.nan)
    mean = float(arr.mean())
    if arr.size < 2:
        return (mean, math.nan, math.nan)
    half = float(stats.t.ppf(0.5 + level / 2, arr.size - 1) * arr.std(ddof=1) / math.sqrt(arr.size))
    return (mean, mean - half, mean + half)


def validate(
    replications: int = 30,
    seed: int = 0,
    workers: int | None = None,
    patterns: Sequence[Pattern] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Run every pattern and return one row per pattern.

    Columns: ``id``, ``fact``, ``claim``, ``outcome``, ``expect``, ``arm_a``, ``arm_b``,
    ``mean_a``, ``ci_a_low``, ``ci_a_high``, ``mean_b``, ``ci_b_low``, ``ci_b_high``,
    ``diff`` (mean of paired ``b - a``), ``diff_low``, ``diff_high`` (its 95 % CI),
    ``effect_size`` (Cohen's d: mean difference over the pooled standard deviation of
    the two arms) and ``reproduced`` (the difference's CI lies on the expected side).
    """
    patterns = list(patterns if patterns is not None else load_patterns())
    seeds = replication_seeds(seed, replications)
    unique: dict[Scenario, None] = {}
    for pat in patterns:
        unique.setdefault(pat.a.scenario)
        unique.setdefault(pat.b.scenario)
    tasks = [(sc, s) for sc in unique for s in seeds]
    results = _run_all(_summary_task, tasks, workers, progress)
    by_task = {(id(sc), s): r for (sc, s), r in zip(tasks, results, strict=True)}
    keyed = {sc: sc for sc in unique}
    rows = []
    for pat in patterns:
        a = np.array([by_task[(id(keyed[pat.a.scenario]), s)][pat.outcome] for s in seeds])
        b = np.array([by_task[(id(keyed[pat.b.scenario]), s)][pat.outcome] for s in seeds])
        ok = ~(np.isnan(a) | np.isnan(b))
        diff_mean, diff_low, diff_high = mean_ci(b[ok] - a[ok])
        mean_a, a_low, a_high = mean_ci(a)
        mean_b, b_low, b_high = mean_ci(b)
        pooled = math.sqrt((np.nanvar(a, ddof=1) + np.nanvar(b, ddof=1)) / 2)
        effect = diff_mean / pooled if pooled > 0 else math.nan
        reproduced = bool(diff_low > 0) if pat.expect == "higher" else bool(diff_high < 0)
        rows.append(
            {
                "id": pat.id,
                "fact": pat.fact,
                "claim": pat.claim,
                "outcome": pat.outcome,
                "expect": pat.expect,
                "arm_a": pat.a.label,
                "arm_b": pat.b.label,
                "mean_a": mean_a,
                "ci_a_low": a_low,
                "ci_a_high": a_high,
                "mean_b": mean_b,
                "ci_b_low": b_low,
                "ci_b_high": b_high,
                "diff": diff_mean,
                "diff_low": diff_low,
                "diff_high": diff_high,
                "effect_size": effect,
                "reproduced": reproduced,
            }
        )
    return pd.DataFrame(rows)


def calibrate(
    replications: int = 30,
    seed: int = 0,
    workers: int | None = None,
    scenario: str | Scenario = "guangzhou_ifsc",
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Compare the scenario's yearly series with the Guangzhou figures.

    Returns one row per figure: ``figure``, ``outcome``, ``year``, ``source_value``,
    ``model_mean`` with its 95 % CI (``model_low``, ``model_high``), ``deviation``
    (``model_mean / source_value - 1``) and ``within_25pct``.
    """
    base = load_scenario(scenario)
    seeds = replication_seeds(seed, replications)
    series = _run_all(_series_task, [(base, s) for s in seeds], workers, progress)
    rows = []
    for target in load_calibration():
        values = [
            float(df.loc[df["year"] == target.year, target.outcome].iloc[0])
            if (df["year"] == target.year).any()
            else math.nan
            for df in series
        ]
        mean, low, high = mean_ci(values)
        deviation = mean / target.value - 1 if target.value else math.nan
        rows.append(
            {
                "figure": target.figure,
                "outcome": target.outcome,
                "year": target.year,
                "source_value": target.value,
                "model_mean": mean,
                "model_low": low,
                "model_high": high,
                "deviation": deviation,
                "within_25pct": bool(abs(deviation) <= 0.25),
            }
        )
    return pd.DataFrame(rows)


def _num(x: float) -> str:
    if math.isnan(x):
        return "nan"
    if abs(x) >= 100:
        return f"{x:.0f}"
    return f"{x:.3g}"


def format_validation(table: pd.DataFrame) -> str:
    """The validation table as Markdown."""
    lines = [
        "| pattern | outcome | arm a | mean a [95% CI] | arm b | mean b [95% CI] "
        "| effect size | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        verdict = "reproduced" if r.reproduced else "NOT reproduced"
        lines.append(
            f"| {r.id} | {r.outcome} ({r.expect} in b) | {r.arm_a} | {_num(r.mean_a)} "
            f"[{_num(r.ci_a_low)}, {_num(r.ci_a_high)}] | {r.arm_b} | {_num(r.mean_b)} "
            f"[{_num(r.ci_b_low)}, {_num(r.ci_b_high)}] | {_num(r.effect_size)} | {verdict} |"
        )
    return "\n".join(lines)


def format_calibration(table: pd.DataFrame) -> str:
    """The calibration report as Markdown."""
    lines = [
        "| figure | year | source | model mean [95% CI] | deviation | within 25% |",
        "|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        lines.append(
            f"| {r.figure} | {2009 + r.year} | {_num(r.source_value)} | {_num(r.model_mean)} "
            f"[{_num(r.model_low)}, {_num(r.model_high)}] | {r.deviation:+.0%} | "
            f"{'yes' if r.within_25pct else 'no'} |"
        )
    return "\n".join(lines)
