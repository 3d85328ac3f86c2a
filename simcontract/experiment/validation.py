"""Pattern-oriented validation: the sources' stylised facts as controlled comparisons.

The patterns live in ``patterns.toml`` in the package: each names two arms (a
scenario plus parameter overrides), an outcome and the expected direction of arm b
against arm a. The arms run as one comparison, so both run on the same seeds (common
random numbers: :func:`~simcontract.experiment.runner.run_seed`), and a pattern counts
as *reproduced* when the 95 % confidence interval of the paired difference ``b - a``
lies entirely on the expected side of zero.

The calibration report compares the ``guangzhou_ifsc`` scenario's yearly series with the
figures of the Guangzhou IFSC system listed in the same file.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simcontract.experiment import messages, validation_report
from simcontract.experiment.stats import mean_ci, paired_difference
from simcontract.outcomes import OUTCOMES
from simcontract.params import PARAMETERS, lookup
from simcontract.scenario import Scenario, ScenarioError, load_scenario
from simcontract.sources import SOURCES
from simcontract.sources import check as check_source


@dataclass(frozen=True)
class Arm:
    """One side of a comparison: a labelled scenario."""

    label: str
    scenario: Scenario


@dataclass(frozen=True)
class Mechanism:
    """What produces a pattern: the model's mechanism, and how to switch it off.

    Attributes:
        label: The mechanism in a few words ("insecure staff quit").
        off: Parameter values that switch the mechanism off in both arms.
    """

    label: str
    off: dict[str, Any]

    @property
    def assumed(self) -> tuple[str, ...]:
        """The parameters of the switch that no source supports: neither their value
        nor the mechanism they weigh (:attr:`~simcontract.params.Parameter.basis`). A
        pattern whose mechanism rests on one is not evidence: the model shows that the
        assumption can produce the fact, not that the sources describe how it arises."""
        return tuple(
            name
            for name in self.off
            if PARAMETERS[name].source == "assumption" and not PARAMETERS[name].basis
        )


@dataclass(frozen=True)
class Pattern:
    """A stylised fact as a comparison of two arms.

    Attributes:
        id: Short identifier (``"2a"``).
        fact: Number of the stylised fact in the domain brief (1-11).
        claim: The fact in one sentence.
        source: Citation key of the source the fact comes from, or a tuple of keys
            when several report it.
        outcome: Outcome compared.
        expect: ``"higher"`` or ``"lower"``: arm b against arm a.
        a: Reference arm.
        b: Treatment arm.
        minimum_effect: Smallest paired difference ``|b - a|``, in the outcome's unit,
            that counts as an effect that matters (justified in ``patterns.toml``).
        mechanism: The mechanism that produces the pattern, or ``None``.
        construction: Why the pattern is true by construction (an outcome bounded or set
            by a parameter of the arms), or ``""``; such a pattern is reported but is not
            evidence.
        off_effect: What produces the difference that remains, or reverses, with the
            mechanism off, as measured, or ``""``.
    """

    id: str
    fact: int
    claim: str
    source: str | tuple[str, ...]
    outcome: str
    expect: str
    a: Arm
    b: Arm
    minimum_effect: float = 0.0
    mechanism: Mechanism | None = None
    construction: str = ""
    off_effect: str = ""

    @property
    def sources(self) -> tuple[str, ...]:
        """The citation keys of the pattern's sources."""
        return (self.source,) if isinstance(self.source, str) else self.source


@dataclass(frozen=True)
class CalibrationTarget:
    """A figure from the sources that a yearly outcome should match.

    Attributes:
        figure: The figure in words.
        outcome: The yearly outcome compared with it.
        year: Model year (year 1 is the scenario's ``start_year``).
        value: The figure.
        source: Citation key of the source.
        role: ``"input"`` (the scenario's values set it, so matching it is a check of
            the inputs, not evidence), ``"target"`` (a calibration may fit it) or
            ``"untargeted"`` (nothing is ever fitted to it: a test out of sample).
    """

    figure: str
    outcome: str
    year: int
    value: float
    source: str
    role: str = "target"


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


def _mechanism(data: dict[str, Any] | None, where: str) -> Mechanism | None:
    if data is None:
        return None
    try:
        label, off = str(data["label"]), dict(data["off"])
    except (KeyError, TypeError):
        raise ScenarioError(f"{where}: mechanism needs a 'label' and an 'off' table") from None
    for name, value in off.items():
        try:
            off[name] = lookup(name).check(value)
        except (KeyError, ValueError) as err:
            raise ScenarioError(f"{where}: mechanism: {err.args[0]}") from None
    return Mechanism(label, off)


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
        try:
            keys = check_source(raw["source"])
        except ValueError as err:
            raise ScenarioError(f"{where}: {err}") from None
        if not set(keys) <= set(SOURCES):
            raise ScenarioError(f"{where}: a pattern's source is a document, not {keys!r}")
        out.append(
            Pattern(
                id=str(raw["id"]),
                fact=int(raw["fact"]),
                claim=raw["claim"],
                source=keys[0] if len(keys) == 1 else keys,
                outcome=raw["outcome"],
                expect=raw["expect"],
                a=_arm(raw["a"], f"{where} arm a"),
                b=_arm(raw["b"], f"{where} arm b"),
                minimum_effect=float(raw.get("minimum_effect", 0.0)),
                mechanism=_mechanism(raw.get("mechanism"), where),
                construction=str(raw.get("construction", "")),
                off_effect=str(raw.get("off_effect", "")),
            )
        )
    return out


def load_calibration() -> list[CalibrationTarget]:
    """The Guangzhou figures the ``guangzhou_ifsc`` scenario is compared with."""
    targets = [CalibrationTarget(**raw) for raw in _pattern_file()["calibration"]]
    for t in targets:
        if t.role not in ROLES:
            raise ScenarioError(
                f"calibration figure {t.figure!r}: role {t.role!r}; expected one of "
                + ", ".join(ROLES)
            )
    return targets


ROLES = ("input", "target", "untargeted")
"""Roles of a calibration figure (:class:`CalibrationTarget`)."""


def ablated(arm: Arm, mechanism: Mechanism) -> Arm:
    """The arm with the pattern's mechanism switched off."""
    return Arm(f"{arm.label}, {mechanism.label} off", arm.scenario.replace(**mechanism.off))


def validate(
    *,
    replications: int = 30,
    seed: int = 0,
    workers: int | None = None,
    executor: cf.Executor | None = None,
    progress: bool | None = False,
    patterns: Sequence[Pattern] | None = None,
    ablation: bool = True,
    robustness_points: int = 0,
    robustness_replications: int = 4,
    robustness_out: str | Path | None = None,
) -> pd.DataFrame:
    """Run every pattern, its ablation and its robustness; return one row per pattern.

    All arms run as one comparison (:func:`~simcontract.experiment.compare`), so
    replication ``r`` of every arm, ablated or not, has the same seed.

    Args:
        replications: Runs per arm, at least 2 (a verdict rests on the confidence
            interval of the paired differences).
        seed: Base seed of the run seeds.
        workers, executor, progress: As for :func:`~simcontract.experiment.compare`.
        patterns: The patterns to check (default: :func:`load_patterns`).
        ablation: Also run both arms of each pattern with its mechanism switched off.
        robustness_points: Points of the Latin hypercube over the assumptions'
            plausible region (:func:`~simcontract.experiment.robustness.robustness`);
            0 skips the robustness analysis.
        robustness_replications: Runs per arm at each of those points.
        robustness_out: Folder to keep the robustness analysis in (resumable).

    Returns:
        Columns ``id``, ``fact``, ``claim``, ``outcome``, ``expect``, ``arm_a``,
        ``arm_b``, ``mean_a``, ``ci_a_low``, ``ci_a_high``, ``mean_b``, ``ci_b_low``,
        ``ci_b_high``, ``diff`` (mean of paired ``b - a``), ``diff_low``, ``diff_high``
        (its 95 % CI), ``effect_size`` (the standardised effect, Cohen's d: mean
        difference over the pooled standard deviation of the two arms), ``n_pairs``
        (replications with a value in both arms), ``diff_sd`` (standard deviation of the
        paired differences), ``minimum_effect`` (in the outcome's unit),
        ``reproduced`` (the difference's CI lies on the expected side beyond the
        minimum effect), ``construction`` (why the pattern is true by construction, or
        ``""``), ``mechanism`` (its label, or ``""``), ``ablation_diff``,
        ``ablation_low``, ``ablation_high`` (the paired difference with the mechanism
        off, and its CI; NaN without ablation), ``ablation`` (:func:`ablation_verdict`)
        ``assumed`` (the parameters of the mechanism's switch that no source supports,
        :attr:`Mechanism.assumed`, comma-separated, or ``""``), ``evidence`` (the
        pattern counts as evidence: not true by construction, reproduced, its effect
        vanishes without its mechanism, and a source supports that mechanism), and
        ``robustness_share``, ``robustness_low``, ``robustness_high`` (the share of the
        Latin hypercube's points where the mean paired difference lies beyond the
        minimum effect, with its 95 % Wilson interval; NaN when not run).
    """
    from simcontract.experiment.batches import compare_own  # loading patterns needs no model
    from simcontract.experiment.runner import check_flag

    patterns = _checked_patterns(patterns)
    ablation = check_flag(ablation, "ablation")
    robustness_points = _checked_counts(replications, robustness_points, robustness_replications)
    arms = {p.id: _arms(p, ablation) for p in patterns}
    scenarios = list(dict.fromkeys(arm.scenario for pair in arms.values() for arm in pair))
    options = {"seed": seed, "workers": workers, "executor": executor, "progress": progress}
    runs = compare_own(scenarios, replications=replications, **options).runs
    point = {scenario: i for i, scenario in enumerate(scenarios)}

    def values(arm: Arm, outcome: str) -> np.ndarray:
        return runs.loc[runs["point"] == point[arm.scenario], outcome].to_numpy(dtype=float)

    rows = []
    for p in patterns:
        a, b, *off = (values(arm, p.outcome) for arm in arms[p.id])
        rows.append(_verdict(p, a, b, off))
    shares = None
    if robustness_points:
        shares = _robustness_shares(
            patterns, robustness_points, robustness_replications, robustness_out, **options
        )
    return with_robustness(pd.DataFrame(rows), shares)


def _checked_counts(replications: Any, points: Any, point_replications: Any) -> int:
    """The robustness points, checked with the replications before the comparison runs
    (a bad value would fail only after it).

    Raises:
        ExperimentError: One replication (no interval), one robustness point, or a
            count that is not a whole number in its range.
    """
    from simcontract.experiment.runner import ExperimentError, check_int

    points = check_int(points, "robustness_points", 0)
    if points == 1:
        raise ExperimentError(messages.error("validation", "robustness_one"))
    if isinstance(replications, int) and replications == 1:
        raise ExperimentError(messages.error("validation", "replications_one"))
    if points:
        check_int(point_replications, "robustness_replications", 1)
    return points


def _checked_patterns(patterns: Sequence[Pattern] | None) -> list[Pattern]:
    """The patterns to check: ``patterns`` (a non-empty list of :class:`Pattern`), or
    every pattern when ``None``.

    Raises:
        TypeError: Not a list of patterns (e.g. a pattern's id).
        ExperimentError: An empty list.
    """
    from simcontract.experiment.runner import ExperimentError

    if patterns is None:
        return load_patterns()
    if isinstance(patterns, str | Pattern) or not all(isinstance(p, Pattern) for p in patterns):
        raise TypeError(messages.error("types", "patterns", given=f"{patterns!r:.80}"))
    if not patterns:
        raise ExperimentError(messages.error("validation", "no_patterns"))
    return list(patterns)


def _arms(pattern: Pattern, ablation: bool) -> list[Arm]:
    """The pattern's arms a and b, then (with ``ablation``) both with its mechanism off."""
    arms = [pattern.a, pattern.b]
    if ablation and pattern.mechanism is not None:
        arms += [ablated(pattern.a, pattern.mechanism), ablated(pattern.b, pattern.mechanism)]
    return arms


def _robustness_shares(
    patterns: Sequence[Pattern],
    points: int,
    replications: int,
    out: str | Path | None,
    **options: Any,
) -> pd.DataFrame:
    """The patterns' shares of the assumptions' plausible region where they hold."""
    from simcontract.experiment.robustness import robustness

    resume = out is not None and Path(out).exists()
    found = robustness(
        patterns, points=points, replications=replications, out=out, resume=resume, **options
    )
    return found.shares


def with_robustness(table: pd.DataFrame, shares: pd.DataFrame | None) -> pd.DataFrame:
    """The validation table with the robustness shares (``RobustnessResult.shares``) as
    columns ``robustness_share``, ``robustness_low`` and ``robustness_high`` (NaN for a
    pattern without one, or all NaN when ``shares`` is ``None``)."""
    table = table.copy()
    ids = table["id"].astype(str)
    for column, source in (("share", "share"), ("low", "low"), ("high", "high")):
        if shares is None:
            table[f"robustness_{column}"] = math.nan
        else:
            by_pattern = shares.set_index(shares["pattern"].astype(str))[source]
            table[f"robustness_{column}"] = ids.map(by_pattern).to_numpy(float)
    return table


def beyond(expect: str, low: float, high: float, minimum: float) -> bool:
    """Whether the interval ``[low, high]`` lies on the ``expect`` side of 0 by at least
    ``minimum`` (strictly beyond 0 when ``minimum`` is 0)."""
    if expect == "higher":
        return low > 0 and low >= minimum
    return high < 0 and high <= -minimum


def ablation_verdict(pattern: Pattern, low: float, high: float) -> str:
    """What becomes of the effect with the mechanism off: ``"vanishes"`` (the CI of the
    ablated difference lies within plus or minus the minimum effect), ``"persists"`` (it
    is still reproduced), ``"reverses"`` (the CI lies beyond the minimum effect on the
    other side), ``"weakened"`` (none of these: smaller, but not shown to vanish),
    ``"not run"`` (no CI) or ``""`` (no mechanism named)."""
    if pattern.mechanism is None:
        return ""
    if not (math.isfinite(low) and math.isfinite(high)):
        return "not run"
    m = pattern.minimum_effect
    if (m > 0 and -m < low and high < m) or (m == 0 and low == high == 0):
        return "vanishes"
    if beyond(pattern.expect, low, high, m):
        return "persists"
    if beyond("lower" if pattern.expect == "higher" else "higher", low, high, m):
        return "reverses"
    return "weakened"


def _verdict(
    pattern: Pattern, a: np.ndarray, b: np.ndarray, off: Sequence[np.ndarray] = ()
) -> dict[str, Any]:
    """One row of the validation table; ``a[i]`` and ``b[i]`` are replication ``i`` of the
    arms, ``off`` the two arms with the mechanism off (if run)."""
    diff = paired_difference(a, b)
    arm_a, arm_b = mean_ci(a), mean_ci(b)
    pooled = math.sqrt((arm_a.sd**2 + arm_b.sd**2) / 2)
    reproduced = beyond(pattern.expect, diff.low, diff.high, pattern.minimum_effect)
    ablated = paired_difference(*off) if off else None
    nan = math.nan
    ab_low, ab_high = (ablated.low, ablated.high) if ablated else (nan, nan)
    ablation = ablation_verdict(pattern, ab_low, ab_high) if ablated else ""
    if pattern.mechanism is not None and ablated is None:
        ablation = "not run"
    return {
        "id": pattern.id,
        "fact": pattern.fact,
        "claim": pattern.claim,
        "outcome": pattern.outcome,
        "expect": pattern.expect,
        "arm_a": pattern.a.label,
        "arm_b": pattern.b.label,
        "mean_a": arm_a.mean,
        "ci_a_low": arm_a.low,
        "ci_a_high": arm_a.high,
        "mean_b": arm_b.mean,
        "ci_b_low": arm_b.low,
        "ci_b_high": arm_b.high,
        "diff": diff.mean,
        "diff_low": diff.low,
        "diff_high": diff.high,
        "effect_size": diff.mean / pooled if pooled > 0 else math.nan,
        "reproduced": bool(reproduced),
        "n_pairs": diff.n,
        "diff_sd": diff.sd,
        "minimum_effect": pattern.minimum_effect,
        "construction": pattern.construction,
        "mechanism": pattern.mechanism.label if pattern.mechanism else "",
        "ablation_diff": ablated.mean if ablated else nan,
        "ablation_low": ab_low,
        "ablation_high": ab_high,
        "ablation": ablation,
        "assumed": ", ".join(pattern.mechanism.assumed) if pattern.mechanism else "",
        "evidence": bool(
            reproduced
            and not pattern.construction
            and ablation == "vanishes"
            and not (pattern.mechanism and pattern.mechanism.assumed)
        ),
    }


def calibrate(
    *,
    replications: int = 30,
    seed: int = 0,
    workers: int | None = None,
    executor: cf.Executor | None = None,
    progress: bool | None = False,
    scenario: str | Scenario = "guangzhou_ifsc",
) -> pd.DataFrame:
    """Compare the scenario's yearly series with the Guangzhou figures.

    Args:
        replications, seed, workers, executor, progress: As for :func:`validate`.
        scenario: The scenario compared with the figures.

    Returns:
        One row per figure: ``figure``, ``role``, ``outcome``, ``year``, ``source_value``,
        ``model_mean`` with its 95 % CI (``model_low``, ``model_high``), ``deviation``
        (``model_mean / source_value - 1``) and ``within_25pct``.
    """
    from simcontract.experiment.batches import compare

    series = compare(
        [load_scenario(scenario)],
        replications=replications,
        seed=seed,
        workers=workers,
        executor=executor,
        progress=progress,
        series=True,
    ).series
    rows = []
    for target in load_calibration():
        at_year = series[series["year"] == target.year].set_index("replication")
        # A run that ended before the year has no value there.
        values = at_year[target.outcome].reindex(range(replications))
        model = mean_ci(values.to_numpy(dtype=float))
        deviation = model.mean / target.value - 1 if target.value else math.nan
        rows.append(
            {
                "figure": target.figure,
                "role": target.role,
                "outcome": target.outcome,
                "year": target.year,
                "source_value": target.value,
                "model_mean": model.mean,
                "model_low": model.low,
                "model_high": model.high,
                "deviation": deviation,
                "within_25pct": bool(abs(deviation) <= 0.25),
            }
        )
    return pd.DataFrame(rows)


def format_validation(table: pd.DataFrame, lang: str | None = None) -> str:
    """The validation table as Markdown, one row per pattern: the outcome with its unit,
    the expected direction, the paired difference ``b - a`` with its 95 % CI, the
    standardised effect d and the verdict (lines of at most 100 characters)."""
    return validation_report.table(table, lang)


def format_calibration(table: pd.DataFrame, lang: str | None = None) -> str:
    """The calibration report as Markdown (the figures' texts in ``lang``: English from
    ``patterns.toml``, other languages from the catalogue)."""
    return validation_report.calibration_table(table, lang)


def missed_figures(table: pd.DataFrame) -> int:
    """Figures of :func:`calibrate`'s table that are not inputs and are missed by more
    than 25 % (the exit status of ``simcontract validate --calibration``)."""
    tested = table[table["role"] != "input"]
    return int((~tested["within_25pct"]).sum())


def calibration_report(
    table: pd.DataFrame, replications: int, seed: int, lang: str | None = None
) -> str:
    """The calibration report as ``simcontract validate --calibration`` prints it."""
    return "\n".join(validation_report.calibration_parts(table, replications, seed, lang))


CALIBRATION_FILES = ("calibration.md", "calibration.csv")
"""What :func:`write_calibration` writes: a folder holding anything else is another's."""


def write_calibration(
    directory: Path, table: pd.DataFrame, replications: int, seed: int, lang: str | None = None
) -> list[Path]:
    """Write the calibration report (in ``lang``) as ``calibration.md`` and its table as
    ``calibration.csv`` into ``directory`` (created; each file written whole)."""
    from simcontract.experiment.atomic import write_text

    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / name for name in CALIBRATION_FILES]
    parts = validation_report.calibration_parts(table, replications, seed, lang)
    write_text(paths[0], "\n\n".join(parts) + "\n")
    write_text(paths[1], table.to_csv(index=False))
    return paths
