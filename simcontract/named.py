"""Read-only tables by name (parameters, outcomes) that say what a wrong name meant."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

V = TypeVar("V")


class UnknownName(KeyError):
    """A name that is not in a :class:`Named` table; ``str()`` is the one-line message
    (a plain ``KeyError`` shows its message quoted)."""

    def __str__(self) -> str:
        return str(self.args[0])


class Named(Mapping[str, V]):
    """A read-only mapping by name whose missing name raises :class:`UnknownName` with
    the message ``unknown(name)`` (e.g. the closest name, and the command that lists
    them all). ``home`` (``"module:NAME"``) is where the table lives: a pickle of it
    names that, so it unpickles as the same table."""

    __slots__ = ("_home", "_items", "_unknown")

    def __init__(self, items: Mapping[str, V], unknown: Callable[[str], str], home: str) -> None:
        self._items = dict(items)
        self._unknown = unknown
        self._home = home

    def __reduce__(self) -> tuple[Callable[[str], Named[Any]], tuple[str]]:
        return _at_home, (self._home,)

    def __getitem__(self, name: str) -> V:
        try:
            return self._items[name]
        except KeyError:
            raise UnknownName(self._unknown(name)) from None

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def get(self, name: str, default: Any = None) -> Any:
        """The value of ``name``, else ``default``."""
        return self._items.get(name, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._items!r})"


def _at_home(home: str) -> Named[Any]:
    """The table at ``home`` (``"module:NAME"``)."""
    module, name = home.split(":")
    return getattr(importlib.import_module(module), name)
