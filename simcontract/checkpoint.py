"""A model as bytes and back, however long its run: the form its copies and pickles take.

A model's agents, slots and contracts refer to one another (an NGO to its contracts, a
contract to its slot, a slot to its purchaser and last provider, a purchaser to all its
slots), so the path :mod:`pickle` and :mod:`copy` follow from one object to the next
grows with the market and the years: a 40-year ``guangzhou_ifsc`` run exceeds Python's
recursion limit. Here every such object is first written as an empty instance of its
class, then each one's state, which then refers only to instances already written; the
path stays as deep as one object's own state.
"""

from __future__ import annotations

import copyreg
import gc
import io
import pickle
from collections import deque
from typing import Any

import mesa

_OWN = ("simcontract.", "mesa.")
"""Modules whose objects are followed when the model's objects are gathered."""

_CONTAINERS = (dict, list, tuple, set, frozenset, deque)


def to_bytes(model: Any) -> bytes:
    """The model (with everything it refers to) as bytes for :func:`from_bytes`."""
    objects = _gather(model)
    buffer = io.BytesIO()
    pickler = _ShellPickler(buffer, pickle.HIGHEST_PROTOCOL)
    pickler.shells = {id(o) for o in objects} | {id(model)}
    pickler.dump([model, *objects])
    pickler.shells = set()
    # Each state now refers only to objects already written: no deep path.
    pickler.dump([_state(o) for o in objects])
    pickler.dump(model.__getstate__())
    return buffer.getvalue()


def from_bytes(data: bytes) -> Any:
    """The model :func:`to_bytes` wrote, a new one made of new objects."""
    unpickler = pickle.Unpickler(io.BytesIO(data))
    model, *objects = unpickler.load()
    for obj, state in zip(objects, unpickler.load(), strict=True):
        _restore(obj, state)
    model.__setstate__(unpickler.load())
    return model


class _ShellPickler(pickle.Pickler):
    """Writes each object of ``shells`` as an empty instance of its class."""

    shells: set[int]

    def reducer_override(self, obj: Any) -> Any:
        if id(obj) in self.shells:
            return copyreg.__newobj__, (type(obj),)
        return NotImplemented


def _gather(model: Any) -> list[Any]:
    """The objects of the model's own classes (and Mesa's agents) it reaches, each once,
    found without recursion; only those :mod:`pickle` rebuilds from their class and
    state alone."""
    seen = {id(model)}
    stack = [model]
    found = []
    while stack:
        for ref in gc.get_referents(stack.pop()):
            if id(ref) in seen:
                continue
            seen.add(id(ref))
            if isinstance(ref, _CONTAINERS):
                stack.append(ref)
            elif not isinstance(ref, type) and type(ref).__module__.startswith(_OWN):
                stack.append(ref)
                if _plain(ref):
                    found.append(ref)
    return found


def _plain(obj: Any) -> bool:
    """Whether ``obj`` is rebuilt from its class and its state (no arguments, no
    reduction of its own), as most objects are."""
    if not (isinstance(obj, mesa.Agent) or type(obj).__module__.startswith("simcontract.")):
        return False
    try:
        reduced = obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
    except TypeError:
        return False
    return (
        isinstance(reduced, tuple)
        and reduced[0] is copyreg.__newobj__
        and reduced[1] == (type(obj),)
        and all(part is None for part in reduced[3:])
    )


def _state(obj: Any) -> Any:
    """What :mod:`pickle` keeps of ``obj`` besides its class."""
    return obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL)[2]


def _restore(obj: Any, state: Any) -> None:
    """Give ``obj`` its ``state`` as :mod:`pickle` does (its ``BUILD`` step)."""
    setstate = getattr(obj, "__setstate__", None)
    if setstate is not None:
        setstate(state)
        return
    slots = None
    if isinstance(state, tuple) and len(state) == 2:
        state, slots = state
    if state:
        obj.__dict__.update(state)
    for name, value in (slots or {}).items():
        setattr(obj, name, value)
