"""The classroom market: seats, plans, the year's stops, the log and its replay, the API."""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from simcontract import ContractingModel, i18n
from simcontract.classroom.logbook import read_log, replay
from simcontract.classroom.plans import Limits, PlanError, parse_award, parse_plan
from simcontract.classroom.session import MAX_NAME, Refused, Session, classroom_scenario
from simcontract.classroom.views import student_view, teacher_view

LIMITS = Limits(("1-0", "2-1"), (3, 4), 0.7, 1.3, most_bids=2)
GOOD = {
    "bids": ["1-0"],
    "price": 0.9,
    "promise": 1.1,
    "invitations": True,
    "duties": False,
    "documentation": 0.5,
    "hires": 2,
    "court": 3,
    "advocacy": 0.1,
}


def play(session: Session, decide, *, present: bool = True) -> None:
    """Play the session to its end: ``decide(session, phase)`` acts at each stop; the
    students' browsers ask for news all along (``present``) or are all gone."""
    session.start()
    while True:
        phase = session.wait_for(("planning", "awarding", "results", "ended"), 60)
        if phase == "ended":
            return
        if phase == "results":
            session.start()
            continue
        stop = (phase, session.pending)
        if present:
            for seat in session.seats.values():
                seat.last_seen = time.monotonic()
        decide(session, phase)
        with session.lock:  # until the year moves on from this stop
            while (session.phase, session.pending) == stop:
                session.lock.wait(0.05)


def plan_all(session: Session, changes: dict) -> None:
    for seat in list(session.seats.values()):
        if seat.role == "ngo" and seat.agent in session.limits:
            values = student_view(session, seat, "en")["form"]["values"] | changes
            session.submit_plan(seat.token, values)


def award_first(session: Session) -> None:
    pending = session.pending
    official = next(s for s in session.seats.values() if s.agent == pending.purchaser)
    session.submit_award(official.token, {"tender": pending.tender, "winner": pending.bidders[0]})


def both(session: Session, phase: str, changes: dict | None = None) -> None:
    if phase == "planning":
        plan_all(session, changes or {})
    else:
        award_first(session)


# ------------------------------------------------------------------ plans
def test_a_good_plan_is_taken_whole() -> None:
    plan = parse_plan(GOOD, LIMITS)
    assert plan.bids == ("1-0",) and plan.court == 3 and plan.hires == 2 and not plan.duties


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"bids": ["9-9"]}, "no_such_tender"),
        ({"bids": "1-0"}, "not_a_list"),
        ({"bids": ["1-0", "2-1", "1-0"], "hires": 21}, "out_of_range"),
        ({"price": 0.5}, "out_of_range"),
        ({"price": float("nan")}, "not_a_number"),
        ({"promise": True}, "not_a_number"),
        ({"duties": "yes"}, "not_a_choice"),
        ({"court": 99}, "no_such_official"),
        ({"hires": 1.5}, "out_of_range"),
        ({"colour": "red"}, "unknown_field"),
    ],
)
def test_a_plan_that_breaks_a_rule_is_refused_with_its_reason(change: dict, key: str) -> None:
    with pytest.raises(PlanError) as err:
        parse_plan(GOOD | change, LIMITS)
    assert err.value.key == key


def test_more_bids_than_the_model_allows_are_refused() -> None:
    with pytest.raises(PlanError) as err:
        parse_plan(GOOD | {"bids": ["1-0", "2-1"]}, dataclasses.replace(LIMITS, most_bids=1))
    assert err.value.key == "too_many_bids"


def test_an_award_must_go_to_a_bidder_of_the_open_tender() -> None:
    assert parse_award({"tender": "1-0", "winner": 5}, "1-0", (5, 6)).winner == 5
    assert parse_award({"tender": "1-0", "winner": None}, "1-0", (5, 6)).winner is None
    wrong = [
        ({"tender": "1-1", "winner": 5}, "not_this_tender"),
        ({"tender": "1-0", "winner": 7}, "not_a_bidder"),
        ({"tender": "1-0", "winner": True}, "not_a_bidder"),
        (None, "not_a_form"),
    ]
    for bad, key in wrong:
        with pytest.raises(PlanError) as err:
            parse_award(bad, "1-0", (5, 6))
        assert err.value.key == key, (bad, err.value.key)


# ------------------------------------------------------------------ joining
def test_joining_needs_the_code_and_a_fresh_name() -> None:
    session = Session(years=1)
    with pytest.raises(Refused, match="wrong_code"):
        session.join("XXXXXX", "Ann")
    seat = session.join(session.code.lower(), "  Ann  ")
    assert seat.name == "Ann" and seat.role == "ngo" and seat.from_year == 1
    for name, key in (("ann", "name_taken"), ("", "bad_name"), ("x" * 41, "bad_name")):
        with pytest.raises(Refused, match=key):
            session.join(session.code, name)
    roles = [session.join(session.code, f"S{i}").role for i in range(9)]
    assert roles.count("official") == 2  # the 5th and the 10th to join


# ------------------------------------------------------------------ the year
def test_absent_students_leave_the_market_as_the_model_runs_it() -> None:
    """Seats whose holders never decide get the model's own decisions, draw for draw."""
    session = Session(years=3, seed=4, plan_seconds=0, award_seconds=0)
    for i in range(6):
        session.join(session.code, f"S{i}")
    for seat in session.seats.values():
        seat.last_seen = -1e9  # every browser gone
    play(session, lambda s, phase: None, present=False)
    plain = ContractingModel(classroom_scenario("baseline", 3), rng=4).run()
    pd.testing.assert_frame_equal(session.model.series(), plain.series())


def test_students_decisions_change_their_organisations(tmp_path) -> None:
    """Refusing duties, skipping documentation and hiring show in the students' NGOs."""
    session = Session(years=2, seed=5, plan_seconds=0, award_seconds=0, folder=tmp_path)
    for i in range(5):
        session.join(session.code, f"S{i}")
    changes = {"duties": False, "documentation": 0.0, "hires": 3}
    play(session, lambda s, phase: both(s, phase, changes))
    _meta, decisions, ngos = read_log(tmp_path)
    mine = ngos[(ngos["seat"] > 0) & ngos["alive"]]
    assert len(mine) and (mine["documentation"] == 0).all() and (mine["extra"] == 0).all()
    assert (mine["staff"] + mine["quits"] >= 4).all()  # 1 director + 3 hired, before quits
    others = ngos[(ngos["seat"] == 0) & (ngos["contracts"] > 0)]
    assert (others["documentation"] > 0).all()
    assert set(decisions["source"]) == {"student"}
    assert {"plan", "award"} <= set(decisions["kind"])


def test_the_log_replays_to_the_same_market(tmp_path) -> None:
    session = Session(years=3, seed=6, plan_seconds=0, award_seconds=0, folder=tmp_path)
    for i in range(5):
        session.join(session.code, f"S{i}")
    late: list = []

    def decide(s: Session, phase: str) -> None:
        if s.model.year == 2 and not late:
            late.append(s.join(s.code, "Late"))  # takes a seat from year 3
        both(s, phase, {"price": 0.75, "advocacy": 0.4})

    play(session, decide)
    _meta, _decisions, logged = read_log(tmp_path)
    assert late[0].from_year == 3
    assert (logged.loc[logged["year"] < 3, "seat"] != late[0].number).all()
    pd.testing.assert_frame_equal(replay(tmp_path), logged.reset_index(drop=True))


META = '{"scenario": {}, "seed": 1, "seats": []}'


@pytest.mark.parametrize(
    ("files", "said"),
    [
        ({"session.json": "[]"}, "session.json is damaged (not a JSON object but an array)"),
        ({"session.json": "{bad"}, "session.json is damaged (not JSON: Expecting property"),
        ({"session.json": '{"seed": 1}'}, "session.json is damaged (lacks scenario, seats)"),
        ({"session.json": META}, "decisions.parquet is missing; a session log folder holds"),
        (
            {"session.json": META, "decisions.parquet": "junk"},
            "decisions.parquet is damaged (not a Parquet table: ",
        ),
        (
            {"session.json": '{"scenario": {}, "seed": -1, "seats": []}'},
            "session.json is damaged (its seed is -1, not an integer >= 0)",
        ),
        (
            {"session.json": '{"scenario": {}, "seed": 1, "seats": {}}'},
            "session.json is damaged (its seats are an object, not an array)",
        ),
        (
            {"session.json": '{"scenario": {}, "seed": 1, "seats": [{"number": 1}]}'},
            "session.json is damaged (seat 1 is not an object with number, role (ngo or",
        ),
        (
            {"session.json": '{"scenario": {"parameters": {"years": 0}}, "seed": 1, "seats": []}'},
            "session.json is damaged (its scenario: parameter 'years': 0 is out of range",
        ),
    ],
    ids=[
        "array",
        "not-json",
        "lacking-keys",
        "missing-table",
        "junk-table",
        "bad-seed",
        "seats-an-object",
        "seat-lacking-keys",
        "bad-scenario",
    ],
)
def test_a_damaged_log_is_refused_naming_the_file(tmp_path, capsys, files, said) -> None:
    folder, err = refused_replay(tmp_path, capsys, files)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith(f"simcontract: error: --replay {str(folder)!r}: {folder}"), err
    assert said in lines[0], err
    assert sorted(p.name for p in folder.iterdir()) == sorted(files)  # nothing written


def test_a_student_whose_ngo_closed_takes_over_another_from_next_year() -> None:
    session = Session(years=2, seed=3, plan_seconds=0, award_seconds=0)
    ann = session.join(session.code, "Ann")
    with pytest.raises(Refused, match="not_now"):
        session.reseat(ann.token)  # her NGO is active
    session.start()
    session.wait_for(("planning",))
    session.advance()
    session.wait_for(("results",))
    closed = ann.agent
    next(n for n in session.city.ngos if n.unique_id == closed).exit("insolvent")
    again = session.reseat(ann.token)
    assert again.agent != closed and again.from_year == 2 and session.seat(ann.token) is again
    assert student_view(session, again, "en")["organisation"]["alive"]
    assert session.join(session.code, "Bob").number == 3
    assert [s["agent"] for s in session._seat_list()][:2] == [closed, again.agent]


def test_the_teacher_closes_a_year_with_defaults_for_whoever_has_not_decided() -> None:
    session = Session(years=1, seed=7, plan_seconds=0, award_seconds=0)
    seat = session.join(session.code, "Ann")
    session.start()
    session.wait_for(("planning",))
    view = student_view(session, seat, "zh_CN")
    assert view["form"] is not None and "year" in view and view["seat"]["name"] == "Ann"
    session.pause()
    session.advance()
    assert session.wait_for(("ended",)) == "ended"
    assert teacher_view(session, "en")["phase"] == "ended"
    with pytest.raises(Refused) as err:
        session.submit_plan(seat.token, GOOD)
    assert err.value.key == "not_now"


def test_the_timer_closes_a_year() -> None:
    session = Session(years=1, seed=8, plan_seconds=0.3, award_seconds=0.3)
    session.join(session.code, "Ann")
    done = threading.Event()
    session.on_change = lambda: done.set() if session.phase == "ended" else None
    session.start()
    assert session.wait_for(("ended",), 30) == "ended"
    with pytest.raises(Refused) as err:
        session.set_timer("planning", 4000)
    assert err.value.key == "bad_timer"


# ------------------------------------------------------------------ the server
class Browser:
    """A browser of the session's server: one connection, its cookies, JSON answers."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def call(self, method: str, path: str, body: bytes | None = None, **json_body: Any):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if json_body:
            body = json.dumps(json_body.get("json")).encode()
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        raw = response.read()
        for value in response.headers.get_all("set-cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        kind = response.getheader("content-type") or ""
        data = json.loads(raw) if kind.startswith("application/json") else raw
        return response.status, data, response

    def get(self, path: str):
        return self.call("GET", path)

    def post(self, path: str, body: bytes | None = None, **json_body: Any):
        return self.call("POST", path, body, **json_body)


def refused_replay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str]
) -> tuple[Path, str]:
    """The log folder holding ``files`` and what ``classroom --replay`` of it printed on
    stderr, having refused it (exit status 2, nothing on stdout)."""
    from simcontract.cli import main

    folder = tmp_path / "S"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    status = main(["classroom", "--replay", str(folder)])
    out, err = capsys.readouterr()
    assert status == 2 and out == "", err
    return folder, err


@pytest.fixture
def client():
    with serving(Session(years=1, seed=9, plan_seconds=0, award_seconds=0)) as browser:
        yield browser


@contextlib.contextmanager
def on_loopback(make: Callable[[int], Any]) -> Iterator[int]:
    """Serve the application ``make(port)`` on a free port of loopback, for the block.

    The socket is bound here and handed to the server, so that no other socket can take
    the port between choosing it and serving on it (the server would stop at once).
    """
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(make(port), log_level="error"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    end = time.monotonic() + 60
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > end:
                raise RuntimeError(f"the classroom server did not start on port {port}")
            time.sleep(0.02)
        yield port
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@contextlib.contextmanager
def serving(session: Session) -> Iterator[Browser]:
    """``session`` served on a free port of loopback, and a client of it."""
    from simcontract.classroom.server import make_app

    def app(port: int):
        return make_app(session, f"http://127.0.0.1:{port}/?code={session.code}")

    with on_loopback(app) as port:
        browser = Browser(port)
        browser.session = session
        yield browser


def test_students_join_with_the_code_and_keep_their_seat(client) -> None:
    session = client.session
    status, wrong, _ = client.post("/api/join", json={"code": "ZZZZZZ", "name": "Ann"})
    assert status == 400 and "join code" in wrong["error"]
    assert client.get("/api/me")[0] == 401
    assert client.post("/api/join", json={"code": session.code, "name": "Ann"})[0] == 200
    me = client.get("/api/me?lang=zh_CN")[1]
    assert me["seat"]["name"] == "Ann" and me["phase"] == "lobby"
    same = client.get(f"/api/me?since={me['version']}")[1]
    assert same == {"same": True, "version": me["version"]}
    assert client.get("/")[2].getheader("location") == "/play"
    assert b"classroom.js" in client.get("/play")[1]


def test_the_teachers_seat_table_follows_who_comes_and_goes(client) -> None:
    """A student whose browser stops asking for news shows absent on the teacher's next
    poll, though nothing else in the session changed: the poll sends back the presence
    it drew, and a change of it draws the table anew."""
    from simcontract.classroom.session import PRESENT_SECONDS

    session = client.session
    client.post("/api/join", json={"code": session.code, "name": "Ann"})
    client.get(f"/teacher?key={session.teacher_key}")
    view = client.get("/api/teacher")[1]
    assert [s["present"] for s in view["seats"]] == [True]
    asked = f"/api/teacher?since={view['version']}&presence={view['presence']}"
    assert client.get(asked)[1] == {"same": True, "version": view["version"]}
    (ann,) = session.seats.values()
    with session.lock:
        ann.last_seen -= 2 * PRESENT_SECONDS  # her phone dropped off the network
    later = client.get(asked)[1]
    assert later["version"] == view["version"]
    assert [s["present"] for s in later["seats"]] == [False]
    client.get("/api/me")  # she is back
    again = f"/api/teacher?since={later['version']}&presence={later['presence']}"
    assert [s["present"] for s in client.get(again)[1]["seats"]] == [True]


def test_bad_requests_get_one_clear_message(client) -> None:
    session = client.session
    client.post("/api/join", json={"code": session.code, "name": "Ann"})
    assert client.post("/api/plan", json=GOOD)[1]["key"] == "not_now"
    status, bad, _ = client.post("/api/join", b"{not json")
    assert status == 400 and bad["key"] == "not_a_form"
    assert client.post("/api/plan", b"x" * 20_000)[1]["key"] == "too_long"
    assert client.get("/api/teacher")[0] == 403
    assert client.get("/teacher?key=wrong")[0] == 403
    assert client.post("/api/teacher/start")[0] == 403


def test_the_teacher_runs_the_session_and_sees_the_debrief(client) -> None:
    session = client.session
    client.get(f"/teacher?key={session.teacher_key}")
    assert client.get("/api/teacher")[1]["code"] == session.code
    assert client.get("/qr.svg")[1].startswith(b"<?xml")
    bad = client.post("/api/teacher/timer", json={"phase": "planning", "seconds": -1})[1]
    assert bad["key"] == "bad_timer"
    assert client.post("/api/teacher/start", json={"step": _step(client)})[0] == 200
    session.wait_for(("planning", "results", "ended"))
    client.post("/api/teacher/advance", json={"step": _step(client)})
    session.wait_for(("ended",))
    rows = client.get("/api/debrief?lang=zh_CN")[1]
    assert [r["measure"] for r in rows][:2] == ["ngos", "survival"]
    _status, png, response = client.get("/debrief/survival.png?lang=zh_CN")
    assert response.getheader("content-type") == "image/png" and png[:4] == b"\x89PNG"


def _step(client) -> int:
    """The session's step as the teacher's dashboard shows it."""
    return client.get("/api/teacher")[1]["step"]


def test_requests_from_outside_the_local_network_are_refused() -> None:
    from simcontract.classroom.server import local_client

    assert local_client("127.0.0.1") and local_client("192.168.1.20") and local_client("::1")
    assert local_client("10.1.2.3") and local_client("::ffff:172.16.0.9")
    assert not local_client("8.8.8.8") and not local_client("2001:4860::8888")


def test_refusals_name_the_field_as_the_form_does() -> None:
    from simcontract.classroom.server import _error

    for lang in ("en", "zh_CN"):
        body = json.loads(_error("out_of_range", lang, field="price", low=0.7, high=1).body)
        assert body["error"].startswith("“" + i18n.text("classroom.price", lang) + "”")
        body = json.loads(_error("unknown_field", lang, field="price_x").body)
        assert "price_x" in body["error"]


def test_a_refused_outside_request_is_told_why_in_its_language() -> None:
    import asyncio

    from simcontract.classroom.server import _LocalOnly

    async def app(scope, receive, send):  # never reached from outside
        raise AssertionError("served an outside request")

    async def receive():
        return {"type": "http.request", "body": b""}

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    headers = [(b"accept-language", b"zh-CN,zh;q=0.9")]
    scope = {"type": "http", "client": ("8.8.8.8", 5000), "headers": headers}
    scope |= {"method": "GET", "path": "/", "query_string": b""}
    asyncio.run(_LocalOnly(app)(scope, receive, send))
    assert sent[0]["status"] == 403
    assert sent[1]["body"].decode() == i18n.text("classroom.errors.local_only", "zh_CN")


def test_the_command_serves_a_session_until_ctrl_c(tmp_path) -> None:
    import signal
    import subprocess
    import sys

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "simcontract.cli", "classroom", "--port", str(port)]
    proc = subprocess.Popen(
        [*command, "--years", "1", "--out", str(tmp_path / "log")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        browser, end = Browser(port), time.monotonic() + 60
        while time.monotonic() < end:
            try:
                status, page, _ = browser.get("/")
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200 and b"join" in page
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "join code:" in out and "session stopped before its first year" in out


# ------------------------------------------------------------------ the debrief
def _ngo_row(year: int, ngo: int, seat: int = 0, alive: bool = True, bids: int = 0) -> dict:
    """One logged NGO-year (the measures the tests do not read are zeros)."""
    from simcontract.classroom.logbook import _columns

    row = dict.fromkeys(_columns("ngos"), 0.0)
    row |= {"year": year, "ngo": ngo, "seat": seat, "origin": "general", "alive": alive}
    return row | {"exit_reason": "" if alive else "insolvent", "bids": bids, "staff": 3}


def _book(rows: list[dict]):
    from simcontract.classroom.logbook import Logbook

    return Logbook(ngos=rows)


def _cohort_book() -> list[dict]:
    """Three years; NGOs 1-4 headed by students from year 1 (NGO 2 closes in year 2, so
    the log has no row of it in year 3); NGOs 5-8 simulated (NGO 5 closes in year 1);
    NGO 9 simulated in year 1 and headed by a student from year 2 (a reseat)."""
    rows = []
    for year in (1, 2, 3):
        for ngo in range(1, 10):
            closed = {2: 2, 5: 1}.get(ngo)
            if closed is not None and year > closed:
                continue
            seat = ngo if ngo <= 4 else (9 if ngo == 9 and year >= 2 else 0)
            bids = 10 if (ngo == 9 and year == 1) else 1
            rows.append(_ngo_row(year, ngo, seat, alive=closed != year, bids=bids))
    return rows


def test_survival_counts_the_ngos_that_closed_before_the_last_year() -> None:
    from simcontract.classroom import debrief

    ngos = debrief.ngo_years(_book(_cohort_book()))
    table = debrief.comparison(ngos)
    assert table.loc["survival", "students"] == pytest.approx(3 / 4)  # 1 of 4 closed
    assert table.loc["survival", "simulated"] == pytest.approx(3 / 4)  # NGOs 5-8
    curve = debrief.yearly(ngos, "survival")
    assert list(curve.index) == [1, 2, 3]
    assert list(curve["students"]) == pytest.approx([1.0, 0.75, 0.75])
    assert list(curve["simulated"]) == pytest.approx([0.75, 0.75, 0.75])


def test_the_debrief_counts_an_ngo_for_the_students_only_in_the_years_one_headed_it() -> None:
    from simcontract.classroom import debrief

    ngos = debrief.ngo_years(_book(_cohort_book()))
    nine = ngos[ngos["ngo"] == 9].set_index("year")
    assert list(nine["group"]) == ["simulated", "students", "students"]
    assert set(nine["cohort"]) == {""}  # taken over later: out of the survival cohorts
    table = debrief.comparison(ngos)
    # Its 10 bids of year 1 were the model's, made before a student took it over.
    assert table.loc["bids", "students"] == pytest.approx(1.0)
    assert table.loc["bids", "simulated"] > 1.0


def test_the_debrief_charts_mark_whole_years() -> None:
    from simcontract.classroom import debrief

    ngos = debrief.ngo_years(_book(_cohort_book()))
    for name in debrief.FIGURES:
        fig = debrief.figure(name, ngos, lang="en")
        assert list(fig.axes[0].get_xticks()) == [1, 2, 3], name


# ------------------------------------------------------------------ hostile requests
def test_a_huge_number_is_refused_not_a_crash() -> None:
    with pytest.raises(PlanError) as err:
        parse_plan(GOOD | {"price": 10**400}, LIMITS)
    assert err.value.key == "out_of_range"
    for bad in ([1], "1-0", 5):
        with pytest.raises(PlanError) as err:
            parse_award(bad, "1-0", (5, 6))
        assert err.value.key == "not_a_form"


def test_a_wrong_tender_in_an_award_is_told_as_an_award() -> None:
    with pytest.raises(PlanError) as err:
        parse_award({"tender": "1-1", "winner": 5}, "1-0", (5, 6))
    assert err.value.key == "not_this_tender" and err.value.values == {}
    for lang in ("en", "zh_CN"):
        said = err.value.message(lang)
        assert said != i18n.text("classroom.errors.no_such_tender", lang, tender="1-1")
        assert "1-1" not in said  # the page names a tender, never by its internal id


def test_hostile_bodies_get_400_with_a_message(client) -> None:
    session = client.session
    client.get(f"/teacher?key={session.teacher_key}")
    huge = b'{"phase": "planning", "seconds": 1' + b"0" * 400 + b"}"
    status, said, _ = client.post("/api/teacher/timer", huge)
    assert status == 400 and said["key"] == "bad_timer"
    assert session.timers["planning"] == 0
    ann = Browser(client.port)
    status, said, _ = ann.post("/api/join", json={"code": session.code, "name": ["a", "b"]})
    assert status == 400 and said["error"] == i18n.text(
        "classroom.errors.bad_name", "en", most=MAX_NAME
    )
    assert not session.seats
    assert ann.post("/api/join", json={"code": session.code, "name": "Ann"})[0] == 200
    client.post("/api/teacher/start", json={"step": _step(client)})
    session.wait_for(("planning",))
    values = ann.get("/api/me")[1]["form"]["values"]
    status, said, _ = ann.post("/api/plan", json=values | {"price": 10**400})
    assert status == 400 and said["key"] == "out_of_range"
    assert ann.post("/api/plan", json=values)[0] == 200


def test_a_name_must_be_text() -> None:
    session = Session(years=1)
    for name in (["a", "b"], 7, None):
        with pytest.raises(Refused, match="bad_name"):
            session.join(session.code, name)
    with pytest.raises(Refused, match="wrong_code"):
        session.join(123456, "Ann")
    assert not session.seats


# ------------------------------------------------------------------ the teacher's Next
def _hold(session: Session) -> None:
    """Keep every student's browser present."""
    for seat in session.seats.values():
        seat.last_seen = time.monotonic()


def _moved(session: Session, step: int) -> None:
    with session.lock:
        while session.step == step:
            session.lock.wait(0.05)


def test_a_second_click_on_next_does_not_close_the_next_stop_too() -> None:
    """A double click on Next: the second click carries the step the dashboard showed,
    which the session has left, so it does nothing."""
    session = Session(years=2, seed=5, plan_seconds=0, award_seconds=0)
    for i in range(5):  # the 5th plays an official
        session.join(session.code, f"S{i}")
    session.start()
    seen = set()
    while session.wait_for(("planning", "awarding", "results", "ended"), 60) != "ended":
        _hold(session)
        phase, step = session.phase, session.step
        session.advance(step)
        _moved(session, step)
        next_phase = session.wait_for(("planning", "awarding", "results", "ended"), 60)
        if next_phase in ("planning", "awarding"):
            _hold(session)
        now = (session.phase, session.step, session.pending)
        with pytest.raises(Refused, match="moved_on"):
            session.advance(step)  # the stale second click
        assert (session.phase, session.step, session.pending) == now
        seen.add((phase, next_phase))
    assert {("results", "planning"), ("planning", "awarding")} <= seen


def test_next_and_start_over_http_name_the_step_shown(client) -> None:
    session = client.session
    client.get(f"/teacher?key={session.teacher_key}")
    ann = Browser(client.port)
    ann.post("/api/join", json={"code": session.code, "name": "Ann"})
    status, said, _ = client.post("/api/teacher/start", json={})
    assert status == 400 and said["key"] == "no_step" and session.phase == "lobby"
    shown = _step(client)
    assert client.post("/api/teacher/start", json={"step": shown})[0] == 200
    session.wait_for(("planning",))
    status, said, _ = client.post("/api/teacher/advance", json={"step": shown})
    assert status == 409 and said["key"] == "moved_on"
    assert said["error"] == i18n.text("classroom.errors.moved_on", "en")
    assert session.phase == "planning" and not session.closing


# ------------------------------------------------------------------ what is shown
def test_the_dashboard_shows_the_slots_served_in_the_year_closed() -> None:
    session = Session(years=2, seed=4, plan_seconds=0, award_seconds=0)
    assert teacher_view(session, "en")["market"]["served"] is None  # no year yet
    session.start()
    session.wait_for(("results",), 60)
    market = teacher_view(session, "en")["market"]
    record = session.model.records[-1]
    assert (market["served"], market["slots"]) == (record.slots_served, record.slots_funded)


def test_a_late_joiner_sees_their_seat_at_once() -> None:
    session = Session(years=2, seed=5, plan_seconds=0, award_seconds=0, officials_every=2)
    session.join(session.code, "Ann")
    session.start()
    session.wait_for(("planning",))
    _hold(session)
    bob = session.join(session.code, "Bob")  # the 2nd: an official
    cai = session.join(session.code, "Cai")
    assert bob.role == "official" and cai.role == "ngo"
    post = student_view(session, bob, "en")["post"]
    organisation = student_view(session, cai, "en")["organisation"]
    assert post is not None and post["id"] == bob.agent
    assert organisation is not None and organisation["id"] == cai.agent
    assert student_view(session, cai, "en")["form"] is None  # they decide from year 2
    session.end()
    session.wait_for(("ended",), 60)


def test_a_lost_bid_says_when_the_reputation_floor_set_it_aside() -> None:
    from types import SimpleNamespace

    from simcontract.classroom.players import Players, tender_id
    from simcontract.classroom.views import story
    from simcontract.phases.tendering import Bids

    session = Session(years=1, seed=3)
    ann = session.join(session.code, "Ann")
    mine = next(n for n in session.city.ngos if n.unique_id == ann.agent)
    other = next(n for n in session.city.ngos if n.unique_id != ann.agent)
    slot = session.city.purchasers[0].slots[0]
    terms = SimpleNamespace(rules={"min_reputation": 0.5}, ceiling=100.0, required=10.0)
    told = {}
    for reputation in (0.2, 0.8):  # below the floor, then above it
        players = Players(desk=None, ngos={ann.agent})
        bids = Bids([mine, other], [90.0, 95.0], [11.0, 10.0], [reputation, 0.9], [0, 0], [0, 0])
        players.award(slot, bids, ([0.9, 0.5], [0.9, 0.5]), 1, terms)
        (seat, key, values) = players.story[0]
        assert (seat, key, values["tender"]) == (ann.agent, "bid_lost", tender_id(slot))
        assert values["acceptable"] is (reputation >= 0.5)
        session.stories = {ann.agent: [(key, values)]}
        told[reputation] = {lang: story(session, ann, lang)[0] for lang in ("en", "zh_CN")}
    for lang, floor in (("en", "below the minimum it accepts"), ("zh_CN", "最低要求")):
        assert floor in told[0.2][lang] and floor not in told[0.8][lang]
        assert "0.90" in told[0.2][lang] and "0.50" in told[0.2][lang]  # both scores


@pytest.mark.parametrize("closed", [0, 1])
def test_ctrl_c_tells_the_last_year_closed_and_names_only_a_written_log(
    tmp_path, capsys, monkeypatch, closed
) -> None:
    """Ctrl-C while a year waits for plans: that year is not logged, so the message
    names the year before it, and the log folder only if it was written."""
    from simcontract.classroom import server
    from simcontract.cli import main

    def serve(session: Session, host: str, port: int) -> int:
        seat = session.join(session.code, "Ann")
        for _ in range(closed + 1):
            session.start()
            seat.last_seen = time.monotonic()
            session.wait_for(("planning",))
            if session.model.year <= closed:
                session.advance()
                session.wait_for(("results",), 60)
        stopped.append(session)
        raise KeyboardInterrupt

    stopped: list[Session] = []
    monkeypatch.setattr(server, "serve", serve)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    folder = tmp_path / "log"
    args = ["classroom", "--port", str(port), "--years", "3", "--plan-seconds", "0"]
    assert main([*args, "--out", str(folder)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    if closed:
        assert last == (
            f"session stopped after year 1 (year 2 was under way and is not logged); "
            f"its log is in {folder}/"
        )
        assert (folder / "session.json").is_file()
    else:
        assert last == "session stopped before its first year closed: nothing logged"
        assert not folder.exists()
    stopped[0].end()
    stopped[0].wait_for(("ended",), 60)


# ------------------------------------------------------------------ audit: the log kept, told whole
def _close_year_one(stopped: list[Session]):
    """A ``serve`` that closes year 1 with one student, then stops as Ctrl-C does."""

    def serve(session: Session, host: str, port: int) -> int:
        seat = session.join(session.code, "Ann")
        session.start()
        seat.last_seen = time.monotonic()
        session.wait_for(("planning",))
        session.advance()
        session.wait_for(("results", "ended"), 60)
        stopped.append(session)
        raise KeyboardInterrupt

    return serve


def test_a_session_may_not_overwrite_the_log_of_another(tmp_path, capsys, monkeypatch) -> None:
    """A second session with the same ``--out`` is refused in one line, before it starts:
    the first session's log stays as it was."""
    from simcontract.classroom import server
    from simcontract.classroom.logbook import LOG_FILES
    from simcontract.cli import main

    stopped: list[Session] = []
    monkeypatch.setattr(server, "serve", _close_year_one(stopped))
    folder = tmp_path / "zhsess"
    port = ["--port", str(_free_port())]
    assert main(["classroom", *port, "--years", "2", "--out", str(folder)]) == 0
    capsys.readouterr()
    first = {name: (folder / name).read_bytes() for name in LOG_FILES}

    def no_serve(session: Session, host: str, port: int) -> int:
        raise AssertionError("the second session started")

    monkeypatch.setattr(server, "serve", no_serve)
    again = ["classroom", *port, "--years", "1", "--seed", "9", "--out", str(folder)]
    assert main(again) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"simcontract: error: --out {folder} already holds a classroom session's log, which "
        "a new session would overwrite: choose another folder, or replay that session with "
        f"`simcontract classroom --replay {folder}`\n"
    )
    assert {name: (folder / name).read_bytes() for name in LOG_FILES} == first
    assert sorted(p.name for p in folder.iterdir()) == sorted(LOG_FILES)
    assert main([*again, "--lang", "zh_CN"]) == 2
    said = capsys.readouterr().err
    assert said.count("\n") == 1 and "`simcontract classroom --replay" in said
    assert "中已有一次课堂的记录" in said
    # a folder with any file of a log is refused alike; an empty or other folder is not
    (tmp_path / "part").mkdir()
    (tmp_path / "part" / "ngos.parquet").write_bytes(first["ngos.parquet"])
    assert main([*again[:-1], str(tmp_path / "part")]) == 2
    capsys.readouterr()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine", encoding="utf-8")
    stopped.clear()
    monkeypatch.setattr(server, "serve", _close_year_one(stopped))
    assert main([*again[:-1], str(tmp_path / "other")]) == 0
    assert (tmp_path / "other" / "session.json").is_file()
    assert (tmp_path / "other" / "notes.txt").read_text(encoding="utf-8") == "mine"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_log_records_the_award_the_model_made_not_no_award(tmp_path) -> None:
    """Next while an official seat awards: the model awards the tender to the NGO it
    proposed, and the log says so (a student's "no award" alone logs ``null``)."""
    session = Session(
        years=2, seed=5, plan_seconds=0, award_seconds=0, officials_every=2, folder=tmp_path
    )
    for i in range(6):  # every 2nd plays an official
        session.join(session.code, f"S{i}")
    proposed: dict[tuple[int, str], int | None] = {}
    told: list[tuple[int, str, int | None]] = []

    def next_at_every_stop(s: Session, phase: str) -> None:
        if phase == "awarding":
            proposed[(s.model.year, s.pending.tender)] = s.pending.proposed
        s.advance(s.step)

    def keep_story() -> None:  # what the officials' results pages say was awarded
        if session.phase in ("results", "ended") and session.closed_year > len(told_years):
            told_years.append(session.closed_year)
            for seat_id, key, values in session.players.story:
                if "award" in key and seat_id in session.players.officials:
                    told.append((session.closed_year, values["tender"], values["winner"]))
                    keys.add(key)

    told_years: list[int] = []
    keys: set[str] = set()
    session.on_change = keep_story
    play(session, next_at_every_stop)
    _meta, decisions, _ngos = read_log(tmp_path)
    awards = decisions[decisions["kind"] == "award"]
    assert len(awards) == len(proposed) and set(awards["source"]) == {"model"}
    logged = {(int(r.year), r.tender): json.loads(r.value)["winner"] for r in awards.itertuples()}
    assert logged == proposed
    assert any(w is not None for w in logged.values())  # awards were made, and logged
    assert {(y, t): w for y, t, w in told} == logged  # as the model made them
    assert keys and all(k.endswith("_by_model") for k in keys), keys  # not "you awarded"
    plans = decisions[decisions["kind"] == "plan"]
    assert len(plans) and set(plans["source"]) == {"model"} and set(plans["value"]) == {"{}"}
    pd.testing.assert_frame_equal(replay(tmp_path), _ngos)  # model rows are not replayed


def test_start_on_a_finished_session_says_it_has_ended(client) -> None:
    session = client.session
    client.get(f"/teacher?key={session.teacher_key}")
    assert client.post("/api/teacher/start", json={"step": _step(client)})[0] == 200
    session.wait_for(("ended",), 60)
    for action in ("start", "advance"):
        status, said, _ = client.post(f"/api/teacher/{action}", json={"step": _step(client)})
        assert status == 400 and said["key"] == "session_ended", said
        assert said["error"] == i18n.text("classroom.errors.session_ended", "en")
    ended = Session(years=2, seed=1)
    ended.end()  # from the lobby: ended at once
    with pytest.raises(Refused) as err:
        ended.start(ended.step)
    assert err.value.key == "session_ended"


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_classroom_help_says_what_its_options_do(capsys, lang) -> None:
    """``--lang`` sets the terminal's and the pages' language (the classroom writes no
    report or figure); the timers' help gives their defaults and what 0 means."""
    from simcontract.cli import main
    from simcontract.cli_classroom import AWARD_SECONDS, PLAN_SECONDS

    with pytest.raises(SystemExit) as done:
        main(["classroom", "--help", "--lang", lang])
    assert done.value.code == 0
    said = "".join(capsys.readouterr().out.split())  # as wrapped, without the breaks
    with i18n.use_language(lang):
        own = i18n.text("cli.help.classroom.lang")
        shared = i18n.text("cli.help.options.lang")
        plan = i18n.text("cli.help.classroom.plan_seconds", default=PLAN_SECONDS)
        award = i18n.text("cli.help.classroom.award_seconds", default=AWARD_SECONDS)
    for text in (own, plan, award):
        assert "".join(text.split()) in said
    assert "".join(shared.split()) not in said
    if lang == "en":
        assert "terminal lines" in own and "every page" in own and "report" not in own
        assert "(default 240; 0: no timer)" in plan and "(default 90; 0: no timer)" in award
    else:
        assert "默认 240" in plan and "0 表示不限时" in plan and "默认 90" in award


def test_a_market_that_outgrows_the_memory_ends_the_session_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The year it stops in is closed and shown; the reason is the error's one line,
    not a traceback."""
    from simcontract import marketsize

    session = Session(years=3, seed=4, plan_seconds=0, award_seconds=0)
    monkeypatch.setattr(marketsize, "machine_memory", lambda: 1000)  # after set-up
    entered = []  # the reason as it stood when each phase was entered
    enter = session._set_phase
    monkeypatch.setattr(
        session, "_set_phase", lambda phase: (entered.append((phase, session.error)), enter(phase))
    )
    play(session, lambda s, phase: None, present=False)
    # Whoever sees the session ended sees why: no moment shows it ended without a reason.
    assert [error for phase, error in entered if phase == "ended"] == [session.error]
    assert session.phase == "ended" and session.closed_year == 1
    assert session.error.startswith("the run of ") and "\n" not in session.error
    assert "stopped at the end of year 1" in session.error
