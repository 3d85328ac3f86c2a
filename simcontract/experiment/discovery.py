"""Scenario discovery: which combinations of rules lead a market to a condition.

Sample the rules and uncertain parameters widely (:func:`discovery_design`, a Latin
hypercube that takes choices such as ``tendering`` too), run each point a few times,
mark the runs where a condition on the outcomes holds (``"service_coverage < 0.8"``,
:mod:`~simcontract.experiment.conditions`), and let PRIM (the Patient Rule Induction
Method of Friedman & Fisher 1999, as scenario discovery uses it after Bryant & Lempert
2010) find the simple boxes of the input space that hold those runs. Every run is a
case: replications of a point are cases with the same inputs, so a box's density is
the chance that a run inside it meets the condition.

PRIM is the EMA workbench's (``ema_workbench.analysis.prim``), the reference
implementation of scenario discovery; it is an optional dependency
(``pip install 'simcontract[discover]'``), imported only when :func:`discover` runs.
Each box is read off PRIM's peeling trajectory: among the boxes whose density reaches
``min_density``, the one with the highest coverage (then the fewest restricted
inputs); boxes after the first are found on the runs the earlier boxes leave out
(PRIM's covering). Beside the boxes, feature scores say which inputs matter most for
the condition: the mean decrease in impurity of an extra-trees classifier
(``sklearn.ensemble.ExtraTreesClassifier``, installed with the workbench).

The numbers a box is judged by:

* **coverage**: the share of all runs meeting the condition that lie in the box;
* **density**: the share of the runs in the box that meet the condition;
* **mass**: the share of all runs that lie in the box;
* **quasi-p value** of each restriction: a one-sided binomial test of whether the
  box's density would fall without it (Bryant & Lempert 2010); above 0.05 says the
  restriction may be chance.
"""

from __future__ import annotations

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
from simcontract.experiment import messages
from simcontract.experiment.codebook import comparable_forms, with_comparable
from simcontract.experiment.conditions import Condition, parse_condition
from simcontract.experiment.designs import DesignError, LatinHypercube
from simcontract.experiment.runner import ExperimentError
from simcontract.outcomes import OUTCOMES
from simcontract.params import PARAMETERS

DEFAULT_RULES: dict[str, Any] = {
    "contract_years": (1, 5),
    "tendering": ["open", "selective", "direct"],
    "favouritism": (0.0, 1.0),
    "rotation_years": (2.0, 10.0),
    "extra_duty_demand": (0.0, 0.5),
    "match_funding": (0.0, 0.6),
    "evaluation": ["workload", "outcome", "mixed"],
}
"""The rules a discovery varies when none are named: the rules the cities of the
sources differ in (contract length, tendering, favouritism, rotation of officials,
unpaid extra duties, match funding, how evaluators score), over ranges the sources
report or the registry allows."""

EMA_MISSING = "discover needs the EMA workbench: pip install 'simcontract[discover]'"
"""The message when the EMA workbench is not installed, in English (raised in the
language in use: ``errors.discovery.ema_missing``)."""

MIN_DENSITY = 0.8
"""Default density a box must reach (the usual choice in scenario discovery)."""

MAX_BOXES = 3
"""Default most boxes to find."""

TREES = 500
"""Trees of the extra-trees classifier of the feature scores."""

_FILES = {
    "cases": "cases.csv",
    "boxes": "boxes.csv",
    "limits": "limits.csv",
    "trajectories": "trajectories.csv",
    "scores": "scores.csv",
}
_SETTINGS = "discovery.json"


class DiscoveryError(ExperimentError):
    """Discovery cannot run on these results: bad condition, inputs or options."""


_said = partial(messages.error, "discovery")


# --------------------------------------------------------------------------- result
@dataclass
class Discovery:
    """What :func:`discover` found.

    Attributes:
        cases: One row per run judged: ``point``, ``replication``, each input's value
            and ``of_interest`` (the condition holds).
        boxes: One row per box: ``box`` (from 0), ``step`` (its place on the peeling
            trajectory), ``coverage``, ``density``, ``mass``, ``n`` (runs in the box),
            ``k`` (of them, runs meeting the condition), ``restricted`` (inputs the box
            bounds) and ``meets`` (density reaches ``min_density``; only the first box
            may fall short, and the search stops there).
        limits: One row per box and input: ``box``, ``parameter``, ``kind``
            (``"numeric"`` or ``"choice"``), ``restricted``, ``low`` and ``high`` (the
            box's bounds; NaN for choices), ``choices`` (those the box keeps, ``|``-
            separated; empty for numbers), ``sampled_low``/``sampled_high`` (the range
            the runs span) or ``sampled_choices``, and ``qp_low``/``qp_high`` (quasi-p
            values of the lower and upper restriction; NaN where there is none).
        trajectories: One row per box and step of its peeling trajectory: ``box``,
            ``step``, ``coverage``, ``density``, ``mass``, ``restricted``, ``n``, ``k``,
            ``chosen`` and ``phase`` (``"peel"`` for PRIM's peeling and pasting,
            ``"prune"`` for a box with a restriction that was not significant dropped).
        scores: One row per input: ``parameter``, ``importance`` (extra-trees mean
            decrease in impurity, summing to 1 over the inputs) and ``spread`` (its
            standard deviation over the trees), largest first.
        settings: The condition, the inputs and how the discovery ran.
    """

    cases: pd.DataFrame
    boxes: pd.DataFrame
    limits: pd.DataFrame
    trajectories: pd.DataFrame
    scores: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def where(self) -> str:
        """The condition the runs of interest meet."""
        return str(self.settings.get("where", ""))

    def where_in_words(self, lang: str | None = None) -> str:
        """The condition for a reader of ``lang`` (:meth:`Condition.in_words`): as
        written in English, each outcome by its label in another language."""
        return _condition(self.where).in_words(lang) if self.where else ""

    @property
    def inputs(self) -> list[str]:
        """The inputs the boxes may bound."""
        return list(self.settings.get("inputs", []))

    def box_limits(self, box: int = 0, restricted_only: bool = True) -> pd.DataFrame:
        """The limits of box ``box`` (rows of :attr:`limits`).

        Raises:
            KeyError: No such box.
        """
        if box not in set(self.boxes["box"]):
            raise KeyError(messages.error("plots", "no_box", box=box, n=len(self.boxes)))
        rows = self.limits[self.limits["box"] == box]
        if restricted_only:
            rows = rows[rows["restricted"]]
        return rows.reset_index(drop=True)

    def rules(self, box: int = 0, lang: str | None = None) -> list[str]:
        """The restrictions of box ``box`` in plain words, e.g. ``"Match funding
        share at least 0.31"``, in ``lang`` (default: the language in use)."""
        return [rule_text(row, lang) for row in self.box_limits(box).to_dict("records")]

    def save(self, folder: str | Path) -> list[Path]:
        """Write the tables as CSV and the settings as JSON; return the paths."""
        from simcontract.experiment import storage

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for attribute, name in _FILES.items():
            paths.append(folder / name)
            storage.write_text(paths[-1], getattr(self, attribute).to_csv(index=False))
        paths.append(folder / _SETTINGS)
        storage.write_text(paths[-1], json.dumps(self.settings, indent=2) + "\n")
        return paths

    @classmethod
    def load(cls, folder: str | Path) -> Discovery:
        """Read what :meth:`save` wrote.

        Raises:
            DiscoveryError: ``folder`` lacks one of the files.
        """
        folder = Path(folder)
        missing = [n for n in [*_FILES.values(), _SETTINGS] if not (folder / n).is_file()]
        if missing:
            said = {"folder": repr(str(folder)), "file": missing[0]}
            raise DiscoveryError(_said("no_discovery", **said))
        tables = {
            a: pd.read_csv(folder / n, keep_default_na=False, na_values=[""])
            for a, n in _FILES.items()
        }
        for name in ("choices", "sampled_choices"):
            tables["limits"][name] = tables["limits"][name].fillna("").astype(str)
        settings = json.loads((folder / _SETTINGS).read_text("utf-8"))
        return cls(**tables, settings=settings)


# --------------------------------------------------------------------------- design
def discovery_design(
    parameters: Mapping[str, Any] | Sequence[str] | None = None, points: int = 128, seed: int = 0
) -> LatinHypercube:
    """The Latin hypercube a discovery samples: ``points`` points over ``parameters``
    (``{name: (low, high)}`` or a list of choices; a bare name takes the registry's
    range or every choice; default :data:`DEFAULT_RULES`).

    Raises:
        DesignError: As :class:`~simcontract.experiment.designs.LatinHypercube`, and
            fewer than 2 points or an input that could take only one value (one choice,
            an integer range holding one integer): no box could bound it, which would
            show only after every run.
    """
    design = LatinHypercube(points, DEFAULT_RULES if parameters is None else parameters, seed=seed)
    if design.n < 2:
        raise DesignError(_said("few_points", n=design.n))
    single = {
        name: (options[0], "wanted_choices")
        for name, options in design.choices.items()
        if len(options) < 2
    }
    for name, (lo, hi) in design.ranges.items():
        if PARAMETERS[name].kind == "int" and math.floor(hi) == math.ceil(lo):
            single[name] = (math.ceil(lo), "wanted_integers")
    for name, (value, wanted) in single.items():
        said = {"name": repr(name), "value": repr(value), "wanted": _said(wanted)}
        raise DesignError(_said("one_value_design", **said))
    return design


# --------------------------------------------------------------------------- analysis
def discover(
    results: Any,
    where: str | Condition,
    parameters: Sequence[str] | None = None,
    *,
    min_density: float = MIN_DENSITY,
    max_boxes: int = MAX_BOXES,
    mass_min: float = 0.05,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    max_qp: float = 0.05,
    seed: int = 0,
) -> Discovery:
    """Find the boxes of the inputs where the runs meet ``where``.

    Args:
        results: A batch's results (a :class:`~simcontract.experiment.Results`, e.g. of
            a sweep over :func:`discovery_design`), or its ``runs`` table.
        where: The condition, e.g. ``"service_coverage < 0.8"``
            (:func:`~simcontract.experiment.conditions.parse_condition`), on outcomes
            or their comparable forms (``"public_spend_per_purchaser_year < 5e6"``).
        parameters: The inputs the boxes may bound (default: the design's parameters).
        min_density: Density a box must reach (0 to 1).
        max_boxes: Most boxes to find; the search stops earlier at a box that does not
            reach ``min_density``.
        mass_min: Smallest share of the runs a box may hold (PRIM's ``mass_min``).
        peel_alpha, paste_alpha: Share of the runs PRIM peels or pastes per step.
        max_qp: Restrictions of a chosen box whose quasi-p value is above this are
            dropped (1 keeps them all).
        seed: Seed of the extra-trees classifier of the feature scores.

    Raises:
        DiscoveryError: A bad condition, option or input; no run (or every run) meets
            the condition; the EMA workbench is not installed.
    """
    _check_options(min_density, max_boxes, mass_min, peel_alpha, paste_alpha, max_qp)
    condition = _condition(where)
    runs = results if isinstance(results, pd.DataFrame) else results.runs
    inputs = _inputs(results, runs, parameters)
    forms = [o for o in condition.outcomes if o in comparable_forms() and o not in runs.columns]
    if forms and {"years", "n_cities", "n_bureaux", "n_mass_orgs"} <= set(runs.columns):
        runs = with_comparable(runs, forms)
    missing = [o for o in condition.outcomes if o not in runs.columns]
    if missing:
        raise DiscoveryError(_said("no_outcome", name=repr(missing[0])))
    defined = condition.defined(runs)
    judged = runs[defined].reset_index(drop=True)
    x = _inputs_table(judged, inputs)
    y = condition.holds(judged)
    _check_cases(condition, y, int((~defined).sum()))
    prim = _prim_module()
    options = {"mass_min": mass_min, "peel_alpha": peel_alpha, "paste_alpha": paste_alpha}
    found = _covering(prim, x, y, min_density, max_boxes, max_qp, options)
    settings = {
        "where": str(condition),
        "inputs": inputs,
        "runs": len(runs),
        "undefined": int((~defined).sum()),
        "of_interest": int(y.sum()),
        "min_density": min_density,
        "max_boxes": max_boxes,
        "mass_min": mass_min,
        "peel_alpha": peel_alpha,
        "paste_alpha": paste_alpha,
        "max_qp": max_qp,
        "seed": seed,
        "prim": f"ema_workbench {_ema_version()}",
    }
    cases = judged[[c for c in ("point", "replication") if c in judged.columns]].copy()
    cases = pd.concat([cases, x], axis=1).assign(of_interest=y)
    return Discovery(
        cases=cases,
        boxes=found["boxes"],
        limits=found["limits"],
        trajectories=found["trajectories"],
        scores=feature_scores(x, y, seed),
        settings=settings,
    )


def _check_options(
    min_density: Any, max_boxes: Any, mass_min: Any, peel_alpha: Any, paste_alpha: Any, max_qp: Any
) -> None:
    for name, value in (
        ("min_density", min_density),
        ("max_qp", max_qp),
        ("mass_min", mass_min),
        ("peel_alpha", peel_alpha),
        ("paste_alpha", paste_alpha),
    ):
        number = isinstance(value, int | float) and not isinstance(value, bool)
        top = name in ("min_density", "max_qp")
        if not number or not (0 < value < 1 or (top and value == 1)):
            key = "share_up_to_1" if top else "share_below_1"
            raise DiscoveryError(_said(key, name=name, value=repr(value)))
    if isinstance(max_boxes, bool) or not isinstance(max_boxes, int) or max_boxes < 1:
        raise DiscoveryError(_said("max_boxes", value=repr(max_boxes)))


def _condition(where: str | Condition) -> Condition:
    from simcontract.experiment.conditions import ConditionError

    if isinstance(where, Condition):
        return where
    try:
        return parse_condition(where, set(OUTCOMES) | set(comparable_forms()))
    except ConditionError as err:
        raise DiscoveryError(_said("where", reason=err)) from None


def _inputs(results: Any, runs: pd.DataFrame, parameters: Sequence[str] | None) -> list[str]:
    """The inputs: ``parameters``, or the design's; each a parameter that varies."""
    if parameters is None:
        design = getattr(results, "design", None)
        if design is None:
            raise DiscoveryError(_said("no_design", how=_said("how_inputs")))
        parameters = list(design.parameters)
    if isinstance(parameters, str) or not list(parameters):
        raise DiscoveryError(_said("inputs_form"))
    inputs = list(dict.fromkeys(parameters))
    for name in inputs:
        if name not in PARAMETERS:
            from simcontract.params import unknown_message

            raise DiscoveryError(unknown_message(name))
        if name not in runs.columns:
            raise DiscoveryError(_said("no_values", name=repr(name)))
        if runs[name].nunique(dropna=True) < 2:
            raise DiscoveryError(_said("one_value_runs", name=repr(name)))
    return inputs


def _inputs_table(runs: pd.DataFrame, inputs: Sequence[str]) -> pd.DataFrame:
    """The inputs as PRIM takes them: numbers as floats (the workbench before 3.0 fails
    to paste integer columns; a box's integer bounds are rounded inwards afterwards),
    choices as text."""
    columns = {}
    for name in inputs:
        values = runs[name]
        if PARAMETERS[name].numeric:
            columns[name] = values.astype(float)
        else:
            columns[name] = values.astype(str).astype(object)
    return pd.DataFrame(columns)


def _check_cases(condition: Condition, y: np.ndarray, undefined: int) -> None:
    left_out = _said("left_out", n=undefined) if undefined else ""
    if len(y) == 0:
        outcomes = messages.listed(condition.outcomes)
        raise DiscoveryError(_said("no_value", outcomes=outcomes, left_out=left_out))
    said = {"n": len(y), "condition": repr(str(condition)), "left_out": left_out}
    if not y.any():
        raise DiscoveryError(_said("none_meet", **said))
    if y.all():
        raise DiscoveryError(_said("all_meet", **said))


def _prim_module() -> Any:
    """``ema_workbench.analysis.prim``, imported quietly (it warns about its own
    optional parts)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import prim
    except ImportError:
        raise DiscoveryError(_said("ema_missing")) from None
    return prim


def _ema_version() -> str:
    from importlib.metadata import version

    return version("ema_workbench")


def _covering(
    prim: Any,
    x: pd.DataFrame,
    y: np.ndarray,
    min_density: float,
    max_boxes: int,
    max_qp: float,
    options: dict[str, Any],
) -> dict[str, pd.DataFrame]:
    """Run PRIM's covering: up to ``max_boxes`` boxes, each chosen on its trajectory and
    pruned of restrictions that are not significant."""
    import inspect

    options = dict(options)
    # The workbench before 3.0 takes a density threshold and swaps a box below it for
    # the whole space; a threshold just above 0 keeps every box, and the cases of
    # interest (y >= threshold) are still the runs with y == 1, as in 3.0.
    if "threshold" in inspect.signature(prim.Prim).parameters:
        options["threshold"] = 1e-9
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        finder = prim.Prim(x, y.astype(int), **options)
    boxes, limits, trajectories = [], [], []
    for number in range(max_boxes):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            box = finder.find_box()
        if box is None:
            break
        trajectory = box.peeling_trajectory.reset_index(drop=True)
        peeled = len(trajectory)
        step = choose_step(trajectory, min_density)
        if step != len(trajectory) - 1:
            box.select(step)
        step = _prune(box, step, max_qp)
        trajectory = box.peeling_trajectory.reset_index(drop=True)
        row = trajectory.iloc[step]
        meets = bool(row["density"] >= min_density)
        if number and not meets:
            break  # a later box below the target is noise; the first is kept, flagged
        limits.append(_limits(number, x, box, step))
        boxes.append(_box_row(number, step, row, int(limits[-1]["restricted"].sum()), meets))
        trajectories.append(_trajectory(number, trajectory, step, peeled))
        if not meets:
            break
    return {
        "boxes": pd.DataFrame(boxes),
        "limits": pd.concat(limits, ignore_index=True),
        "trajectories": pd.concat(trajectories, ignore_index=True),
    }


def _box_row(number: int, step: int, row: pd.Series, restricted: int, meets: bool) -> dict:
    return {
        "box": number,
        "step": step,
        "coverage": float(row["coverage"]),
        "density": float(row["density"]),
        "mass": float(row["mass"]),
        "n": int(row["n"]),
        "k": int(row["k"]),
        "restricted": restricted,
        "meets": meets,
    }


def choose_step(trajectory: pd.DataFrame, min_density: float) -> int:
    """The box chosen on a peeling trajectory: of those whose density reaches
    ``min_density``, the one with the highest coverage, then the fewest restricted
    inputs, then the earliest; if none reaches it, the densest."""
    table = trajectory.reset_index(drop=True).assign(step=range(len(trajectory)))
    reached = table[table["density"] >= min_density]
    if reached.empty:
        return int(table.sort_values(["density", "step"], ascending=[False, True]).iloc[0]["step"])
    best = reached.sort_values(["coverage", "res_dim", "step"], ascending=[False, True, True])
    return int(best.iloc[0]["step"])


def _prune(box: Any, step: int, max_qp: float) -> int:
    """Drop the chosen box's restrictions whose quasi-p value is above ``max_qp``, the
    least significant first, until every one left is significant (Bryant & Lempert
    2010); each drop adds a box to the trajectory. Return the final box's step."""
    while True:
        values = _qp_values(box)[step]
        worst, name = max(((_dimension_qp(values[n]), n) for n in values), default=(0.0, ""))
        if not name or worst <= max_qp:
            return step
        box.drop_restriction(name, i=step)
        step = len(box.peeling_trajectory) - 1


def _qp_values(box: Any) -> list[dict[str, Any]]:
    """The quasi-p values of each box on the trajectory (``qp`` before the workbench's
    3.0, ``p_values`` after)."""
    return box.qp if hasattr(box, "qp") else box.p_values


def _dimension_qp(sides: Sequence[Any]) -> float:
    """A restriction's quasi-p value: that of its more significant side (NaN-free)."""
    found = [_qp(v) for v in sides]
    found = [v for v in found if not math.isnan(v)]
    return min(found) if found else 0.0


def _trajectory(number: int, trajectory: pd.DataFrame, step: int, peeled: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "box": number,
            "step": range(len(trajectory)),
            "coverage": trajectory["coverage"].to_numpy(float),
            "density": trajectory["density"].to_numpy(float),
            "mass": trajectory["mass"].to_numpy(float),
            "restricted": trajectory["res_dim"].to_numpy(int),
            "n": trajectory["n"].to_numpy(int),
            "k": trajectory["k"].to_numpy(int),
            "chosen": [i == step for i in range(len(trajectory))],
            "phase": ["peel" if i < peeled else "prune" for i in range(len(trajectory))],
        }
    )


def _limits(number: int, x: pd.DataFrame, box: Any, step: int) -> pd.DataFrame:
    """One row per input: the box's bounds at ``step``, the sampled range, quasi-p."""
    lims = box.box_lims[step]
    qp = _qp_values(box)[step]
    rows = []
    for name in x.columns:
        numeric = PARAMETERS[name].numeric
        q_low, q_high = (_qp(v) for v in qp.get(name, (-1, -1)))
        row: dict[str, Any] = {"box": number, "parameter": name}
        if numeric:
            low, high = float(lims[name].iloc[0]), float(lims[name].iloc[1])
            if PARAMETERS[name].kind == "int":
                low, high = float(math.ceil(low - 1e-9)), float(math.floor(high + 1e-9))
            span = float(x[name].min()), float(x[name].max())
            restricted = low > span[0] or high < span[1]
            row |= {"kind": "numeric", "restricted": restricted, "low": low, "high": high}
            row |= {"choices": "", "sampled_low": span[0], "sampled_high": span[1]}
            row |= {"sampled_choices": ""}
        else:
            kept = sorted(str(c) for c in lims[name].iloc[0])
            every = sorted(str(c) for c in x[name].unique())
            row |= {"kind": "choice", "restricted": len(kept) < len(every)}
            row |= {"low": math.nan, "high": math.nan, "choices": "|".join(kept)}
            row |= {"sampled_low": math.nan, "sampled_high": math.nan}
            row |= {"sampled_choices": "|".join(every)}
        rows.append(row | {"qp_low": q_low, "qp_high": q_high})
    return pd.DataFrame(rows)


def _qp(value: Any) -> float:
    """A quasi-p value, NaN where the workbench marks none (-1)."""
    value = float(value)
    return math.nan if value < 0 or math.isnan(value) else value


def feature_scores(x: pd.DataFrame, y: np.ndarray, seed: int = 0) -> pd.DataFrame:
    """Which inputs matter most for the condition: extra-trees importance.

    Choices enter as integer codes (trees split them into groups of codes). The
    importance is scikit-learn's mean decrease in impurity, which favours inputs with
    many distinct values, such as continuous ones, over a choice of three.

    Returns:
        Columns ``parameter``, ``importance`` and ``spread`` (sd over the trees),
        largest importance first.
    """
    from sklearn.ensemble import ExtraTreesClassifier

    codes = pd.DataFrame(
        {
            name: (
                x[name].astype(float)
                if PARAMETERS[name].numeric
                else pd.Categorical(x[name], sorted(x[name].unique())).codes.astype(float)
            )
            for name in x.columns
        }
    )
    forest = ExtraTreesClassifier(n_estimators=TREES, random_state=seed, n_jobs=1)
    forest.fit(codes.to_numpy(), np.asarray(y, dtype=int))
    per_tree = np.array([tree.feature_importances_ for tree in forest.estimators_])
    table = pd.DataFrame(
        {
            "parameter": list(x.columns),
            "importance": forest.feature_importances_,
            "spread": per_tree.std(axis=0),
        }
    )
    return table.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- words
def rule_text(row: Mapping[str, Any], lang: str | None = None) -> str:
    """One restriction of a box in plain words (a row of :attr:`Discovery.limits`)."""
    name = str(row["parameter"])
    label = i18n.parameter_label(name, lang)
    if row["kind"] == "choice":
        kept = [c for c in str(row["choices"]).split("|") if c]
        said = i18n.text("figures.discovery_or", lang).join(
            i18n.choice_label(name, c, lang) for c in kept
        )
        return i18n.text("figures.discovery_rule_choice", lang, name=label, choices=said)
    low, high = float(row["low"]), float(row["high"])
    lower = low > float(row["sampled_low"])
    upper = high < float(row["sampled_high"])
    if lower and upper:
        key, values = (
            "discovery_rule_between",
            {"low": _number(name, low), "high": _number(name, high)},
        )
    elif lower:
        key, values = "discovery_rule_at_least", {"low": _number(name, low)}
    else:
        key, values = "discovery_rule_at_most", {"high": _number(name, high)}
    return i18n.text(f"figures.{key}", lang, name=label, **values)


def restriction_qp(row: Mapping[str, Any]) -> float:
    """The quasi-p value of a restriction (a row of :attr:`Discovery.limits`): that of
    its more significant side, as pruning judges it; NaN for an unrestricted input."""
    found = [float(row[k]) for k in ("qp_low", "qp_high") if not math.isnan(float(row[k]))]
    return min(found) if found else math.nan


def _number(name: str, value: float) -> str:
    if PARAMETERS[name].kind == "int":
        return f"{round(value):d}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _shortfall(discovery: Discovery, number: int, lang: str | None) -> str:
    """Why box ``number`` falls short of the density target: no step of its peeling
    reached it, or one did and pruning restrictions that may be chance took it below."""
    s = discovery.settings
    t = discovery.trajectories
    peeled = t[(t["box"] == number) & (t["phase"] == "peel")].reset_index(drop=True)
    chosen = peeled.iloc[
        choose_step(peeled.rename(columns={"restricted": "res_dim"}), s["min_density"])
    ]
    target = f"{s['min_density']:g}"
    if chosen["density"] >= s["min_density"]:
        before, qp = f"{chosen['density']:.0%}", f"{s['max_qp']:g}"
        return _say("below_target_pruned", lang, density=target, before=before, qp=qp)
    return _say("below_target", lang, density=target)


def format_discovery(discovery: Discovery, lang: str | None = None) -> str:
    """The discovery as Markdown: the condition, each box's rules with coverage,
    density and runs, and the feature scores (inputs by code name in English, by
    label in other languages)."""
    s = discovery.settings
    where = discovery.where_in_words(lang)
    if where != discovery.where:  # and as --where takes it, to run it again
        where = i18n.text("punctuation.paren", lang, text=where, note=f"`{discovery.where}`")
    counts = {"where": where, "k": s["of_interest"], "n": s["runs"] - s["undefined"]}
    if s["undefined"]:
        lines = [_say("runs_left_out", lang, undefined=s["undefined"], **counts), ""]
    else:
        lines = [_say("runs", lang, **counts), ""]
    for box in discovery.boxes.itertuples():
        flag = _shortfall(discovery, box.box, lang) if not box.meets else ""
        lines.append(
            _say(
                "box",
                lang,
                box=box.box + 1,
                flag=flag,
                coverage=f"{box.coverage:.0%}",
                density=f"{box.density:.0%}",
                n=box.n,
                k=box.k,
                mass=f"{box.mass:.0%}",
            )
        )
        limits = discovery.box_limits(box.box)
        if limits.empty:
            lines.append(f"- {_say('no_restriction', lang)}")
        rules = discovery.rules(box.box, lang)
        for row, rule in zip(limits.to_dict("records"), rules, strict=True):
            qp = restriction_qp(row)
            if not math.isnan(qp):
                said = i18n.text("figures.discovery_qp", lang, qp=f"{qp:.2g}")
                rule = i18n.text("punctuation.paren", lang, text=rule, note=said)
            lines.append(f"- {rule}")
        lines.append("")
    heads = [_say(k, lang) for k in ("input", "importance", "spread")]
    lines += ["| " + " | ".join(heads) + " |", "|---|---|---|"]
    english = i18n.resolve(lang) == i18n.DEFAULT_LANGUAGE
    for r in discovery.scores.itertuples():
        name = r.parameter if english else i18n.parameter_label(r.parameter, lang)
        lines.append(f"| {name} | {r.importance:.3f} | {r.spread:.3f} |")
    return "\n".join(lines)


def _say(key: str, lang: str | None, **values: Any) -> str:
    return i18n.text(f"discovery.{key}", lang, **values)
