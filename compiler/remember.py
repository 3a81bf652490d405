"""Answers of pure functions of one text, remembered for the texts seen again (bounded).

A cell's text is checked several times on its way through the reader (inspected, cleaned,
compared as a header); each check scans every character with a regular expression. Wrapped
in :func:`remembered`, a check scans a text once and answers it again from a memo.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any, TypeVar

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
