"""Global sensitivity indices of a pattern's effect over a sample of assumptions.

Each function takes the sample (or a SALib problem and design) and one effect per point,
and returns ``{index: (values, conf)}``: one value and one CI half-width per parameter
(NaN where there is no estimate). Used by :mod:`~simcontract.experiment.robustness`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

RESAMPLES = 100
"""Bootstrap resamples of the RBD-FAST confidence intervals (SALib's default)."""


def harmonics(points: int) -> int:
    """Harmonics ``M`` RBD-FAST sums for a sample of ``points``: 2 up to 47 points, then
    ``points // 16`` up to 6; 1 below 12 points. Few, since the noise of a null index
    and its bias correction grow with ``2M / N`` (and the bootstrap uses half the
    points); 2 still catch an effect that is not monotone (a U shape), which 1 misses."""
    return 1 if points < 12 else max(2, min(6, points // 16))


def first_order(x: np.ndarray, y: np.ndarray, m: int) -> np.ndarray:
    """RBD-FAST first-order index of every column of ``x``, bias-corrected.

    As ``SALib.analyze.rbd_fast`` computes it (Plischke 2010's ordering, the
    periodogram's power at the first ``m`` harmonics over all, Tissot & Prieur 2012's
    correction), over any leading axes at once: ``x`` is ``(..., n, d)`` or ``(n, d)``,
    ``y`` is ``(..., n)``; the result ``(..., d)``.
    """
    n = x.shape[-2]
    xs = np.moveaxis(x, -1, -2)  # (..., d, n)
    ys = np.broadcast_to(y[..., None, :], xs.shape)
    order = np.argsort(xs, axis=-1, kind="stable")
    order = np.concatenate([order[..., ::2], order[..., 1::2][..., ::-1]], axis=-1)
    permuted = np.take_along_axis(ys, order, axis=-1)
    permuted = permuted - permuted.mean(axis=-1, keepdims=True)
    power = np.abs(np.fft.rfft(permuted, axis=-1)) ** 2
    if n % 2 == 0:  # the one-sided periodogram counts the Nyquist frequency once
        power[..., -1] /= 2
    with np.errstate(all="ignore"):
        s1 = power[..., 1 : m + 1].sum(axis=-1) / power[..., 1:].sum(axis=-1)
    lam = 2 * m / n
    return s1 - lam / (1 - lam) * (1 - s1)


def rbd_fast(
    x: np.ndarray, y: np.ndarray, level: float = 0.95, seed: int = 1
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """First-order indices ``S1`` (RBD-FAST) of the points where ``y`` is not NaN.

    The CI half-width is SALib's: the normal quantile times the standard deviation of
    the index over :data:`RESAMPLES` bootstrap samples of half the points. NaN below 4
    points or for a constant ``y``; no CI below 8 points (half of them are too few for
    the bias correction). Harmonics: :func:`harmonics`.

    Args:
        x: The sample, one row per point, one column per parameter.
        y: The effect at each point.
        level: Confidence level.
        seed: Seed of the bootstrap.
    """
    from scipy.special import ndtri

    d = x.shape[1]
    ok = ~np.isnan(y)
    n = int(ok.sum())
    nan = np.full(d, np.nan)
    if n < 4 or np.ptp(y[ok]) == 0:
        return {"S1": (nan, nan)}
    x, y, m = np.asarray(x, dtype=float)[ok], y[ok], harmonics(n)
    s1 = _finite(first_order(x, y, m))
    if n < 8:
        return {"S1": (s1, nan)}
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n, size=(RESAMPLES, n // 2))
    boot = first_order(x[draws], y[draws], m)  # (RESAMPLES, d)
    conf = float(ndtri(0.5 + level / 2)) * boot.std(axis=0, ddof=1)
    return {"S1": (s1, _finite(conf))}


def morris(
    problem: dict[str, Any],
    matrix: np.ndarray,
    y: np.ndarray,
    levels: int,
    level: float = 0.95,
    seed: int = 1,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Morris measures ``mu_star`` (with CI), ``mu`` and ``sigma`` over the trajectories
    whose every point has an effect (``SALib.analyze.morris`` on the unrounded
    ``matrix``)."""
    from SALib.analyze import morris as salib_morris

    d = problem["num_vars"]
    size = d + 1
    nan = np.full(d, np.nan)
    whole = ~np.isnan(y.reshape(-1, size)).any(axis=1)
    if not whole.any() or np.ptp(y[~np.isnan(y)]) == 0:
        return {"mu_star": (nan, nan), "mu": (nan, nan), "sigma": (nan, nan)}
    keep = np.repeat(whole, size)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = salib_morris.analyze(
            problem,
            np.asarray(matrix)[keep],
            y[keep],
            conf_level=level,
            num_levels=levels,
            seed=seed,
        )
    return {
        "mu_star": (_finite(res["mu_star"]), _finite(res["mu_star_conf"])),
        "mu": (_finite(res["mu"]), nan),
        "sigma": (_finite(res["sigma"]), nan),
    }


def sobol(
    problem: dict[str, Any], y: np.ndarray, level: float = 0.95, seed: int = 1
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Sobol first-order ``S1`` and total ``ST`` indices (``SALib.analyze.sobol``, no
    second order); NaN when an effect is missing or all are equal."""
    from SALib.analyze import sobol as salib_sobol

    d = problem["num_vars"]
    nan = np.full(d, np.nan)
    if np.isnan(y).any() or np.ptp(y) == 0:
        return {"S1": (nan, nan), "ST": (nan, nan)}
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = salib_sobol.analyze(problem, y, calc_second_order=False, conf_level=level, seed=seed)
    return {
        "S1": (_finite(res["S1"]), _finite(res["S1_conf"])),
        "ST": (_finite(res["ST"]), _finite(res["ST_conf"])),
    }


def _finite(values: Any) -> np.ndarray:
    out = np.asarray(np.ma.filled(np.asarray(values, dtype=float), np.nan), dtype=float)
    out[~np.isfinite(out)] = np.nan
    return out
