"""The seminar app's rule controls, made from the parameter registry.

Each control has a label in words (from the language catalogue), a tooltip with the
registry's meaning, and a range a slider can use. The key rules come first; every other
rule of the market (not the market's size, fixed for a run) is under "More rules",
grouped as the registry groups them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from simcontract import i18n
from simcontract.params import PARAMETERS, Parameter
from simcontract.scenario import Scenario

KEY_RULES: tuple[str, ...] = (
    "contract_years",
    "tendering",
    "mass_org_tendering",
    "favouritism",
    "rotation_years",
    "reshuffle",
    "match_funding",
    "evaluation",
    "extra_duty_demand",
    "registration",
)
"""Rules shown first, in display order."""

RUN_LENGTH = "years"
"""The run-length parameter: it has a control, though it sets no rule of the market."""

UI_RANGES: dict[str, tuple[float, float, float]] = {
    "years": (1, 60, 1),
    "rotation_years": (0.0, 20.0, 0.5),
}
"""Narrower (low, high, step) slider ranges than the registry allows, for a usable slider."""

WIDE_RANGE = 20.0
"""A registry range wider than this many times the default gets a slider up to
:data:`WIDE_FACTOR` times the default (enough for teaching, usable with a mouse)."""

WIDE_FACTOR = 4.0

SLIDER_STOPS = 40
"""Most steps of a float slider whose ends and value sit on a round grid."""

MIN_STEP = 1e-4
"""Finest step of a float slider. Vuetify keeps as many decimals as its step's text
shows, and JavaScript writes a step below 1e-6 with an exponent (no decimals at all)."""


def key_rules() -> tuple[str, ...]:
    """The key rules that the registry still declares (a renamed one drops out)."""
    return tuple(name for name in KEY_RULES if name in PARAMETERS)


def more_rules() -> dict[str, list[str]]:
    """Every other rule a run can change, by the registry's group, in registry order."""
    groups: dict[str, list[str]] = {}
    for name, param in PARAMETERS.items():
        if name in KEY_RULES or param.group == "run":
            continue
        groups.setdefault(param.group, []).append(name)
    return groups


def controlled() -> list[str]:
    """Every parameter with a control: the run length, key rules and more rules."""
    names = [RUN_LENGTH, *key_rules()]
    for members in more_rules().values():
        names += members
    return [n for n in names if n in PARAMETERS]


@dataclass(frozen=True)
class Control:
    """One control as the page draws it.

    Attributes:
        name: Parameter name.
        kind: ``"int"``, ``"float"`` or ``"choice"``.
        label: Label in words with the unit, e.g. ``"Contract length (years)"``.
        tooltip: What the rule sets (the registry's meaning, translated).
        low: Slider minimum (numeric kinds).
        high: Slider maximum.
        step: Slider step.
        items: ``(value, label)`` of each choice.
    """

    name: str
    kind: str
    label: str
    tooltip: str
    low: float = 0.0
    high: float = 1.0
    step: float = 1.0
    items: tuple[tuple[str, str], ...] = ()


def _nice_step(span: float, integer: bool) -> float:
    if integer:
        return max(1, math.ceil(span / SLIDER_STOPS))
    exponent = math.floor(math.log10(span / SLIDER_STOPS)) if span > 0 else -2
    for mantissa in (1, 2, 5, 10):
        step = mantissa * 10.0**exponent
        if span / step <= SLIDER_STOPS:
            return step
    return span / SLIDER_STOPS


def _finer_steps(step: float, integer: bool) -> list[float]:
    """``step`` and the nice steps below it, down to 1 (integers) or :data:`MIN_STEP`."""
    if integer:
        return [float(s) for s in range(int(step), 0, -1)]
    steps, exponent = [], math.floor(math.log10(step))
    while True:
        for mantissa in (5, 2, 1):
            finer = round(mantissa * 10.0**exponent, 12)
            if finer > step * (1 + 1e-9):
                continue
            if finer < MIN_STEP * (1 - 1e-9):
                return steps
            steps.append(finer)
        exponent -= 1


def _decimals(step: float) -> int:
    """Decimals a slider keeps: Vuetify rounds its values to those of its step."""
    text = repr(float(step)).rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def _on_stop(value: float, low: float, step: float) -> bool:
    stops = (value - low) / step
    return abs(stops - round(stops)) < 1e-6 and round(low, _decimals(step)) == low


def _stops(
    param: Parameter, value: float, low: float, high: float, step: float, also: Sequence[float]
) -> tuple:
    """First stop and step of a slider from ``low`` to ``high`` with stops on ``low``,
    ``value``, ``high`` and the values ``also``.

    Vuetify's stops run from the slider's minimum by one step, so the step is the
    coarsest nice one that divides the way from ``low`` to each of them (a preset's
    21268.8 hours from a minimum of 10 make it 0.2). Should no step down to
    :data:`MIN_STEP` fit, the stops run from ``value`` and ``low`` is out of reach.
    """
    for finer in _finer_steps(step, param.kind == "int"):
        if all(_on_stop(point, low, finer) for point in (value, high, *also)):
            return low, finer
    return round(value - step * math.floor((value - low) / step + 1e-9), 9), step


def slider_range(
    param: Parameter, value: float, also: Sequence[float] = ()
) -> tuple[float, float, float]:
    """``(low, high, step)`` of a parameter's slider: from the registry's minimum (or
    :data:`UI_RANGES`) to its maximum, a round end for a wide range, with a stop on
    ``value`` so that showing a value never rounds it away, and on the values ``also``
    (the preset's, to go back to)."""
    integer = param.kind == "int"
    if param.name in UI_RANGES:
        low, high, step = UI_RANGES[param.name]
    else:
        low, high = float(param.low), float(param.high)
        scale = max(abs(float(param.default)), 1.0)
        if high - low > WIDE_RANGE * scale:
            step = _nice_step(WIDE_FACTOR * scale, integer)
            high = min(step * math.ceil((low + WIDE_FACTOR * scale) / step - 1e-9), high)
        step = _nice_step(high - low, integer)
    also = [float(point) for point in also]
    low, high = min(low, value, *also), max(high, value, *also)
    low, step = _stops(param, value, low, high, step, also)
    high = round(low + step * math.ceil((high - low) / step - 1e-9), 9)
    high = min(high, max(float(param.high), value))
    if integer:
        return int(low), int(high), max(1, int(step))
    return low, high, step


def slider_rounding(value: float, current: float, low: float, high: float, step: float) -> bool:
    """Whether a slider reporting ``value`` only rounded ``current`` to its stops, as a
    Vuetify slider does when it is drawn (not a change by a person).

    It is Vuetify's ``VSlider.roundValue``: stops from ``low`` (modulo the step), then
    the step's decimals.
    """
    if value == current:
        return False
    offset = math.fmod(low, step)
    clamped = min(max(float(current), low), high)
    stop = math.floor((clamped - offset) / step + 0.5) * step + offset
    return round(min(stop, high), _decimals(step)) == value


def label_with_unit(name: str, lang: str) -> str:
    """A parameter's label with its unit, e.g. ``"Contract length (years)"``."""
    label = i18n.parameter_label(name, lang)
    unit = PARAMETERS[name].unit if name in PARAMETERS else ""
    if not unit:
        return label
    return i18n.text("figures.with_unit", lang, name=label, unit=i18n.unit(unit, lang))


def meaning_in_words(name: str, lang: str) -> str:
    """What a parameter sets, naming the other parameters it refers to by their labels
    (the registry's meanings, which English shows, name them in code)."""

    def label(found: re.Match[str]) -> str:
        other = found.group(1) or found.group(2)
        if other not in PARAMETERS:
            return found.group(0)
        return i18n.text("app.rule_ref", lang, rule=i18n.parameter_label(other, lang))

    return re.sub(r"`(\w+)`|\b([a-z]+(?:_[a-z0-9]+)+)\b", label, i18n.parameter_meaning(name, lang))


def preset_stops(scenario: Scenario) -> dict[str, tuple[Any, ...]]:
    """Every value each parameter takes in a preset: in its first year and from each of
    its dated changes."""
    found: dict[str, list[Any]] = {}
    for year in sorted({1, *(year for year, _ in scenario.changes)}):
        for name, value in scenario.at_year(year).items():
            if value not in found.setdefault(name, []):
                found[name].append(value)
    return {name: tuple(values) for name, values in found.items()}


def control(name: str, value: Any, lang: str, preset: Sequence[Any] = ()) -> Control:
    """The control of parameter ``name`` now at ``value``, in language ``lang``; a
    slider keeps a stop on each of the ``preset``'s values of the parameter."""
    param = PARAMETERS[name]
    label, tooltip = label_with_unit(name, lang), meaning_in_words(name, lang)
    if param.kind == "choice":
        items = tuple((c, i18n.choice_label(name, c, lang)) for c in param.choices)
        return Control(name, "choice", label, tooltip, items=items)
    low, high, step = slider_range(param, value, preset)
    return Control(name, param.kind, label, tooltip, low, high, step)


SIGNIFICANT = 6
"""Significant digits of a number shown without a fixed number of decimals."""


def show_number(value: float, decimals: int | None = None) -> str:
    """A number as the app shows it, with the same thousands separator at any size:
    ``"5,636"``, ``"21,268.8"``, ``"0.25"``; with ``decimals``, exactly that many."""
    if decimals is not None:
        return f"{value:,.{decimals}f}"
    if not math.isfinite(value) or abs(value) < 1000:
        return f"{value:g}"
    if float(value).is_integer():
        return f"{int(value):,}"
    digits = math.floor(math.log10(abs(value))) + 1
    return f"{value:,.{max(SIGNIFICANT - digits, 0)}f}".rstrip("0").rstrip(".")


def show_value(name: str, value: Any, lang: str) -> str:
    """A parameter value as people read it: ``"0.2"``, ``"5,636"``, ``"open
    tendering"``."""
    if name in PARAMETERS and PARAMETERS[name].kind == "choice":
        return i18n.choice_label(name, value, lang)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return show_number(value)
    return str(value)


def said_changes(values: Mapping[str, Any], lang: str) -> str:
    """Rule changes in words, ``"Favouritism → 0.9, Tendering → direct award"`` (in
    the language's list punctuation)."""
    return i18n.text("punctuation.list", lang).join(
        f"{i18n.parameter_label(name, lang)} → {show_value(name, value, lang)}"
        for name, value in values.items()
    )


def said_shifts(changes: Mapping[str, tuple[Any, Any]], lang: str) -> str:
    """Rule changes from one value to another in words, ``"Favouritism: 0.2 → 0.9;
    Tendering: open tendering → direct award"`` (each a labelled field, so clauses)."""
    return i18n.text("punctuation.clause", lang).join(
        i18n.text(
            "punctuation.field",
            lang,
            name=i18n.parameter_label(name, lang),
            value=f"{show_value(name, was, lang)} → {show_value(name, now, lang)}",
        )
        for name, (was, now) in changes.items()
    )
