"""The classroom and the seminar app's server for a teacher who reads Chinese: what the
terminal, the pages, the refusals, the log and the replay say is Chinese under
``zh_CN``, and English as it was otherwise."""

from __future__ import annotations

import re
import socket
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from test_app_browser import (  # noqa: F401  (fixtures)
    CHROMIUM_ARGS,
    RENDERER_CRASH,
    UI_TIMEOUT_MS,
    chromium,
)
from test_classroom import GOOD, LIMITS, Browser, refused_replay, serving
from test_cli_chinese import english_lines

from simcontract import appserver, i18n
from simcontract.classroom.logbook import SESSION_FILE, read_log, replay
from simcontract.classroom.plans import PlanError, parse_plan
from simcontract.classroom.session import Refused, Session
from simcontract.classroom.views import story

NAMES = {
    "simcontract",
    "Ctrl",
    "http",
    "teacher",
    "key",
    "code",
    "JSON",
    "null",
    "Parquet",
    "scenario",
    "seed",
    "seats",
    "number",
    "role",
    "ngo",
    "official",
    "agent",
    "from_year",
    "K7QXMD",
    "session",
    "decisions",
    "ngos",
    "json",
    "parquet",
}
"""Latin words the Chinese lines keep: the command, URLs and the log's own names."""

HAN = re.compile(r"[\u3400-\u9fff]")


def chinese(text: str) -> bool:
    """Whether ``text`` is Chinese: Han characters and no English word but names."""
    return bool(HAN.search(text)) and english_lines(text, NAMES) == []


def free_port() -> int:
    """A TCP port no server on this machine listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_check_tells_english_from_chinese() -> None:
    assert chinese("课堂记录：classroom/x/（按 Ctrl-C 结束课堂）")
    assert not chinese("session log:      classroom/x/ (Ctrl-C stops the session)")
    assert not chinese("课堂记录：the log is written")


# ------------------------------------------------------------------ the terminal
def _session(phase: str = "lobby", closed_year: int = 0) -> SimpleNamespace:
    """What the terminal lines read of a session."""
    return SimpleNamespace(
        code="K7QXMD",
        teacher_key="abc",
        phase=phase,
        closed_year=closed_year,
        lock=threading.Lock(),
    )


def test_the_session_starts_with_its_lines_in_the_teachers_language() -> None:
    from simcontract.classroom import console

    folder = Path("classroom/session-1")
    with i18n.use_language("en"):
        english = console.banner(_session(), "127.0.0.1", 8766, folder)
        note = console.exposed("0.0.0.0", 8766)
    assert english == [  # as the command always printed them
        "students join at: http://127.0.0.1:8766/?code=K7QXMD",
        "join code:        K7QXMD",
        "teacher:          http://127.0.0.1:8766/teacher?key=abc",
        "session log:      classroom/session-1/ (Ctrl-C stops the session)",
    ]
    assert note.startswith("simcontract: note: the classroom listens on 0.0.0.0:8766: anyone")
    with i18n.use_language("zh_CN"):
        lines = console.banner(_session(), "127.0.0.1", 8766, folder)
        lines.append(console.exposed("0.0.0.0", 8766))
    assert all(chinese(line) for line in lines), lines
    assert "K7QXMD" in lines[1] and lines[2].endswith("/teacher?key=abc")
    assert "0.0.0.0:8766" in lines[4]


@pytest.mark.parametrize(
    ("phase", "closed", "logged", "english"),
    [
        ("planning", 0, False, "session stopped before its first year closed: nothing logged"),
        ("lobby", 0, True, "session stopped before its first year closed; its log is in {f}/"),
        (
            "planning",
            1,
            True,
            "session stopped after year 1 (year 2 was under way and is not logged); "
            "its log is in {f}/",
        ),
        ("results", 2, False, "session stopped after year 2; no log was written"),
    ],
)
def test_ctrl_c_says_what_it_left_in_the_teachers_language(
    tmp_path: Path, phase: str, closed: int, logged: bool, english: str
) -> None:
    from simcontract.classroom import console

    if logged:
        (tmp_path / SESSION_FILE).write_text("{}", encoding="utf-8")
    session = _session(phase, closed)
    with i18n.use_language("en"):
        assert console.stopped(session, tmp_path) == english.format(f=tmp_path)
    with i18n.use_language("zh_CN"):
        said = console.stopped(session, tmp_path)
    assert chinese(said), said
    assert (str(tmp_path) in said) is logged
    assert ("未被记录" in said) is (phase == "planning" and closed > 0)


def test_a_replay_gives_its_verdict_in_the_teachers_language() -> None:
    from simcontract.classroom import console

    with i18n.use_language("en"):
        assert console.replayed(3, 2, True) == (
            "replayed 3 years with 2 seats: NGO-years identical to the log"
        )
        assert console.replayed(1, 1, False) == (
            "replayed 1 year with 1 seat: NGO-years DIFFERENT from the log"
        )
    with i18n.use_language("zh_CN"):
        same, different = console.replayed(3, 2, True), console.replayed(3, 2, False)
    assert chinese(same) and chinese(different) and same != different
    assert "与记录完全一致" in same and "不一致" in different


# ------------------------------------------------------------------ the log
META = '{"scenario": {}, "seed": 1, "seats": []}'


@pytest.mark.parametrize(
    "files",
    [
        {},
        {"session.json": "[]"},
        {"session.json": "{bad"},
        {"session.json": '{"seed": 1}'},
        {"session.json": META},
        {"session.json": META, "decisions.parquet": "junk"},
        {"session.json": '{"scenario": {}, "seed": -1, "seats": []}'},
        {"session.json": '{"scenario": [], "seed": 1, "seats": []}'},
        {"session.json": '{"scenario": {}, "seed": 1, "seats": {}}'},
        {"session.json": '{"scenario": {}, "seed": 1, "seats": [{"number": 1}]}'},
    ],
    ids=[
        "no-session",
        "array",
        "not-json",
        "lacking-keys",
        "missing-table",
        "junk-table",
        "bad-seed",
        "scenario-an-array",
        "seats-an-object",
        "seat-lacking-keys",
    ],
)
def test_a_damaged_log_is_refused_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, files
) -> None:
    monkeypatch.setenv("SIMCONTRACT_LANG", "zh_CN")
    folder, err = refused_replay(tmp_path, capsys, files)
    (line,) = err.strip().splitlines()
    assert line.startswith(f"simcontract: 错误：--replay {str(folder)!r}："), line
    # What pyarrow and the JSON reader say of a broken file stays theirs.
    said = re.sub(r"(Parquet 表格|JSON)：[^）]*", "", line)
    assert chinese(said), line
    assert sorted(p.name for p in folder.iterdir()) == sorted(files)  # nothing written


def test_a_damaged_log_reads_as_before_in_english(tmp_path: Path) -> None:
    (tmp_path / SESSION_FILE).write_text('{"scenario": 1, "seed": 1, "seats": []}', "utf-8")
    with pytest.raises(ValueError, match=r"is damaged \(its scenario is a number, not an object"):
        read_log(tmp_path)
    (tmp_path / SESSION_FILE).write_text("null", "utf-8")
    with pytest.raises(ValueError) as err:
        read_log(tmp_path)
    assert str(err.value) == (
        f"{tmp_path / SESSION_FILE} is damaged (not a JSON object but null); it should hold "
        "an object with scenario, seed and seats"
    )


# ------------------------------------------------------------------ refusals
def test_a_refused_plan_says_why_in_the_language_in_use() -> None:
    with pytest.raises(PlanError) as err:
        parse_plan(GOOD | {"price": 0.1}, LIMITS)
    price = i18n.text("classroom.price", "zh_CN")
    assert err.value.message("zh_CN") == f"“{price}”必须在 0.7 与 1.0 之间。"
    assert str(err.value) == (
        "out_of_range: “Bid price, share of the ceiling price” must be between 0.7 and 1.0."
    )
    with i18n.use_language("zh_CN"), pytest.raises(PlanError) as err:
        parse_plan(GOOD | {"duties": "yes"}, LIMITS)
    key, _, said = str(err.value).partition(": ")
    assert key == "not_a_choice" and said.startswith("“") and chinese(said)
    with i18n.use_language("zh_CN"), pytest.raises(Refused) as refused:
        Session(years=1).join("XXXXXX", "Ann")
    assert str(refused.value) == "wrong_code: 这不是本课堂的加入码。"


# ------------------------------------------------------------------ the app's server
def test_the_app_servers_lines_read_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    with i18n.use_language("zh_CN"):
        lines = [
            appserver.banner("127.0.0.1", 8765),
            appserver.host_problem(""),
            appserver.host_problem("a b"),
            appserver.in_use_message("127.0.0.1", 8765),
            appserver.exposure("0.0.0.0", 8765),
        ]
        assert appserver.serve(host="bogus.invalid", port=8797) == 2
    (error,) = capsys.readouterr().err.splitlines()
    assert error.startswith("simcontract: 错误：主机 'bogus.invalid'：无法在该地址监听（"), error
    assert all(line and chinese(line) for line in lines), lines
    assert "--port 8766" in lines[3]
    with i18n.use_language("en"):
        assert appserver.banner("127.0.0.1", 8765) == (
            "simcontract app on http://127.0.0.1:8765/ (Ctrl-C stops it)"
        )


@pytest.mark.parametrize(
    ("argv", "environ", "expected"),
    [
        (["app", "--lang", "zh_CN"], {}, "zh_CN"),
        (["app"], {"SIMCONTRACT_LANG": "zh_CN"}, "zh_CN"),
        (["app", "--lang", "en"], {"SIMCONTRACT_LANG": "zh_CN"}, "en"),
        (["app"], {}, None),
    ],
)
def test_the_app_opens_its_pages_in_the_language_chosen_for_it(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    environ: dict[str, str],
    expected: str | None,
) -> None:
    """``simcontract app --lang`` (or ``SIMCONTRACT_LANG``) is the language new pages
    open in; without either, each browser's own."""
    from simcontract import app
    from simcontract.cli import main

    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    served = {}
    monkeypatch.setattr(appserver, "serve", lambda **kwargs: served.update(kwargs) or 0)
    port = free_port()
    assert main([*argv, "--port", str(port)]) == 0
    assert served["lang"] == expected
    printed = capsys.readouterr().out
    assert chinese(printed) == (expected == "zh_CN"), printed

    monkeypatch.setattr(app, "browser_language", lambda: "en")
    monkeypatch.delenv(appserver.PAGE_LANGUAGE_VARIABLE, raising=False)
    assert app.page_language() == "en"
    monkeypatch.setenv(appserver.PAGE_LANGUAGE_VARIABLE, "zh_CN")
    assert app.page_language() == "zh_CN"


# ------------------------------------------------------------------ a seminar in Chinese
@pytest.fixture
def zh_client(tmp_path: Path):
    """A session started in Chinese (``--lang zh_CN``), served on loopback."""
    session = Session(
        years=2,
        seed=9,
        plan_seconds=0,
        award_seconds=0,
        officials_every=2,
        folder=tmp_path / "log",
        lang="zh_CN",
    )
    with serving(session) as browser:
        yield browser


def test_a_session_in_chinese_opens_its_pages_in_chinese(zh_client) -> None:
    """A browser that asks for English (or for nothing) gets the session's Chinese; the
    page's language menu (``?lang=``) still gets English."""
    texts = zh_client.get("/api/texts")[1]
    assert texts["lang"] == "zh_CN" and texts["texts"]["title"] == i18n.text(
        "classroom.title", "zh_CN"
    )
    assert zh_client.get("/api/texts?lang=en")[1]["lang"] == "en"
    status, said, _ = zh_client.post("/api/join", json={"code": "ZZZZZZ", "name": "张三"})
    assert status == 400 and said["error"] == i18n.text("classroom.errors.wrong_code", "zh_CN")
    status, said, _ = zh_client.post("/api/join?lang=en", json={"code": "ZZZZZZ", "name": "A"})
    assert said["error"] == "That is not this session's join code."


def test_the_teachers_page_without_the_key_says_why_in_chinese(zh_client) -> None:
    for path in ("/teacher", "/teacher?key=wrong"):
        status, page, response = zh_client.get(path)
        assert status == 403 and response.getheader("content-type").startswith("text/html")
        text = page.decode()
        assert '<html lang="zh-CN">' in text
        assert i18n.text("classroom.errors.teacher_key", "zh_CN") in text


def _texts(node) -> list[str]:
    """Every text of a view meant for reading (names of the seats excepted)."""
    if isinstance(node, dict):
        skip = {"name", "id", "tender", "phase", "role", "origin", "kind", "sector", "mode"}
        skip |= {"code", "exit_reason"}
        return [t for k, v in node.items() if k not in skip for t in _texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in _texts(v)]
    return [node] if isinstance(node, str) and node else []


def test_a_seminar_in_chinese_reads_in_chinese(zh_client) -> None:
    """Two students play two years in a session started in Chinese; every text their
    pages and the teacher's dashboard show, the refusals and the debrief read in
    Chinese, and the log replays to the same market."""
    session = zh_client.session
    zh_client.get(f"/teacher?key={session.teacher_key}")
    ann, bob = Browser(zh_client.port), Browser(zh_client.port)
    assert ann.post("/api/join", json={"code": session.code, "name": "张三"})[1]["role"] == "ngo"
    assert bob.post("/api/join", json={"code": session.code, "name": "李四"})[1]["role"] == (
        "official"
    )
    seen: list[str] = []
    refusals = [ann.post("/api/plan", json=GOOD)[1]["error"]]
    refusals.append(zh_client.post("/api/teacher/start", json={})[1]["error"])
    zh_client.post("/api/teacher/start", json={"step": session.step})
    for _year in (1, 2):
        session.wait_for(("planning",), 60)
        bob.get("/api/me")
        me = ann.get("/api/me")[1]
        values = me["form"]["values"]
        for change in ({"price": 0.1}, {"bids": ["99-9"]}, {"duties": "x"}, {"hires": 99}):
            refusals.append(ann.post("/api/plan", json=values | change)[1]["error"])
        tenders = [t["id"] for t in me["form"]["tenders"]][: me["form"]["most_bids"]]
        assert ann.post("/api/plan", json=values | {"bids": tenders})[0] == 200
        seen += _texts(me) + _texts(zh_client.get("/api/teacher")[1])
        while session.wait_for(("awarding", "results", "ended"), 60) == "awarding":
            step = session.step
            view = bob.get("/api/me")[1]
            seen += _texts(view) + _texts(zh_client.get("/api/teacher")[1])
            pending = view["pending"]
            refusals.append(
                bob.post("/api/award", json={"tender": "x", "winner": None})[1]["error"]
            )
            bob.post("/api/award", json={"tender": pending["tender"], "winner": None})
            with session.lock:
                while session.step == step:
                    session.lock.wait(0.05)
        for browser in (ann, bob):
            seen += _texts(browser.get("/api/me")[1])
        seen += _texts(zh_client.get("/api/teacher")[1])
        if session.phase == "results":
            zh_client.post("/api/teacher/advance", json={"step": session.step})
    assert session.wait_for(("ended",), 60) == "ended"
    refusals.append(ann.post("/api/join", json={"code": session.code, "name": "王五"})[1]["error"])
    debrief = zh_client.get("/api/debrief")[1]
    seen += [row["label"] for row in debrief]
    stories = [line for line in seen if line.endswith("。")]
    assert session.closed_year == 2 and any("授标" in line for line in stories), stories
    for text in seen + refusals:
        assert chinese(text) or not re.search(r"[A-Za-z]{3}", text), text
    assert all(chinese(text) for text in refusals), refusals
    for line in stories:  # names made of parts stay apart from the sentence around them
        assert "）（" not in line and not re.search(r"项目 \d+[\u3400-\u9fff]", line), line
    logged = read_log(session.folder)[2]
    assert replay(session.folder).equals(logged.reset_index(drop=True))


def test_a_year_without_quits_says_so_plainly() -> None:
    session = Session(years=1, seed=3)
    ann = session.join(session.code, "Ann")
    session.stories = {
        ann.agent: [("quits", {"n": 0, "staff": 3}), ("quits", {"n": 1, "staff": 3})]
    }
    none, one = story(session, ann, "zh_CN")
    assert "0 人" not in none and "没有社工离职" in none and "3" in none
    assert "1 人" in one
    assert story(session, ann, "en")[0] == (
        "None of your social workers quit at the end of the year (3 employed)."
    )


def seated_official(name: str) -> tuple[Session, Any, str, int]:
    """A session with an official seated as ``name``: the session, the seat, the name
    of the official's first tender and an NGO of the market."""
    session = Session(years=1, seed=3, officials_every=1)
    official = session.join(session.code, name)
    return session, official, f"{official.agent}-0", session.city.ngos[0].unique_id


def test_a_tender_of_one_bid_says_one_bid() -> None:
    """English stories count one bid in the singular."""
    session, official, tender, ngo = seated_official("Li")
    session.stories = {
        official.agent: [
            ("awarded", {"tender": tender, "winner": ngo, "bids": 1}),
            ("no_award", {"tender": tender, "bids": 1}),
            ("no_award", {"tender": tender, "bids": 2}),
        ]
    }
    awarded, no_award, two = story(session, official, "en")
    assert awarded.endswith("(1 bid).") and no_award.endswith("(1 bid).")
    assert two.endswith("(2 bids).")
    assert story(session, official, "zh_CN")[0].endswith("，共 1 份投标。")


def test_a_story_keeps_names_apart_from_its_sentence() -> None:
    """A tender's name (purchaser, district, sector, slot) sits in quotes, and an NGO's
    origin in brackets is not followed by a second bracket."""
    session, official, tender, ngo = seated_official("李四")
    session.stories = {
        official.agent: [
            ("awarded", {"tender": tender, "winner": ngo, "bids": 2}),
            ("no_award", {"tender": tender, "bids": 3}),
        ]
    }
    awarded, no_award = story(session, official, "zh_CN")
    district = session.snapshot["purchasers"][official.agent]["district"]
    assert awarded.startswith(f"你把“第 {district} 区") and "项目 1”授予了社会组织" in awarded
    assert "）（" not in awarded and awarded.endswith("，共 2 份投标。"), awarded
    assert no_award.startswith("“第 ") and "）（" not in no_award, no_award


def test_every_text_the_pages_ask_for_is_in_both_catalogues() -> None:
    """A key the script asks for (``T("...")``) that the catalogue lacks shows as the key
    itself."""
    from importlib import resources

    script = resources.files("simcontract.classroom").joinpath("static", "classroom.js")
    keys = set(re.findall(r'\bT\("([\w.]+)"[,)]', script.read_text("utf-8")))
    assert {"year_failed_here", "language"} <= keys
    for lang in ("en", "zh_CN"):
        table = i18n.catalogue(lang)["classroom"]
        for key in keys:
            node = table
            for part in key.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            assert isinstance(node, str), (lang, key)


def test_a_page_gets_the_language_it_asks_for_then_the_sessions_then_the_browsers() -> None:
    from starlette.requests import Request

    from simcontract.classroom.server import _lang

    scope = {"type": "http", "query_string": b"", "headers": [(b"accept-language", b"zh-CN")]}
    assert _lang(Request(scope)) == "zh_CN"
    assert _lang(Request(scope), "en") == "en"
    scope["query_string"] = b"lang=en"
    assert _lang(Request(scope), "zh_CN") == "en"
    assert Session(years=1).lang is None and Session(years=1, lang="zh").lang == "zh_CN"


@RENDERER_CRASH
def test_the_dashboard_of_a_chinese_session_in_a_browser(chromium, zh_client) -> None:  # noqa: F811
    """An English browser opens the dashboard of a session started in Chinese in Chinese:
    its language menu and QR code are named in Chinese, and a year that could not run is
    told in Chinese above the reason."""
    from playwright.sync_api import sync_playwright

    session = zh_client.session
    base = f"http://127.0.0.1:{zh_client.port}"
    zh = i18n.catalogue("zh_CN")["classroom"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        teacher = browser.new_context(locale="en-US").new_page()
        teacher.set_default_timeout(UI_TIMEOUT_MS)
        teacher.goto(f"{base}/teacher?key={session.teacher_key}")
        teacher.wait_for_selector(f"h1:has-text('{zh['dashboard']}')")
        assert teacher.get_attribute("#lang", "aria-label") == zh["language"]
        assert teacher.get_attribute("#qr", "alt") == zh["qr_alt"]
        with session.lock:
            session.error = "Traceback (most recent call last): ..."
            session._set_phase("ended")
            session._changed()
        teacher.wait_for_selector(f"#market p.error:has-text('{zh['year_failed_here']}')")
        assert "Traceback" in teacher.inner_text("#market pre.error")
        browser.close()
