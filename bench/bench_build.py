"""Benchmark of `ita-report build` (issue 3). Prints figures; asserts nothing.

Side by side in one run, on the same department workbooks:
- ours: `ita-report build DIR -o report.docx` as a whole process (reads, checks, merges,
  typesets Thai, writes atomically);
- baseline: the plain script a user would write: openpyxl's default `load_workbook` on each
  file, then a docxtpl template with one `{%tr for %}` table loop (no checks, no Thai
  typography), also as a whole process.

Sizes: 10 departments x 30 measures (300 rows), and 1,000 measures (10 x 100).
Run: python bench/bench_build.py
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import docx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_check import department_workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from compiler.workbook import standard

BASELINE = r"""
import sys
from pathlib import Path
from docxtpl import DocxTemplate
from openpyxl import load_workbook

folder, template, out = map(Path, sys.argv[1:4])
rows = []
for path in sorted(folder.glob("*.xlsx")):
    wb = load_workbook(path)
    ws = wb["มาตรการ"]
    for row in ws.iter_rows(min_row=3, values_only=True):
        if row[2]:
            rows.append({"title": row[2], "method": row[3] or "", "who": row[4] or "",
                         "period": row[5] or "", "result": row[6] or "", "note": row[8] or ""})
doc = DocxTemplate(template)
doc.render({"rows": rows}, autoescape=True)
doc.save(out)
"""


def baseline_template(path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=6)
    for cell, text in zip(table.rows[0].cells, ["มาตรการ", "วิธีการ", "ผู้รับผิดชอบ", "ระยะเวลา", "ผล", "ข้อเสนอแนะ"]):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for r in rows %}"
    for cell, key in zip(table.rows[2].cells, ["title", "method", "who", "period", "result", "note"]):
        cell.text = f"{{{{ r.{key} }}}}"
    row = table.add_row()
    row.cells[0].text = "{%tr endfor %}"
    document.save(str(path))


def make_inbox(folder: Path, departments: int, measures: int, shared: bool) -> None:
    """``shared``: every department reports the same measures (merged, results grouped);
    otherwise each its own numbers (all distinct rows in the report)."""
    folder.mkdir(parents=True)
    for i in range(departments):
        first = 1 if shared else 1 + i * measures
        name = standard.DEPARTMENTS[i % len(standard.DEPARTMENTS)]
        department_workbook(folder / f"d{i:02d}.xlsx", name, measures, first)


def timed(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - t)
        if proc.returncode != 0:
            raise SystemExit(f"{cmd[0]} failed: {proc.stdout[-800:]}{proc.stderr[-800:]}")
    return statistics.median(times)


def main() -> None:
    exe = shutil.which("ita-report") or str(Path(sys.executable).with_name("ita-report"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        template = root / "baseline.docx"
        baseline_template(template)
        script = root / "baseline.py"
        script.write_text(BASELINE, encoding="utf-8")
        cases = (
            ("10 departments x 30 shared measures", 10, 30, True, 5),
            ("10 departments x 30 own measures (300 rows)", 10, 30, False, 5),
            ("1,000 measures (10 x 100 own)", 10, 100, False, 3),
        )
        for n, (label, departments, measures, shared, repeat) in enumerate(cases):
            inbox = root / f"case{n}"
            make_inbox(inbox, departments, measures, shared)
            ours = timed([exe, "build", str(inbox), "-o", str(root / "ours.docx"), "--force"], repeat)
            base = timed([sys.executable, str(script), str(inbox), str(template), str(root / "base.docx")], repeat)
            print(
                f"build {label}: ita-report {ours:.2f} s, plain openpyxl+docxtpl script {base:.2f} s "
                f"-> ratio {ours / base:.2f} (target <= 1.0; median of {repeat})"
            )


if __name__ == "__main__":
    main()
