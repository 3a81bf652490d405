"""What makes LibreOffice slow to lay out a report: one table cell of long text, by kind.

Prints figures; asserts nothing. Run: python bench/bench_lo_text.py [--chars N] [--limit S]

A report (``compiler.report.render``) whose one measure's result cell holds N characters of
one kind is converted to PDF by one persistent LibreOffice (``compiler.docx.office``); the
seconds per kind are printed against plain Latin letters of the same length, in one run
(the machine is shared: compare the ratios).

Found with it (issue 16): Thai, Latin and Thai words lay out alike; characters no installed
font draws (unassigned code points, emoji here) and script changes inside one word cost
more, and more than in proportion to the length (6,000 characters, this machine, load ~4:
Latin 0.23 s, Latin+unassigned alternating 5.1 s, x22). In the narrow columns of a report
with every optional column (3.4 cm), from the property test's documents: a 2,935-character
cell of such text took 9.5 s, the same cell as 2,900 "x" 1.6 s, as 2,900 U+0378 over 60 s;
a zero-width space every 20 characters made it slower (over 60 s), not faster.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from compiler.docx import office, pdf  # noqa: E402
from compiler.model import DepartmentPart, MergedMeasure, Organisation, Report  # noqa: E402
from compiler.report import render  # noqa: E402

KINDS = {
    "latin": "x",
    "thai": "การดำเนินงานโปร่งใส",
    "thai words, spaces": "การดำเนินงาน โปร่งใส ",
    "latin+thai alternating": "xก",
    "latin+hebrew alternating": "xש",
    "emoji (no font here)": "😀",
    "latin+unassigned U+0378": "x\u0378",
    "latin+unassigned, spaces": "x\u0378x\u0378 ",
    "latin+unassigned, zero-width spaces": "x\u0378x\u0378\u200b",
}


def report(text: str) -> Report:
    org = Organisation(name="เทศบาลตำบลทดสอบ", district="เมือง", province="พะเยา", fiscal_year=2565,
                       executive="นายทดสอบ", executive_position="นายกเทศมนตรี")  # fmt: skip
    measure = MergedMeasure(
        number=1, title="มาตรการ", indicator="", indicator_codes=(), methods=("วิธี",), responsible=("สำนักปลัด",),
        period=("ต.ค. 2564",), parts=(DepartmentPart("สำนักปลัด", results=(text,)),), budget=Decimal(0),
    )  # fmt: skip
    return Report(org, (measure,), {}, ("สำนักปลัด",), "measures")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chars", type=int, nargs="+", default=[500, 1_000, 2_000])
    ap.add_argument("--limit", type=float, default=60.0, help="seconds per document before giving up")
    args = ap.parse_args()
    soffice = pdf.find_soffice()
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory() as tmp, office.open_office(soffice) as lo:
        work = Path(tmp)
        warm = render.render_report(report("x"), work / "warm.docx")
        lo.convert([(warm, work / "warm.pdf")])
        print(f"{'kind':38s}" + "".join(f"{n:>10,d} ch" for n in args.chars) + "   (seconds; ratio to latin)")
        base: dict[int, float] = {}
        for k, (kind, unit) in enumerate(KINDS.items()):
            cells = []
            for n in args.chars:
                text = (unit * (n // len(unit) + 1))[:n]
                source = render.render_report(report(text), work / f"k{k}-{n}.docx")
                started = time.monotonic()
                [failure] = lo.convert([(source, source.with_suffix(".pdf"))], timeout=args.limit)
                took = time.monotonic() - started
                base.setdefault(n, took)
                cells.append(f">{args.limit:g}" if failure else f"{took:.2f} ×{took / base[n]:.0f}")
            print(f"{kind:38s}" + "".join(f"{c:>13s}" for c in cells), flush=True)


if __name__ == "__main__":
    main()
