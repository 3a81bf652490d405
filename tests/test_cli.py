"""The command line: exit codes, first lines, no tracebacks."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from wbfactory import INFO, make_workbook

from compiler.cli import main
from compiler.workbook import standard


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def test_check_ok_exit_0(tmp_path):
    result = run("check", make_workbook(tmp_path / "ok.xlsx"))
    assert result.exit_code == 0
    assert result.output.splitlines()[0].startswith("ok.xlsx  ผ่าน/ok")


def test_check_errors_exit_1_with_file_sheet_cell(tmp_path):
    path = make_workbook(tmp_path / "กองคลัง.xlsx", measures=[[1, "ม", "ว", "สำนักปลัด", "", "", ""]])
    result = run("check", path)
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith("กองคลัง.xlsx › มาตรการ › F3  ผิดพลาด/error [missing-value]")


def test_check_json(tmp_path):
    path = make_workbook(tmp_path / "x.xlsx", measures=[[1, "ม", "ว", "", "", "ผล", ""]])
    result = run("check", "--format", "json", path)
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert [(f["code"], f["cell"], f["severity"]) for f in data["findings"]] == [("missing-value", "D3", "error")]
    assert data["errors"] == 1 and data["files"][0]["measures"] == 1


@pytest.mark.parametrize(
    "args",
    [
        ["check", "no/such/file.xlsx"],
        ["check"],
        ["build", "-o", "x.txt", "."],
        ["init", "-o", "x.docx"],
        ["check", "--format", "xml", "."],
    ],
)
def test_usage_problems_exit_2(tmp_path, args, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(*args).exit_code == 2


def test_init_writes_form_and_refuses_overwrite(tmp_path):
    target = tmp_path / "form.xlsx"
    assert run("init", "-o", target).exit_code == 0
    assert load_workbook(target).sheetnames[:4] == [
        standard.SHEET_INSTRUCTIONS,
        standard.SHEET_INFO,
        standard.SHEET_MEASURES,
        standard.SHEET_SCORES,
    ]
    again = run("init", "-o", target)
    assert again.exit_code == 1
    assert "--force" in again.output
    assert run("init", "-o", target, "--force").exit_code == 0


def test_init_one_locked_copy_per_department(tmp_path):
    details = make_workbook(tmp_path / "details.xlsx")
    out = tmp_path / "forms"
    result = run("init", "-o", out, "--from", details, "--department", "กองคลัง", "--department", "กองช่าง")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["กองคลัง.xlsx", "กองช่าง.xlsx"]
    ws = load_workbook(out / "กองช่าง.xlsx")[standard.SHEET_INFO]
    values = {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(1, ws.max_row + 1)}
    assert values["ชื่อหน่วยงาน"].value == INFO["organisation"]
    assert values["ส่วนราชการ"].value == "กองช่าง"
    assert values["ปีงบประมาณ"].value == "2565"
    assert ws.protection.sheet and values["ชื่อหน่วยงาน"].protection.locked
    assert values["คะแนน ITA"].protection.locked is False  # nothing given: left for the clerk


def test_init_from_options(tmp_path):
    target = tmp_path / "f.xlsx"
    result = run(
        "init", "-o", target, "--organisation", "เทศบาลตำบลโพนทราย", "--year", "2568", "--department", "กองคลัง"
    )
    assert result.exit_code == 0
    ws = load_workbook(target)[standard.SHEET_INFO]
    values = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert (values["ชื่อหน่วยงาน"], values["ปีงบประมาณ"], values["ส่วนราชการ"]) == ("เทศบาลตำบลโพนทราย", "2568", "กองคลัง")


def test_annotate_dir(tmp_path):
    path = make_workbook(tmp_path / "x.xlsx", measures=[[1, "ม", "ว", "", "", "ผล", ""]])
    result = run("check", path, "--annotate", tmp_path / "back")
    assert result.exit_code == 1
    assert (tmp_path / "back" / "x.xlsx").exists()


def test_console_script_runs_as_a_process(tmp_path):
    path = make_workbook(tmp_path / "x.xlsx")
    proc = subprocess.run([sys.executable, "-m", "compiler.cli", "check", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr


def test_check_reports_document_sheet_mistakes_at_their_cells(tmp_path):
    rows = [["ประกาศ"], ["รายการ", "ข้อความ"], ["ย่อหน้า", "ตามที่..."], ["วันที่", "31 กุมภาพันธ์ 2565"]]
    path = make_workbook(tmp_path / "x.xlsx", extra_sheets={"ประกาศ": rows})
    result = run("check", "--format", "json", path)
    assert result.exit_code == 1
    found = [(f["code"], f["sheet"], f["cell"]) for f in json.loads(result.output)["findings"]]
    assert ("missing-subject", "ประกาศ", "") in found or any(c == "missing-subject" for c, _, _ in found)
    assert ("bad-date", "ประกาศ", "B4") in found


def test_announce_with_date_and_bad_date(tmp_path):
    path = make_workbook(tmp_path / "in" / "x.xlsx")
    out = tmp_path / "docs"
    ok = run("announce", path, "-o", out, "--date", "๒๑ มีนาคม ๒๕๖๕")
    assert ok.exit_code == 0, ok.output
    assert (out / "ประกาศมาตรการ.docx").exists()
    bad = run("announce", path, "-o", out, "--date", "เมื่อวาน", "--force")
    assert bad.exit_code == 2
    assert bad.output.splitlines()[0].startswith("ผิดพลาด: --date")


@pytest.mark.skipif(sys.platform == "win32", reason="such names cannot be made on Windows")
def test_control_characters_in_file_names_never_reach_the_terminal(tmp_path: Path) -> None:
    """ESC in a file name (a title change, a terminal reset) was printed as it was."""
    inbox = tmp_path / "inbox"
    evil = "a\x1b]0;pwned\x07b\x1bc\x9b2J.xlsx"
    make_workbook(inbox / "org" / evil)
    # another organisation, with an error: listed (one organisation's two submissions would count once)
    make_workbook(inbox / evil, info={"organisation": "เทศบาลตำบลอื่น"}, measures=[[1, "ม", "ว", "", "", "", ""]])
    res = CliRunner().invoke(main, ["check", str(inbox / "org"), str(inbox / evil)])
    assert "a\\x1b]0;pwned\\x07b\\x1bc\\x9b2J.xlsx" in res.output
    res_d = CliRunner().invoke(main, ["district", str(inbox), "-o", str(tmp_path / "s.xlsx"), "-j", "1"])
    assert res_d.exit_code == 1 and "\\x1b" in res_d.output
    for text in (res.output, res_d.output):
        assert not any(ch in text for ch in "\x1b\x07\x9b"), text


def test_json_output_escapes_control_characters_and_stays_json(tmp_path: Path) -> None:
    """Found by test_properties: DEL in a sheet name, written out as \\x7f, broke the JSON."""
    from xlsxraw import write_xlsx

    evil = "a\x1b[2Jb\x7f.xlsx"
    write_xlsx(tmp_path / evil, [("x\x7fy", [["x"]])])
    res = CliRunner().invoke(main, ["check", str(tmp_path / evil), "--format", "json"])
    assert not any(ch in res.output for ch in "\x1b\x7f")
    data = json.loads(res.output)
    assert data["files"][0]["file"] == "a\\x1b[2Jb\\x7f.xlsx"  # a name is shown written out
    assert "x\x7fy" in data["findings"][0]["message_en"]  # cell text stays itself, as JSON escapes


_SLOW_IMPORT = """
import importlib.abc, os, signal, sys, threading, time

class Slow(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "compiler.cli":  # the command line takes a while to import: Ctrl-C meanwhile
            threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT)).start()
            time.sleep(30)  # the Ctrl-C ends this sleep (a loaded machine may start the timer late)
        return None

sys.meta_path.insert(0, Slow())
sys.argv = ["ita-report", "--help"]
from compiler.entry import main
main()
"""


def test_ctrl_c_while_the_command_line_is_still_importing_says_one_line() -> None:
    proc = subprocess.run([sys.executable, "-c", _SLOW_IMPORT], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 130
    assert proc.stderr == "ยกเลิกแล้ว (Ctrl-C) / interrupted\n"
    assert proc.stdout == ""


@pytest.mark.not_a_document("the existing report.docx is five bytes the build must leave alone")
def test_a_usage_error_names_the_file_once(tmp_path: Path) -> None:
    """``x.docx: x.docx already exists`` said the file twice: the place is put before the
    message only when the message does not name it."""
    root = Path(__file__).resolve().parents[1]
    target = tmp_path / "report.docx"
    target.write_bytes(b"kept")
    result = CliRunner().invoke(main, ["build", str(root / "sample_workbooks" / "phon_sai_2568"), "-o", str(target)])
    assert result.exit_code == 1 and target.read_bytes() == b"kept"
    lines = [line for line in result.output.splitlines() if line.startswith(("ผิดพลาด:", "error:"))]
    assert len(lines) == 2 and all(line.count(str(target)) == 1 for line in lines), result.output
    assert "already exists" in lines[1] and "อยู่แล้ว" in lines[0]
