"""What the fast paths remember in a process, forgotten as a new process would have it, and
a cache folder of a test's own (shared by the tests of the fast paths)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from compiler.docx import buildmemo, columns, docxzip, jinjacache, linebreak, rowloop, templating, textwidth
from compiler.report import piecestore, render


def forget() -> None:
    """Everything remembered in this process by the fast paths (a new process): what is
    written when a process ends is written first."""
    buildmemo.save()
    buildmemo._kept.clear()
    piecestore.save()
    piecestore._skeletons.clear()
    piecestore._rows.clear()
    render._rows.clear()
    columns._solved.clear()
    columns._cells.clear()
    columns._measures.clear()
    columns._sized[0] = False
    rowloop._rows.clear()
    rowloop._cuts.clear()
    rowloop._seen.clear()
    docxzip._memory.clear()
    docxzip._memory_size[0] = 0
    templating._patched.clear()
    templating._html.clear()
    jinjacache._memory.clear()
    linebreak._hinted.cache_clear()
    textwidth._ems.cache_clear()


def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache folder of the test's own, builds dated reproducibly, nothing remembered before
    or after (a fixture's body: ``yield from fresh_cache(...)``)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("ITA_REPORT_CACHE", str(folder))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    forget()
    yield folder
    forget()
