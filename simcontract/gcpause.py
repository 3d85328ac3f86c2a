"""Pausing Python's cyclic garbage collector while a model runs.

A run makes agents, contracts and ties that live until it ends, and no cyclic garbage
(a collection right after a run finds nothing to free). Python's collector still scans
every tracked object each time the long-lived ones have grown by a quarter, so over a run
it visits the growing heap again and again: about 7% of a ``guangzhou_ifsc`` run and 12%
to 14% of a 150- to 600-city run in one process. :func:`paused` switches it off for the
duration of a run; reference counting still frees everything else at once.

A finished model is itself cyclic garbage (agents and the model point at each other).
:func:`free_run` frees one that a caller has dropped, inside a pause that spans a batch
of runs: everything made since the pause began sits in the youngest generation, so one
pass over it frees the model. Without it, the collector would first pass over the live
model when the pause ends, then again over the older generation it was moved to.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    """Switch the cyclic collector off inside the block, and back to how it was after.

    Nested or concurrent blocks (runs in several threads) share one pause: the collector
    comes back, if it was on, when the last of them ends.
    """
    global _depth, _was_enabled
    with _LOCK:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _LOCK:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()


def free_run() -> None:
    """Free a finished run the caller has dropped (every reference to its model),
    inside :func:`paused` blocks spanning a batch of runs.

    A collection of the youngest generation only: during a pause nothing is moved out
    of it, so it holds the dropped model and frees it in one pass, and the batch's
    memory stays that of one run.
    """
    gc.collect(0)
