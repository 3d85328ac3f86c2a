"""A scenario's colour: the same in every figure, whatever it is compared with.

Figures are drawn from small made-up results (no model runs) and read through the
matplotlib artists they build: the colour of the line, band or error bar labelled with
a scenario's name.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from simcontract import plots
from simcontract.plots import style
from simcontract.scenario import builtin_names

YEARS = 5
REPLICATIONS = 3


def made_up(names: list[str], settings: list[dict[str, Any]] | None = None) -> SimpleNamespace:
    """Results of a comparison of ``names``: runs, yearly series and NGO tables, with
    values that differ by point and replication; ``settings`` adds parameter values to
    each point's runs."""
    runs, series, ngos = [], [], []
    for point, name in enumerate(names):
        for rep in range(REPLICATIONS):
            ids = {"scenario": name, "point": point, "replication": rep, "seed": rep}
            value = 0.1 + 0.1 * point + 0.02 * rep
            runs.append(
                {
                    **ids,
                    "years": YEARS,
                    "contract_years": 1 + point % 3,
                    **(settings[point] if settings else {}),
                    "provider_turnover": value,
                    "staff_turnover": value / 2,
                    "ngo_survival": 1 - value / 2,
                    "tied_award_share": value / 3,
                    "service_quality": value,
                    "documentation_share": value / 4,
                }
            )
            for year in range(1, YEARS + 1):
                series.append({**ids, "year": year, "provider_turnover": value + 0.01 * year})
            for ngo in range(6):
                exit_year = 1 + (ngo + rep + point) % YEARS if ngo % 2 else np.nan
                ngos.append(
                    {
                        **ids,
                        "ngo": ngo,
                        "origin": "general",
                        "entry_year": 0,
                        "exit_year": exit_year,
                        "active": bool(np.isnan(exit_year)),
                        "dependence": (ngo + point) / 8,
                    }
                )
    return SimpleNamespace(
        runs=pd.DataFrame(runs),
        series=pd.DataFrame(series),
        ngos=pd.DataFrame(ngos),
        design=None,
    )


FIGURES: dict[str, Callable[[Any], Figure]] = {
    "outcomes": lambda r: plots.compare_outcomes(r, ["provider_turnover", "staff_turnover"]),
    "fan overlay": lambda r: plots.fan_chart(r, "provider_turnover", layout="overlay"),
    "fan panels": lambda r: plots.fan_chart(r, "provider_turnover", layout="panels"),
    "survival": plots.survival_curves,
    "dependence": plots.dependence_distribution,
    "turnover": lambda r: plots.turnover_vs_contract_length(r, "scenario"),
}


def drawn_colours(fig: Figure, names: list[str]) -> dict[str, set[str]]:
    """The colours of the artists (lines, error bars, bars, panel titles' lines) that
    stand for each scenario of ``names``, by name."""
    found: dict[str, set[str]] = {n: set() for n in names}

    def note(label: str, colour: Any) -> None:
        for name in names:
            if label == name or label.startswith(f"{name} ("):
                found[name].add(to_hex(colour))

    for ax in fig.axes:
        for line in ax.lines:
            note(line.get_label(), line.get_color())
        for container in ax.containers:
            first = container[0] if container[0] is not None else container.patches[0]
            colour = first.get_color() if hasattr(first, "get_color") else first.get_facecolor()
            note(container.get_label() or "", colour)
        title = ax.get_title()
        if title in names:  # a panel per scenario: its lines are the panel's
            found[title] |= {to_hex(line.get_color()) for line in ax.lines}
    return found


@pytest.mark.parametrize("kind", FIGURES)
def test_a_scenario_keeps_its_colour_in_other_company(kind: str) -> None:
    draw = FIGURES[kind]
    first = drawn_colours(draw(made_up(["baseline", "guangzhou_ifsc"])), ["guangzhou_ifsc"])
    second = drawn_colours(
        draw(made_up(["guangzhou_ifsc", "shanghai_hub"])), ["guangzhou_ifsc", "shanghai_hub"]
    )
    assert first["guangzhou_ifsc"], f"{kind}: no artist labelled guangzhou_ifsc"
    assert len(first["guangzhou_ifsc"]) == 1
    assert first["guangzhou_ifsc"] == second["guangzhou_ifsc"]
    assert second["guangzhou_ifsc"] != second["shanghai_hub"]


def test_every_builtin_scenario_has_its_own_palette_colour() -> None:
    colours = [style.SCENARIO_COLOURS.get(name) for name in builtin_names()]
    assert None not in colours, "a built-in scenario has no fixed colour"
    assert len(set(colours)) == len(colours)
    assert set(colours) <= set(style.OKABE_ITO)


def test_builtin_colours_hold_in_every_order_and_language() -> None:
    names = builtin_names()
    forward = drawn_colours(plots.survival_curves(made_up(names)), names)
    backward = drawn_colours(plots.survival_curves(made_up(names[::-1])), names)
    assert forward == backward
    assert forward == {n: {to_hex(style.SCENARIO_COLOURS[n])} for n in names}
    chinese = plots.compare_outcomes(made_up(names[:3]), "provider_turnover", lang="zh_CN")
    drawn = [to_hex(c[0].get_color()) for c in chinese.axes[0].containers]
    assert drawn == [to_hex(style.SCENARIO_COLOURS[n]) for n in names[:3]]


def test_user_scenarios_take_colours_the_builtins_shown_leave_free() -> None:
    names = ["mine", "guangzhou_ifsc", "yours", "baseline"]
    results = made_up(names)
    by_figure = [drawn_colours(draw(results), names) for draw in FIGURES.values()]
    assert all(colours == by_figure[0] for colours in by_figure), "colours differ in a batch"
    colours = {name: next(iter(c)) for name, c in by_figure[0].items()}
    assert colours["guangzhou_ifsc"] == to_hex(style.SCENARIO_COLOURS["guangzhou_ifsc"])
    assert colours["baseline"] == to_hex(style.SCENARIO_COLOURS["baseline"])
    assert len(set(colours.values())) == len(names)
    assert [colours["mine"], colours["yours"]] == [
        to_hex(c)
        for c in style.OKABE_ITO
        if c not in (style.SCENARIO_COLOURS["guangzhou_ifsc"], style.SCENARIO_COLOURS["baseline"])
    ][:2]


def test_a_scenario_compared_with_itself_gets_distinct_colours() -> None:
    colours = style.group_colours(["baseline", "baseline", "mine"])
    assert len(set(colours)) == 3
    assert style.group_colours([None, None]) == list(style.OKABE_ITO[:2])
