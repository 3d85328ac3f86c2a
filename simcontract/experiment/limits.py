"""Size guards: a batch's runs and projected memory, checked before anything is sampled.

A design of 10^11 points, or a Sobol ``n`` of 10^8, would otherwise end in a
``MemoryError`` after minutes of sampling. :func:`check_batch` counts the runs from the
design's size alone and projects the memory the batch needs in this process (the design
points, the runs table it returns, and the yearly series and final tables when they stay
in memory), and refuses a batch beyond the limits in one line with the numbers and what
to do instead.

The limits: :data:`MAX_RUNS` runs per batch, and :data:`MEMORY_SHARE` of this machine's
memory (:func:`simcontract.marketsize.machine_memory`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from simcontract.experiment import messages
from simcontract.experiment.runner import ExperimentError
from simcontract.experiment.storage import ID_COLUMNS
from simcontract.marketsize import machine_memory
from simcontract.outcomes import OUTCOMES

MAX_RUNS = 10_000_000
"""Most runs in one batch: 10 million runs take weeks on a workstation and days on a
cluster of a hundred cores, and their runs table alone needs tens of GiB."""

MEMORY_SHARE = 0.5
"""Share of the machine's memory a batch may plan to use in this process."""


# Bytes from tracemalloc's peak, per point or run, over batches of 500 and 2,000 runs
# (Python 3.11, pandas 2, pyarrow), rounded up by about half for other versions.
_POINT = 300
"""A design point (its dict, its row of the sample, its check)."""
_POINT_VALUE = 50
"""Each parameter value of a design point."""
_RUN_VALUE = 45
"""Each value of a run's row in the runs table (identifiers, parameters, outcomes)."""
_SERIES_ROW = 800
"""A run's year in the yearly series."""
_NGO_ROW = 450
"""An NGO in the NGO table."""
_CONTRACT_ROW = 300
"""A contract in the contract table."""
_NGOS_PER_START = 2
"""NGOs that ever exist in a run per NGO at the start (entries over the run)."""


class TooLarge(ExperimentError):
    """A batch beyond :data:`MAX_RUNS` or the memory limit."""


_said = partial(messages.error, "limits")


def memory_limit() -> int:
    """Memory a batch may plan to use: :data:`MEMORY_SHARE` of :func:`machine_memory`."""
    return int(MEMORY_SHARE * machine_memory())


def projected_memory(
    n_points: int,
    n_parameters: int,
    replications: int,
    scenario: Mapping[str, Any],
    *,
    details_in_memory: bool,
) -> int:
    """Bytes a batch needs in this process, about.

    Args:
        n_points: Design points.
        n_parameters: Parameters each point sets (0 for a comparison).
        replications: Runs per point.
        scenario: A scenario of the batch (its size parameters set the detail tables).
        details_in_memory: Yearly series and final tables are kept in memory (``series``
            without ``out``).
    """
    runs = n_points * replications
    columns = len(ID_COLUMNS) + len(scenario) + len(OUTCOMES)
    need = n_points * (_POINT + _POINT_VALUE * n_parameters) + runs * columns * _RUN_VALUE
    if details_in_memory:
        cities = int(scenario["n_cities"])
        ngos = _NGOS_PER_START * int(scenario["initial_ngos"]) * cities
        purchasers = (int(scenario["n_bureaux"]) + int(scenario["n_mass_orgs"])) * cities
        contracts = purchasers * int(scenario["slots_per_purchaser"])
        per_run = int(scenario["years"]) * _SERIES_ROW + ngos * _NGO_ROW
        need += runs * (per_run + contracts * _CONTRACT_ROW)
    return need


def check_batch(
    kind: str,
    n_points: int,
    replications: int,
    scenario: Mapping[str, Any],
    *,
    n_parameters: int = 0,
    series: bool = False,
    in_memory: bool = True,
) -> None:
    """Refuse a batch beyond :data:`MAX_RUNS` or :func:`memory_limit`.

    Raises:
        TooLarge: One line with the batch's numbers, the limit and what to do.
    """
    runs = n_points * replications
    # A comparison's points are its scenarios.
    noun = "scenarios" if kind == "compare" else "points"
    said = {
        "kind": kind,
        "points": _said(f"{noun}_{'one' if n_points == 1 else 'many'}", n=f"{n_points:,}"),
        "replications": _said(
            f"replications_{'one' if replications == 1 else 'many'}", n=f"{replications:,}"
        ),
    }
    size = _said("size", **said, runs=f"{runs:,}")
    if runs > MAX_RUNS:
        raise TooLarge(_said("too_many", size=size, most=f"{MAX_RUNS:,}"))
    details = series and in_memory
    need = projected_memory(
        n_points, n_parameters, replications, scenario, details_in_memory=details
    )
    if need > memory_limit():
        keep = _said("keep_series") if details else ""
        advice = _said("advice_out") if details else ""
        said = {"need": _gib(need), "allowed": _gib(memory_limit()), "share": f"{MEMORY_SHARE:.0%}"}
        raise TooLarge(_said("too_much_memory", size=size, keep=keep, advice=advice, **said))


def _gib(n: int) -> str:
    return f"{n / 2**30:,.1f} GiB"
