"""A classroom session: one market that students play from their browsers.

The teacher's machine holds one :class:`Session`: a one-city market of a scenario, the
students' seats and the year in progress. Students join with the session's code and a
name; each gets a seat (:class:`Seat`): the head of an NGO of the market, or, every
``officials_every``-th student, the official of a purchaser. Simulated agents hold every
other seat.

A year runs in a thread of its own and stops where people decide
(:class:`~simcontract.classroom.players.Players`):

1. ``planning``: the heads plan the year (tenders to bid for, price, hours, duties,
   staff, documentation, courting, advocacy). It ends when every head who is present
   has decided, when the timer runs out, or when the teacher moves on; a head who is
   absent or out of time gets the model's plan.
2. ``awarding``: for each tender of a purchaser whose official a student plays, that
   official sees the bids and their scores and picks the winner (or none); the model
   decides when the official is absent or out of time.
3. ``results``: the year is closed; everyone sees what happened to them and why. The
   teacher starts the next year.

After the last year (or when the teacher ends it) the session is ``ended`` and the
debrief compares the students' NGOs with the simulated ones. Every decision and every
year's outcome are logged (:mod:`simcontract.classroom.logbook`) in the session's
folder as the session goes.
"""

from __future__ import annotations

import secrets
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simcontract import i18n
from simcontract.classroom.logbook import Logbook, build_model, seat_numbers, seat_players
from simcontract.classroom.plans import (
    AwardChoice,
    Limits,
    NGOPlan,
    PlanError,
    Refusal,
    parse_award,
    parse_plan,
)
from simcontract.classroom.players import Pending, year_end
from simcontract.phases.tendering import Terms
from simcontract.scenario import Scenario, ScenarioError, load_scenario

PRESENT_SECONDS = 12.0
"""A seat whose browser has not asked for news for this long counts as absent."""

MAX_SEATS = 200
"""Most students one session takes."""

MAX_NAME = 40
"""Longest name a student may give (characters)."""

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Characters of a join code (no 0/O or 1/I to misread)."""

PHASES = ("lobby", "planning", "awarding", "running", "results", "ended")
"""The phases of a session, in the order a year goes through them."""


class Refused(Refusal):
    """A request the session refuses: ``key`` names the message (``classroom.errors``)."""


@dataclass
class Seat:
    """A student's place in the market.

    Attributes:
        token: The secret that lets the student's browser back into the seat.
        name: The name the student gave.
        role: ``ngo`` (an NGO head) or ``official``.
        agent: The NGO's or the purchaser's id.
        number: Join order, from 1.
        from_year: The first year the student decides in.
        last_seen: When the student's browser last asked for news (monotonic seconds).
        plan: This year's plan, once submitted.
        award: The award submitted for the pending tender.
        awaited: An official's tenders this year that waited for their award.
        awarded: How many of those the official awarded (the model made the others).
        rejoin: The teacher lets the next join under this name take the seat back
            (:meth:`Session.let_rejoin`).
    """

    token: str
    name: str
    role: str
    agent: int
    number: int
    from_year: int
    last_seen: float = 0.0
    plan: NGOPlan | None = None
    award: AwardChoice | None = None
    awaited: int = 0
    awarded: int = 0
    rejoin: bool = False

    def present(self, now: float) -> bool:
        """Whether the student's browser asked for news lately."""
        return now - self.last_seen < PRESENT_SECONDS

    def meta(self) -> dict[str, Any]:
        """The seat as the log keeps it (no token)."""
        return {
            "number": self.number,
            "name": self.name,
            "role": self.role,
            "agent": self.agent,
            "from_year": self.from_year,
        }


def classroom_scenario(scenario: str | Path | Scenario | None, years: int) -> Scenario:
    """The scenario as a class plays it: its first city only, for ``years`` years."""
    return load_scenario(scenario).replace(n_cities=1, years=years)


class Session:
    """One shared market, its seats and its year in progress.

    Args:
        scenario: The scenario (its first city is played).
        seed: The model's seed.
        years: Years to play.
        officials_every: Every this-many-th student plays an official (0: none).
        plan_seconds: Time to plan a year (0: no timer).
        award_seconds: Time to award a tender (0: no timer).
        folder: Where the log is written (``None``: not written).
        code: The join code (default: six random characters).
        lang: The language the pages open in (``None``: each browser's own); a page's
            language menu still chooses another.

    Attributes:
        phase: Where the session is (one of :data:`PHASES`).
        step: Counts the phases entered: the dashboard sends back the step it showed
            with *Start* and *Next*, so a click meant for a stop that has passed does
            nothing.
        closed_year: The last year closed (0: none yet).
    """

    def __init__(
        self,
        scenario: str | Path | Scenario | None = "baseline",
        *,
        seed: int = 1,
        years: int = 6,
        officials_every: int = 5,
        plan_seconds: float = 240.0,
        award_seconds: float = 90.0,
        folder: Path | None = None,
        code: str | None = None,
        lang: str | None = None,
    ) -> None:
        self.scenario = classroom_scenario(scenario, years)
        self.seed = seed
        self.years = years
        self.officials_every = officials_every
        self.timers = {"planning": float(plan_seconds), "awarding": float(award_seconds)}
        self.folder = folder
        self.code = code or "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        self.teacher_key = secrets.token_urlsafe(16)
        self.lang = None if lang is None else i18n.resolve(lang)
        self.model, self.players = build_model(self._meta(seats=[]), self)
        self.city = self.model.cities[0]
        self.book = Logbook()
        self.seats: dict[str, Seat] = {}
        self.retired: list[Seat] = []
        self.phase = "lobby"
        self.step = 0
        self.closed_year = 0
        # The year whose seats are given to the players (under the lock): a seat taken
        # now counts from the year after. Not the model's year, which the year's thread
        # sets outside the lock once the seats are given.
        self.seated_year = 0
        self.version = 0
        self.deadline: float | None = None
        self.paused_left: float | None = None
        self.closing = False
        self.end_requested = False
        self.error = ""
        self.limits: dict[int, Limits] = {}
        self.defaults: dict[int, dict[str, Any]] = {}
        self.pending: Pending | None = None
        self.stories: dict[int, list[tuple[str, dict[str, Any]]]] = {}
        self.snapshot: dict[str, Any] = {}
        self.lock = threading.Condition()
        self._draw = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[1])
        self._thread: threading.Thread | None = None
        self.on_change: Callable[[], None] | None = None
        self._take_snapshot()

    # ------------------------------------------------------------ joining
    def join(self, code: str, name: str) -> Seat:
        """Give a student a seat.

        A name the teacher lets rejoin (:meth:`let_rejoin`) gets its seat back.

        Raises:
            Refused: A wrong code, a bad or taken name, a full or ended session, or
                no NGO or official's post left without a student.
        """
        with self.lock:
            if not isinstance(code, str) or code.strip().upper() != self.code:
                raise Refused("wrong_code")
            if not isinstance(name, str):
                raise Refused("bad_name", most=MAX_NAME)
            name = " ".join(name.split())
            if not name or len(name) > MAX_NAME or not name.isprintable():
                raise Refused("bad_name", most=MAX_NAME)
            same = next(
                (s for s in self.seats.values() if s.name.casefold() == name.casefold()), None
            )
            if same is not None and not same.rejoin:
                raise Refused("name_taken", name=name)
            if self.phase == "ended":
                raise Refused("session_ended")
            if same is not None:
                return self._rekey(same)
            if len(self.seats) >= MAX_SEATS:
                raise Refused("session_full", most=MAX_SEATS)
            number = len(self.seats) + len(self.retired) + 1
            every = self.officials_every
            role = "official" if every and number % every == 0 else "ngo"
            agent = self._free_agent(role)
            if agent is None:
                role = "ngo" if role == "official" else "official"
                agent = self._free_agent(role)
            if agent is None:  # every NGO and official's post of the market is taken
                raise Refused("no_free_agent")
            seat = Seat(
                secrets.token_urlsafe(18),
                name,
                role,
                agent,
                number,
                from_year=self.seated_year + 1,
                last_seen=time.monotonic(),
            )
            self.seats[seat.token] = seat
            if self.phase != "running":  # the year thread waits or is done
                self._take_snapshot()
            self._changed()
            return seat

    def _rekey(self, seat: Seat) -> Seat:
        """Give ``seat`` a new token (the browser that held the old one loses it)."""
        old = seat.token
        seat.token = secrets.token_urlsafe(18)
        seat.rejoin = False
        seat.last_seen = time.monotonic()
        self.seats = {(seat.token if t == old else t): s for t, s in self.seats.items()}
        self._changed()
        return seat

    def let_rejoin(self, number: int, allow: bool = True) -> None:
        """Let the student of seat ``number`` take it back from another browser (the
        page's cookie was lost: a closed private window, another device): the next join
        under the seat's name gets the seat, its organisation or post and its
        decisions so far, and the browser that held it loses it. ``allow=False``
        withdraws the permission.

        Raises:
            Refused: No seat has that number (``no_such_seat``), or the session has
                ended.
        """
        with self.lock:
            seat = next((s for s in self.seats.values() if s.number == number), None)
            if seat is None:
                raise Refused("no_such_seat", number=number)
            if self.phase == "ended":
                raise Refused("session_ended")
            seat.rejoin = bool(allow)
            self._changed()

    def _free_agent(self, role: str) -> int | None:
        """An NGO or purchaser no student holds, drawn at random."""
        taken = {s.agent for s in (*self.seats.values(), *self.retired) if s.role == role}
        if role == "ngo":
            free = [n.unique_id for n in self.city.ngos if n.alive and n.unique_id not in taken]
        else:
            free = [
                p.unique_id
                for p in self.city.purchasers
                if p.unique_id not in taken and p.cadre is not None
            ]
        if not free:
            return None
        return free[int(self._draw.integers(len(free)))]

    def reseat(self, token: str) -> Seat:
        """Give a student whose NGO has closed another NGO of the market, from next year.

        Raises:
            Refused: No such seat, not an NGO head, an NGO still active, or none free.
        """
        with self.lock:
            old = self.seats.get(token or "")
            if old is None:
                raise Refused("no_seat")
            alive = {n.unique_id for n in self.city.ngos if n.alive}
            if old.role != "ngo" or old.agent in alive or self.phase == "ended":
                raise Refused("not_now")
            agent = self._free_agent("ngo")
            if agent is None:  # every active NGO has a student at its head
                raise Refused("no_free_ngo")
            self.retired.append(old)
            seat = Seat(
                token,
                old.name,
                "ngo",
                agent,
                number=len(self.seats) + len(self.retired),
                from_year=self.seated_year + 1,
                last_seen=time.monotonic(),
            )
            self.seats[token] = seat
            if self.phase != "running":  # the year thread waits or is done
                self._take_snapshot()
            self._changed()
            return seat

    def seat(self, token: str | None) -> Seat | None:
        """The seat of a browser's token (``None``: no such seat); marks it present."""
        with self.lock:
            seat = self.seats.get(token or "")
            if seat is not None:
                seat.last_seen = time.monotonic()
            return seat

    # ------------------------------------------------------------ the teacher
    def start(self, step: int | None = None) -> None:
        """Start the first year (or, after a year's results, the next one).

        Args:
            step: The session's :attr:`step` the teacher saw (``None``: not checked).

        Raises:
            Refused: The session has moved on from ``step`` (``moved_on``), has ended
                (``session_ended``), or is not between years (``not_now``).
        """
        with self.lock:
            self._check_step(step)
            if self.phase == "ended":
                raise Refused("session_ended")
            if self.phase not in ("lobby", "results"):
                raise Refused("not_now")
            if self.end_requested or self.model.year >= self.years:
                raise Refused("session_ended")
            self._set_phase("running")
            self._changed()
            self._thread = threading.Thread(target=self._run_year, daemon=True)
            self._thread.start()

    def advance(self, step: int | None = None) -> None:
        """Move on: close the decisions now (defaults for whoever has not decided), or
        start the next year after the results.

        Args:
            step: The session's :attr:`step` the teacher saw when pressing *Next*
                (``None``: not checked). A second click that arrives once the session
                has moved on is refused rather than closing the next stop too.

        Raises:
            Refused: The session has moved on from ``step`` (``moved_on``), or there is
                nothing to move on to.
        """
        with self.lock:
            self._check_step(step)
            if self.phase in ("planning", "awarding"):
                self.closing = True
                self._changed()
                return
            self.start()

    def _check_step(self, step: int | None) -> None:
        if step is not None and step != self.step:
            raise Refused("moved_on")

    def _set_phase(self, phase: str) -> None:
        """Enter ``phase``: a new :attr:`step` of the session."""
        self.phase = phase
        self.step += 1

    def pause(self) -> None:
        """Stop the clock (and hold the year) until :meth:`resume`."""
        with self.lock:
            if self.deadline is not None and self.paused_left is None:
                self.paused_left = max(0.0, self.deadline - time.monotonic())
            elif self.paused_left is None:
                self.paused_left = -1.0
            self._changed()

    def resume(self) -> None:
        """Start the clock again."""
        with self.lock:
            if self.paused_left is not None and self.paused_left >= 0:
                self.deadline = time.monotonic() + self.paused_left
            self.paused_left = None
            self._changed()

    def set_timer(self, phase: str, seconds: float) -> None:
        """Set the time for ``planning`` or ``awarding`` (0: no timer); a running clock
        restarts with it.

        Raises:
            Refused: Another phase, or seconds out of 0 to 3,600.
        """
        if phase not in self.timers:
            raise Refused("bad_timer")
        if not 0 <= seconds <= 3600:
            raise Refused("bad_timer")
        with self.lock:
            self.timers[phase] = float(seconds)
            if self.phase == phase:
                self.deadline = time.monotonic() + seconds if seconds else None
                if self.paused_left is not None:
                    self.paused_left = float(seconds) if seconds else -1.0
            self._changed()

    def end(self) -> None:
        """End the session: now between years; during a year, the decisions still open
        close at once as with *Next* (whoever has not decided gets the model's decision,
        for the rest of the year too; plans submitted stand), the model finishes the
        year, which is logged whole, and the session ends when it closes."""
        with self.lock:
            self.end_requested = True
            self.closing = True
            if self.phase in ("lobby", "results"):
                self._set_phase("ended")
                self._save()
            self._changed()

    # ------------------------------------------------------------ the students
    def submit_plan(self, token: str, data: Any) -> NGOPlan:
        """Take an NGO head's plan for this year.

        Raises:
            Refused: Not an NGO head, or not the time to plan.
            PlanError: A rule broken (see :func:`~simcontract.classroom.plans.parse_plan`).
        """
        with self.lock:
            seat = self._seat_in(token, "ngo", "planning")
            limits = self.limits.get(seat.agent)
            if limits is None:
                raise Refused("not_now")
            seat.plan = parse_plan(data, limits)
            self._changed()
            return seat.plan

    def submit_award(self, token: str, data: Any) -> AwardChoice:
        """Take an official's award of the pending tender.

        Raises:
            Refused: Not this tender's official, or no tender pending.
            PlanError: Another tender, or a winner who did not bid.
        """
        with self.lock:
            seat = self._seat_in(token, "official", "awarding")
            pending = self.pending
            if pending is None or pending.purchaser != seat.agent:
                raise Refused("not_now")
            seat.award = parse_award(data, pending.tender, pending.bidders)
            self._changed()
            return seat.award

    def _seat_in(self, token: str, role: str, phase: str) -> Seat:
        seat = self.seats.get(token or "")
        if seat is None:
            raise Refused("no_seat")
        if seat.role != role or self.phase != phase or seat.from_year > self.model.year:
            raise Refused("not_now")
        seat.last_seen = time.monotonic()
        return seat

    # ------------------------------------------------------------ the desk (year thread)
    def collect_plans(self, year: int, limits: dict[int, Limits]) -> dict[int, NGOPlan]:
        """Wait for the heads' plans (see the module's description)."""
        with self.lock:
            self.limits = limits
            self.defaults = {uid: self._default_plan(uid) for uid in limits}
            heads = [s for s in self.seats.values() if s.role == "ngo" and s.agent in limits]
            for seat in heads:
                seat.plan = None
            for seat in self.seats.values():  # a new year: no award waited for yet
                seat.awaited = seat.awarded = 0
            self._take_snapshot()
            self._wait("planning", lambda now: all(s.plan or not s.present(now) for s in heads))
            plans = {}
            for seat in heads:
                if seat.plan is not None:
                    plans[seat.agent] = seat.plan
                    self.book.decision(year, seat, "plan", seat.plan.as_dict(), "student")
                else:  # the model's choices are drawn through the year, not here
                    self.book.decision(year, seat, "plan", {}, "model")
            self.limits = {}
            return plans

    def collect_award(self, year: int, pending: Pending) -> AwardChoice | None:
        """Wait for the official's award of a tender of the purchaser."""
        with self.lock:
            seat = next(
                (
                    s
                    for s in self.seats.values()
                    if s.role == "official" and s.agent == pending.purchaser
                ),
                None,
            )
            if seat is None:
                return None
            seat.award = None
            seat.awaited += 1
            self.pending = pending
            self._wait("awarding", lambda now: seat.award is not None or not seat.present(now))
            self.pending = None
            choice = seat.award
            seat.awarded += choice is not None
            # the award made: the student's, else the one the model proposed (and makes)
            winner = pending.proposed if choice is None else choice.winner
            value = {"tender": pending.tender, "winner": winner}
            self.book.decision(year, seat, "award", value, "student" if choice else "model")
            return choice

    def _wait(self, phase: str, done: Callable[[float], bool]) -> None:
        """Hold the year in ``phase`` until ``done``, the clock or the teacher ends it."""
        self._set_phase(phase)
        self.closing = self.end_requested
        seconds = self.timers[phase]
        self.deadline = time.monotonic() + seconds if seconds else None
        if self.paused_left is not None:
            self.paused_left = seconds if seconds else -1.0
        self._changed()
        while not self.closing:
            now = time.monotonic()
            if self.paused_left is None and (
                done(now) or (self.deadline is not None and now >= self.deadline)
            ):
                break
            self.lock.wait(0.2)
        self.deadline = None
        self._set_phase("running")
        self._changed()

    def _default_plan(self, uid: int) -> dict[str, Any]:
        """The plan the model would make for a seated NGO, as a form's starting values."""
        ngo = self.players.heads[uid]
        rules = self.model.rules
        terms = Terms.of(rules)
        cadre = self.players.default_court.get(uid)
        return NGOPlan(
            bids=(),
            price=round(1.0 - rules["max_discount"] * rules["base_discount"], 3),
            promise=round(1.0 + rules["max_bid_inflation"] * ngo.dare * terms.incentive, 3),
            court=cadre.post.unique_id if cadre is not None and cadre.post else None,
            advocacy=round(float(ngo.advocacy), 3),
        ).as_dict()

    def _run_year(self) -> None:
        """Run one year of the market (in its own thread), then close it."""
        try:
            with self.lock:
                self.seated_year = self.model.year + 1
                seat_players(self.players, self._seat_list(), self.seated_year)
            outgrown = ""
            try:
                self.model.step()
            except ScenarioError as err:  # outgrew the memory: the year is whole
                outgrown = str(err)  # its one line says it all
            with self.lock:
                # Set with the close, under one hold of the lock: whoever sees the
                # session ended sees why.
                self.error = outgrown
                try:
                    self._close_year()
                except Exception:  # the log could not be written: the same hold
                    self._fail()
        except Exception:
            with self.lock:
                self._fail()

    def _fail(self) -> None:
        """End the session on the exception being handled, its reason shown (the lock
        held)."""
        self.error = traceback.format_exc(limit=3)
        self._set_phase("ended")
        self._changed()

    def _close_year(self) -> None:
        year = self.model.year
        self.book.year_closed(self.model, seat_numbers(self._seat_list(), year), self.players)
        year_end(self.players, year)
        self.stories = {}
        for seat_id, key, values in self.players.story:
            self.stories.setdefault(seat_id, []).append((key, values))
        self.closed_year = year
        last = year >= self.years or self.end_requested or not self.model.running or self.error
        self._set_phase("ended" if last else "results")
        self._take_snapshot()
        self._save()
        self._changed()

    # ------------------------------------------------------------ state
    def _take_snapshot(self) -> None:
        from simcontract.classroom.views import market_snapshot

        self.snapshot = market_snapshot(self)

    def _seat_list(self) -> list[dict[str, Any]]:
        every = [*self.seats.values(), *self.retired]
        return [s.meta() for s in sorted(every, key=lambda s: s.number)]

    def _meta(self, seats: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "scenario": self.scenario.to_dict(),
            "seed": self.seed,
            "years": self.years,
            "seats": seats,
        }

    def _save(self) -> None:
        if self.folder is not None:
            self.book.save(self.folder, self._meta(self._seat_list()), self.model)

    def _changed(self) -> None:
        self.version += 1
        self.lock.notify_all()
        if self.on_change is not None:
            self.on_change()

    def wait_for(self, phases: tuple[str, ...], timeout: float = 30.0) -> str:
        """Block until the session is in one of ``phases`` (for scripts and tests).

        Raises:
            TimeoutError: Not within ``timeout`` seconds.
        """
        end = time.monotonic() + timeout
        with self.lock:
            while self.phase not in phases:
                left = end - time.monotonic()
                if left <= 0:
                    said = {"phase": repr(self.phase), "timeout": timeout}
                    raise TimeoutError(i18n.error_text("types", "session_wait", **said))
                self.lock.wait(min(left, 0.2))
            return self.phase


__all__ = ["PHASES", "PlanError", "Refused", "Seat", "Session"]
