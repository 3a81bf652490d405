"""The web app through an in-process client: who may see what, CSRF, limits, hostile uploads."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile

import anyio
import docx
import pytest
from starlette.testclient import TestClient
from webtools import PASSWORD, csrf_of, random_bytes, sample, set_up, with_mistake, zip_bomb

from compiler.web import Limits, create_app
from compiler.web.storage import Store

LOCAL = ("127.0.0.1", 50000)


@pytest.fixture
def web(tmp_path):
    """A set-up workspace: (client signed in as the secretary, department links, data folder)."""
    app = create_app(tmp_path / "data")
    client = TestClient(app, client=LOCAL)
    links = set_up(client)
    yield client, links, tmp_path / "data"
    client.close()


def department_client(client: TestClient) -> TestClient:
    """A second browser: no cookies, not signed in."""
    return TestClient(client.app, client=LOCAL)


def upload(client: TestClient, link: str, name: str, data: bytes, **extra):  # type: ignore[no-untyped-def]
    page = client.get(link)
    return client.post(f"{link}/upload", data={"csrf": csrf_of(page.text), **extra}, files={"workbook": (name, data)})


def uploads_in(folder) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    store = Store(folder)
    with store.connection() as db:
        return [(r["filename"], r["status"]) for r in db.execute("SELECT * FROM upload ORDER BY id")]


def test_first_start_only_from_this_computer(tmp_path):
    app = create_app(tmp_path)
    remote = TestClient(app, client=("192.168.1.20", 50000))
    response = remote.get("/setup")
    assert response.status_code == 403 and "เครื่องนี้" in response.text


def test_first_start_refuses_a_short_password(tmp_path):
    client = TestClient(create_app(tmp_path), client=LOCAL)
    page = client.get("/")
    assert page.url.path == "/setup"
    response = client.post(
        "/setup",
        data={
            "csrf": csrf_of(page.text),
            "organisation": "x",
            "department": ["กองคลัง"],
            "password": "short",
            "password2": "short",
        },
    )
    assert response.status_code == 400 and "อย่างน้อย 8" in response.text
    assert Store(tmp_path).workspace() is None


def test_set_up_cannot_be_done_twice(web):
    client, _, data = web
    page = client.get("/setup")
    assert page.url.path == "/admin"  # redirected: already set up
    response = client.post(
        "/setup",
        data={
            "csrf": csrf_of(page.text),
            "organisation": "อื่น",
            "department": ["กองคลัง"],
            "password": "another-pass",
            "password2": "another-pass",
        },
    )
    assert response.url.path in ("/", "/admin")
    assert json.loads(Store(data).workspace()["details"])["organisation"] == "เทศบาลตำบลโพนทราย"


def test_department_uploads_a_mistake_sees_the_cell_then_fixes_it(web):
    client, links, data = web
    dept = department_client(client)
    bad = upload(dept, links["กองคลัง"], "กองคลัง.xlsx", with_mistake(sample("กองคลัง")))
    assert bad.status_code == 200
    assert "missing-value" in bad.text and '<strong class="cell">G5</strong>' in bad.text
    assert "มาตรการ" in bad.text
    annotated = dept.get(f"{bad.url.path}/annotated")
    assert annotated.status_code == 200 and annotated.content[:2] == b"PK"
    good = upload(dept, links["กองคลัง"], "กองคลัง (แก้แล้ว).xlsx", sample("กองคลัง"))
    assert "ไม่พบปัญหา" in good.text
    assert uploads_in(data) == [("กองคลัง.xlsx", "errors"), ("กองคลัง (แก้แล้ว).xlsx", "ok")]
    history = dept.get(links["กองคลัง"]).text
    assert "กองคลัง.xlsx" in history and "กองคลัง (แก้แล้ว).xlsx" in history  # both kept


def test_department_downloads_its_prefilled_form(web):
    client, links, _ = web
    response = department_client(client).get(f"{links['กองช่าง']}/form.xlsx")
    assert response.status_code == 200
    assert "filename*=UTF-8''%E0%B8%81" in response.headers["content-disposition"]
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    values = [c.value for row in wb["ข้อมูลหน่วยงาน"].iter_rows() for c in row]
    assert "เทศบาลตำบลโพนทราย" in values


def test_one_department_cannot_see_another_s_upload(web):
    client, links, _ = web
    a, b = department_client(client), department_client(client)
    sent = upload(a, links["กองคลัง"], "ลับเฉพาะ.xlsx", with_mistake(sample("กองคลัง")))
    own = sent.url.path  # /d/<token-a>/uploads/<id>
    upload_id = own.rsplit("/", 1)[1]
    other = links["กองช่าง"]
    for path in (
        f"{other}/uploads/{upload_id}",
        f"{other}/uploads/{upload_id}/original",
        f"{other}/uploads/{upload_id}/annotated",
    ):
        assert b.get(path).status_code == 404, path
    assert "ลับเฉพาะ.xlsx" not in b.get(other).text
    assert b.get("/d/not-a-real-token").status_code == 404
    assert b.get("/admin").url.path == "/login"  # a department's link is not the secretary's


def test_post_without_csrf_token_is_refused(web):
    client, links, data = web
    dept = department_client(client)
    dept.get(links["กองคลัง"])
    response = dept.post(f"{links['กองคลัง']}/upload", files={"workbook": ("x.xlsx", sample("กองคลัง"))})
    assert response.status_code == 403
    wrong = dept.post(
        f"{links['กองคลัง']}/upload", data={"csrf": "forged" * 6}, files={"workbook": ("x.xlsx", sample("กองคลัง"))}
    )
    assert wrong.status_code == 403
    assert uploads_in(data) == []
    assert client.post("/admin/build", data={}).status_code == 403
    assert client.post("/login", data={"password": PASSWORD}).status_code == 403


def test_wrong_password_is_refused(web):
    client, _, _ = web
    other = department_client(client)
    page = other.get("/login")
    response = other.post("/login", data={"csrf": csrf_of(page.text), "password": "not-the-password"})
    assert response.status_code == 401 and "รหัสผ่านไม่ถูกต้อง" in response.text
    assert other.get("/admin").url.path == "/login"
    right = other.post("/login", data={"csrf": csrf_of(response.text), "password": PASSWORD})
    assert right.url.path == "/admin"


@pytest.mark.parametrize(
    ("name", "make", "code"),
    [("กองคลัง.xlsx", random_bytes, "not-a-workbook"), ("bomb.xlsx", zip_bomb, "zip-bomb")],
)
def test_hostile_upload_gets_a_clear_message_and_the_server_keeps_serving(web, name, make, code):
    client, links, data = web
    dept = department_client(client)
    response = upload(dept, links["กองคลัง"], name, make())
    assert response.status_code == 200 and code in response.text
    assert "มีข้อผิดพลาด" in response.text
    assert uploads_in(data) == [(name, "errors")]
    assert dept.get(links["กองคลัง"]).status_code == 200
    assert "ไม่พบปัญหา" in upload(dept, links["กองคลัง"], "ok.xlsx", sample("กองคลัง")).text


def test_not_a_workbook_by_name_and_empty_file_are_refused_without_a_record(web):
    client, links, data = web
    dept = department_client(client)
    assert upload(dept, links["กองคลัง"], "report.pdf", b"%PDF-1.4").status_code == 400
    assert upload(dept, links["กองคลัง"], "../../etc/passwd", b"x").status_code == 400
    assert upload(dept, links["กองคลัง"], "empty.xlsx", b"").status_code == 400
    assert uploads_in(data) == []


def test_upload_size_and_count_limits(tmp_path):
    client = TestClient(create_app(tmp_path, limits=Limits(upload_mb=1, uploads_per_hour=2)), client=LOCAL)
    links = set_up(client)
    dept = department_client(client)
    too_big = upload(dept, links["กองคลัง"], "big.xlsx", b"PK" + bytes(3 * 1024 * 1024))
    assert too_big.status_code == 413
    assert upload(dept, links["กองคลัง"], "a.xlsx", sample("กองคลัง")).status_code == 200
    assert upload(dept, links["กองคลัง"], "b.xlsx", sample("กองคลัง")).status_code == 200
    third = upload(dept, links["กองคลัง"], "c.xlsx", sample("กองคลัง"))
    assert third.status_code == 429
    assert [n for n, _ in uploads_in(tmp_path)] == ["a.xlsx", "b.xlsx"]


def _post_raw(app, path: str, body: bytes, content_type: str, cookie: str, cut_at: int | None) -> int:  # type: ignore[no-untyped-def]
    """POST ``body`` straight to the ASGI app; with ``cut_at`` the connection drops after that many bytes."""
    sent = body if cut_at is None else body[:cut_at]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", content_type.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"cookie", f"ita_session={cookie}".encode()),
        ],
        "client": LOCAL,
        "server": ("testserver", 80),
    }
    messages = [
        {"type": "http.request", "body": sent[i : i + 8192], "more_body": True} for i in range(0, len(sent), 8192)
    ]
    if cut_at is None:
        messages.append({"type": "http.request", "body": b"", "more_body": False})
    statuses: list[int] = []

    async def receive():  # type: ignore[no-untyped-def]
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):  # type: ignore[no-untyped-def]
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    anyio.run(app, scope, receive, send)
    return statuses[0] if statuses else 0


def test_an_upload_cut_off_half_way_leaves_no_record(web):
    """The browser is closed while the file is on its way: nothing is recorded; the same
    body sent whole is (so the refusal is the cut, not the form)."""
    client, links, data = web
    dept = department_client(client)
    page = dept.get(links["กองคลัง"])
    body, content_type = _multipart(csrf_of(page.text), sample("กองคลัง"))
    cookie = dept.cookies.get("ita_session")
    path = f"{links['กองคลัง']}/upload"
    assert _post_raw(client.app, path, body, content_type, cookie, cut_at=len(body) // 2) == 400
    assert uploads_in(data) == []
    assert _post_raw(client.app, path, body, content_type, cookie, cut_at=None) == 303
    assert uploads_in(data) == [("x.xlsx", "ok")]


def _multipart(csrf: str, data: bytes) -> tuple[bytes, str]:
    boundary = "----itareportboundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="workbook"; filename="x.xlsx"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ]
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def wait_for_build(client: TestClient, url: str, timeout: float = 300) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = client.get(url).text
        if 'http-equiv="refresh"' not in page:
            return page
        time.sleep(0.5)
    raise AssertionError("the build did not finish")


def test_secretary_builds_the_report_and_downloads_everything(web, tmp_path):
    client, links, _ = web
    dept = department_client(client)
    for name in ("สำนักปลัด", "กองคลัง", "กองช่าง"):
        sent = upload(dept, links[name], f"{name}.xlsx", sample(name))
        assert sent.status_code == 200 and "badge bad" not in sent.text
    overview = client.get("/admin")
    assert "ส่งแล้ว <strong>3</strong> จาก 3" in overview.text
    started = client.post("/admin/build", data={"csrf": csrf_of(overview.text)})
    page = wait_for_build(client, str(started.url))
    assert "เสร็จแล้ว" in page
    report = client.get(f"{started.url.path}/files/0")
    assert report.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(report.content)).paragraphs)
    assert "เทศบาลตำบลโพนทราย" in text.replace("\u200b", "").replace("\u2060", "")  # without the line-break hints
    bundle = zipfile.ZipFile(io.BytesIO(client.get(f"{started.url.path}/all.zip").content))
    assert "รายงานผล.docx" in bundle.namelist() and "ประกาศมาตรการ.docx" in bundle.namelist()
    bundle.extractall(tmp_path / "downloaded")  # with --real-reader=on, LibreOffice opens each one
    assert department_client(client).get(f"{started.url.path}/files/0").url.path == "/login"


def test_a_department_with_errors_is_left_out_of_the_build_and_named(web):
    client, links, _ = web
    dept = department_client(client)
    upload(dept, links["กองคลัง"], "กองคลัง.xlsx", with_mistake(sample("กองคลัง")))
    overview = client.get("/admin")
    refused = client.post("/admin/build", data={"csrf": csrf_of(overview.text)})
    assert refused.status_code == 400 and "ยังไม่มีแบบรายงานที่ใช้ได้" in refused.text
    upload(dept, links["กองช่าง"], "กองช่าง.xlsx", sample("กองช่าง"))
    started = client.post("/admin/build", data={"csrf": csrf_of(overview.text)})
    page = wait_for_build(client, str(started.url))
    assert "เสร็จแล้ว" in page
    left_out = page[page.index("ไม่ได้รวม") : page.index("</ul>", page.index("ไม่ได้รวม"))]
    assert "กองคลัง: มีข้อผิดพลาด" in left_out and "สำนักปลัด: ยังไม่ส่ง" in left_out and "กองช่าง" not in left_out


def test_workbooks_that_disagree_are_refused_with_their_findings(web):
    client, links, _ = web
    dept = department_client(client)
    upload(dept, links["กองคลัง"], "กองคลัง.xlsx", sample("กองคลัง"))
    upload(dept, links["สำนักปลัด"], "สำนักปลัด.xlsx", sample("สำนักปลัด", "ban_tom_2565"))
    overview = client.get("/admin")
    started = client.post("/admin/build", data={"csrf": csrf_of(overview.text)})
    page = wait_for_build(client, str(started.url))
    assert "สร้างไม่ได้" in page and "organisation-mismatch" in page
    assert client.get(f"{started.url.path}/files/0").status_code == 404


def test_uploads_stored_but_not_checked_are_checked_at_the_next_start(tmp_path):
    client = TestClient(create_app(tmp_path), client=LOCAL)
    set_up(client)
    store = Store(tmp_path)
    dept = store.departments(store.workspace()["id"])[1]
    upload_id = store.add_upload(dept["id"], "กองคลัง.xlsx", sample("กองคลัง"))  # the server stopped here
    page = client.get(f"/admin/departments/{dept['id']}/uploads/{upload_id}")
    assert "กำลังตรวจไฟล์นี้" in page.text and "ไม่พบปัญหา" not in page.text
    create_app(tmp_path)  # the next start checks it in the background
    deadline = time.monotonic() + 60
    while store.upload(upload_id)["status"] == "checking" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert store.upload(upload_id)["status"] == "ok"


def test_pages_are_thai_first_and_carry_security_headers(web):
    client, links, _ = web
    page = department_client(client).get(links["กองคลัง"])
    assert '<html lang="th">' in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    css = client.get("/static/style.css")
    assert css.status_code == 200 and '"TH Sarabun New", "Sarabun"' in css.text


def test_many_wrong_passwords_make_that_address_wait(web):
    client, _, _ = web
    guesser = department_client(client)
    page = guesser.get("/login")
    for _ in range(10):
        page = guesser.post("/login", data={"csrf": csrf_of(page.text), "password": "guess"})
        assert page.status_code == 401
    blocked = guesser.post("/login", data={"csrf": csrf_of(page.text), "password": PASSWORD})
    assert blocked.status_code == 429 and guesser.get("/admin").url.path == "/login"


def test_the_emblem_and_the_date_reach_the_announcements(web, render_png):
    client, links, _ = web
    upload(department_client(client), links["กองคลัง"], "กองคลัง.xlsx", sample("กองคลัง"))
    overview = client.get("/admin")
    not_a_picture = client.post(
        "/admin/emblem", data={"csrf": csrf_of(overview.text)}, files={"emblem": ("x.png", b"<svg/>")}
    )
    assert not_a_picture.status_code == 400
    saved = client.post(
        "/admin/emblem", data={"csrf": csrf_of(overview.text)}, files={"emblem": ("ครุฑ.png", render_png.read_bytes())}
    )
    assert saved.url.path == "/admin" and 'src="/admin/emblem.png"' in saved.text
    assert client.get("/admin/emblem.png").content == render_png.read_bytes()
    bad_date = client.post("/admin/build", data={"csrf": csrf_of(saved.text), "date": "วันพรุ่งนี้"})
    assert bad_date.status_code == 400 and "ไม่ใช่วันที่" in bad_date.text
    started = client.post("/admin/build", data={"csrf": csrf_of(saved.text), "date": "21 มีนาคม 2568"})
    page = wait_for_build(client, str(started.url))
    assert "no-emblem" not in page
    bundle = zipfile.ZipFile(io.BytesIO(client.get(f"{started.url.path}/all.zip").content))
    measures = docx.Document(io.BytesIO(bundle.read("ประกาศมาตรการ.docx")))
    assert len(measures.inline_shapes) == 1
    assert "ประกาศ ณ วันที่ ๒๑ เดือน มีนาคม พ.ศ. ๒๕๖๘" in "\n".join(p.text for p in measures.paragraphs)


def test_the_secretary_sends_a_workbook_on_a_department_s_behalf(web):
    client, links, _ = web
    overview = client.get("/admin")
    path = re.search(r'<a href="(/admin/departments/\d+)">กองช่าง</a>', overview.text).group(1)
    page = client.get(path)
    assert links["กองช่าง"] in page.text  # the link to send to the department
    sent = client.post(
        f"{path}/upload", data={"csrf": csrf_of(page.text)}, files={"workbook": ("จากไลน์.xlsx", sample("กองช่าง"))}
    )
    assert sent.url.path.startswith(f"{path}/uploads/") and "ไม่พบปัญหา" in sent.text
    assert "จากไลน์.xlsx" in department_client(client).get(links["กองช่าง"]).text  # the department sees it too
    stranger = department_client(client)
    assert stranger.get(path).url.path == "/login"
    assert stranger.get(f"{sent.url.path}/original").url.path == "/login"


def test_set_up_from_a_filled_workbook(tmp_path):
    client = TestClient(create_app(tmp_path), client=LOCAL)
    page = client.get("/setup")
    fields = {"csrf": csrf_of(page.text), "department": ["กองคลัง"], "password": PASSWORD, "password2": PASSWORD}
    broken = client.post("/setup", data=fields, files={"details_workbook": ("x.xlsx", random_bytes())})
    assert broken.status_code == 400 and "not-a-workbook" in broken.text
    done = client.post("/setup", data=fields, files={"details_workbook": ("สำนักปลัด.xlsx", sample("สำนักปลัด"))})
    assert done.url.path == "/admin"
    details = json.loads(Store(tmp_path).workspace()["details"])
    assert (details["organisation"], details["fiscal_year"]) == ("เทศบาลตำบลโพนทราย", "2568")


def test_an_organisation_s_pages_do_not_answer_in_a_district_workspace(tmp_path):
    from compiler.web.security import hash_password

    store = Store(tmp_path)
    store.set_up("district", {"organisation": "อำเภอโพนทราย"}, hash_password(PASSWORD), ["เทศบาลตำบลโพนทราย"])
    token = store.departments(store.workspace()["id"])[0]["token"]
    client = TestClient(create_app(tmp_path), client=LOCAL)
    page = client.get("/login")
    client.post("/login", data={"csrf": csrf_of(page.text), "password": PASSWORD})
    assert client.get("/admin").status_code == 404
    assert client.get(f"/d/{token}").status_code == 404


def test_department_links_use_the_office_address_when_serving_the_network(tmp_path):
    client = TestClient(create_app(tmp_path, public_url="http://192.168.1.20:8000/"), client=LOCAL)
    links = set_up(client)
    overview = client.get("/admin").text
    assert f'value="http://192.168.1.20:8000{links["กองคลัง"]}"' in overview
    assert "--host 0.0.0.0" not in overview
    local = TestClient(create_app(tmp_path / "other"), client=LOCAL, base_url="http://127.0.0.1:8000")
    set_up(local)
    assert "--host 0.0.0.0" in local.get("/admin").text  # links that only this computer can open: said so


def test_a_reissued_link_replaces_the_old_one_and_keeps_the_history(web):
    client, links, _ = web
    dept = department_client(client)
    upload(dept, links["กองคลัง"], "ก่อน.xlsx", sample("กองคลัง"))
    path = re.search(r'<a href="(/admin/departments/\d+)">กองคลัง</a>', client.get("/admin").text).group(1)
    page = client.get(path)
    assert department_client(client).post(f"{path}/reissue", data={"csrf": csrf_of(page.text)}).url.path == "/login"
    reissued = client.post(f"{path}/reissue", data={"csrf": csrf_of(page.text)})
    new = re.search(r'value="http://testserver(/d/[^"]+)"', reissued.text).group(1)
    assert new != links["กองคลัง"]
    assert dept.get(links["กองคลัง"]).status_code == 404
    assert "ก่อน.xlsx" in dept.get(new).text


def test_a_download_name_cannot_break_its_header(web):
    client, links, _ = web
    dept = department_client(client)
    sent = upload(dept, links["กองคลัง"], 'a"; filename="evil.html.xlsx', sample("กองคลัง"))
    response = dept.get(f"{sent.url.path}/original")
    disposition = response.headers["content-disposition"]
    plain = disposition.split('filename="', 1)[1].split('"', 1)[0]
    assert disposition.count('"') == 2 and ";" not in plain and "=" not in plain and plain.endswith(".xlsx")
    from compiler.web.pages import download

    forged = download(b"x", 'กอง"; filename="evil.html\r\nX-Header: 1.xlsx').headers["content-disposition"]
    plain = forged.split('filename="', 1)[1].split('"', 1)[0]
    assert (
        forged.count('"') == 2
        and "\r" not in forged
        and "\n" not in forged
        and plain == "filenameevil.htmlX-Header 1.xlsx"
    )


def test_a_running_build_shows_its_step_and_refreshes_itself(web):
    client, _, data = web
    store = Store(data)
    build = store.add_build(store.workspace()["id"], {"pdf": True, "left_out": [], "date": ""}, [])
    page = client.get(f"/admin/builds/{build}").text
    assert 'http-equiv="refresh"' in page and "<progress" in page and "ขั้นที่" not in page
    store.build_progress(build, 2, 5, "กองคลัง.xlsx")
    page = client.get(f"/admin/builds/{build}").text
    assert 'value="2" max="5"' in page and "ขั้นที่ 2 จาก 5: กองคลัง.xlsx" in page
