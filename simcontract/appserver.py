"""Start the interactive seminar app (:mod:`simcontract.app`) in Solara's web server.

This module imports nothing from Solara or Mesa's visualization until ``serve()`` runs,
so the command line can offer ``simcontract app`` without those packages installed.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import warnings

APP_MODULE = "simcontract.app"
"""Module that Solara serves; it defines the ``Page`` component."""

INSTALL_HINT = "pip install 'mesa[rec]' 'solara[assets]==1.58.2' 'ipyvuetify<2'"
"""What to install when the app's packages are missing."""

_NEEDED = ("solara", "altair", "networkx")


def missing_packages() -> list[str]:
    """Names of the packages the app needs that are not installed."""
    return [name for name in _NEEDED if importlib.util.find_spec(name) is None]


def solara_args(host: str, port: int, *, open_browser: bool = False) -> list[str]:
    """Arguments after ``solara run`` that serve the app on ``host:port``.

    Production mode (no file watcher, no hot reload); no version check against the
    package index.
    """
    return [
        APP_MODULE,
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-check-version",
        "--open" if open_browser else "--no-open",
        "--log-level",
        "warning",
    ]


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = False) -> int:
    """Serve the seminar app at ``http://host:port/`` until interrupted.

    Runs Solara's server (uvicorn) in this process, in production mode; Ctrl-C or
    SIGTERM stops it.

    Args:
        host: Address to listen on (the default serves this machine only).
        port: TCP port.
        open_browser: Open the app in the default web browser once it is up.

    Returns:
        The exit status: 0 after Ctrl-C, 2 when the app's packages are missing, and
        another non-zero status when the server could not start (3: e.g. the port is
        in use).
    """
    missing = missing_packages()
    if missing:
        print(
            f"simcontract: error: the app needs {', '.join(missing)}; install with: {INSTALL_HINT}",
            file=sys.stderr,
        )
        return 2
    # No usage statistics from the server; set before Solara reads its settings.
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    # Solara warns on every page served by address rather than by "localhost".
    warnings.filterwarnings("ignore", message="Cookies with samesite=none", category=UserWarning)
    from click.exceptions import Abort
    from solara.__main__ import run
    from solara.server import settings

    settings.telemetry.mixpanel_enable = False

    try:
        run.main(
            args=solara_args(host, port, open_browser=open_browser),
            prog_name="simcontract app",
            standalone_mode=False,
        )
    except (KeyboardInterrupt, Abort):
        return 0
    except SystemExit as stop:
        code = stop.code
        if code is None:
            return 0
        return code if isinstance(code, int) else 1
    return 0
