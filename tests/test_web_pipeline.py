"""The web app's door into the library: contained workers and the bytes-in, bytes-out jobs."""

from __future__ import annotations

import io
import time

import docx
import pytest
from webtools import sample, with_mistake

from compiler.web import pipeline
from compiler.web.pipeline import run_contained
from compiler.web.security import csrf_ok, csrf_token, hash_password, verify_password
from compiler.workers import WorkerFailed


def _sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def _allocate(mb: int) -> int:
    block = bytearray(mb * 1024 * 1024)
    return len(block)


def _crash() -> None:
    import os

    os._exit(7)


def _boom() -> None:
    raise ValueError("a bug")


def test_a_job_over_its_time_is_stopped():
    started = time.monotonic()
    with pytest.raises(WorkerFailed) as exc:
        run_contained(_sleep, 30, timeout_s=1)
    assert time.monotonic() - started < 10
    assert exc.value.reason == "timeout"
    assert "1 วินาที" in exc.value.message_th and "longer than 1 s" in exc.value.message_en
    assert run_contained(_sleep, 0, timeout_s=30) == "woke"


def test_a_job_over_its_memory_is_stopped():
    with pytest.raises(WorkerFailed) as exc:
        run_contained(_allocate, 1500, timeout_s=60, memory_mb=800)
    assert exc.value.reason == "memory" and "หน่วยความจำ" in exc.value.message_th
    assert run_contained(_allocate, 10, timeout_s=60, memory_mb=800) == 10 * 1024 * 1024


def test_a_worker_that_dies_or_raises_is_a_message():
    with pytest.raises(WorkerFailed, match="died"):
        run_contained(_crash, timeout_s=30)
    with pytest.raises(WorkerFailed, match="ValueError"):
        run_contained(_boom, timeout_s=30)
    with pytest.raises(WorkerFailed) as refused:  # the library's own message reaches the page
        run_contained(pipeline.check_date, "วันที่สามสิบสองมีนาคม", timeout_s=30)
    assert refused.value.reason == "error" and "is not a date" in refused.value.message_en
    assert refused.value.message_th and refused.value.message_en


def test_check_workbook_names_the_file_after_the_department_and_marks_the_cell():
    checked = pipeline.check_workbook("กองคลัง", ".xlsx", with_mistake(sample("กองคลัง")))
    assert [(f["code"], f["file"], f["sheet"], f["cell"]) for f in checked["findings"]] == [
        ("missing-value", "กองคลัง.xlsx", "มาตรการ", "G5")
    ]
    assert pipeline.status_of(checked) == "errors"
    assert checked["annotated"][:2] == b"PK" and checked["department"] == "กองคลัง"


def test_a_label_cannot_escape_the_job_folder():
    checked = pipeline.check_workbook("../../etc/กองคลัง", ".xlsx", sample("กองคลัง"))
    assert checked["file"] == "กองคลัง.xlsx"  # the last part of the name only, made safe


def test_build_documents_returns_the_report_as_bytes():
    workbooks = [(name, ".xlsx", sample(name)) for name in ("สำนักปลัด", "กองคลัง", "กองช่าง")]
    built = pipeline.build_documents(workbooks, pdf=False)
    assert not built["refused"] and built["organisation"] == "เทศบาลตำบลโพนทราย"
    names = [name for name, _ in built["files"]]
    assert names[0] == "รายงานผล.docx" and "ประกาศมาตรการ.docx" in names
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(built["files"][0][1])).paragraphs)
    text = text.replace("\u200b", "").replace("\u2060", "")  # without the line-break hints
    assert "เทศบาลตำบลโพนทราย" in text
    assert all(not f["file"].startswith("/") for f in built["findings"])
    # no emblem sent: the advice is the web page's (the overview), not a workbook cell or --emblem
    (no_emblem,) = [f for f in built["findings"] if f["code"] == "no-emblem"]
    assert "หน้าภาพรวม" in no_emblem["message_th"] and "overview page" in no_emblem["message_en"]
    assert "--emblem" not in no_emblem["message_th"] + no_emblem["message_en"]


def test_build_documents_refuses_workbooks_with_errors():
    built = pipeline.build_documents([("กองคลัง", ".xlsx", with_mistake(sample("กองคลัง")))], pdf=False)
    assert built["refused"] and built["files"] == []
    assert [(f["code"], f["cell"]) for f in built["findings"] if f["severity"] == "error"] == [("missing-value", "G5")]


def test_suffix_of_takes_only_workbook_suffixes():
    assert pipeline.suffix_of("กองคลัง.XLSX") == ".xlsx"
    assert pipeline.suffix_of("report.pdf") == pipeline.suffix_of("noext") == ""


def test_password_hash_is_salted_and_checked():
    one, two = hash_password("correct horse"), hash_password("correct horse")
    assert one != two and one.startswith("scrypt$")
    assert verify_password("correct horse", one) and not verify_password("wrong horse", one)
    assert not verify_password("x", None) and not verify_password("x", "garbage")


def test_csrf_token_belongs_to_its_session():
    session: dict[str, object] = {}
    token = csrf_token(session)
    assert csrf_token(session) == token and csrf_ok(session, token)
    assert not csrf_ok(session, token + "x") and not csrf_ok({}, token) and not csrf_ok(session, None)


def _naming_pictures(data: bytes, picture: str) -> bytes:
    """The workbook with its ไฟล์ตราครุฑ and ไฟล์ตราหน่วยงาน set to ``picture`` (a path on the server)."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    for row in wb["ข้อมูลหน่วยงาน"].iter_rows():
        if row[0].value in ("ไฟล์ตราครุฑ", "ไฟล์ตราหน่วยงาน"):
            row[1].value = picture
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_path_typed_in_an_upload_is_never_opened(render_png):
    workbook = _naming_pictures(sample("กองคลัง"), str(render_png))
    built = pipeline.build_documents([("กองคลัง", ".xlsx", workbook)], pdf=False)
    assert not built["refused"]
    assert {f["code"] for f in built["findings"]} >= {"bad-picture"}  # named, never opened: a warning
    for name, data in built["files"]:
        assert len(docx.Document(io.BytesIO(data)).inline_shapes) == 0, name
    given = pipeline.build_documents([("กองคลัง", ".xlsx", workbook)], pdf=False, emblem=render_png.read_bytes())
    measures = dict(given["files"])["ประกาศมาตรการ.docx"]
    assert len(docx.Document(io.BytesIO(measures)).inline_shapes) == 1  # the secretary's own upload is used


def test_a_build_reports_its_progress_from_the_worker():
    seen: list[tuple[int, int, str]] = []
    workbooks = [(name, ".xlsx", sample(name)) for name in ("สำนักปลัด", "กองคลัง", "กองช่าง")]
    built = run_contained(
        pipeline.build_documents, workbooks, False, timeout_s=300, on_progress=lambda *a: seen.append(a)
    )
    assert not built["refused"]
    assert [done for done, _, _ in seen] == sorted(done for done, _, _ in seen)  # forward only
    assert {total for _, total, _ in seen} == {5}  # 3 workbooks, the report, the announcements
    whats = [what for _, _, what in seen]
    assert "รายงานผล.docx" in whats and "ประกาศ/คำสั่ง/บันทึกข้อความ" in whats and seen[-1][0] == 5
