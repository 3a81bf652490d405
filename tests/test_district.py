"""The district intake on a small inbox made by tools/make_inbox.py: every organisation
listed, every broken one reported with its reason, counts right, in parallel or not."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import Workbook

from compiler.cli import main
from compiler.district import intake
from compiler.district import memo as district_memo
from compiler.district.expect import name_key, not_sent, read_expect_list
from compiler.district.intake import run_district, submission_name, survey, thai_order
from compiler.district.model import DistrictResult, OrganisationSummary
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
    real = intake.check_files

    def flaky(files, names=None, groups=None):  # type: ignore[no-untyped-def]
        if groups and groups[0] == victim.submission:
            raise RuntimeError("boom")
        return real(files, names, groups)

    monkeypatch.setattr(intake, "check_files", flaky)
    result = run_district(folder, tmp_path / "s.xlsx", jobs=1)
    got = by_submission(result)
    assert got[victim.submission].status == "unreadable" and got[victim.submission].codes == ("internal-error",)
    assert sum(1 for o in result.organisations if o.status == "ok") == sum(1 for p in plan if p.status == "ok") - 1


def test_duplicate_submissions_are_warned(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES / "phon_sai_2568", inbox / "phon_sai")
    shutil.copytree(SAMPLES / "phon_sai_2568", inbox / "phon_sai_again")
    result = run_district(inbox, tmp_path / "s.xlsx", jobs=1)
    assert all("duplicate-submission" in o.codes for o in result.organisations)


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


# --- the memo ---------------------------------------------------------------------------------
def test_memo_to_the_district_chief(ran: DistrictResult, tmp_path: Path) -> None:
    from compiler.documents.render import render_document

    doc, office = district_memo.memo_document(ran, summary_name="summary.xlsx")
    assert doc.to.startswith("นายอำเภอ") and office.name.startswith("สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอ")
    path, _ = render_document(doc, office, tmp_path / "memo.docx")
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "บันทึกข้อความ" in text and "เรียน  นายอำเภอ" in text
    assert f"ได้รับรายงานจากองค์กรปกครองส่วนท้องถิ่น {thai_digits(len(ran.organisations))} แห่ง" in text
    assert f"ครบถ้วน {thai_digits(ran.count('ok'))} แห่ง" in text
    assert "จึงเรียนมาเพื่อโปรดทราบ" in text


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
