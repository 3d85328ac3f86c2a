"""The seminar app's state and what the teacher's buttons do to it.

One :class:`AppState` per browser tab holds the live run, the kept runs, the rule
controls' values, the options of the views and the replications. Its methods are the
page's actions (step, play, reset, keep, apply a shock, run on, replicate); the
components in :mod:`simcontract.app` only draw the state and call them.

How rule changes take effect, so that a change never waits silently for Reset:

* before the first year, a changed control restarts the run with the new rules;
* during a run, changed controls are *pending*: the page says so and offers to apply
  them from the next year (a policy shock, marked on the charts) or to start over;
* a finished run can run on for more years.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import solara

from simcontract import i18n
from simcontract.appcontrols import controlled, show_value
from simcontract.appreplicate import REPLICATIONS, Replicates, replicate
from simcontract.appruns import (
    DEFAULT_SCENARIO,
    DEFAULT_SEED,
    RUN_ON_YEARS,
    Run,
    keep,
    pending,
    start_run,
)
from simcontract.params import PARAMETERS, check_joint
from simcontract.scenario import ScenarioError, builtin_names, load_scenario

PLAY_INTERVAL = 0.4
"""Seconds between two years while playing (a year takes far less to run and draw)."""


@dataclass(frozen=True)
class Notice:
    """The last action's result, said in whatever language the page is in when drawn.

    Attributes:
        key: Catalogue text (``app.<key>``).
        values: Its placeholders' values. ``rule`` is a parameter's name (shown as its
            label), ``value`` and ``kept`` are values of that parameter, ``others``
            names of parameters (shown as their labels).
    """

    key: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        """The notice in ``lang``."""
        values = dict(self.values)
        rule = values.get("rule")
        if rule is not None:
            values["rule"] = i18n.parameter_label(rule, lang)
            for key in ("value", "kept"):
                if key in values:
                    values[key] = show_value(rule, values[key], lang)
        if "others" in values:
            labels = [
                i18n.text("app.rule_ref", lang, rule=i18n.parameter_label(name, lang))
                for name in values["others"]
            ]
            values["others"] = i18n.text("punctuation.list", lang).join(labels)
        return i18n.text(f"app.{self.key}", lang, **values)


def joint_names(error: ValueError) -> list[str]:
    """The parameters a rejected combination ties together: ``check_joint`` names them
    in quotes in its message."""
    return [name for name in re.findall(r"'(\w+)'", str(error)) if name in PARAMETERS]


def preset_values(preset: str) -> dict[str, Any]:
    """The values of every controlled parameter in a preset's first year."""
    values = load_scenario(preset).at_year(1)
    return {name: values[name] for name in controlled() if name in values}


class AppState:
    """Everything one page shows, as Solara reactive values, and the page's actions.

    Args:
        lang: Language to start in.
        preset: Built-in scenario to start with.
    """

    def __init__(self, lang: str = i18n.DEFAULT_LANGUAGE, preset: str = DEFAULT_SCENARIO):
        names = builtin_names()
        preset = preset if preset in names else names[0]
        self.lang = solara.reactive(i18n.resolve(lang))
        self.projector = solara.reactive(False)
        self.sidebar = solara.reactive(True)
        self.preset = solara.reactive(preset)
        self.seed = solara.reactive(DEFAULT_SEED)
        self.draft = solara.reactive(preset_values(preset))
        self.run = solara.reactive(start_run(preset, DEFAULT_SEED))
        self.tick = solara.reactive(0)
        self.kept: solara.Reactive[list[Run]] = solara.reactive([])
        self.layout = solara.reactive("overlay")
        self.playing = solara.reactive(False)
        self.notice: solara.Reactive[Notice | None] = solara.reactive(None)
        self.replicates: solara.Reactive[Replicates | None] = solara.reactive(None)
        self.replicating = solara.reactive(-1)
        self.replicate_requests = solara.reactive(0)
        self.grouping = solara.reactive("auto")
        self.hide_exited = solara.reactive(True)
        self.district: solara.Reactive[int | None] = solara.reactive(None)
        self.inspected: solara.Reactive[tuple[str, int] | None] = solara.reactive(None)
        self.more_rules = solara.reactive(False)
        self.render_context: Any = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ reading
    def text(self, key: str, **values: Any) -> str:
        """An interface text (``app.<key>``) in the page's language."""
        return i18n.text(f"app.{key}", self.lang.value, **values)

    def pending(self) -> dict[str, Any]:
        """Controls whose values differ from the rules in force."""
        return pending(self.run.value, self.draft.value)

    def changed_from_preset(self) -> dict[str, Any]:
        """The teacher's changes to the preset, which a new run starts with: the live
        run's changed starting rules, its policy shocks, the pending controls and the
        run length; not what the preset's own dated changes set during the run (the
        controls follow those, see :meth:`_follow_dated_changes`)."""
        run, base = self.run.value, preset_values(self.preset.value)
        own = {k: v for k, v in run.start.items() if k in base}
        for shock in run.shocks:
            own.update({k: new for k, (_old, new) in shock.changes.items() if k in base})
        own.update(self.pending())
        own["years"] = self.draft.value["years"]
        return {k: v for k, v in own.items() if base[k] != v}

    def say(self, key: str, **values: Any) -> None:
        """Show a notice (``app.<key>`` with ``values``; see :class:`Notice`)."""
        self.notice.value = Notice(key, values)

    def notice_text(self) -> str:
        """The notice in the page's language (empty when there is none)."""
        notice = self.notice.value
        return notice.text(self.lang.value) if notice is not None else ""

    # ------------------------------------------------------------------ runs
    def new_run(self) -> None:
        """Start the live run again at year 0: the preset with the teacher's changes."""
        self._start(self.changed_from_preset())

    def _start(self, changes: dict[str, Any]) -> None:
        self.playing.value = False
        try:
            run = start_run(self.preset.value, self.seed.value, changes)
        except ScenarioError as err:
            self.say("rules_error", error=str(err))
            return
        self.draft.value = {**preset_values(self.preset.value), **changes}
        replaced, self.run.value = self.run.value, run
        # Only the live run steps; a replaced one is read (when kept), so Mesa 3.3
        # need not keep it alive for its next agent number (ContractingModel.release).
        replaced.model.release()
        self.replicates.value = None
        self.inspected.value = None
        self.district.value = None
        self.notice.value = None
        self._bump()

    def load_preset(self, name: str) -> None:
        """Switch to a built-in scenario: its rules in the controls and a new run."""
        self.playing.value = False
        self.preset.value = name
        self._start({})

    def set_seed(self, seed: int) -> None:
        """Change the seed: a new run (the same rules on another random market)."""
        self.seed.value = int(seed)
        self.new_run()

    def set_rule(self, name: str, value: Any) -> None:
        """A control changed: before year 1 the run restarts with it; later it waits
        to be applied (see :meth:`apply_pending`)."""
        if name not in PARAMETERS:
            return
        kept = self.draft.value.get(name)
        try:
            value = PARAMETERS[name].check(value)
        except ValueError:
            self.say("rule_out_of_range", rule=name, value=value, kept=kept)
            return
        if value == kept:
            return
        try:
            check_joint({**self.run.value.rules_next(), **self.draft.value, name: value})
        except ValueError as err:
            others = [n for n in joint_names(err) if n != name]
            self.say("rule_rejected", rule=name, value=value, kept=kept, others=others)
            return
        self.draft.value = {**self.draft.value, name: value}
        if self.run.value.year == 0:
            self.new_run()

    def undo_pending(self) -> None:
        """Put the controls back to the rules set for next year."""
        now = self.run.value.rules_next()
        now["years"] = self.run.value.years
        self.draft.value = {k: now.get(k, v) for k, v in self.draft.value.items()}

    def apply_pending(self) -> None:
        """Apply the pending controls: rules from the next year (a policy shock), the
        run length at once."""
        run, waiting = self.run.value, self.pending()
        try:
            shock = run.apply_shock(waiting)
        except ScenarioError as err:
            self.say("rules_error", error=str(err))
            return
        self.draft.value = {**self.draft.value, "years": run.years}
        if shock:
            self.say("shock_applied", year=shock.year)
        elif "years" in waiting:
            self.say("length_set", years=run.years)
        self.replicates.value = None
        self._bump()

    def apply_label(self) -> str:
        """What the button applying the pending controls does, in words."""
        waiting = self.pending()
        if set(waiting) - {"years"}:
            return self.text("apply_from", year=self.run.value.year + 1)
        years = max(int(waiting.get("years", self.run.value.years)), self.run.value.year, 1)
        return self.text("apply_length", years=years)

    def step(self) -> bool:
        """Run one year of the live run; ``False`` when it had already finished."""
        with self._lock:
            run = self.run.value
            if run.finished:
                return False
            try:
                run.step()
            except ScenarioError as err:  # outgrew the memory: the year is whole, the run ends
                self.say("rules_error", error=str(err))
            self._follow_dated_changes(run)
        self._bump()
        return True

    def _follow_dated_changes(self, run: Run) -> None:
        """Controls follow rules that a dated change of the preset changed this year."""
        rules = run.model.rules
        moved = {k: rules[k] for k in self.draft.value if k in rules and rules.changed([k])}
        if moved:
            self.draft.value = {**self.draft.value, **moved}

    def play_loop(self, cancel: threading.Event) -> None:
        """Step while playing, one year per :data:`PLAY_INTERVAL`; stop at the end."""
        try:
            while self.playing.value and not cancel.is_set():
                # One redraw per year: a year changes several values the page reads.
                with self.render_context or contextlib.nullcontext():
                    stepped = self.step()
                if not stepped:
                    break
                if self.run.value.finished:
                    break
                cancel.wait(PLAY_INTERVAL)
        finally:
            self.playing.value = False

    def run_on(self, years: int = RUN_ON_YEARS) -> None:
        """Let a finished run go on for ``years`` more years."""
        run = self.run.value
        run.run_on(years)
        self.draft.value = {**self.draft.value, "years": run.years}
        self.notice.value = None
        self._bump()

    def keep_run(self) -> None:
        """Keep the live run for comparison; a new run starts with the rules the kept
        one started with, not its policy shocks: the two differ by the shocks alone
        until rules are changed (with a shock, "start again without the shock")."""
        run, base = self.run.value, preset_values(self.preset.value)
        self.kept.value = keep(self.kept.value, run)
        start = {k: v for k, v in run.start.items() if k in base} | {"years": run.years}
        self._start({k: v for k, v in start.items() if base[k] != v})
        self.say("kept_notice", label=self.kept.value[-1].label)

    def release(self) -> None:
        """Let the live and kept runs' models go when the page closes
        (:meth:`ContractingModel.release`: Mesa 3.3 would keep them alive)."""
        for run in [self.run.value, *self.kept.value]:
            run.model.release()

    def clear_kept(self) -> None:
        """Forget the kept runs."""
        self.kept.value = []
        self.layout.value = "overlay"

    # ------------------------------------------------------------------ replications
    def request_replicates(self) -> None:
        """Ask for replications of the live run's rules (:meth:`replicate_loop` runs them)."""
        if self.replicating.value < 0:
            self.replicating.value = 0
            self.replicate_requests.value += 1

    def replicate_loop(self, cancel: threading.Event) -> None:
        """Run the replications asked for, reporting progress; a new run meanwhile
        makes them moot. (They run to the end once started: a run cannot be cut.)"""
        if self.replicating.value != 0:
            return
        run = self.run.value

        def progress(done: int) -> None:
            self.replicating.value = done

        try:
            result = replicate(run.model.market_scenario, run.seed, REPLICATIONS, progress=progress)
            if self.run.value is run:
                self.replicates.value = result
        except ScenarioError as err:  # a replication outgrew the memory
            self.say("rules_error", error=str(err))
        finally:
            self.replicating.value = -1  # the button works again

    def current_replicates(self) -> Replicates | None:
        """The replications of the live run's rules, if they have been run."""
        found = self.replicates.value
        if found is None or found.scenario != self.run.value.model.market_scenario:
            return None
        return found

    # ------------------------------------------------------------------ views
    def set_projector(self, on: bool) -> None:
        """Projector mode on or off; the sidebar folds away while it is on."""
        self.projector.value = bool(on)
        self.sidebar.value = not on

    def inspect(self, datum: dict[str, Any]) -> None:
        """A click on the market view: inspect an actor, or open a district."""
        kind = datum.get("kind")
        if kind in ("ngo", "purchaser") and "id" in datum:
            self.inspected.value = (kind, int(datum["id"]))
        elif kind == "district" and "district" in datum:
            self.district.value = int(datum["district"])
            self.inspected.value = None

    def _bump(self) -> None:
        self.tick.value += 1


def on(action: Callable[..., Any], *args: Any) -> Callable[..., None]:
    """A callback that runs ``action(*args)`` whatever the widget passes."""

    def callback(*_ignored: Any) -> None:
        action(*args)

    return callback
