"""``ita-report``: a thin click layer over ``compiler.api``.

Only this module imports click and prints. Every ``CompilerError`` becomes a Thai and
English message and its exit code here; anything unexpected becomes a one-line internal
error (exit 3), never a traceback.
"""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from compiler import api
from compiler.errors import CompilerError, UsageError
from compiler.model import Finding, Severity
from compiler.safeio import printable, printable_json
from compiler.workbook import standard

F = TypeVar("F", bound=Callable[..., Any])
EXIT_INTERNAL = 3


def _echo(text: str = "", err: bool = False) -> None:
    """Print ``text``: every name in it comes from a file system or a workbook, so no control
    character in it reaches the terminal (an ESC in a file name would recolour or rewrite it)."""
    click.echo(printable(text), err=err)


def _styled(*parts: str | tuple[str, str]) -> str:
    """A line of plain parts (cleaned now) and ``(text, colour)`` parts styled after cleaning;
    print it with ``_echo_styled``."""
    return "".join(printable(p) if isinstance(p, str) else click.style(printable(p[0]), fg=p[1]) for p in parts)


def _echo_styled(line: str, err: bool = False) -> None:
    click.echo(line, err=err)


class Terminated(BaseException):
    """SIGTERM arrived: raised where the program is, so that every ``finally`` runs (workers
    end, temporary files go) as for Ctrl-C; not an ``Exception``, so nothing swallows it."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated


def _guard(func: F) -> F:
    """Run a command; turn errors, Ctrl-C (exit 130) and SIGTERM (exit 143) into one message
    and an exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            previous = signal.signal(signal.SIGTERM, _on_sigterm)
        except ValueError:  # not the main thread: the default (end at once) stays
            previous = None
        try:
            return func(*args, **kwargs)
        except CompilerError as exc:
            _echo(f"ผิดพลาด: {exc.prefix}{exc.message_th}", err=True)
            _echo(f"error: {exc.prefix}{exc.message_en}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            _echo("ยกเลิกแล้ว (Ctrl-C) / interrupted", err=True)
            sys.exit(130)
        except Terminated:
            _echo("หยุดทำงานตามคำสั่ง (SIGTERM) / terminated", err=True)
            sys.exit(143)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except Exception as exc:  # the last line of defence: no traceback for a clerk
            _echo(f"ข้อผิดพลาดภายในโปรแกรม กรุณาแจ้งผู้ดูแล / internal error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(EXIT_INTERNAL)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    return wrapper  # type: ignore[return-value]


def _sort_key(f: Finding) -> tuple[str, str, int, str]:
    digits = "".join(ch for ch in f.cell if ch.isdigit())
    return (f.file, f.sheet, int(digits) if digits.isdigit() else 0, f.cell)


def print_findings(findings: Sequence[Finding], err: bool = False) -> None:
    """Each finding as ``file › sheet › cell  ระดับ [code]`` then its Thai and English lines."""
    for f in sorted(findings, key=_sort_key):
        label = "ผิดพลาด/error" if f.severity is Severity.ERROR else "คำเตือน/warning"
        colour = "red" if f.severity is Severity.ERROR else "yellow"
        _echo_styled(_styled(f"{f.where or '-'}  ", (label, colour), f" [{f.code}]"), err=err)
        _echo(f"    {f.message_th}", err=err)
        _echo(f"    {f.message_en}", err=err)


def _summary(findings: Sequence[Finding], files: int) -> str:
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = len(findings) - errors
    return (
        f"ตรวจ {files} ไฟล์: ผิดพลาด {errors} รายการ คำเตือน {warnings} รายการ"
        f" / checked {files} file(s): {errors} error(s), {warnings} warning(s)"
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ita-report")
def main() -> None:
    """ita-report: แบบรายงานมาตรการส่งเสริมคุณธรรมและความโปร่งใส (ITA) จาก Excel เป็น Word."""
    # Errors inside half-finished library generators (openpyxl's spooled writers after a full
    # disk) would be printed as "Exception ignored … Traceback" at exit; the error itself has
    # already been reported as a message, so that noise is not shown to a clerk.
    sys.unraisablehook = lambda _unraisable: None
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):
                pass


@contextmanager
def _progress_bar(enabled: bool | None, *, unit: str, desc: str) -> Iterator[Callable[[int, int, str], None]]:
    """A tqdm bar on stderr (``None``: only on a terminal) driven by the library's
    ``progress(done, total, what)`` callbacks.

    Without tqdm's monitor thread (it only fixes bars that stall): the command keeps one
    thread, so a Ctrl-C reaches the main thread, or waits where that thread holds it
    (:mod:`compiler.workers`), instead of going to the monitor while the main thread waits."""
    from tqdm import tqdm

    tqdm.monitor_interval = 0
    show = sys.stderr.isatty() if enabled is None else enabled
    bar = tqdm(total=0, disable=not show, file=sys.stderr, unit=unit, desc=desc, leave=False, dynamic_ncols=True)

    def advance(done: int, total: int, what: str) -> None:
        if bar.total != total:
            bar.total = total
            bar.refresh()
        bar.update(done - bar.n)

    try:
        yield advance
    finally:
        bar.close()


@main.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for programs",
)
@click.option(
    "--annotate",
    "annotate_dir",
    type=click.Path(path_type=Path),
    help="write a copy of each workbook with problem cells highlighted into this folder",
)
@click.option("--force", is_flag=True, help="overwrite existing annotated copies")
@_guard
def check_cmd(paths: tuple[Path, ...], fmt: str, annotate_dir: Path | None, force: bool) -> None:
    """ตรวจแบบฟอร์ม: check department workbooks (files or folders)."""
    result = api.check(paths)
    written = api.annotate(result, annotate_dir, force=force) if annotate_dir else []
    if fmt == "json":
        from compiler.inmemory import to_json

        payload = to_json(result)
        for entry, wb in zip(payload["files"], result.workbooks):
            entry["path"] = wb.path
        payload["annotated"] = [str(p) for p in written]
        _echo_styled(printable_json(json.dumps(payload, ensure_ascii=False, indent=2)))
    else:
        print_findings(result.findings)
        for wb in result.workbooks:
            if not any(f.file == wb.file for f in result.findings):
                what = (
                    f"แผนมาตรการ {len(wb.plan)} มาตรการ / plan of {len(wb.plan)} measures"
                    if wb.is_plan
                    else (f"{len(wb.measures)} มาตรการ / measures")
                )
                _echo_styled(_styled(f"{wb.file}  ", ("ผ่าน/ok", "green"), f"  ({what})"))
        for p in written:
            _echo(f"เขียนไฟล์ที่ทำเครื่องหมายแล้ว / annotated copy: {p}")
        _echo(_summary(result.findings, len(result.workbooks)))
    sys.exit(1 if result.errors else 0)


@main.command("init")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="the .xlsx to write, or a folder when several departments are given",
)
@click.option(
    "--department",
    "departments",
    multiple=True,
    help="department that fills this copy (repeat for one copy each); 'all' for the standard list",
)
@click.option(
    "--from",
    "from_file",
    type=click.Path(path_type=Path),
    help="take the organisation's details from this already filled workbook",
)
@click.option("--organisation", default="", help="ชื่อหน่วยงาน, e.g. เทศบาลตำบลบ้านต๋อม")
@click.option("--district", default="", help="อำเภอ")
@click.option("--province", default="", help="จังหวัด")
@click.option("--year", "fiscal_year", default="", help="ปีงบประมาณ (BE), e.g. 2565")
@click.option("--executive", default="", help="ผู้บริหาร")
@click.option("--position", "executive_position", default="", help="ตำแหน่งผู้บริหาร")
@click.option("--score", default="", help="คะแนน ITA")
@click.option(
    "--plan",
    "plan",
    type=click.Path(path_type=Path),
    help="the measures plan (a workbook with a แผนมาตรการ sheet): each department's form holds its rows, locked",
)
@click.option(
    "--blank-plan",
    "blank_plan",
    type=click.Path(path_type=Path),
    help="write a blank measures plan workbook (the format --plan reads) to this .xlsx",
)
@click.option("--force", is_flag=True, help="overwrite existing files")
@_guard
def init_cmd(
    output: Path | None,
    departments: tuple[str, ...],
    from_file: Path | None,
    plan: Path | None,
    blank_plan: Path | None,
    force: bool,
    **given: str,
) -> None:
    """สร้างแบบฟอร์มเปล่า: write the blank standard workbook (one per department)."""
    from compiler.workbook.form import OrganisationDetails

    if (output is None) == (blank_plan is None) or (blank_plan is not None and plan is not None):
        raise UsageError(
            "ระบุ -o (แบบฟอร์ม) หรือ --blank-plan (แผนมาตรการเปล่า) อย่างใดอย่างหนึ่ง",
            "give either -o (the forms) or --blank-plan (a blank measures plan), not both or neither",
        )

    details: OrganisationDetails | None = None
    if from_file is not None:
        checked = api.check([from_file])
        wb = checked.workbooks[0] if checked.workbooks else None
        if wb is None or not wb.info:
            print_findings(checked.findings, err=True)
            raise UsageError(
                f"อ่านข้อมูลหน่วยงานจาก {from_file} ไม่ได้", f"cannot read the organisation's details from {from_file}"
            )
        details = OrganisationDetails.from_workbook(wb)
    if any(given.values()):
        base = details.__dict__ if details else {}
        details = OrganisationDetails(**{**base, **{k: v for k, v in given.items() if v}})
    depts: list[str] = []
    for d in departments:
        depts.extend(standard.DEPARTMENTS if d == "all" else [d])
    if blank_plan is not None:
        path = api.init_plan(blank_plan, details=details, departments=depts, force=force)
        _echo(f"เขียนแผนมาตรการเปล่าแล้ว / wrote a blank plan {path}")
        return
    assert output is not None
    written = api.init_forms(output, departments=depts, details=details, force=force, plan=plan)
    for p in written:
        _echo(f"เขียนแบบฟอร์มแล้ว / wrote {p}")


@main.command("build")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="the report .docx to write")
@click.option(
    "--layout",
    type=click.Choice(["measures", "numbered", "indicators"]),
    help="table layout (default: chosen from the data)",
)
@click.option("--digits", type=click.Choice(["thai", "arabic"]), default="thai", show_default=True)
@click.option("--template", type=click.Path(path_type=Path), help="a report template of your own (.docx)")
@click.option("--pdf", is_flag=True, help="also write a PDF of each document (needs LibreOffice)")
@click.option("--with-announcements", is_flag=True, help="also write the ประกาศ/คำสั่ง/บันทึกข้อความ beside it")
@click.option(
    "--emblem", type=click.Path(path_type=Path), help="image of the Garuda emblem (ตราครุฑ), with --with-announcements"
)
@click.option(
    "--date", "date_text", help="date of the ประกาศ of the measures, e.g. '21 มีนาคม 2565' (default: left to fill in)"
)
@click.option("--force", is_flag=True, help="replace existing output files")
@_guard
def build_cmd(
    paths: tuple[Path, ...],
    output: Path,
    layout: str | None,
    digits: str,
    template: Path | None,
    pdf: bool,
    with_announcements: bool,
    emblem: Path | None,
    date_text: str | None,
    force: bool,
) -> None:
    """รวมรายงาน: merge department workbooks into the Word report."""
    result = api.build(
        paths,
        output,
        layout=layout,
        digits=digits,
        force=force,
        pdf=pdf,
        template=template,
        with_announcements=with_announcements,
        emblem=emblem,
        date=api.parse_announcement_date(date_text),
    )
    _report_written(result, "ไม่ได้เขียนรายงาน เพราะพบข้อผิดพลาดข้างต้น / report not written: fix the errors above")


def _report_written(result: api.BuildResult, refusal: str) -> None:
    print_findings(result.findings, err=bool(result.errors))
    if result.errors:
        _echo(refusal, err=True)
        sys.exit(1)
    if result.report is not None:
        r = result.report
        _echo(
            f"{r.organisation.name}: {len(r.measures)} มาตรการ จาก {len(r.departments)} ส่วนราชการ"
            f" / {len(r.measures)} measures from {len(r.departments)} department(s), layout {r.layout}"
        )
    for p in result.written:
        _echo(f"เขียนแล้ว / wrote {p}")
    for note in result.notes:
        _echo(note)


@main.command("announce")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="folder for the documents")
@click.option("--digits", type=click.Choice(["thai", "arabic"]), default="thai", show_default=True)
@click.option("--emblem", type=click.Path(path_type=Path), help="image of the Garuda emblem (ตราครุฑ)")
@click.option(
    "--date", "date_text", help="date of the ประกาศ of the measures, e.g. '21 มีนาคม 2565' (default: left to fill in)"
)
@click.option("--pdf", is_flag=True, help="also write a PDF of every document (needs LibreOffice)")
@click.option("--force", is_flag=True, help="replace existing documents")
@_guard
def announce_cmd(
    paths: tuple[Path, ...],
    output: Path,
    digits: str,
    emblem: Path | None,
    date_text: str | None,
    pdf: bool,
    force: bool,
) -> None:
    """ประกาศ คำสั่ง บันทึกข้อความ: write the official documents."""
    result = api.announce(
        paths, output, digits=digits, force=force, emblem=emblem, date=api.parse_announcement_date(date_text), pdf=pdf
    )
    _report_written(result, "ไม่ได้เขียนเอกสาร เพราะพบข้อผิดพลาดข้างต้น / documents not written: fix the errors above")


@main.command("district")
@click.argument("inbox", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="the summary .xlsx to write")
@click.option("--docx", "memo", type=click.Path(path_type=Path), help="also write a บันทึกข้อความ to the district chief")
@click.option(
    "--expect", type=click.Path(path_type=Path), help="workbook (or .txt) listing the organisations expected to send"
)
@click.option("--emblem", type=click.Path(path_type=Path), help="image of the Garuda emblem (ตราครุฑ) for the memo")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="parallel workers (default: every core)")
@click.option("--progress/--no-progress", default=None, help="progress bar on stderr (default: on a terminal)")
@click.option("--force", is_flag=True, help="replace existing output files")
@click.option(
    "--cache/--no-cache",
    default=True,
    help="reuse the results of submissions unchanged since the last run (kept in the user cache folder,"
    " or $ITA_REPORT_CACHE; default: on)",
)
@_guard
def district_cmd(
    inbox: Path,
    output: Path,
    memo: Path | None,
    expect: Path | None,
    emblem: Path | None,
    jobs: int | None,
    progress: bool | None,
    force: bool,
    cache: bool,
) -> None:
    """สรุปการรับรายงานระดับอำเภอ: one folder or .zip per organisation in INBOX → summary workbook."""
    from compiler.district.cache import SurveyCache
    from compiler.district.intake import run_district

    with _progress_bar(progress, unit="org", desc="หน่วยงาน/organisations") as advance:
        result = run_district(
            inbox,
            output,
            docx=memo,
            expect=expect,
            jobs=jobs,
            force=force,
            progress=advance,
            emblem=emblem,
            cache=SurveyCache.open() if cache else None,
        )
    for f in result.findings:
        _echo_styled(_styled(("คำเตือน/warning", "yellow"), f" [{f.code}] {f.message_th} / {f.message_en}"))
    for o in result.superseded:
        _echo(f"{o.name} ({o.submission})  ไม่นับ: มีชุดที่ส่งภายหลัง / not counted: superseded")
    for o in result.failed:
        _echo_styled(_styled(f"{o.name} ({o.submission})  ", (o.status_text, "red"), f"  [{', '.join(o.codes)}]"))
    if result.not_sent:
        _echo(f"ยังไม่ส่ง / not sent: {', '.join(result.not_sent)}")
    counts = {k: result.count(k) for k in ("ok", "warnings", "errors", "unreadable")}
    _echo(
        f"หน่วยงาน {len(result.organisations)} แห่ง: ครบถ้วน {counts['ok']} มีคำเตือน {counts['warnings']}"
        f" มีข้อผิดพลาด {counts['errors']} อ่านไม่ได้ {counts['unreadable']}"
        f" / {len(result.organisations)} organisation(s): {counts['ok']} ok, {counts['warnings']} with warnings,"
        f" {counts['errors']} with errors, {counts['unreadable']} unreadable"
        + (f"; {len(result.not_sent)} of {result.expected} not sent" if result.expected is not None else "")
    )
    for note in result.notes:
        _echo(note)
    for p in result.written:
        _echo(f"เขียนแล้ว / wrote {p}")
    sys.exit(1 if result.failed else 0)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="0.0.0.0 serves the office network")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--data", type=click.Path(path_type=Path), help="data folder (default: the user data folder)")
@click.option("--no-browser", is_flag=True, help="do not open the browser")
@click.option("--district", is_flag=True, help="first start sets up a district (organisations upload to it)")
@_guard
def serve_cmd(host: str, port: int, data: Path | None, no_browser: bool, district: bool) -> None:
    """หน้าเว็บสำหรับส่วนราชการและเลขานุการ: the local web page (Ctrl+C stops it)."""
    from compiler.web import serve

    serve(host=host, port=port, data=data, open_browser=not no_browser, kind="district" if district else "organisation")


if __name__ == "__main__":  # pragma: no cover
    main()
