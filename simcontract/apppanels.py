"""The seminar app's panels below the charts: comparing runs, replications, the rules
in force and the explanation (Solara components)."""

from __future__ import annotations

from collections.abc import Callable

import solara

from simcontract import i18n
from simcontract.appcharts import run_label
from simcontract.appcontrols import key_rules, show_value
from simcontract.appreplicate import LEVEL, REPLICATIONS, Replicates
from simcontract.appruns import Run
from simcontract.appstate import AppState
from simcontract.appviews import (
    Html,
    MarketView,
    Readouts,
    breakable,
    differences_table,
    show_outcome,
)
from simcontract.experiment import KEY_OUTCOMES
from simcontract.plots.data import runs_text
from simcontract.scenario import load_scenario


@solara.component
def ComparePanel(state: AppState) -> None:
    """Kept runs against the live run: the rules that differ, and the A/B layout."""
    state.tick.value  # noqa: B018  (redraw after each year)
    kept, run, lang = state.kept.value, state.run.value, state.lang.value
    if not kept:
        return
    first = kept[-1]
    with solara.Card(state.text("compare_title"), classes=["sc-compare"]):
        with solara.Row():
            solara.ToggleButtonsSingle(
                value=state.layout.value,
                on_value=state.layout.set,
                children=[
                    solara.Button(
                        state.text(f"layout_{k}"), value=k, small=True, classes=[f"sc-layout-{k}"]
                    )
                    for k in ("overlay", "side")
                ],
            )
            solara.Button(
                state.text("forget_kept"), on_click=state.clear_kept, small=True, text=True
            )
        labels = i18n.text("punctuation.list", lang).join(k.label for k in kept)
        solara.Text(state.text("compare_kept", labels=labels))
        Html(differences_table(first, run, lang, state.text), classes=["sc-differences"])
        if state.layout.value == "side":
            with solara.Columns([1, 1], classes=["sc-side"]):
                for shown in (first, run):
                    with solara.Div(classes=["sc-side-run"]):
                        solara.HTML(tag="h4", unsafe_innerHTML=run_label(shown, state.lang.value))
                        Readouts(state, shown)
                        MarketView(state, shown)


@solara.component
def ReplicatePanel(state: AppState) -> None:
    """Progress of the replications, then means with CIs beside the live run."""
    state.tick.value  # noqa: B018
    done, found, lang = state.replicating.value, state.current_replicates(), state.lang.value
    if done >= 0:
        running = min(done + 1, REPLICATIONS)  # the one running now, not those done
        solara.Info(state.text("replicating", done=running, total=REPLICATIONS))
        solara.ProgressLinear(value=100 * done / REPLICATIONS)
        return
    if found is None:
        return
    with solara.Card(state.text("replicate_title"), classes=["sc-replicates"]):
        Html(replicates_table(state.run.value, found, lang, state.text))


def replicates_table(run: Run, found: Replicates, lang: str, text: Callable[..., str]) -> str:
    """Markdown: the live run's summary over the years it has run beside the means and
    CIs (cut at each outcome's range) of the replications over their whole length."""
    summary = run.model.summary() if run.year else {}
    years = found.scenario["years"]
    mine = text("this_run_years", year=run.year) if run.year else text("this_run_short")
    rows = [
        f"| {text('outcome')} | {mine} "
        f"| {text('mean_ci', n=found.n, level=f'{LEVEL:.0%}', years=years)} |",
        "|:--|--:|--:|",
    ]
    fewer = False
    for name in KEY_OUTCOMES:
        ci = found.interval(name)
        value = show_outcome(name, summary.get(name, float("nan")), lang)
        interval = (
            f"{show_outcome(name, ci.mean, lang)} "
            f"[{show_outcome(name, ci.low, lang)}, {show_outcome(name, ci.high, lang)}]"
        )
        if ci.n < found.n:
            fewer = True
            with i18n.use_language(lang):
                interval = text("ci_runs", interval=interval, runs=runs_text([ci.n]))
        rows.append(f"| {breakable(i18n.outcome_label(name, lang))} | {value} | {interval} |")
    note = text("replicate_note", years=years)
    if fewer:
        note += " " + text("replicate_fewer")
    return "\n".join(rows) + "\n\n" + note


@solara.component
def RulesInForce(state: AppState) -> None:
    """The live run's key rules this year beside the preset's, and its shocks."""
    state.tick.value  # noqa: B018
    run, lang = state.run.value, state.lang.value
    preset = load_scenario(run.preset).at_year(max(run.year, 1))
    now = run.rules_now()
    rows = [
        f"| {state.text('rule')} | {state.text('year_n', year=max(run.year, 1))} "
        f"| {state.text('preset')} |",
        "|:--|:--:|:--:|",
    ]
    for name in key_rules():
        shown, was = show_value(name, now[name], lang), show_value(name, preset[name], lang)
        mark = f"**{shown}**" if now[name] != preset[name] else shown
        rows.append(f"| {breakable(i18n.parameter_label(name, lang))} | {mark} | {was} |")
    title = state.text("rules_title", scenario=i18n.scenario_title(run.preset, lang))
    note = state.text("rules_note")
    with solara.Div(classes=["sc-rules", "simcontract-rules"]):
        Html(f"#### {title}\n\n" + "\n".join(rows) + f"\n\n{note}")


@solara.component
def Explanation(state: AppState) -> None:
    """What the model does, how to use the page, what to try, and every key rule."""
    lang = state.lang.value
    rows = [f"| {state.text('rule')} | {state.text('what_it_sets')} |", "|:--|:--|"]
    for name in key_rules():
        label, meaning = i18n.parameter_label(name, lang), i18n.parameter_meaning(name, lang)
        rows.append(f"| {breakable(label)} | {meaning} |")
    with solara.Div(classes=["sc-explanation", "simcontract-explanation"]):
        Html(
            state.text("explanation")
            + f"\n\n### {state.text('rules_heading')}\n\n"
            + "\n".join(rows)
        )
