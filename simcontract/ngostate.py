"""The state of a city's NGOs as arrays: one row per NGO, one array per attribute.

The phases that treat every NGO alike (planning, delivery, settlement, the close of the
year) read and write these attributes for all of a city's NGOs at once, as arrays
indexed by the NGOs' rows (:meth:`NGOState.rows`). An :class:`~simcontract.agents.NGO`
is a view on its row: ``ngo.reserves`` reads and sets ``state.reserves[ngo.row]``, so
users, the app and the classroom see plain attributes.

Rows are never reused: an NGO that exits keeps its row, and its attributes keep their
last values. A city's state grows with the NGOs it has ever had.

The city's social workers are kept the same way (:class:`Workforce`): one array of
experience for all of them, grouped by employer, so that staffing and turnover hire,
lay off and lose workers of every NGO at once; and so are its contracts
(:class:`~simcontract.contractstate.ContractState`), one row per contract signed.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from simcontract.contractstate import ContractState
from simcontract.rowtable import RowTable

if TYPE_CHECKING:
    from simcontract.agents import NGO

HOURS = ("service", "documentation", "extra", "cultivation", "mission", "advocacy")
"""Where an NGO's staff hours went this year (``ngo.hours``), in the order they are
kept: column ``hours_<use>`` of :class:`NGOState`."""

COLUMNS: dict[str, float] = {
    "skill": 0.0,
    "reserves": 0.0,
    "dare": 0.0,
    "reputation": 0.0,
    "tolerance": 1.0,
    "inclination": 0.0,
    "dependence": 0.0,
    "revenue_gov": 0.0,
    "revenue_other": 0.0,
    "pay_level": 1.0,
    "strain": 0.0,
    "advocacy": 0.0,
    "voice": 0.0,
    "directed": 0.0,
    "cultivation": 0.0,
    **{f"hours_{use}": 0.0 for use in HOURS},
}
"""Every column of :class:`NGOState` and the value a new NGO starts with (what each
means: :class:`~simcontract.agents.NGO`)."""

COUNTS: dict[str, int] = {"track_record": 0}
"""Integer columns of :class:`NGOState` that change during a run, and the value a new
NGO starts with."""

FIXED = ("origin_code", "sector_code", "district", "citywide", "uid", "entry_year")
"""Integer columns of :class:`NGOState` an NGO is given when it registers and that never
change: its origin (index in ``params.ORIGINS``), its sector (index in
``agents.SECTORS``, -1 for none), its home district, whether it serves the whole city,
its ``unique_id`` and the year it entered (0 for an initial NGO). The NGO's own
attributes hold the same values; these let a phase read them for all NGOs at once."""

_row = attrgetter("row")


class NGOState(RowTable):
    """A city's NGOs' attributes of :data:`COLUMNS` (one float64 array each),
    :data:`COUNTS` and :data:`FIXED` (one int64 array each), its social workers
    (``workforce``, :class:`Workforce`) and its contracts (``contracts``,
    :class:`~simcontract.contractstate.ContractState`).

    Each array has room for more rows than are in use (``size``); only rows below
    ``size`` belong to NGOs. Arrays are replaced when they grow, so hold an array only
    while no NGO is created.
    """

    LAYOUT: ClassVar[dict[str, tuple[type, Any]]] = {
        **{name: (np.float64, start) for name, start in COLUMNS.items()},
        **{name: (np.int64, start) for name, start in COUNTS.items()},
        **{name: (np.int64, 0) for name in FIXED},
    }
    ITEMS: ClassVar[str] = "NGO"

    exits: int = 0
    """NGOs that have exited (:func:`~simcontract.agents.exit_ngos`)."""

    def __init__(self, capacity: int = 64) -> None:
        super().__init__(capacity)
        self.workforce = Workforce()
        self.contracts = ContractState()

    def new_row(self, **fixed: int) -> int:
        """A row for a new NGO, with every column at its starting value and the columns
        of :data:`FIXED` at ``fixed`` (all of them must be given)."""
        self._make_room(1)
        row = self.size
        for name in FIXED:
            getattr(self, name)[row] = fixed[name]
        self.size += 1
        return row

    def new_rows(self, count: int, **fixed: np.ndarray | int) -> np.ndarray:
        """Rows for ``count`` new NGOs, as :meth:`new_row` makes them one at a time
        (``fixed``: one value per new NGO, or one for all)."""
        self._make_room(count)
        rows = np.arange(self.size, self.size + count)
        for name in FIXED:
            getattr(self, name)[rows] = fixed[name]
        self.size += count
        return rows

    @staticmethod
    def rows(ngos: list[NGO]) -> np.ndarray:
        """The row of each of ``ngos``, in order."""
        return np.fromiter(map(_row, ngos), np.intp, len(ngos))


class Workforce:
    """Every social worker of a city's NGOs: years of experience and the employer's row.

    Workers are grouped by employer, rows in ascending order, and each NGO's workers
    are in its own order (``ngo.experience``). Only the first ``size`` entries of the
    arrays are in use.
    """

    def __init__(self) -> None:
        self.experience = np.zeros(64)
        self.row = np.zeros(64, np.intp)
        self.size = 0
        self._first: np.ndarray | None = None

    def hire_founder(self, row: int, experience: float) -> None:
        """Add the first worker of a new NGO (its row is above every row here)."""
        if self.size == len(self.experience):
            self._store(self.experience[: self.size], self.row[: self.size], room=self.size + 1)
        self.experience[self.size] = experience
        self.row[self.size] = row
        self.size += 1
        self._first = None

    def hire_founders(self, rows: np.ndarray, experience: np.ndarray) -> None:
        """Add the first worker of each of the new NGOs of ``rows`` (in ascending order,
        above every row here), with ``experience``."""
        n = len(rows)
        if self.size + n > len(self.experience):
            size = self.size
            self._store(self.experience[:size], self.row[:size], room=size + n)
        self.experience[self.size : self.size + n] = experience
        self.row[self.size : self.size + n] = rows
        self.size += n
        self._first = None

    def counts(self, rows: np.ndarray) -> np.ndarray:
        """Workers of the NGO in each of ``rows``."""
        lo, hi = self._bounds(rows)
        return hi - lo

    def of(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The experience of the workers of ``rows``, NGO by NGO in the order of
        ``rows``, and for each worker the index of its NGO in ``rows``."""
        lo, hi = self._bounds(rows)
        counts = hi - lo
        return self.experience[_ranges(lo, counts)], np.repeat(np.arange(len(rows)), counts)

    def replace(self, rows: np.ndarray, experience: np.ndarray, counts: np.ndarray) -> None:
        """Make ``experience`` the workers of ``rows`` (each row once): the first
        ``counts[0]`` entries those of ``rows[0]``, and so on."""
        used, rows = self.row[: self.size], np.asarray(rows, np.intp)
        lo, hi = self._bounds(rows)
        mine = np.repeat(rows, counts)
        if len(rows) == 1:
            # One NGO (its founder hired, or it exits): splice its workers in.
            a, b = int(lo[0]), int(hi[0])
            old = self.experience[: self.size]
            self._store(
                np.concatenate([old[:a], experience, old[b:]]),
                np.concatenate([used[:a], mine, used[b:]]),
            )
            return
        ascending = bool(np.all(rows[1:] > rows[:-1]))
        if ascending and int((hi - lo).sum()) == self.size:
            self._store(experience, mine)  # every worker's NGO is in rows: the usual case
            return
        others = np.ones(self.size, bool)
        others[_ranges(lo, hi - lo)] = False
        if not len(mine):
            # Only lay-offs (NGOs that exit): the others stay as they are.
            self._store(self.experience[: self.size][others], used[others])
            return
        all_rows = np.concatenate([used[others], mine])
        # A stable sort by row keeps each NGO's workers in their order.
        order = np.argsort(all_rows, kind="stable")
        both = np.concatenate([self.experience[: self.size][others], experience])
        self._store(both[order], all_rows[order])

    def _bounds(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # Where each row's workers start, for every row up to the largest asked for:
        # kept until the workers change, as a year asks several times.
        first = self._first
        top = int(rows.max()) + 2 if len(rows) else 0
        if first is None or len(first) < top:
            used = self.row[: self.size]
            span = max(top, int(used[-1]) + 2 if self.size else 0)
            # Workers are sorted by row: a row's first is the count of workers of the
            # rows before it (a count and a running sum cost less than a search).
            first = self._first = np.zeros(span, np.intp)
            np.cumsum(np.bincount(used, minlength=span)[: span - 1], out=first[1:])
        return first[rows], first[rows + 1]

    def _store(self, experience: np.ndarray, rows: np.ndarray, room: int = 0) -> None:
        n = len(experience)
        if max(n, room) > len(self.experience):
            # Entries at and above ``size`` are never read, so they need no zeros.
            room = max(64, 2 * n, 2 * room)
            self.experience, self.row = np.empty(room), np.empty(room, np.intp)
        self.experience[:n] = experience
        self.row[:n] = rows
        self.size = n
        self._first = None


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``starts[0], starts[0] + 1, ..`` (``counts[0]`` numbers), then the same for
    each following start, as one array."""
    total = int(counts.sum())
    offsets = np.cumsum(counts) - counts
    return np.repeat(starts - offsets, counts) + np.arange(total)
