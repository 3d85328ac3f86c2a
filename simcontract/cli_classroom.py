"""The ``simcontract classroom`` command: a market students play from their browsers
(:mod:`simcontract.classroom`), or ``--replay DIR`` of a session's log.

Bad input is one line with exit status 2, as for every command (:mod:`simcontract.cli`).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path
from typing import Any

from simcontract.cli import (
    UsageError,
    _chosen_language,
    _integer,
    _item_reason,
    _port,
    _positive,
    _seed,
    listed,
    out_path,
    said,
    scenario_with,
)
from simcontract.clihelp import helped
from simcontract.i18n import os_message

_seconds = _integer(0, 3600, "not_seconds", "outside_seconds")
_every = _integer(0, None, "not_integer", "below_zero")

CLASSROOM_PACKAGES = ("starlette", "uvicorn", "segno")
"""What the classroom server needs (the extra ``classroom``)."""

PLAN_SECONDS = 240
"""Default of ``--plan-seconds``: the time to plan a year."""

AWARD_SECONDS = 90
"""Default of ``--award-seconds``: the time to award a tender."""


def cmd_classroom(args: argparse.Namespace) -> int:
    """``simcontract classroom``: serve a session, or replay a logged one."""
    if args.replay is not None:
        return _replay(args.replay)
    from simcontract.appserver import exposure, host_problem, in_use_message, port_in_use

    problem = host_problem(args.host)
    if problem:
        raise UsageError(_item_reason("--host", args.host, problem))
    if port_in_use(args.host, args.port):
        raise UsageError(in_use_message(args.host, args.port))
    missing = [p for p in CLASSROOM_PACKAGES if importlib.util.find_spec(p) is None]
    if missing:
        raise UsageError(said("error.classroom_needs", packages=listed(missing)))
    scenario = scenario_with(args.scenario or "baseline", args.set)
    folder = out_path(args.out) or Path("classroom") / time.strftime("session-%Y%m%d-%H%M%S")
    from simcontract.classroom import console
    from simcontract.classroom.logbook import holds_log
    from simcontract.classroom.server import serve
    from simcontract.classroom.session import Session

    if holds_log(folder):  # a second session would overwrite the first one's log
        raise UsageError(console.log_held(folder))

    session = Session(
        scenario,
        seed=args.seed,
        years=args.years,
        officials_every=args.officials_every,
        plan_seconds=args.plan_seconds,
        award_seconds=args.award_seconds,
        folder=folder,
        lang=_chosen_language(args),  # the pages' too; each page's menu still changes it
    )
    if exposure(args.host, args.port):  # not this machine only
        print(console.exposed(args.host, args.port), file=sys.stderr)
    for line in console.banner(session, args.host, args.port, folder):
        print(line)
    try:
        status = serve(session, args.host, args.port)
    except KeyboardInterrupt:  # Ctrl-C is how a session is stopped
        status = 0
    print(console.stopped(session, folder))
    return status


def _replay(text: str) -> int:
    """Replay a logged session and say whether it gives the logged outcomes."""
    from simcontract.classroom.console import replayed
    from simcontract.classroom.logbook import read_log, replay

    folder = out_path(text, "--replay")
    try:
        meta, _decisions, logged = read_log(folder)
    except (FileNotFoundError, OSError, ValueError) as err:
        reason = os_message(err) if isinstance(err, OSError) else err
        raise UsageError(_item_reason("--replay", text, reason)) from None
    again = replay(folder)
    same = again.reset_index(drop=True).equals(logged.reset_index(drop=True))
    years = int(logged["year"].max()) if len(logged) else 0
    seats = len(meta.get("seats", []))
    print(replayed(years, seats, same))
    return 0 if same else 1


def add_classroom(sub: Any) -> None:
    """The ``classroom`` subcommand."""
    room = sub.add_parser(
        "classroom",
        help=helped("classroom.summary"),
    )
    room.add_argument("scenario", nargs="?", help=helped("classroom.scenario"))
    room.add_argument("--set", action="append", metavar="NAME=VALUE", help=helped("classroom.set"))
    room.add_argument(
        "--host",
        default="127.0.0.1",
        help=helped("classroom.host"),
    )
    room.add_argument("--port", type=_port, default=8766, help=helped("classroom.port"))
    room.add_argument("--seed", type=_seed, default=1, help=helped("classroom.seed"))
    room.add_argument("--years", type=_positive, default=6, help=helped("classroom.years"))
    room.add_argument(
        "--officials-every",
        type=_every,
        default=5,
        metavar="N",
        help=helped("classroom.officials_every"),
    )
    room.add_argument(
        "--plan-seconds",
        type=_seconds,
        default=PLAN_SECONDS,
        help=helped("classroom.plan_seconds", default=PLAN_SECONDS),
    )
    room.add_argument(
        "--award-seconds",
        type=_seconds,
        default=AWARD_SECONDS,
        help=helped("classroom.award_seconds", default=AWARD_SECONDS),
    )
    room.add_argument("--out", help=helped("classroom.out"))
    room.add_argument("--replay", metavar="DIR", help=helped("classroom.replay"))
    # its own help: the classroom writes no report, figure or table, but its pages
    room.add_argument("--lang", metavar="LANG", help=helped("classroom.lang"))
    room.set_defaults(func=cmd_classroom)
