"""What ``simcontract classroom`` prints on the teacher's terminal, in the language in use.

The lines come from the catalogue (``classroom_command.*``) in the language of the
command's ``--lang`` (:func:`simcontract.i18n.use_language`): how to join and teach as
the session starts, why ``--out`` cannot take a session, what Ctrl-C left, and whether a
replay gives the logged outcomes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from simcontract import i18n

if TYPE_CHECKING:
    from simcontract.classroom.session import Session


def _said(key: str, **values: Any) -> str:
    return i18n.text(f"classroom_command.{key}", **values)


def _count(n: int, noun: str) -> str:
    return _said(f"{noun}_{'one' if n == 1 else 'many'}", n=n)


def banner(session: Session, host: str, port: int, folder: Path) -> list[str]:
    """The lines printed as the session starts: where students join, the join code, the
    teacher's link and where the log goes."""
    from simcontract.classroom.server import join_link

    local = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    teacher = f"http://{local}:{port}/teacher?key={session.teacher_key}"
    return [
        _said("join_at", url=join_link(host, port, session.code)),
        _said("code", code=session.code),
        _said("teacher", url=teacher),
        _said("log", folder=folder),
    ]


def log_held(folder: Path) -> str:
    """Why a session may not start in ``folder``: it holds a session's log already,
    which the new one would overwrite; what to do instead."""
    return _said("log_held", folder=folder)


def exposed(host: str, port: int) -> str:
    """The note (for stderr) that anyone on the local network with the code may join."""
    return _said("note", message=_said("exposed", host=host, port=port))


def stopped(session: Session, folder: Path) -> str:
    """What Ctrl-C left: the last year closed (a year in progress is not logged) and
    the log, named only if it was written."""
    from simcontract.classroom.logbook import SESSION_FILE

    with session.lock:  # the year and the phase as one state: a year may be closing
        year, phase = session.closed_year, session.phase
    logged = (folder / SESSION_FILE).is_file()
    if not year:
        log = _said("log_in", folder=folder) if logged else _said("nothing_logged")
        return _said("stopped_first", log=log)
    unfinished = phase in ("running", "planning", "awarding")
    under_way = _said("under_way", next=year + 1) if unfinished else ""
    log = _said("log_in", folder=folder) if logged else _said("no_log")
    return _said("stopped_after", year=year, under_way=under_way, log=log)


def replayed(years: int, seats: int, same: bool) -> str:
    """The line saying whether a replay of ``years`` years with ``seats`` seats gave
    the logged NGO-years."""
    verdict = _said("identical" if same else "different")
    return _said(
        "replayed", years=_count(years, "year"), seats=_count(seats, "seat"), verdict=verdict
    )
