"""Interactive seminar app: watch a contracting market year by year and change its rules.

Run it with ``simcontract app`` (see :func:`simcontract.appserver.serve`) or
``solara run simcontract.app``. The page has:

* a scenario preset selector (the built-in scenarios) that loads the preset's rules;
* rule controls generated from the parameter registry (:data:`RULES`);
* Mesa's step / play / pause / reset controls;
* a market view: purchasers and NGOs, contracts as links coloured by tie strength;
* live charts of the yearly outcomes;
* a plain-language explanation of the model and of what to try.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import solara
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from simcontract.model import ContractingModel
from simcontract.params import PARAMETERS, Parameter
from simcontract.plots.network import key_handles, tie_colourbar, tie_lines
from simcontract.plots.style import (
    EXITED_COLOUR,
    OKABE_ITO,
    ORIGIN_COLOURS,
    PURCHASER_COLOURS,
    origin_colour,
    purchaser_marker,
)
from simcontract.scenario import Scenario, builtin_names, load_scenario

with warnings.catch_warnings():
    # Solara's hook check flags Mesa's own ComponentsView; nothing a user can act on.
    warnings.filterwarnings("ignore", message=".*found despite early return", category=UserWarning)
    from mesa.visualization import SolaraViz
    from mesa.visualization.utils import update_counter

DEFAULT_SCENARIO = "baseline"
"""Scenario shown when the page opens."""

DEFAULT_SEED = 42
"""Random seed of the first model; the seed slider changes it."""

RULES: tuple[str, ...] = (
    "years",
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
"""Parameters the app offers as controls, in display order."""

UI_RANGES: dict[str, tuple[float, float, float]] = {
    "years": (1, 60, 1),
    "rotation_years": (0.0, 20.0, 0.5),
}
"""Narrower (low, high, step) slider ranges than the registry allows, for a usable slider."""

EXITED_SHOWN_YEARS = 3
"""Exited NGOs stay on the market view (greyed) for this many years after exit."""


class AppModel(ContractingModel):
    """The contracting model as the app builds it.

    Mesa's visualization checks keyword parameters against a ``**kwargs`` catch-all and
    passes the seed as a plain number; the market's scenario is the ``preset`` control.

    Args:
        preset: Built-in scenario name, a ``Scenario``, or ``None`` for the registry
            defaults.
        seed: Random seed.
        scenario: What Mesa's Reset passes from Mesa 3.5: a fresh experiment scenario of
            Mesa's, which carries none of the market's rules and whose seed is not the
            app's, so it is not used (Mesa makes its own from ``seed``). A market
            scenario given under this old name is still taken as ``preset``, with a
            ``DeprecationWarning``.
        **kwargs: Parameter values overriding the preset's.
    """

    def __init__(
        self,
        preset: Scenario | str | None = DEFAULT_SCENARIO,
        *,
        seed: int | None = DEFAULT_SEED,
        scenario: Any = None,
        **kwargs: Any,
    ) -> None:
        if isinstance(scenario, str | Scenario):
            kwargs["scenario"] = scenario
        super().__init__(preset, rng=None if seed is None else int(seed), **kwargs)

    @property
    def preset(self) -> Scenario:
        """The scenario the market follows, with the app's rule values applied."""
        return self.market_scenario


# ---------------------------------------------------------------------- controls
def _slider_step(param: Parameter, low: float, high: float) -> float:
    if param.kind == "int":
        return 1
    span = high - low
    for step in (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0):
        if span / step <= 40:
            return step
    return span / 40


def control(param: Parameter, value: Any) -> dict[str, Any]:
    """SolaraViz input spec for one registry parameter, starting at ``value``.

    Integers get a ``SliderInt``, floats a ``SliderFloat`` and choices a ``Select``.
    The slider range is the registry's (or the narrower ``UI_RANGES`` one), widened
    to include ``value``.
    """
    label = f"{param.name} ({param.unit})" if param.unit else param.name
    if param.kind == "choice":
        return {"type": "Select", "value": value, "values": list(param.choices), "label": label}
    low, high, step = UI_RANGES.get(param.name, (param.low, param.high, None))
    low, high = min(low, value), max(high, value)
    if step is None:
        step = _slider_step(param, low, high)
    kind = "SliderInt" if param.kind == "int" else "SliderFloat"
    if param.kind == "int":
        low, high, step = int(low), int(high), int(step)
    return {"type": kind, "value": value, "min": low, "max": high, "step": step, "label": label}


def make_model_params(scenario: str = DEFAULT_SCENARIO) -> dict[str, Any]:
    """SolaraViz ``model_params``: the scenario preset (fixed), a seed slider and the rules.

    Every rule control starts at the scenario's value, so an untouched Reset runs the
    preset unchanged.
    """
    preset = load_scenario(scenario)
    params: dict[str, Any] = {
        "preset": scenario,
        "seed": {
            "type": "SliderInt",
            "value": DEFAULT_SEED,
            "min": 0,
            "max": 100,
            "step": 1,
            "label": "random seed",
        },
    }
    for name in RULES:
        params[name] = control(PARAMETERS[name], preset[name])
    return params


# ---------------------------------------------------------------------- market view
FIGSIZE = (5.2, 4.5)
"""Size in inches of the market view and of the charts."""

FONT = {"title": 9.0, "label": 8.0, "tick": 7.5, "legend": 7.0}
"""Font sizes (points) in the figures."""

DPI = 120
"""Resolution of the figures; the page shrinks them to their column."""

MARKET_AXES = (0.15, 0.22, 0.67, 0.68)
"""Market view plot area (left, bottom, width, height) as figure fractions."""


def _ngo_positions(
    ngos: list, n_districts: int, aspect: float
) -> tuple[dict[int, tuple[float, float]], int, int]:
    """Place NGOs on a grid inside their district's column, ordered by id.

    Returns:
        Positions by NGO id, and the grid's columns per district and rows.
    """
    by_district: dict[int, list] = {}
    for ngo in sorted(ngos, key=lambda n: n.unique_id):
        by_district.setdefault(ngo.district, []).append(ngo)
    most = max((len(v) for v in by_district.values()), default=1)
    cols = min(most, max(1, round(math.sqrt(most * aspect / n_districts))))
    rows = math.ceil(most / cols)
    pos = {}
    for district, members in by_district.items():
        for k, ngo in enumerate(members):
            row, col = divmod(k, cols)
            pos[ngo.unique_id] = (
                district + (col + 0.5) / cols,
                0.8 * (1.0 - (row + 0.5) / rows),
            )
    return pos, cols, rows


def _purchaser_positions(
    purchasers: list, n_districts: int, width_pt: float
) -> tuple[dict[int, tuple[float, float]], bool, float]:
    """Place purchasers in a row at the top of their district's column.

    Returns:
        Positions by purchaser id, whether the row is split into two staggered rows
        (crowded), and the markers' base area.
    """
    by_district: dict[int, list] = {}
    for pu in purchasers:
        by_district.setdefault(pu.district, []).append(pu)
    crowd = max((len(v) for v in by_district.values()), default=1)
    spacing_pt = width_pt / (n_districts * crowd)
    stagger = spacing_pt < 10
    pos = {}
    for district, members in by_district.items():
        for k, pu in enumerate(members):
            y = 1.0 - 0.06 * (k % 2) if stagger else 1.0
            pos[pu.unique_id] = (district + (k + 0.5) / len(members), y)
    area = float(np.clip((0.9 * spacing_pt * (2 if stagger else 1)) ** 2, 16, 120))
    return pos, stagger, area


@dataclass
class _Links:
    """Links of the market view, one per funded slot, and the slots counted."""

    segments: list = field(default_factory=list)
    ties: list[float] = field(default_factory=list)
    dashed: list[bool] = field(default_factory=list)
    running: int = 0
    gaps: int = 0


def _slot_links(purchasers: list, ppos: dict, npos: dict) -> _Links:
    """A link from each funded slot to its provider, or to its last one (dashed)."""
    links = _Links()
    for pu in purchasers:
        for slot in pu.slots:
            contract = slot.contract
            ngo = contract.ngo if contract is not None else slot.last_provider
            links.running += contract is not None
            links.gaps += contract is None
            if ngo is None or ngo.unique_id not in npos:
                continue
            links.segments.append((ppos[pu.unique_id], npos[ngo.unique_id]))
            links.ties.append(pu.cadre.tie(ngo) if pu.cadre is not None else 0.0)
            links.dashed.append(contract is None)
    return links


def _draw_links(ax: Axes, links: _Links) -> None:
    for is_dashed in (True, False):
        pick = [i for i, d in enumerate(links.dashed) if d == is_dashed]
        if pick:
            lines = tie_lines(
                [links.segments[i] for i in pick],
                [links.ties[i] for i in pick],
                linewidths=0.8 if is_dashed else 1.3,
                linestyles="--" if is_dashed else "-",
                alpha=0.55 if is_dashed else 0.85,
                zorder=1 if is_dashed else 2,
            )
            ax.add_collection(lines)


def _draw_ngos(ax: Axes, shown: list, npos: dict, area: float, reserves: float) -> None:
    """NGO markers: active ones by origin, with area growing with their reserves up to
    twice ``reserves``; exited ones small and grey."""
    gone = [n for n in shown if not n.alive]
    if gone:
        ax.scatter(
            [npos[n.unique_id][0] for n in gone],
            [npos[n.unique_id][1] for n in gone],
            s=0.2 * area,
            c=EXITED_COLOUR,
            marker="o",
            linewidths=0,
            zorder=3,
        )
    alive = [n for n in shown if n.alive]
    if alive:
        frac = np.clip([n.reserves / (2.0 * reserves) for n in alive], 0.0, 1.0)
        ax.scatter(
            [npos[n.unique_id][0] for n in alive],
            [npos[n.unique_id][1] for n in alive],
            s=area * (0.12 + 0.88 * np.sqrt(frac)),
            c=[origin_colour(n.origin) for n in alive],
            edgecolors="white",
            linewidths=0.5,
            zorder=4,
        )


def _draw_purchasers(ax: Axes, purchasers: list, ppos: dict, area: float) -> None:
    """Purchaser markers by kind, larger with more funded slots."""
    for kind, colour in PURCHASER_COLOURS.items():
        members = [pu for pu in purchasers if pu.kind == kind]
        if members:
            ax.scatter(
                [ppos[pu.unique_id][0] for pu in members],
                [ppos[pu.unique_id][1] for pu in members],
                s=[area * min(2.0, 0.6 + 0.2 * math.sqrt(len(pu.slots))) for pu in members],
                c=colour,
                marker=purchaser_marker(kind),
                edgecolors="white",
                linewidths=0.6,
                zorder=5,
            )


def _market_frame(ax: Axes, n_districts: int, stagger: bool) -> None:
    """Axes of the market view: a column per district, purchasers above NGOs."""
    ax.set_xlim(0, n_districts)
    ax.set_ylim(-0.04, 1.08)
    ax.set_yticks([0.97 if stagger else 1.0, 0.4], ["purchasers", "NGOs"])
    if n_districts <= 20:
        ax.set_xticks(
            [d + 0.5 for d in range(n_districts)], [f"D{d + 1}" for d in range(n_districts)]
        )
    else:
        ax.set_xticks([])
    ax.tick_params(length=0, labelsize=FONT["tick"])
    for d in range(1, n_districts):
        ax.axvline(d, color="#eeeeee", linewidth=0.8, zorder=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def _market_key(fig: Figure) -> None:
    """The tie colour bar right of the market view and the legend below it."""
    left, bottom, width, height = MARKET_AXES
    cax = fig.add_axes((left + width + 0.045, bottom + 0.1 * height, 0.02, 0.7 * height))
    tie_colourbar(fig, cax=cax, fontsize=FONT["label"])
    handles = key_handles(PURCHASER_COLOURS, ORIGIN_COLOURS)
    handles += [
        Line2D([], [], marker="o", ls="", color=EXITED_COLOUR, label="Exited NGOs"),
        Line2D([], [], color="#555555", lw=1.3, label="Contract continues"),
        Line2D([], [], color="#555555", lw=0.8, ls="--", label="Contract ended"),
    ]
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=3,
        fontsize=FONT["legend"],
        frameon=False,
        title="size: NGO reserves, purchaser's funded slots",
        title_fontsize=FONT["legend"],
        handletextpad=0.3,
        columnspacing=1.0,
    )


def market_figure(model: ContractingModel, city: int = 0) -> Figure:
    """Draw one city's market: purchasers, NGOs and their contracts.

    Purchasers (squares: bureaux, diamonds: mass organisations) sit in a row at the
    top and NGOs below, both in their district's column. Each funded slot draws one
    link to its provider: solid for a contract that continues next year, dashed to the
    last provider of a slot whose contract has ended (to be tendered next year), both
    shaded by the tie between the purchaser's official and the NGO's head. NGO
    markers are sized by reserves and coloured by origin; NGOs that exited in the last
    few years are grey. Colours are those of :mod:`simcontract.plots.style`.
    """
    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    ax = fig.add_axes(MARKET_AXES)
    width_pt = 72 * FIGSIZE[0] * MARKET_AXES[2]
    height_pt = 72 * FIGSIZE[1] * MARKET_AXES[3]
    n_districts = max(1, model.p["districts_per_city"])
    purchasers = sorted(model.cities[city].purchasers, key=lambda pu: pu.unique_id)
    recent = model.year - EXITED_SHOWN_YEARS
    shown = [
        n
        for n in model.ngos
        if n.city == city and (n.alive or (n.exit_year is not None and n.exit_year > recent))
    ]
    npos, cols, rows = _ngo_positions(shown, n_districts, aspect=width_pt / (0.75 * height_pt))
    cell_pt = min(width_pt / (n_districts * cols), 0.75 * height_pt / rows)
    ppos, stagger, purchaser_area = _purchaser_positions(purchasers, n_districts, width_pt)
    links = _slot_links(purchasers, ppos, npos)
    _draw_links(ax, links)
    reserves = max(model.p["initial_reserves"], 1.0)  # the scenario's mean initial reserves
    _draw_ngos(ax, shown, npos, min(260.0, (0.85 * cell_pt) ** 2), reserves)
    _draw_purchasers(ax, purchasers, ppos, purchaser_area)
    _market_frame(ax, n_districts, stagger)
    ax.set_title(
        f"Market in year {model.year}: {sum(n.alive for n in shown)} active NGOs\n"
        f"{len(purchasers)} purchasers, {links.running} contracts continue, "
        f"{links.gaps} slots to tender",
        fontsize=FONT["title"],
    )
    _market_key(fig)
    return fig


# ---------------------------------------------------------------------- charts
CHART_PANELS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("NGOs and service slots", "count", ("active_ngos", "service_slots")),
    ("Provider turnover and ties", "share", ("provider_turnover", "tied_award_share")),
    ("Dependence on government", "share", ("dependence_mean", "dependence_high_share")),
    ("Quality vs score", "index", ("service_quality", "evaluation_score")),
)
"""Chart panels: title, y-axis label and the outcomes drawn (names in ``OUTCOMES``)."""

CHART_LABELS: dict[str, str] = {
    "active_ngos": "active NGOs",
    "service_slots": "funded slots",
    "provider_turnover": "won by a new provider",
    "tied_award_share": "awards to tied NGOs",
    "dependence_mean": "mean dependence",
    "dependence_high_share": "highly dependent NGOs",
    "service_quality": "real quality",
    "evaluation_score": "evaluation score",
}
"""Legend label of each charted outcome."""


def outcome_figure(model: ContractingModel) -> Figure:
    """Four panels of yearly outcomes from the model's DataCollector."""
    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    fig.subplots_adjust(left=0.09, right=0.985, bottom=0.09, top=0.93, hspace=0.25, wspace=0.22)
    axes = fig.subplots(2, 2, sharex=True)
    df = model.datacollector.get_model_vars_dataframe()
    years = np.arange(1, len(df) + 1)
    for ax, (title, unit, names) in zip(axes.flat, CHART_PANELS, strict=True):
        ax.set_prop_cycle(color=OKABE_ITO)
        for name in names:
            ax.plot(
                years,
                df[name].to_numpy(dtype=float) if len(df) else [],
                marker="o",
                markersize=3,
                lw=1.6,
                label=CHART_LABELS[name],
            )
        if "evaluation_score" in names and len(df):
            corr = df["score_quality_corr"].iloc[-1]
            if not math.isnan(corr):
                title = f"{title} (r = {corr:.2f})"
        if unit in ("share", "index"):
            ax.set_ylim(-0.02, 1.02)
        else:
            top = np.nanmax(df[list(names)].to_numpy(dtype=float)) if len(df) else 1.0
            ax.set_ylim(0, 1.25 * top if top > 0 else 1.0)
        ax.set_title(title, fontsize=FONT["title"])
        ax.set_ylabel(unit, fontsize=FONT["label"])
        ax.tick_params(labelsize=FONT["tick"])
        ax.grid(alpha=0.3)
        ax.legend(fontsize=FONT["legend"], loc="best", handlelength=1.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for ax in axes[1]:
        ax.set_xlabel("year", fontsize=FONT["label"])
    axes[0, 0].set_xlim(0.5, max(5.5, len(df) + 0.5))
    if not len(df):
        for ax in axes.flat:
            ax.text(
                0.5,
                0.5,
                "no year run yet:\npress Step",
                ha="center",
                va="center",
                transform=ax.transAxes,
                fontsize=FONT["title"],
                color="#777777",
            )
    return fig


# ---------------------------------------------------------------------- components
@solara.component
def FigureView(model: ContractingModel, draw: Callable[[ContractingModel], Figure], css: str):
    """Solara component: a figure of the model, redrawn after each step."""
    update_counter.get()
    deps = [model, model.steps]
    fig = solara.use_memo(lambda: draw(model), dependencies=deps)
    with solara.Column(classes=[css]):
        solara.FigureMatplotlib(fig, dependencies=deps, format="png")


def MarketView(model: ContractingModel) -> None:
    """The market view of the model's current state (a SolaraViz component)."""
    return FigureView(model, market_figure, "simcontract-market")


def OutcomeCharts(model: ContractingModel) -> None:
    """Live charts of the yearly outcomes (a SolaraViz component)."""
    return FigureView(model, outcome_figure, "simcontract-charts")


def _show(value: Any) -> str:
    """A parameter value as people read it: 0.2, 5, 2,400,000, open."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= 1e4:
            return f"{int(value):,}"
        return f"{value:g}"
    return str(value)


def rules_in_force(model: AppModel) -> str:
    """Markdown table of the app's rules: in force now, and as the preset sets them."""
    name = model.preset.name
    preset = load_scenario(name) if name in builtin_names() else None
    head = f"| rule | year {max(model.year, 1)} |"
    lines = [head + (" preset |" if preset else ""), "| :--- | :---: |"]
    if preset:
        lines[1] += " :---: |"
    for rule in RULES:
        now = _show(model.p[rule])
        if preset is not None:
            was = _show(preset[rule])
            mark = f"**{now}**" if now != was else now
            lines.append(f"| `{rule}` | {mark} | {was} |")
        else:
            lines.append(f"| `{rule}` | {now} |")
    return "\n".join(lines)


@solara.component
def RulesInForce(model: AppModel) -> None:
    """Solara component: the rules of the running model next to the preset's."""
    update_counter.get()
    with solara.Column(classes=["simcontract-rules"]):
        solara.Markdown(
            f"#### Rules of this run ({model.preset.name})\n\n"
            + rules_in_force(model)
            + "\n\nBold: changed from the preset. Controls apply on **Reset**."
        )


def rule_table() -> str:
    """Markdown table of the app's rules and what they mean (from the registry)."""
    lines = ["| rule | what it sets |", "| :--- | :--- |"]
    for name in RULES:
        param = PARAMETERS[name]
        lines.append(f"| `{name}` | {param.meaning} |")
    return "\n".join(lines)


EXPLANATION = """\
### What the model does

Each step is **one year** in a Chinese city's market for social services.
Government **bureaux** (squares) and **mass organisations** such as the women's
federation (diamonds) fund service slots and put them out to tender. **NGOs** (dots)
bid, win contracts, hire social workers, deliver services and are scored by
third-party evaluators. The official in charge of each purchaser has **personal ties**
to some NGO heads: ties grow when an NGO serves well, sway awards, and move with the
official when officials rotate. NGOs that run out of money, or go too long without a
contract, close (grey dots).

### How to use it

Pick a **scenario** to load its rules, change rules in *Model Parameters*, press
**Reset** to start again with them, then **Step** a year at a time or press **\u25b6**.

### What to try

* **Favouritism**: set `favouritism` to 0.8 and `rotation_years` to 0 (officials never
  move): most awards go to NGOs tied to the official, and turnover falls.
* **Rotation**: set `rotation_years` to 2 and `reshuffle` to 1: each new official
  breaks old ties and turns against incumbents, and turnover jumps.
* **Long contracts**: set `contract_years` to 5: less turnover, more dependence.
* **Match funding**: set `match_funding` to 0.2: NGOs pay part of each contract from
  their reserves; watch the dots shrink, turn grey and be replaced by newcomers. At 0.5
  (what the 2012 national fund asked) the market collapses.
* **What evaluators count**: set `evaluation` to *workload* and `extra_duty_demand`
  to 0.5: watch evaluation scores drift away from real service quality.
* **Registration**: set `registration` to *dual_sponsor*: fewer new NGOs enter.
* **Tendering**: compare *open*, *selective*, *intermediary* and *direct*.
"""


@solara.component
def Explanation(model: ContractingModel) -> None:
    """Solara component: what the model does, how to use the app, what to try."""
    with solara.Column(classes=["simcontract-explanation"]):
        solara.Markdown(EXPLANATION + "\n### The rules\n\n" + rule_table())


def scenario_summary(name: str) -> str:
    """One paragraph on a scenario: its description and its dated rule changes."""
    preset = load_scenario(name)
    text = preset.description or "No description."
    if preset.changes:
        moves = "; ".join(
            f"year {year}: " + ", ".join(f"`{k}` = {_show(v)}" for k, v in change.items())
            for year, change in preset.changes
        )
        text += f"\n\nDated rule changes (apply on top of the controls): {moves}."
    return text


INTRO = (
    "Each step is one year of a city's market for social services. Pick a scenario, "
    "change the rules under *Model Parameters*, press **Reset** to start over with them, "
    "then **Step** or **\u25b6**. What the model does and what to try: below the charts."
)
"""One-line guide shown above the market view."""

CSS = """
.simcontract-market img, .simcontract-charts img { width: 100%; max-width: 720px; height: auto; }
.v-slider__thumb-label-container { display: block !important; }
.v-input__slider { margin-top: 26px; }
.simcontract-rules th, .simcontract-rules td { padding: 2px 6px !important; }
.simcontract-rules { overflow-x: auto; }
"""
"""Page styles: figures shrink to their column; slider values always shown, with room."""


@solara.component
def Page() -> None:
    """The app's page: scenario selector, Mesa's SolaraViz controls and the views."""
    names = builtin_names()
    default = DEFAULT_SCENARIO if DEFAULT_SCENARIO in names else names[0]
    scenario, set_scenario = solara.use_state(default)
    # One reactive model for the whole page: SolaraViz's Reset replaces its value.
    model = solara.use_memo(lambda: solara.reactive(AppModel(default, seed=DEFAULT_SEED)), [])

    def load(name: str) -> None:
        model.set(AppModel(name, seed=DEFAULT_SEED))
        set_scenario(name)

    solara.Style(CSS)
    with solara.Sidebar(), solara.Card("Scenario"):
        solara.Select(label="scenario preset", value=scenario, values=names, on_value=load)
        solara.Markdown(scenario_summary(scenario))
    # Keyed by scenario: a new preset rebuilds the controls at the preset's values.
    SolaraViz(
        model,
        components=[],
        model_params=make_model_params(scenario),
        name="simcontract: contracting social services to NGOs",
        play_interval=201,
    ).key(f"viz-{scenario}")
    current = model.value
    with solara.Column(style={"padding": "4px 16px"}):
        solara.Markdown(INTRO)
        with solara.Columns([1, 1]):
            MarketView(current)
            OutcomeCharts(current)
        with solara.Columns([2, 3]):
            RulesInForce(current)
            Explanation(current)
