"""Experimental designs: which parameter values a sweep runs.

A design lists *design points*: each point is a mapping from parameter names to
values that replace the base scenario's. Four designs are available:

* :class:`Grid`: the full factorial product of value lists (a plain ``dict`` of lists
  is a grid too).
* :class:`LatinHypercube`: ``n`` points, each numeric range cut into ``n`` equal
  strata with exactly one point per stratum (``scipy.stats.qmc.LatinHypercube``); a
  parameter with a fixed set of choices may join it, each choice taking an equal share
  of the strata.
* :class:`Sobol`: Saltelli's scheme through SALib, ``n * (2 * D + 2)`` points for
  ``D`` parameters, for variance-based sensitivity indices (``n`` a power of 2).
* :class:`Morris`: ``n`` trajectories of ``D + 1`` points through SALib, for
  elementary-effects screening.

Ranges default to the registry's bounds (``Parameter.low`` / ``Parameter.high``).
Integer parameters in sampled designs receive integers: the range ``[lo, hi]`` is
sampled as ``[lo - 0.5, hi + 0.5]`` and rounded, so each integer is equally likely.
Parameters with a fixed set of choices can be varied in a grid or a Latin hypercube.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from simcontract import i18n
from simcontract.callers import caller_level
from simcontract.experiment import messages
from simcontract.experiment.runner import check_flag
from simcontract.marketsize import check_market_size
from simcontract.params import PARAMETERS, Parameter, unknown_message
from simcontract.scenario import Scenario, ScenarioError, ScenarioWarning

_said = partial(messages.error, "designs")


class DesignError(ValueError):
    """A design is not valid: unknown parameter, bad range, bad size or bad value."""


class DesignWarning(UserWarning):
    """A design is valid but weaker than it could be."""


def _param(name: Any, design: str) -> Parameter:
    if not isinstance(name, str) or name not in PARAMETERS:
        raise DesignError(_said("prefixed", design=design, reason=unknown_message(name)))
    return PARAMETERS[name]


def _fmt(x: float) -> str:
    return f"{x:g}"


class Design:
    """Base class of every design.

    Subclasses define :attr:`kind`, :meth:`points` and :meth:`describe`.
    """

    kind: str = ""

    @property
    def parameters(self) -> tuple[str, ...]:
        """Names of the parameters the design varies, in a fixed order."""
        raise NotImplementedError

    def points(self) -> list[dict[str, Any]]:
        """Every design point as ``{parameter: value}``, in design order."""
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self.points())

    def describe(self) -> dict[str, Any]:
        """A JSON-serialisable description that :func:`from_description` rebuilds."""
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Design):
            return NotImplemented
        return self.describe() == other.describe()

    def __hash__(self) -> int:
        return hash(repr(self.describe()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe()!r})"

    def analyze(
        self, runs: pd.DataFrame, outcomes: Sequence[str], level: float = 0.95
    ) -> pd.DataFrame:
        """Sensitivity indices with confidence intervals (columns :data:`INDEX_COLUMNS`).

        Only :class:`Sobol` and :class:`Morris` define them.

        Raises:
            DesignError: This kind of design has no sensitivity indices.
        """
        raise DesignError(_said("no_indices", kind=self.kind))


class Grid(Design):
    """Full factorial grid: every combination of the listed values.

    Args:
        values: ``{parameter: [value, ...]}``; a single value (not a list) counts as a
            one-value list. Points vary the last parameter fastest.

    Raises:
        DesignError: Unknown parameter, empty list, repeated value, or a value the
            registry does not allow.
    """

    kind = "grid"

    def __init__(self, values: Mapping[str, Any]) -> None:
        if not isinstance(values, Mapping) or not values:
            raise DesignError(_said("grid_none"))
        checked: dict[str, tuple[Any, ...]] = {}
        for name, raw in values.items():
            param = _param(name, "grid")
            if isinstance(raw, str) or not isinstance(raw, Iterable):
                raw = [raw]
            raw = list(raw)
            if not raw:
                raise DesignError(_said("grid_no_values", name=repr(name)))
            out = []
            for value in raw:
                if isinstance(value, np.generic):
                    value = value.item()
                try:
                    value = param.check(value)
                except ValueError as err:
                    raise DesignError(_said("prefixed", design="grid", reason=err)) from None
                if value in out:
                    said = {"name": repr(name), "value": repr(value)}
                    raise DesignError(_said("value_twice", design="grid", **said))
                out.append(value)
            checked[name] = tuple(out)
        self._values = checked

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(self._values)

    @property
    def values(self) -> dict[str, tuple[Any, ...]]:
        """The checked value lists by parameter."""
        return dict(self._values)

    def __len__(self) -> int:
        return math.prod(len(v) for v in self._values.values())

    def points(self) -> list[dict[str, Any]]:
        names = list(self._values)
        return [
            dict(zip(names, combo, strict=True))
            for combo in itertools.product(*self._values.values())
        ]

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "values": {k: list(v) for k, v in self._values.items()}}


def check_ranges(
    params: Mapping[str, Any] | Sequence[str] | None, design: str
) -> dict[str, tuple[float, float]]:
    """Check numeric ranges against the registry.

    Args:
        params: ``{name: (lo, hi) or None}`` or ``[name, ...]``; ``None`` or a bare name
            stands for the registry bounds.
        design: What the message names as the source of the range (e.g. ``"lhs"``).

    Returns:
        ``{name: (lo, hi)}`` as floats.

    Raises:
        DesignError: Unknown or categorical parameter, malformed, empty or
            out-of-registry range, or an integer range holding no integer.
    """
    if isinstance(params, str):
        raise DesignError(_said("params_text", design=design, text=repr(params)))
    if params is None or len(params) == 0:
        raise DesignError(_said("no_params", design=design))
    items = params.items() if isinstance(params, Mapping) else ((n, None) for n in params)
    out: dict[str, tuple[float, float]] = {}
    for name, bounds in items:
        param = _param(name, design)
        if name in out:
            raise DesignError(_said("param_twice", design=design, name=repr(name)))
        if not param.numeric:
            raise DesignError(
                _said("not_numeric", design=design, name=repr(name), allowed=param.allowed())
            )
        if bounds is None:
            lo, hi = float(param.low), float(param.high)
        else:
            try:
                lo, hi = (float(b) for b in bounds)
            except (TypeError, ValueError):
                said = {"design": design, "name": repr(name), "bounds": repr(bounds)}
                raise DesignError(_said("range_form", **said)) from None
            if not (math.isfinite(lo) and math.isfinite(hi)):
                raise DesignError(_said("range_finite", design=design, name=repr(name)))
        said = {"design": design, "name": repr(name), "low": _fmt(lo), "high": _fmt(hi)}
        if not lo < hi:
            raise DesignError(_said("range_empty", **said))
        if lo < param.low or hi > param.high:
            raise DesignError(_said("range_outside", **said, allowed=param.allowed()))
        if param.kind == "int" and math.floor(hi) < math.ceil(lo):
            raise DesignError(_said("range_no_integer", **said))
        out[name] = (lo, hi)
    return out


def _positive(n: Any, design: str, what: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n <= 0:
        raise DesignError(_said("not_positive", design=design, what=what, n=repr(n)))
    return int(n)


class _Sampled(Design):
    """A design sampled over numeric ranges; the unit-cube sample comes from subclasses."""

    def __init__(
        self,
        n: int,
        params: Mapping[str, Any] | Sequence[str],
        seed: int = 0,
        *,
        allow_empty: bool = False,
    ) -> None:
        self.n = _positive(n, self.kind)
        self.ranges = check_ranges(params, self.kind) if params or not allow_empty else {}
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise DesignError(_said("seed", design=self.kind, seed=repr(seed)))
        self.seed = int(seed)
        self._matrix: np.ndarray | None = None

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(self.ranges)

    def bounds(self) -> list[tuple[float, float]]:
        """Sampling bounds per parameter: integer ranges widen by 0.5 on each side."""
        out = []
        for name, (lo, hi) in self.ranges.items():
            if PARAMETERS[name].kind == "int":
                lo, hi = math.ceil(lo) - 0.5, math.floor(hi) + 0.5
            out.append((lo, hi))
        return out

    def problem(self) -> dict[str, Any]:
        """The SALib problem definition."""
        return {
            "num_vars": len(self.ranges),
            "names": list(self.ranges),
            "bounds": [list(b) for b in self.bounds()],
        }

    def _sample(self) -> np.ndarray:
        raise NotImplementedError

    def matrix(self) -> np.ndarray:
        """The raw sample, one row per point, before rounding integers (read-only)."""
        if self._matrix is None:
            m = np.asarray(self._sample(), dtype=float)
            m.setflags(write=False)
            self._matrix = m
        return self._matrix

    def __len__(self) -> int:
        """Design points, known without sampling them (so a size can be checked first)."""
        return self.n

    def points(self) -> list[dict[str, Any]]:
        m = self.matrix()
        columns = []
        for j, (name, (lo, hi)) in enumerate(self.ranges.items()):
            col = m[:, j]
            if PARAMETERS[name].kind == "int":
                ints = np.clip(np.floor(col + 0.5), math.ceil(lo), math.floor(hi))
                columns.append([int(v) for v in ints])
            else:
                columns.append([float(v) for v in np.clip(col, lo, hi)])
        names = list(self.ranges)
        return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "n": self.n,
            "ranges": {k: [lo, hi] for k, (lo, hi) in self.ranges.items()},
            "seed": self.seed,
        }


class LatinHypercube(_Sampled):
    """Latin hypercube sample of ``n`` points over numeric ranges and choices.

    Each range is cut into ``n`` equal strata; every stratum of every parameter holds
    exactly one point, placed uniformly at random within it. A parameter with a fixed
    set of choices (e.g. ``tendering``) takes its ``k`` listed choices in ``k`` equal
    blocks of the strata, so each choice falls to ``n / k`` points (give or take one).

    Args:
        n: Number of points (> 0).
        params: ``{name: (lo, hi)}`` (``None`` for the registry bounds), a list of
            choices for a parameter with choices (``None``: all of them), or a list
            of names (registry bounds, every choice).
        seed: Seed of the sampling.

    Raises:
        DesignError: Unknown parameter, empty or out-of-registry range, a choice the
            registry does not allow or one listed twice, non-positive ``n``.
    """

    kind = "lhs"

    def __init__(self, n: int, params: Mapping[str, Any] | Sequence[str], seed: int = 0) -> None:
        numeric, self.choices = split_choices(params, self.kind)
        super().__init__(n, numeric, seed, allow_empty=bool(self.choices))

    @property
    def parameters(self) -> tuple[str, ...]:
        return (*self.ranges, *self.choices)

    def _sample(self) -> np.ndarray:
        import inspect

        from scipy.stats import qmc

        # SciPy 1.15 renamed the engine's ``seed`` to ``rng``; a Generator means the
        # same under either name, so a seed gives the same points on every version.
        keyword = "rng" if "rng" in inspect.signature(qmc.LatinHypercube).parameters else "seed"
        d = len(self.ranges) + len(self.choices)
        engine = qmc.LatinHypercube(d, **{keyword: np.random.default_rng(self.seed)})
        sample = engine.random(self.n)
        if not self.ranges:
            return sample
        lo, hi = np.array(self.bounds()).T
        numeric = qmc.scale(sample[:, : len(self.ranges)], lo, hi)
        return np.hstack([numeric, sample[:, len(self.ranges) :]])

    def points(self) -> list[dict[str, Any]]:
        if not self.ranges:
            points: list[dict[str, Any]] = [{} for _ in range(self.n)]
        else:
            points = super().points()
        m = self.matrix()
        for j, (name, options) in enumerate(self.choices.items(), start=len(self.ranges)):
            picks = np.minimum((m[:, j] * len(options)).astype(int), len(options) - 1)
            for point, pick in zip(points, picks, strict=True):
                point[name] = options[int(pick)]
        return points

    def describe(self) -> dict[str, Any]:
        described = super().describe()
        if self.choices:
            described["choices"] = {k: list(v) for k, v in self.choices.items()}
        return described


def split_choices(
    params: Mapping[str, Any] | Sequence[str] | None, design: str
) -> tuple[Any, dict[str, tuple[Any, ...]]]:
    """Split a design's parameters into numeric ranges (for :func:`check_ranges`) and
    the checked choices of the parameters that take choices.

    Returns:
        ``(numeric, choices)``: ``numeric`` in the form ``params`` came in, without the
        parameters that take choices; ``choices`` as ``{name: (choice, ...)}``.

    Raises:
        DesignError: A choice the registry does not allow, one listed twice, or none.
    """
    if params is None or isinstance(params, str):
        return params, {}
    items = params.items() if isinstance(params, Mapping) else ((n, None) for n in params)
    choices: dict[str, tuple[Any, ...]] = {}
    numeric: dict[str, Any] = {}
    for name, value in items:
        param = PARAMETERS.get(name) if isinstance(name, str) else None
        if param is None or param.numeric:
            numeric[name] = value
            continue
        listed = list(param.choices) if value is None else value
        if isinstance(listed, str) or not isinstance(listed, Iterable):
            listed = [listed]
        checked: list[Any] = []
        for choice in listed:
            try:
                choice = param.check(choice)
            except ValueError as err:
                raise DesignError(_said("prefixed", design=design, reason=err)) from None
            if choice in checked:
                said = {"design": design, "name": repr(name), "value": repr(choice)}
                raise DesignError(_said("value_twice", **said))
            checked.append(choice)
        if not checked:
            raise DesignError(_said("no_choices", design=design, name=repr(name)))
        choices[name] = tuple(checked)
    if isinstance(params, Mapping):
        return numeric, choices
    return list(numeric), choices


_SCIPY_BALANCE = "The balance properties of Sobol' points require n to be a power of 2"
"""The start of SciPy's own warning about an ``n`` that is not a power of 2."""


POWERS_OF_TWO = "(1, 2, 4, 8, 16, 32, …)"
"""The allowed values of a Sobol design's ``n``, as messages show them."""

WHY_POWER_OF_TWO = "else the Sobol' sequence loses its balance and the indices converge more slowly"
"""Why a Sobol design's ``n`` must be a power of 2, as messages say it."""


def is_power_of_two(n: int) -> bool:
    """Whether ``n`` is 1, 2, 4, 8, ..."""
    return n > 0 and not n & (n - 1)


def powers_of_two_around(n: int) -> tuple[int, int]:
    """The powers of 2 just below (or at) and just above ``n`` (``n >= 1``)."""
    low = 1 << (n.bit_length() - 1)
    return low, 2 * low


class Sobol(_Sampled):
    """Saltelli sample for Sobol' sensitivity indices (``SALib.sample.sobol``).

    Gives ``n * (2 * D + 2)`` points for ``D`` parameters (second-order indices on),
    or ``n * (D + 2)`` with ``second_order=False``. ``n`` must be a power of 2 (1, 2,
    4, 8, 16, ...): the Sobol' sequence keeps its balance, and the indices their
    convergence, only then. Small ``n`` give indices outside ``[0, 1]``, which a
    share of variance cannot be (:func:`outside_unit_interval` finds them).

    Args:
        n: Base sample size, a power of 2.
        params: As for :class:`LatinHypercube`.
        seed: Seed of the scrambling and of the bootstrap in :meth:`analyze`.
        second_order: Also estimate second-order indices.

    Raises:
        DesignError: ``n`` is not a power of 2 (a ``ValueError``), or as for
            :class:`LatinHypercube`.
    """

    kind = "sobol"

    def __init__(
        self,
        n: int,
        params: Mapping[str, Any] | Sequence[str],
        seed: int = 0,
        second_order: bool = True,
    ) -> None:
        super().__init__(n, params, seed)
        self.second_order = check_flag(second_order, "second_order")
        if not is_power_of_two(self.n):
            low, high = powers_of_two_around(self.n)
            said = {"powers": POWERS_OF_TWO, "n": self.n, "low": low, "high": high}
            raise DesignError(_said("sobol_power", **said, why=_said("sobol_why")))

    @classmethod
    def _stored(cls, n: int, params: Mapping[str, Any], **options: Any) -> Sobol:
        """A design as described in a results folder: an ``n`` that is not a power of 2
        (allowed before) still reads, so older results stay readable."""
        design = cls.__new__(cls)
        _Sampled.__init__(design, n, params, options.get("seed", 0))
        design.second_order = bool(options.get("second_order", True))
        return design

    def _sample(self) -> np.ndarray:
        from SALib.sample import sobol

        with warnings.catch_warnings():  # only a stored design can have such an n
            warnings.filterwarnings("ignore", _SCIPY_BALANCE, UserWarning)
            return sobol.sample(
                self.problem(),
                self.n,
                calc_second_order=self.second_order,
                scramble=True,
                seed=self.seed,
            )

    def __len__(self) -> int:
        d = len(self.ranges)
        return self.n * (2 * d + 2 if self.second_order else d + 2)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "second_order": self.second_order}

    def analyze(
        self, runs: pd.DataFrame, outcomes: Sequence[str], level: float = 0.95
    ) -> pd.DataFrame:
        """First-order (S1), total (ST) and second-order (S2) indices per outcome.

        ``runs`` holds one row per run with ``point`` and the outcomes; replications
        are averaged per point first. An outcome undefined at some point (NaN in every
        replication) or the same at every point has no indices: NaN (SALib would
        standardise it and give 0 ± 0, as if no parameter mattered).
        """
        from SALib.analyze import sobol

        names = list(self.ranges)
        d = len(names)
        rows: list[dict[str, Any]] = []
        for outcome, y in _point_means(runs, outcomes, len(self)).items():
            if np.isnan(y).any() or np.ptp(y) == 0:
                undefined = np.full((d, d), np.nan)
                res = {k: undefined[0] for k in ("S1", "S1_conf", "ST", "ST_conf")}
                res |= {"S2": undefined, "S2_conf": undefined}
            else:
                with np.errstate(all="ignore"):
                    res = sobol.analyze(
                        self.problem(),
                        y,
                        calc_second_order=self.second_order,
                        conf_level=level,
                        seed=self.seed + 1,  # SALib leaves seed 0 unseeded
                    )
            for index in ("S1", "ST"):
                for i, name in enumerate(names):
                    rows.append(
                        _index_row(outcome, index, name, res[index][i], res[f"{index}_conf"][i])
                    )
            if self.second_order:
                for i, j in itertools.combinations(range(len(names)), 2):
                    rows.append(
                        _index_row(
                            outcome,
                            "S2",
                            f"{names[i]}:{names[j]}",
                            res["S2"][i, j],
                            res["S2_conf"][i, j],
                        )
                    )
        return pd.DataFrame(rows, columns=INDEX_COLUMNS)


class Morris(_Sampled):
    """Morris elementary-effects sample (``SALib.sample.morris``).

    Gives ``n`` trajectories of ``D + 1`` points each, ``n * (D + 1)`` in all.

    Args:
        n: Number of trajectories (>= 2).
        params: As for :class:`LatinHypercube`.
        seed: Seed of the sampling and of the bootstrap in :meth:`analyze`.
        levels: Number of grid levels per parameter (even, >= 2).
    """

    kind = "morris"

    def __init__(
        self,
        n: int,
        params: Mapping[str, Any] | Sequence[str],
        seed: int = 0,
        levels: int = 4,
    ) -> None:
        super().__init__(n, params, seed)
        if self.n < 2:
            raise DesignError(_said("morris_n", n=self.n))
        levels = _positive(levels, self.kind, "levels")
        if levels < 2 or levels % 2:
            raise DesignError(_said("morris_levels", levels=levels))
        self.levels = levels

    def _sample(self) -> np.ndarray:
        from SALib.sample import morris

        return morris.sample(self.problem(), self.n, num_levels=self.levels, seed=self.seed)

    def __len__(self) -> int:
        return self.n * (len(self.ranges) + 1)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "levels": self.levels}

    def analyze(
        self, runs: pd.DataFrame, outcomes: Sequence[str], level: float = 0.95
    ) -> pd.DataFrame:
        """Mean absolute elementary effect (mu_star, with CI), mean (mu) and sd (sigma).

        The elementary effects are taken on the sample scaled to the unit hypercube, so
        each is the outcome's change for a move of the parameter across its whole
        sampled range (in the outcome's unit), for integer parameters too.
        """
        from SALib.analyze import morris

        names = list(self.ranges)
        rows: list[dict[str, Any]] = []
        for outcome, y in _point_means(runs, outcomes, len(self)).items():
            with np.errstate(all="ignore"):  # an outcome constant over points: NaN
                res = morris.analyze(
                    self.problem(),
                    self.matrix(),
                    y,
                    conf_level=level,
                    num_levels=self.levels,
                    seed=self.seed,
                )
            for i, name in enumerate(names):
                rows.append(
                    _index_row(outcome, "mu_star", name, res["mu_star"][i], res["mu_star_conf"][i])
                )
                rows.append(_index_row(outcome, "mu", name, res["mu"][i], math.nan))
                rows.append(_index_row(outcome, "sigma", name, res["sigma"][i], math.nan))
        return pd.DataFrame(rows, columns=INDEX_COLUMNS)


INDEX_COLUMNS = ["outcome", "index", "parameter", "value", "conf", "low", "high"]
"""Columns of a sensitivity-index table: ``conf`` is the CI half-width, ``low``/``high``
its bounds (NaN where SALib gives no interval)."""


SOBOL_INDICES = ("S1", "ST", "S2")
"""The Sobol indices: shares of an outcome's variance, so between 0 and 1."""


def outside_unit_interval(indices: pd.DataFrame) -> pd.Series:
    """Which Sobol indices lie outside ``[0, 1]`` beyond their confidence interval.

    A share of variance is between 0 and 1; an estimate whose whole interval lies
    below 0 or above 1 (``high < 0`` or ``low > 1``) is an artefact of too few samples
    (increase ``n``). An estimate outside ``[0, 1]`` whose interval still reaches into
    it is not flagged: it is the sampling noise the interval states.

    Args:
        indices: A table of :meth:`Design.analyze` (columns :data:`INDEX_COLUMNS`).

    Returns:
        A boolean Series aligned with ``indices`` (always False for Morris measures,
        which are not shares).
    """
    sobol = indices["index"].isin(SOBOL_INDICES)
    return sobol & ((indices["high"] < 0) | (indices["low"] > 1))


def _index_row(outcome: str, index: str, param: str, value: Any, conf: Any) -> dict:
    value, conf = float(np.ma.filled(value, np.nan)), float(np.ma.filled(conf, np.nan))
    return {
        "outcome": outcome,
        "index": index,
        "parameter": param,
        "value": value,
        "conf": conf,
        "low": value - conf,
        "high": value + conf,
    }


def _point_means(
    runs: pd.DataFrame, outcomes: Sequence[str], n_points: int
) -> dict[str, np.ndarray]:
    """Mean of each outcome over replications, one value per design point in order."""
    missing = sorted(set(range(n_points)) - set(runs["point"].unique()))
    if missing:
        raise DesignError(_said("points_missing", missing=len(missing), n=n_points))
    means = runs.groupby("point")[list(outcomes)].mean().sort_index()
    return {o: means[o].to_numpy(dtype=float) for o in outcomes}


_KINDS: dict[str, type[Design]] = {
    "grid": Grid,
    "lhs": LatinHypercube,
    "sobol": Sobol,
    "morris": Morris,
}


def from_description(data: Mapping[str, Any]) -> Design:
    """Rebuild a design from :meth:`Design.describe` output."""
    data = dict(data)
    kind = data.pop("kind", None)
    if kind not in _KINDS:
        kinds = sorted(_KINDS)
        # English shows the list as it always has (a Python list); others in their words.
        shown = str(kinds) if i18n.current() == i18n.DEFAULT_LANGUAGE else messages.listed(kinds)
        raise DesignError(_said("unknown_kind", kind=repr(kind), kinds=shown))
    if kind == "grid":
        return Grid(data["values"])
    ranges: dict[str, Any] = {k: tuple(v) for k, v in data.pop("ranges").items()}
    ranges.update({k: list(v) for k, v in data.pop("choices", {}).items()})
    if kind == "sobol":
        return Sobol._stored(data.pop("n"), ranges, **data)
    with warnings.catch_warnings():  # a stored design was warned about when it was made
        warnings.simplefilter("ignore", DesignWarning)
        return _KINDS[kind](data.pop("n"), ranges, **data)


def check_points(base: Scenario, design: Design) -> list[dict[str, Any]]:
    """Every point of ``design``, each checked as a change of ``base``.

    Raises:
        DesignError: A point is not a valid scenario (e.g. shares summing above 1).

    Warns:
        ScenarioWarning: A rule change of ``base`` that its own run reaches but the runs
            of some points, shortened by the design's ``years``, do not.
    """
    points = design.points()
    for i, point in enumerate(points):
        try:
            check_market_size(base.replace(**point))
        except ScenarioError as err:
            shown = messages.listed(f"{k}={v!r}" for k, v in point.items())
            # A sampled point nobody chose: the fix is in the ranges it was drawn from.
            fix = _said("point_fix") if isinstance(design, _Sampled) else ""
            said = {"i": i, "shown": shown, "reason": err, "fix": fix}
            raise DesignError(_said("point_invalid", **said)) from None
    _warn_unreached(base, points)
    return points


def _warn_unreached(base: Scenario, points: Sequence[Mapping[str, Any]]) -> None:
    """Warn of each rule change of ``base`` that the runs of some design points end
    before (the base's own run reaches it: :func:`load_scenario` says when it does not)."""
    for year, _change in base.changes:
        if year > base["years"]:
            continue
        short = [p["years"] for p in points if p.get("years", year) < year]
        if not short:
            continue
        low, high = min(short), max(short)
        if low != high:
            last = _said("years_range", low=low, high=high)
        else:
            last = _said("years_one" if low == 1 else "years_many", n=low)
        said = {"name": repr(base.name), "year": year, "short": len(short)}
        warnings.warn(
            ScenarioWarning(_said("unreached", **said, points=len(points), last=last)),
            # The user's line; also one place for a sweep checked twice (first by the
            # command line, to fail before any output), so it warns once.
            stacklevel=caller_level(),
        )


def as_design(design: Design | Mapping[str, Any]) -> Design:
    """Return ``design`` itself, or a :class:`Grid` for a plain mapping of lists."""
    if isinstance(design, Design):
        return design
    if isinstance(design, Mapping):
        return Grid(design)
    raise DesignError(messages.error("types", "design", given=type(design).__name__))
