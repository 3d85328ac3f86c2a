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
from typing import Any

import numpy as np
import solara
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from simcontract.model import ContractingModel
from simcontract.params import PARAMETERS, Parameter
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

ORIGIN_COLOURS: dict[str, str] = {
    "general": "#1f77b4",
    "specialist": "#b07cc6",
    "community": "#2ca02c",
    "grassroots": "#ff7f0e",
}
"""Marker colour of an active NGO by origin."""

ORIGIN_LABELS: dict[str, str] = {
    "general": "social-work agency",
    "specialist": "specialist (mass-org spin-off)",
    "community": "community association",
    "grassroots": "grassroots group",
}
"""Legend label of each NGO origin."""

EXITED_COLOUR = "#c8c8c8"
BUREAU_COLOUR = "#2c3e50"
MASS_ORG_COLOUR = "#7b2d8b"

TIE_CMAP = LinearSegmentedColormap.from_list("ties", ["#9aa5b1", "#f0b429", "#d64545", "#7a0c0c"])
"""Link colour by tie strength: grey (no tie) through amber to dark red (strong tie)."""


class AppModel(ContractingModel):
    """The contracting model as the app builds it.

    Mesa's visualization checks keyword parameters against a ``**kwargs`` catch-all
    and passes the seed as a plain number. From Mesa 3.5 it also treats
    ``model.scenario`` as Mesa's own experiment scenario and passes one as
    ``scenario`` when it rebuilds the model on Reset, so in the app that name is
    Mesa's (``None`` before Mesa 3.5), and the market's scenario is :attr:`preset`.

    Args:
        preset: Built-in scenario name, a ``Scenario``, or ``None`` for the registry
            defaults.
        seed: Random seed.
        scenario: Mesa's experiment scenario (from Mesa's Reset); it carries no rule of
            the market. A scenario name or ``Scenario`` given here is taken as
            ``preset``.
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
        if isinstance(scenario, str | Scenario):  # the keyword's meaning before Mesa 3.5
            preset, scenario = scenario, None
        super().__init__(preset, rng=None if seed is None else int(seed), **kwargs)
        if scenario is not None:
            self.scenario = scenario

    @property
    def scenario(self) -> Any:
        """Mesa's experiment scenario (``None`` before Mesa 3.5)."""
        return getattr(self, "_mesa_scenario", None)

    @scenario.setter
    def scenario(self, value: Any) -> None:
        ContractingModel.scenario.fset(self, value)

    @property
    def preset(self) -> Scenario:
        """The scenario the market follows, with the app's rule values applied."""
        return self._market_scenario


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


FIGSIZE = (5.2, 4.5)
"""Size in inches of the market view and of the charts."""

FONT = {"title": 9.0, "label": 8.0, "tick": 7.5, "legend": 7.0}
"""Font sizes (points) in the figures."""

DPI = 120
"""Resolution of the figures; the page shrinks them to their column."""

MARKET_AXES = (0.15, 0.22, 0.71, 0.68)
"""Market view plot area (left, bottom, width, height) as figure fractions."""


def market_figure(model: ContractingModel, city: int = 0) -> Figure:
    """Draw one city's market: purchasers, NGOs and their contracts.

    Purchasers (squares: bureaux, diamonds: mass organisations) sit in a row at the
    top and NGOs below, both in their district's column. Each funded slot draws one
    link to its provider: solid for a contract that continues next year, dashed to the
    last provider of a slot whose contract has ended (to be tendered next year), both
    coloured by the tie between the purchaser's official and the NGO's head. NGO
    markers are sized by reserves and coloured by origin; NGOs that exited in the last
    few years are grey.
    """
    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    ax = fig.add_axes(MARKET_AXES)
    width_pt = 72 * FIGSIZE[0] * MARKET_AXES[2]
    height_pt = 72 * FIGSIZE[1] * MARKET_AXES[3]
    place = model.cities[city]
    p = model.p
    n_districts = max(1, p["districts_per_city"])
    purchasers = sorted(place.purchasers, key=lambda pu: pu.unique_id)
    shown = [
        n
        for n in model.ngos
        if n.city == city
        and (n.alive or (n.exit_year is not None and model.year - n.exit_year < EXITED_SHOWN_YEARS))
    ]
    npos, cols, rows = _ngo_positions(shown, n_districts, aspect=width_pt / (0.75 * height_pt))
    cell_pt = min(width_pt / (n_districts * cols), 0.75 * height_pt / rows)

    by_district: dict[int, list] = {}
    for pu in purchasers:
        by_district.setdefault(pu.district, []).append(pu)
    ppos = {}
    crowd = max((len(v) for v in by_district.values()), default=1)
    spacing_pt = width_pt / (n_districts * crowd)
    stagger = spacing_pt < 10  # crowded: two staggered rows
    for district, members in by_district.items():
        for k, pu in enumerate(members):
            y = 1.0 - 0.06 * (k % 2) if stagger else 1.0
            ppos[pu.unique_id] = (district + (k + 0.5) / len(members), y)
    purchaser_s = float(np.clip((0.9 * spacing_pt * (2 if stagger else 1)) ** 2, 16, 120))

    # links: one per funded slot with a current or last provider
    segments, ties, dashed = [], [], []
    running = gaps = 0
    for pu in purchasers:
        for slot in pu.slots:
            contract = slot.contract
            ngo = contract.ngo if contract is not None else slot.last_provider
            running += contract is not None
            gaps += contract is None
            if ngo is None or ngo.unique_id not in npos:
                continue
            tie = pu.cadre.tie(ngo) if pu.cadre is not None else 0.0
            segments.append((ppos[pu.unique_id], npos[ngo.unique_id]))
            ties.append(tie)
            dashed.append(contract is None)
    norm = Normalize(0.0, 1.0)
    for is_dashed in (True, False):
        pick = [i for i, d in enumerate(dashed) if d == is_dashed]
        if not pick:
            continue
        lines = LineCollection(
            [segments[i] for i in pick],
            cmap=TIE_CMAP,
            norm=norm,
            linewidths=0.8 if is_dashed else 1.3,
            linestyles="--" if is_dashed else "-",
            alpha=0.55 if is_dashed else 0.85,
            zorder=1 if is_dashed else 2,
        )
        lines.set_array(np.asarray([ties[i] for i in pick]))
        ax.add_collection(lines)

    # NGO markers: area by reserves, relative to the scenario's mean initial reserves
    s_max = min(260.0, (0.85 * cell_pt) ** 2)
    ref = max(p["initial_reserves"], 1.0)
    alive = [n for n in shown if n.alive]
    gone = [n for n in shown if not n.alive]
    if gone:
        ax.scatter(
            [npos[n.unique_id][0] for n in gone],
            [npos[n.unique_id][1] for n in gone],
            s=0.2 * s_max,
            c=EXITED_COLOUR,
            marker="o",
            linewidths=0,
            zorder=3,
        )
    if alive:
        frac = np.clip([n.reserves / (2.0 * ref) for n in alive], 0.0, 1.0)
        ax.scatter(
            [npos[n.unique_id][0] for n in alive],
            [npos[n.unique_id][1] for n in alive],
            s=s_max * (0.12 + 0.88 * np.sqrt(frac)),
            c=[ORIGIN_COLOURS[n.origin] for n in alive],
            edgecolors="white",
            linewidths=0.5,
            zorder=4,
        )
    for kind, marker, colour in (
        ("bureau", "s", BUREAU_COLOUR),
        ("mass_org", "D", MASS_ORG_COLOUR),
    ):
        members = [pu for pu in purchasers if pu.kind == kind]
        if members:
            ax.scatter(
                [ppos[pu.unique_id][0] for pu in members],
                [ppos[pu.unique_id][1] for pu in members],
                s=[purchaser_s * min(2.0, 0.6 + 0.2 * math.sqrt(len(pu.slots))) for pu in members],
                c=colour,
                marker=marker,
                edgecolors="white",
                linewidths=0.6,
                zorder=5,
            )

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
    n_alive = len(alive)
    ax.set_title(
        f"Market in year {model.year}: {n_alive} active NGOs\n"
        f"{len(purchasers)} purchasers, {running} contracts continue, {gaps} slots to tender",
        fontsize=FONT["title"],
    )
    left, bottom, width, height = MARKET_AXES
    bar = fig.colorbar(
        ScalarMappable(norm=norm, cmap=TIE_CMAP),
        cax=fig.add_axes((left + width + 0.02, bottom + 0.1 * height, 0.02, 0.7 * height)),
    )
    bar.set_label("tie: official \u2194 NGO head", fontsize=FONT["label"])
    bar.ax.tick_params(labelsize=FONT["tick"])

    handles = [
        Line2D([], [], marker="s", ls="", color=BUREAU_COLOUR, label="bureau"),
        Line2D([], [], marker="D", ls="", color=MASS_ORG_COLOUR, label="mass organisation"),
    ]
    handles += [
        Line2D([], [], marker="o", ls="", color=ORIGIN_COLOURS[o], label=ORIGIN_LABELS[o])
        for o in ORIGIN_COLOURS
    ]
    handles += [
        Line2D([], [], marker="o", ls="", color=EXITED_COLOUR, label="exited NGO"),
        Line2D([], [], color="#555555", lw=1.3, label="contract continues"),
        Line2D([], [], color="#555555", lw=0.8, ls="--", label="contract ended"),
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
    return fig


# ---------------------------------------------------------------------- charts
def mean_scores(model: ContractingModel) -> list[float]:
    """Mean evaluation score of each year's contract-years (NaN in a year with none)."""
    return [r.score_sum / r.scored if r.scored else float("nan") for r in model.records]


CHART_PANELS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("NGOs and service slots", "count", ("active_ngos", "service_slots")),
    ("Provider turnover and ties", "share", ("provider_turnover", "tied_award_share")),
    ("Dependence on government", "share", ("dependence_mean", "dependence_high_share")),
    ("Quality vs score", "index", ("service_quality",)),
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
        for name in names:
            ax.plot(
                years,
                df[name].to_numpy(dtype=float) if len(df) else [],
                marker="o",
                markersize=3,
                lw=1.6,
                label=CHART_LABELS[name],
            )
        if names == ("service_quality",):
            ax.plot(
                years,
                mean_scores(model),
                marker="s",
                markersize=3,
                lw=1.6,
                ls="--",
                label="evaluation score",
            )
            if len(df):
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
def MarketView(model: ContractingModel) -> None:
    """Solara component: the market view of the model's current state."""
    update_counter.get()
    deps = [model, model.steps]
    fig = solara.use_memo(lambda: market_figure(model), dependencies=deps)
    with solara.Column(classes=["simcontract-market"]):
        solara.FigureMatplotlib(fig, dependencies=deps, format="png")


@solara.component
def OutcomeCharts(model: ContractingModel) -> None:
    """Solara component: live charts of the yearly outcomes."""
    update_counter.get()
    deps = [model, model.steps]
    fig = solara.use_memo(lambda: outcome_figure(model), dependencies=deps)
    with solara.Column(classes=["simcontract-charts"]):
        solara.FigureMatplotlib(fig, dependencies=deps, format="png")


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
