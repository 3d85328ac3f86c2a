"""The seminar app without a browser: controls from the registry, figures, components."""

from __future__ import annotations

import io

import pytest

pytest.importorskip("solara", reason="the app needs solara: pip install 'mesa[rec]'")
pytest.importorskip("altair", reason="the app needs altair: pip install 'mesa[rec]'")
pytest.importorskip("networkx", reason="the app needs networkx: pip install 'mesa[rec]'")

import solara
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from simcontract import appserver
from simcontract.app import (
    CHART_LABELS,
    CHART_PANELS,
    RULES,
    AppModel,
    Explanation,
    MarketView,
    OutcomeCharts,
    Page,
    RulesInForce,
    make_model_params,
    market_figure,
    outcome_figure,
    rule_table,
    rules_in_force,
)
from simcontract.outcomes import OUTCOMES
from simcontract.params import PARAMETERS
from simcontract.plots import style
from simcontract.scenario import builtin_names, load_scenario

KEY_RULES = (
    "contract_years",
    "tendering",
    "favouritism",
    "rotation_years",
    "reshuffle",
    "match_funding",
    "evaluation",
    "extra_duty_demand",
    "registration",
)


@pytest.fixture
def stepped() -> AppModel:
    """The default app model after three years."""
    model = AppModel()
    for _ in range(3):
        model.step()
    return model


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def test_model_params_come_from_the_registry() -> None:
    params = make_model_params("baseline")
    assert params["preset"] == "baseline"
    assert set(KEY_RULES) <= set(RULES) <= set(params)
    for name in RULES:
        spec, param = params[name], PARAMETERS[name]
        assert spec["label"].startswith(name)
        if param.kind == "choice":
            assert spec["type"] == "Select"
            assert spec["values"] == list(param.choices)
        else:
            assert spec["type"] == ("SliderInt" if param.kind == "int" else "SliderFloat")
            assert param.low <= spec["min"] <= spec["value"] <= spec["max"] <= param.high
            assert spec["step"] > 0


@pytest.mark.parametrize("name", builtin_names())
def test_controls_start_at_the_preset_values(name: str) -> None:
    params = make_model_params(name)
    preset = load_scenario(name)
    for rule in RULES:
        assert params[rule]["value"] == preset[rule]
    # An untouched Reset (what SolaraViz passes) rebuilds the preset.
    values = {k: (v["value"] if isinstance(v, dict) else v) for k, v in params.items()}
    model = AppModel(**values)
    assert dict(model.preset) == dict(preset)


def test_reset_with_changed_controls_applies_them() -> None:
    params = make_model_params("baseline")
    values = {k: (v["value"] if isinstance(v, dict) else v) for k, v in params.items()}
    values.update(tendering="direct", favouritism=0.8)
    model = AppModel(**values)
    assert model.p["tendering"] == "direct"
    assert model.p["favouritism"] == 0.8
    assert "**direct**" in rules_in_force(model)


def test_solara_viz_accepts_the_params() -> None:
    from mesa.visualization import solara_viz

    params = make_model_params("baseline")
    solara_viz._check_model_params(AppModel.__init__, params)
    if hasattr(solara_viz, "_build_model_init_kwargs"):  # Mesa 3.5 checks the model itself
        solara_viz._check_model_params(AppModel(), params)


def test_solara_reset_rebuilds_the_chosen_preset_and_rules() -> None:
    """Mesa's Reset rebuilds the model from the controls; from Mesa 3.5 it adds an
    experiment scenario of its own, which must not replace the market's preset."""
    from mesa.visualization import solara_viz

    values = {
        k: (v["value"] if isinstance(v, dict) else v)
        for k, v in make_model_params("shanghai_hub").items()
    }
    values["favouritism"] = 0.7
    model = AppModel("shanghai_hub", seed=5)
    build = getattr(solara_viz, "_build_model_init_kwargs", None)
    if build is None:  # Mesa before 3.5 passes the controls as they are
        kwargs = values
    else:
        kwargs = build(
            model, values, add_scenario_when_empty=True, require_model_accepts_scenario=True
        )
    rebuilt = type(model)(**kwargs)
    assert rebuilt.preset.name == "shanghai_hub"
    assert rebuilt.p["tendering"] == load_scenario("shanghai_hub")["tendering"]
    assert rebuilt.p["favouritism"] == 0.7
    assert " preset |" in rules_in_force(rebuilt)


def test_old_scenario_keyword_still_names_the_preset() -> None:
    with pytest.warns(DeprecationWarning, match="market_scenario"):
        assert AppModel(scenario="shanghai_hub").preset.name == "shanghai_hub"


def test_same_seed_same_run() -> None:
    a, b = AppModel(seed=3), AppModel(seed=3)
    for _ in range(3):
        a.step()
        b.step()
    assert a.series().equals(b.series())


def test_chart_panels_name_outcomes() -> None:
    for _title, _unit, names in CHART_PANELS:
        assert set(names) <= set(OUTCOMES)


def test_figures_change_with_the_model(stepped: AppModel) -> None:
    empty = AppModel()
    assert _png(market_figure(empty)) != _png(market_figure(stepped))
    assert _png(outcome_figure(empty)) != _png(outcome_figure(stepped))
    fig = outcome_figure(stepped)
    assert [ax.get_title() for ax in fig.axes][:2] == [p[0] for p in CHART_PANELS[:2]]
    assert all(ax.get_ylabel() for ax in fig.axes)
    collected = stepped.datacollector.get_model_vars_dataframe()
    for ax, (_title, _unit, names) in zip(fig.axes, CHART_PANELS, strict=True):
        assert [line.get_label() for line in ax.lines] == [CHART_LABELS[n] for n in names]
        for line, name in zip(ax.lines, names, strict=True):
            assert line.get_ydata() == pytest.approx(collected[name].to_numpy(), nan_ok=True)


def test_market_figure_draws_purchasers_ngos_and_links(stepped: AppModel) -> None:
    fig = market_figure(stepped)
    ax = fig.axes[0]
    assert "Market in year 3" in ax.get_title()
    links = sum(len(c.get_segments()) for c in ax.collections if hasattr(c, "get_segments"))
    slots = sum(
        s.contract is not None or s.last_provider is not None
        for pu in stepped.cities[0].purchasers
        for s in pu.slots
    )
    assert 0 < links <= slots
    points = sum(len(c.get_offsets()) for c in ax.collections if not hasattr(c, "get_segments"))
    assert points >= len(stepped.cities[0].purchasers) + sum(n.alive for n in stepped.ngos)


def test_market_view_reads_the_publication_palette(stepped: AppModel) -> None:
    fig = market_figure(stepped)
    ax = fig.axes[0]
    markers = [c for c in ax.collections if not hasattr(c, "get_segments")]
    drawn = {to_hex(colour) for c in markers for colour in c.get_facecolors()}
    palette = {*style.ORIGIN_COLOURS.values(), *style.PURCHASER_COLOURS.values()}
    assert drawn <= {to_hex(c) for c in (*palette, style.EXITED_COLOUR)}
    alive = {n.origin for n in stepped.ngos if n.alive and n.city == 0}
    assert {to_hex(style.ORIGIN_COLOURS[o]) for o in alive} <= drawn
    links = [c for c in ax.collections if hasattr(c, "get_segments")]
    assert links and all(c.get_cmap().name == style.tie_cmap().name for c in links)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert set(style.ORIGIN_NAMES.values()) | set(style.PURCHASER_NAMES.values()) <= set(legend)


@pytest.mark.parametrize("name", ["moca_2012_fund", "luoshan_delegation", "mass_org_partnership"])
def test_market_figure_handles_every_shape_of_market(name: str) -> None:
    model = AppModel(name)
    model.step()
    assert _png(market_figure(model))


@pytest.mark.parametrize("component", [MarketView, OutcomeCharts, RulesInForce, Explanation])
def test_components_render(component, stepped: AppModel) -> None:
    _box, rc = solara.render(component(stepped), handle_error=False)
    rc.close()


def test_page_renders() -> None:
    _box, rc = solara.render(Page(), handle_error=False)
    rc.close()


def test_explanation_lists_every_rule() -> None:
    table = rule_table()
    for name in RULES:
        assert f"`{name}`" in table
        assert PARAMETERS[name].meaning in table


def test_serve_arguments() -> None:
    args = appserver.solara_args("127.0.0.1", 8123)
    assert args[:5] == ["simcontract.app", "--host", "127.0.0.1", "--port", "8123"]
    assert "--production" in args and "--no-open" in args
    assert appserver.missing_packages() == []
