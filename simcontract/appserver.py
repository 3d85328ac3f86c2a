"""Start the interactive seminar app (:mod:`simcontract.app`) in Solara's web server.

This module imports nothing from Solara or Mesa's visualization until ``serve()`` runs,
so the command line can offer ``simcontract app`` without those packages installed.
What it says on the terminal (``serving.*`` and ``errors.serving.*`` of the catalogue)
is in the language in use (:func:`simcontract.i18n.use_language`, the command's
``--lang``).
"""

from __future__ import annotations

import errno
import importlib.util
import ipaddress
import os
import socket
import sys
import threading
import warnings
from functools import partial

from simcontract import i18n
from simcontract.params import error_text, listed

PAGE_LANGUAGE_VARIABLE = "SIMCONTRACT_APP_LANG"
"""Set by :func:`serve` to the language its pages open in, when one was chosen."""

APP_MODULE = "simcontract.app"
"""Module that Solara serves; it defines the ``Page`` component."""

INSTALL_HINT = "pip install 'mesa[rec]' 'solara[assets]==1.58.2' 'ipyvuetify<2'"
"""What to install when the app's packages are missing."""

_NEEDED = ("solara", "altair", "networkx")


def missing_packages() -> list[str]:
    """Names of the packages the app needs that are not installed."""
    return [name for name in _NEEDED if importlib.util.find_spec(name) is None]


_said = partial(error_text, "serving")


def banner(host: str, port: int) -> str:
    """The line saying where the app is served, printed as it starts."""
    return i18n.text("serving.banner", host=host, port=port)


def host_problem(host: str) -> str | None:
    """What is wrong with ``host`` as an address to listen on, or ``None``.

    An empty address would make the server listen on every interface, silently; a name
    that does not resolve, or an address not of this machine, would fail only once the
    server starts, after its banner and with the server's raw error.
    """
    if not host.strip():
        return _said("host_empty")
    if host != host.strip() or any(ch.isspace() or not ch.isprintable() for ch in host):
        return _said("host_spaces")
    reason = _bind_problem(host)
    if reason:
        return _said("cannot_listen", reason=reason)
    return None


def in_use_message(host: str, port: int) -> str:
    """One line: ``port`` is taken at ``host``, and what to do."""
    return _said("port_in_use", port=port, host=host, other=port + 1 if port < 65535 else 8765)


def port_in_use(host: str, port: int) -> bool:
    """Whether another server already listens on ``port`` at ``host`` (a host that
    :func:`host_problem` accepts): the server would start, print its banner and fail.

    Binds as the server does (over IPv6 for an address with a colon, else IPv4, reusing
    an address that no server holds), and closes the socket at once.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as err:
        return err.errno == errno.EADDRINUSE
    return False


RESOLVE_SECONDS = 5.0
"""How long the host check waits for the name service before giving up on a name."""


def _bind_problem(host: str) -> str | None:
    """Why the server could not listen on ``host``, or ``None`` when it can.

    Resolves ``host`` (every address family, for listening) and binds a socket to each
    address on port 0 until one binds, so the answer does not depend on the port (a port
    in use is the server's own error); each socket is closed at once.
    """
    found: list = []
    failed: list[BaseException] = []

    def resolve() -> None:
        try:
            found.extend(
                socket.getaddrinfo(host, 0, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
            )
        except (OSError, UnicodeError) as err:
            failed.append(err)

    # A name the name service is slow to answer must not hang the command.
    lookup = threading.Thread(target=resolve, name="simcontract-host-check", daemon=True)
    lookup.start()
    lookup.join(RESOLVE_SECONDS)
    if lookup.is_alive():
        return _said("name_service", seconds=f"{RESOLVE_SECONDS:g}")
    if failed:
        err = failed[0]
        if isinstance(err, UnicodeError):
            return _said("not_host_name")
        return getattr(err, "strerror", None) or str(err)
    if not found:
        return _said("no_address")
    # One address that binds is enough: a name such as "localhost" may also resolve to
    # an IPv6 address the machine cannot use, where the server binds a name over IPv4.
    problems = []
    for family, kind, proto, _name, address in found:
        try:
            with socket.socket(family, kind, proto) as probe:
                if family == getattr(socket, "AF_INET6", None) and hasattr(socket, "IPV6_V6ONLY"):
                    probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                probe.bind((address[0], 0, *address[2:]))
            return None
        except OSError as err:
            problems.append(err.strerror or str(err))
    return problems[0]


def _loopback(host: str) -> bool:
    """Whether every address ``host`` stands for is this machine's loopback."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return False
    return bool(found) and all(ipaddress.ip_address(f[4][0]).is_loopback for f in found)


def exposure(host: str, port: int) -> str | None:
    """One line warning that the app can be reached from the network, or ``None`` when
    ``host`` is a loopback address (this machine only)."""
    if _loopback(host):
        return None
    return i18n.text("serving.exposure", host=host, port=port)


def _error(message: str) -> None:
    """One line ``simcontract: error: ...`` on stderr, in the language in use."""
    print(i18n.text("cli.error.error", message=message), file=sys.stderr)


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


def serve(
    host: str = "127.0.0.1", port: int = 8765, open_browser: bool = False, lang: str | None = None
) -> int:
    """Serve the seminar app at ``http://host:port/`` until interrupted.

    Runs Solara's server (uvicorn) in this process, in production mode; Ctrl-C or
    SIGTERM stops it.

    Args:
        host: Address to listen on (the default serves this machine only).
        port: TCP port.
        open_browser: Open the app in the default web browser once it is up.
        lang: The language new pages open in (``"en"``, ``"zh_CN"``); default each
            browser's own (its first language with a catalogue). A page's menu still
            changes it.

    Returns:
        The exit status: 0 after Ctrl-C, 2 when the app's packages are missing,
        ``host`` is no address of this machine to listen on (see :func:`host_problem`)
        or another server listens on ``port``, and another non-zero status when the
        server could not start all the same (3).
    """
    problem = host_problem(host)
    if problem:
        _error(_said("bad_host", host=repr(host), problem=problem))
        return 2
    if port_in_use(host, port):
        _error(in_use_message(host, port))
        return 2
    missing = missing_packages()
    if missing:
        _error(_said("app_needs", packages=listed(missing), hint=INSTALL_HINT))
        return 2
    # No usage statistics from the server; set before Solara reads its settings.
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    # Solara warns on every page served by address rather than by "localhost".
    warnings.filterwarnings("ignore", message="Cookies with samesite=none", category=UserWarning)
    from click.exceptions import Abort
    from solara.__main__ import run
    from solara.server import settings

    settings.telemetry.mixpanel_enable = False
    if lang is not None:
        # The pages run in the server's threads, which see the environment.
        os.environ[PAGE_LANGUAGE_VARIABLE] = i18n.resolve(lang)

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
