"""The seminar app's rule controls, made from the parameter registry.

Each control has a label in words (from the language catalogue), a tooltip with the
registry's meaning, and a range a slider can use. The key rules come first; every other
rule of the market (not the market's size, fixed for a run) is under "More rules",
grouped as the registry groups them.
"""

from __future__ import annotations

import math
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


def slider_range(param: Parameter, value: float) -> tuple[float, float, float]:
    """``(low, high, step)`` of a parameter's slider, including ``value`` on one of its
    stops (so that showing a value never rounds it away)."""
    if param.name in UI_RANGES:
        low, high, step = UI_RANGES[param.name]
    else:
        low, high = float(param.low), float(param.high)
        scale = max(abs(float(param.default)), 1.0)
        if high - low > WIDE_RANGE * scale:
            high = low + WIDE_FACTOR * scale
        step = _nice_step(high - low, param.kind == "int")
    low, high = min(low, value), max(high, value)
    low = round(value - step * math.floor((value - low) / step + 1e-9), 9)
    high = round(low + step * math.ceil((high - low) / step - 1e-9), 9)
    high = min(high, max(float(param.high), value))
    if param.kind == "int":
        return int(low), int(high), max(1, int(step))
    return low, high, step


def slider_rounding(value: float, current: float, step: float) -> bool:
    """Whether a slider reporting ``value`` only rounded ``current`` to its step's
    decimals, as a Vuetify slider does when it is drawn (not a change by a person)."""
    text = repr(float(step)).rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return value != current and round(float(current), decimals) == value


def label_with_unit(name: str, lang: str) -> str:
    """A parameter's label with its unit, e.g. ``"Contract length (years)"``."""
    label = i18n.parameter_label(name, lang)
    unit = PARAMETERS[name].unit if name in PARAMETERS else ""
    if not unit:
        return label
    return i18n.text("figures.with_unit", lang, name=label, unit=i18n.unit(unit, lang))


def control(name: str, value: Any, lang: str) -> Control:
    """The control of parameter ``name`` now at ``value``, in language ``lang``."""
    param = PARAMETERS[name]
    label, tooltip = label_with_unit(name, lang), i18n.parameter_meaning(name, lang)
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
