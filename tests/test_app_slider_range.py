"""The seminar app's sliders reach both ends of their range and the preset's value.

A Vuetify slider has one step, with stops from its minimum; it rounds every value it is
given (a key press, a drag, the value it is drawn with) to a stop and to the step's
decimals. These tests replay that rounding on the controls the page draws, for every
built-in preset (in every year a dated change of the preset sets new values).
"""

from __future__ import annotations

import math

import pytest
import solara

from simcontract.app import Sidebar
from simcontract.appcontrols import (
    UI_RANGES,
    WIDE_FACTOR,
    WIDE_RANGE,
    Control,
    control,
    controlled,
    preset_stops,
)
from simcontract.appstate import AppState
from simcontract.params import PARAMETERS
from simcontract.scenario import builtin_names, load_scenario

SLIDERS = [name for name in controlled() if PARAMETERS[name].kind != "choice"]


def _vuetify(value: float, low: float, high: float, step: float) -> float:
    """What a Vuetify 2 ``v-slider`` keeps of ``value`` (``internalValue`` and
    ``roundValue``; JavaScript's ``%`` is ``math.fmod``)."""
    text = str(step)
    decimals = len(text) - text.index(".") - 1 if "." in text else 0
    clamped = min(max(value, low), high)
    offset = math.fmod(low, step)
    stop = math.floor((clamped - offset) / step + 0.5) * step + offset
    return float(f"{min(stop, high):.{decimals}f}")


def _ends(name: str) -> tuple[float, float]:
    """The ends the slider should offer: the app's narrower range where it sets one,
    else the registry's, the top cut for a very wide range."""
    param = PARAMETERS[name]
    if name in UI_RANGES:
        return UI_RANGES[name][0], UI_RANGES[name][1]
    low, high = float(param.low), float(param.high)
    scale = max(abs(float(param.default)), 1.0)
    if high - low > WIDE_RANGE * scale:
        high = low + WIDE_FACTOR * scale
    return low, high


def _preset_values() -> list[tuple[str, int, dict]]:
    cases = []
    for preset in builtin_names():
        scenario = load_scenario(preset)
        for year in sorted({1, *(year for year, _ in scenario.changes)}):
            cases.append((preset, year, scenario.at_year(year)))
    return cases


def _unreachable(spec: Control, name: str, value: float, preset=()) -> list[str]:
    """What a teacher cannot set on the slider ``spec`` now at ``value``: an end of
    its range, the value itself, or one of the ``preset``'s values."""
    low, high = _ends(name)
    home = _vuetify(spec.low, spec.low, spec.high, spec.step)
    end = _vuetify(spec.high, spec.low, spec.high, spec.step)
    wrong = []
    if not (spec.low <= min(low, value) and home == spec.low):
        wrong.append(f"{name}={value}: Home gives {home}, the minimum is {low}")
    if not (spec.high >= max(high, value) and end == spec.high):
        wrong.append(f"{name}={value}: End gives {end}, the maximum is {high}")
    for point in (value, *preset):
        shown = _vuetify(point, spec.low, spec.high, spec.step)
        if shown != point:
            wrong.append(f"{name}={value}: {point} is shown as {shown}")
    return wrong


@pytest.mark.parametrize(
    ("preset", "year", "values"),
    _preset_values(),
    ids=lambda c: str(c) if not isinstance(c, dict) else "",
)
def test_every_slider_reaches_both_ends_and_sits_on_the_presets_value(
    preset: str, year: int, values: dict
) -> None:
    wrong = []
    for name in SLIDERS:
        wrong += _unreachable(control(name, values[name], "zh_CN"), name, values[name])
    assert not wrong, f"{preset} (year {year}): " + "; ".join(wrong)


@pytest.mark.parametrize("preset", builtin_names())
def test_the_presets_values_stay_stops_once_a_slider_is_moved(preset: str) -> None:
    """A teacher who pressed Home or End can drag back to the preset's value (in
    each year a dated change of the preset sets)."""
    stops = preset_stops(load_scenario(preset))
    wrong = []
    for name in SLIDERS:
        first = control(name, stops[name][0], "zh_CN", stops[name])
        for moved in (first.low, first.high):
            spec = control(name, moved, "zh_CN", stops[name])
            wrong += _unreachable(spec, name, moved, stops[name])
    assert not wrong, f"{preset}: " + "; ".join(wrong)


def _slider(root, name: str):
    """The slider widget inside the control of rule ``name``."""
    stack = [(root, False)]
    while stack:
        widget, inside = stack.pop()
        inside = inside or f"sc-rule-{name}" in (getattr(widget, "class_", "") or "")
        if inside and type(widget).__name__ == "Slider":
            return widget
        inner = [c for c in getattr(widget, "children", None) or [] if not isinstance(c, str)]
        for slot in getattr(widget, "v_slots", None) or []:
            found = slot.get("children")
            inner += found if isinstance(found, list) else [found]
        stack.extend((child, inside) for child in inner)
    raise AssertionError(f"no slider for {name}")


def test_the_sidebar_keeps_the_presets_value_on_a_moved_slider() -> None:
    state = AppState("zh_CN", "moca_2012_fund")
    state.more_rules.value = True
    preset = state.draft.value["required_hours"]
    box, rc = solara.render(Sidebar(state), handle_error=False)
    try:
        _slider(box, "required_hours").v_model = 90000.0  # as the teacher's browser does
        assert state.draft.value["required_hours"] == 90000.0
        slider = _slider(box, "required_hours")
        assert slider.v_model == 90000.0
        assert _vuetify(preset, slider.min, slider.max, slider.step) == preset
        assert _vuetify(slider.min, slider.min, slider.max, slider.step) == 10
    finally:
        rc.close()


@pytest.mark.parametrize("name", SLIDERS)
def test_no_slider_leaves_the_registry(name: str) -> None:
    param = PARAMETERS[name]
    for _preset, _year, values in _preset_values():
        spec = control(name, values[name], "en")
        assert param.low <= spec.low and spec.high <= max(param.high, values[name])
        assert spec.step >= 1e-4  # JavaScript writes a finer step with an exponent
