"""The classroom tells each seat what happened as it happened: who made an award, what the
plan form starts from, what a year counts, what ending a session does, and why a
request was refused."""

from __future__ import annotations

import dataclasses
import json
import re
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from test_classroom import Browser, _hold, _moved, serving

from simcontract import i18n
from simcontract.classroom.logbook import read_log
from simcontract.classroom.plans import AwardChoice, NGOPlan, PlanError, parse_award
from simcontract.classroom.players import Players, tender_id
from simcontract.classroom.session import Refused, Session
from simcontract.classroom.views import story, student_view, teacher_view
from simcontract.phases.tendering import Bids

DOCS = Path(__file__).resolve().parents[1] / "docs"
LANGS = ("en", "zh_CN")


class _Rules(dict):
    year = 1


class _Desk:
    """An official's desk that awards as told (``None``: no choice, the model awards)."""

    def __init__(self, choice: AwardChoice | None) -> None:
        self.choice = choice

    def collect_award(self, year, pending):
        return self.choice


# ------------------------------------------------------------------ who made the award
def test_an_award_the_official_did_not_make_is_told_as_the_models() -> None:
    session = Session(years=1, seed=3, officials_every=1)
    official = session.join(session.code, "Li")
    purchaser = next(p for p in session.city.purchasers if p.unique_id == official.agent)
    slot = purchaser.slots[0]
    a, b = session.city.ngos[:2]
    terms = SimpleNamespace(rules=_Rules(min_reputation=0.0), ceiling=100.0, required=10.0)
    told = {}
    for name, choice in (
        ("student", AwardChoice(tender_id(slot), b.unique_id)),
        ("model", None),
    ):
        players = Players(desk=_Desk(choice), officials={official.agent})
        bids = Bids([a, b], [90.0, 95.0], [11.0, 10.0], [0.9, 0.9], [0.0, 0.0], [0.0, 0.0])
        best = players.award(slot, bids, ([0.9, 0.5], [0.9, 0.5]), 0, terms)
        (_seat, key, _values) = players.story[0]
        told[name] = key
        session.stories = {official.agent: [(key, players.story[0][2])]}
        lines = {lang: story(session, official, lang)[0] for lang in LANGS}
        if name == "model":  # the model's pick stands, and the official is told so
            assert best == 0 and key == "awarded_by_model"
            assert "model awarded" in lines["en"] and not lines["en"].startswith("You awarded")
            assert "由模型" in lines["zh_CN"] and "你把" not in lines["zh_CN"]
        else:
            assert best == 1 and lines["en"].startswith("You awarded")
    assert told == {"student": "awarded", "model": "awarded_by_model"}
    unawarded = {"tender": tender_id(slot), "bids": 2}
    session.stories = {official.agent: [("no_award_by_model", unawarded)]}
    assert "awarded it to nobody" in story(session, official, "en")[0]


# ------------------------------------------------------------------ the plan form
def test_the_form_ticks_no_tender_and_says_so_and_the_docs_say_what_it_starts_from() -> None:
    session = Session(years=1, seed=3, plan_seconds=0, award_seconds=0)
    seats = [session.join(session.code, name) for name in ("Ann", "Bob", "Cai")]
    session.start()
    session.wait_for(("planning",))
    _hold(session)
    seat = next(s for s in seats if session.limits[s.agent].tenders)
    limits = session.limits[seat.agent]
    for lang in LANGS:
        form = student_view(session, seat, lang)["form"]
        assert form["values"]["bids"] == []  # the model's tenders are drawn later
        most = i18n.text("classroom.most_bids", lang, most=limits.most_bids)
        assert form["notes"] == [most, i18n.text("classroom.none_ticked", lang)]
    # An NGO without room: only the reason it cannot bid, not "up to 0 tenders".
    session.limits[seat.agent] = dataclasses.replace(limits, tenders=(), most_bids=0)
    for lang in LANGS:
        notes = student_view(session, seat, lang)["form"]["notes"]
        assert notes == [i18n.text("classroom.no_room", lang)]
        assert i18n.text("classroom.most_bids", lang, most=0) not in notes
    session.limits[seat.agent] = limits
    session.end()
    session.wait_for(("ended",), 60)
    en = (DOCS / "CLASSROOM.md").read_text(encoding="utf-8")
    zh = (DOCS / "zh" / "classroom.md").read_text(encoding="utf-8")
    assert "The form starts from what the model would do." not in en
    assert "No tender is ticked" in " ".join(en.split())
    assert "表单的初始值就是模型会做的选择" not in zh and "没有勾选任何招标项目" in zh


# ------------------------------------------------------------------ what a year counts
def test_won_counts_every_contract_won_in_the_year_even_one_that_ended_in_it() -> None:
    """Year 1's contracts run 1 to n years: some won this year end this year, and no
    longer appear among the NGO's contracts when the year closes."""
    session = Session(years=1, seed=3, plan_seconds=0, award_seconds=0)
    session.start()
    session.wait_for(("ended",), 60)
    record = session.model.records[-1]
    won = sum(row["won"] for row in session.book.ngos)
    still_held = sum(1 for n in session.model.ngos for c in n.contracts if c.start == 1)
    assert still_held < record.awards  # some contracts ended within the year
    assert won == record.awards


# ------------------------------------------------------------------ ending a session
def test_end_session_during_planning_closes_the_year_as_the_docs_say(tmp_path) -> None:
    session = Session(years=3, seed=5, plan_seconds=0, award_seconds=0, folder=tmp_path)
    ann = session.join(session.code, "Ann")
    session.join(session.code, "Bob")
    session.start()
    session.wait_for(("planning",))
    _hold(session)
    plan = student_view(session, ann, "en")["form"]["values"] | {"price": 0.8}
    session.submit_plan(ann.token, plan)
    session.end()
    assert session.wait_for(("ended",), 60) == "ended"
    assert session.closed_year == 1  # the year in progress was finished and logged
    _meta, decisions, ngos = read_log(tmp_path)
    assert set(ngos["year"]) == {1}
    sources = dict(zip(decisions["name"], decisions["source"], strict=True))
    assert sources == {"Ann": "student", "Bob": "model"}
    assert json.loads(decisions.loc[decisions["name"] == "Ann", "value"].iloc[0])["price"] == 0.8
    en = " ".join((DOCS / "CLASSROOM.md").read_text(encoding="utf-8").split())
    zh = "".join((DOCS / "zh" / "classroom.md").read_text(encoding="utf-8").split())
    assert "**End session** ends it after the year in progress." not in en
    assert "closes the decisions still open at once" in en and "logged whole" in en
    assert "**结束课堂**在本年结束后结束课堂。" not in zh and "立即结束仍在进行的决定" in zh


# ------------------------------------------------------------------ refusals
def test_a_stale_award_is_refused_without_the_internal_tender_id() -> None:
    with pytest.raises(PlanError) as err:
        parse_award({"tender": "4-0", "winner": 5}, "4-1", (5, 6))
    assert err.value.key == "not_this_tender"
    for lang in LANGS:
        said = err.value.message(lang)
        assert "4-0" not in said and not re.search(r"\d-\d", said), said
        assert said != i18n.text("classroom.errors.no_such_tender", lang, tender="")


def test_no_free_ngo_is_said_as_such_not_as_a_full_session() -> None:
    session = Session(years=2, seed=3, officials_every=0)
    ann = session.join(session.code, "Ann")
    with pytest.raises(Refused) as err:
        for i in range(200):
            session.join(session.code, f"S{i}")
    assert err.value.key == "no_free_agent"
    assert len(session.seats) == len(session.city.ngos) + len(session.city.purchasers)
    next(n for n in session.city.ngos if n.unique_id == ann.agent).exit("insolvent")
    with pytest.raises(Refused) as err:
        session.reseat(ann.token)
    assert err.value.key == "no_free_ngo"
    for lang in LANGS:
        said = err.value.message(lang)
        assert said != i18n.text("classroom.errors.session_full", lang, most=len(session.seats))
    assert "take over" in err.value.message("en") and "接手" in err.value.message("zh_CN")


# ------------------------------------------------------------------ the year named
def test_the_results_name_the_year_they_are_of() -> None:
    session = Session(years=2, seed=4, plan_seconds=0, award_seconds=0)
    ann = session.join(session.code, "Ann")
    assert teacher_view(session, "en")["market"]["year"] is None
    session.start()
    session.wait_for(("planning",))
    session.advance()
    session.wait_for(("results",), 60)
    view = student_view(session, ann, "en")
    assert view["year"] == 1 and view["story_year"] == 1 and view["story"]
    assert teacher_view(session, "en")["market"]["year"] == 1
    for lang, old in (("en", "last year"), ("zh_CN", "去年")):
        for key in ("what_happened", "slots_served", "tenders_last", "failed_last"):
            said = i18n.text(f"classroom.{key}", lang, year=1)
            assert old not in said and "1" in said, said
    script = (
        Path(__file__).resolve().parents[1] / "simcontract/classroom/static/classroom.js"
    ).read_text(encoding="utf-8")
    assert 'T("what_happened", {year: view.story_year})' in script
    assert 'T("slots_served", {year: m.year})' in script
    session.start()  # year 2 plans: the story and the counts are still year 1's
    session.wait_for(("planning",))
    assert student_view(session, ann, "en")["story_year"] == 1
    assert teacher_view(session, "en")["market"]["year"] == 1
    session.end()
    session.wait_for(("ended",), 60)


# ------------------------------------------------------------------ bids not made
def test_a_ticked_bid_that_could_not_be_made_is_told() -> None:
    session = Session(years=1, seed=3)
    ann = session.join(session.code, "Ann")
    ngo = next(n for n in session.city.ngos if n.unique_id == ann.agent)
    slot = next(p for p in session.city.purchasers if p.mode == "open").slots[0]
    tender = tender_id(slot)
    players = Players(desk=None, ngos={ann.agent})
    players.heads = {ann.agent: ngo}
    players.plans = {ann.agent: NGOPlan(bids=(tender,))}
    ngo.round_capacity = len(ngo.contracts)  # full by the time the tender runs
    assert players.answer(slot, []) == []
    assert [(s, k) for s, k, _ in players.story] == [(ann.agent, "bid_not_made_full")]
    players.story = []
    players.answer(slot, [ngo])  # its bid made: nothing to tell
    assert players.story == []
    ngo.round_capacity = len(ngo.contracts) + 1
    players.answer(slot, [])  # room, but not the money
    assert [k for _, k, _ in players.story] == ["bid_not_made_money"]
    session.stories = {ann.agent: [("bid_not_made_full", {"tender": tender})]}
    assert "as many contracts as it can run" in story(session, ann, "en")[0]
    assert "能力范围内最多的合同" in story(session, ann, "zh_CN")[0]


def test_an_official_is_decided_only_once_every_tender_of_the_year_is() -> None:
    """The official lets the first tender of the year go to the model and awards the
    later ones: not every tender was theirs, though the last one was."""
    session = Session(years=1, seed=3, plan_seconds=0, award_seconds=0, officials_every=2)
    for i in range(6):
        session.join(session.code, f"S{i}")
    session.start()
    while session.wait_for(("planning", "awarding", "ended"), 60) != "ended":
        _hold(session)
        step, pending = session.step, session.pending
        official = next(
            (
                s
                for s in session.seats.values()
                if s.agent == getattr(pending, "purchaser", None) and s.role == "official"
            ),
            None,
        )
        if official is not None and official.awaited > 1:
            choice = {"tender": pending.tender, "winner": pending.bidders[0]}
            session.submit_award(official.token, choice)
        else:
            session.advance(step)
        _moved(session, step)
    rows = {r["number"]: r for r in teacher_view(session, "en")["seats"]}
    officials = [s for s in session.seats.values() if s.role == "official"]
    several = [s for s in officials if s.awaited > 1]
    assert several, "no official had two tenders"
    for seat in officials:
        row = rows[seat.number]
        assert row["awards"] == {"made": max(0, seat.awaited - 1), "awaited": seat.awaited}
        assert row["decided"] is False  # the first tender of each was the model's


# ------------------------------------------------------------------ a lost seat
def test_a_student_who_lost_the_page_rejoins_the_same_seat_once_the_teacher_lets_them() -> None:
    session = Session(years=2, seed=3, plan_seconds=0, award_seconds=0)
    ann = session.join(session.code, "Ann")
    session.join(session.code, "Bob")
    old, agent, number = ann.token, ann.agent, ann.number
    session.start()
    session.wait_for(("planning",))
    _hold(session)
    plan = student_view(session, ann, "en")["form"]["values"]
    session.submit_plan(old, plan)
    with pytest.raises(Refused) as taken:  # another device, the same name
        session.join(session.code, "ann")
    assert taken.value.key == "name_taken"
    with pytest.raises(Refused) as nobody:
        session.let_rejoin(9)
    assert nobody.value.key == "no_such_seat"
    session.let_rejoin(number)
    rows = teacher_view(session, "en")["seats"]
    assert [r["rejoin"] for r in rows] == [True, False]
    session.let_rejoin(number, allow=False)  # withdrawn: the name is taken again
    with pytest.raises(Refused):
        session.join(session.code, "Ann")
    session.let_rejoin(number)
    back = session.join(session.code, " Ann ")
    assert back is ann and back.token != old and (back.agent, back.number) == (agent, number)
    assert back.plan is not None  # the decisions so far stay with the seat
    assert session.seat(old) is None and session.seat(back.token) is back
    assert len(session.seats) == 2 and not back.rejoin
    with pytest.raises(Refused):  # once: the permission is used up
        session.join(session.code, "Ann")
    session.end()
    session.wait_for(("ended",), 60)
    with pytest.raises(Refused) as ended:
        session.let_rejoin(number)
    assert ended.value.key == "session_ended"


def test_the_dashboard_lets_a_seat_rejoin_and_says_what_the_name_taken_allows() -> None:
    with serving(Session(years=1, seed=9, plan_seconds=0, award_seconds=0)) as teacher:
        session = teacher.session
        teacher.get(f"/teacher?key={session.teacher_key}")
        phone, laptop = Browser(teacher.port), Browser(teacher.port)
        assert phone.post("/api/join", json={"code": session.code, "name": "Ann"})[0] == 200
        status, said, _ = laptop.post("/api/join", json={"code": session.code, "name": "Ann"})
        assert status == 400 and "ask the teacher to let you rejoin" in said["error"]
        assert laptop.post("/api/teacher/rejoin", json={"seat": 1})[0] == 403
        for bad in ({"seat": "1"}, {"seat": 2}, {"seat": True}):
            status, said, _ = teacher.post("/api/teacher/rejoin", json=bad)
            assert status == 400 and said["key"] == "no_such_seat"
        status, said, _ = teacher.post("/api/teacher/rejoin", json={"seat": 1, "allow": "no"})
        assert status == 400 and said["key"] == "not_a_choice"
        assert teacher.post("/api/teacher/rejoin", json={"seat": 1})[0] == 200
        assert teacher.get("/api/teacher")[1]["seats"][0]["rejoin"] is True
        assert laptop.post("/api/join", json={"code": session.code, "name": "Ann"})[0] == 200
        assert laptop.get("/api/me")[1]["seat"]["name"] == "Ann"
        assert phone.get("/api/me")[0] == 401  # the old browser lost the seat
        session.end()
    for lang in LANGS:
        texts = i18n.catalogue(lang)["classroom"]
        assert texts["let_rejoin"] and texts["rejoin_open"] and texts["cancel_rejoin"]


def test_the_organisations_money_is_named_by_the_year_it_was_settled_in() -> None:
    """During the results of year 1, "last year" would be the year before the market."""
    from simcontract.classroom.views import _organisation

    session = Session(years=2, seed=3, plan_seconds=0, award_seconds=0)
    ann = session.join(session.code, "Ann")
    assert student_view(session, ann, "en")["organisation"]["money_year"] == 0  # none yet
    session.start()
    while session.wait_for(("planning", "awarding", "results"), 60) != "results":
        step = session.step
        session.advance(step)
        _moved(session, step)
    org = student_view(session, ann, "en")["organisation"]
    assert org["money_year"] == 1 and org["alive"]
    # An organisation closed in an earlier year (as if year 5 of a longer session had
    # closed) shows the money of the year it closed.
    session.closed_year = 5
    gone = _organisation(session, org | {"alive": False, "exit_year": 3, "exit_reason": ""}, "en")
    assert gone["money_year"] == 3
    session.closed_year = 1
    for lang in LANGS:
        said = i18n.text("classroom.revenue_gov_in", lang, year=1)
        assert "1" in said and said != i18n.text("classroom.revenue_gov", lang)
    session.end()


# ------------------------------------------------------------------ a year that fails
class _Watched(threading.Condition):
    """The session's lock, noting what each release of it leaves for others to see."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session, self.seen = session, []

    def __exit__(self, *exc) -> None:
        s = self.session
        self.seen.append((s.phase, s.error, s.closed_year))
        return super().__exit__(*exc)


def test_a_log_that_cannot_be_written_ends_the_session_with_its_reason_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No one sees the year's results, nor the session ended, before the reason is set:
    the year is closed and the session ended under one hold of the lock."""
    session = Session(years=3, seed=4, plan_seconds=0, award_seconds=0, folder=tmp_path)
    session.lock = watched = _Watched(session)

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(session.book, "save", full)
    session.start()
    session.wait_for(("ended",), 60)
    assert session.closed_year == 1 and "No space left on device" in session.error
    after = [(phase, error) for phase, error, closed in watched.seen if closed == 1]
    assert after and all(phase == "ended" and error for phase, error in after), after


def test_a_seat_taken_as_a_year_starts_counts_from_the_next_year() -> None:
    """Between giving out the year's seats and the model's first phase, the model's
    year is still the last one: a seat taken then must not claim the year begun,
    which it does not play (its log would replay otherwise)."""
    session = Session(years=2, seed=4, plan_seconds=0, award_seconds=0)
    session.join(session.code, "Ann")
    begun, go = threading.Event(), threading.Event()
    step = session.model.step

    def held() -> None:
        begun.set()
        go.wait(30)
        step()

    session.model.step = held
    session.start()
    assert begun.wait(30)
    late = session.join(session.code, "Bob")
    go.set()
    assert session.model.year <= 1 and late.from_year == 2
    session.end()
    session.wait_for(("ended",), 60)
    assert late.agent not in session.players.ngos | session.players.officials


def test_a_request_under_way_when_its_seat_is_rejoined_elsewhere_is_refused() -> None:
    """The old browser's plan, whose body arrives after the seat was given to the
    new one, must not be taken as the seat's (the seat object carries the new token)."""
    import asyncio

    from starlette.requests import Request

    from simcontract.classroom.server import SEAT_COOKIE, make_app

    session = Session(years=1, seed=3, plan_seconds=0, award_seconds=0)
    ann = session.join(session.code, "Ann")
    old = ann.token
    session.start()
    session.wait_for(("planning",))
    _hold(session)
    plan = json.dumps(student_view(session, ann, "en")["form"]["values"]).encode()

    async def receive():  # the body arrives once the seat has moved to a new browser
        session.let_rejoin(ann.number)
        session.join(session.code, "Ann")
        return {"type": "http.request", "body": plan, "more_body": False}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/plan",
        "path_params": {"what": "plan"},
        "query_string": b"",
        "headers": [(b"cookie", f"{SEAT_COOKIE}={old}".encode())],
    }
    pages = next(r for r in make_app(session, "").routes if r.path == "/api/{what}").endpoint
    answer = asyncio.run(pages(Request(scope, receive)))
    assert answer.status_code == 400 and b"no_seat" in answer.body
    assert ann.token != old and ann.plan is None
    session.end()
    session.wait_for(("ended",), 60)
