"""The web app in a real browser (Playwright driving Debian's chromium), one test per scenario
of the issue. Each saves a screenshot of the page it ends on under ``docs/img/web_*.png``.

Playwright drives ``/usr/bin/chromium`` (``browsertools``: skipped, saying so, only when it is
not installed outside CI).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import browsertools
import docx
import openpyxl
import pytest
from browsertools import SHOTS, XLSX
from starlette.testclient import TestClient
from webtools import DETAILS, PASSWORD, random_bytes, sample, set_up, with_mistake, zip_bomb

from compiler.web import background_server, create_app

pytestmark = browsertools.needs_chromium
sync_api = browsertools.sync_api
shot = browsertools.shot
DEPARTMENTS = ("สำนักปลัด", "กองคลัง", "กองช่าง", "กองการศึกษา")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A running server whose workspace is set up: (base URL, department name → link path)."""
    app = create_app(tmp_path_factory.mktemp("web") / "data")
    links = set_up(TestClient(app, client=("127.0.0.1", 50000)), departments=DEPARTMENTS)
    with background_server(app) as url:
        yield url, links


@pytest.fixture
def page(web_browser):
    page = browsertools.new_page(web_browser)
    yield page
    page.context.close()


def send(page, url: str, name: str, data: bytes) -> None:  # type: ignore[no-untyped-def]
    browsertools.send(page, url, "workbook", [(name, data)])


def sign_in(page, base: str) -> None:  # type: ignore[no-untyped-def]
    browsertools.sign_in(page, base, "/admin")


def test_first_start_sets_the_password_and_the_departments(page, tmp_path):
    with background_server(create_app(tmp_path / "data")) as base:
        page.goto(base)
        assert page.url == f"{base}/setup"
        assert page.locator("html").get_attribute("lang") == "th"
        for key, value in DETAILS.items():
            page.fill(f"input[name={key}]", value)
        page.fill("textarea[name=other_departments]", "กองสาธารณสุขและสิ่งแวดล้อม")
        page.fill("input[name=password]", PASSWORD)
        page.fill("input[name=password2]", PASSWORD)
        shot(page, "setup")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/admin")
        rows = page.locator("table.departments tbody tr")
        assert rows.count() == 4  # the three ticked by default and the one typed
        assert "ส่งแล้ว 0 จาก 4" in page.inner_text(".summary")


def test_department_sees_its_mistake_at_the_cell_fixes_it_and_sends_again(page, site):
    base, links = site
    link = f"{base}{links['กองคลัง']}"
    page.goto(link)
    with page.expect_download() as form:
        page.click("text=ดาวน์โหลดแบบฟอร์ม")
    assert form.value.suggested_filename == "กองคลัง.xlsx"
    info = openpyxl.load_workbook(io.BytesIO(Path(form.value.path()).read_bytes()))["ข้อมูลหน่วยงาน"]
    assert DETAILS["organisation"] in [c.value for row in info.iter_rows() for c in row]
    shot(page, "department")

    send(page, link, "กองคลัง.xlsx", with_mistake(sample("กองคลัง")))
    row = page.locator("table.findings tbody tr")
    assert row.count() == 1
    assert row.locator(".cell").inner_text() == "G5" and row.locator(".sheet").inner_text() == "มาตรการ"
    assert "missing-value" in row.inner_text()
    with page.expect_download() as marked:
        page.click("#result a.button")
    annotated = openpyxl.load_workbook(io.BytesIO(Path(marked.value.path()).read_bytes()))["มาตรการ"]
    assert annotated["G5"].comment is not None
    shot(page, "findings")

    send(page, link, "กองคลัง แก้แล้ว.xlsx", sample("กองคลัง"))
    assert "ไม่พบปัญหา" in page.inner_text("#result")
    history = page.locator("#history tbody tr")
    assert history.count() == 2  # the first upload is kept
    assert "มีข้อผิดพลาด" in history.nth(1).inner_text()
    shot(page, "fixed")


def test_secretary_builds_the_report_and_downloads_it(page, site, tmp_path):
    base, links = site
    for name in ("สำนักปลัด", "กองคลัง", "กองช่าง"):
        send(page, f"{base}{links[name]}", f"{name}.xlsx", sample(name))
    sign_in(page, base)
    assert "ส่งแล้ว" in page.inner_text(".summary")
    copy = page.locator("table.departments button.copy").first
    copy.click()  # the progressive enhancement: a copy button beside each link
    sync_api.expect(copy).to_have_text("คัดลอกแล้ว ✓")
    shot(page, "overview")
    page.click("table.departments a >> text=กองคลัง")
    assert page.locator("#history tbody tr").count() >= 1 and links["กองคลัง"] in page.input_value("input.link-box")
    shot(page, "secretary_department")
    page.goto(f"{base}/admin")
    page.click("#build button[type=submit]")
    page.wait_for_url(f"{base}/admin/builds/*")
    if page.locator("progress").count():  # still working (the page refreshes itself every 2 s)
        shot(page, "build_progress")
    page.wait_for_selector("text=ดาวน์โหลดทั้งหมด", timeout=240_000)
    assert "เสร็จแล้ว" in page.inner_text("main")
    with page.expect_download() as report:
        page.click("ul.files a >> text=รายงานผล.docx")
    report.value.save_as(tmp_path / "รายงานผล.docx")  # where the real reader (LibreOffice) opens it too
    text = "\n".join(p.text for p in docx.Document(tmp_path / "รายงานผล.docx").paragraphs)
    text = text.replace("\u200b", "").replace("\u2060", "")  # without the line-break hints
    assert DETAILS["organisation"] in text and "รายงานผล" in text
    with page.expect_download() as bundle:
        page.click("text=ดาวน์โหลดทั้งหมด")
    with zipfile.ZipFile(bundle.value.path()) as bundled:
        names = bundled.namelist()
        bundled.extractall(tmp_path / "all")  # where the real reader opens every document too
    assert "รายงานผล.docx" in names and "ประกาศมาตรการ.docx" in names
    if "รายงานผล.pdf" in names:  # LibreOffice is installed: the PDF and a picture of page 1
        assert page.locator("figure.preview img").evaluate("img => img.naturalWidth") > 100
    assert "กองการศึกษา" in page.inner_text(".warn-box")  # never sent: named as left out
    shot(page, "build_done")


def test_one_department_s_link_cannot_see_another_s_submission(page, site):
    base, links = site
    send(page, f"{base}{links['กองช่าง']}", "ของกองช่าง.xlsx", sample("กองช่าง"))
    own = page.url  # …/d/<token of กองช่าง>/uploads/<id>
    upload_id = own.rsplit("/", 1)[1]
    page.goto(f"{base}{links['กองการศึกษา']}/uploads/{upload_id}")
    assert "ไม่พบหน้านี้" in page.inner_text("main")
    shot(page, "other_department")
    page.goto(f"{base}{links['กองการศึกษา']}")
    assert "ของกองช่าง.xlsx" not in page.content()
    page.goto(f"{base}/admin")
    assert page.url.endswith("/login")  # a department's link does not open the secretary's pages


def test_a_post_without_the_csrf_token_is_refused(page, site):
    base, links = site
    page.goto(f"{base}{links['กองการศึกษา']}")
    page.set_input_files(
        "input[name=workbook]", files=[{"name": "x.xlsx", "mimeType": XLSX, "buffer": sample("กองคลัง")}]
    )
    page.evaluate("document.querySelector('form.upload input[name=csrf]').remove()")
    page.click("form.upload button[type=submit]")
    assert "ฟอร์มหมดอายุหรือไม่ถูกต้อง" in page.inner_text("main")
    shot(page, "csrf_refused")
    page.goto(f"{base}{links['กองการศึกษา']}")
    assert "x.xlsx" not in page.inner_text("#history")


def test_a_wrong_password_is_refused(page, site):
    base, _ = site
    page.goto(f"{base}/login")
    page.fill("input[name=password]", "ไม่ใช่รหัสผ่าน")
    page.click("form button[type=submit]")
    assert "รหัสผ่านไม่ถูกต้อง" in page.inner_text("[role=alert]")
    shot(page, "wrong_password")
    page.goto(f"{base}/admin")
    assert page.url.endswith("/login")


@pytest.mark.parametrize(
    ("name", "make", "code"), [("สุ่ม.xlsx", random_bytes, "not-a-workbook"), ("bomb.xlsx", zip_bomb, "zip-bomb")]
)
def test_a_hostile_upload_gets_a_clear_message_and_the_server_keeps_serving(page, site, name, make, code):
    base, links = site
    link = f"{base}{links['กองการศึกษา']}"
    send(page, link, name, make())
    result = page.inner_text("#result")
    assert code in result and "มีข้อผิดพลาด" in result
    shot(page, f"hostile_{code.replace('-', '_')}")
    send(page, link, "ok.xlsx", sample("กองคลัง"))
    assert "ไม่พบปัญหา" in page.inner_text("#result")


PLAN = (
    ("1", "มาตรการเปิดเผยข้อมูลการเงินการคลัง", "ประกาศงบการเงินทางเว็บไซต์ทุกเดือน", "กองคลัง", "ต.ค. 2567 - ก.ย. 2568", "5000"),
    ("2", "มาตรการตรวจรับงานก่อสร้างอย่างโปร่งใส", "ตรวจรับต่อหน้าคณะกรรมการ", "กองช่าง", "ปีงบประมาณ 2568", ""),
)


def test_the_secretary_types_a_plan_and_each_department_reports_its_own_row(page, tmp_path):
    """The plan typed on the page (two rows, two departments); กองคลัง's form holds its row
    only; filled and sent, the report holds the plan's text with its result."""
    details = {**DETAILS, "executive": "นายอุดม วงบุตดา", "executive_position": "นายกเทศมนตรีตำบลโพนทราย"}
    app = create_app(tmp_path / "data")
    links = set_up(TestClient(app, client=("127.0.0.1", 50000)), departments=("กองคลัง", "กองช่าง"), details=details)
    with background_server(app) as base:
        sign_in(page, base)
        page.click("#plan a.button")
        page.wait_for_url(f"{base}/admin/plan")
        rows = page.locator("table.plan tbody tr")
        for i, (number, title, method, who, period, budget) in enumerate(PLAN):
            row = rows.nth(i)
            row.locator("input[name=number]").fill(number)
            row.locator("input[name=indicator]").fill("o10" if i == 0 else "")
            row.locator("textarea[name=title]").fill(title)
            row.locator("textarea[name=method]").fill(method)
            row.locator("select[name=responsible]").select_option(who)
            row.locator("textarea[name=period]").fill(period)
            row.locator("input[name=budget]").fill(budget)
        page.click("button[value=save]")
        page.wait_for_url(f"{base}/admin/plan?saved=1")
        assert "บันทึกแผนมาตรการแล้ว" in page.inner_text("[role=status]")
        assert page.locator("table.plan tbody tr").nth(1).locator("select").input_value() == "กองช่าง"
        shot(page, "plan")

        page.goto(f"{base}{links['กองคลัง']}")
        with page.expect_download() as form:
            page.click("text=ดาวน์โหลดแบบฟอร์ม")
        wb = openpyxl.load_workbook(io.BytesIO(Path(form.value.path()).read_bytes()))
        measures = [r for r in wb["มาตรการ"].iter_rows(min_row=3, max_row=20, values_only=True) if any(r)]
        assert [(r[0], r[2], r[4]) for r in measures] == [(1, PLAN[0][1], "กองคลัง")]  # its own row only
        wb["มาตรการ"]["G3"] = "ประกาศงบการเงินครบ 12 เดือน"
        filled = io.BytesIO()
        wb.save(filled)
        send(page, f"{base}{links['กองคลัง']}", "กองคลัง.xlsx", filled.getvalue())
        assert "ไม่พบปัญหา" in page.inner_text("#result"), page.inner_text("#result")

        page.goto(f"{base}/admin")
        assert "plan-not-reported" in page.inner_text("#plan") and PLAN[1][1] in page.inner_text("#plan")
        page.click("#build button[type=submit]")
        page.wait_for_url(f"{base}/admin/builds/*")
        page.wait_for_selector("text=ดาวน์โหลดทั้งหมด", timeout=240_000)
        with page.expect_download() as report:
            page.click("ul.files a >> text=รายงานผล.docx")
        report.value.save_as(tmp_path / "รายงานผล.docx")  # where the real reader (LibreOffice) opens it too
        document = docx.Document(tmp_path / "รายงานผล.docx")
        cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
        cells = cells.replace("\u200b", "").replace("\u2060", "")  # without the line-break hints
        assert PLAN[0][1] in cells and PLAN[0][2] in cells and "ประกาศงบการเงินครบ ๑๒ เดือน" in cells
        assert PLAN[1][1] in cells  # the plan measure nobody reported is listed, without results


def test_screenshots_are_readable_pngs():
    """Runs last in this module: every scenario above left its picture."""
    for name in (
        "setup",
        "department",
        "findings",
        "fixed",
        "overview",
        "build_done",
        "other_department",
        "csrf_refused",
        "wrong_password",
        "hostile_not_a_workbook",
        "hostile_zip_bomb",
        "plan",
    ):
        data = (SHOTS / f"web_{name}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000, name


def test_the_pages_work_without_javascript(web_browser, site):
    base, links = site
    context = web_browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 860})
    try:
        page = context.new_page()
        send(page, f"{base}{links['กองช่าง']}", "ไม่มีสคริปต์.xlsx", sample("กองช่าง"))
        assert "ไม่พบปัญหา" in page.inner_text("#result")
        sign_in(page, base)
        assert page.locator("button.copy").count() == 0 and page.locator("input.link-box").count() == 4
    finally:
        context.close()
