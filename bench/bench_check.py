"""Benchmark of `ita-report check` (issue 2). Prints figures; asserts nothing.

- the whole process (`ita-report check DIR`) on 10 department workbooks of 30 measures;
- the whole process on 1,000 such workbooks;
- reading alone: our reader (python-calamine + normalise) against openpyxl's default
  `load_workbook` on the same files, in the same run (the target is a ratio, not seconds).

Run: python bench/bench_check.py [--big N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook, load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from compiler.workbook import standard
from compiler.workbook.normalise import normalise_workbook
from compiler.workbook.read import read_workbook

INFO = [
    ("รุ่นแบบฟอร์ม", standard.STANDARD_VERSION),
    ("ชื่อหน่วยงาน", "เทศบาลตำบลบ้านต๋อม"),
    ("อำเภอ", "เมือง"),
    ("จังหวัด", "พะเยา"),
    ("ปีงบประมาณ", "2565"),
    ("ส่วนราชการ", None),
    ("ผู้บริหาร", "นายสุภชาติ สันกวาน"),
    ("ตำแหน่งผู้บริหาร", "นายกเทศมนตรีตำบลบ้านต๋อม"),
]
HEADERS = [f.label for f in standard.MEASURE_COLUMNS]


def department_workbook(path: Path, department: str, measures: int, first: int = 1, edit: str = "") -> None:
    """``edit``: appended to every text of the measures (a department that changed its workbook)."""
    wb = Workbook()
    ws = wb.active
    ws.title = standard.SHEET_INFO
    for label, value in INFO:
        ws.append([label, department if label == "ส่วนราชการ" else value])
    ws = wb.create_sheet(standard.SHEET_MEASURES)
    ws.append(["รายงานผลการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใส"])
    ws.append(HEADERS)
    for i in range(first, first + measures):
        ws.append(
            [
                i,
                f"i{i % 15 + 1}",
                f"มาตรการที่ {i} ส่งเสริมคุณธรรมและความโปร่งใสในการปฏิบัติงาน{edit}",
                f"1. แต่งตั้งคณะทำงานและกำกับติดตามผล\n2. แจ้งทุกหน่วยงานทราบแนวทาง\n3. ประชาสัมพันธ์{edit}",
                department,
                "ต.ค. 2564 – ก.ย. 2565",
                f"1. มีการประชุมเพื่อกำหนดแนวทางและแต่งตั้งคณะทำงาน\n2. ประชาสัมพันธ์ให้เจ้าหน้าที่ทุกกองรับทราบ{edit}",
                f"ผู้รับบริการพึงพอใจมากขึ้น{edit}",
                f"ควรติดตามต่อเนื่อง{edit}",
                0,
            ]
        )
    wb.save(path)


def make_set(folder: Path, count: int, measures: int = 30) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    first = folder / "d0000.xlsx"
    department_workbook(first, standard.DEPARTMENTS[0], measures)
    paths = [first]
    for i in range(1, count):
        p = folder / f"d{i:04d}.xlsx"
        shutil.copyfile(first, p)
        paths.append(p)
    return paths


def whole_process(folder: Path, repeat: int) -> float:
    exe = shutil.which("ita-report") or str(Path(sys.executable).with_name("ita-report"))
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run([exe, "check", str(folder)], capture_output=True, check=False)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def reading(paths: list[Path]) -> tuple[float, float, float]:
    t = time.perf_counter()
    raws = [read_workbook(p) for p in paths]
    read = time.perf_counter() - t
    t = time.perf_counter()
    for raw in raws:
        normalise_workbook(raw)
    ours = read + time.perf_counter() - t
    t = time.perf_counter()
    for p in paths:
        wb = load_workbook(p)
        for ws in wb.worksheets:
            for _row in ws.iter_rows(values_only=True):
                pass
    theirs = time.perf_counter() - t
    return read, ours, theirs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--big", type=int, default=1000, help="workbooks in the large run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small = make_set(Path(tmp) / "small", 10)
        make_set(Path(tmp) / "big", args.big)
        t10 = whole_process(Path(tmp) / "small", 5)
        print(f"check, whole process, 10 workbooks x 30 measures: {t10:.3f} s (median of 5; target < 0.5 s)")
        tbig = whole_process(Path(tmp) / "big", 1)
        print(
            f"check, whole process, {args.big} workbooks x 30 measures: {tbig:.2f} s "
            f"({tbig / args.big * 1000:.1f} ms per workbook)"
        )
        read, ours, theirs = reading(small * 10)
        print(
            f"reading 100 workbooks: openpyxl load_workbook + iterating the values {theirs:.3f} s; "
            f"our read step (python-calamine) {read:.3f} s -> {theirs / read:.1f}x faster (target >= 3x); "
            f"read + normalise (headers, merged rows, clean text) {ours:.3f} s -> {theirs / ours:.1f}x"
        )


if __name__ == "__main__":
    main()
