"""The year's active NGOs and their contracts as arrays, for the phases after tendering.

Staffing, delivery, evaluation, settlement and turnover treat every NGO alike and touch
only that NGO, its own contracts and the ties of its purchasers' cadres. They run once a
year over all active NGOs of a city at once: the tender round ends by gathering the
city's NGOs and the contracts they hold into a :class:`YearBatch` (``city.batch``; one
entry per NGO, or per contract with ``owner`` pointing at its NGO), each phase computes
on its arrays and writes the results back onto the agents (the NGOs' and contracts'
state, :mod:`simcontract.ngostate`, :mod:`simcontract.contractstate`), and the close of
the year drops it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np

from simcontract.contractstate import TERMS
from simcontract.ngostate import NGOState

if TYPE_CHECKING:
    from simcontract.agents import NGO, City, Contract


_contracts = attrgetter("contracts")
_row = attrgetter("row")


def column(items: list, attribute: str, dtype: type = float) -> np.ndarray:
    """``attribute`` of every item as an array."""
    return np.fromiter(map(attrgetter(attribute), items), dtype, len(items))


def ngo_values(ngos: list[NGO], name: str) -> np.ndarray:
    """Column ``name`` of the NGO state (:mod:`simcontract.ngostate`) for ``ngos``, all
    of one city, in order."""
    if not ngos:
        return np.zeros(0)
    return getattr(ngos[0].state, name)[NGOState.rows(ngos)]


@dataclass
class YearBatch:
    """A city's active NGOs and the contracts they hold, in a fixed order.

    Attributes:
        city: The city (its evaluators, and its random generator for every draw).
        ngos: Active NGOs, in list order.
        contracts: Their contracts, NGO by NGO in list order.
        owner: For each contract, the index of its NGO in ``ngos``.
        contract_rows: Each contract's row in the city's contract state
            (:meth:`contract_values`, :meth:`put_contracts`).
        rows: Each NGO's row in the city's NGO state (:meth:`get`, :meth:`put`).
        state: That NGO state (the NGOs' own).
        staff: Workers of each NGO (set by staffing).
        doc_needs: Documentation hours each contract needs (set by delivery).
        indicators: Each contract's (hours, documentation over needs, real quality),
            gathered by evaluation once delivery has set them (``None`` until then).
    """

    city: City
    ngos: list[NGO]
    contracts: list[Contract] = field(default_factory=list)
    owner: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    contract_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    state: NGOState = field(default_factory=NGOState)
    staff: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    doc_needs: np.ndarray = field(default_factory=lambda: np.zeros(0))
    indicators: np.ndarray | None = None
    _workers: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    _ending: np.ndarray | None = field(default=None, repr=False)
    _evaluator: np.ndarray | None = field(default=None, repr=False)
    _judged: np.ndarray | None = field(default=None, repr=False)
    _populations: np.ndarray | None = field(default=None, repr=False)
    _terms: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, city: City, ngos: list[NGO] | None = None) -> YearBatch:
        """Gather ``ngos`` (by default all of ``city``'s) and the contracts they hold now."""
        if ngos is None:
            ngos, rows = city.ngos, city.ngo_rows()
        else:
            rows = NGOState.rows(ngos)
        lists = list(map(_contracts, ngos))
        contracts = list(chain.from_iterable(lists))
        held = np.fromiter(map(len, lists), np.intp, len(ngos))
        owner = np.repeat(np.arange(len(ngos)), held)
        contract_rows = np.fromiter(map(_row, contracts), np.intp, len(contracts))
        state = ngos[0].state if ngos else NGOState(0)
        return cls(city, ngos, contracts, owner, rows, contract_rows, state)

    def get(self, name: str) -> np.ndarray:
        """Column ``name`` of the NGO state for the batch's NGOs (a copy)."""
        return getattr(self.state, name)[self.rows]

    def put(self, name: str, values: np.ndarray | float) -> None:
        """Set column ``name`` of the NGO state for the batch's NGOs."""
        getattr(self.state, name)[self.rows] = values

    def contract_values(self, name: str) -> np.ndarray:
        """Attribute ``name`` of each contract (a copy)."""
        return getattr(self.state.contracts, name)[self.contract_rows]

    def put_contracts(self, name: str, values: np.ndarray | float) -> None:
        """Set attribute ``name`` of each contract."""
        getattr(self.state.contracts, name)[self.contract_rows] = values

    @property
    def rng(self) -> np.random.Generator:
        """The city's random generator."""
        return self.city.rng

    @property
    def size(self) -> int:
        """Number of NGOs."""
        return len(self.ngos)

    def term(self, name: str) -> np.ndarray:
        """Term ``name`` (one of :data:`TERMS`) of each contract, gathered at the first
        call: terms are set when a contract is signed, and several phases read them.
        The array is read-only."""
        values = self._terms.get(name)
        if values is None:
            if name not in TERMS:
                raise ValueError(f"{name!r} is not a contract term; terms: {', '.join(TERMS)}")
            values = self._terms[name] = self.contract_values(name)
            values.flags.writeable = False
        return values

    def per_ngo(self, values: np.ndarray) -> np.ndarray:
        """Sum of a per-contract array over each NGO's contracts."""
        return np.bincount(self.owner, weights=values, minlength=self.size)

    def held(self) -> np.ndarray:
        """Contracts each NGO holds."""
        return np.bincount(self.owner, minlength=self.size)

    def ending(self, year: int) -> np.ndarray:
        """Whether each contract ends this year: its term is over or it was terminated.

        Gathered at the first call, which comes after evaluation (the last change to
        terminations).
        """
        if self._ending is None:
            ended = self.contract_values("end") <= year
            self._ending = ended | self.contract_values("terminated")
        return self._ending

    def evaluator(self) -> np.ndarray:
        """Each contract's evaluator (that of its purchaser's district), as an index
        into ``city.evaluators``."""
        if self._evaluator is None:
            city = self.city
            number = {id(e): i for i, e in enumerate(city.evaluators)}
            by_district = np.array([number[id(e)] for e in city.district_evaluator], np.intp)
            self._evaluator = by_district[self.contract_values("district")]
        return self._evaluator

    def populations(self) -> np.ndarray:
        """Residents of the street each contract's slot serves (0 for a slot without
        one). Gathered at the first call: a slot's population is drawn before it is
        first tendered and never changes."""
        if self._populations is None:
            cs = self.contracts
            self._populations = np.fromiter((c.slot.population for c in cs), float, len(cs))
        return self._populations

    def judged(self) -> np.ndarray:
        """Years each contract's NGO had been judged by the contract's evaluator
        (``ngo.systems``) before this year.

        Gathered at the first call, which comes in delivery, before evaluation counts
        this year.
        """
        if self._judged is None:
            ids = [e.unique_id for e in self.city.evaluators]
            cs = self.contracts
            pairs = zip(cs, self.evaluator().tolist(), strict=True)
            self._judged = np.fromiter(
                (c.ngo.systems.get(ids[k], 0) for c, k in pairs), float, len(cs)
            )
        return self._judged

    def workers(self) -> tuple[np.ndarray, np.ndarray]:
        """Every worker's experience, NGO by NGO, and the index of its NGO.

        Gathered at the first call, which comes after staffing (the last change to the
        workforce before turnover at year end).
        """
        if self._workers is None:
            self._workers = self.state.workforce.of(self.rows)
        return self._workers
