"""A classroom session in real browsers: a teacher and five students, each in a browser
context of their own, play three years; one student reloads mid-year and returns to the
same seat; the session ends with the debrief. On a browser without a CJK font, the
Chinese headings are drawn from the served web font, not as empty boxes.

Needs Debian's Chromium and Playwright, as the seminar app's browser test
(``tests/test_app_browser.py``); skipped without them unless
``SIMCONTRACT_REQUIRE_BROWSER=1``.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from test_app_browser import (  # noqa: F401  (fixtures)
    CHROMIUM_ARGS,
    RENDERER_CRASH,
    UI_TIMEOUT_MS,
    chromium,
)
from test_classroom import on_loopback

from simcontract.classroom.session import Session

YEARS = 3
STUDENTS = 5


@pytest.fixture
def served(monkeypatch):
    """A session (officials: every 5th student) served on loopback.

    The test drives six pages in turn on a busy machine, so a page may go longer than
    the usual 12 s between two requests for news: presence is not what is tested here.
    """
    from simcontract.classroom import session as session_module

    monkeypatch.setattr(session_module, "PRESENT_SECONDS", 600.0)

    from simcontract.classroom.server import join_link, make_app

    session = Session("baseline", seed=11, years=YEARS, plan_seconds=0, award_seconds=0)
    with on_loopback(
        lambda port: make_app(session, join_link("127.0.0.1", port, session.code))
    ) as port:
        yield session, f"http://127.0.0.1:{port}"


def _join(browser, base: str, code: str, name: str):
    page = browser.new_context().new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    page.goto(f"{base}/?code={code}")
    page.fill("#name", name)
    page.click("#join-button")
    page.wait_for_url(f"{base}/play")
    page.wait_for_selector(f"#status h2:has-text('{name}')")
    return page


def _state(session: Session, page) -> str:
    """What the session and the page show, for a failure's message."""
    plans = {s.name: s.plan is not None for s in session.seats.values()}
    return f"phase {session.phase}, plans {plans}, page: {page.inner_text('main')[:600]!r}"


def _plan(page, year: int, session: Session) -> None:
    """Bid for the first tender offered (if any) at 85% of the ceiling, and submit."""
    page.wait_for_selector(f"#submit-plan[data-year='{year}']")
    boxes = page.locator('input[name="bid"]')
    if boxes.count():
        boxes.first.check()
    page.locator("#price").fill("0.85")
    page.click("#submit-plan")
    # Read in one step in the page: the last plan of a year moves the class on at once,
    # and the page's next poll then takes the form (and its "Plan received") away.
    try:
        answer = page.wait_for_function(ANSWER_JS, arg=year).json_value()
    except Exception as err:
        raise AssertionError(f"no answer to the plan: {_state(session, page)}") from err
    assert answer in ("received", "moved on"), f"{answer}; {_state(session, page)}"


ANSWER_JS = """(year) => {
  const message = document.getElementById("message");
  if (message && message.textContent.trim()) return "message: " + message.textContent.trim();
  const state = document.getElementById("plan-state");
  if (state && state.textContent.includes("Plan received")) return "received";
  // The form goes only when the year runs, which waits for every plan.
  if (!document.querySelector(`#submit-plan[data-year='${year}']`)) return "moved on";
  return false;
}"""
"""What the page answered to a plan: received, the class moved on (so it was received),
or a message (an error)."""


AWARD_ANSWER_JS = """(tender) => {
  const message = document.getElementById("message");
  if (message && message.textContent.trim()) return "message: " + message.textContent.trim();
  if (!document.querySelector(`#submit-award[data-tender='${tender}']`)) return "moved on";
  const state = document.getElementById("award-state");
  return !!(state && state.textContent.includes("Award received")) && "received";
}"""
"""What the official's page answered to an award: received, the tender's form gone (the
award was taken and the year moved on), or a message (an error)."""


def _until_results(session: Session, official, teacher) -> None:
    """Award every tender the official is shown, until the year's results are in."""
    while True:
        phase = session.wait_for(("awarding", "results", "ended"), 60)
        if phase != "awarding":
            break
        pending = session.pending
        if pending is None:
            continue
        button = f"#submit-award[data-tender='{pending.tender}']"
        official.wait_for_selector(button)
        official.locator('input[name="winner"]').first.check()
        official.click(button)
        # Read in one step in the page, as for a plan: the next poll takes the form away.
        try:
            answer = official.wait_for_function(AWARD_ANSWER_JS, arg=pending.tender)
        except Exception as err:
            raise AssertionError(f"no answer to the award: {_state(session, official)}") from err
        said = answer.json_value()
        # A form gone is an award taken only if the session has moved on from it.
        assert said == "received" or (said == "moved on" and session.pending is not pending), (
            f"{said}; {_state(session, official)}"
        )
        end = time.monotonic() + 60
        with session.lock:
            while session.pending is pending and time.monotonic() < end:
                session.lock.wait(0.05)
    teacher.wait_for_selector("#phase:has-text('results'), #phase:has-text('ended')")


def _teacher(browser, base: str, session):
    """The teacher's dashboard, open in its own context."""
    teacher = browser.new_context().new_page()
    teacher.set_default_timeout(UI_TIMEOUT_MS)
    teacher.goto(f"{base}/teacher?key={session.teacher_key}")
    return teacher


@RENDERER_CRASH
def test_a_class_plays_three_years_in_separate_browsers(chromium, served, tmp_path) -> None:  # noqa: F811
    from playwright.sync_api import sync_playwright

    session, base = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        teacher = _teacher(browser, base, session)
        teacher.wait_for_selector(f"#join-code:has-text('{session.code}')")
        assert teacher.evaluate("document.getElementById('qr').naturalWidth") > 0
        pages = [_join(browser, base, session.code, f"Student {i + 1}") for i in range(STUDENTS)]
        teacher.wait_for_selector(f"#seats h3:has-text('{STUDENTS}')")
        heads, official = pages[:4], pages[4]
        official.wait_for_selector("#status h2:has-text('Official')")
        teacher.click("#start")
        for year in range(1, YEARS + 1):
            for i, page in enumerate(heads):
                if year == 2 and i == 1:
                    page.wait_for_selector("#submit-plan[data-year='2']")
                    page.reload()  # mid-year: back to the same seat and its form
                    page.wait_for_selector("#status h2:has-text('Student 2')")
                _plan(page, year, session)
            _until_results(session, official, teacher)
            heads[0].wait_for_selector(f"#phase-line:has-text('Year {year} of {YEARS}')")
            heads[0].wait_for_selector("#story li")
            if year < YEARS:
                teacher.click("#advance")
        teacher.wait_for_selector("#debrief-table tr:nth-child(3)")
        teacher.wait_for_function(
            "[...document.querySelectorAll('.charts img')].every(i => i.naturalWidth > 0)"
        )
        heads[2].select_option("#lang", "zh_CN")
        heads[2].wait_for_selector("#phase-line:has-text('课堂已结束')")
        teacher.screenshot(path=str(tmp_path / "teacher.png"), full_page=True)
        heads[0].screenshot(path=str(tmp_path / "student.png"), full_page=True)
        browser.close()
    assert session.phase == "ended" and session.model.year == YEARS
    sources = {row["source"] for row in session.book.decisions}
    assert sources == {"student"}  # every decision came from a browser
    assert len(session.seats) == STUDENTS


@RENDERER_CRASH
def test_the_form_keeps_the_models_values_and_next_ignores_a_stale_click(
    chromium,  # noqa: F811
    served,
) -> None:
    """A student who submits the form untouched sends the model's own plan (a stepped
    slider would round 0.955 to 0.96); a second click on Next, sent with the step the
    dashboard showed after the session has moved on, does nothing."""
    from playwright.sync_api import sync_playwright

    from simcontract import i18n

    session, base = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        teacher = _teacher(browser, base, session)
        student = _join(browser, base, session.code, "Ann")
        teacher.wait_for_selector("#seats h3:has-text('1')")
        teacher.click("#start")
        student.wait_for_selector("#submit-plan[data-year='1']")
        sent, model = student.evaluate("[readPlan(), VIEW.form.values]")
        assert sent == model
        student.click("#submit-plan")
        session.wait_for(("results",), 60)
        teacher.wait_for_selector("#phase:has-text('results')")
        teacher.wait_for_function(f"STEP === {session.step}")
        # The dashboard stops hearing news: it keeps showing the results of year 1. A
        # pattern, not a predicate: the browser then holds only the polls for the
        # handler, not the click's request too.
        teacher.route(re.compile(r"/api/teacher\?"), lambda route: route.abort())
        teacher.click("#advance")
        _until_phase(teacher, session, "planning")
        teacher.click("#advance")  # the button rests a second, then sends the old step
        moved_on = i18n.text("classroom.errors.moved_on", "en")
        teacher.wait_for_selector(f"#message:has-text('{moved_on[:30]}')")
        assert (session.phase, session.model.year, session.closing) == ("planning", 2, False)
        browser.close()
    session.end()
    session.wait_for(("ended",), 60)


def _until_phase(page, session: Session, phase: str, timeout: float = 60.0) -> None:
    """Wait for the session to enter ``phase`` with Playwright's loop running: a sync
    page's route handlers and requests it holds move only inside Playwright's calls,
    so blocking in :meth:`Session.wait_for` could hold the very request awaited."""
    end = time.monotonic() + timeout
    while session.phase != phase:
        if time.monotonic() > end:
            # What the page said of the refused or lost click.
            raise AssertionError(f"still {session.phase}: {page.inner_text('#message')!r}")
        page.wait_for_timeout(50)


LATIN_ONLY_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{fonts}</dir><cachedir>{cache}</cachedir></fontconfig>
"""
"""A fontconfig that knows only DejaVu Sans: a machine without any CJK font (like CI),
whatever fonts the machine running the test has."""


def _latin_only_fonts(folder: Path) -> dict[str, str]:
    """Environment for a browser that sees only matplotlib's DejaVu Sans (no CJK glyph)."""
    import matplotlib

    fonts = folder / "fonts"
    fonts.mkdir()
    source = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for path in source.glob("DejaVuSans*.ttf"):
        (fonts / path.name).symlink_to(path)
    conf = folder / "fonts.conf"
    conf.write_text(LATIN_ONLY_FONTCONFIG.format(fonts=fonts, cache=folder / "cache"))
    return dict(os.environ, FONTCONFIG_FILE=str(conf))


def _fonts_drawing(page, selector: str) -> list[dict]:
    """The fonts that actually draw the text of ``selector`` (DevTools' "Rendered Fonts")."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()


FILLED_JS = "(selector) => document.querySelector(selector).textContent.trim() !== ''"

WEB_FONT_LOADED_JS = """(family) => [...document.fonts].some(
  (face) => face.family.replace(/["']/g, "") === family && face.status === "loaded")"""


def _drawn_from_the_web_font(page, selectors: list[str]) -> None:
    """Each of ``selectors`` holds Chinese text, drawn from the served web font only, after
    that font has loaded (the browser has no other CJK font: any other font draws tofu)."""
    from simcontract.appfont import FAMILY

    for selector in selectors:
        page.wait_for_function(FILLED_JS, arg=selector)
    page.wait_for_function(WEB_FONT_LOADED_JS, arg=FAMILY)
    page.evaluate("document.fonts.ready.then(() => new Promise(requestAnimationFrame))")
    for selector in selectors:
        text = page.inner_text(selector)
        fonts = _fonts_drawing(page, selector)
        assert fonts, f"{selector} {text!r}: no font"
        assert all(f["isCustomFont"] for f in fonts), f"{selector} {text!r} drawn from {fonts}"


@RENDERER_CRASH
def test_chinese_headings_are_drawn_from_the_web_font(chromium, served, tmp_path) -> None:  # noqa: F811
    """On a machine without a CJK font, the Chinese headings of the join, student and
    teacher pages, and those of a page switched to Chinese, are drawn from the served
    font ``SimcontractCJK``, like the rest of the text, not as empty boxes (tofu).

    Chromium keeps the shapes of a heading laid out while that font was still loading
    (in the system font's .notdef boxes) after the font has loaded, so the pages must
    not show their texts before the font is ready."""
    from playwright.sync_api import sync_playwright

    from simcontract import appfont

    assert appfont.font_face(), "no web font to serve: mplfonts, a dependency, is missing"
    session, base = served
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS, env=_latin_only_fonts(tmp_path)
        )
        try:
            context = browser.new_context(locale="zh-CN")
            context.set_default_timeout(UI_TIMEOUT_MS)
            join = context.new_page()
            join.goto(f"{base}/?code={session.code}")
            _drawn_from_the_web_font(join, ["header h1", "#join h2", "#join label span"])
            join.screenshot(path=str(tmp_path / "join_zh.png"))
            join.fill("#name", "Ann")
            join.click("#join-button")
            join.wait_for_url(f"{base}/play")
            _drawn_from_the_web_font(join, ["header h1"])
            teacher = context.new_page()
            teacher.goto(f"{base}/teacher?key={session.teacher_key}")
            _drawn_from_the_web_font(teacher, ["header h1"])
            switched = browser.new_context(locale="en-US").new_page()
            switched.set_default_timeout(UI_TIMEOUT_MS)
            switched.goto(f"{base}/?code={session.code}")
            switched.wait_for_selector("#join h2:has-text('Join')")
            switched.select_option("#lang", "zh_CN")
            switched.wait_for_function("document.documentElement.lang === 'zh-CN'")
            _drawn_from_the_web_font(switched, ["header h1", "#join h2"])
        finally:
            browser.close()


PHONE = {"width": 360, "height": 740}
"""A small phone's screen, in CSS pixels."""

BEYOND_THE_CARD = """() => {
  const out = [];
  for (const card of document.querySelectorAll('main > .card:not([hidden])')) {
    if (card.scrollWidth > card.clientWidth) out.push(`#${card.id} scrolls sideways`);
    const right = card.getBoundingClientRect().right;
    for (const el of card.querySelectorAll('dd, select, input, button, td, li, label')) {
      const box = el.getBoundingClientRect();
      const said = el.textContent.trim().slice(0, 40);
      if (box.width && box.right > right + 0.5) out.push(`${el.tagName} ${said}`);
    }
  }
  return out;
}"""
"""What lies beyond the right edge of its card (or makes a card scroll sideways)."""


@RENDERER_CRASH
def test_a_students_phone_shows_every_figure_within_its_card(chromium, served) -> None:  # noqa: F811
    """On a 360-pixel-wide phone, an NGO head's plan form, organisation and contracts and
    an official's bureau and award form fit their cards: no figure lies beyond the edge
    (the organisation's names once pushed their figures out of sight, and the tables ran
    off the card) and no card scrolls sideways."""
    from playwright.sync_api import sync_playwright

    session, base = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            phones = []
            for i in range(5):  # the fifth is an official
                page = browser.new_context(viewport=PHONE, is_mobile=True).new_page()
                page.set_default_timeout(UI_TIMEOUT_MS)
                page.goto(f"{base}/?code={session.code}")
                page.fill("#name", f"Student {i + 1}")
                page.click("#join-button")
                page.wait_for_selector(f"#status h2:has-text('Student {i + 1}')")
                phones.append(page)
            teacher = _teacher(browser, base, session)
            teacher.wait_for_selector("#seats h3:has-text('5')")
            teacher.click("#start")
            head, official = phones[0], phones[4]
            head.wait_for_selector("#submit-plan[data-year='1']")
            head.wait_for_selector("#mine dl.facts dd")
            official.wait_for_selector("#status h2:has-text('Official')")
            official.wait_for_selector("#mine table")
            _fits(head, official)
            for page in phones[:4]:
                _plan(page, 1, session)
            official.wait_for_selector("#submit-award")  # the bids, one block each
            _fits(official)
            _until_results(session, official, teacher)
            for page in phones[:4]:
                page.wait_for_selector("#story li")  # the year's results are shown
            with_contract = [p for p in phones[:4] if p.locator("#mine table td").count()]
            assert with_contract, "no head won a contract: the contracts table is unchecked"
            _fits(*phones)
        finally:
            browser.close()


def _fits(*pages) -> None:
    for page in pages:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert page.evaluate(BEYOND_THE_CARD) == [], page.inner_text("main")[:300]


@RENDERER_CRASH
def test_a_page_asks_for_news_one_request_at_a_time(chromium, served) -> None:  # noqa: F811
    """While the server does not answer (a laptop asleep, the network down), a student's
    page keeps one request for news waiting, not one more a second (a class's queued
    polls once reached the server together); once answers come, it goes on."""
    from playwright.sync_api import sync_playwright

    session, base = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = _join(browser, base, session.code, "Ann")
            held = []
            polls = re.compile(r"/api/me\?")
            page.route(polls, lambda route: held.append(route))  # no answer, for now
            page.wait_for_timeout(4000)
            assert len(held) == 1, f"{len(held)} requests for news waiting at once"
            page.unroute(polls)  # which lets the one waiting through
            teacher = _teacher(browser, base, session)
            teacher.wait_for_selector("#seats h3:has-text('1')")
            teacher.click("#start")
            page.wait_for_selector("#submit-plan[data-year='1']")
        finally:
            browser.close()
