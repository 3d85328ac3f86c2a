"""The classroom market: seats, plans, the year's stops, the log and its replay, the API."""

from __future__ import annotations

import dataclasses
import http.client
import json
import socket
import threading
import time
from typing import Any

import pandas as pd
import pytest

from simcontract import ContractingModel, i18n
from simcontract.classroom.logbook import read_log, replay
from simcontract.classroom.plans import Limits, PlanError, parse_award, parse_plan
from simcontract.classroom.session import Refused, Session, classroom_scenario
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
    for bad in ({"tender": "1-1", "winner": 5}, {"tender": "1-0", "winner": 7}, None):
        with pytest.raises(PlanError):
            parse_award(bad, "1-0", (5, 6))


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
    from simcontract.cli import main

    folder = tmp_path / "S"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    status = main(["classroom", "--replay", str(folder)])
    out, err = capsys.readouterr()
    assert status == 2 and out == "", err
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
    with pytest.raises(Refused):
        session.submit_plan(seat.token, GOOD)


def test_the_timer_closes_a_year() -> None:
    session = Session(years=1, seed=8, plan_seconds=0.3, award_seconds=0.3)
    session.join(session.code, "Ann")
    done = threading.Event()
    session.on_change = lambda: done.set() if session.phase == "ended" else None
    session.start()
    assert session.wait_for(("ended",), 30) == "ended"
    with pytest.raises(Refused):
        session.set_timer("planning", 4000)


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


@pytest.fixture
def client():
    import uvicorn

    from simcontract.classroom.server import make_app

    session = Session(years=1, seed=9, plan_seconds=0, award_seconds=0)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = make_app(session, f"http://127.0.0.1:{port}/?code={session.code}")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    browser = Browser(port)
    browser.session = session
    yield browser
    server.should_exit = True
    thread.join(10)


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
    assert client.post("/api/teacher/start")[0] == 200
    session.wait_for(("planning", "results", "ended"))
    client.post("/api/teacher/advance")
    session.wait_for(("ended",))
    rows = client.get("/api/debrief?lang=zh_CN")[1]
    assert [r["measure"] for r in rows][:2] == ["ngos", "survival"]
    _status, png, response = client.get("/debrief/survival.png?lang=zh_CN")
    assert response.getheader("content-type") == "image/png" and png[:4] == b"\x89PNG"


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
