"""What ``simcontract params`` prints: the registry, or one scenario's values and sources.

For a scenario, each parameter's value, the registry default, whether the scenario
changes it, and the source of the value: the scenario file's ``[sources]`` entry for a
value the file sets, the registry's source for a default. Dated rule changes follow,
each value with its source.
"""

from __future__ import annotations

from collections.abc import Sequence

from simcontract import i18n
from simcontract.doctable import format_value
from simcontract.params import DEFAULTS, PARAMETERS, Parameter, format_bound
from simcontract.scenario import Scenario
from simcontract.scenariosources import ScenarioSources
from simcontract.sources import cite


def registry_lines() -> list[str]:
    """Every parameter with its default, allowed values, unit, meaning and source, in
    the language in use."""
    lines = []
    for p in PARAMETERS.values():
        unit = i18n.unit(p.unit) if p.unit else ""
        line = i18n.text(
            "params_view.registry_line",
            name=p.name,
            default=repr(p.default),
            allowed=_allowed(p),
            unit=unit,
        )
        lines.append(line)
        key = p.basis or p.source
        cited = _citation(p) if cite(key) == key else f"{_citation(p)} [{key}]"
        said = i18n.text(
            "params_view.registry_source", meaning=i18n.parameter_meaning(p.name), source=cited
        )
        lines.append(f"    {said}")
    return lines


def registry_rows() -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The headers and one row per parameter (name, default, allowed values with the
    unit) of ``simcontract params``, in the language in use."""
    headers = tuple(i18n.text(f"params_view.{k}") for k in ("parameter", "default", "allowed"))
    rows = [
        (p.name, str(p.default), _allowed(p) + (f" {i18n.unit(p.unit)}" if p.unit else ""))
        for p in PARAMETERS.values()
    ]
    return headers, rows


def _allowed(p: Parameter) -> str:
    """The allowed values in words (:meth:`~simcontract.params.Parameter.allowed` in
    English)."""
    if p.kind == "choice":
        choices = i18n.text("punctuation.list").join(repr(c) for c in p.choices)
        return i18n.text("params_view.allowed_choice", choices=choices)
    kind = "allowed_int" if p.kind == "int" else "allowed_number"
    return i18n.text(f"params_view.{kind}", low=format_bound(p.low), high=format_bound(p.high))


def _citation(p: Parameter) -> str:
    """The source of a parameter's default as tables show it
    (:attr:`~simcontract.params.Parameter.citation`, "assumption" in the language in
    use)."""
    if p.basis:
        return i18n.text("params_view.assumption_basis", source=cite(p.basis))
    if p.source == "assumption":
        return i18n.text("params_view.assumption")
    return p.citation


def _given(scenario: Scenario, sources: ScenarioSources, name: str) -> str:
    """The source of the scenario's value of ``name``."""
    if name in sources.parameters:
        return sources.of(name)
    if scenario[name] == DEFAULTS[name]:
        return _citation(PARAMETERS[name])
    return i18n.text("params_view.not_given")


def scenario_headers() -> tuple[str, ...]:
    """Column labels of :func:`scenario_rows`."""
    keys = ("parameter", "value", "default", "changed", "source")
    return tuple(i18n.text(f"params_view.{k}") for k in keys)


def scenario_rows(scenario: Scenario, sources: ScenarioSources) -> list[tuple[str, ...]]:
    """One row per parameter: name, the scenario's value, default, changed, source."""
    yes = i18n.text("params_view.yes")
    return [
        (
            name,
            format_value(scenario[name]),
            format_value(default),
            yes if scenario[name] != default else "",
            _given(scenario, sources, name),
        )
        for name, default in DEFAULTS.items()
    ]


def heading(scenario: Scenario) -> str:
    """The line above the table: the scenario and how many values it changes."""
    changed = sum(scenario[k] != v for k, v in DEFAULTS.items())
    return i18n.text(
        "params_view.heading", name=repr(scenario.name), changed=changed, total=len(DEFAULTS)
    )


def change_lines(scenario: Scenario, sources: ScenarioSources) -> list[str]:
    """The dated rule changes, one line per year, each value with its source."""
    if not scenario.changes:
        return []
    lines = [i18n.text("params_view.changes")]
    for year, change in scenario.changes:
        values: Sequence[str] = [
            i18n.text(
                "punctuation.paren",
                text=f"{name} = {format_value(value)}",
                note=sources.of(name, year) or i18n.text("params_view.not_given"),
            )
            for name, value in change.items()
        ]
        said = i18n.text("punctuation.list").join(values)
        if scenario.start_year is None:
            line = i18n.text("params_view.change", year=year, values=said)
        else:
            calendar = scenario.start_year + year - 1
            line = i18n.text("params_view.change_dated", year=year, calendar=calendar, values=said)
        lines.append("  " + line)
    return lines
