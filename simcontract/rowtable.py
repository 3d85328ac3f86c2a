"""Arrays with one row per item and one array per attribute, grown by doubling.

A city keeps the attributes that phases treat for all its NGOs, or all its contracts, at
once in such a table (:class:`~simcontract.ngostate.NGOState`,
:class:`~simcontract.contractstate.ContractState`). The agent or contract is a view on
its row (:class:`StateColumn`), so users, the app and the classroom see plain
attributes. Rows are never reused: a table grows with the items it has ever held.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np


class RowTable:
    """The columns of :attr:`LAYOUT`, one array each, with room for more rows than are
    in use: only rows below ``size`` belong to items. Arrays are replaced when they
    grow, so hold an array only while no row is added."""

    LAYOUT: ClassVar[dict[str, tuple[type, Any]]] = {}
    """Each column's name, its dtype and the value a new row starts with."""

    ITEMS: ClassVar[str] = "row"
    """What a row is, for messages ("NGO", "contract")."""

    def __init__(self, capacity: int = 64) -> None:
        self.size = 0
        self.capacity = capacity
        for name, (dtype, start) in self.LAYOUT.items():
            setattr(self, name, np.full(capacity, start, dtype))

    def __getattr__(self, name: str) -> Any:
        # Only reached for a name that is not a column: say which are.
        names = ", ".join(self.LAYOUT)
        raise AttributeError(f"{self.ITEMS} state has no column {name!r}; columns: {names}")

    def _make_room(self, count: int) -> None:
        """Grow the arrays, doubling, until ``count`` more rows fit."""
        capacity = self.capacity
        if self.size + count <= capacity:
            return
        size = max(2 * capacity, 16)
        while size < self.size + count:
            size *= 2
        for name, (dtype, start) in self.LAYOUT.items():
            grown = np.full(size, start, dtype)
            grown[:capacity] = getattr(self, name)
            setattr(self, name, grown)
        self.capacity = size


class StateColumn:
    """An attribute kept in a :class:`RowTable` (its column of the same name, in the
    table ``item.state`` at row ``item.row``): reading it gives a Python float, int or
    bool, setting it writes the item's row."""

    __slots__ = ("name",)

    def __init__(self, name: str = "") -> None:
        self.name = name

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, item: Any, owner: type | None = None) -> Any:
        if item is None:
            return self
        return getattr(item.state, self.name).item(item.row)

    def __set__(self, item: Any, value: float) -> None:
        getattr(item.state, self.name)[item.row] = value
