"""The seminar app in a real browser: serve it, change a rule, step, watch the views change.

Needs Debian's Chromium (``apt-get install chromium``) and Playwright for Python
(``pip install playwright``; its own browser download is not used). Without them the
test is skipped, unless ``SIMCONTRACT_REQUIRE_BROWSER=1`` (as in CI) makes that a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from simcontract.appserver import INSTALL_HINT, missing_packages

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

CHROMIUM = os.environ.get("SIMCONTRACT_CHROMIUM", "/usr/bin/chromium")
"""Browser binary to drive (Debian's Chromium by default)."""

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Launch flags: no GPU, no sandbox (root), and no background network traffic."""

REQUIRED = os.environ.get("SIMCONTRACT_REQUIRE_BROWSER") == "1"

SERVER_START_TIMEOUT = 60.0
"""Seconds to wait for the app server to answer."""

UI_TIMEOUT_MS = 30_000
"""Milliseconds to wait for any one thing to appear in the page."""


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"{reason} (SIMCONTRACT_REQUIRE_BROWSER=1 requires the browser test)")
    pytest.skip(reason)


@pytest.fixture
def chromium() -> str:
    """Path of the Chromium binary; skip (or fail) without it or without Playwright."""
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not path:
        _unavailable(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("playwright is not installed: pip install playwright")
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[str]:
    """Serve the app with ``simcontract.appserver.serve`` on a free port; stop it after."""
    if missing_packages():
        _unavailable(f"the app needs {', '.join(missing_packages())}: {INSTALL_HINT}")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log = tmp_path / "server.log"
    code = f"import sys; from simcontract.appserver import serve; sys.exit(serve(port={port}))"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-c", code],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _answers(url):
            if server.poll() is not None:
                pytest.fail(f"app server exited with {server.returncode}:\n{log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"app server did not answer in {SERVER_START_TIMEOUT:g} s")
            time.sleep(0.3)
        yield url
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)


def _wait_for_change(element: Locator, before: bytes, what: str, timeout: float = 30.0) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        now = element.screenshot()
        if now != before:
            return now
        if time.monotonic() > deadline:
            pytest.fail(f"the {what} did not change within {timeout:g} s")
        time.sleep(0.3)


def _label(page: Page, text: str) -> Locator:
    return page.locator("label", has_text=re.compile(f"^{re.escape(text)}$"))


def _choose(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the drop-down labelled ``label``."""
    page.locator(".v-select", has=_label(page, label)).click()
    page.get_by_role("option", name=option, exact=True).click()


def _year_shown(page, year: int):
    """Mesa's step counter at ``year``: "Step: 1" before Mesa 3.5, "Time: 1.0" after."""
    return page.get_by_text(re.compile(rf"^(Step: {year}|Time: {year}(\.0)?)$"))


def test_app_in_browser(chromium: str, app_url: str, tmp_path: Path) -> None:
    """Change a rule, step three years, see both views change; then load a preset."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1400})
            page.set_default_timeout(UI_TIMEOUT_MS)
            page.goto(app_url, timeout=60_000)
            market = page.locator(".simcontract-market img")
            charts = page.locator(".simcontract-charts img")
            rules = page.locator(".simcontract-rules")
            market.wait_for(state="visible", timeout=60_000)
            charts.wait_for(state="visible")
            _year_shown(page, 0).wait_for()
            market_before, charts_before = market.screenshot(), charts.screenshot()

            # Change a rule: award by direct assignment instead of open tendering.
            _choose(page, "tendering", "direct")
            page.get_by_role("button", name="Reset", exact=True).click()
            rules.locator("strong", has_text="direct").wait_for()

            for year in (1, 2, 3):
                page.get_by_role("button", name="Step", exact=True).click()
                _year_shown(page, year).wait_for()
            rules.get_by_text("year 3", exact=True).wait_for()

            _wait_for_change(market, market_before, "market view")
            _wait_for_change(charts, charts_before, "charts")
            assert page.get_by_text("error in step").count() == 0
            shot = tmp_path / "app.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000

            # A preset loads its rules into the controls and starts a new run.
            _choose(page, "scenario preset", "shanghai_hub")
            rules.get_by_text("Rules of this run (shanghai_hub)").wait_for()
            _year_shown(page, 0).wait_for()
            tendering = page.locator(".v-select", has=_label(page, "tendering"))
            assert "intermediary" in tendering.inner_text()
        finally:
            browser.close()
