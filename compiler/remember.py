"""Answers of pure functions of one text, remembered for the texts seen again (bounded).

A cell's text is checked several times on its way through the reader (inspected, cleaned,
compared as a header); each check scans every character with a regular expression. Wrapped
in :func:`remembered`, a check scans a text once and answers it again from a memo.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from functools import update_wrapper
from typing import Any, Generic, TypeVar

#: Texts longer than this are never remembered (a 32,767-character cell is checked afresh).
MEMO_TEXT = 512
#: Answers remembered per function before the memo starts again (bounded memory).
MEMO_SIZE = 8192

_T = TypeVar("_T")


def remembered(func: Callable[[Any], _T]) -> Callable[[Any], _T]:
    """``func`` (pure, of one value) answering texts it has seen again from a bounded memo;
    any other value (a number, ``None``) is passed to ``func`` every time."""
    seen: dict[str, _T] = {}

    def wrapper(text: Any) -> _T:
        if type(text) is not str:  # 1, 1.0 and True are equal keys: never remembered
            return func(text)
        try:
            return seen[text]
        except KeyError:
            pass
        answer = func(text)
        if len(text) <= MEMO_TEXT:
            if len(seen) >= MEMO_SIZE:
                seen.clear()
            seen[text] = answer
        return answer

    return update_wrapper(wrapper, func)


_K = TypeVar("_K")
_V = TypeVar("_V")


class Kept(Generic[_K, _V]):
    """A bounded memo shared by threads (a server's builds): at most ``kept`` entries, the
    least recently used dropped first. ``get`` answers ``None`` for a key not kept; ``keep``
    stores an entry."""

    def __init__(self, kept: int) -> None:
        self.kept = kept
        self._entries: dict[_K, _V] = {}
        self._lock = threading.Lock()

    def get(self, key: _K) -> _V | None:
        with self._lock:
            value = self._entries.pop(key, None)
            if value is not None:
                self._entries[key] = value  # now the most recently used
            return value

    def keep(self, key: _K, value: _V) -> None:
        with self._lock:
            while key not in self._entries and len(self._entries) >= self.kept:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[_K]:
        return iter(list(self._entries))

    def values(self) -> list[_V]:
        return list(self._entries.values())


class Hashed:
    """A key whose hash is computed once: a tuple of many dataclasses (a table's measured
    cells) is hashed again at every dict operation, each dataclass field by field."""

    __slots__ = ("hash", "value")

    def __init__(self, value: object) -> None:
        self.value = value
        self.hash = hash(value)

    def __hash__(self) -> int:
        return self.hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Hashed) and self.hash == other.hash and self.value == other.value
