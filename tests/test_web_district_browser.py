"""The district's workspace in a real browser (Playwright driving Debian's chromium): three
organisations (one sends a good zip, one a broken workbook then the fixed ones, one never
sends). Screenshots go to ``docs/img/web_district_*.png``."""

from __future__ import annotations

import io
from pathlib import Path

import browsertools
import docx
import openpyxl
import pytest
from click.testing import CliRunner
from districttools import (
    DISTRICT,
    FIXED,
    GOOD,
    ORGANISATIONS,
    SILENT,
    broken_workbooks,
    district_links,
    fixed_workbooks,
    good_zip,
)
from webtools import PASSWORD

from compiler.cli import main
from compiler.web import background_server, create_app

pytestmark = browsertools.needs_chromium
new_page = browsertools.new_page


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    browsertools.shot(page, f"district_{name}")


def send(page, url: str, files: list[tuple[str, bytes]]) -> None:  # type: ignore[no-untyped-def]
    browsertools.send(page, url, "files", files)


def sign_in(page, base: str) -> None:  # type: ignore[no-untyped-def]
    browsertools.sign_in(page, base, "/district")


@pytest.fixture(scope="module")
def site(web_browser, tmp_path_factory):
    """``serve --district``: the first start in the browser, then the three organisations
    send (or not) through their links. Yields (base URL, links, the district's page)."""
    app = create_app(tmp_path_factory.mktemp("district") / "data", kind="district")
    with background_server(app) as base:
        page = new_page(web_browser)
        page.goto(base)
        assert page.url == f"{base}/setup"
        for key, value in DISTRICT.items():
            page.fill(f"input[name={key}]", value)
        page.fill("textarea[name=names]", "\n".join(ORGANISATIONS))
        page.fill("input[name=password]", PASSWORD)
        page.fill("input[name=password2]", PASSWORD)
        shot(page, "setup")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/district")
        links = district_links(page.content())
        assert set(links) == set(ORGANISATIONS)

        org = new_page(web_browser)  # the organisations' own browsers: not signed in
        send(org, f"{base}{links[GOOD]}", [("โพนทราย.zip", good_zip())])
        assert "ผ่าน" in org.inner_text("#result") and "93.05" in org.inner_text("#result")
        shot(org, "organisation_zip")
        send(org, f"{base}{links[FIXED]}", broken_workbooks())
        result = org.inner_text("#result")
        assert "มีข้อผิดพลาด" in result and "สำนักปลัด.xlsx" in result and "corrupt-file" in result
        shot(org, "organisation_broken")
        send(org, f"{base}{links[FIXED]}", fixed_workbooks())
        assert "มีข้อผิดพลาด" not in org.inner_text("#result")
        assert org.locator("#history tbody tr").count() == 2 and "ถูกแทนที่" in org.inner_text("#history")
        shot(org, "organisation_fixed")
        org.context.close()
        yield base, links, page
        page.context.close()


def test_the_dashboard_shows_exactly_who_sent_and_who_did_not(site):
    base, _links, page = site
    page.goto(f"{base}/district")
    assert "ส่งแล้ว 2 จาก 3" in page.inner_text("#sent-count")
    status = {
        row.get_attribute("data-status"): row.inner_text().split("\t")[-1].strip()
        for row in page.locator("#by-status tbody tr").all()
    }
    assert status == {"ok": "0", "warnings": "2", "errors": "0", "unreadable": "0", "checking": "0", "none": "1"}
    not_sent = [li.inner_text() for li in page.locator("#not-sent li").all()]
    assert not_sent == [SILENT]
    fixed = page.locator(f'tr[data-org="{FIXED}"]')
    assert "1 ถูกแทนที่" in fixed.inner_text() and "99.78" in fixed.inner_text() and "AA" in fixed.inner_text()
    assert page.locator(f'tr[data-org="{SILENT}"]').get_attribute("data-status") == "none"
    assert page.locator("svg.chart rect").count() == 8  # AA…F and no score
    page.locator("tr.problems details summary").first.click()  # its problems: file › sheet › cell
    assert page.locator("tr.problems .cell").first.is_visible()
    shot(page, "dashboard")
    with page.expect_navigation():  # count the organisation page's rows, not the dashboard's
        page.click(f"#organisations a >> text={FIXED}")
    assert page.locator("#history tbody tr").count() == 2
    shot(page, "history")


def test_the_summary_downloaded_equals_what_ita_report_district_makes(site, tmp_path):
    base, _links, page = site
    page.goto(f"{base}/district")
    with page.expect_download() as got:
        page.click("text=ดาวน์โหลดสรุป")
    assert got.value.suggested_filename.endswith(".xlsx")
    web = openpyxl.load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()))
    with page.expect_download() as memo:
        page.click("text=ดาวน์โหลดบันทึกข้อความ")
    memo.value.save_as(tmp_path / "memo.docx")  # where the real reader (LibreOffice) opens it too
    memo_text = "\n".join(p.text for p in docx.Document(tmp_path / "memo.docx").paragraphs)
    assert "สรุปผลการรับรายงาน" in memo_text.replace("\u200b", "").replace("\u2060", "")
    inbox = tmp_path / "inbox"
    (inbox / FIXED).mkdir(parents=True)
    (inbox / f"{GOOD}.zip").write_bytes(good_zip())
    for name, data in fixed_workbooks():
        (inbox / FIXED / name).write_bytes(data)
    (tmp_path / "expect.txt").write_text("\n".join(ORGANISATIONS) + "\n", encoding="utf-8")
    out = tmp_path / "cli.xlsx"
    ran = CliRunner().invoke(main, ["district", str(inbox), "-o", str(out), "--expect", str(tmp_path / "expect.txt")])
    assert ran.exit_code in (0, 1), ran.output
    cli = openpyxl.load_workbook(out)
    assert web.sheetnames == cli.sheetnames
    for a, b in zip(web.worksheets, cli.worksheets, strict=True):
        assert [[c.value for c in r] for r in a.iter_rows()] == [[c.value for c in r] for r in b.iter_rows()], a.title
    assert any(SILENT == c.value for ws in web.worksheets for r in ws.iter_rows() for c in r)


def test_one_organisation_s_link_cannot_see_another_s(site, web_browser):
    base, links, _ = site
    org = new_page(web_browser)
    org.goto(f"{base}{links[GOOD]}")
    own = org.locator("#history a").first.get_attribute("href")  # …/o/<GOOD's token>/uploads/<id>
    upload_id = own.rsplit("/", 1)[1]
    org.goto(f"{base}{links[SILENT]}/uploads/{upload_id}")
    assert "ไม่พบหน้านี้" in org.inner_text("main")
    shot(org, "other_organisation")
    org.goto(f"{base}{links[SILENT]}")
    assert "โพนทราย.zip" not in org.content() and "ยังไม่เคยส่ง" in org.inner_text("#history")
    org.goto(f"{base}/district")
    assert org.url.endswith("/login")
    org.context.close()


def test_a_revoked_link_is_refused(site, web_browser):
    base, links, page = site
    page.goto(f"{base}/district")
    page.locator(f'tr[data-org="{SILENT}"] form[action$="/revoke"] button').click()
    page.wait_for_url(f"{base}/district#organisations")
    assert "ยกเลิกแล้ว" in page.locator(f'tr[data-org="{SILENT}"]').inner_text()
    org = new_page(web_browser)
    org.goto(f"{base}{links[SILENT]}")
    assert "ไม่พบหน้านี้" in org.inner_text("main")
    shot(org, "revoked")
    org.context.close()
    page.goto(f"{base}/district/links")
    assert links[SILENT] not in page.content() and links[GOOD] in page.content()
    shot(page, "links")
