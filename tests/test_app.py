"""The seminar app without a browser: controls from the registry, runs, shocks, kept runs,
replications, downloads, the market view and the page's components."""

from __future__ import annotations

import base64
import gc
import io
import re
import socket
import threading
import time
import warnings
import weakref
from pathlib import Path

import pytest

pytest.importorskip("solara", reason="the app needs solara: pip install 'simcontract[app]'")
pytest.importorskip("altair", reason="the app needs altair: pip install 'simcontract[app]'")

import dataclasses

import pandas as pd
import solara
from fontTools.ttLib import TTFont

from simcontract import appfont, appserver, i18n
from simcontract.app import Banner, Downloads, Page, Sidebar
from simcontract.appcharts import PANELS, change_marks, panel_data, panel_spec
from simcontract.appcontrols import control, controlled, key_rules, show_value, slider_rounding
from simcontract.appexport import charts_figure, charts_png, series_csv, series_table
from simcontract.appmarket import detail_view, district_view, inspect, too_big
from simcontract.appmarketchart import detail_spec, district_spec
from simcontract.apppanels import ReplicatePanel, replicates_table
from simcontract.appreplicate import REPLICATIONS, replicate
from simcontract.appruns import DEFAULT_SEED, AppModel, keep, rule_differences, start_run
from simcontract.appstate import AppState, preset_values
from simcontract.appviews import as_html, market_caption, show_outcome
from simcontract.experiment import KEY_OUTCOMES
from simcontract.outcomes import OUTCOMES
from simcontract.params import PARAMETERS
from simcontract.plots import style
from simcontract.plots.data import runs_text
from simcontract.scenario import builtin_names, load_scenario

TINY = {"years": 5, "n_bureaux": 6, "n_mass_orgs": 1, "initial_ngos": 15}
"""A market small enough to run in a blink (set on a run's first year)."""


SIZES = {k: v for k, v in TINY.items() if PARAMETERS[k].group == "run" and k != "years"}
"""The tiny market's sizes (no control sets them)."""


def tiny_state(monkeypatch: pytest.MonkeyPatch, lang: str = "en", preset: str = "baseline"):
    """The page's state on a tiny market of ``preset``, before year 1."""

    def tiny_run(preset, seed, values=()):
        return start_run(preset, seed, {**SIZES, **dict(values)})

    monkeypatch.setattr("simcontract.appstate.start_run", tiny_run)
    return AppState(lang, preset)


@pytest.fixture
def state(monkeypatch: pytest.MonkeyPatch) -> AppState:
    """The page's state on a tiny baseline market, before year 1."""
    app = tiny_state(monkeypatch)
    app.set_rule("years", TINY["years"])
    return app


# --------------------------------------------------------------------------- controls
@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_controls_come_from_the_registry_in_words(lang: str) -> None:
    for name in controlled():
        param = PARAMETERS[name]
        spec = control(name, param.default, lang)
        assert spec.label.startswith(i18n.parameter_label(name, lang))
        assert spec.tooltip  # what it sets, naming other rules by their labels, not in code
        assert "`" not in spec.tooltip
        assert not [n for n in PARAMETERS if "_" in n and re.search(rf"\b{n}\b", spec.tooltip)]
        assert "_" not in spec.label or "_" in i18n.parameter_label(name, lang)  # words
        if param.kind == "choice":
            assert [v for v, _ in spec.items] == list(param.choices)
            assert all(label != value for value, label in spec.items)
        else:
            assert param.low <= spec.low <= param.default <= spec.high <= param.high
            assert spec.step > 0
            stops = (param.default - spec.low) / spec.step
            assert stops == pytest.approx(round(stops))  # the slider can sit on the value


def test_run_length_and_key_rules_are_controls() -> None:
    assert "years" in controlled()
    assert {"contract_years", "tendering", "favouritism", "rotation_years"} <= set(key_rules())
    assert not [n for n in controlled() if PARAMETERS[n].group == "run" and n != "years"]


@pytest.mark.parametrize("name", builtin_names())
def test_controls_start_at_the_preset_values(name: str) -> None:
    values = preset_values(name)
    first = load_scenario(name).at_year(1)
    assert all(values[k] == first[k] for k in values)
    run = start_run(name)
    assert dict(run.model.market_scenario) == dict(load_scenario(name))


# --------------------------------------------------------------------------- runs
def test_a_change_before_year_one_restarts_the_run(state: AppState) -> None:
    state.set_rule("tendering", "direct")
    assert state.run.value.year == 0
    assert state.run.value.model.p["tendering"] == "direct"
    assert state.pending() == {}


def test_a_change_during_a_run_waits_then_applies_as_a_shock(state: AppState) -> None:
    state.step()
    state.step()
    state.set_rule("contract_years", 1)
    assert state.pending() == {"contract_years": 1}
    assert state.run.value.model.p["contract_years"] == 3  # nothing changes silently
    state.apply_pending()
    run = state.run.value
    assert state.pending() == {}
    (shock,) = run.shocks
    assert shock.year == 3
    assert dict(shock.changes) == {"contract_years": (3, 1)}
    assert (3, {"contract_years": 1}) in [
        (y, dict(c)) for y, c in run.model.market_scenario.changes
    ]
    assert run.model.p["contract_years"] == 3  # still year 2's rules
    state.step()
    assert run.model.p["contract_years"] == 1
    marks = change_marks(run, "en")
    assert [m["at"] for m in marks] == [2.5]
    assert "Contract length" in marks[0]["text"]


def test_keeping_a_shocked_run_starts_again_without_the_shock(state: AppState) -> None:
    """The app's exercise: a shock from year 3, keep the run, compare with a run
    without it. The new run starts with the kept run's starting rules, and the kept
    run's shock stays flagged, marked with its letter, in the charts and the PNG (it
    lost its mark once kept, and the new run started with the shocked rule)."""
    state.step()
    state.step()
    state.set_rule("contract_years", 1)
    state.apply_pending()
    state.step()
    shocked = state.run.value
    state.keep_run()
    fresh = state.run.value
    assert fresh.start == shocked.start and not fresh.shocks
    assert fresh.model.p["contract_years"] == 3 and state.draft.value["contract_years"] == 3
    assert rule_differences(shocked, fresh) == []
    flag = i18n.text("app.flag_kept", "en", label="A", flag="shock 3")
    assert [m["flag"] for m in change_marks(fresh, "en", state.kept.value)] == [flag]
    state.step()
    fig = charts_figure(fresh, state.kept.value, lang="en")
    assert all(any(t.get_text().strip() == flag for t in ax.texts) for ax in fig.axes)


def test_shocks_join_a_rule_change_of_the_same_year() -> None:
    run = start_run("guangzhou_ifsc", 1, {"years": 10})
    for _ in range(8):
        run.step()  # the scenario changes contract_years and contract_value in year 9
    run.apply_shock({"favouritism": 0.9})
    run.apply_shock({"contract_years": 2})  # twice in one year: both hold
    changes = dict(run.model.market_scenario.changes)
    assert dict(changes[9]) == {
        "contract_years": 2,
        "contract_value": 2_400_000,
        "favouritism": 0.9,
    }
    run.step()
    assert run.model.p["contract_years"] == 2 and run.model.p["favouritism"] == 0.9


def test_shocked_run_matches_a_scenario_with_the_dated_change(state: AppState) -> None:
    for _ in range(2):
        state.step()
    state.set_rule("favouritism", 0.9)
    state.apply_pending()
    while not state.run.value.finished:
        state.step()
    scenario = load_scenario("baseline").replace(**TINY)
    dated = scenario.to_dict()
    dated["changes"] = [{"year": 3, "favouritism": 0.9}]
    expected = AppModel(type(scenario).from_dict(dated), seed=state.seed.value).run()
    assert state.run.value.series().equals(expected.series())


def test_a_new_run_is_the_preset_with_only_the_teachers_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reset, Keep and Start over after the preset's dated changes took effect: the
    controls followed those changes, but a new run starts from the preset's first year
    with only what the teacher changed (as ``simcontract run --set`` would)."""
    preset = "guangzhou_ifsc"  # dated changes in years 3, 6 and 9
    state = tiny_state(monkeypatch, preset=preset)
    state.set_rule("years", 10)
    state.set_rule("favouritism", 0.7)
    while state.step():
        pass
    assert (
        state.draft.value["contract_years"] == load_scenario(preset).at_year(10)["contract_years"]
    )
    own = {"years": 10, "favouritism": 0.7}
    expected = start_run(preset, DEFAULT_SEED, {**SIZES, **own})
    for action in (state.new_run, state.keep_run):
        action()
        assert state.run.value.start == expected.start
        assert state.draft.value == {**preset_values(preset), **own}
        for _ in range(9):
            state.step()
    state.set_rule("reshuffle", 0.9)  # pending, then "Start over with them"
    state.new_run()
    assert state.run.value.start == {**expected.start, "reshuffle": 0.9}
    state.set_rule("reshuffle", load_scenario(preset)["reshuffle"])
    state.set_rule("years", 2)
    state.step()
    state.step()
    scenario = load_scenario(preset).replace(**SIZES, favouritism=0.7, years=2)
    assert state.run.value.series().equals(AppModel(scenario, seed=DEFAULT_SEED).run().series())


def test_shortening_a_run_is_applied_as_its_length_not_a_shock(state: AppState) -> None:
    for _ in range(3):
        state.step()
    state.set_rule("years", 1)
    assert state.pending() == {"years": 1}
    assert state.apply_label() == i18n.text("app.apply_length", "en", years=3)
    state.apply_pending()
    run = state.run.value
    assert state.pending() == {} and state.draft.value["years"] == run.years == 3
    assert run.finished and not run.shocks
    assert state.notice_text() == i18n.text("app.length_set", "en", years=3)
    state.set_rule("favouritism", 0.9)
    assert state.apply_label() == i18n.text("app.apply_from", "en", year=4)


def _widgets_under(root):
    """Each widget with the widgets it sits in (tooltips hold theirs in slots)."""
    stack = [(root, ())]
    while stack:
        widget, path = stack.pop()
        yield widget, path
        inner = [c for c in getattr(widget, "children", None) or [] if not isinstance(c, str)]
        for slot in getattr(widget, "v_slots", None) or []:
            found = slot.get("children")
            inner += found if isinstance(found, list) else [found]
        stack.extend((c, (*path, widget)) for c in inner)


def _slider(root, name: str):
    return next(
        w
        for w, path in _widgets_under(root)
        if type(w).__name__ == "Slider"
        and any(f"sc-rule-{name}" in (getattr(p, "class_", "") or "") for p in path)
    )


def test_a_rejected_combination_keeps_the_value_and_says_so_in_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state = tiny_state(monkeypatch, "zh_CN")
    state.more_rules.value = True
    box, rc = solara.render(Sidebar(state), handle_error=False)
    try:
        kept = state.draft.value["price_weight"]
        for name in ("reputation_weight", "workload_weight"):
            state.set_rule(name, 0.0)
        _slider(box, "price_weight").v_model = 0.0  # as the teacher's browser does
        assert state.draft.value["price_weight"] == kept
        assert state.run.value.model.p["price_weight"] == kept
        assert _slider(box, "price_weight").v_model == kept
    finally:
        rc.close()
    said = state.notice_text()
    assert i18n.parameter_label("price_weight", "zh_CN") in said
    assert i18n.parameter_label("workload_weight", "zh_CN") in said
    assert show_value("price_weight", kept, "zh_CN") in said
    assert not re.search(r"[a-z]+_[a-z]+", said)
    state.lang.value = "en"
    assert "Price" in state.notice_text() or "price" in state.notice_text()


def test_notices_follow_a_language_switch(state: AppState) -> None:
    state.step()
    state.keep_run()
    box, rc = solara.render(Banner(state), handle_error=False)
    try:
        state.lang.value = "zh_CN"
        shown = " ".join(str(getattr(w, "unsafe_innerHTML", "") or "") for w in _widgets(box))
        assert i18n.text("app.kept_notice", "zh_CN", label="A") in shown
    finally:
        rc.close()


def test_undo_puts_the_controls_back(state: AppState) -> None:
    state.step()
    state.set_rule("evaluation", "workload")
    state.undo_pending()
    assert state.pending() == {}


def test_the_end_of_a_run_and_running_on(state: AppState) -> None:
    while state.step():
        pass
    run = state.run.value
    assert run.finished and run.year == TINY["years"]
    assert not state.step()
    state.run_on(3)
    assert not run.finished and run.years == TINY["years"] + 3
    assert state.draft.value["years"] == run.years
    assert state.step() and run.year == TINY["years"] + 1


def test_changing_preset_stops_playing_and_starts_at_year_zero(state: AppState) -> None:
    state.step()
    state.playing.value = True
    state.load_preset("shanghai_hub")
    assert not state.playing.value
    assert state.run.value.year == 0 and not state.run.value.finished
    assert state.draft.value["tendering"] == load_scenario("shanghai_hub")["tendering"]


def test_keeping_runs_for_comparison(state: AppState) -> None:
    state.step()
    state.keep_run()
    (first,) = state.kept.value
    assert first.label == "A" and first.year == 1
    assert state.run.value is not first and state.run.value.year == 0
    state.set_rule("tendering", "direct")
    state.step()
    assert rule_differences(first, state.run.value) == [("tendering", "open", "direct")]
    kept = state.kept.value
    for _ in range(4):
        kept = keep(kept, start_run("baseline", 1, TINY))
    assert [k.label for k in kept] == ["C", "D", "E"]


def test_replaced_runs_are_not_kept_alive(state: AppState) -> None:
    """A seminar starts many runs; only the live and the kept ones stay in memory (Mesa
    3.3 kept every model alive through its agent numbering)."""
    made = [weakref.ref(state.run.value.model)]
    for seed in range(12):
        state.set_seed(seed)
        made.append(weakref.ref(state.run.value.model))
        state.step()
        if seed % 4 == 0:
            state.keep_run()
            made.append(weakref.ref(state.run.value.model))
    gc.collect()
    alive = {id(m()) for m in made if m() is not None}
    assert alive == {id(r.model) for r in [state.run.value, *state.kept.value]}


def test_same_seed_same_run() -> None:
    a, b = start_run("baseline", 3, TINY), start_run("baseline", 3, TINY)
    for _ in range(3):
        a.step()
        b.step()
    assert a.series().equals(b.series())


def test_replication_intervals_stay_in_each_outcomes_range() -> None:
    scenario = load_scenario("baseline").replace(**TINY)
    found = replicate(scenario, seed=1, replications=3)
    shares = [n for n in found.summaries if OUTCOMES[n].unit == "share"]
    for name in shares:
        ci = found.interval(name)
        assert not ci.low < 0 and not ci.high > 1
        band = found.band(name).dropna()
        assert band["low"].between(0, 1).all() and band["high"].between(0, 1).all()
    for panel in PANELS:
        rows = panel_data(panel, start_run("baseline", 1, TINY), [], "en", found)["band"]
        if panel.unit == "share":
            assert all(0 <= r["low"] <= r["high"] <= 1 for r in rows)
        band_layer = panel_spec(panel, "en", False, 5)["layer"][0]
        assert band_layer["mark"]["clip"] is True


def test_the_replications_table_says_what_each_column_covers(state: AppState) -> None:
    for _ in range(2):
        state.step()
    run = state.run.value
    found = replicate(run.model.market_scenario, run.seed, replications=4)
    undefined = KEY_OUTCOMES[0]
    summaries = found.summaries.copy()
    summaries.loc[:1, undefined] = float("nan")  # undefined in two runs
    found = dataclasses.replace(found, summaries=summaries)
    table = replicates_table(run, found, "en", state.text)
    header = table.splitlines()[0]
    assert i18n.text("app.this_run_years", "en", year=2) in header
    assert i18n.text("app.mean_ci", "en", n=4, level="95%", years=TINY["years"]) in header
    with i18n.use_language("en"):
        assert f"({runs_text([2])})" in table
    for line in table.splitlines()[2:]:
        if "%" in line:
            assert all(int(v) <= 100 for v in re.findall(r"(\d+)%", line))


def test_replication_progress_counts_the_run_under_way(state: AppState) -> None:
    state.replicating.value = 4
    box, rc = solara.render(ReplicatePanel(state), handle_error=False)
    try:
        said = " ".join(str(getattr(w, "children", "")) for w in _widgets(box))
        assert i18n.text("app.replicating", "en", done=5, total=REPLICATIONS) in said
    finally:
        rc.close()


def test_replications_give_means_and_intervals() -> None:
    scenario = load_scenario("baseline").replace(**TINY)
    done = []
    found = replicate(scenario, seed=1, replications=3, progress=done.append)
    assert done == [1, 2, 3] and found.n == 3
    ci = found.interval("staff_turnover")
    assert ci.low <= ci.mean <= ci.high
    band = found.band("active_ngos")
    assert list(band["year"]) == list(range(1, TINY["years"] + 1))
    assert (band["low"] <= band["high"]).all()


# --------------------------------------------------------------------------- views
@pytest.fixture
def stepped() -> AppModel:
    run = start_run("baseline", 42)
    for _ in range(3):
        run.step()
    return run


def test_charts_show_the_run_kept_runs_and_bands(stepped) -> None:
    other = start_run("baseline", 7)
    other.step()
    other.label = "A"
    for panel in PANELS:
        assert set(panel.outcomes) <= set(OUTCOMES)
        spec = panel_spec(panel, "zh_CN", False, stepped.years, ["本次运行", "A"])
        assert spec["$schema"].endswith("v5.json")
        names = {layer["data"]["name"] for layer in spec["layer"]}
        assert names == {"lines", "band", "marks", "note"}
        data = panel_data(panel, stepped, [other], "en")
        runs = {row["run"] for row in data["lines"]}
        assert runs == {"this run (Baseline city)", "run A (Baseline city)"}
        dashes = spec["layer"][2]["encoding"]["strokeDash"]["scale"]
        assert dashes["domain"] == ["本次运行", "A"] and dashes["range"][0] == [1, 0]


def test_market_view_draws_each_actor_with_the_shared_palette(stepped) -> None:
    view = detail_view(stepped.model, lang="en")
    ngos = view.datasets["ngos"]
    active = [n for n in stepped.model.ngos if n.alive and n.city == 0]
    assert len(ngos) == len(active)  # exited NGOs hidden
    assert {row["group"] for row in ngos} <= set(style.ORIGIN_NAMES.values())
    assert len(view.datasets["purchasers"]) == len(stepped.model.city(0).purchasers)
    slots = sum(len(pu.slots) for pu in stepped.model.city(0).purchasers)
    assert 0 < len(view.datasets["links"]) <= slots
    shown = detail_view(stepped.model, hide_exited=False, lang="en")
    assert len(shown.datasets["ngos"]) >= len(ngos)
    spec = detail_spec(view.columns, "en", False, 1e6)
    domain = spec["layer"][1]["layer"][0]["encoding"]["color"]["scale"]
    assert (
        dict(zip(domain["domain"], domain["range"], strict=True))["Grassroots groups"]
        == (style.ORIGIN_COLOURS["grassroots"])
    )


def test_market_legend_draws_each_group_in_its_marks_shape() -> None:
    """The legend showed purchasers as circles while the chart draws them as squares
    and diamonds: colour and shape now share one legend, each group in its mark."""
    for spec, purchasers in (
        (
            detail_spec([0, 1], "en", False, 1e6),
            {"Bureaux": "square", "Mass organisations": "diamond"},
        ),
        (district_spec([0, 1], "en", False), {"Purchasers": "square"}),
    ):
        actors = spec["layer"][1]["layer"]
        for layer in actors:
            colour, shape = layer["encoding"]["color"], layer["encoding"]["shape"]
            assert colour["legend"] == shape["legend"] and colour["field"] == shape["field"]
            assert colour["scale"]["domain"] == shape["scale"]["domain"]
        scale = actors[0]["encoding"]["shape"]["scale"]
        shapes = dict(zip(scale["domain"], scale["range"], strict=True))
        assert {k: shapes[k] for k in purchasers} == purchasers
        assert shapes["Grassroots groups"] == "circle"
        assert spec["resolve"]["scale"]["shape"] == "independent"


def test_market_view_sums_a_large_market_by_district() -> None:
    run = start_run("guangzhou_ifsc", 42)
    for _ in range(6):
        run.step()
    assert too_big(run.model)
    view = district_view(run.model, lang="zh_CN")
    total = sum(row["count"] for row in view.datasets["ngos"])
    assert total == sum(n.alive for n in run.model.ngos)
    assert {row["kind"] for row in view.datasets["ngos"]} == {"district"}
    assert district_spec(view.columns, "zh_CN", True)["layer"]
    one = detail_view(run.model, district=3, lang="en")
    assert one.columns == [3] and one.datasets["purchasers"]


def test_clicking_an_actor_inspects_it(state: AppState) -> None:
    state.step()
    view = detail_view(state.run.value.model, lang="zh_CN")
    ngo = view.datasets["ngos"][0]
    state.inspect({**ngo, "_nonce": 1})
    assert state.inspected.value == ("ngo", ngo["id"])
    rows = dict(inspect(state.run.value.model, "ngo", ngo["id"], "zh_CN"))
    assert rows["类型"] == ngo["group"]
    state.inspect({"kind": "district", "district": 2})
    assert state.district.value == 2 and state.inspected.value is None


def test_readouts() -> None:
    assert show_outcome("staff_turnover", 0.134, "en") == "13%"
    assert show_outcome("active_ngos", 81.0, "en") == "81"
    assert show_outcome("service_quality", float("nan"), "en") == "–"
    assert show_value("tendering", "selective", "zh_CN") == "邀请招标（短名单）"
    assert show_value("contract_value", 2.4e6, "en") == "2,400,000"


def test_downloads(stepped) -> None:
    kept = start_run("baseline", 1)
    kept.step()
    kept.label = "A"
    table = series_table(stepped, [kept])
    assert list(table.columns[:6]) == [
        "run",
        "scenario",
        "seed",
        "changed_rules",
        "shocks",
        "year",
    ]
    assert len(table) == stepped.year + kept.year
    back = pd.read_csv(io.BytesIO(series_csv(stepped, [kept])), encoding="utf-8-sig")
    assert back["staff_turnover"].tolist() == pytest.approx(table["staff_turnover"].tolist())
    for lang in i18n.LANGUAGES:
        png = charts_png(stepped, [kept], lang)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_downloaded_charts_keep_the_pages_width_and_their_panels_room(
    stepped, lang: str
) -> None:
    """The download is a slide of the page's six charts, not a journal figure: it keeps
    its width, and its legends never squeeze a panel (at a page's width they did)."""
    kept = start_run("baseline", 1)
    kept.step()
    kept.label = "A"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "constrained_layout not applied" included
        fig = charts_figure(stepped, [kept], lang=lang)
        fig.draw_without_rendering()
    assert fig.get_size_inches()[0] == pytest.approx(11.0)
    for ax in fig.axes:
        assert ax.get_position().width > 0.2, ax.get_title()


def test_the_downloaded_charts_tell_outcomes_and_runs_apart_without_colour(stepped) -> None:
    """Printed in grey: within a panel each outcome has its own marker, and a kept run's
    markers are hollow where the live run's are filled."""
    kept = start_run("baseline", 1)
    kept.step()
    kept.label = "A"
    fig = charts_figure(stepped, [kept], lang="en")
    several = 0
    for ax in fig.axes:
        lines = [line for line in ax.get_lines() if line.get_marker() not in (None, "None", "")]
        live = [line for line in lines if line.get_markerfacecolor() != "white"]
        hollow = [line for line in lines if line.get_markerfacecolor() == "white"]
        assert len({line.get_marker() for line in live}) == len(live), ax.get_title()
        assert {line.get_marker() for line in hollow} == {line.get_marker() for line in live}
        several += len(live) > 1
    assert several >= 3


def test_a_downloaded_run_can_be_told_apart_and_run_again(state: AppState) -> None:
    state.lang.value = "zh_CN"
    state.set_rule("tendering", "direct")
    for _ in range(2):
        state.step()
    state.set_rule("favouritism", 0.9)
    state.apply_pending()
    while state.step():
        pass
    run = state.run.value
    table = series_table(run, [], "zh_CN")
    assert set(table["run"]) == {i18n.text("app.this_run_short", "zh_CN")}
    rules = dict(pair.split("=") for pair in table["changed_rules"].iloc[0].split())
    assert rules["tendering"] == "direct"
    year, shock = table["shocks"].iloc[0].split(": ")
    name, value = shock.split("=")
    values = {k: PARAMETERS[k].check(type(PARAMETERS[k].default)(v)) for k, v in rules.items()}
    dated = load_scenario(run.preset).replace(**values).to_dict()
    dated["changes"] = [*dated.get("changes", []), {"year": int(year), name: float(value)}]
    again = AppModel(type(load_scenario(run.preset)).from_dict(dated), seed=int(table["seed"][0]))
    assert again.run().series().equals(run.series())


def test_the_png_draws_bands_and_flags_rule_changes(state: AppState) -> None:
    for _ in range(2):
        state.step()
    state.set_rule("favouritism", 0.9)
    state.apply_pending()
    run = state.run.value
    found = replicate(run.model.market_scenario, run.seed, replications=3)
    fig = charts_figure(run, [], found, lang="en")
    flag = i18n.text("app.flag_shock", "en", year=3)
    for ax in fig.axes:
        assert ax.collections  # the bands
        assert any(flag in t.get_text() for t in ax.texts)


def test_nothing_to_download_at_year_zero(state: AppState) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        charts_figure(state.run.value, [], lang="en")
    box, rc = solara.render(Downloads(state, state.run.value), handle_error=False)
    try:
        buttons = [w for w, _path in _widgets_under(box) if type(w).__name__ == "Btn"]
        assert len(buttons) == 2 and all(b.disabled for b in buttons)
    finally:
        rc.close()
    state.step()
    box, rc = solara.render(Downloads(state, state.run.value), handle_error=False)
    try:
        assert not [w for w, _path in _widgets_under(box) if getattr(w, "disabled", False)]
    finally:
        rc.close()


def test_the_market_caption_counts_in_words() -> None:
    one = market_caption({"ngos": 1, "purchasers": 1, "running": 1, "gaps": 1}, 3, _en)
    assert "1 active NGO," in one and "1 purchaser," in one and "1 contract continues" in one
    many = market_caption({"ngos": 2, "purchasers": 3, "running": 4, "gaps": 5}, 3, _en)
    assert "2 active NGOs" in many and "5 slots to tender" in many


def _en(key: str, **values) -> str:
    return i18n.text(f"app.{key}", "en", **values)


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_the_explanation_keeps_every_number_in_its_sentence(lang: str) -> None:
    """A wrapped line starting with "11." would become a numbered list in Markdown."""
    source = i18n.text("app.explanation", lang)
    shown = re.sub(r"<[^>]+>", "", as_html(source))
    assert "<ol>" not in as_html(source)
    assert re.findall(r"\d+", source) == re.findall(r"\d+", shown)


def test_sliders_reach_the_registry_minimum_and_sit_on_their_value() -> None:
    for name in controlled():
        param = PARAMETERS[name]
        if param.kind == "choice" or name in ("years", "rotation_years"):
            continue
        spec = control(name, param.default, "en")
        if param.low == 0:
            assert spec.low == 0, name
        # pressing Home is the teacher's change, not a slider rounding its value
        assert not slider_rounding(spec.low, param.default, spec.low, spec.high, spec.step)
    for name in ("entry_rate", "other_income", "quit_rate", "initial_track_record"):
        param = PARAMETERS[name]
        spec = control(name, param.default, "en")
        assert spec.low == param.low
        assert ((param.default - spec.low) / spec.step) == pytest.approx(
            round((param.default - spec.low) / spec.step)
        )
    spec = control("required_hours", 21268.8, "en")  # a value off every round grid
    assert spec.low == PARAMETERS["required_hours"].low
    assert not slider_rounding(21269.0, 21268.8, spec.low, spec.high, spec.step)  # a stop on
    assert slider_rounding(21268.8, 21268.85, spec.low, spec.high, spec.step)  # between stops


def test_the_page_serves_its_own_chinese_font() -> None:
    """Chinese renders in a browser without a CJK font: the page carries a cut-down
    Noto Sans CJK SC with every Chinese character of the catalogue."""
    face = appfont.font_face()
    assert face.startswith("@font-face") and appfont.FAMILY in face
    data = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", face).group(1))
    cmap = TTFont(io.BytesIO(data)).getBestCmap()
    assert all(ord(c) in cmap for c in appfont.catalogue_characters())
    assert len(data) < 1_500_000  # cut down from 16 MB


def test_the_cut_font_cache_keeps_the_newest_few(tmp_path, monkeypatch) -> None:
    """Each release whose catalogue has other characters cuts a font of its own: the
    cache keeps the newest ``KEPT_CUTS`` of them, the one just cut among them."""
    import os

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / "simcontract"
    folder.mkdir()
    for age in range(5):
        old = folder / f"cjk-old{age}.woff"
        old.write_bytes(b"x")
        os.utime(old, (1_000_000 + age, 1_000_000 + age))
    (folder / "other.txt").write_text("kept")
    appfont.font_face.cache_clear()
    try:
        face = appfont.font_face()
    finally:
        appfont.font_face.cache_clear()
    left = sorted(p.name for p in folder.iterdir())
    cut = [n for n in left if n.startswith("cjk-") and not n.startswith("cjk-old")]
    assert face and len(cut) == 1
    assert left == sorted([*cut, "cjk-old3.woff", "cjk-old4.woff", "other.txt"])


# --------------------------------------------------------------------------- page
def _widgets(root):
    seen, stack = [], [root]
    while stack:
        widget = stack.pop()
        seen.append(widget)
        stack.extend(getattr(widget, "children", None) or [])
    return seen


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_page_renders_without_katex(lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """No component loads KaTeX: Solara's Markdown asks a CDN for its CSS on every
    redraw (the page renders Markdown on the server)."""
    monkeypatch.setattr("simcontract.app.browser_language", lambda: lang)
    box, rc = solara.render(Page(), handle_error=False)
    try:
        templates = [getattr(w, "template", None) for w in _widgets(box)]
        texts = [str(getattr(t, "template", t) or "") for t in templates]
        assert not [t for t in texts if "katex" in t.lower()]
        html = " ".join(str(getattr(w, "unsafe_innerHTML", "") or "") for w in _widgets(box))
        assert i18n.text("app.explanation", lang).split("\n")[1].lstrip("# ") in html
    finally:
        rc.close()


def test_a_closed_page_releases_its_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """When a tab closes, its live and kept runs are released (Mesa 3.3 would
    keep their models alive)."""
    states: list[AppState] = []
    released: list[int] = []
    monkeypatch.setattr(
        "simcontract.app.AppState", lambda lang: states.append(AppState()) or states[-1]
    )
    monkeypatch.setattr(AppModel, "release", lambda model: released.append(id(model)))
    _box, rc = solara.render(Page(), handle_error=False)
    (state,) = states
    state.keep_run()
    live = id(state.run.value.model)
    models = {live, *(id(r.model) for r in state.kept.value)}
    assert len(models) == 2 and live not in released
    rc.close()
    assert models <= set(released)


def test_serve_arguments() -> None:
    args = appserver.solara_args("127.0.0.1", 8123)
    assert args[:5] == ["simcontract.app", "--host", "127.0.0.1", "--port", "8123"]
    assert "--production" in args and "--no-open" in args
    assert appserver.missing_packages() == []


# --------------------------------------------------------------------------- host check
_CANNOT_LISTEN = (
    "give an address of this machine, e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every network)"
)


@pytest.mark.parametrize("command", ["app", "classroom"])
@pytest.mark.parametrize(
    "host, reason",
    [("bogus.invalid", None), ("192.0.2.1", "Cannot assign requested address")],
    ids=["unresolvable name", "address not of this machine"],
)
def test_a_host_it_cannot_listen_on_is_one_error_line_before_any_server(
    command: str,
    host: str,
    reason: str | None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """A name that does not resolve (.invalid never does) or an address not of this
    machine (TEST-NET-1) is bad input: exit 2, one line, no warning, no server, no
    session folder; it was exit 3 after a warning and uvicorn's raw error."""
    from simcontract.cli import main

    served = []
    monkeypatch.setattr(appserver, "serve", lambda **options: served.append(options) or 0)
    folder = tmp_path / "session"
    argv = [command, "--host", host, "--port", "8797"]
    code = main(argv + (["--out", str(folder)] if command == "classroom" else []))
    out, err = capsys.readouterr()
    assert code == 2, err
    (line,) = err.splitlines()
    assert line.startswith(f"simcontract: error: --host {host!r}: cannot listen there ("), line
    assert line.endswith(f"); {_CANNOT_LISTEN}"), line
    if reason:
        assert f"({reason})" in line
    assert out == "" and served == [] and not folder.exists()


def test_serve_refuses_a_host_it_cannot_listen_on(capsys: pytest.CaptureFixture[str]) -> None:
    assert appserver.serve(host="bogus.invalid", port=8797) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("simcontract: error: host 'bogus.invalid': cannot listen there (")


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "0.0.0.0", socket.gethostname()])
def test_a_host_of_this_machine_passes_the_check(host: str) -> None:
    assert appserver.host_problem(host) is None


def test_the_ipv6_loopback_passes_where_this_machine_has_one() -> None:
    assert (appserver.host_problem("::1") is None) == _ipv6_loopback()


@pytest.mark.parametrize("command", ["app", "classroom"])
def test_a_port_another_server_holds_is_one_error_line_before_any_server(
    command: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """It was exit 3 with uvicorn's raw error, after the banner (for the classroom, with
    the join code and the teacher's link)."""
    from simcontract.cli import main

    served = []
    serve = appserver.serve
    monkeypatch.setattr(appserver, "serve", lambda **options: served.append(options) or 0)
    folder = tmp_path / "session"
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        argv = [command, "--port", str(port)]
        code = main(argv + (["--out", str(folder)] if command == "classroom" else []))
        assert serve(port=port) == 2
    out, err = capsys.readouterr()
    assert code == 2, err
    lines = err.splitlines()
    said = f"port {port} is in use on 127.0.0.1 (another server listens there); choose another"
    assert lines[0] == f"simcontract: error: {said}, e.g. --port {port + 1}", lines
    assert len(lines) == 2 and lines[1] == lines[0]  # the command, then serve() itself
    assert out == "" and served == [] and not folder.exists()
    assert not appserver.port_in_use("127.0.0.1", port)  # free again once the other ends


def test_the_host_check_does_not_wait_long_for_the_name_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A name service that does not answer gives up after RESOLVE_SECONDS."""
    answer = threading.Event()
    real = socket.getaddrinfo

    def slow(*args, **kwargs):
        answer.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(appserver, "RESOLVE_SECONDS", 0.2)
    monkeypatch.setattr(socket, "getaddrinfo", slow)
    started = time.monotonic()
    try:
        problem = appserver.host_problem("slow.example")
    finally:
        answer.set()
    assert time.monotonic() - started < 5
    assert problem == (
        f"cannot listen there (no answer from the name service within 0.2 s); {_CANNOT_LISTEN}"
    )


def test_a_refused_rule_names_the_rules_it_clashes_with_in_quotes(state: AppState) -> None:
    """All three bid weights at 0 cannot run: the refusal names each rule as the page
    does, in quotes (the rules it clashed with read as one run-on phrase)."""
    state.set_rule("price_weight", 0.0)
    state.set_rule("reputation_weight", 0.0)
    state.set_rule("workload_weight", 0.0)
    notice = state.notice.value
    assert notice is not None and notice.key == "rule_rejected"
    said = notice.text("en")
    assert said.startswith(f"“{i18n.parameter_label('workload_weight', 'en')}” cannot be 0")
    for name in ("price_weight", "reputation_weight"):
        assert f"“{i18n.parameter_label(name, 'en')}”" in said, said
        assert f"“{i18n.parameter_label(name, 'zh_CN')}”" in notice.text("zh_CN")
    assert state.draft.value["workload_weight"] != 0


def test_one_waiting_rule_is_said_in_the_singular(state: AppState) -> None:
    """It read "1 changed rule(s) not yet in force"."""
    state.step()
    state.set_rule("contract_years", 1)
    box, rc = solara.render(Banner(state), handle_error=False)
    try:
        shown = " ".join(str(getattr(w, "unsafe_innerHTML", "") or "") for w in _widgets(box))
        assert shown.count("A changed rule not yet in force: ") == 1, shown
        state.set_rule("favouritism", 0.9)
        shown = " ".join(str(getattr(w, "unsafe_innerHTML", "") or "") for w in _widgets(box))
        assert "2 changed rules not yet in force: " in shown and "(s)" not in shown, shown
    finally:
        rc.close()


def test_the_quality_panel_says_what_its_r_is(state: AppState) -> None:
    for _ in range(3):
        state.step()
    (quality,) = [p for p in PANELS if "evaluation_score" in p.outcomes]
    for lang in ("en", "zh_CN"):
        (note,) = panel_data(quality, state.run.value, [], lang)["note"]
        r = state.run.value.series()["score_quality_corr"].iloc[-1]
        assert note["text"] == i18n.text("app.note_corr", lang, r=f"{r:.2f}")
        assert note["text"] != f"r = {r:.2f}"


def test_a_run_that_outgrows_the_memory_stops_playing_with_a_notice(
    state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The play loop's thread died on the error, the page still said it was playing."""
    from simcontract import marketsize

    state.step()
    monkeypatch.setattr(marketsize, "machine_memory", lambda: 1000)  # now outgrown
    state.playing.value = True
    state.play_loop(threading.Event())
    assert not state.playing.value
    run = state.run.value
    assert run.finished and len(run.series()) == 2  # the year it stopped in is shown
    notice = state.notice.value
    assert notice is not None and notice.key == "rules_error"
    assert "stopped at the end of year 2" in notice.text("en")
    assert not state.step()  # nothing more to run


def test_replications_that_outgrow_the_memory_say_so_and_free_the_button(
    state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A replication that failed left the button disabled and "replicating" shown for
    good, and a model that failed in its run alive."""
    from simcontract import marketsize
    from simcontract.model import ContractingModel
    from simcontract.scenario import ScenarioError

    state.step()
    monkeypatch.setattr(marketsize, "machine_memory", lambda: 1000)  # outgrown at the start
    state.request_replicates()
    state.replicate_loop(threading.Event())
    assert state.replicating.value == -1 and state.current_replicates() is None
    notice = state.notice.value
    assert notice is not None and notice.key == "rules_error"
    assert "too large to run" in notice.text("en")

    monkeypatch.undo()
    released = []
    release = ContractingModel.release

    def outgrown(self):  # as the check at a year's end says it
        raise ScenarioError("outgrew the memory in year 3")

    monkeypatch.setattr(ContractingModel, "run", outgrown)
    monkeypatch.setattr(
        ContractingModel, "release", lambda self: released.append(self) or release(self)
    )
    state.notice.value = None
    state.request_replicates()
    assert state.replicating.value == 0  # the button works again
    state.replicate_loop(threading.Event())
    assert state.replicating.value == -1 and len(released) == 1
    assert "year 3" in state.notice.value.text("en")
