"""An exclusive lock on a results folder, so that two batches never write into one.

A batch holds ``DIR/.simcontract.lock`` (an operating-system file lock through
``filelock``, released by the system when the process dies, even by SIGKILL) while it
writes, and records who it is in ``DIR/.simcontract.holder`` so that a second writer is
refused with one line naming the first. The lock is re-entrant within one thread, so the
command line can hold it around a batch and the figures drawn after it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import socket
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import filelock

from simcontract.experiment import messages
from simcontract.experiment.atomic import write_text
from simcontract.experiment.runner import ExperimentError

LOCK_FILE = ".simcontract.lock"
HOLDER_FILE = ".simcontract.holder"
FILES = (LOCK_FILE, HOLDER_FILE)
"""The lock's files in a results folder (not results: an "empty" folder may hold them)."""

_COMMAND_SHOWN = 160
"""Most characters of the holder's command line shown in the refusal."""


class FolderInUse(ExperimentError):
    """Another batch (another process, or another thread of this one) writes the folder."""


_said = partial(messages.error, "lock")


@dataclass
class _Hold:
    """A lock this process holds, and the thread that holds it."""

    lock: filelock.BaseFileLock
    thread: int


_held: dict[str, _Hold] = {}
_guard = threading.Lock()


@contextlib.contextmanager
def hold(directory: str | Path, command: Sequence[str] | None = None) -> Iterator[Path]:
    """Hold the lock of ``directory`` (created if missing) while the block runs.

    On leaving, a folder that this call created and that holds nothing but the lock is
    removed again, so a batch refused or failed before writing leaves nothing behind.

    Args:
        directory: The results folder.
        command: The command line recorded as the holder (default ``sys.argv``).

    Raises:
        FolderInUse: Another process or thread holds the lock.
    """
    directory = Path(directory)
    key = os.path.realpath(directory)
    with _guard:
        mine = _held.get(key)
    if mine is not None:
        if mine.thread != threading.get_ident():
            raise FolderInUse(_said("in_use_thread", folder=repr(str(directory))))
        yield directory  # held already, by an enclosing block of this thread
        return
    created = not directory.exists()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        said = {"where": repr(str(directory)), "why": err.strerror or str(err)}
        raise ExperimentError(messages.error("lock", "cannot_create", **said)) from None
    lock = filelock.FileLock(str(directory / LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        raise FolderInUse(in_use_message(directory)) from None
    with _guard:
        _held[key] = _Hold(lock, threading.get_ident())
    try:
        _write_holder(directory, command)
        yield directory
    finally:
        with _guard:
            del _held[key]
        _release(directory, lock, created)


def _write_holder(directory: Path, command: Sequence[str] | None) -> None:
    from simcontract.experiment.plan import now

    holder = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": now(),
        "command": [str(c) for c in (command if command is not None else sys.argv)],
    }
    write_text(directory / HOLDER_FILE, json.dumps(holder) + "\n")


def _release(directory: Path, lock: filelock.BaseFileLock, created: bool) -> None:
    """Forget the holder, release the lock; remove a folder made for nothing."""
    empty = False
    try:
        (directory / HOLDER_FILE).unlink(missing_ok=True)
        empty = created and {p.name for p in directory.iterdir()} <= set(FILES)
        if empty:
            (directory / LOCK_FILE).unlink(missing_ok=True)
    finally:
        lock.release()
    if empty:
        with contextlib.suppress(OSError):
            directory.rmdir()


def holder(directory: Path) -> dict[str, Any] | None:
    """Who holds (or last held) the lock of ``directory``, as recorded; ``None`` if unknown."""
    try:
        data = json.loads((directory / HOLDER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def in_use_message(directory: Path) -> str:
    """One line: ``directory`` is in use, by whom, and what to do."""
    who = holder(directory)
    if who is None:
        by = _said("by_another")
    else:
        command = shlex.join(str(c) for c in who.get("command") or [])
        if len(command) > _COMMAND_SHOWN:
            command = command[: _COMMAND_SHOWN - 3] + "..."
        said = {k: str(who.get(k, "?")) for k in ("pid", "host", "since")}
        by = _said("by_process", **said)
        by += _said("by_command", command=command) if command else ""
    return _said("in_use", folder=repr(str(directory)), by=by)


def check_free(directory: Path) -> None:
    """Refuse ``directory`` when another process or thread holds its lock now.

    Raises:
        FolderInUse: One line naming the holder.
    """
    if is_locked(directory):
        if os.path.realpath(directory) in _held:
            raise FolderInUse(_said("in_use_thread", folder=repr(str(directory))))
        raise FolderInUse(in_use_message(directory))


def is_locked(directory: Path) -> bool:
    """Whether another process or thread holds the lock of ``directory`` now (not this
    thread, which may take it again)."""
    if not (directory / LOCK_FILE).is_file():
        return False
    mine = _held.get(os.path.realpath(directory))
    if mine is not None:
        return mine.thread != threading.get_ident()
    probe = filelock.FileLock(str(directory / LOCK_FILE))
    try:
        probe.acquire(timeout=0)
    except filelock.Timeout:
        return True
    except OSError:
        return False
    probe.release()
    return False
