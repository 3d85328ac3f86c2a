"""Levels and contrasts of a batch: each scenario against a reference, with paired CIs.

A batch gives replication ``r`` the same seed at every design point (common random
numbers), so scenario ``b`` and the reference ``a`` are compared run by run: the
contrast is the mean of the paired differences ``b[r] - a[r]`` with Student's t
interval (:func:`simcontract.experiment.stats.paired_difference`), much narrower than
the difference of two independent means when the runs share their luck.

Quick use::

    from simcontract import compare
    from simcontract.experiment import contrasts
    res = compare(["baseline", "thin_market"], replications=30)
    contrasts(res, reference="baseline")        # one row per scenario and outcome

Both tables also hold the comparable forms of outcomes that depend on the run's length
or the market's size (:mod:`simcontract.experiment.codebook`), e.g.
``public_spend_per_purchaser_year``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd

from simcontract.experiment import codebook, messages
from simcontract.experiment.results import Results, check_level, variable_list
from simcontract.experiment.runner import ExperimentError
from simcontract.experiment.stats import mean_ci, paired_difference

_said = partial(messages.error, "comparison")

DEFAULT_REFERENCE = "baseline"
"""The reference of a comparison when it is among the scenarios (else the first)."""


def _runs(results: Any) -> pd.DataFrame:
    """The runs table of ``results``, a batch's :class:`Results` (or anything with such
    a ``runs`` table; not, e.g., the table itself).

    Raises:
        TypeError: ``results`` has no runs table.
    """
    runs = getattr(results, "runs", None)
    if not isinstance(runs, pd.DataFrame):
        raise TypeError(_said("not_results", type=type(results).__name__))
    return runs


def _points(results: Results) -> pd.DataFrame:
    """``point`` and ``scenario`` of every design point, in order."""
    runs = _runs(results)
    return runs.drop_duplicates("point")[["point", "scenario"]].reset_index(drop=True)


def reference_point(results: Results, reference: str | int | None = None) -> int:
    """The design point a batch's contrasts are taken against.

    Args:
        results: The batch.
        reference: A scenario's name, a design point's number, or ``None``: the
            scenario :data:`DEFAULT_REFERENCE` when the batch has it, else the first.

    Raises:
        ExperimentError: No such scenario or point, or a name several points share.
    """
    points = _points(results)
    names = list(points["scenario"])
    if reference is None:
        reference = DEFAULT_REFERENCE if names.count(DEFAULT_REFERENCE) == 1 else None
        return int(points["point"][names.index(reference)] if reference else points["point"][0])
    if isinstance(reference, bool | np.bool_) or not isinstance(reference, str | Integral):
        raise TypeError(messages.error("types", "reference", given=repr(reference)))
    if isinstance(reference, Integral):
        reference = int(reference)
        if reference not in set(points["point"]):
            raise ExperimentError(_said("no_point", point=reference))
        return reference
    if reference not in names:
        said = {"reference": repr(reference), "names": messages.listed(dict.fromkeys(names))}
        raise ExperimentError(_said("not_compared", **said))
    if names.count(reference) > 1:
        said = {"reference": repr(reference), "n": names.count(reference)}
        raise ExperimentError(_said("many_points", **said))
    return int(points["point"][names.index(reference)])


def levels(
    results: Results, outcomes: Sequence[str] | str | None = None, level: float = 0.95
) -> pd.DataFrame:
    """Mean and Student's t interval of every outcome (and comparable form) per point.

    Args:
        results: A batch (compare or sweep), as :func:`~simcontract.compare` returns it.
        outcomes: Outcome names or names of comparable forms, each once (default: all).
        level: Confidence level, between 0 and 1.

    Returns:
        One row per point and outcome (in the order given): ``point``, ``scenario``,
        ``outcome``, ``unit``, ``n`` (runs where it is defined), ``mean``, ``sd``,
        ``low``, ``high`` (the interval of the mean; NaN for fewer than 2 runs).

    Raises:
        ExperimentError: An unknown outcome, an empty list or a bad level.
        TypeError: ``results`` is not a batch's results, or ``outcomes`` is not a name
            or a list of names.
    """
    names = variable_list(outcomes)
    level = check_level(level)
    described = codebook.variables()
    runs = codebook.with_comparable(_runs(results))
    rows = []
    for (point, scenario), sub in runs.groupby(["point", "scenario"], sort=True):
        for name in names:
            ci = mean_ci(sub[name].to_numpy(dtype=float), level)
            rows.append(
                {
                    "point": point,
                    "scenario": scenario,
                    "outcome": name,
                    "unit": described[name].unit,
                    "n": ci.n,
                    "mean": ci.mean,
                    "sd": ci.sd,
                    "low": ci.low,
                    "high": ci.high,
                }
            )
    return pd.DataFrame(rows, columns=_LEVEL_COLUMNS)


_LEVEL_COLUMNS = ["point", "scenario", "outcome", "unit", "n", "mean", "sd", "low", "high"]


def contrasts(
    results: Results,
    reference: str | int | None = None,
    outcomes: Sequence[str] | str | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Every scenario against the reference: paired differences with their CI.

    Runs are paired by replication, which share their seed at every design point.

    Args:
        results: A batch (compare or sweep), as :func:`~simcontract.compare` returns it.
        reference: See :func:`reference_point` (default: ``baseline``, else the first).
        outcomes: Outcome names or names of comparable forms, each once (default: all).
        level: Confidence level, between 0 and 1.

    Returns:
        One row per other point and outcome: ``point``, ``scenario``, ``reference``,
        ``outcome``, ``unit``, ``n`` (pairs where both values are defined),
        ``reference_mean`` and ``mean`` (over those pairs), ``difference`` (mean of
        ``scenario - reference``), ``low`` and ``high`` (its interval).

    Raises:
        ExperimentError: Bad reference, an unknown outcome, an empty list, a bad level,
            or runs that do not share their seeds.
        TypeError: ``results`` is not a batch's results, or ``outcomes`` is not a name
            or a list of names.
    """
    names = variable_list(outcomes)
    level = check_level(level)
    ref = reference_point(results, reference)
    described = codebook.variables()
    runs = codebook.with_comparable(results.runs).set_index("replication")
    base = runs[runs["point"] == ref]
    ref_name = str(base["scenario"].iloc[0])
    rows = []
    for (point, scenario), sub in runs.groupby(["point", "scenario"], sort=True):
        if point == ref:
            continue
        shared = base.index.intersection(sub.index)
        a, b = base.loc[shared], sub.loc[shared]
        if not (a["seed"] == b["seed"]).all():
            said = {"scenario": repr(scenario), "reference": repr(ref_name)}
            raise ExperimentError(_said("seeds", **said))
        for name in names:
            x, y = a[name].to_numpy(dtype=float), b[name].to_numpy(dtype=float)
            ci = paired_difference(x, y, level)
            both = ~(pd.isna(x) | pd.isna(y))
            rows.append(
                {
                    "point": point,
                    "scenario": scenario,
                    "reference": ref_name,
                    "outcome": name,
                    "unit": described[name].unit,
                    "n": ci.n,
                    "reference_mean": float(x[both].mean()) if both.any() else float("nan"),
                    "mean": float(y[both].mean()) if both.any() else float("nan"),
                    "difference": ci.mean,
                    "low": ci.low,
                    "high": ci.high,
                }
            )
    return pd.DataFrame(rows, columns=CONTRAST_COLUMNS)


CONTRAST_COLUMNS = [
    "point",
    "scenario",
    "reference",
    "outcome",
    "unit",
    "n",
    "reference_mean",
    "mean",
    "difference",
    "low",
    "high",
]
"""The columns of :func:`contrasts` (``contrasts.csv`` of a results folder)."""


def scenario_facts(results: Results) -> pd.DataFrame:
    """What makes the points of a batch comparable or not: one row per point with
    ``point``, ``scenario``, ``years`` (the horizon), ``cities``, ``ngos`` (NGOs at
    the start, all cities) and ``purchasers``."""
    runs = _runs(results).drop_duplicates("point")
    return pd.DataFrame(
        {
            "point": runs["point"].to_numpy(),
            "scenario": runs["scenario"].to_numpy(),
            "years": runs["years"].to_numpy(),
            "cities": runs["n_cities"].to_numpy(),
            "ngos": (runs["initial_ngos"] * runs["n_cities"]).to_numpy(),
            "purchasers": codebook.purchasers(runs).to_numpy(),
        }
    )


def unlike(facts: pd.DataFrame) -> dict[str, Any]:
    """What differs between the points: ``{"years": (low, high), "ngos": ...,
    "purchasers": ...}`` for each fact that is not the same at every point."""
    return {
        k: (facts[k].min(), facts[k].max())
        for k in ("years", "ngos", "purchasers")
        if facts[k].nunique() > 1
    }
