"""The UNO half of :mod:`compiler.docx.office`; run by LibreOffice's own Python, never imported.

Usage: ``python office_worker.py SOFFICE PROFILE_URI PIPE_NAME``. It starts LibreOffice
listening on a named pipe, connects to it, writes one JSON line ``{"ready": true}`` to
stdout, then reads one JSON request a line from stdin (``{"source": path, "target": path}``)
and answers each with one JSON line (``{"ok": true}`` or ``{"ok": false, "error": text}``).
A request with ``"signature_styles": [name, ...]`` is also asked whether the first signature
line (a paragraph of one of those styles, with text) stands alone on its page, nothing of the
body before it there: the answer then carries ``"alone": true`` / ``false`` (``null`` when the
document has no such paragraph).
At the end of its input it closes LibreOffice. Only the standard library and ``uno``: this
file runs under whichever Python has LibreOffice's ``uno`` module (Debian's python3-uno, or
the python that ships inside LibreOffice on Windows and macOS), not the project's.

Time limits and restarts are the caller's: it kills this process group when an answer is late.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue

#: The Word import filter by name: otherwise LibreOffice opens a junk .docx as plain text.
IMPORT_FILTER = "MS Word 2007 XML"
EXPORT_FILTER = "writer_pdf_Export"
CONNECT_SECONDS = 120.0


def prop(name, value):
    return PropertyValue(Name=name, Value=value)


def connect(pipe, office):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception:
            if office.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _last_row_page(table, cursor):
    """The page on which the last row of ``table`` ends (its tallest cell's end)."""
    last = str(table.getRows().getCount())
    pages = []
    for name in table.getCellNames():
        letters = name.rstrip("0123456789")
        if letters.isalpha() and name[len(letters) :] == last:
            cursor.gotoRange(table.getCellByName(name).getText().getEnd(), False)
            pages.append(cursor.getPage())
    return max(pages) if pages else None


def signature_alone(doc, styles):
    """Whether the first signature line of ``doc`` (a paragraph of one of ``styles`` with text)
    is on a later page than the end of the body before it; None without a signature line."""
    cursor = doc.getCurrentController().getViewCursor()
    body_end = None
    elements = doc.getText().createEnumeration()
    while elements.hasMoreElements():
        element = elements.nextElement()
        if element.supportsService("com.sun.star.text.TextTable"):
            body_end = _last_row_page(element, cursor) or body_end
        elif element.supportsService("com.sun.star.text.Paragraph") and element.getString().strip():
            if element.ParaStyleName in styles:
                cursor.gotoRange(element.getStart(), False)
                return body_end is not None and cursor.getPage() > body_end
            cursor.gotoRange(element.getEnd(), False)
            body_end = cursor.getPage()
    return None


def convert(desktop, source, target, signature_styles=()):
    load = (prop("Hidden", True), prop("ReadOnly", True), prop("FilterName", IMPORT_FILTER))
    doc = desktop.loadComponentFromURL(Path(source).resolve().as_uri(), "_blank", 0, load)
    if doc is None:
        raise RuntimeError("LibreOffice could not load the document")
    try:
        doc.storeToURL(Path(target).resolve().as_uri(), (prop("FilterName", EXPORT_FILTER),))
        return signature_alone(doc, tuple(signature_styles)) if signature_styles else None
    finally:
        doc.close(True)


def lost(exc, office):
    """Whether ``exc`` says LibreOffice itself is gone (crashed, killed), not that the document is bad."""
    if type(exc).__name__ in ("DisposedException", "RuntimeException") or "bridge" in str(exc).lower():
        return True
    time.sleep(0.1)
    return office.poll() is not None


def main():
    soffice, profile, pipe = sys.argv[1:4]
    # our answers get their own copy of stdout; whatever else writes to stdout goes to stderr
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    office = subprocess.Popen(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--nologo",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )
    try:
        desktop = connect(pipe, office)
        print(json.dumps({"ready": True}), file=answers, flush=True)
        for line in sys.stdin:
            request = json.loads(line)
            try:
                alone = convert(desktop, request["source"], request["target"], request.get("signature_styles") or ())
                answer = {"ok": True, "alone": alone}
            except Exception as exc:
                if lost(exc, office):
                    sys.exit(3)  # no answer: the caller starts a new LibreOffice and tries again
                answer = {"ok": False, "error": f"{type(exc).__name__}: {getattr(exc, 'Message', '') or exc}"}
            print(json.dumps(answer), file=answers, flush=True)
        try:
            desktop.terminate()
        except Exception:
            pass  # already gone: the bridge closes as LibreOffice quits
        office.wait(timeout=30)
    finally:
        if office.poll() is None:
            office.kill()
        if os.name != "nt" and os.getpgid(0) == os.getpid():
            # soffice.bin outlives the launcher we started; we lead the group, so end it all
            os.killpg(0, signal.SIGKILL)


if __name__ == "__main__":
    main()
