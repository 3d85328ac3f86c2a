"""Interactive seminar app: watch a contracting market year by year and change its rules.

Run it with ``simcontract app`` (see :func:`simcontract.appserver.serve`) or
``solara run simcontract.app``. The page has:

* a bar that stays on screen: language, projector mode, the sidebar, Reset / Step /
  Play, the year, Keep this run, Replicate and the downloads;
* a collapsible sidebar: the scenario preset and the rules in words, each with its
  meaning as a tooltip (changes during a run apply from the next year, as a shock);
* big numbers of key outcomes, yearly charts (kept runs overlaid, shocks marked), the
  market view (by district at scale; hover or click an actor to inspect it), the
  comparison of runs, replications, and what the model does and what to try.

The page is Solara; its charts are Vega-Lite (:mod:`simcontract.appwidgets`) and its
texts come from the language catalogue (:mod:`simcontract.i18n`). The modules behind it:
:mod:`~simcontract.appstate` (state and actions), :mod:`~simcontract.appruns` (runs,
shocks), :mod:`~simcontract.appcontrols` (controls from the registry),
:mod:`~simcontract.appreplicate` (replications), :mod:`~simcontract.appcharts`,
:mod:`~simcontract.appmarket` and :mod:`~simcontract.appmarketchart` (what is drawn),
:mod:`~simcontract.appviews` and :mod:`~simcontract.apppanels` (components),
:mod:`~simcontract.appexport` (downloads), :mod:`~simcontract.appstyle` and
:mod:`~simcontract.appfont` (the look, and a Chinese font for browsers without one).
"""

from __future__ import annotations

import html
import os
from typing import Any

import reacton.core
import solara

from simcontract import appfont, i18n
from simcontract.appcontrols import (
    Control,
    control,
    key_rules,
    more_rules,
    preset_stops,
    said_changes,
    show_value,
    slider_rounding,
)
from simcontract.appexport import charts_png, file_stem, series_csv
from simcontract.apppanels import ComparePanel, Explanation, ReplicatePanel, RulesInForce
from simcontract.appreplicate import REPLICATIONS
from simcontract.appruns import RUN_ON_YEARS, AppModel, Run, start_run
from simcontract.appserver import PAGE_LANGUAGE_VARIABLE
from simcontract.appstate import AppState, on
from simcontract.appstyle import page_css
from simcontract.appviews import (
    Html,
    Inspector,
    MarketOptions,
    MarketView,
    OutcomeCharts,
    Readouts,
)
from simcontract.appwidgets import PageLanguage
from simcontract.scenario import builtin_names, load_scenario

__all__ = ["AppModel", "AppState", "Page", "Run", "start_run"]

appfont.prepare_in_background()  # the served Chinese font is cut once, while the server starts

SEED_RANGE = (0, 100)
"""Seeds the seed slider offers."""


def page_language() -> str:
    """The language a new page opens in: the one the server was started with
    (``simcontract app --lang``, :func:`simcontract.appserver.serve`), else the
    browser's."""
    chosen = os.environ.get(PAGE_LANGUAGE_VARIABLE, "")
    return i18n.resolve(chosen) if chosen in i18n.LANGUAGES else browser_language()


def browser_language() -> str:
    """The language the browser asks for first, among those with a catalogue."""
    try:
        from solara.lab import headers

        found = (headers.value or {}).get("accept-language", [""])
    except (ImportError, AttributeError, RuntimeError):
        found = [""]
    return i18n.from_accept_language(found[0] if found else "")


# --------------------------------------------------------------------------- the bar
@solara.component
def TopBar(state: AppState) -> None:
    """Title, sidebar toggle, language and projector mode."""
    lang = state.lang.value
    with solara.Row(classes=["sc-topbar"]):
        solara.Button(
            icon_name="mdi-menu",
            icon=True,
            on_click=lambda: state.sidebar.set(not state.sidebar.value),
            classes=["sc-sidebar-toggle"],
            attributes={
                "aria-label": state.text("toggle_sidebar"),
                "title": state.text("toggle_sidebar"),
            },
        )
        solara.HTML(tag="h1", unsafe_innerHTML=state.text("title"), classes=["sc-title"])
        solara.ToggleButtonsSingle(
            value=lang,
            on_value=state.lang.set,
            children=[
                solara.Button(name, value=code, small=True, classes=[f"sc-lang-{code}"])
                for code, name in i18n.LANGUAGES.items()
            ],
            classes=["sc-language"],
        )
        solara.Switch(
            label=state.text("projector"),
            value=state.projector.value,
            on_value=state.set_projector,
            classes=["sc-projector-switch"],
        )


@solara.component
def Toolbar(state: AppState) -> None:
    """Reset, Step, Play/Pause, the year, Keep, Replicate and the downloads."""
    state.tick.value  # noqa: B018  (redraw after each year)
    run, playing = state.run.value, state.playing.value
    busy = state.replicating.value >= 0
    with solara.Row(classes=["sc-toolbar"]):
        solara.Button(
            state.text("reset"),
            icon_name="mdi-restart",
            on_click=state.new_run,
            outlined=True,
            classes=["sc-reset"],
        )
        solara.Button(
            state.text("step"),
            icon_name="mdi-skip-next",
            on_click=state.step,
            disabled=playing or run.finished,
            color="primary",
            classes=["sc-step"],
        )
        if playing:
            solara.Button(
                state.text("pause"),
                icon_name="mdi-pause",
                on_click=on(state.playing.set, False),
                color="primary",
                classes=["sc-pause"],
            )
        else:
            solara.Button(
                state.text("play"),
                icon_name="mdi-play",
                on_click=on(state.playing.set, True),
                disabled=run.finished,
                color="primary",
                classes=["sc-play"],
            )
        solara.HTML(
            tag="div",
            classes=["sc-year"],
            unsafe_innerHTML=state.text("year_of", year=run.year, years=run.years),
        )
        solara.Button(
            state.text("keep"),
            icon_name="mdi-pin",
            on_click=state.keep_run,
            disabled=run.year == 0 or playing,
            outlined=True,
            classes=["sc-keep"],
        )
        solara.Button(
            state.text("replicate", n=REPLICATIONS),
            icon_name="mdi-chart-bell-curve",
            on_click=state.request_replicates,
            disabled=busy or playing,
            outlined=True,
            classes=["sc-replicate"],
        )
        Downloads(state, run)


@solara.component
def Downloads(state: AppState, run: Run) -> None:
    """Download buttons: the series (CSV) and the charts (PNG)."""
    state.tick.value  # noqa: B018  (the file names carry the year)
    kept, lang = state.kept.value, state.lang.value
    replicates = state.current_replicates()
    stem = file_stem(run)
    if not run.year:  # from year 1, as the docs say: a kept run goes with the next year's
        with solara.Tooltip(state.text("download_empty")), solara.Div(classes=["sc-downloads"]):
            for key in ("download_csv", "download_png"):
                solara.Button(
                    state.text(key),
                    icon_name="mdi-cloud-download-outline",
                    disabled=True,
                    classes=[f"sc-{key}"],
                )
        return
    with solara.Div(classes=["sc-downloads"]):
        solara.FileDownload(
            lambda: series_csv(run, kept, lang),
            filename=f"{stem}.csv",
            label=state.text("download_csv"),
            mime_type="text/csv",
        )
        solara.FileDownload(
            lambda: charts_png(run, kept, lang, replicates),
            filename=f"{stem}.png",
            label=state.text("download_png"),
            mime_type="image/png",
        )


@solara.component
def Banner(state: AppState) -> None:
    """What needs the teacher's attention: rules waiting to apply, the end of the run,
    the last action's result."""
    state.tick.value  # noqa: B018
    run, lang = state.run.value, state.lang.value
    waiting = state.pending()
    with solara.Div(classes=["sc-banner"]):
        if waiting and run.year:
            said = said_changes(waiting, lang)
            with solara.Div(classes=["sc-pending"]):
                solara.HTML(
                    tag="span",
                    unsafe_innerHTML=state.text(
                        "pending_one" if len(waiting) == 1 else "pending",
                        n=len(waiting),
                        rules=said,
                    ),
                )
                solara.Button(
                    state.apply_label(),
                    on_click=state.apply_pending,
                    color="warning",
                    small=True,
                    classes=["sc-apply"],
                )
                solara.Button(
                    state.text("start_over"),
                    on_click=state.new_run,
                    small=True,
                    outlined=True,
                    classes=["sc-start-over"],
                )
                solara.Button(
                    state.text("undo"), on_click=state.undo_pending, small=True, text=True
                )
        if run.finished:
            with solara.Div(classes=["sc-ended"]):
                solara.HTML(tag="span", unsafe_innerHTML=state.text("ended", year=run.year))
                solara.Button(
                    state.text("run_on", n=RUN_ON_YEARS),
                    on_click=state.run_on,
                    small=True,
                    color="success",
                    classes=["sc-run-on"],
                )
                solara.Button(
                    state.text("keep"), on_click=state.keep_run, small=True, outlined=True
                )
        notice = state.notice_text()
        if notice:
            solara.HTML(tag="div", classes=["sc-notice"], unsafe_innerHTML=html.escape(notice))


# --------------------------------------------------------------------------- sidebar
@solara.component
def RuleControl(state: AppState, spec: Control, value: Any) -> None:
    """One rule: its label, its meaning as a tooltip, and a slider or a drop-down."""
    classes = ["sc-rule", f"sc-rule-{spec.name}"]
    slid = solara.use_reactive(value)  # the slider's value, put back when rejected
    with solara.Tooltip(spec.tooltip), solara.Div(classes=classes):
        if spec.kind == "choice":
            solara.v.Select(
                label=spec.label,
                items=[{"text": label, "value": v} for v, label in spec.items],
                v_model=value,
                on_v_model=lambda v: state.set_rule(spec.name, v),
                dense=True,
                hide_details=True,
                attach=True,
            )
            return
        shown = html.escape(show_value(spec.name, value, state.lang.value))
        solara.HTML(
            tag="label",
            unsafe_innerHTML=state.text("rule_value", rule=html.escape(spec.label), value=shown),
            classes=["sc-rule-label"],
        )
        slider = solara.SliderInt if spec.kind == "int" else solara.SliderFloat

        def moved(new: float) -> None:
            if slider_rounding(new, value, spec.low, spec.high, spec.step):
                return
            state.set_rule(spec.name, new)
            if state.draft.value.get(spec.name) != new:
                slid.set(value)

        slider(
            label="",
            value=slid,
            min=spec.low,
            max=spec.high,
            step=spec.step,
            on_value=moved,
            thumb_label=True,
        )


@solara.component
def Sidebar(state: AppState) -> None:
    """The scenario preset, the seed and the rules."""
    lang, draft = state.lang.value, state.draft.value
    names = builtin_names()
    preset = state.preset.value
    with solara.Div(classes=["sc-sidebar"]):
        with solara.Div(classes=["sc-preset"]):
            solara.v.Select(
                label=state.text("scenario"),
                items=[{"text": i18n.scenario_title(n, lang), "value": n} for n in names],
                v_model=preset,
                on_v_model=state.load_preset,
                dense=True,
                hide_details=True,
                attach=True,
            )
        scenario = load_scenario(preset)
        kept = solara.use_memo(lambda: preset_stops(scenario), [preset])
        Html(i18n.scenario_description(preset, scenario.description, lang), classes=["sc-about"])
        solara.HTML(tag="h3", unsafe_innerHTML=state.text("rules"))
        for name in ("years", *key_rules()):
            RuleControl(state, control(name, draft[name], lang, kept[name]), draft[name])
        with solara.Tooltip(state.text("seed_tip")), solara.Div(classes=["sc-rule", "sc-seed"]):
            solara.HTML(
                tag="label",
                unsafe_innerHTML=state.text(
                    "rule_value", rule=html.escape(state.text("seed")), value=state.seed.value
                ),
                classes=["sc-rule-label"],
            )
            solara.SliderInt(
                label="",
                value=state.seed.value,
                min=SEED_RANGE[0],
                max=SEED_RANGE[1],
                on_value=state.set_seed,
                thumb_label=True,
            )
        solara.Button(
            state.text("more_rules_hide" if state.more_rules.value else "more_rules"),
            on_click=lambda: state.more_rules.set(not state.more_rules.value),
            text=True,
            small=True,
            classes=["sc-more-rules"],
        )
        if state.more_rules.value:
            for group, members in more_rules().items():
                solara.HTML(tag="h4", unsafe_innerHTML=i18n.group_name(group, lang))
                for name in members:
                    spec = control(name, draft[name], lang, kept[name])
                    RuleControl(state, spec, draft[name])


# --------------------------------------------------------------------------- the page
@solara.component
def Main(state: AppState) -> None:
    """Everything right of the sidebar."""
    with solara.Div(classes=["sc-main"]):
        Banner(state)
        Readouts(state, state.run.value)
        OutcomeCharts(state)
        with solara.Div(classes=["sc-market-box"]):
            MarketOptions(state)
            MarketView(state)
            Inspector(state)
        ComparePanel(state)
        ReplicatePanel(state)
        with solara.Columns([2, 3]):
            RulesInForce(state)
            Explanation(state)


@solara.component
def Page() -> None:
    """The app's page: the bar, the sidebar and the views, with their threads."""
    state = solara.use_memo(lambda: AppState(page_language()), [])
    state.render_context = reacton.core.get_render_context()
    solara.use_effect(lambda: state.release, [])  # the cleanup runs when the page closes
    solara.use_thread(state.play_loop, dependencies=[state.playing.value], intrusive_cancel=False)
    solara.use_thread(
        state.replicate_loop,
        dependencies=[state.replicate_requests.value],
        intrusive_cancel=False,
    )
    lang, projector = state.lang.value, state.projector.value
    solara.Style(page_css())
    PageLanguage.element(lang=i18n.html_lang(lang), title=state.text("title"))
    root = ["sc-app", "sc-projector" if projector else "sc-desk", f"sc-lang-{lang}"]
    with solara.Div(classes=root):
        with solara.Div(classes=["sc-bar"]):
            TopBar(state)
            Toolbar(state)
        with solara.Div(classes=["sc-body"]):
            if state.sidebar.value:
                Sidebar(state)
            Main(state)
