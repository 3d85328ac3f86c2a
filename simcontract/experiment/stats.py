"""The statistics of experiments: means, Student's t intervals (cut at the ends of the
values an outcome can take), paired differences and the Kaplan-Meier survival estimate.

Every confidence interval simcontract reports (comparison tables, validation, figures)
comes from this module, so they agree to the last digit.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simcontract.experiment import messages
from simcontract.experiment.runner import ExperimentError


def _said(key: str, **values: Any) -> str:
    """A message of this module in the language in use (``errors.stats.<key>``)."""
    return messages.error("stats", key, **values)


def check_level(level: Any) -> float:
    """``level`` as a float when it is a confidence level strictly between 0 and 1.

    Raises:
        ExperimentError: Not a number between 0 and 1.
    """
    if isinstance(level, bool) or not isinstance(level, numbers.Real) or not 0 < level < 1:
        raise ExperimentError(_said("level", level=repr(level)))
    return float(level)


def t_quantile(df: np.ndarray | float, level: float) -> np.ndarray | float:
    """Two-sided Student's t quantile for a ``level`` interval (NaN where ``df < 1``).

    Raises:
        ExperimentError: ``level`` is not between 0 and 1 (an interval of NaN otherwise).
    """
    from scipy.special import stdtrit  # lighter to import than scipy.stats

    level = check_level(level)
    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        q = stdtrit(np.where(df >= 1, df, np.nan), 0.5 + level / 2)
    return float(q) if q.ndim == 0 else q


def half_width(sd: np.ndarray, n: np.ndarray, level: float = 0.95) -> np.ndarray:
    """Half-width of Student's t interval of a mean, elementwise (NaN for ``n < 2``).

    Args:
        sd: Sample standard deviations (``ddof=1``).
        n: Sample sizes.
        level: Confidence level.
    """
    n = np.asarray(n, dtype=float)
    with np.errstate(all="ignore"):
        return t_quantile(n - 1, level) * np.asarray(sd, dtype=float) / np.sqrt(n)


@dataclass(frozen=True)
class Interval:
    """A mean with its Student's t confidence interval.

    Attributes:
        n: Values used (NaN values are left out).
        mean: Their mean (NaN when ``n == 0``).
        low: Lower end of the interval (NaN when ``n < 2``).
        high: Upper end of the interval (NaN when ``n < 2``).
        sd: Sample standard deviation (NaN when ``n < 2``).
    """

    n: int
    mean: float
    low: float
    high: float
    sd: float

    def __iter__(self):
        """``(mean, low, high)``, for unpacking."""
        return iter((self.mean, self.low, self.high))


def _numbers(values: Iterable[float], name: str) -> np.ndarray:
    """``values`` as a one-dimensional float array.

    Raises:
        ValueError: ``values`` is not a sequence of numbers.
    """
    try:
        array = np.asarray(
            list(values) if not isinstance(values, np.ndarray) else values, dtype=float
        )
    except (TypeError, ValueError):
        array = np.empty((0, 0))
    if array.ndim != 1:
        raise ValueError(_said("not_numbers", name=name, type=type(values).__name__))
    return array


def mean_ci(values: Iterable[float], level: float = 0.95) -> Interval:
    """Mean of ``values`` and Student's t interval of the mean; NaN values left out.

    Args:
        values: One value per run (e.g. a column of
            :attr:`~simcontract.experiment.results.Results.runs`), in the outcome's unit.
        level: Confidence level, between 0 and 1.

    Returns:
        The mean, the interval's ends and the standard deviation, in the unit of
        ``values``, with ``n`` the values used.

    Raises:
        ValueError: ``values`` is not a sequence of numbers.
        ExperimentError: ``level`` is not between 0 and 1.
    """
    v = _numbers(values, "values")
    v = v[~np.isnan(v)]
    n = len(v)
    if n == 0:
        return Interval(0, math.nan, math.nan, math.nan, math.nan)
    mean = float(v.mean())
    if n < 2:
        return Interval(n, mean, math.nan, math.nan, math.nan)
    sd = float(v.std(ddof=1))
    half = float(half_width(sd, n, level))
    return Interval(n, mean, mean - half, mean + half, sd)


UNIT_RANGES = {
    "share": (0.0, 1.0),
    "share-difference": (-1.0, 1.0),
    "index": (0.0, 1.0),
    "index-difference": (-1.0, 1.0),
    "correlation": (-1.0, 1.0),
    "NGOs": (0.0, math.inf),
    "bids": (0.0, math.inf),
    "slots": (0.0, math.inf),
    "contracts": (0.0, math.inf),
    "years": (0.0, math.inf),
    "ratio": (0.0, math.inf),
    "CNY": (0.0, math.inf),
    "hours/1000-residents": (0.0, math.inf),
}
"""The values an outcome of each unit can take (others: any number)."""


def unit_range(unit: str, difference: bool = False) -> tuple[float, float]:
    """The values an outcome of ``unit`` can take, or with ``difference`` the values a
    difference of two of them can take (``[-1, 1]`` for shares); any number for a unit
    :data:`UNIT_RANGES` does not bound."""
    lo, hi = UNIT_RANGES.get(unit, (-math.inf, math.inf))
    return (lo - hi, hi - lo) if difference else (lo, hi)


def outcome_range(outcome: str, difference: bool = False) -> tuple[float, float]:
    """The values ``outcome`` can take (with ``difference``: a difference of two of
    them), by its unit: an outcome's, or a comparable form's (an annual rate of a share
    is a share; a value per purchaser or per year lies between 0 and the outcome's, as
    both divisors are at least 1, so it keeps a bound of 0); any number for another
    name."""
    from simcontract.outcomes import OUTCOMES

    if outcome in OUTCOMES:
        return unit_range(OUTCOMES[outcome].unit, difference)
    for source in OUTCOMES.values():
        if source.comparable_name == outcome:
            lo, hi = UNIT_RANGES.get(source.unit, (-math.inf, math.inf))
            if not source.compounds:
                lo, hi = min(lo, 0.0), max(hi, 0.0)
            return (lo - hi, hi - lo) if difference else (lo, hi)
    return unit_range("", difference)


def cut(low: float, high: float, bounds: tuple[float, float]) -> tuple[float, float, bool]:
    """An interval's ends cut at ``bounds``, and whether one was (never an undefined
    interval: NaN ends stay)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return low, high, False
    new_low, new_high = max(low, bounds[0]), min(high, bounds[1])
    return new_low, new_high, (new_low, new_high) != (low, high)


def within_range(interval: Interval, outcome: str) -> tuple[Interval, bool]:
    """``interval`` cut at the ends of the values ``outcome`` can take (a share's t
    interval over a few runs can reach below 0 or above 1), and whether it was cut."""
    low, high, was_cut = cut(interval.low, interval.high, outcome_range(outcome))
    if not was_cut:
        return interval, False
    return dataclasses.replace(interval, low=low, high=high), True


def cut_table(table: pd.DataFrame, difference: bool = False) -> pd.DataFrame:
    """``table`` (a row per point and ``outcome``, with ``low`` and ``high``) with each
    interval cut at the ends of the values its outcome can take (with ``difference``:
    a difference of two of them), and a column ``cut`` saying which were."""
    ends = [
        cut(lo, hi, outcome_range(name, difference))
        for name, lo, hi in zip(table["outcome"], table["low"], table["high"], strict=True)
    ]
    low, high, was_cut = zip(*ends, strict=True) if ends else ((), (), ())
    return table.assign(
        low=np.array(low, dtype=float),
        high=np.array(high, dtype=float),
        cut=np.array(was_cut, dtype=bool),
    )


def paired_difference(a: Iterable[float], b: Iterable[float], level: float = 0.95) -> Interval:
    """Mean of the paired differences ``b - a`` with its t interval.

    ``a[i]`` and ``b[i]`` are the same replication (the same seed) under two arms: the
    values are paired by position (pandas labels are not read), so give both in the
    order of their replications, e.g. two columns of
    ``runs.pivot(index="replication", columns="scenario", values=outcome)``. Two pandas
    Series that hold the same labels in another order are refused: paired by position,
    they would pair other replications. Pairs where either value is NaN are left out.

    Args:
        a: The reference arm's values, one per replication.
        b: The other arm's values, in the same order.
        level: Confidence level, between 0 and 1.

    Returns:
        The mean of ``b - a`` (in the outcome's unit), its interval's ends and standard
        deviation, with ``n`` the pairs used.

    Raises:
        ValueError: ``a`` or ``b`` is not a sequence of numbers, they differ in
            length, or they are Series with the same labels in another order.
        ExperimentError: ``level`` is not between 0 and 1.
    """
    if isinstance(a, pd.Series) and isinstance(b, pd.Series) and _reordered(a.index, b.index):
        raise ValueError(_said("pairs_order"))
    a = _numbers(a, "a")
    b = _numbers(b, "b")
    if a.shape != b.shape:
        raise ValueError(_said("sizes", a=a.shape, b=b.shape))
    ok = ~(np.isnan(a) | np.isnan(b))
    return mean_ci(b[ok] - a[ok], level)


def _reordered(a: pd.Index, b: pd.Index) -> bool:
    """Whether ``a`` and ``b`` hold the same unique labels in another order."""
    return not a.equals(b) and a.is_unique and b.is_unique and len(a) == len(b) and set(a) == set(b)


def kaplan_meier(
    durations: Iterable[float], observed: Iterable[bool], level: float = 0.95
) -> pd.DataFrame:
    """Kaplan-Meier estimate of a survival function with pointwise log-log intervals.

    The estimate and its exponential Greenwood ("log-log") interval are
    ``scipy.stats.ecdf`` on right-censored data.

    Args:
        durations: Time to the event, or to censoring when the event was not observed.
        observed: Whether each duration ended in the event (``False``: censored).
        level: Confidence level of the pointwise intervals.

    Returns:
        One row per distinct event time, with columns ``time``, ``at_risk``,
        ``events``, ``survival`` (just after ``time``), ``low`` and ``high``.
    """
    level = check_level(level)
    d = np.asarray(list(durations), dtype=float)
    e = np.asarray(list(observed), dtype=bool)
    if d.shape != e.shape:
        raise ValueError(messages.error("types", "lengths"))
    times, events = np.unique(d[e], return_counts=True)
    at_risk = len(d) - np.searchsorted(np.sort(d), times, side="left")
    survival, low, high = _km_estimate(d, e, times, level)
    return pd.DataFrame(
        {
            "time": times,
            "at_risk": at_risk.astype(int),
            "events": events.astype(int),
            "survival": survival,
            "low": low,
            "high": high,
        }
    )


def _km_estimate(
    d: np.ndarray, e: np.ndarray, times: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Survival and its interval ends at the event ``times`` (scipy's ``ecdf``)."""
    if not len(times):
        return np.empty(0), np.empty(0), np.empty(0)
    from scipy import stats

    sf = stats.ecdf(stats.CensoredData(uncensored=d[e], right=d[~e])).sf
    # scipy also steps at times with censoring only; the curve is flat there.
    at_events = np.isin(sf.quantiles, times)
    with warnings.catch_warnings():
        # Where the estimate reaches 0 the log-log interval is undefined; it is 0 below.
        warnings.filterwarnings("ignore", "The confidence interval is undefined", RuntimeWarning)
        band = sf.confidence_interval(level, method="log-log")
    survival = sf.probabilities[at_events]
    low = np.nan_to_num(band.low.probabilities[at_events], nan=0.0)
    high = np.nan_to_num(band.high.probabilities[at_events], nan=1.0)
    dead = survival <= 0
    low[dead], high[dead] = 0.0, 0.0
    return survival, low, high
