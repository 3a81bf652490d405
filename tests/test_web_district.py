"""The district's workspace of ``ita-report serve --district`` through an in-process client:
who may see what, the survey cache, the downloads equal to ``ita-report district``."""

from __future__ import annotations

import io
import json
import time
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner
from districttools import (
    FIXED,
    GOOD,
    ORGANISATIONS,
    SILENT,
    broken_workbooks,
    district_links,
    fixed_workbooks,
    good_zip,
    set_up_district,
    upload,
    zip_of,
)
from starlette.testclient import TestClient
from webtools import PASSWORD, csrf_of, random_bytes, set_up, zip_bomb

from compiler.cli import main
from compiler.web import Limits, create_app, district_jobs
from compiler.web.storage import Store
from compiler.workers import WorkerFailed

LOCAL = ("127.0.0.1", 50000)


@pytest.fixture
def counted(monkeypatch):
    """Every survey the server computes, by submission name."""
    calls: list[str] = []
    real = district_jobs.survey_contained

    def counting(lim, submission, kind, files):  # type: ignore[no-untyped-def]
        calls.append(submission)
        return real(lim, submission, kind, files)

    monkeypatch.setattr(district_jobs, "survey_contained", counting)
    return calls


@pytest.fixture
def district(tmp_path):
    """A set-up district: (client signed in as the district, organisation links, data folder)."""
    app = create_app(tmp_path / "data", kind="district")
    client = TestClient(app, client=LOCAL)
    links = set_up_district(client)
    yield client, links, tmp_path / "data"
    client.close()


def stranger(client: TestClient) -> TestClient:
    """Another browser: no cookies, not signed in."""
    return TestClient(client.app, client=LOCAL)


def sent_scenario(client: TestClient, links: dict[str, str]) -> None:
    """One sends a good zip, one a broken set of workbooks then the fixed one, one nothing."""
    org = stranger(client)
    assert upload(org, links[GOOD], [("โพนทราย.zip", good_zip())]).status_code == 200
    broken = upload(org, links[FIXED], broken_workbooks())
    assert broken.status_code == 200 and "มีข้อผิดพลาด" in broken.text and "corrupt-file" in broken.text
    fixed = upload(org, links[FIXED], fixed_workbooks())
    assert fixed.status_code == 200 and "ถูกแทนที่" in fixed.text  # the broken one is listed as superseded


def sheets(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in wb.worksheets}


def test_the_dashboard_shows_who_sent_what_and_who_did_not(district):
    client, links, _ = district
    assert set(links) == set(ORGANISATIONS)
    sent_scenario(client, links)
    page = client.get("/district?refresh=0").text
    assert "ส่งแล้ว <strong>2</strong> จาก 3" in page
    not_sent = page.split('id="not-sent"')[1].split("</section>")[0]
    assert SILENT in not_sent and GOOD not in not_sent and FIXED not in not_sent
    assert 'data-status="warnings"><td><span class="badge warn">' in page
    assert "1 ถูกแทนที่" in page  # FIXED's broken upload is superseded
    assert "93.05" in page and "99.78" in page
    assert "level-contradicts-score" in page  # its problems, with file › sheet › cell
    assert 'กองคลัง.xlsx</span> › <span class="sheet">ข้อมูลหน่วยงาน</span> › <strong class="cell">B10' in page


def test_the_summary_and_memo_equal_what_ita_report_district_makes(district, tmp_path):
    client, links, _ = district
    sent_scenario(client, links)
    summary = client.get("/district/summary.xlsx")
    assert summary.status_code == 200 and summary.headers["content-type"].startswith("application/vnd.openxml")
    memo = client.get("/district/memo.docx")
    assert memo.status_code == 200 and memo.content[:2] == b"PK"
    # the same files as a clerk would have saved them, and the CLI
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / f"{GOOD}.zip").write_bytes(good_zip())
    (inbox / FIXED).mkdir()
    for name, data in fixed_workbooks():
        (inbox / FIXED / name).write_bytes(data)
    (tmp_path / "expect.txt").write_text("\n".join(ORGANISATIONS) + "\n", encoding="utf-8")
    out = tmp_path / "cli.xlsx"
    ran = CliRunner().invoke(
        main, ["district", str(inbox), "-o", str(out), "--expect", str(tmp_path / "expect.txt"), "-j", "1"]
    )
    assert ran.exit_code in (0, 1), ran.output
    web, cli = sheets(summary.content), sheets(out.read_bytes())
    assert web == cli
    cells = [str(v) for rows in web.values() for row in rows for v in row]
    assert GOOD in cells and FIXED in cells and len(web) >= 3
    assert any(SILENT in str(v) for rows in web.values() for row in rows for v in row)  # listed as not sent


def test_a_second_load_recomputes_only_the_organisation_that_sent_again(district, counted):
    client, links, data = district
    sent_scenario(client, links)
    assert len(counted) == 3  # each upload surveyed once, when it arrived
    counted.clear()
    client.get("/district?refresh=0")
    assert counted == []  # nothing changed: every survey from the cache
    upload(stranger(client), links[GOOD], [("โพนทราย.zip", zip_of([("สำนักปลัด.xlsx", fixed_workbooks()[0][1])]))])
    client.get("/district?refresh=0")
    assert counted == [GOOD]
    counted.clear()
    # the same bytes sent again: the same survey, not recomputed
    upload(stranger(client), links[GOOD], [("โพนทราย.zip", good_zip())])
    assert counted == []
    # a cache emptied (or a fresh server): each organisation's latest surveyed once, then cached
    store = Store(data)
    with store.transaction() as db:
        db.execute("DELETE FROM survey_cache")
    client.get("/district?refresh=0")
    assert sorted(counted) == sorted([GOOD, FIXED])
    counted.clear()
    client.get("/district?refresh=0")
    assert counted == []


def test_a_submission_whose_worker_fails_is_shown_and_not_retried_on_every_load(district, monkeypatch):
    client, links, _ = district
    calls: list[str] = []

    def failing(lim, submission, kind, files):  # type: ignore[no-untyped-def]
        calls.append(submission)
        raise WorkerFailed("timeout", "past 120 s", timeout_s=120)

    monkeypatch.setattr(district_jobs, "survey_contained", failing)
    sent = upload(stranger(client), links[GOOD], [("slow.zip", good_zip())])
    assert sent.status_code == 200 and "took longer than 120 s" in sent.text and "อ่านไม่ได้" in sent.text
    page = client.get("/district?refresh=0").text
    assert 'data-status="unreadable"' in page and "worker-died" in page
    assert calls == [GOOD]  # the dashboard did not run it again


@pytest.mark.parametrize(
    "damage",
    [
        "not json",
        json.dumps({"summary": {}, "level": "", "findings": []}),
        json.dumps({"summary": None}),
        "version",
    ],
)
def test_a_damaged_cache_entry_is_never_trusted(district, counted, damage):
    client, links, data = district
    sent_scenario(client, links)
    before = client.get("/district?refresh=0").text
    counted.clear()
    with Store(data).transaction() as db:
        if damage == "version":
            db.execute("UPDATE survey_cache SET version = version + 1")
        else:
            db.execute("UPDATE survey_cache SET result = ?", (damage,))
    after = client.get("/district?refresh=0").text
    assert sorted(counted) == sorted([GOOD, FIXED])
    strip = lambda html: html.split('id="counts"')[1]  # noqa: E731 (the times at the top differ by a second)
    assert strip(after) == strip(before)


def test_an_organisation_s_link_sees_its_own_uploads_only(district):
    client, links, _ = district
    org = stranger(client)
    upload(org, links[GOOD], [("โพนทราย.zip", good_zip())])
    mine = upload(org, links[FIXED], fixed_workbooks())
    theirs_id = 1
    assert mine.url.path.startswith(links[FIXED])
    assert org.get(f"{links[FIXED]}/uploads/{theirs_id}").status_code == 404
    assert org.get(f"{links[FIXED]}/uploads/{theirs_id}/files/0").status_code == 404
    assert org.get(f"{links[GOOD]}/uploads/{theirs_id}/files/0").status_code == 200
    page = org.get(links[FIXED]).text
    assert "โพนทราย.zip" not in page and GOOD not in page
    # a link is not the district: the dashboard and downloads need the password
    assert org.get("/district", follow_redirects=False).headers["location"] == "/login"
    assert org.get("/district/summary.xlsx", follow_redirects=False).status_code == 303
    assert org.get("/o/not-a-token").status_code == 404


def test_a_revoked_link_is_refused_and_a_reissued_one_works(district):
    client, links, data = district
    org_id = next(o["id"] for o in Store(data).organisations(1) if o["name"] == GOOD)
    page = client.get("/district").text
    client.post(f"/district/organisations/{org_id}/revoke", data={"csrf": csrf_of(page)})
    org = stranger(client)
    assert org.get(links[GOOD]).status_code == 404
    refused = org.post(f"{links[GOOD]}/upload", data={"csrf": "x"}, files=[("files", ("a.zip", good_zip()))])
    assert refused.status_code == 404
    page = client.get("/district").text
    assert "ยกเลิกแล้ว" in page and GOOD not in district_links(page)
    client.post(f"/district/organisations/{org_id}/reissue", data={"csrf": csrf_of(page)})
    new = district_links(client.get("/district").text)[GOOD]
    assert new != links[GOOD] and org.get(new).status_code == 200 and org.get(links[GOOD]).status_code == 404


def test_every_form_needs_the_csrf_token_and_the_password(district):
    client, links, _ = district
    assert client.post("/district/organisations", data={"names": "อบต.ใหม่"}).status_code == 403
    assert client.post("/district/organisations/1/revoke", data={"csrf": "wrong"}).status_code == 403
    org = stranger(client)
    assert org.post(f"{links[GOOD]}/upload", files=[("files", ("a.zip", good_zip()))]).status_code == 403
    page = org.get("/login").text
    wrong = org.post("/login", data={"csrf": csrf_of(page), "password": "not the password"})
    assert wrong.status_code == 401
    right = org.post("/login", data={"csrf": csrf_of(page), "password": PASSWORD})
    assert right.url.path == "/district"


def test_uploads_over_the_limits_or_of_the_wrong_kind_leave_no_record(tmp_path):
    app = create_app(tmp_path / "data", kind="district", limits=Limits(upload_mb=1, uploads_per_hour=3))
    client = TestClient(app, client=LOCAL)
    links = set_up_district(client)
    org = stranger(client)
    link = links[GOOD]
    assert upload(org, link, [("a.exe", b"MZ")]).status_code == 400
    assert upload(org, link, [("a.zip", good_zip()), ("b.xlsx", b"x")]).status_code == 400
    assert upload(org, link, [("big.zip", random_bytes(1_100_000))]).status_code == 413
    assert upload(org, link, [(f"{i}.xlsx", b"x") for i in range(31)]).status_code == 400
    assert Store(tmp_path / "data").uploads(1) == []
    for _ in range(3):
        assert upload(org, link, [("a.zip", good_zip())]).status_code == 200
    assert upload(org, link, [("a.zip", good_zip())]).status_code == 429


def test_a_hostile_upload_is_unreadable_with_a_message_and_the_server_keeps_serving(district):
    client, links, _ = district
    org = stranger(client)
    bomb = upload(org, links[GOOD], [("bomb.zip", zip_of([("สำนักปลัด.xlsx", zip_bomb())]))])
    assert bomb.status_code == 200 and ("อ่านไม่ได้" in bomb.text or "มีข้อผิดพลาด" in bomb.text)
    junk = upload(org, links[FIXED], [("junk.zip", random_bytes())])
    assert junk.status_code == 200 and "อ่านไม่ได้" in junk.text and "zip" in junk.text
    assert client.get("/district").status_code == 200


def test_the_organisations_come_from_an_expect_list(tmp_path):
    app = create_app(tmp_path / "data", kind="district")
    client = TestClient(app, client=LOCAL)
    set_up_district(client, organisations=(GOOD,))
    book = openpyxl.Workbook()
    book.active.append(["ลำดับ", "ชื่อหน่วยงาน"])
    book.active.append([1, FIXED])
    book.active.append([2, SILENT])
    out = io.BytesIO()
    book.save(out)
    page = client.get("/district").text
    client.post(
        "/district/organisations",
        data={"csrf": csrf_of(page), "names": "อบต.ทดลอง\n"},
        files={"expect": ("รายชื่อ.xlsx", out.getvalue())},
    )
    names = set(district_links(client.get("/district").text))
    assert names == {GOOD, FIXED, SILENT, "อบต.ทดลอง"}
    printable = client.get("/district/links").text
    assert all(n in printable for n in names) and "/o/" in printable
    assert printable.count("<svg width=") == len(names)  # a QR code beside each link


def test_a_district_and_an_organisation_do_not_answer_in_each_other_s_workspace(tmp_path, district):
    client, links, _ = district
    assert client.get("/admin").status_code == 404
    org_app = create_app(tmp_path / "org")
    org_client = TestClient(org_app, client=LOCAL)
    set_up(org_client)
    assert org_client.get("/district").status_code == 404
    assert org_client.get(links[GOOD]).status_code == 404


def test_uploads_stored_but_not_surveyed_are_surveyed_at_the_next_start(tmp_path):
    data = tmp_path / "data"
    client = TestClient(create_app(data, kind="district"), client=LOCAL)
    links = set_up_district(client)
    store = Store(data)
    blob = store.put_blob(good_zip())
    manifest = district_jobs.manifest("zip", [("a.zip", blob.hash, blob.size)])
    org_id = next(o["id"] for o in store.organisations(1) if o["name"] == GOOD)
    upload_id = store.add_upload(org_id, "a.zip", manifest)
    assert store.upload(upload_id)["status"] == "checking"
    assert links and store.upload(upload_id)["status"] == "checking"
    create_app(data)  # the restart re-surveys in a thread
    for _ in range(600):
        if store.upload(upload_id)["status"] != "checking":
            break
        time.sleep(0.1)
    assert store.upload(upload_id)["status"] == "warnings"
    assert json.loads(store.upload(upload_id)["result"]) == {"district_status": "warnings"}


def test_the_summary_is_made_again_only_when_something_was_sent(district, monkeypatch):
    """The summary and the memo are downloaded one after the other (and again): they are made
    once while nothing new arrives, and made again after a new upload."""
    client, links, _ = district
    sent_scenario(client, links)
    made = []
    real = district_jobs._district_files
    monkeypatch.setattr(district_jobs, "_district_files", lambda *a: made.append(1) or real(*a))
    first = client.get("/district/summary.xlsx")
    assert client.get("/district/memo.docx").status_code == 200
    again = client.get("/district/summary.xlsx")
    assert len(made) == 1 and first.content == again.content
    upload(stranger(client), links[GOOD], [("โพนทราย.zip", zip_of([("สำนักปลัด.xlsx", fixed_workbooks()[0][1])]))])
    assert client.get("/district/summary.xlsx").status_code == 200
    assert len(made) == 2


def test_the_memo_carries_the_district_emblem(district, render_png):
    client, links, _ = district
    sent_scenario(client, links)
    page = client.get("/district?refresh=0")
    assert 'id="emblem"' in page.text and "/district/emblem.png" not in page.text  # none yet
    without = client.get("/district/memo.docx").content
    refused = client.post("/district/emblem", data={"csrf": csrf_of(page.text)}, files={"emblem": ("x.png", b"<svg/>")})
    assert refused.status_code == 400 and "PNG" in refused.text
    saved = client.post(
        "/district/emblem", data={"csrf": csrf_of(page.text)}, files={"emblem": ("ครุฑ.png", render_png.read_bytes())}
    )
    assert saved.url.path == "/district" and 'src="/district/emblem.png"' in saved.text
    assert client.get("/district/emblem.png").content == render_png.read_bytes()
    memo = client.get("/district/memo.docx").content
    pictures = [n for n in zipfile.ZipFile(io.BytesIO(memo)).namelist() if n.startswith("word/media/")]
    assert pictures and not [n for n in zipfile.ZipFile(io.BytesIO(without)).namelist() if n.startswith("word/media/")]


def test_no_emblem_without_the_password(district, render_png):
    client, _, _ = district
    page = client.get("/district?refresh=0")
    client.cookies.clear()
    sent = client.post(
        "/district/emblem", data={"csrf": csrf_of(page.text)}, files={"emblem": ("ครุฑ.png", render_png.read_bytes())}
    )
    assert sent.url.path == "/login"  # sent to sign in, nothing stored
    assert client.get("/district/emblem.png").url.path == "/login"


def test_a_name_added_by_mistake_can_be_removed_but_not_one_that_sent(district):
    client, links, data = district
    page = client.get("/district?refresh=0").text
    client.post("/district/organisations", data={"csrf": csrf_of(page), "names": "อบต.พิมพ์ผิด"})
    orgs = {o["name"]: o for o in Store(data).organisations(1)}
    assert "อบต.พิมพ์ผิด" in orgs
    page = client.get("/district?refresh=0").text
    assert f"/district/organisations/{orgs['อบต.พิมพ์ผิด']['id']}/remove" in page
    assert (
        client.post(f"/district/organisations/{orgs['อบต.พิมพ์ผิด']['id']}/remove", data={"csrf": "x"}).status_code == 403
    )
    gone = client.post(f"/district/organisations/{orgs['อบต.พิมพ์ผิด']['id']}/remove", data={"csrf": csrf_of(page)})
    assert gone.url.path == "/district" and "อบต.พิมพ์ผิด" not in gone.text
    assert "อบต.พิมพ์ผิด" not in {o["name"] for o in Store(data).organisations(1)}

    sent_scenario(client, links)
    page = client.get("/district?refresh=0").text
    good = next(o for o in Store(data).organisations(1) if o["name"] == GOOD)
    assert f"/district/organisations/{good['id']}/remove" not in page  # no button once it has sent
    kept = client.post(f"/district/organisations/{good['id']}/remove", data={"csrf": csrf_of(page)})
    assert kept.status_code == 409 and "ยกเลิกลิงก์แทน" in kept.text
    assert GOOD in {o["name"] for o in Store(data).organisations(1)} and Store(data).uploads(good["id"])
