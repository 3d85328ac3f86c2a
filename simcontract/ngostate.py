"""The state of a city's NGOs as arrays: one row per NGO, one array per attribute.

The phases that treat every NGO alike (planning, delivery, settlement, the close of the
year) read and write these attributes for all of a city's NGOs at once, as arrays
indexed by the NGOs' rows (:meth:`NGOState.rows`). An :class:`~simcontract.agents.NGO`
is a view on its row: ``ngo.reserves`` reads and sets ``state.reserves[ngo.row]``, so
users, the app and the classroom see plain attributes.

Rows are never reused: an NGO that exits keeps its row, and its attributes keep their
last values. A city's state grows with the NGOs it has ever had.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from simcontract.agents import NGO

HOURS = ("service", "documentation", "extra", "cultivation", "mission", "advocacy")
"""Where an NGO's staff hours went this year (``ngo.hours``), in the order they are
kept: column ``hours_<use>`` of :class:`NGOState`."""

COLUMNS: dict[str, float] = {
    "skill": 0.0,
    "reserves": 0.0,
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

_row = attrgetter("row")


class NGOState:
    """A city's NGOs' attributes of :data:`COLUMNS`, one float64 array per attribute.

    Each array has room for more rows than are in use (``size``); only rows below
    ``size`` belong to NGOs. Arrays are replaced when they grow, so hold an array only
    while no NGO is created.
    """

    def __init__(self, capacity: int = 64) -> None:
        self.size = 0
        for name, start in COLUMNS.items():
            setattr(self, name, np.full(capacity, start))

    def __getattr__(self, name: str) -> Any:
        # Only reached for a name that is not a column: say which are.
        raise AttributeError(f"NGO state has no column {name!r}; columns: {', '.join(COLUMNS)}")

    def new_row(self) -> int:
        """A row for a new NGO, with every column at its starting value."""
        capacity = len(self.skill)
        if self.size == capacity:
            for name, start in COLUMNS.items():
                grown = np.full(max(2 * capacity, 16), start)
                grown[:capacity] = getattr(self, name)
                setattr(self, name, grown)
        self.size += 1
        return self.size - 1

    @staticmethod
    def rows(ngos: list[NGO]) -> np.ndarray:
        """The row of each of ``ngos``, in order."""
        return np.fromiter(map(_row, ngos), np.intp, len(ngos))


class StateColumn:
    """An NGO attribute kept in its city's :class:`NGOState` (column of the same
    name): reading it gives a Python float, setting it writes the NGO's row."""

    __slots__ = ("name",)

    def __init__(self, name: str = "") -> None:
        self.name = name

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, ngo: Any, owner: type | None = None) -> Any:
        if ngo is None:
            return self
        return getattr(ngo.state, self.name).item(ngo.row)

    def __set__(self, ngo: Any, value: float) -> None:
        getattr(ngo.state, self.name)[ngo.row] = value
