"""The library API for a front end (compiler/inmemory.py, compiler/uploads.py): uploads as
bytes in, documents as bytes out, progress, JSON; and the README's example, run as written."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from docx import Document

import compiler
from compiler import inmemory, uploads
from compiler.errors import UsageError

ROOT = Path(__file__).resolve().parents[1]
PHON_SAI = ROOT / "sample_workbooks" / "phon_sai_2568"


def _uploads(folder: Path = PHON_SAI) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.xlsx"))]


def test_the_readme_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- api-example:start -->", 1)[1].split("<!-- api-example:end -->", 1)[0]
    code = block.split("```python", 1)[1].split("```", 1)[0]
    assert 15 <= len(code.strip().splitlines()) <= 30
    shutil.copytree(PHON_SAI, tmp_path / "sample_workbooks" / "phon_sai_2568")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "4/4" in printed and "เทศบาลตำบลโพนทราย" in printed  # three departments and the plan
    written = sorted(p.name for p in (tmp_path / "out" / "api").iterdir())
    assert "รายงานผล.docx" in written and "ประกาศมาตรการ.docx" in written


def test_documents_come_back_as_bytes_and_nothing_is_left_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    made = inmemory.build_documents(_uploads())
    assert made.ok and next(iter(made.files)) == inmemory.REPORT_NAME
    text = "\n".join(p.text for p in Document(io.BytesIO(made.files[inmemory.REPORT_NAME])).paragraphs)
    assert "โพนทราย" in text.replace("\u200b", "").replace("\u2060", "")  # without the line-break hints
    assert list(tmp_path.iterdir()) == []  # the private folders are gone


def test_build_progress_counts_files_then_documents() -> None:
    seen: list[tuple[int, int, str]] = []
    inmemory.build_documents(_uploads(), announcements=False, progress=lambda d, t, w: seen.append((d, t, w)))
    assert [(d, t) for d, t, _ in seen] == [(1, 4), (2, 4), (3, 4), (4, 4), (5, 5)]  # with the sample plan
    assert seen[-1][2] == inmemory.REPORT_NAME


def test_uploads_with_errors_give_findings_not_documents() -> None:
    made = inmemory.build_documents([("กองคลัง.xlsx", b"PK\x03\x04 not really a workbook")])
    assert not made.ok and made.files == {}
    assert [f.code for f in made.errors] == ["corrupt-file"]


def test_check_uploads_returns_annotated_copies_as_bytes() -> None:
    from openpyxl import load_workbook

    from compiler.workbook import standard

    data = (PHON_SAI / "กองคลัง.xlsx").read_bytes()
    wb = load_workbook(io.BytesIO(data))
    ws = wb[standard.SHEET_INFO]
    for row in ws.iter_rows():
        if row[0].value and "ปีงบประมาณ" in str(row[0].value):
            row[1].value = "สองพันห้าร้อย"
    buf = io.BytesIO()
    wb.save(buf)
    result, copies = inmemory.check_uploads([("กองคลัง.xlsx", buf.getvalue())])
    assert "bad-fiscal-year" in {f.code for f in result.errors}
    assert list(copies) == ["กองคลัง.xlsx"]
    assert load_workbook(io.BytesIO(copies["กองคลัง.xlsx"]))  # a workbook Excel opens


def test_pictures_as_bytes(render_png: Path) -> None:
    png = render_png.read_bytes()
    made = inmemory.build_documents(_uploads(), emblem=png, logo=png)
    assert made.ok
    report = Document(io.BytesIO(made.files[inmemory.REPORT_NAME]))
    assert report.inline_shapes, "the logo is on the cover"
    prakat = Document(io.BytesIO(made.files["ประกาศมาตรการ.docx"]))
    assert prakat.inline_shapes, "the emblem heads the ประกาศ"
    assert "no-emblem" not in {f.code for f in made.findings}


def test_json_of_every_result_is_json() -> None:
    made = inmemory.build_documents(_uploads(), announcements=False)
    checked, _ = inmemory.check_uploads(_uploads())
    for result in (made, checked):
        data = compiler.to_json(result)
        assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert compiler.to_json(made)["organisation"]["fiscal_year"] == 2568
    with pytest.raises(TypeError):
        compiler.to_json(object())


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("กองคลัง.xlsx", "กองคลัง.xlsx"),
        ("C:\\Users\\งาน\\กองช่าง.xlsx", "กองช่าง.xlsx"),
        ("../../etc/passwd", "passwd"),
        ("", "upload-1"),
        ("CON.xlsx", "_CON.xlsx"),
        ("nul", "_nul"),
        ("a\x1b[31m.xls", "a[31m.xls"),
    ],
)
def test_an_upload_name_never_chooses_where_it_goes(given: str, expected: str) -> None:
    with uploads.staged([(given, b"x")]) as paths:
        (path,) = paths
        assert path.parent.name.startswith("ita-upload-")
        assert path.name == expected


def test_two_uploads_of_one_name_are_both_kept() -> None:
    with uploads.staged([("a.xlsx", b"1"), ("a.xlsx", b"2"), ("A.xlsx", b"3")]) as paths:
        assert [p.read_bytes() for p in paths] == [b"1", b"2", b"3"]
        assert len({p.name.lower() for p in paths}) == 3


def test_a_file_object_is_an_input() -> None:
    data = (PHON_SAI / "กองคลัง.xlsx").read_bytes()
    fobj = io.BytesIO(data)
    fobj.name = "กองคลัง.xlsx"
    result = compiler.check([fobj])
    assert [wb.file for wb in result.workbooks] == ["กองคลัง.xlsx"]


def test_a_path_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        compiler.check([tmp_path / "nothing.xlsx"])
