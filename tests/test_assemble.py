"""The report assembled from its kept skeleton and rows is the document python-docx writes.

Reference: the whole build with nothing taken apart (``assemble.enabled = False``), its
``document.xml`` serialised by python-docx. Against it: the whole build taken apart and
assembled, a build assembled with every row made anew (no docxtpl, no python-docx), and one
with every row kept; a last row short enough to keep with the signature and one too tall; a
template whose rows cannot be taken apart; damaged cache files; a failed write; and a new
process that assembles a changed department without importing docxtpl, python-docx or
pythainlp's package.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import memos
import pytest
from wbfactory import INFO, make_workbook

from compiler import api, errors
from compiler.docx import buildmemo, rowloop
from compiler.docx.templates import REPORT_TEMPLATE
from compiler.report import assemble, piecestore, render
from compiler.zipout import ZipOut

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p for p in (ROOT / "sample_workbooks").iterdir() if p.is_dir())
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from memos.fresh_cache(tmp_path, monkeypatch)


def _xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        return z.read("word/document.xml")


def _report(sample: Path) -> Any:
    report, _, findings = api.prepare_report([sample], None, None)
    assert report is not None, findings
    return report


def _reference(report: Any, out: Path, monkeypatch: pytest.MonkeyPatch, template: Path | None = None) -> bytes:
    with monkeypatch.context() as m:
        m.setattr(assemble, "enabled", False)
        render.render_report(report, out, template=template, force=True)
    return _xml(out)


def _assembled(report: Any, out: Path, template: Path = REPORT_TEMPLATE) -> bytes:
    made = assemble.build(report, out, template=template, digits="thai", force=True)
    assert made is not None, "not assembled"
    return _xml(out)


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.name for p in SAMPLES])
@pytest.mark.parametrize("digits", ["thai", "arabic"])
def test_assembled_equals_python_docx(
    sample: Path, digits: str, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = _report(sample)
    with monkeypatch.context() as m:
        m.setattr(assemble, "enabled", False)
        render.render_report(report, tmp_path / "ref.docx", digits=digits)
    reference = _xml(tmp_path / "ref.docx")
    render.render_report(report, tmp_path / "whole.docx", digits=digits)  # taken apart, then assembled
    assert _xml(tmp_path / "whole.docx") == reference
    memos.forget()  # a new process: the pieces from the disk
    made = assemble.stats["rows_made"]
    key = piecestore.skeleton_key(REPORT_TEMPLATE, report, digits)
    assert key is not None
    piecestore._rows[key] = {}  # every row made anew
    assert assemble.build(report, tmp_path / "new.docx", template=REPORT_TEMPLATE, digits=digits, force=True)
    assert _xml(tmp_path / "new.docx") == reference
    assert assemble.stats["rows_made"] - made == len(report.measures)
    kept = assemble.stats["rows_kept"]
    assert assemble.build(report, tmp_path / "kept.docx", template=REPORT_TEMPLATE, digits=digits, force=True)
    assert _xml(tmp_path / "kept.docx") == reference
    assert assemble.stats["rows_kept"] - kept == len(report.measures)


def _with_last_results(report: Any, text: str) -> Any:
    """``report`` whose last measure is short but for its results, ``text``."""
    last = report.measures[-1]
    parts = (dataclasses.replace(last.parts[0], methods=("ทำ",), results=(text,), outcomes=(), suggestions=()),)
    short = dataclasses.replace(
        last, title="มาตรการ", indicator="", methods=("ทำ",), responsible=(), period=(), parts=parts
    )
    return dataclasses.replace(report, measures=(*report.measures[:-1], short))


def _last_row_kept(xml: bytes) -> bool:
    from lxml import etree

    last = etree.fromstring(xml).findall(f".//{W}tbl")[-1].findall(f"{W}tr")[-1]
    return all(p.find(f"{W}pPr/{W}keepNext") is not None for p in last.iter(f"{W}p"))


def test_a_changed_last_row_short_or_tall_as_python_docx(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = _report(SAMPLES[0])
    render.render_report(report, tmp_path / "first.docx")  # the skeleton kept
    short = _with_last_results(report, "ทำแล้ว <b>{{ x }}</b> & ครบ")
    tall = _with_last_results(report, "\n".join(f"ผลการดำเนินการ ข้อ {i} ส่งเสริมคุณธรรมและความโปร่งใส" for i in range(40)))
    seen = []
    for changed in (short, tall):
        made = assemble.stats["rows_made"]
        xml = _assembled(changed, tmp_path / "fast.docx")
        assert assemble.stats["rows_made"] == made + 1  # only the changed row is made
        assert xml == _reference(changed, tmp_path / "ref.docx", monkeypatch)
        seen.append(_last_row_kept(xml))
    assert seen == [True, False]  # kept with the signature when short, not when tall


def _template_naming_measures(tmp_path: Path) -> Path:
    """The built-in template with ``{{ measures|length }}`` after the organisation's name."""
    out = tmp_path / "counting.docx"
    with zipfile.ZipFile(REPORT_TEMPLATE) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                text = data.decode("utf-8")
                assert "{{ organisation }}" in text
                data = text.replace("{{ organisation }}", "{{ organisation }} ({{ measures|length }})", 1).encode(
                    "utf-8"
                )
            dst.writestr(info, data)
    return out


def test_a_template_whose_rows_cannot_be_taken_apart_is_built_whole(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = _report(SAMPLES[1])
    counting = _template_naming_measures(tmp_path)
    render.render_report(report, tmp_path / "a.docx", template=counting)
    assert not piecestore._skeletons  # its text outside the rows counts them: nothing kept
    assert assemble.build(report, tmp_path / "b.docx", template=counting, digits="thai", force=True) is None
    assert _xml(tmp_path / "a.docx") == _reference(report, tmp_path / "ref.docx", monkeypatch, counting)
    assert f"({len(report.measures)})".encode() in _xml(tmp_path / "a.docx")
    with monkeypatch.context() as m:  # a row loop whose body is not one table row: not marked
        m.setattr(rowloop.Loop, "one_row", property(lambda self: False))
        render.render_report(report, tmp_path / "c.docx")
        assert not piecestore._skeletons
        assert _xml(tmp_path / "c.docx") == _reference(report, tmp_path / "ref2.docx", monkeypatch)


def test_damaged_piece_files_are_never_trusted(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(buildmemo, "lookup", lambda name: None)  # no build written again whole
    report = _report(SAMPLES[2])
    reference = _reference(report, tmp_path / "ref.docx", monkeypatch)
    render.render_report(report, tmp_path / "a.docx")
    memos.forget()
    files = sorted((cache / "assembled").iterdir())
    assert [f.suffix for f in files] == [".rows", ".skeleton"]
    for damage in ("flip", "truncate", "swap"):
        for f in files:
            data = f.read_bytes()
            if damage == "flip":
                f.write_bytes(data[:-40] + bytes(b ^ 0xFF for b in data[-40:]))
            elif damage == "truncate":
                f.write_bytes(data[: len(data) // 2])
            else:  # another file's (valid) bytes under this name
                other = files[1] if f == files[0] else files[0]
                f.write_bytes(other.read_bytes())
        memos.forget()
        assert api.build([SAMPLES[2]], tmp_path / "b.docx", force=True).written  # built whole again
        assert _xml(tmp_path / "b.docx") == reference
        memos.forget()
        files = sorted((cache / "assembled").iterdir())
        assert assemble.build(report, tmp_path / "c.docx", template=REPORT_TEMPLATE, digits="thai", force=True)
        assert _xml(tmp_path / "c.docx") == reference


def test_a_failed_write_leaves_the_old_file(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = _report(SAMPLES[0])
    out = tmp_path / "report.docx"
    render.render_report(report, out)
    before = out.read_bytes()

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ZipOut, "add_deflated", full)
    with pytest.raises(errors.OutputError) as info:
        assemble.build(_with_last_results(report, "ใหม่"), out, template=REPORT_TEMPLATE, digits="thai", force=True)
    assert "disk is full" in info.value.message_en
    assert out.read_bytes() == before and os.listdir(tmp_path) == ["cache", "report.docx"]


def _department(folder: Path, name: str, texts: list[str]) -> None:
    rows = [[i + 1, f"มาตรการที่ {i + 1}", f"วิธี {t}", name, "ต.ค. 2564", t, ""] for i, t in enumerate(texts)]
    make_workbook(folder / f"{name}.xlsx", info={**INFO, "department": name}, measures=rows)


_PROCESS = """
import sys
from pathlib import Path
from compiler import api
from compiler.report import assemble
result = api.build([Path(sys.argv[1])], Path(sys.argv[2]), force=True)
assert result.written, result.findings
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"docx", "docxtpl", "pythainlp"})
print(assemble.stats["taken_apart"], assemble.stats["assembled"], assemble.stats["rows_made"], ",".join(heavy) or "-")
"""


def test_a_new_process_assembles_a_changed_department_without_docx_or_pythainlp(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    _department(inbox, "สำนักปลัด", [f"ผลการดำเนินการของสำนักปลัด ข้อ {i}" for i in range(6)])
    _department(inbox, "กองคลัง", [f"ผลการดำเนินการของกองคลัง ข้อ {i}" for i in range(6)])
    env = {**os.environ, "ITA_REPORT_CACHE": str(tmp_path / "cache"), "SOURCE_DATE_EPOCH": "1700000000"}

    def run() -> list[str]:
        proc = subprocess.run(
            [sys.executable, "-c", _PROCESS, str(inbox), str(tmp_path / "report.docx")],
            capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.split()

    assert run()[:2] == ["1", "1"]  # the first build is made whole (and taken apart)
    _department(inbox, "กองคลัง", [f"ผลการดำเนินการของกองคลัง แก้ไขแล้ว ข้อ {i}" for i in range(6)])
    assert run() == ["0", "1", "6", "-"]  # its six rows made anew, nothing heavy imported
    new = _xml(tmp_path / "report.docx").decode("utf-8").replace("\u200b", "").replace("\u2060", "")
    assert "ของกองคลัง แก้ไขแล้ว ข้อ ๕" in new and "ของสำนักปลัด ข้อ ๕" in new
