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
from typing import TYPE_CHECKING, Any

from simcontract.cli import (
    UsageError,
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

if TYPE_CHECKING:
    from simcontract.classroom.session import Session

_seconds = _integer(0, 3600, "not_seconds", "outside_seconds")
_every = _integer(0, None, "not_integer", "below_zero")

CLASSROOM_PACKAGES = ("starlette", "uvicorn", "segno")
"""What the classroom server needs (the extra ``classroom``)."""


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
    from simcontract.classroom.server import join_link, serve
    from simcontract.classroom.session import Session

    session = Session(
        scenario,
        seed=args.seed,
        years=args.years,
        officials_every=args.officials_every,
        plan_seconds=args.plan_seconds,
        award_seconds=args.award_seconds,
        folder=folder,
    )
    if exposure(args.host, args.port):  # not this machine only
        print(
            f"simcontract: note: the classroom listens on {args.host}:{args.port}: anyone on "
            "the local network with the join code can take a seat; requests from beyond the "
            "local network are refused",
            file=sys.stderr,
        )
    local = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(f"students join at: {join_link(args.host, args.port, session.code)}")
    print(f"join code:        {session.code}")
    print(f"teacher:          http://{local}:{args.port}/teacher?key={session.teacher_key}")
    print(f"session log:      {folder}/ (Ctrl-C stops the session)")
    try:
        status = serve(session, args.host, args.port)
    except KeyboardInterrupt:  # Ctrl-C is how a session is stopped
        status = 0
    print(_stopped(session, folder))
    return status


def _stopped(session: Session, folder: Path) -> str:
    """What Ctrl-C left: the last year closed (a year in progress is not logged) and
    the log, named only if it was written."""
    from simcontract.classroom.logbook import SESSION_FILE

    year = session.closed_year
    logged = (folder / SESSION_FILE).is_file()
    if not year:
        where = f"; its log is in {folder}/" if logged else ": nothing logged"
        return f"session stopped before its first year closed{where}"
    unfinished = session.phase in ("running", "planning", "awarding")
    said = f"session stopped after year {year}"
    if unfinished:
        said += f" (year {year + 1} was under way and is not logged)"
    return said + (f"; its log is in {folder}/" if logged else "; no log was written")


def _replay(text: str) -> int:
    """Replay a logged session and say whether it gives the logged outcomes."""
    from simcontract.classroom.logbook import read_log, replay

    folder = out_path(text, "--replay")
    try:
        meta, _decisions, logged = read_log(folder)
    except (FileNotFoundError, OSError, ValueError) as err:
        raise UsageError(_item_reason("--replay", text, err)) from None
    again = replay(folder)
    same = again.reset_index(drop=True).equals(logged.reset_index(drop=True))
    years = int(logged["year"].max()) if len(logged) else 0
    seats = len(meta.get("seats", []))
    verdict = "identical to the log" if same else "DIFFERENT from the log"
    print(f"replayed {years} years with {seats} seats: NGO-years {verdict}")
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
        "--plan-seconds", type=_seconds, default=240, help=helped("classroom.plan_seconds")
    )
    room.add_argument(
        "--award-seconds", type=_seconds, default=90, help=helped("classroom.award_seconds")
    )
    room.add_argument("--out", help=helped("classroom.out"))
    room.add_argument("--replay", metavar="DIR", help=helped("classroom.replay"))
    room.set_defaults(func=cmd_classroom)
