"""Robustness of the validation patterns across the model's assumptions.

Each stylised-fact pattern of :mod:`~simcontract.experiment.validation` compares two arms
at one set of assumed values. :func:`robustness` asks whether its conclusion survives
when the assumptions move: it samples a Latin hypercube over the plausible region of
every assumption (:attr:`simcontract.params.Parameter.plausible_range`: every numeric
assumption, the mix of NGOs included, except the run's length and the market's size and
purchasers, which define the market a pattern studies), runs both arms of every pattern at
every point, and reports

* the share of points where the pattern holds, with a 95 % Wilson interval, and
* the global sensitivity of the pattern's effect (the mean paired difference ``b - a``)
  to each assumption: which assumptions the conclusion rests on.

What stays as the arm has it at every point: the levers the pattern compares (the
parameters either arm's ``set`` changes from the arm's scenario file), the values the
scenario file takes from a source (a ``[sources]`` entry that is not only
``"assumption"``), a file's own assumption outside the plausible region (that region is
the registry default's, not the file's), and anything a dated rule change sets. For an
arm whose scenario is not a built-in one, every value that differs from the registry
default stays. Integer assumptions take integers, and each ``x_low``/``x_high`` pair is
sorted at every point. A point where an arm is still not a valid scenario is left out of
that pattern's share and listed (:attr:`RobustnessResult.invalid`), never dropped silently.

Both arms of a pattern run on the same seeds at a point (common random numbers), and an
arm shared by several patterns (``baseline``) runs once per point: all (arm, point)
scenarios run as one :func:`~simcontract.experiment.compare` batch per design, so
``out=`` streams the runs to a folder and ``resume=True`` finishes an interrupted
analysis.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simcontract import i18n
from simcontract.experiment import messages, storage
from simcontract.experiment import robustness_indices as indices
from simcontract.experiment.designs import (
    DesignError,
    LatinHypercube,
    Morris,
    Sobol,
    check_ranges,
    is_power_of_two,
)
from simcontract.experiment.runner import ExperimentError, check_int
from simcontract.experiment.validation import Arm, Pattern, load_patterns
from simcontract.params import DEFAULTS, PARAMETERS
from simcontract.scenario import (
    Scenario,
    ScenarioError,
    ScenarioWarning,
    builtin_names,
    load_scenario,
    load_sources,
)

SENSITIVITY_METHODS = ("rbd_fast", "morris", "sobol")
"""The ways :func:`robustness` measures global sensitivity."""

PRIMARY_INDEX = {"rbd_fast": "S1", "morris": "mu_star", "sobol": "ST"}
"""The index each method ranks assumptions by (:meth:`RobustnessResult.top`)."""

MORRIS_TRAJECTORIES = 10
"""Default trajectories of a Morris design (the usual 10; each costs ``D + 1`` points)."""

MAX_SOBOL_PARAMETERS = 16
"""Most parameters a Sobol analysis may vary: it costs ``points * (D + 2)`` points."""

LEVEL = 0.95
"""Confidence level of the shares' Wilson intervals and the sensitivity indices."""

_Z = 1.959963984540054  # standard normal quantile of 0.975

_FILES = {
    "samples": "samples.csv",
    "effects": "effects.csv",
    "shares": "shares.csv",
    "sensitivity": "sensitivity.csv",
    "invalid": "invalid.csv",
}
_SETTINGS = "settings.json"

_said = partial(messages.error, "robustness")

RANGE_EXAMPLE = "{name: (low, high)}"
"""How a message shows a range of one's own (``parameters={name: (low, high)}``)."""
RUNS_FOLDER = "runs"
"""Subfolder of ``out`` holding each design's batch (``runs/lhs``, ``runs/morris``...)."""

OWN_FILES = (
    RUNS_FOLDER,
    *_FILES.values(),
    _SETTINGS,
    "shares.md",
    "robustness.png",
    "robustness.pdf",
)
"""What a robustness analysis (with ``simcontract robustness``'s report and figure)
writes into its folder: it resumes only in a folder holding nothing else."""


# --------------------------------------------------------------------------- result
@dataclass
class RobustnessResult:
    """What :func:`robustness` found.

    Attributes:
        samples: One row per design point: ``design`` (``"lhs"``, or the sensitivity
            design ``"morris"`` / ``"sobol"``), ``point`` (from 0 within the design) and
            one column per varied assumption holding the value applied (integers
            rounded, ``_low``/``_high`` pairs sorted).
        effects: One row per pattern and design point: ``pattern``, ``design``,
            ``point``, ``mean_a`` and ``mean_b`` (the arms' means over replications),
            ``effect`` (mean of the paired differences ``b - a`` over the replications
            with a value in both arms; NaN when none has), ``n_pairs`` (those
            replications), ``valid`` (both arms are valid scenarios at the point) and
            ``holds`` (the effect lies on the expected side by at least the pattern's
            ``minimum_effect``; strictly when that is 0; False for a NaN effect).
        shares: One row per pattern, over the Latin hypercube's points: ``pattern``,
            ``outcome``, ``expect``, ``minimum_effect``, ``points`` (valid points),
            ``held`` (points where the pattern holds), ``share`` (``held / points``),
            ``low`` and ``high`` (its 95 % Wilson interval), ``nan_points`` (valid
            points with a NaN effect, counted as not holding), ``invalid_points``
            (points where an arm is not a valid scenario, left out) and
            ``median_effect`` (median effect over the valid points).
        sensitivity: One row per pattern, varied assumption and index: ``pattern``,
            ``parameter``, ``index`` (``S1`` for RBD-FAST; ``mu_star``, ``mu`` and
            ``sigma`` for Morris; ``S1`` and ``ST`` for Sobol), ``value``, ``conf`` (its
            95 % CI half-width; NaN where none) and ``varied`` (False for an assumption
            both arms of the pattern hold fixed: its value is then NaN).
        invalid: One row per (arm, point) that is not a valid scenario: ``design``,
            ``point``, ``pattern``, ``arm`` (``"a"`` or ``"b"``) and ``error``.
        settings: How the analysis ran (points, replications, seed, method, ...).
    """

    samples: pd.DataFrame
    effects: pd.DataFrame
    shares: pd.DataFrame
    sensitivity: pd.DataFrame
    invalid: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def method(self) -> str:
        """The sensitivity method (``"rbd_fast"``, ``"morris"`` or ``"sobol"``)."""
        return str(self.settings.get("sensitivity", "rbd_fast"))

    @property
    def index(self) -> str:
        """The index assumptions are ranked by (:data:`PRIMARY_INDEX` of the method)."""
        return PRIMARY_INDEX[self.method]

    def top(self, pattern: str, k: int = 5, clear: bool = False) -> pd.DataFrame:
        """The ``k`` assumptions the pattern's effect is most sensitive to.

        Args:
            pattern: The pattern's id.
            k: Most assumptions given.
            clear: Keep only indices whose 95 % interval is clear of 0 (``value - conf >
                0``): with few points every index is noise, and ranking them would name
                assumptions the effect may not depend on at all.

        Returns:
            Columns ``parameter``, ``value`` (the method's main index: RBD-FAST or Sobol
            first-order ``S1`` / total ``ST``, a share of the effect's variance; Morris
            ``mu_star``, in the outcome's unit per step of two thirds of the range) and
            ``conf``, largest first; assumptions with no estimate are left out.

        Raises:
            KeyError: No such pattern.
        """
        rows = self.sensitivity[self.sensitivity["pattern"] == str(pattern)]
        if rows.empty and str(pattern) not in set(self.shares["pattern"]):
            said = {"pattern": repr(pattern), "patterns": list(self.shares["pattern"])}
            raise KeyError(messages.error("types", "no_pattern", **said))
        rows = rows[(rows["index"] == self.index) & rows["value"].notna()]
        if clear:
            rows = rows[rows["value"] - rows["conf"] > 0]
        rows = rows.sort_values("value", ascending=False, kind="stable").head(k)
        return rows[["parameter", "value", "conf"]].reset_index(drop=True)

    def save(self, folder: str | Path) -> list[Path]:
        """Write the tables as CSV and the settings as JSON into ``folder``; return the
        paths. :meth:`load` reads them back."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for attribute, name in _FILES.items():
            path = folder / name
            storage.write_text(path, getattr(self, attribute).to_csv(index=False))
            paths.append(path)
        path = folder / _SETTINGS
        storage.write_text(path, json.dumps(self.settings, indent=2) + "\n")
        return [*paths, path]

    @classmethod
    def load(cls, folder: str | Path) -> RobustnessResult:
        """Read what :meth:`save` wrote.

        Raises:
            ExperimentError: ``folder`` lacks one of the files.
        """
        folder = Path(folder)
        missing = [n for n in [*_FILES.values(), _SETTINGS] if not (folder / n).is_file()]
        if missing:
            raise ExperimentError(_said("no_analysis", folder=repr(str(folder)), file=missing[0]))
        tables = {a: pd.read_csv(folder / n, dtype={"pattern": str}) for a, n in _FILES.items()}
        settings = json.loads((folder / _SETTINGS).read_text("utf-8"))
        return cls(**tables, settings=settings)


# --------------------------------------------------------------------------- analysis
def robustness(
    patterns: Sequence[Pattern] | None = None,
    *,
    points: int = 32,
    replications: int = 4,
    seed: int = 0,
    workers: int | None = None,
    executor: cf.Executor | None = None,
    progress: bool | None = False,
    parameters: Sequence[str] | Mapping[str, Any] | None = None,
    sensitivity: str = "rbd_fast",
    trajectories: int = MORRIS_TRAJECTORIES,
    out: str | Path | None = None,
    resume: bool = False,
) -> RobustnessResult:
    """How often each pattern holds over the plausible region of the assumptions, and
    which assumptions its effect depends on.

    The shares come from a Latin hypercube of ``points`` points. The sensitivity of each
    pattern's effect to each assumption is, by default, RBD-FAST's first-order index
    (``SALib.analyze.rbd_fast``) estimated on that same sample: the share of the
    effect's variance over the region that each assumption explains alone, at no extra
    run. A Sobol design over the ~110 assumptions costs ``points * (D + 2)`` points (112
    times the Latin hypercube), a Morris design ``trajectories * (D + 1)``: 10 to 100
    times more runs for an answer to the same question (which assumptions matter). RBD-FAST
    is noisy with few points (its CI says how much), and with ``points`` well below the
    number of assumptions it can only single out the assumptions that dominate (see
    :func:`~simcontract.experiment.robustness_indices.rbd_fast`).

    ``sensitivity="morris"`` runs a separate Morris design of ``trajectories`` trajectories
    (4 levels) and reports the mean absolute elementary effect ``mu_star`` (and ``mu``,
    ``sigma``); ``"sobol"`` runs a Saltelli design (first-order and total indices;
    ``points`` a power of 2 and at most :data:`MAX_SOBOL_PARAMETERS` parameters). Either
    adds its runs to the Latin hypercube's, which still gives the shares.

    Args:
        patterns: The patterns (default: :func:`~simcontract.experiment.validation.load_patterns`).
        points: Points of the Latin hypercube (>= 2).
        replications: Runs per arm and point (the effect is their mean paired difference).
        seed: Seed of the designs, of the run seeds (replication ``r`` runs on
            ``run_seed(seed, r)`` at every point and in every arm) and of the bootstrap.
        workers, executor, progress: As for :func:`~simcontract.experiment.compare`.
        parameters: The assumptions to vary: names (over their plausible region) or
            ``{name: (low, high)}``; default every parameter with a plausible region.
        sensitivity: ``"rbd_fast"``, ``"morris"`` or ``"sobol"``.
        trajectories: Trajectories of the Morris design.
        out: Folder to keep the analysis in: each design's runs stream to
            ``out/runs/<design>`` and the tables are saved there (:meth:`RobustnessResult.save`).
        resume: Finish an interrupted analysis in ``out`` (same settings), running only
            the missing runs.

    Raises:
        ExperimentError: A bad option, an unusable ``out``, or a Sobol analysis too large.
        DesignError: An unknown parameter, or one without a plausible region.
    """
    patterns = _checked_patterns(patterns)
    points = check_int(points, "points", 2)
    replications = check_int(replications, "replications", 1)
    seed = check_int(seed, "seed", 0)
    trajectories = check_int(trajectories, "trajectories", 2)
    _check_sensitivity(sensitivity)
    ranges = assumption_ranges(parameters)
    return _analysis(
        patterns,
        ranges,
        points=points,
        replications=replications,
        seed=seed,
        sensitivity=sensitivity,
        trajectories=trajectories,
        workers=workers,
        executor=executor,
        progress=progress,
        out=out,
        resume=resume,
    )


def _check_sensitivity(sensitivity: str) -> None:
    """Raise :class:`ExperimentError` unless ``sensitivity`` names a method."""
    if sensitivity not in SENSITIVITY_METHODS:
        said = {"name": repr(sensitivity), "methods": messages.listed(SENSITIVITY_METHODS)}
        raise ExperimentError(_said("not_method", **said))


def _analysis(
    patterns: Sequence[Pattern],
    ranges: Mapping[str, Any],
    *,
    points: int,
    replications: int,
    seed: int,
    sensitivity: str,
    trajectories: int,
    workers: int | None,
    executor: cf.Executor | None,
    progress: bool | None,
    out: str | Path | None,
    resume: bool,
) -> RobustnessResult:
    """Run the designs over the checked options and assemble (and save) the result."""
    designs = _designs(points, ranges, seed, sensitivity, trajectories)
    folder = _folder(out, resume)
    fixed = {p.id: (held_fixed(p.a, p.b), held_fixed(p.b, p.a)) for p in patterns}
    samples_table, effects_table, invalid_table = _run_designs(
        patterns,
        fixed,
        designs,
        list(ranges),
        replications=replications,
        seed=seed,
        workers=workers,
        executor=executor,
        progress=progress,
        folder=folder,
        resume=resume,
    )
    settings = {
        "points": points,
        "replications": replications,
        "seed": seed,
        "sensitivity": sensitivity,
        "trajectories": trajectories if sensitivity == "morris" else None,
        "patterns": [p.id for p in patterns],
        "ranges": {k: list(v) for k, v in ranges.items()},
        "held_fixed": {i: {"a": sorted(a), "b": sorted(b)} for i, (a, b) in fixed.items()},
    }
    result = RobustnessResult(
        samples=samples_table,
        effects=effects_table,
        shares=_shares(patterns, effects_table),
        sensitivity=_sensitivity(patterns, fixed, designs, samples_table, effects_table, seed),
        invalid=invalid_table,
        settings=settings,
    )
    if folder is not None:
        result.save(folder)
    return result


def _checked_patterns(patterns: Sequence[Pattern] | None) -> list[Pattern]:
    """The patterns to analyse (default: all of them), each id once."""
    patterns = list(patterns if patterns is not None else load_patterns())
    if not patterns:
        raise ExperimentError(_said("no_pattern"))
    ids = [p.id for p in patterns]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ExperimentError(_said("pattern_twice", id=repr(twice[0])))
    return patterns


def _designs(
    points: int, ranges: Mapping[str, Any], seed: int, sensitivity: str, trajectories: int
) -> dict[str, Any]:
    """The Latin hypercube, and the design of the sensitivity method when it needs one."""
    designs: dict[str, Any] = {"lhs": LatinHypercube(points, ranges, seed=seed)}
    if sensitivity == "morris":
        designs["morris"] = Morris(trajectories, ranges, seed=seed + 1)
    elif sensitivity == "sobol":
        designs["sobol"] = _sobol_design(points, ranges, seed + 1)
    return designs


def _run_designs(
    patterns: Sequence[Pattern],
    fixed: Mapping[str, tuple[frozenset[str], frozenset[str]]],
    designs: Mapping[str, Any],
    names: Sequence[str],
    *,
    replications: int,
    seed: int,
    workers: int | None,
    executor: cf.Executor | None,
    progress: bool | None,
    folder: Path | None,
    resume: bool,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Run both arms of every pattern at every point of each design; return the
    samples, effects and invalid tables of :class:`RobustnessResult` (``names``: the
    varied assumptions, in the samples' column order)."""
    from simcontract.experiment.batches import compare_own

    samples, effects, invalid = [], [], []
    for kind, design in designs.items():
        values = applied_values(design)
        batch = _Batch.build(patterns, fixed, values)
        invalid += [{"design": kind, **row} for row in batch.invalid]
        runs = None
        if batch.scenarios:
            runs = compare_own(
                batch.scenarios,
                replications=replications,
                seed=seed,
                workers=workers,
                executor=executor,
                progress=progress,
                out=None if folder is None else folder / RUNS_FOLDER / kind,
                resume=resume,
            ).runs
        samples.append(pd.DataFrame(values).assign(design=kind, point=range(len(values))))
        effects.append(batch.effects(patterns, runs, replications).assign(design=kind))
    samples_table = pd.concat(samples, ignore_index=True)
    samples_table = samples_table[["design", "point", *names]]
    effects_table = pd.concat(effects, ignore_index=True)[_EFFECT_COLUMNS]
    invalid_table = pd.DataFrame(invalid, columns=["design", "point", "pattern", "arm", "error"])
    return samples_table, effects_table, invalid_table


def assumption_ranges(
    parameters: Sequence[str] | Mapping[str, Any] | None = None,
) -> dict[str, tuple[float, float]]:
    """The assumptions to vary and their ranges: every parameter with a plausible region
    (``parameters=None``), the named ones over theirs, or ``{name: (low, high)}``
    (``None`` for the plausible region).

    Raises:
        DesignError: An unknown parameter, or a name without a plausible region.
    """
    if parameters is None:
        names: dict[str, Any] = {n: None for n, p in PARAMETERS.items() if p.plausible_range}
    elif isinstance(parameters, Mapping):
        names = dict(parameters)
    elif isinstance(parameters, str):
        raise DesignError(_said("params_text", text=repr(parameters)))
    else:
        names = dict.fromkeys(parameters)
    chosen = {}
    for name, bounds in names.items():
        if bounds is None:
            plausible = PARAMETERS[name].plausible_range if name in PARAMETERS else None
            if name in PARAMETERS and not PARAMETERS[name].numeric:
                said = {"name": repr(name), "allowed": PARAMETERS[name].allowed()}
                raise DesignError(_said("not_numeric", **said))
            if name in PARAMETERS and plausible is None:
                said = {"name": repr(name), "how": _said("api_range", example=RANGE_EXAMPLE)}
                raise DesignError(_said("no_region", **said))
            bounds = plausible
        chosen[name] = bounds
    return check_ranges(chosen, "robustness")


def held_fixed(arm: Arm, other: Arm) -> frozenset[str]:
    """Parameters that keep the arm's own values at every point.

    The levers of the pattern (what either arm's ``set`` changes from their common
    scenario file), the file's sourced values, the file's assumptions outside their
    plausible region, and what a dated rule change sets. For a scenario that is not
    built in, every value other than the registry default.
    """
    name = arm.scenario.name
    dated = {k for _year, change in arm.scenario.changes for k in change}
    if name not in builtin_names():
        return frozenset({k for k, v in arm.scenario.items() if v != DEFAULTS[k]} | dated)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        base = load_scenario(name)
    levers = {k for k in PARAMETERS if arm.scenario[k] != base[k]}
    if other.scenario.name == name:
        levers |= {k for k in PARAMETERS if other.scenario[k] != base[k]}
    cited = load_sources(name).parameters
    kept = set()
    for key in {k for k in PARAMETERS if base[k] != DEFAULTS[k]} | set(cited):
        plausible = PARAMETERS[key].plausible_range
        outside = plausible is None or not plausible[0] <= base[key] <= plausible[1]
        if outside or any(c != "assumption" for c in cited.get(key, ())):
            kept.add(key)
    return frozenset(levers | kept | dated)


def applied_values(design: Any) -> list[dict[str, Any]]:
    """The design's points as applied: integers rounded, and each ``x_low``/``x_high``
    pair sorted, so the low bound is never above the high one (the model takes such
    bounds in order anyway)."""
    values = design.points()
    pairs = [
        (name, name[: -len("_low")] + "_high")
        for name in design.parameters
        if name.endswith("_low") and name[: -len("_low")] + "_high" in design.parameters
    ]
    for point in values:
        for low, high in pairs:
            if point[low] > point[high]:
                point[low], point[high] = point[high], point[low]
    return values


def _sobol_design(points: int, ranges: Mapping[str, Any], seed: int) -> Sobol:
    _check_sobol(points, len(ranges))
    return Sobol(points, ranges, seed=seed, second_order=False)


def _check_sobol(points: int, d: int) -> None:
    """Refuse a Sobol design over too many assumptions or of points not a power of 2."""
    if d > MAX_SOBOL_PARAMETERS:
        said = {"d": d, "points": points, "per_point": d + 2, "total": f"{points * (d + 2):,}"}
        said |= {"most": MAX_SOBOL_PARAMETERS, "how": _said("api_choose")}
        raise ExperimentError(_said("sobol_many", **said))
    if not is_power_of_two(points):
        raise ExperimentError(_said("sobol_power", points=points))


def _folder(out: Any, resume: bool) -> Path | None:
    if out is None:
        if resume:
            raise ExperimentError(_said("resume_needs_out"))
        return None
    if not isinstance(out, str | Path) or not str(out).strip():
        raise ExperimentError(_said("out_form", out=repr(out)))
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ExperimentError(_said("not_folder", out=repr(str(folder))))
    if not resume and not storage.is_empty(folder):
        raise ExperimentError(_said("not_empty", out=repr(str(folder))))
    storage.check_own(folder, OWN_FILES, messages.error("storage", "what_robustness"))
    return folder


_EFFECT_COLUMNS = [
    "pattern",
    "design",
    "point",
    "mean_a",
    "mean_b",
    "effect",
    "n_pairs",
    "valid",
    "holds",
]


@dataclass
class _Batch:
    """The distinct (arm, point) scenarios of one design, and where each arm runs."""

    scenarios: list[Scenario]
    where: dict[tuple[str, str, int], int]  # (pattern, arm, point) -> batch point
    n_points: int
    invalid: list[dict[str, Any]]

    @classmethod
    def build(
        cls,
        patterns: Sequence[Pattern],
        fixed: Mapping[str, tuple[frozenset[str], frozenset[str]]],
        values: Sequence[Mapping[str, Any]],
    ) -> _Batch:
        index: dict[Scenario, int] = {}
        where: dict[tuple[str, str, int], int] = {}
        invalid = []
        for point, point_values in enumerate(values):
            for pattern in patterns:
                for side, arm, held in (
                    ("a", pattern.a, fixed[pattern.id][0]),
                    ("b", pattern.b, fixed[pattern.id][1]),
                ):
                    changes = {k: v for k, v in point_values.items() if k not in held}
                    try:
                        scenario = arm.scenario.replace(**changes)
                    except ScenarioError as err:
                        invalid.append(
                            {"point": point, "pattern": pattern.id, "arm": side, "error": str(err)}
                        )
                        continue
                    where[(pattern.id, side, point)] = index.setdefault(scenario, len(index))
        return cls(list(index), where, len(values), invalid)

    def effects(
        self, patterns: Sequence[Pattern], runs: pd.DataFrame | None, replications: int
    ) -> pd.DataFrame:
        """One row per pattern and point (columns of :attr:`RobustnessResult.effects`)."""
        grids: dict[str, np.ndarray] = {}
        for outcome in {p.outcome for p in patterns}:
            grid = np.full((len(self.scenarios), replications), np.nan)
            if runs is not None:
                grid[runs["point"].to_numpy(int), runs["replication"].to_numpy(int)] = runs[
                    outcome
                ].to_numpy(dtype=float)
            grids[outcome] = grid
        empty = np.full(replications, np.nan)
        rows = []
        for pattern in patterns:
            grid = grids[pattern.outcome]
            for point in range(self.n_points):
                ia = self.where.get((pattern.id, "a", point))
                ib = self.where.get((pattern.id, "b", point))
                a = grid[ia] if ia is not None else empty
                b = grid[ib] if ib is not None else empty
                both = ~(np.isnan(a) | np.isnan(b))
                effect = float(np.mean(b[both] - a[both])) if both.any() else math.nan
                rows.append(
                    {
                        "pattern": pattern.id,
                        "point": point,
                        "mean_a": _mean(a),
                        "mean_b": _mean(b),
                        "effect": effect,
                        "n_pairs": int(both.sum()),
                        "valid": ia is not None and ib is not None,
                        "holds": holds(pattern, effect),
                    }
                )
        return pd.DataFrame(rows)


def _mean(values: np.ndarray) -> float:
    finite = values[~np.isnan(values)]
    return float(finite.mean()) if finite.size else math.nan


def holds(pattern: Pattern, effect: float) -> bool:
    """Whether a mean paired difference ``b - a`` bears the pattern out: on the expected
    side by at least ``minimum_effect`` (strictly, when that is 0); never for NaN."""
    if math.isnan(effect):
        return False
    signed = effect if pattern.expect == "higher" else -effect
    margin = pattern.minimum_effect
    return bool(signed >= margin and signed > 0)


def wilson(held: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``held / n`` (NaN for ``n == 0``)."""
    if n == 0:
        return math.nan, math.nan
    z = _Z if level == LEVEL else _normal_quantile(0.5 + level / 2)
    p = held / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _normal_quantile(q: float) -> float:
    from scipy.special import ndtri

    return float(ndtri(q))


def _shares(patterns: Sequence[Pattern], effects: pd.DataFrame) -> pd.DataFrame:
    lhs = effects[effects["design"] == "lhs"]
    rows = []
    for pattern in patterns:
        mine = lhs[lhs["pattern"] == pattern.id]
        valid = mine[mine["valid"]]
        n, held = len(valid), int(valid["holds"].sum())
        low, high = wilson(held, n)
        rows.append(
            {
                "pattern": pattern.id,
                "outcome": pattern.outcome,
                "expect": pattern.expect,
                "minimum_effect": pattern.minimum_effect,
                "points": n,
                "held": held,
                "share": held / n if n else math.nan,
                "low": low,
                "high": high,
                "nan_points": int(valid["effect"].isna().sum()),
                "invalid_points": int((~mine["valid"]).sum()),
                "median_effect": float(valid["effect"].median()) if n else math.nan,
            }
        )
    return pd.DataFrame(rows)


_SENSITIVITY_COLUMNS = ["pattern", "parameter", "index", "value", "conf", "varied"]


def _sensitivity(
    patterns: Sequence[Pattern],
    fixed: Mapping[str, tuple[frozenset[str], frozenset[str]]],
    designs: Mapping[str, Any],
    samples: pd.DataFrame,
    effects: pd.DataFrame,
    seed: int,
) -> pd.DataFrame:
    """The tidy sensitivity table (columns of :attr:`RobustnessResult.sensitivity`)."""
    kind = next((k for k in designs if k != "lhs"), "lhs")
    design = designs[kind]
    names = list(design.parameters)
    problem = design.problem()
    rows = []
    for pattern in patterns:
        y = (
            effects[(effects["design"] == kind) & (effects["pattern"] == pattern.id)]
            .sort_values("point")["effect"]
            .to_numpy(dtype=float)
        )
        if kind == "lhs":
            x = samples[samples["design"] == kind].sort_values("point")[names].to_numpy(float)
            found = indices.rbd_fast(x, y, LEVEL, seed + 1)
        elif kind == "morris":
            found = indices.morris(problem, design.matrix(), y, design.levels, LEVEL, seed + 1)
        else:
            found = indices.sobol(problem, y, LEVEL, seed + 1)
        both = fixed[pattern.id][0] & fixed[pattern.id][1]
        for index, (values, confs) in found.items():
            for i, name in enumerate(names):
                varied = name not in both
                rows.append(
                    {
                        "pattern": pattern.id,
                        "parameter": name,
                        "index": index,
                        "value": float(values[i]) if varied else math.nan,
                        "conf": float(confs[i]) if varied else math.nan,
                        "varied": varied,
                    }
                )
    return pd.DataFrame(rows, columns=_SENSITIVITY_COLUMNS)


# --------------------------------------------------------------------------- report
def run_count(
    patterns: Sequence[Pattern],
    points: int,
    replications: int,
    parameters: Sequence[str] | Mapping[str, Any] | None = None,
    sensitivity: str = "rbd_fast",
    trajectories: int = MORRIS_TRAJECTORIES,
) -> int:
    """Runs an analysis needs at most (before arms shared by patterns are merged: each
    distinct arm of the patterns, once per point of every design).

    Raises:
        DesignError: A parameter without a plausible region (and no range given).
        ExperimentError: A Sobol design over too many assumptions, or of points not a
            power of 2.
    """
    arms = len({s for p in patterns for s in (p.a.scenario, p.b.scenario)})
    d = len(assumption_ranges(parameters))
    if sensitivity == "sobol":
        _check_sobol(points, d)
    extra = {"rbd_fast": 0, "morris": trajectories * (d + 1), "sobol": points * (d + 2)}
    return arms * (points + extra[sensitivity]) * replications


_SHARES_COLUMNS = (
    "pattern",
    "outcome",
    "expect",
    "minimum",
    "holds",
    "share",
    "nan",
    "invalid",
    "median",
    "sensitive",
)
"""The columns of :func:`format_shares`, keys of ``robustness.`` in the catalogue."""


def format_shares(result: RobustnessResult, k: int = 3, lang: str | None = None) -> str:
    """The shares as a Markdown table, one row per pattern: outcome, expected direction,
    minimum effect, share of points where the pattern holds with its 95 % Wilson
    interval, NaN and invalid points, median effect and the ``k`` assumptions it is
    most sensitive to, of those whose index is clear of 0 (in ``lang``; outcomes and
    assumptions by their names)."""
    headers = [i18n.text(f"robustness.{c}", lang) for c in _SHARES_COLUMNS]
    lines = ["| " + " | ".join(headers) + " |", "|---" * len(headers) + "|"]
    for r in result.shares.itertuples():
        top = result.top(r.pattern, k, clear=True)
        ranked = (
            i18n.text("punctuation.paren", lang, text=t.parameter, note=f"{t.value:.2g}")
            for t in top.itertuples()
        )
        said = i18n.text("punctuation.list", lang).join(ranked) or "–"
        expect = i18n.text(f"robustness.{r.expect}", lang)
        lines.append(
            f"| {r.pattern} | {r.outcome} | {expect} | {r.minimum_effect:g} | "
            f"{r.held}/{r.points} | {_pct(r.share)} [{_pct(r.low)}, {_pct(r.high)}] | "
            f"{r.nan_points} | {r.invalid_points} | {r.median_effect:.3g} | {said} |"
        )
    return "\n".join(lines)


def _pct(x: float) -> str:
    return "nan" if math.isnan(x) else f"{x:.0%}"
