"""A fuzz target: the XML of a valid .xlsx mutated where readers trust it — the declared
dimension, cell and row references, shared-string indices, style indices, merged ranges —
plus raw bytes inserted and the part cut short.

Whatever the mutation, ``ita-report check`` ends with exit 0, or exit 1 and a finding; never
a traceback, a hang (a deadline) or unbounded memory (the check runs in a forked child whose
address space is limited to what it had plus :data:`_MEMORY`; the far-cell bomb this target
was written for asked calamine for 549 GB and aborted).
"""

from __future__ import annotations

import os
import re
import resource
import signal
import time
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hostile import standard_sheets
from xlsxraw import write_xlsx

from compiler.workbook import standard

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the child is forked (POSIX)")

#: Address space the check may add to what the forked child starts with.
_MEMORY = 1 << 30
#: Seconds one check may take.
_DEADLINE = 30.0

_SHEETS = ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml")


def _base(folder: Path) -> dict[str, bytes]:
    sheets = standard_sheets()
    path = write_xlsx(folder / "base.xlsx", sheets, merges={standard.SHEET_MEASURES: ["C2:C3", "H1:J2"]})
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    # a dimension and a styled cell to mutate
    members[_SHEETS[1]] = members[_SHEETS[1]].replace(b"<sheetData>", b'<dimension ref="A1:G5"/><sheetData>', 1)
    members[_SHEETS[1]] = members[_SHEETS[1]].replace(b'<c r="A2"', b'<c r="A2" s="1"', 1)
    return members


_rows = st.one_of(st.sampled_from([0, 1, 2, 5, 65_536, 1_048_576, 1_048_577, 10**9, 10**20]), st.integers(0, 3_000_000))
_letters = st.one_of(
    st.sampled_from(["A", "G", "Z", "AA", "XFD", "XFE", "ZZZZ", "ZZZZZZZZZZZZZZ", "a", "xfd", "$A", ""]),
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=4),
)
#: References far out (the bombs), sought on purpose: random ones rarely go that far.
_far = st.builds(
    lambda c, r: f"{c}{r}",
    st.sampled_from(["XFD", "AMJ", "IV", "ZZZ", "CV"]),
    st.sampled_from([65_536, 100_000, 1_048_576]),
)
_ref = st.one_of(
    _far,
    st.builds(lambda c, r: f"{c}{r}", _letters, _rows),
    st.sampled_from(["", "A", "1", "A1:B2", "R1C1", "A-1", "A1 ", "&#65;1", "A\x001"]),
)
_number_text = st.one_of(
    st.integers(-5, 10**12).map(str), st.sampled_from(["", "x", "1.5", "-0", "1e9", "NaN", "99999999999999999999999"])
)

_mutation = st.one_of(
    st.tuples(st.just("cell-ref"), st.integers(0, 1), st.integers(0, 40), _far),
    st.tuples(st.just("dimension"), _ref, _ref),
    st.tuples(st.just("cell-ref"), st.integers(0, 1), st.integers(0, 40), _ref),
    st.tuples(st.just("drop-ref"), st.integers(0, 1), st.integers(0, 40)),
    st.tuples(st.just("row-ref"), st.integers(0, 1), st.integers(0, 8), _rows.map(str)),
    st.tuples(st.just("string-index"), st.integers(0, 1), st.integers(0, 40), _number_text),
    st.tuples(st.just("style"), st.integers(0, 1), st.integers(0, 40), _number_text),
    st.tuples(st.just("merge"), st.integers(0, 1), _ref, _ref),
    st.tuples(
        st.just("bytes"),
        st.sampled_from([*_SHEETS, "xl/sharedStrings.xml", "xl/styles.xml"]),
        st.floats(0, 1),
        st.binary(min_size=1, max_size=12),
    ),
    st.tuples(st.just("cut"), st.sampled_from([*_SHEETS, "xl/sharedStrings.xml", "xl/workbook.xml"]), st.floats(0, 1)),
)

_CELL = re.compile(rb"<c\b[^>]*>")
_R = re.compile(rb'\br="[^"]*"')


def _nth(pattern: re.Pattern[bytes], data: bytes, n: int) -> re.Match[bytes] | None:
    found = list(pattern.finditer(data))
    return found[n % len(found)] if found else None


def _splice(data: bytes, m: re.Match[bytes], new: bytes) -> bytes:
    return data[: m.start()] + new + data[m.end() :]


def _apply(members: dict[str, bytes], mutation: tuple[object, ...]) -> None:
    kind, *args = mutation
    if kind == "dimension":
        a, b = args
        sheet = members[_SHEETS[1]]
        members[_SHEETS[1]] = re.sub(
            rb'<dimension ref="[^"]*"/>', f'<dimension ref="{a}:{b}"/>'.encode(), sheet, count=1
        )
    elif kind in ("cell-ref", "drop-ref", "string-index", "style"):
        sheet_no, n, *value = args
        name = _SHEETS[int(sheet_no)]  # type: ignore[call-overload]
        data = members[name]
        m = _nth(_CELL, data, int(n))  # type: ignore[call-overload]
        if m is None:
            return
        tag = m.group(0)
        if kind == "cell-ref":
            tag = _R.sub(f'r="{value[0]}"'.encode("utf-8", "replace"), tag, count=1)
        elif kind == "drop-ref":
            tag = _R.sub(b"", tag, count=1)
        elif kind == "style":
            tag = re.sub(rb'\ss="[^"]*"', b"", tag).replace(b"<c ", f'<c s="{value[0]}" '.encode(), 1)
        else:
            end = data.find(b"</c>", m.end())
            body = data[m.end() : end] if end >= 0 else b""
            if b"<v>" in body:
                new_body = re.sub(rb"<v>[^<]*</v>", f"<v>{value[0]}</v>".encode(), body, count=1)
                members[name] = data[: m.end()] + new_body + data[m.end() + len(body) :]
                if b't="s"' not in tag:
                    members[name] = _splice(members[name], m, tag.replace(b"<c ", b'<c t="s" ', 1))
            return
        members[name] = _splice(data, m, tag)
    elif kind == "row-ref":
        sheet_no, n, value = args
        name = _SHEETS[int(sheet_no)]  # type: ignore[call-overload]
        m = _nth(re.compile(rb'<row r="[^"]*"'), members[name], int(n))  # type: ignore[call-overload]
        if m is not None:
            members[name] = _splice(members[name], m, f'<row r="{value}"'.encode())
    elif kind == "merge":
        sheet_no, a, b = args
        name = _SHEETS[int(sheet_no)]  # type: ignore[call-overload]
        merge = f'<mergeCell ref="{a}:{b}"/>'.encode("utf-8", "replace")
        data = members[name]
        if b"</mergeCells>" in data:
            members[name] = data.replace(b"</mergeCells>", merge + b"</mergeCells>", 1)
        else:
            members[name] = data.replace(b"</sheetData>", b"</sheetData><mergeCells>" + merge + b"</mergeCells>", 1)
    elif kind == "bytes":
        name, where, junk = args
        data = members[str(name)]
        at = int(len(data) * float(where))  # type: ignore[arg-type]
        members[str(name)] = data[:at] + bytes(junk) + data[at:]  # type: ignore[call-overload]
    elif kind == "cut":
        name, where = args
        data = members[str(name)]
        members[str(name)] = data[: int(len(data) * float(where))]  # type: ignore[arg-type]


def _vm_size() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def check_in_child(path: Path) -> tuple[int, str, float]:
    """``ita-report check PATH`` in a forked child with limited address space and a deadline:
    (exit code, or minus the signal that ended it; output; seconds)."""
    out = path.with_suffix(".out")
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 70
        try:
            limit = _vm_size() + _MEMORY
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            with open(out, "w", encoding="utf-8") as sink, redirect_stdout(sink), redirect_stderr(sink):
                from compiler.cli import main

                try:
                    main(["check", str(path)], prog_name="ita-report")
                except SystemExit as stop:
                    code = stop.code if isinstance(stop.code, int) else 1
                else:
                    code = 0
        except BaseException:  # anything escaping the CLI is the failure under test
            import traceback

            with open(out, "a", encoding="utf-8") as sink:
                traceback.print_exc(file=sink)
            code = 70
        finally:
            os._exit(code)
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - start > _DEADLINE:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return -int(signal.SIGKILL), out.read_text("utf-8", "replace") if out.exists() else "", _DEADLINE
        time.sleep(0.01)
    seconds = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    output = out.read_text("utf-8", "replace") if out.exists() else ""
    out.unlink(missing_ok=True)
    return code, output, seconds


_FINDING = re.compile(r"\[[a-z][a-z-]+\]")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    folder = tmp_path_factory.mktemp("fuzz")
    return folder, _base(folder)


def test_the_unmutated_workbook_is_clean(base: tuple[Path, dict[str, bytes]]) -> None:
    folder, members = base
    path = folder / "clean.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    code, output, _ = check_in_child(path)
    assert code == 0, output


def test_the_child_catches_a_bomb(base: tuple[Path, dict[str, bytes]]) -> None:
    """The target sees what it is for: the far-cell bomb, made by one mutation, is a finding."""
    folder, members = base
    mutated = dict(members)
    _apply(mutated, ("cell-ref", 1, 3, "XFD1048576"))
    path = folder / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in mutated.items():
            zf.writestr(name, data)
    code, output, _ = check_in_child(path)
    assert code == 1 and "[sheet-too-large]" in output, output


_counter = iter(range(10**9))


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(mutations=st.lists(_mutation, min_size=1, max_size=4))
def test_mutated_xlsx_ends_cleanly(base: tuple[Path, dict[str, bytes]], mutations: list[tuple[object, ...]]) -> None:
    folder, members = base
    mutated = dict(members)
    for mutation in mutations:
        _apply(mutated, mutation)
    path = folder / f"m{next(_counter)}.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in mutated.items():
            zf.writestr(name, data)
    code, output, seconds = check_in_child(path)
    assert code in (0, 1), f"exit {code} after {seconds:.1f} s\n{output[-3000:]}"
    assert "Traceback" not in output and "internal error" not in output, output[-3000:]
    if code == 1:
        assert _FINDING.search(output), output[-3000:]
    path.unlink()
