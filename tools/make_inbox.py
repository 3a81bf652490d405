"""Generate a district inbox: N organisations × D department workbooks × M measures.

Run from the repository root::

    python tools/make_inbox.py OUT --organisations 1000 --departments 5 --measures 20 \
        --broken 0.1 --zips 0.3 --seed 1

Each organisation is one folder or one .zip in ``OUT``. A chosen share of submissions is
broken, one fault each, taken in turn from ``FAULTS``: a corrupt workbook, a missing
required column, a department that spells the organisation's name differently, a stated
level that contradicts the score (a warning), a .zip with a path-traversal member and a
.zip bomb. The output is the same for the same arguments and seed.

Fast: openpyxl builds one template workbook per measure count, once, with a placeholder in
every text cell; each department workbook is that template with its shared strings
replaced (no openpyxl per file). ``make_inbox`` returns the plan, so tests know which
submission is broken and how.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import random
import re
import sys
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402

from compiler.workbook import standard  # noqa: E402

#: Faults given to broken submissions, in turn; the codes ``district`` must report for each.
FAULTS: dict[str, tuple[str, ...]] = {
    "corrupt-file": ("corrupt-file",),
    "missing-column": ("missing-column",),
    "name-mismatch": ("organisation-mismatch",),
    "level-contradiction": ("level-contradicts-score",),
    "path-traversal": ("zip-unsafe-path",),
    "zip-bomb": ("zip-bomb",),
}
#: Faults that only a .zip can carry.
ZIP_FAULTS = frozenset({"path-traversal", "zip-bomb"})
#: Status each fault gives its organisation in the summary.
FAULT_STATUS = {
    "": "ok",
    "corrupt-file": "errors",
    "missing-column": "errors",
    "name-mismatch": "errors",
    "level-contradiction": "warnings",
    "path-traversal": "unreadable",
    "zip-bomb": "unreadable",
}
#: Uncompressed size of the bomb's member: past the intake's per-member limit.
BOMB_BYTES = 160 * 1024 * 1024

TYPES = ("องค์การบริหารส่วนตำบล", "เทศบาลตำบล", "เทศบาลเมือง", "เทศบาลนคร")
TYPE_WEIGHTS = (68, 28, 3, 1)
_P1 = ("บ้าน", "หนอง", "ดอน", "ห้วย", "นา", "ท่า", "วัง", "ป่า", "แม่", "โคก", "บึง", "เวียง")
_P2 = (
    "ใหม่",
    "ทอง",
    "แก้ว",
    "งาม",
    "หลวง",
    "สวรรค์",
    "ไผ่",
    "ม่วง",
    "ยาง",
    "ขาม",
    "สะแก",
    "บัว",
    "เกลือ",
    "ปลา",
    "ช้าง",
    "เสือ",
    "กลาง",
    "เหนือ",
    "ใต้",
    "โพธิ์",
    "ไทร",
    "จันทร์",
    "คำ",
    "ดง",
    "ต้อง",
    "ลาน",
    "หิน",
    "ทราย",
    "สูง",
    "เตย",
)
_P3 = (
    "",
    "พัฒนา",
    "สามัคคี",
    "เจริญ",
    "ทุ่ง",
    "ศรี",
    "ใหญ่",
    "น้อย",
    "ตะวันออก",
    "ตะวันตก",
    "สุข",
    "ธาร",
    "ทอง",
    "เงิน",
    "นคร",
    "สันติ",
    "ชัย",
    "ราษฎร์",
    "บุญ",
    "รุ่ง",
    "มงคล",
    "ประชา",
    "อุดม",
    "สมบูรณ์",
    "รัตน์",
)
DISTRICTS = ("เมือง", "ภูซาง", "เชียงคำ", "จุน", "ปง", "ดอกคำใต้", "แม่ใจ", "ภูกามยาว", "เชียงม่วน")
PROVINCE = "พะเยา"
FISCAL_YEAR = 2567
EXECUTIVES = ("นายสมชาย ใจดี", "นางสาวสมหญิง รักษ์ถิ่น", "นายประเสริฐ ศรีสุข", "นางวันเพ็ญ แก้วมณี")
POSITION = {
    "องค์การบริหารส่วนตำบล": "นายกองค์การบริหารส่วนตำบล",
    "เทศบาลตำบล": "นายกเทศมนตรีตำบล",
    "เทศบาลเมือง": "นายกเทศมนตรีเมือง",
    "เทศบาลนคร": "นายกเทศมนตรีนคร",
}
#: Stated level wording that fits a score, and wording that contradicts it.
FITTING = {"AA": "ผ่านดีเยี่ยม", "A": "ผ่าน"}

# Measure columns written (the standard's labels); "result" is the one a fault removes.
COLUMNS = (
    "number",
    "indicator",
    "title",
    "method",
    "responsible",
    "period",
    "result",
    "outcome",
    "suggestion",
    "budget",
)
_LABEL = {f.key: f.label for f in standard.MEASURE_COLUMNS}
_INFO_LABEL = {f.key: f.label for f in standard.INFO_FIELDS}
INFO_KEYS = standard.LOCKED_INFO_KEYS  # the details the form carries, in its order
_PH = re.compile(rb"@@(\w+)@@")


@dataclass(frozen=True)
class Planned:
    """One submission as generated: where it is, who it is, and what (if anything) is wrong."""

    submission: str  # folder or .zip name inside the inbox
    name: str  # organisation name as its departments write it
    fault: str  # "" or a key of FAULTS
    as_zip: bool
    departments: int
    measures: int

    @property
    def codes(self) -> tuple[str, ...]:
        """Finding codes the intake must report for this submission."""
        return FAULTS.get(self.fault, ())

    @property
    def status(self) -> str:
        """The status the summary must give it (ok, warnings, errors, unreadable)."""
        return FAULT_STATUS[self.fault]


def _ph(key: str) -> str:
    return f"@@{key}@@"


@functools.cache
def _template(measures: int) -> dict[str, bytes]:
    """A department workbook with a placeholder in every text cell, as zip members.

    openpyxl writes text as inline strings, so the placeholders sit in the sheets' XML.
    """
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = standard.SHEET_INFO
    for key in INFO_KEYS:
        ws.append([_INFO_LABEL[key], _ph(f"i_{key}")])
    ws = wb.create_sheet(standard.SHEET_MEASURES)
    ws.append([_ph("title_row")])
    ws.append([_ph(f"h_{c}") for c in COLUMNS])
    for r in range(1, measures + 1):
        ws.append([_ph(f"m{r}_{c}") for c in COLUMNS])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def workbook_bytes(values: dict[str, str], measures: int) -> bytes:
    """A department workbook: the template for ``measures`` with its placeholders filled."""
    members = _template(measures)

    def fill(m: re.Match[bytes]) -> bytes:
        return _xml(values.get(m.group(1).decode(), "")).encode()

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, data in members.items():
            zf.writestr(name, _PH.sub(fill, data) if name.startswith("xl/worksheets/") else data)
    return buf.getvalue()


def organisation_names(count: int, rng: random.Random) -> list[str]:
    """``count`` distinct, plausible organisation names (type + place)."""
    places = [a + b + c for c in _P3 for a in _P1 for b in _P2]
    if count > len(places) * len(TYPES):
        raise ValueError(f"at most {len(places) * len(TYPES)} organisations")
    rng.shuffle(places)
    names: list[str] = []
    seen: set[str] = set()
    i = 0
    while len(names) < count:
        kind = rng.choices(TYPES, TYPE_WEIGHTS)[0]
        name = kind + places[i % len(places)]
        i += 1
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _misspelt(name: str) -> str:
    """The name as a careless clerk types it: a tone mark changed or dropped (ต๋อม → ต้อม)."""
    for old, new in (("\u0e49", "\u0e48"), ("\u0e48", "\u0e49"), ("\u0e4b", "\u0e49"), ("\u0e4a", "\u0e49")):
        if old in name:
            return name.replace(old, new, 1)
    return name + "ใหม่"


def _department_values(org: dict[str, str], dept: str, measures: int, rng: random.Random) -> dict[str, str]:
    values = {f"i_{k}": org.get(k, "") for k in INFO_KEYS}
    values["i_version"] = standard.STANDARD_VERSION
    values["i_department"] = dept
    values["title_row"] = f"รายงานผลการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใส {dept} {org['organisation']}"
    values.update({f"h_{c}": _LABEL[c] for c in COLUMNS})
    for r in range(1, measures + 1):
        code = f"i{r % 15 + 1}"
        values.update(
            {
                f"m{r}_number": str(r),
                f"m{r}_indicator": code,
                f"m{r}_title": f"มาตรการที่ {r} ส่งเสริมคุณธรรมและความโปร่งใสในการปฏิบัติงาน",
                # one plan per measure for every department: different plans would be a warning
                f"m{r}_method": "1. แต่งตั้งคณะทำงานและกำกับติดตามผล\n2. แจ้งทุกหน่วยงานทราบแนวทาง\n3. ประชาสัมพันธ์",
                f"m{r}_responsible": dept,
                f"m{r}_period": f"ต.ค. {FISCAL_YEAR - 1} – ก.ย. {FISCAL_YEAR}",
                f"m{r}_result": f"1. {dept} ดำเนินการประชุมชี้แจงแนวทาง ครั้งที่ {rng.randint(1, 4)}\n"
                f"2. เผยแพร่ข้อมูลทางเว็บไซต์ {rng.randint(2, 30)} รายการ",
                f"m{r}_outcome": "ผู้รับบริการพึงพอใจมากขึ้น",
                f"m{r}_suggestion": "ควรติดตามต่อเนื่อง" if r % 3 else "",
                f"m{r}_budget": str(rng.choice((0, 0, 5000, 12500, 30000))),
            }
        )
    return values


@functools.cache
def _bomb_member() -> tuple[bytes, int]:
    """``BOMB_BYTES`` zeros deflated (about 160 KB) and their CRC, built once.

    One MB is deflated and flushed to a byte boundary with the state reset, so the same
    bytes stand for every further MB: the bomb costs one MB of compression, not 160.
    """
    chunk = bytes(1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(BOMB_BYTES >> 20):
        crc = zlib.crc32(chunk, crc)
    return block * (BOMB_BYTES >> 20) + comp.flush(), crc


def _write_zip(path: Path, files: dict[str, bytes], fault: str) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        if fault == "path-traversal":
            zf.writestr("../../ไม่ปลอดภัย.xlsx", next(iter(files.values())))
    if fault == "zip-bomb":
        _append_bomb(path)


def _append_bomb(path: Path) -> None:
    """Add a member of ``BOMB_BYTES`` zeros, already deflated (nothing is inflated here)."""
    packed, crc = _bomb_member()
    info = zipfile.ZipInfo("ส่วนที่เหลือ.xlsx")
    info.compress_type = zipfile.ZIP_DEFLATED
    info.file_size = BOMB_BYTES
    info.compress_size = len(packed)
    info.CRC = crc
    info.flag_bits |= 0x800
    with zipfile.ZipFile(path, "a") as zf:
        zf.fp.seek(zf.start_dir)  # type: ignore[union-attr]
        info.header_offset = zf.start_dir
        zf.fp.write(info.FileHeader())  # type: ignore[union-attr]
        zf.fp.write(packed)  # type: ignore[union-attr]
        zf.start_dir = zf.fp.tell()  # type: ignore[union-attr]
        zf.filelist.append(info)
        zf.NameToInfo[info.filename] = info
        zf._didModify = True  # type: ignore[attr-defined]


@contextlib.contextmanager
def resubmitted(inbox: Path) -> Iterator[tuple[Path, Path]]:
    """One organisation sends again while the ``with`` block runs: two workbooks of the first
    folder submission holding two or more exchange their contents (so its content hash
    changes), and are exchanged back afterwards. Yields the two files."""
    folder = next(p for p in sorted(inbox.iterdir()) if p.is_dir() and len(list(p.glob("*.xlsx"))) >= 2)
    a, b = sorted(folder.glob("*.xlsx"))[:2]
    _swap(a, b)
    try:
        yield a, b
    finally:
        _swap(a, b)


def _swap(a: Path, b: Path) -> None:
    data_a, data_b = a.read_bytes(), b.read_bytes()
    a.write_bytes(data_b)
    b.write_bytes(data_a)


def make_inbox(
    folder: Path | str,
    organisations: int,
    *,
    departments: int = 5,
    measures: int = 20,
    broken: float = 0.1,
    zips: float = 0.3,
    seed: int = 0,
) -> list[Planned]:
    """Write the inbox into ``folder`` (created) and return what was written, in order."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    names = organisation_names(organisations, rng)
    depts = list(standard.DEPARTMENTS[:departments])
    while len(depts) < departments:
        depts.append(f"กองที่ {len(depts) + 1}")
    n_broken = round(organisations * broken)
    broken_at = set(rng.sample(range(organisations), n_broken))
    faults = list(FAULTS)
    plan: list[Planned] = []
    k = 0
    for i, name in enumerate(names):
        fault = ""
        if i in broken_at:
            fault = faults[k % len(faults)]
            k += 1
        as_zip = fault in ZIP_FAULTS or (fault == "" and rng.random() < zips)
        kind = next(t for t in TYPES if name.startswith(t))
        score = round(rng.uniform(55, 100), 2)
        level = standard.level_for(score)
        stated = FITTING.get(level, "") if rng.random() < 0.5 else ""
        if fault == "level-contradiction":
            score, stated = round(rng.uniform(95, 100), 2), "ต้องปรับปรุง"
        org = {
            "organisation": name,
            "district": DISTRICTS[i % len(DISTRICTS)],
            "province": PROVINCE,
            "fiscal_year": str(FISCAL_YEAR),
            "executive": EXECUTIVES[i % len(EXECUTIVES)],
            "executive_position": POSITION[kind] + name[len(kind) :],
            "score": f"{score:.2f}",
            "stated_level": stated,
        }
        files: dict[str, bytes] = {}
        for d, dept in enumerate(depts):
            values = _department_values(org, dept, measures, rng)
            if fault == "missing-column" and d == 1:
                values["h_result"] = "ความคิดเห็นเพิ่มเติม"
            if fault == "name-mismatch" and d == departments - 1:
                values["i_organisation"] = _misspelt(name)
            data = workbook_bytes(values, measures)
            if fault == "corrupt-file" and d == 0:
                data = data[: len(data) // 2]
            files[f"{dept}.xlsx"] = data
        submission = f"{i + 1:04d}_{name}"
        if as_zip:
            _write_zip(out / f"{submission}.zip", files, fault)
            submission += ".zip"
        else:
            (out / submission).mkdir(exist_ok=True)
            for file, data in files.items():
                (out / submission / file).write_bytes(data)
        plan.append(Planned(submission, name, fault, as_zip, departments, measures))
    return plan


def main(argv: list[str] | None = None) -> int:
    """Command line: write an inbox and print how long it took."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--organisations", "-n", type=int, default=100)
    ap.add_argument("--departments", "-d", type=int, default=5)
    ap.add_argument("--measures", "-m", type=int, default=20)
    ap.add_argument("--broken", type=float, default=0.1, help="share of broken submissions (0–1)")
    ap.add_argument("--zips", type=float, default=0.3, help="share of good submissions sent as .zip (0–1)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    t = time.perf_counter()
    plan = make_inbox(
        args.folder,
        args.organisations,
        departments=args.departments,
        measures=args.measures,
        broken=args.broken,
        zips=args.zips,
        seed=args.seed,
    )
    took = time.perf_counter() - t
    faults = sum(1 for p in plan if p.fault)
    print(
        f"{len(plan)} organisations ({faults} broken), {len(plan) * args.departments} workbooks in {took:.1f} s"
        f" → {args.folder}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
