"""The district intake on a small inbox made by tools/make_inbox.py: every organisation
listed, every broken one reported with its reason, counts right, in parallel or not."""

from __future__ import annotations

import importlib.util
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner
from docxtext import docx_lines
from openpyxl import Workbook, load_workbook

from compiler.cli import main
from compiler.district import intake
from compiler.district import memo as district_memo
from compiler.district import survey as district_survey
from compiler.district.expect import name_key, not_sent, read_expect_list, submission_name
from compiler.district.intake import run_district, thai_order
from compiler.district.model import DistrictResult, OrganisationSummary
from compiler.district.survey import survey
from compiler.errors import InputError, OutputError, UsageError

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_workbooks"


def _load_make_inbox() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_inbox", ROOT / "tools" / "make_inbox.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_inbox"] = module
    spec.loader.exec_module(module)
    return module


make_inbox = _load_make_inbox()
FAULTS = tuple(make_inbox.FAULTS)


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    """12 organisations, half broken (each fault once), half of the good ones zipped."""
    folder = tmp_path_factory.mktemp("district") / "inbox"
    plan = make_inbox.make_inbox(folder, 12, departments=3, measures=4, broken=0.5, zips=0.5, seed=7)
    return folder, plan


@pytest.fixture(scope="module")
def ran(inbox: tuple[Path, list], tmp_path_factory: pytest.TempPathFactory) -> DistrictResult:
    out = tmp_path_factory.mktemp("district_out") / "summary.xlsx"
    return run_district(inbox[0], out, jobs=2)


def by_submission(result: DistrictResult) -> dict[str, OrganisationSummary]:
    return {o.submission: o for o in result.organisations}


def test_the_plan_covers_every_fault_folders_and_zips(inbox: tuple[Path, list]) -> None:
    _, plan = inbox
    assert sorted(p.fault for p in plan if p.fault) == sorted(FAULTS)
    assert any(p.as_zip and not p.fault for p in plan) and any(not p.as_zip for p in plan)


def test_every_organisation_is_listed_with_its_status_and_reason(inbox: tuple[Path, list], ran: DistrictResult) -> None:
    _, plan = inbox
    got = by_submission(ran)
    assert sorted(got) == sorted(p.submission for p in plan)
    for p in plan:
        o = got[p.submission]
        assert o.status == p.status, p
        assert set(p.codes) <= set(o.codes), (p, o.codes)
        if not p.fault:
            assert o.codes == ()
        assert o.name == p.name


def test_counts_of_good_organisations(inbox: tuple[Path, list], ran: DistrictResult) -> None:
    _, plan = inbox
    got = by_submission(ran)
    for p in plan:
        o = got[p.submission]
        if p.status in ("ok", "warnings"):
            assert (len(o.departments), o.files, o.measures, o.measures_with_results) == (3, 3, 4, 4)
            assert o.fiscal_year == make_inbox.FISCAL_YEAR and o.province == make_inbox.PROVINCE
            assert o.kind and o.name.startswith(o.kind)
            assert o.score is not None and o.level
            assert (o.errors, o.warnings == 0) == (0, p.status == "ok")
        if p.status == "unreadable":
            assert o.measures == 0 and o.errors >= 1 and o.departments == ()


def test_result_counts_and_levels(inbox: tuple[Path, list], ran: DistrictResult) -> None:
    _, plan = inbox
    for status in ("ok", "warnings", "errors", "unreadable"):
        assert ran.count(status) == sum(1 for p in plan if p.status == status)
    assert sum(ran.levels.values()) == len(plan)
    assert {o.submission for o in ran.failed} == {p.submission for p in plan if p.status in ("errors", "unreadable")}
    assert ran.written and ran.written[0].exists()


def test_serial_and_parallel_runs_agree(inbox: tuple[Path, list], ran: DistrictResult, tmp_path: Path) -> None:
    serial = run_district(inbox[0], tmp_path / "serial.xlsx", jobs=1)
    assert serial.organisations == ran.organisations


def test_zip_extraction_leaves_nothing_behind(inbox: tuple[Path, list], ran: DistrictResult) -> None:
    folder, plan = inbox
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.submission for p in plan)
    assert not (folder.parent.parent / "ไม่ปลอดภัย.xlsx").exists()


def test_stated_level_that_contradicts_the_score_is_flagged(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    for org in ("phu_sang_2567", "phon_sai_2568"):
        shutil.copytree(SAMPLES / org, inbox / org)
    result = run_district(inbox, tmp_path / "s.xlsx", jobs=1)
    got = by_submission(result)
    phu_sang = got["phu_sang_2567"]
    assert (phu_sang.score, phu_sang.level, phu_sang.stated_level) == (99.78, "AA", "ต้องปรับปรุง")
    assert "level-contradicts-score" in phu_sang.codes and phu_sang.status == "warnings"
    assert "level-contradicts-score" not in got["phon_sai_2568"].codes


def test_a_survey_keeps_nothing_of_the_organisation_in_memory_but_a_build_does(tmp_path: Path) -> None:
    """Regression: the merge remembered every measure it merged (4,096 a process) for a server
    building one organisation again; a district's workers, merging each organisation once,
    grew ~50 MB each (peak tree memory at 1,000 organisations 131 -> 228 MB)."""
    from compiler import api
    from compiler.report import merge

    merge._merged.clear()
    summary, _ = survey(SAMPLES / "phu_sang_2567")
    assert summary.status in ("ok", "warnings") and summary.measures > 0
    assert len(merge._merged) == 0
    api.build([SAMPLES / "phu_sang_2567"], tmp_path / "report.docx")
    assert len(merge._merged) >= summary.measures


def test_loose_workbook_empty_folder_and_junk(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "ว่าง").mkdir(parents=True)
    shutil.copy(SAMPLES / "ban_tom_2565" / "สำนักปลัด.xlsx", inbox / "บ้านต๋อม.xlsx")
    (inbox / "notes.txt").write_text("not a submission")
    (inbox / ".DS_Store").write_bytes(b"x")
    result = run_district(inbox, tmp_path / "s.xlsx", jobs=1)
    got = by_submission(result)
    assert sorted(got) == ["บ้านต๋อม.xlsx", "ว่าง"]
    assert got["ว่าง"].status == "unreadable" and got["ว่าง"].codes == ("no-workbooks",)
    assert got["บ้านต๋อม.xlsx"].name == "เทศบาลตำบลบ้านต๋อม" and got["บ้านต๋อม.xlsx"].measures > 0


def test_one_crashing_organisation_does_not_stop_the_others(
    inbox: tuple[Path, list], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder, plan = inbox
    victim = next(p for p in plan if not p.fault and not p.as_zip)
    real = district_survey.check_files

    def flaky(files, names=None, groups=None):  # type: ignore[no-untyped-def]
        if groups and groups[0] == victim.submission:
            raise RuntimeError("boom")
        return real(files, names, groups)

    monkeypatch.setattr(district_survey, "check_files", flaky)
    monkeypatch.setattr(intake, "_context", lambda: multiprocessing.get_context("fork"))  # workers see the patch
    result = run_district(folder, tmp_path / "s.xlsx", jobs=1)
    got = by_submission(result)
    assert got[victim.submission].status == "unreadable" and got[victim.submission].codes == ("internal-error",)
    assert sum(1 for o in result.organisations if o.status == "ok") == sum(1 for p in plan if p.status == "ok") - 1


def _zip(folder: Path, target: Path, mtime: float) -> Path:
    import os
    import zipfile

    with zipfile.ZipFile(target, "w") as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, f.name)
    os.utime(target, (mtime, mtime))
    return target


def test_an_organisation_that_sent_twice_counts_once(tmp_path: Path) -> None:
    """หนองบัว.zip, then หนองบัว (แก้ไข).zip: the later counts in every count; the earlier is
    listed as superseded on the problems sheet."""
    from openpyxl import load_workbook

    from compiler.district.summary import SHEET_PROBLEMS

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _zip(SAMPLES / "phon_sai_2568", inbox / "หนองบัว (แก้ไข).zip", 2_000_000_000)
    _zip(SAMPLES / "phon_sai_2568", inbox / "หนองบัว.zip", 1_900_000_000)  # sent first
    shutil.copytree(SAMPLES / "phu_sang_2567", inbox / "ภูซาง")
    result = run_district(inbox, tmp_path / "s.xlsx", docx=tmp_path / "memo.docx", jobs=1)
    assert [o.submission for o in result.organisations] == ["ภูซาง", "หนองบัว (แก้ไข).zip"]  # by province
    assert [o.submission for o in result.superseded] == ["หนองบัว.zip"]
    assert "duplicate-submission" in result.organisations[1].codes
    assert result.superseded[0].codes[-1] == "superseded-submission"
    book = load_workbook(tmp_path / "s.xlsx", read_only=True)
    summary_rows = [r for r in book["สรุปรายหน่วยงาน"].iter_rows(min_row=2, values_only=True) if any(r)]
    assert len(summary_rows) == 2
    problems = [row for row in book[SHEET_PROBLEMS].iter_rows(min_row=2, values_only=True)]
    assert ("หนองบัว.zip", "superseded-submission") in [(r[1], r[4]) for r in problems]
    measures = [row[0] for row in book["มาตรการทั้งหมด"].iter_rows(min_row=2, values_only=True)]
    assert measures.count("เทศบาลตำบลโพนทราย") == 3  # once, not twice
    text = "\n".join(docx_lines(tmp_path / "memo.docx"))
    assert "ได้รับรายงานจากองค์กรปกครองส่วนท้องถิ่น ๒ แห่ง" in text
    # the same two, the other way round in time: the other one counts
    _zip(SAMPLES / "phon_sai_2568", inbox / "หนองบัว.zip", 2_100_000_000)
    again = run_district(inbox, tmp_path / "s2.xlsx", jobs=1)
    assert [o.submission for o in again.superseded] == ["หนองบัว (แก้ไข).zip"]


def test_mixed_fiscal_years_and_provinces_are_warned(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES / "phon_sai_2568", inbox / "phon_sai")  # 2568, ร้อยเอ็ด
    shutil.copytree(SAMPLES / "phu_sang_2567", inbox / "phu_sang")  # 2567, พะเยา
    result = run_district(inbox, tmp_path / "s.xlsx", jobs=1)
    assert [f.code for f in result.findings] == ["mixed-fiscal-years", "mixed-provinces"]
    assert "2567" in result.findings[0].message_en and "2568" in result.findings[0].message_en
    single = tmp_path / "single"
    shutil.copytree(SAMPLES / "phon_sai_2568", single / "phon_sai")
    assert run_district(single, tmp_path / "s2.xlsx", jobs=1).findings == ()


# --- the expect list --------------------------------------------------------------------------
def expect_workbook(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


@pytest.mark.parametrize(
    "rows",
    [
        [["รายชื่อ อปท. อำเภอภูซาง"], ["ลำดับ", "ชื่อหน่วยงาน", "หมายเหตุ"], [1, "อบต. ภูซาง", ""], [2, "เทศบาลตำบลสบบง", "x"]],
        [["องค์การบริหารส่วนตำบลภูซาง"], ["เทศบาลตำบลสบบง"], [None], ["๓"]],
        [["no", "Organisation"], [1, "องค์การบริหารส่วนตำบลภูซาง"], [2, " เทศบาลตำบล สบบง "]],
    ],
)
def test_expect_list_is_read_tolerantly(tmp_path: Path, rows: list[list[object]]) -> None:
    names = read_expect_list(expect_workbook(tmp_path / "list.xlsx", rows))
    assert [name_key(n) for n in names] == [name_key("องค์การบริหารส่วนตำบลภูซาง"), name_key("เทศบาลตำบลสบบง")]


def test_expect_list_as_text_and_errors(tmp_path: Path) -> None:
    text = tmp_path / "list.txt"
    text.write_text("ทต.บ้านต๋อม\nอบต.ภูซาง\n\n", encoding="utf-8")
    assert read_expect_list(text) == ["ทต.บ้านต๋อม", "อบต.ภูซาง"]
    with pytest.raises(UsageError):
        read_expect_list(tmp_path / "missing.xlsx")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"garbage")
    with pytest.raises(UsageError):
        read_expect_list(bad)


def test_not_sent_matches_names_submissions_and_places(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES / "phu_sang_2567", inbox / "phu_sang")
    (inbox / "07_เทศบาลตำบลบ้านต๋อม.zip").write_bytes(b"not a zip")  # sent, though unreadable
    listed = expect_workbook(
        tmp_path / "list.xlsx",
        [["ชื่อหน่วยงาน"], ["อบต.ภูซาง"], ["เทศบาลตำบลบ้านต๋อม"], ["เทศบาลตำบลสบบง"], ["เชียงแรง"]],
    )
    result = run_district(inbox, tmp_path / "s.xlsx", expect=listed, jobs=1)
    assert result.not_sent == ("เทศบาลตำบลสบบง", "เชียงแรง") and result.expected == 4


# --- small helpers ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b"),
    [("อบต. ภูซาง", "องค์การบริหารส่วนตำบลภูซาง"), ("ทต.บ้านต๋อม", "เทศบาลตำบล บ้านต๋อม"), ("ทม.พะเยา", "เทศบาลเมืองพะเยา")],
)
def test_name_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_name_key_keeps_different_places_apart() -> None:
    assert name_key("อบต.บ้านใหม่") != name_key("ทต.บ้านใหม่")
    assert not_sent(["อบต.บ้านใหม่"], []) == ["อบต.บ้านใหม่"]


@pytest.mark.parametrize(
    ("submission", "name"),
    [
        ("0007_เทศบาลตำบลบ้านต๋อม.zip", "เทศบาลตำบลบ้านต๋อม"),
        ("๑๒ อบต.ภูซาง", "อบต.ภูซาง"),
        ("ภูซาง.xlsx", "ภูซาง"),
        ("2567", "2567"),
    ],
)
def test_submission_name(submission: str, name: str) -> None:
    assert submission_name(submission) == name


def test_thai_order_puts_leading_vowels_after_their_consonant() -> None:
    from dataclasses import replace

    one = run_district(SAMPLES, Path(tempfile.mkdtemp()) / "s.xlsx", jobs=1).organisations[0]
    names = ["เมืองพะเยา", "บ้านต๋อม", "แม่ใจ", "ภูซาง"]
    orgs = [replace(one, name=n, district="", province="") for n in names]
    assert [o.name for o in thai_order(orgs)] == ["บ้านต๋อม", "ภูซาง", "เมืองพะเยา", "แม่ใจ"]
    placed = replace(one, name="ข", district="ก", province="ก")
    assert thai_order([*orgs, placed])[0] is placed  # what cannot be placed comes last


def test_survey_never_raises(tmp_path: Path) -> None:
    ghost = tmp_path / "ghost.zip"
    ghost.write_bytes(b"PK\x03\x04garbage")
    summary, details = survey(ghost)
    assert summary.status == "unreadable" and [f.code for f in details.findings] == ["zip-corrupt"]


# --- usage ------------------------------------------------------------------------------------
def test_usage_problems_are_raised_before_any_work(inbox: tuple[Path, list], tmp_path: Path) -> None:
    folder, _ = inbox
    with pytest.raises(UsageError):
        run_district(tmp_path / "nowhere", tmp_path / "s.xlsx")
    with pytest.raises(UsageError):
        run_district(folder, tmp_path / "s.csv")
    with pytest.raises(UsageError):
        run_district(folder, tmp_path / "s.xlsx", docx=tmp_path / "memo.pdf")
    existing = tmp_path / "exists.xlsx"
    existing.write_bytes(b"keep")
    with pytest.raises(OutputError):
        run_district(folder, existing)
    assert existing.read_bytes() == b"keep"
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError):
        run_district(tmp_path / "empty", tmp_path / "s.xlsx")


def test_progress_is_reported_for_each_submission(tmp_path: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    run_district(SAMPLES, tmp_path / "a.xlsx", jobs=1, progress=lambda d, t, w: seen.append((d, t, w)))
    assert [(d, t) for d, t, _ in seen] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert sorted(w for _, _, w in seen[1:]) == sorted(p.name for p in SAMPLES.iterdir())


def test_progress_bar_only_when_asked(tmp_path: Path) -> None:
    runner = CliRunner()
    quiet = runner.invoke(main, ["district", str(SAMPLES), "-o", str(tmp_path / "a.xlsx"), "--no-progress"])
    assert quiet.exit_code == 0 and "/3" not in quiet.stderr
    shown = runner.invoke(main, ["district", str(SAMPLES), "-o", str(tmp_path / "b.xlsx"), "--progress", "-j", "1"])
    assert shown.exit_code == 0 and "0/3" in shown.stderr


def test_regression_district_warnings_print_in_colour_not_as_escaped_codes(tmp_path: Path) -> None:
    """The inbox's warnings printed "\\x1b[33mคำเตือน/warning\\x1b[0m": the colour was added before
    the line was cleaned of control characters, so the cleaning wrote its codes out."""
    runner = CliRunner()
    plain = runner.invoke(main, ["district", str(SAMPLES), "-o", str(tmp_path / "a.xlsx"), "--no-progress", "-j", "1"])
    assert plain.exit_code == 0, plain.output
    assert "คำเตือน/warning [mixed-provinces]" in plain.output and "\\x1b" not in plain.output
    coloured = runner.invoke(
        main, ["district", str(SAMPLES), "-o", str(tmp_path / "b.xlsx"), "--no-progress", "-j", "1"], color=True
    )
    assert "\x1b[33mคำเตือน/warning\x1b[0m [mixed-provinces]" in coloured.output


# --- the memo ---------------------------------------------------------------------------------
def test_memo_to_the_district_chief(ran: DistrictResult, tmp_path: Path) -> None:
    from compiler.documents.render import render_document

    doc, office = district_memo.memo_document(ran, summary_name="summary.xlsx")
    assert doc.to.startswith("นายอำเภอ") and office.name.startswith("สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอ")
    path, _ = render_document(doc, office, tmp_path / "memo.docx")
    text = "\n".join(docx_lines(path))
    assert "บันทึกข้อความ" in text and "เรียน  นายอำเภอ" in text
    assert f"ได้รับรายงานจากองค์กรปกครองส่วนท้องถิ่น {thai_digits(len(ran.organisations))} แห่ง" in text
    assert f"ครบถ้วน {thai_digits(ran.count('ok'))} แห่ง" in text
    assert "จึงเรียนมาเพื่อโปรดทราบ" in text


@pytest.mark.parametrize(
    ("district", "province", "named"),
    [("เมือง", "ขอนแก่น", "เมืองขอนแก่น"), ("อำเภอเมือง", "จังหวัดขอนแก่น", "เมืองขอนแก่น"), ("ภูซาง", "พะเยา", "ภูซาง")],
)
def test_memo_names_the_district_unambiguously(district: str, province: str, named: str) -> None:
    from test_summary import org

    result = DistrictResult(Path("inbox"), (org(district=district, province=province),))
    doc, office = district_memo.memo_document(result)
    assert doc.to == f"นายอำเภอ{named}"
    assert office.name == f"สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอ{named}"
    assert doc.signature.positions == (f"ท้องถิ่นอำเภอ{named}",)


def thai_digits(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))


# --- the command ------------------------------------------------------------------------------
def test_cli_exit_codes_and_outputs(inbox: tuple[Path, list], tmp_path: Path) -> None:
    runner = CliRunner()
    out, memo = tmp_path / "summary.xlsx", tmp_path / "memo.docx"
    res = runner.invoke(main, ["district", str(inbox[0]), "-o", str(out), "--docx", str(memo), "-j", "1"])
    assert res.exit_code == 1, res.output
    assert out.exists() and memo.exists()
    assert "zip-bomb" in res.output and "zip-unsafe-path" in res.output
    good = tmp_path / "good"
    shutil.copytree(SAMPLES / "phon_sai_2568", good / "phon_sai")
    res = runner.invoke(main, ["district", str(good), "-o", str(tmp_path / "ok.xlsx"), "--no-progress"])
    assert res.exit_code == 0, res.output
    assert res.output.startswith("หน่วยงาน 1 แห่ง: ")  # warnings only: still exit 0
    res = runner.invoke(main, ["district", str(tmp_path / "nowhere"), "-o", str(tmp_path / "x.xlsx")])
    assert res.exit_code == 2 and "no such inbox" in res.output


# --- contained workers ------------------------------------------------------------------------
def _patched_survey(monkeypatch: pytest.MonkeyPatch, victim: str, action: object) -> None:
    """Make the survey of ``victim`` do ``action`` (in the worker: forked, so it sees this)."""
    real = district_survey.survey_files

    def survey_files(submission, files, names, extra=()):  # type: ignore[no-untyped-def]
        if submission == victim:
            action()  # type: ignore[operator]
        return real(submission, files, names, extra)

    monkeypatch.setattr(district_survey, "survey_files", survey_files)
    monkeypatch.setattr(intake, "_context", lambda: multiprocessing.get_context("fork"))


def _hog() -> None:
    bytearray(1 << 31)


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize(
    ("action", "code", "says"),
    [
        (os.abort, "worker-died", "SIGABRT"),  # a Rust panic that aborts: exit 134
        (lambda: time.sleep(60), "worker-timeout", "longer than 2 s"),
        (_hog, "worker-died", "more memory than allowed"),
    ],
    ids=["abort", "timeout", "memory"],
)
def test_a_submission_that_kills_its_worker_is_its_finding(
    inbox: tuple[Path, list],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    jobs: int,
    action: object,
    code: str,
    says: str,
) -> None:
    folder, plan = inbox
    victim = next(p for p in plan if not p.fault and p.as_zip)  # extracted to a temp folder first
    _patched_survey(monkeypatch, victim.submission, action)
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    start = time.monotonic()
    result = run_district(folder, tmp_path / "s.xlsx", jobs=jobs, timeout_s=2, memory_mb=1024)
    assert time.monotonic() - start < 60
    got = by_submission(result)
    lost = got[victim.submission]
    assert (lost.status, lost.codes) == ("unreadable", (code,))
    others = [o for o in result.organisations if o is not lost]
    assert len(others) == len(plan) - 1
    assert sum(1 for o in others if o.status == "ok") == sum(1 for p in plan if p.status == "ok") - 1
    problems = load_workbook(tmp_path / "s.xlsx")["ปัญหาที่พบ"]
    row = next(r for r in problems.iter_rows(values_only=True) if r[4] == code)
    assert victim.submission in row[6] and victim.submission in row[7] and says in row[7]
    assert list(temp.iterdir()) == []


@pytest.fixture
def short_temp() -> Iterator[Path]:
    """A temporary folder for a command's TMPDIR, short enough for forkserver's socket path
    (pytest's own folders are long, longer still under pytest-xdist: the command would then
    use spawn, see test_regression_a_long_temporary_folder_still_runs_workers)."""
    folder = Path(tempfile.mkdtemp(prefix="itad-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_far_corner_workbook_never_stops_the_intake(tmp_path: Path, short_temp: Path) -> None:
    """The real thing, through the real CLI (forkserver workers): one cell at XFD1048576 made
    a reader ask for 549 GB and abort (exit 134) — now it is that organisation's problem."""
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES / "phon_sai_2568", inbox / "phon_sai")
    far = Workbook()
    far.active.title = "ข้อมูลหน่วยงาน"  # a sheet the reader reads
    far.active["A1"], far.active["XFD1048576"] = "x", "far"
    (inbox / "far").mkdir()
    far.save(inbox / "far" / "สำนักปลัด.xlsx")
    with zipfile.ZipFile(inbox / "farzip.zip", "w") as zf:
        zf.write(inbox / "far" / "สำนักปลัด.xlsx", "กองคลัง.xlsx")
    temp = short_temp
    for jobs in ("1", "2"):
        out = tmp_path / f"s{jobs}.xlsx"
        proc = subprocess.run(
            [sys.executable, "-m", "compiler.cli", "district", str(inbox), "-o", str(out), "-j", jobs],
            capture_output=True,
            timeout=120,
            env={**os.environ, "TMPDIR": str(temp)},
            check=False,
        )
        text = (proc.stdout + proc.stderr).decode()
        assert proc.returncode == 1, text
        assert "Traceback" not in text and "panicked" not in text and "backtrace" not in text
        assert out.exists()
        rows = list(load_workbook(out)["สรุปรายหน่วยงาน"].iter_rows(values_only=True))
        head = [str(h).split("\n")[-1] for h in rows[0]]
        summary = {r[head.index("Submission")]: r[head.index("Status")] for r in rows[1:]}
        assert summary["phon_sai"].endswith(("ok", "warnings"))
        assert summary["far"].endswith(("errors", "unreadable")) and summary["farzip.zip"].endswith(
            ("errors", "unreadable")
        )
        assert list(temp.iterdir()) == []


def test_regression_a_long_temporary_folder_still_runs_workers(tmp_path: Path) -> None:
    """With TMPDIR over ~70 bytes, ``district -j 2`` stopped at once with "internal error:
    OSError: AF_UNIX path too long": forkserver's socket lives in the temporary folder (found
    when pytest-xdist lengthened the tests' folders). It now starts its workers with spawn."""
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES / "phon_sai_2568", inbox / "phon_sai")
    temp = tmp_path / ("t" * 80)
    temp.mkdir()
    out = tmp_path / "s.xlsx"
    proc = subprocess.run(
        [sys.executable, "-m", "compiler.cli", "district", str(inbox), "-o", str(out), "-j", "2"],
        capture_output=True,
        timeout=120,
        env={**os.environ, "TMPDIR": str(temp)},
        check=False,
    )
    text = (proc.stdout + proc.stderr).decode()
    assert proc.returncode in (0, 1) and "internal error" not in text, text
    assert out.exists() and list(temp.iterdir()) == []


def test_regression_workers_import_this_package_not_one_in_the_current_folder(tmp_path: Path, short_temp: Path) -> None:
    """Python 3.11's forkserver ignores the path it is sent and starts with the current folder
    first: run from a folder holding a ``compiler/`` package, the workers imported that one
    ("internal error: EOFError"), or another checkout's code without a word."""
    here = tmp_path / "here"
    (here / "compiler").mkdir(parents=True)
    (here / "compiler" / "__init__.py").write_text('raise SystemExit("the wrong compiler package")\n')
    out = tmp_path / "s.xlsx"
    command = Path(sys.executable).with_name("ita-report")  # the installed command, as users run it
    if not command.exists():
        pytest.skip("the ita-report command is not installed beside this Python")
    proc = subprocess.run(
        # (not ``python -P -m``: -P is handed on to the forkserver, which then does not look
        # in the current folder either)
        [str(command), "district", str(SAMPLES), "-o", str(out), "-j", "2", "--no-cache"],
        capture_output=True,
        timeout=120,
        cwd=here,
        env={**os.environ, "TMPDIR": str(short_temp)},
        check=False,
    )
    text = (proc.stdout + proc.stderr).decode()
    assert proc.returncode == 0 and "internal error" not in text and "wrong compiler" not in text, text
    assert out.exists()


# --- stopping ---------------------------------------------------------------------------------
_SLOW = """
import os, time
def survey_slowly(task):
    open(os.path.join(os.path.dirname(__file__), f"busy-{os.getpid()}"), "w").close()
    time.sleep(120)
"""
_RUN_SLOW = """
import sys
sys.path.insert(0, sys.argv.pop(1))
import slow
from compiler.district import intake
intake._survey_packed = slow.survey_slowly  # pickled by name: forkserver workers import it
from compiler.cli import main
main(prog_name="ita-report")
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
@pytest.mark.parametrize("start", ["forkserver", "spawn"])
def test_ctrl_c_and_sigterm_end_in_one_line(
    tmp_path: Path, short_temp: Path, sig: signal.Signals, code: int, start: str
) -> None:
    """Both ways workers start: forkserver, and spawn (a temporary folder too long for
    forkserver's socket; and the only way on Windows)."""
    inbox = tmp_path / "inbox"
    for n in range(4):
        shutil.copytree(SAMPLES / "phon_sai_2568", inbox / f"org{n}")
    (tmp_path / "slow.py").write_text(_SLOW)
    temp = short_temp
    if start == "spawn":
        temp = short_temp / ("t" * 80)
        temp.mkdir()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _RUN_SLOW,
            str(tmp_path),
            "district",
            str(inbox),
            "-o",
            str(tmp_path / "s.xlsx"),
            "-j",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "TMPDIR": str(temp)},
        start_new_session=True,  # its own process group, as a terminal gives a command
    )
    deadline = time.monotonic() + 60
    # both workers busy: each has taken its task (a loaded machine may take seconds to start them)
    while len(list(tmp_path.glob("busy-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.2)
    # one thread: a signal the main thread holds would otherwise go to another one (tqdm's
    # monitor thread could take a Ctrl-C and ignore it, leaving the command waiting)
    assert os.listdir(f"/proc/{proc.pid}/task") == [str(proc.pid)]
    helpers = [pid for pid in _group_pids(proc.pid) if pid != proc.pid]  # forkserver, tracker, workers
    assert len(helpers) >= 3 and all(_ignores_sigint(pid) for pid in helpers), helpers
    started = _group(proc.pid)
    assert any(f"{start}_main" in line or f"multiprocessing.{start}" in line for line in started), started
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)  # Ctrl-C reaches every process of the terminal's group
    else:
        proc.send_signal(sig)  # `kill PID`, as a service manager does
    out, err = proc.communicate(timeout=30)
    text = (out + err).decode()
    assert proc.returncode == code, text
    assert len(err.decode().splitlines()) == 1 and "Traceback" not in text and "leaked" not in text, text
    assert not (tmp_path / "s.xlsx").exists()
    assert list(temp.iterdir()) == []
    assert _group_gone(proc.pid), _group(proc.pid)  # no worker outlives the command


def _group_pids(pgid: int) -> list[int]:
    """The processes in group ``pgid`` (Linux)."""
    out = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(status.read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                out.append(int(status.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return out


def _ignores_sigint(pid: int) -> bool:
    """Whether process ``pid`` ignores SIGINT from its start (its SigIgn mask, Linux)."""
    try:
        line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("SigIgn:"))
    except (OSError, StopIteration):
        return True  # gone meanwhile
    return bool(int(line.split()[1], 16) & (1 << (signal.SIGINT - 1)))


def _group(pgid: int) -> list[str]:
    """The command lines of the processes in group ``pgid`` (Linux)."""
    out = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(status.read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                out.append((status.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, IndexError, ValueError):
            continue
    return out


def _group_gone(pgid: int, within: float = 10) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


# --- only regular files -----------------------------------------------------------------------
@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and symbolic links")
def test_pipes_devices_and_links_are_never_read(tmp_path: Path) -> None:
    """A FIFO named like a submission hung the intake; links were followed out of the inbox
    and, inside a submission, into itself."""
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES / "phon_sai_2568", inbox / "phon_sai")
    outside = tmp_path / "elsewhere"
    shutil.copytree(SAMPLES / "ban_tom_2565", outside)
    os.mkfifo(inbox / "fifo.xlsx")
    os.mkfifo(inbox / "fifo.zip")
    (inbox / "zero.xlsx").symlink_to("/dev/zero")
    (inbox / "linked").symlink_to(outside, target_is_directory=True)
    os.mkfifo(inbox / "phon_sai" / "pipe.xlsx")
    (inbox / "phon_sai" / "loop").symlink_to(inbox / "phon_sai", target_is_directory=True)
    (inbox / "phon_sai" / "outside.xlsx").symlink_to(outside / "สำนักปลัด.xlsx")
    start = time.monotonic()
    result = run_district(inbox, tmp_path / "s.xlsx", jobs=2)
    assert time.monotonic() - start < 60
    got = by_submission(result)
    for name in ("fifo.xlsx", "fifo.zip", "zero.xlsx", "linked"):
        assert (got[name].status, got[name].codes) == ("unreadable", ("unreadable-file",)), name
    phon_sai = got["phon_sai"]
    assert phon_sai.status in ("ok", "warnings") and phon_sai.files == len(
        list((SAMPLES / "phon_sai_2568").glob("*.xlsx"))
    )
    assert "บ้านต๋อม" not in phon_sai.name


def test_the_summary_never_replaces_its_expect_list(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES / "phon_sai_2568", inbox / "phon_sai")
    listed = expect_workbook(tmp_path / "list.xlsx", [["ชื่อหน่วยงาน"], ["เทศบาลตำบลโพนทราย"]])
    before = listed.read_bytes()
    with pytest.raises(UsageError):
        run_district(inbox, listed, expect=listed, force=True)
    assert listed.read_bytes() == before


def test_jobs_are_capped_at_the_cores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """-j 200 on 2 cores started 203 processes."""
    from compiler import workers

    inbox = tmp_path / "inbox"
    for n in range(5):
        shutil.copytree(SAMPLES / "phon_sai_2568", inbox / f"org{n}")
    started: list[int] = []
    real = workers._Slot.__init__

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        started.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(workers, "cores", lambda: 2)
    monkeypatch.setattr(workers._Slot, "__init__", counted)
    result = run_district(inbox, tmp_path / "s.xlsx", jobs=200)
    assert len(started) == 2  # five copies of one organisation: the latest counts, four superseded
    assert len(result.organisations) + len(result.superseded) == 5
    assert result.notes == (
        "ใช้ 2 กระบวนการตามจำนวนแกนประมวลผลของเครื่อง (ขอ -j 200) / -j 200 capped at the 2 core(s) of this machine",
    )
