"""The seminar app's rule controls, made from the parameter registry.

Each control has a label in words (from the language catalogue), a tooltip with the
registry's meaning, and a range a slider can use. The key rules come first; every other
rule of the market (not the market's size, fixed for a run) is under "More rules",
grouped as the registry groups them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from simcontract import i18n
from simcontract.params import PARAMETERS, Parameter

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
"""Most steps of a float slider."""

FINE_STOPS = 200
"""Most steps of a slider made finer so that its value sits on a stop."""


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


def _finer_steps(step: float, span: float, integer: bool) -> list[float]:
    """``step`` and the nice steps below it that leave at most :data:`FINE_STOPS`."""
    if integer:
        return [s for s in range(int(step), 0, -1) if span / s <= FINE_STOPS]
    steps, exponent = [], math.floor(math.log10(step))
    while True:
        for mantissa in (5, 2, 1):
            finer = round(mantissa * 10.0**exponent, 12)
            if finer > step * (1 + 1e-9):
                continue
            if span / finer > FINE_STOPS:
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


def _stops(param: Parameter, value: float, low: float, high: float, step: float) -> tuple:
    """First stop and step of a slider from ``low`` to ``high`` with a stop on ``value``:
    from the registry's minimum, else from a multiple of the step, else from ``value``
    (the minimum is then out of reach)."""
    steps = _finer_steps(step, high - low, param.kind == "int")
    for finer in steps:
        if _on_stop(value, low, finer):
            return low, finer
    for finer in steps:
        first = round(finer * math.ceil(low / finer - 1e-9), 9)
        if _on_stop(value, first, finer):
            return first, finer
    return round(value - step * math.floor((value - low) / step + 1e-9), 9), step


def slider_range(param: Parameter, value: float) -> tuple[float, float, float]:
    """``(low, high, step)`` of a parameter's slider, with a stop on ``value`` (so that
    showing a value never rounds it away) and, where it can, on the registry's minimum."""
    if param.name in UI_RANGES:
        low, high, step = UI_RANGES[param.name]
    else:
        low, high = float(param.low), float(param.high)
        scale = max(abs(float(param.default)), 1.0)
        if high - low > WIDE_RANGE * scale:
            high = low + WIDE_FACTOR * scale
        step = _nice_step(high - low, param.kind == "int")
    low, high = min(low, value), max(high, value)
    low, step = _stops(param, value, low, high, step)
    high = round(low + step * math.ceil((high - low) / step - 1e-9), 9)
    high = min(high, max(float(param.high), value))
    if param.kind == "int":
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


def control(name: str, value: Any, lang: str) -> Control:
    """The control of parameter ``name`` now at ``value``, in language ``lang``."""
    param = PARAMETERS[name]
    label, tooltip = label_with_unit(name, lang), meaning_in_words(name, lang)
    if param.kind == "choice":
        items = tuple((c, i18n.choice_label(name, c, lang)) for c in param.choices)
        return Control(name, "choice", label, tooltip, items=items)
    low, high, step = slider_range(param, value)
    return Control(name, param.kind, label, tooltip, low, high, step)


def show_value(name: str, value: Any, lang: str) -> str:
    """A parameter value as people read it: ``"0.2"``, ``"2,400,000"``, ``"open
    tendering"``."""
    if name in PARAMETERS and PARAMETERS[name].kind == "choice":
        return i18n.choice_label(name, value, lang)
    if isinstance(value, float):
        if abs(value) >= 1e4:
            return f"{int(value):,}" if value.is_integer() else f"{value:,g}"
        return f"{value:g}"
    return str(value)
