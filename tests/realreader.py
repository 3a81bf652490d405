"""The real-reader check: every .docx the test suite writes is opened by LibreOffice.

python-docx reopening a document proves little: it reads the XML it can and ignores the
rest. LibreOffice lays the whole document out, as Word does, so after each test every .docx
that test wrote (anywhere under pytest's temporary folder) is converted to PDF, with a time
limit. One LibreOffice, started at the first document and kept for the whole run
(:class:`compiler.docx.office.Listener`), converts them all; where LibreOffice's Python
``uno`` is missing, each test's documents are converted in one ``soffice --convert-to`` start
instead. A document LibreOffice cannot convert, converts to an empty or broken PDF, or does
not finish within the limit fails that test (an error at its teardown, naming the document
and what LibreOffice said); a LibreOffice that hangs or crashes is killed and started again.

- A test whose .docx files are deliberately not documents (a junk file handed to the PDF
  converter) says so with ``@pytest.mark.not_a_document("why")``.
- Documents a test writes into a folder an earlier test made are caught at the end of the
  run by a last sweep, which fails the run in the same way.
- ``pytest --real-reader=off`` skips the check for a quick local run; ``auto`` (the default)
  runs it when LibreOffice is installed and says in the summary when it was not; ``on``
  (what ``.ci/run`` passes) fails when LibreOffice is missing.
- With pytest-xdist (``-n 2``) each worker process has its own LibreOffice, its own profile
  and pipe, and checks the tests it runs; it hands its figures and last-sweep failures to
  the controller (:func:`finish`, :func:`node_down`), which prints one summary and fails the
  run on any worker's last-sweep failure.
- A document whose bytes are those of one already converted without failure, by this process
  or (under xdist) by another worker of the run, is not converted again: LibreOffice would be
  given the same input (the fast path's tests write the same report twice to compare). Nor is
  a plainly laid out .docx whose entries are those of one converted before but for the times
  ``docProps/core.xml`` records of its writing (the same report built again a second later:
  about a hundred of the 350 documents a run converts); a byte more or less anywhere else and it is converted. The
  summary counts these copies apart.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import struct
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from compiler.docx import office, pdf

#: Time limits: seconds for LibreOffice's start, and for a document: a fixed part and a part
#: per megabyte of its text (word/document.xml). Measured here: ~1.3 s a start, ~0.15 s a
#: short document, ~1.5 s one full of long hostile text, ~45 s for a 1.5 MB one of 340
#: pages, and 60-75 s for one 40 kB hostile report (property tests, with other developers'
#: work loading this 2-core machine); the limits are well above that, so only a conversion
#: that hangs reaches them.
START_TIMEOUT = 60.0
PER_DOCUMENT_TIMEOUT = 240.0
PER_MEGABYTE_TIMEOUT = 120.0


@dataclass
class State:
    mode: str
    program: str | None = None
    work: Path | None = None
    office: office.Office | None = None
    seen: set[Path] = field(default_factory=set)
    known_dirs: set[str] = field(default_factory=set)
    base: Path | None = None  # pytest's temporary folder, seen at the first check
    converted: int = 0
    #: documents whose bytes were those of one already converted (not converted again)
    copies: int = 0
    #: SHA-256 of each document converted without failure
    good: set[str] = field(default_factory=set)
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)
    #: xdist's controller: what each worker reported (see :func:`node_down`)
    workers: list[dict] = field(default_factory=list)


_state: State | None = None


def addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--real-reader",
        choices=("auto", "on", "off"),
        default="auto",
        help="convert every .docx the tests write with LibreOffice (on: LibreOffice must be installed)",
    )


def configure(config: pytest.Config) -> None:
    global _state
    config.addinivalue_line("markers", "not_a_document(reason): the .docx files this test writes are not documents")
    mode = config.getoption("--real-reader")
    _state = State(mode)
    if mode == "off":
        return
    _state.program = pdf.find_soffice()
    if _state.program is None and mode == "on":
        raise pytest.UsageError("--real-reader=on: LibreOffice (soffice) is not installed")
    if _state.program is not None:
        _state.work = Path(tempfile.mkdtemp(prefix="real-reader-"))


def _new_documents(dirs: list[Path]) -> list[Path]:
    assert _state is not None
    found = []
    for folder in dirs:
        for root, _, files in os.walk(folder):
            for name in files:
                path = Path(root, name)
                if name.lower().endswith(".docx") and path not in _state.seen and path.is_file():
                    found.append(path)
    _state.seen.update(found)
    return sorted(found)


def _convert(documents: list[Path]) -> list[str]:
    """Convert ``documents`` (in the run's one LibreOffice); a line per document that failed.
    A document the same as one converted before without failure (:func:`_digest`) is counted
    as a copy, not converted again."""
    assert _state is not None and _state.program is not None and _state.work is not None
    digests = {document: _digest(document) for document in documents}
    documents = _without_copies(documents, digests)
    if not documents:
        return []
    if _state.office is None:
        _state.office = office.open_office(_state.program, start_timeout=START_TIMEOUT)
    batch = Path(tempfile.mkdtemp(dir=_state.work, prefix="batch-"))
    jobs = [(document, batch / f"d{i:04d}.pdf") for i, document in enumerate(documents)]
    started = time.monotonic()
    said = _state.office.convert(jobs, timeout=_timeout)
    _state.seconds += time.monotonic() - started
    failures = []
    for (document, produced), failure in zip(jobs, said):
        if failure is not None or not produced.is_file():
            failures.append(f"{document}: no PDF ({(failure or 'LibreOffice wrote none')[-500:]})")
        elif not _has_a_page(produced.read_bytes()):
            failures.append(f"{document}: the PDF LibreOffice wrote is empty or has no page")
        else:
            _state.converted += 1
            _converted_well(digests[document])
    if not failures:
        shutil.rmtree(batch, ignore_errors=True)  # a failed batch is kept to look at
    return failures


def _shared() -> Path | None:
    """Under xdist, the folder where the run's workers leave the digests of the documents they
    converted without failure: in pytest's folder for the run (each worker's own folder is in it)."""
    if _state is None or _state.base is None or not os.environ.get("PYTEST_XDIST_WORKER"):
        return None
    return _state.base.parent / "real-reader-converted"


def _without_copies(documents: list[Path], digests: dict[Path, str | None]) -> list[Path]:
    """``documents`` but those whose bytes are those of a document converted well before (here
    or by another worker) or of one earlier in the list; counted in ``copies``."""
    assert _state is not None
    shared = _shared()
    seen = set(_state.good)
    out = []
    for document in documents:
        digest = digests[document]
        if digest is not None and (digest in seen or (shared is not None and (shared / digest).is_file())):
            _state.copies += 1
            continue
        if digest is not None:
            seen.add(digest)
        out.append(document)
    return out


def _converted_well(digest: str | None) -> None:
    """Remember that the document of ``digest`` converted without failure, for this worker and
    the others."""
    assert _state is not None
    if digest is None:
        return
    _state.good.add(digest)
    shared = _shared()
    if shared is not None:
        shared.mkdir(exist_ok=True)
        (shared / digest).touch()


def _digest(document: Path) -> str | None:
    """SHA-256 of what LibreOffice is given (``None`` when the file cannot be read: it is then
    converted): of a plainly laid out .docx (:func:`_content_digest`), its entries with the times
    of ``docProps/core.xml`` left out; of any other file, its bytes."""
    try:
        data = document.read_bytes()
    except OSError:
        return None
    return _content_digest(data) or "bytes-" + hashlib.sha256(data).hexdigest()


#: The times a .docx records of its writing (``docProps/core.xml``: created, modified, printed).
_WRITTEN_AT = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")
_LOCAL_HEADER = b"PK\x03\x04"
_END_OF_DIRECTORY = b"PK\x05\x06"


def _content_digest(data: bytes) -> str | None:
    """SHA-256 of a zip's entries in order (name, method, content), the times in
    ``docProps/core.xml`` left out; ``None`` unless the zip is laid out plainly: its entries back
    to back from the first byte, each checked against its CRC, then the central directory and its
    end record, nothing before, between or after. Two builds of one report a second apart differ
    only in those times (and in the zip's own dates, which no reader uses): one conversion
    stands for both. Anything else, a byte appended or an entry changed, is converted."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            at = 0
            digest = hashlib.sha256(b"entries\n")
            for info in z.infolist():
                if info.header_offset != at or data[at : at + 4] != _LOCAL_HEADER or info.flag_bits & 0x08:
                    return None  # a gap, an entry out of order, a data descriptor: not plain
                name_length, extra_length = struct.unpack("<HH", data[at + 26 : at + 30])
                at += 30 + name_length + extra_length + info.compress_size
                body = z.read(info)  # (a CRC that does not match raises BadZipFile)
                if info.filename == "docProps/core.xml":
                    body = _WRITTEN_AT.sub(b"", body)
                digest.update(repr((info.filename, info.compress_type, len(body))).encode())
                digest.update(body)
            end = len(data) - 22 - len(z.comment)
            if at != z.start_dir or data[end : end + 4] != _END_OF_DIRECTORY:
                return None
            return "entries-" + digest.hexdigest()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, struct.error, OSError, ValueError, EOFError,
            RuntimeError, NotImplementedError):  # fmt: skip
        return None


def _timeout(document: Path) -> float:
    return PER_DOCUMENT_TIMEOUT + PER_MEGABYTE_TIMEOUT * _text_size(document) / 1e6


def _text_size(docx: Path) -> int:
    """Bytes of ``word/document.xml`` inside ``docx`` (0 when it is not a readable .docx)."""
    try:
        with zipfile.ZipFile(docx) as z:
            return z.getinfo("word/document.xml").file_size
    except (OSError, KeyError, zipfile.BadZipFile):
        return 0


def convert_now(documents: list[Path]) -> list[str]:
    """Convert ``documents`` at once (a property test checks each example's documents, so
    that hypothesis can shrink a failure); the teardown check then skips them."""
    assert _state is not None
    if _state.program is None or not documents:
        return []
    _state.seen.update(documents)
    return _convert(list(documents))


def _has_a_page(data: bytes) -> bool:
    """A PDF as LibreOffice writes it: a header, at least one page object, an end marker."""
    return data.startswith(b"%PDF-") and re.search(rb"/Type\s*/Page\b", data) is not None and b"%%EOF" in data[-64:]


def check_test(request: pytest.FixtureRequest, base: Path) -> list[str]:
    """Convert every document written since the last check; the failures, one line each."""
    assert _state is not None
    if _state.program is None:
        return []
    _state.base = base
    # not the "<name>current" links pytest makes to the newest folder of each name
    dirs = sorted(d for d in os.listdir(base) if d not in _state.known_dirs and not os.path.islink(base / d))
    _state.known_dirs.update(dirs)
    documents = _new_documents([base / d for d in dirs])
    if not documents or request.node.get_closest_marker("not_a_document"):
        return []
    return _convert(documents)


def last_sweep() -> list[str]:
    """Convert documents no test's check saw (written into an older test's folder)."""
    assert _state is not None
    base = _state.base
    if _state.program is None or base is None or not base.is_dir():
        return []
    documents = _new_documents([base])
    failures = _convert(documents) if documents else []
    _state.failures.extend(failures)
    return failures


def _figures() -> dict:
    """This process's figures (its LibreOffice stopped): what :func:`summary` prints."""
    assert _state is not None
    used = _state.office
    if used is not None:
        used.close()
    if not _state.failures and _state.work is not None:
        shutil.rmtree(_state.work, ignore_errors=True)
    return {
        "converted": _state.converted,
        "copies": _state.copies,
        "starts": 0 if used is None else used.starts,
        "kind": "" if used is None else type(used).__name__.lower(),
        "seconds": _state.seconds,
        "trouble": list(getattr(used, "trouble", [])),
        "failures": list(_state.failures),
    }


def finish(config: pytest.Config) -> list[str]:
    """At the end of the session: the last sweep; the failures it found, one line each.

    An xdist worker also stops its LibreOffice and hands its figures to the controller.
    """
    assert _state is not None
    failures = last_sweep()
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None and _state.program is not None:
        workeroutput["real_reader"] = _figures()
    return failures


def node_down(node: object) -> None:
    """xdist's controller: keep what a worker reported (its last-sweep failures fail the run)."""
    assert _state is not None
    figures = getattr(node, "workeroutput", {}).get("real_reader")
    if figures is not None:
        _state.workers.append(figures)
        _state.failures.extend(figures["failures"])


def summary(terminal: pytest.TerminalReporter) -> None:
    if _state is None or _state.mode == "off":
        return
    if _state.program is None:
        terminal.write_line("real reader: LibreOffice is not installed, so no document was converted", yellow=True)
        return
    parts = _state.workers if _state.workers else [_figures()]
    converted = sum(p["converted"] for p in parts)
    copies = sum(p.get("copies", 0) for p in parts)
    starts = sum(p["starts"] for p in parts)
    kinds = sorted({p["kind"] for p in parts if p["kind"]})
    kind = "".join(f", {k}" for k in kinds)
    each = f" in {len(parts)} worker processes" if _state.workers else ""
    seconds = " + ".join(f"{p['seconds']:.0f}" for p in parts)
    terminal.write_line(
        f"real reader: LibreOffice converted {converted} documents in {starts} starts{kind}{each} ({seconds} s)"
        f"; {copies} more were copies of documents converted before (the same bytes, or the same entries"
        " but for the times in docProps/core.xml)"
    )
    for part in parts:
        for line in part["trouble"]:
            terminal.write_line(f"real reader: LibreOffice restarted after {line}", yellow=True)
    for line in _state.failures:
        terminal.write_line(f"real reader, last sweep: {line}", red=True)


def enabled() -> bool:
    """Whether this run converts documents (``--real-reader`` on, or auto with LibreOffice)."""
    return _state is not None and _state.program is not None


def failed() -> bool:
    """Whether a last sweep (here or, under xdist, in a worker) found a failure."""
    return _state is not None and bool(_state.failures)
