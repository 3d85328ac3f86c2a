"""What a Bayesian calibration fits: free parameters with their priors, and the figures
of the sources split into fitted, holdout and input figures (see
:mod:`simcontract.experiment.bayes`)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from simcontract.experiment import messages
from simcontract.experiment.runner import ExperimentError
from simcontract.experiment.validation import CalibrationTarget, load_calibration
from simcontract.params import PARAMETERS, unknown_message
from simcontract.scenario import Scenario, builtin_names

PRIOR_FACTOR = 3.0
"""A default prior without a declared plausible region runs from the scenario's value
divided by this factor to the value times it (within the registry's allowed range)."""

CALIBRATED = "calibrated"
"""The source label that marks a scenario value as fitted to figures (``[sources]``)."""

FIGURES_SCENARIO = "guangzhou_ifsc"
"""The scenario the ``[[calibration]]`` figures of ``patterns.toml`` describe (a figure
may name another with a ``scenario`` attribute)."""

_said = partial(messages.error, "bayes_inputs")


# --------------------------------------------------------------------------- priors
@dataclass(frozen=True)
class Prior:
    """The uniform prior of one free parameter.

    Attributes:
        name: The parameter.
        low, high: The prior is uniform on ``[low, high]``.
        basis: Where the range comes from: ``"given"`` (by the user), ``"plausible"``
            (the registry's declared plausible region) or ``"scenario/3..x3"`` (around
            the scenario's value, see :func:`default_prior`).
    """

    name: str
    low: float
    high: float
    basis: str

    @property
    def integer(self) -> bool:
        """Whether the parameter takes whole numbers (draws are rounded)."""
        return PARAMETERS[self.name].kind == "int"

    @property
    def support(self) -> tuple[float, float]:
        """Where the draws fall: ``[low, high]``, or for a whole-number parameter half a
        unit beyond each whole number in it, so that rounding (:func:`whole_number`)
        gives each of them the same chance (rounding draws from ``[low, high]`` gave the
        ends half the chance of the others)."""
        if not self.integer:
            return self.low, self.high
        return math.ceil(self.low) - 0.5, math.floor(self.high) + 0.5


def whole_number(x: float) -> int:
    """A draw of a whole-number parameter as the model runs it: the nearest whole
    number, halves up (Python's ``round`` takes halves to even, which would give odd
    and even numbers unequal chances)."""
    return math.floor(x + 0.5)


def _numeric(name: str, where: str) -> None:
    """Refuse a parameter that ABC cannot calibrate."""
    if name not in PARAMETERS:
        raise ExperimentError(_said("prefixed", where=where, reason=unknown_message(name)))
    param = PARAMETERS[name]
    if not param.numeric:
        said = {"where": where, "name": repr(name), "choices": messages.listed(param.choices)}
        raise ExperimentError(_said("choice", **said))
    if name == "years":
        raise ExperimentError(_said("years", where=where))


def default_prior(scenario: Scenario, name: str) -> Prior:
    """The default prior of a free parameter.

    The registry's declared plausible region when it holds the scenario's value;
    otherwise from the value divided by :data:`PRIOR_FACTOR` to the value times it (for
    a value of 0: the lowest tenth of the allowed range), cut to the registry's allowed
    range. For ``guangzhou_ifsc``: ``entry_rate`` 0.833-5 (the allowed maximum),
    ``multi_district_share`` 0.167-1, ``experience_per_contract`` 0.5 (the allowed
    minimum)-3, ``max_bid_inflation`` 0.0667-0.6.

    Raises:
        ExperimentError: An unknown or non-numeric parameter.
    """
    _numeric(name, _said("where_parameter"))
    param = PARAMETERS[name]
    value = float(scenario[name])
    declared = param.plausible
    if declared is not None and declared[0] <= value <= declared[1]:
        return Prior(name, float(declared[0]), float(declared[1]), "plausible")
    if value == 0:
        low = param.low if param.low is not None else 0.0
        high = low + ((param.high - low) / 10 if param.high is not None else 1.0)
    else:
        low, high = sorted((value / PRIOR_FACTOR, value * PRIOR_FACTOR))
    if param.low is not None:
        low = max(low, param.low)
    if param.high is not None:
        high = min(high, param.high)
    return Prior(name, float(low), float(high), f"scenario/{PRIOR_FACTOR:g}..x{PRIOR_FACTOR:g}")


def check_prior(name: str, low: float, high: float) -> Prior:
    """A prior the user gives, checked.

    Raises:
        ExperimentError: An unknown or non-numeric parameter, ``low >= high``, a range
            outside the registry's allowed range, or a whole-number parameter's range
            that holds no whole number.
    """
    where = _said("where_prior", name=repr(name))
    _numeric(name, where)
    param = PARAMETERS[name]
    try:
        low, high = float(low), float(high)
    except (TypeError, ValueError):
        raise ExperimentError(_said("two_numbers", where=where)) from None
    said = {"where": where, "low": f"{low:g}", "high": f"{high:g}"}
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ExperimentError(_said("finite", **said))
    if low >= high:
        raise ExperimentError(_said("empty", **said))
    if param.kind == "int" and math.ceil(low) > math.floor(high):
        raise ExperimentError(_said("no_whole_number", **said, name=name))
    if (param.low is not None and low < param.low) or (
        param.high is not None and high > param.high
    ):
        raise ExperimentError(_said("outside", **said, name=name, allowed=param.allowed()))
    return Prior(name, low, high, "given")


def free_parameters(scenario: str | Path | Scenario) -> list[str]:
    """The parameters a scenario file marks as calibrated: ``[sources]`` holds
    ``"calibrated"`` for them. A ``Scenario`` object carries no sources: those of the
    built-in scenario of its name are read (none for other names)."""
    from simcontract.scenario import load_sources

    if isinstance(scenario, Scenario):
        if scenario.name not in builtin_names():
            return []
        scenario = scenario.name
    sources = load_sources(scenario)
    return [name for name, refs in sources.parameters.items() if CALIBRATED in refs]


def priors_for(
    scenario: Scenario,
    reference: str | Path | Scenario,
    params: Sequence[str] | Mapping[str, tuple[float, float] | None] | None,
) -> list[Prior]:
    """The priors of the free parameters ``params`` asks for.

    Args:
        scenario: The scenario (its values centre the default priors).
        reference: Where it was loaded from (its ``[sources]`` name the default free
            parameters, see :func:`free_parameters`).
        params: ``None`` (the calibrated parameters, default priors), a list of names
            (default priors) or a mapping of name to ``(low, high)`` or ``None``.

    Raises:
        ExperimentError: No parameter, one given twice, or a bad prior.
    """
    if params is None:
        names = free_parameters(reference)
        if not names:
            raise ExperimentError(_said("none_calibrated", scenario=repr(scenario.name)))
        params = dict.fromkeys(names)
    elif isinstance(params, str):
        raise TypeError(messages.error("types", "params"))
    elif not isinstance(params, Mapping):
        names = list(params)
        twice = [n for n in names if names.count(n) > 1]
        if twice:
            raise ExperimentError(_said("twice", name=repr(twice[0])))
        params = dict.fromkeys(names)
    if not params:
        raise ExperimentError(_said("none"))
    priors = []
    for name, bounds in params.items():
        if bounds is None:
            priors.append(default_prior(scenario, name))
            continue
        try:
            low, high = bounds
        except (TypeError, ValueError):
            said = {"where": _said("where_prior", name=repr(name)), "bounds": repr(bounds)}
            raise ExperimentError(_said("bounds_form", **said)) from None
        priors.append(check_prior(name, low, high))
    return priors


# --------------------------------------------------------------------------- figures
@dataclass(frozen=True)
class Figure:
    """A figure of the sources as one calibration uses it.

    Attributes:
        key: Short identifier (``outcome@year``), the summary statistic's name.
        target: The figure (see :class:`~simcontract.experiment.validation.CalibrationTarget`).
        calendar_year: The figure's calendar year (``start_year + year - 1``; the model
            year for a scenario without ``start_year``).
        use: ``"fit"`` (the ABC fits it), ``"holdout"`` (a target left out of the fit,
            or an untargeted figure: a test out of sample) or ``"input"`` (set by the
            scenario's inputs: a check of them, not evidence).
    """

    key: str
    target: CalibrationTarget
    calendar_year: int
    use: str


def scenario_figures(scenario: Scenario) -> list[CalibrationTarget]:
    """The ``[[calibration]]`` figures of ``patterns.toml`` that describe ``scenario`` (by
    name: a figure names its scenario, by default :data:`FIGURES_SCENARIO`)."""
    return [
        t for t in load_calibration() if getattr(t, "scenario", FIGURES_SCENARIO) == scenario.name
    ]


def split_figures(
    scenario: Scenario, targets: Sequence[CalibrationTarget], fit_until: int
) -> list[Figure]:
    """The figures with their use in a calibration.

    A figure is fitted when its role is ``"target"`` and its calendar year is at most
    ``fit_until``; every other ``"target"`` figure and every ``"untargeted"`` one is
    holdout; an ``"input"`` figure stays a check of the inputs.

    Raises:
        ExperimentError: No figure to fit, a figure with an unknown role or outcome, a
            figure dated beyond the scenario's run, or for a scenario without
            ``start_year`` a ``fit_until`` beyond its run (figures are then dated by
            model year).
    """
    from simcontract.outcomes import OUTCOMES

    start = scenario.start_year
    if start is None and fit_until >= scenario["years"]:
        # Figures of an undated scenario are dated by model year: a calendar year would
        # fit every target and leave nothing out of sample.
        said = {"scenario": repr(scenario.name), "until": fit_until, "last": scenario["years"] - 1}
        raise ExperimentError(_said("fit_until_undated", **said))
    out, keys = [], set()
    for target in targets:
        if target.role not in ("input", "target", "untargeted"):
            said = {"figure": repr(target.figure), "role": repr(target.role)}
            raise ExperimentError(_said("role", **said))
        if target.outcome not in OUTCOMES:
            said = {"figure": repr(target.figure), "outcome": repr(target.outcome)}
            raise ExperimentError(_said("figure_outcome", **said))
        if not 1 <= target.year <= scenario["years"]:
            said = {"figure": repr(target.figure), "year": target.year, "years": scenario["years"]}
            raise ExperimentError(_said("figure_year", **said))
        calendar = target.year if start is None else start + target.year - 1
        if target.role == "input":
            use = "input"
        elif target.role == "target" and calendar <= fit_until:
            use = "fit"
        else:
            use = "holdout"
        key = base = f"{target.outcome}@{target.year}"
        n = 1
        while key in keys:
            n += 1
            key = f"{base}#{n}"
        keys.add(key)
        out.append(Figure(key, target, calendar, use))
    if not any(f.use == "fit" for f in out):
        dated = sorted(f.calendar_year for f in out if f.target.role == "target")
        hint = _said("first_target", year=dated[0]) if dated else _said("no_target")
        said = {"until": fit_until, "scenario": repr(scenario.name), "hint": hint}
        raise ExperimentError(_said("nothing_to_fit", **said))
    return out
