"""The state of a city's contracts as arrays: one row per contract signed.

Staffing, delivery, evaluation and the close of the year read and write these attributes
for all of a year's contracts at once, as arrays indexed by the contracts' rows
(:meth:`~simcontract.batch.YearBatch.contract_values`). A
:class:`~simcontract.agents.Contract` is a view on its row: ``contract.quality`` reads
``state.quality[contract.row]``. A contract keeps its row once it has ended, so the
table grows with the contracts a city has signed.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from simcontract.rowtable import RowTable

TERMS = ("price", "promised_hours", "required_hours")
"""Contract attributes fixed when it is signed (:meth:`~simcontract.batch.YearBatch.term`)."""


class ContractState(RowTable):
    """A city's contracts' attributes (what each means:
    :class:`~simcontract.agents.Contract`), and two facts that never change once a
    contract is signed: ``district``, its purchaser's district, and ``fit_kind``, why its
    provider knows what the service's users want (-1 until delivery first reads it:
    :func:`~simcontract.phases.delivery.fit`)."""

    LAYOUT: ClassVar[dict[str, tuple[type, Any]]] = {
        "price": (np.float64, 0.0),
        "start": (np.int64, 0),
        "end": (np.int64, 0),
        "promised_hours": (np.float64, 0.0),
        "required_hours": (np.float64, 0.0),
        "tied": (np.bool_, False),
        "staff": (np.int64, 0),
        "delivered_hours": (np.float64, 0.0),
        "documentation_hours": (np.float64, 0.0),
        "extra_hours": (np.float64, 0.0),
        "refused_duties": (np.bool_, False),
        "quality": (np.float64, np.nan),
        "score": (np.float64, np.nan),
        "terminated": (np.bool_, False),
        "district": (np.int64, 0),
        "fit_kind": (np.int64, -1),
    }
    ITEMS: ClassVar[str] = "contract"

    def new_row(self) -> int:
        """A row for a new contract, with every column at its starting value."""
        row = self.size
        if row == self.capacity:
            self._make_room(1)
        self.size = row + 1
        return row
