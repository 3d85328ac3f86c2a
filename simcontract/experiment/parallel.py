"""Local worker processes."""

from __future__ import annotations

import multiprocessing
import multiprocessing.context


def process_context() -> multiprocessing.context.BaseContext:
    """The multiprocessing context for local worker pools.

    Importing Mesa's batch runner sets the global start method to "spawn", which cannot
    start workers from piped scripts and pays a full interpreter start per worker;
    "fork" (where the platform has it) starts them from the running interpreter.
    """
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()
