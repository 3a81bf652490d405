"""The measures plan on the web: typed or uploaded, kept with its history, the departments'
forms pre-filled from it (exactly ``init --plan``), their uploads checked against it, its
unreported measures on the overview, the report built from it; bad plans refused clearly."""

from __future__ import annotations

import io
import json
import time

import docx
import openpyxl
import pytest
from starlette.testclient import TestClient
from webtools import DETAILS, PASSWORD, SAMPLES, csrf_of, random_bytes, sample, set_up, zip_bomb

from compiler import api
from compiler.web import create_app
from compiler.web.storage import Store

LOCAL = ("127.0.0.1", 50000)
PLAN = SAMPLES / "phon_sai_2568" / "แผนมาตรการ.xlsx"
#: Every detail a department's workbook needs, so its form is complete once results are typed.
FULL = {**DETAILS, "executive": "นายอุดม วงบุตดา", "executive_position": "นายกเทศมนตรีตำบลโพนทราย"}
KEYS = ("number", "indicator", "title", "method", "responsible", "period", "budget")


@pytest.fixture
def web(tmp_path):
    app = create_app(tmp_path / "data")
    client = TestClient(app, client=LOCAL)
    links = set_up(client, details=FULL)
    yield client, links, tmp_path / "data"
    client.close()


def post_plan(client: TestClient, rows: list[dict[str, str]], action: str = "save", spare: int = 2):  # type: ignore[no-untyped-def]
    """The plan page's table posted as a browser does: every column's inputs in row order,
    the empty rows included."""
    page = client.get("/admin/plan")
    full = [{k: r.get(k, "") for k in KEYS} for r in rows] + [dict.fromkeys(KEYS, "")] * spare
    data: dict[str, object] = {"csrf": csrf_of(page.text), "action": action}
    for k in KEYS:
        data[k] = [r[k] for r in full]
    return client.post("/admin/plan", data=data)


def upload_plan(client: TestClient, name: str, data: bytes):  # type: ignore[no-untyped-def]
    page = client.get("/admin/plan")
    return client.post("/admin/plan/upload", data={"csrf": csrf_of(page.text)}, files={"plan": (name, data)})


def upload(client: TestClient, link: str, name: str, data: bytes):  # type: ignore[no-untyped-def]
    page = client.get(link)
    return client.post(f"{link}/upload", data={"csrf": csrf_of(page.text)}, files={"workbook": (name, data)})


TWO = [
    {"number": "1", "title": "มาตรการเผยแพร่ข้อมูลการเงิน", "method": "ประกาศทางเว็บไซต์", "responsible": "กองคลัง",
     "period": "ต.ค. 2567 - ก.ย. 2568", "budget": "5,000"},
    {"number": "2", "title": "มาตรการตรวจรับงานโปร่งใส", "method": "ตรวจรับต่อหน้ากรรมการ", "responsible": "กองช่าง",
     "period": "ปีงบประมาณ 2568"},
]  # fmt: skip


def form_rows(data: bytes) -> list[list[object]]:
    """A form's measure rows: its plan columns (ลำดับ … ระยะเวลา, then งบประมาณ)."""
    ws = openpyxl.load_workbook(io.BytesIO(data))["มาตรการ"]
    return [
        [c.value for c in row[:6]] + [row[9].value]
        for row in ws.iter_rows(min_row=3, max_row=10)
        if any(c.value for c in row)
    ]


def fill(data: bytes, results: dict[int, str]) -> bytes:
    """A department's form with ผลการดำเนินการ typed on its plan rows (row → text)."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for row, text in results.items():
        wb["มาตรการ"].cell(row, 7, text)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_typed_plan_is_kept_with_its_history_and_each_form_holds_its_own_rows(web, tmp_path):
    client, links, data = web
    response = post_plan(client, TWO)
    assert response.status_code == 200 and response.url.path == "/admin/plan", response.text[:500]
    assert "บันทึกแผนมาตรการแล้ว" in response.text
    form = client.get(f"{links['กองคลัง']}/form.xlsx")
    assert form.status_code == 200
    assert form_rows(form.content) == [[1, None, TWO[0]["title"], TWO[0]["method"], "กองคลัง", TWO[0]["period"], 5000]]
    assert [r[2] for r in form_rows(client.get(f"{links['กองช่าง']}/form.xlsx").content)] == [TWO[1]["title"]]
    assert form_rows(client.get(f"{links['สำนักปลัด']}/form.xlsx").content) == []
    # exactly the form `ita-report init --plan` writes from the downloaded plan workbook
    plan_file = tmp_path / "แผนมาตรการ.xlsx"
    plan_file.write_bytes(client.get("/admin/plan.xlsx").content)
    (written,) = api.init_forms(tmp_path / "กองคลัง.xlsx", departments=["กองคลัง"], plan=plan_file)
    assert form_rows(written.read_bytes()) == form_rows(form.content)
    # a second version keeps the first
    post_plan(client, TWO[:1])
    store = Store(data)
    assert [len(json.loads(p["rows"])) for p in store.plans(1)] == [1, 2]
    assert [r[2] for r in form_rows(client.get(f"{links['กองช่าง']}/form.xlsx").content)] == []


def test_add_rows_works_without_javascript_and_saves_nothing(web):
    client, _, data = web
    page = client.get("/admin/plan")
    assert page.text.count('name="title"') == 3  # three empty rows to start
    more = post_plan(client, TWO[:1], action="more", spare=0)
    assert more.status_code == 200
    assert more.text.count('name="title"') == 1 + 3 + 5 and TWO[0]["title"] in more.text
    assert Store(data).plans(1) == []


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"number": "", "title": "ก", "responsible": "กองคลัง"}, "row 1: the number"),
        ({"number": "หนึ่ง", "title": "ก", "responsible": "กองคลัง"}, "is not a whole number"),
        ({"number": "1", "title": "", "responsible": "กองคลัง"}, "the measure (มาตรการ) is empty"),
        ({"number": "1", "title": "ก", "responsible": ""}, "no department is responsible"),
        ({"number": "1", "title": "ก", "responsible": "กองคลัง", "budget": "ห้าพัน"}, "is not a number (such as 12500"),
    ],
)
def test_a_bad_typed_row_is_named_and_nothing_is_saved(web, row, expected):
    client, _, data = web
    response = post_plan(client, [row])
    assert response.status_code == 400 and expected in response.text
    assert Store(data).plans(1) == []


def test_duplicate_numbers_and_an_empty_table_are_refused(web):
    client, _, _ = web
    response = post_plan(client, [TWO[0], {**TWO[1], "number": "๑"}])
    assert response.status_code == 400 and "row 2: number 1 is row 1" in response.text
    assert "the table holds no measure" in post_plan(client, []).text


def test_cell_text_stays_text(web):
    client, links, _ = web
    row = {"number": "1", "title": '=HYPERLINK("http://x")<script>', "responsible": "ทุกส่วนราชการ"}
    assert post_plan(client, [row]).status_code == 200
    page = client.get("/admin/plan")
    assert "<script>" not in page.text and "&lt;script&gt;" in page.text
    ws = openpyxl.load_workbook(io.BytesIO(client.get("/admin/plan.xlsx").content))["แผนมาตรการ"]
    assert ws["C3"].value == row["title"] and ws["C3"].data_type == "s"
    rows = form_rows(client.get(f"{links['กองช่าง']}/form.xlsx").content)
    assert rows[0][2] == row["title"]  # everyone's row: in every form


def test_an_uploaded_plan_is_read_in_the_worker_and_kept_with_its_file(web):
    client, links, data = web
    response = upload_plan(client, "แผนมาตรการ.xlsx", PLAN.read_bytes())
    assert response.status_code == 200 and "บันทึกแผนมาตรการแล้ว" in response.text
    (version,) = Store(data).plans(1)
    assert version["source"] == "upload" and len(json.loads(version["rows"])) == 3
    assert client.get(f"/admin/plan/{version['id']}/original").content == PLAN.read_bytes()
    # the plan's three rows are everyone's: every form holds them
    assert [r[0] for r in form_rows(client.get(f"{links['กองคลัง']}/form.xlsx").content)] == [1, 2, 3]


@pytest.mark.parametrize(
    ("name", "payload", "expected"),
    [
        ("แผน.xlsx", random_bytes(), "not-a-workbook"),
        ("แผน.xlsx", zip_bomb(), "cannot read a measures plan"),
        ("แผน.txt", b"hello", "send the plan as an .xlsx"),
        ("แผน.xlsx", b"", "the file is empty"),
        ("กองคลัง.xlsx", sample("กองคลัง"), "cannot read a measures plan"),  # a department's workbook, no plan
    ],
)
def test_a_hostile_or_wrong_plan_upload_gets_a_message_and_the_server_keeps_serving(web, name, payload, expected):
    client, _, data = web
    response = upload_plan(client, name, payload)
    assert response.status_code == 400 and expected in response.text, response.text[-3000:]
    assert Store(data).plans(1) == []
    assert client.get("/admin").status_code == 200


def test_a_blank_plan_with_its_findings_at_their_cells(web):
    client, _, _ = web
    blank = client.get("/admin/plan.xlsx?blank=1")
    assert blank.status_code == 200
    response = upload_plan(client, "แผนมาตรการ.xlsx", blank.content)
    assert response.status_code == 400 and "no-measures" in response.text and "แผนมาตรการ.xlsx" in response.text


def test_uploads_are_checked_against_the_plan_and_the_overview_lists_what_nobody_reported(web):
    client, links, _ = web
    post_plan(client, TWO)
    overview = client.get("/admin")
    assert "plan-not-reported" not in overview.text and "the plan holds 2 measure(s)" in overview.text
    form = client.get(f"{links['กองคลัง']}/form.xlsx").content
    done = fill(form, {3: "ประกาศแล้ว 12 ครั้ง", 4: "มาตรการของกองเอง"})
    wb = openpyxl.load_workbook(io.BytesIO(done))
    wb["มาตรการ"]["C3"] = "มาตรการที่พิมพ์ทับ"  # a locked plan cell typed over (the sheet's protection has no password)
    wb["มาตรการ"]["C4"] = "มาตรการของกองเอง"
    wb["มาตรการ"]["E4"] = "กองคลัง"
    out = io.BytesIO()
    wb.save(out)
    response = upload(client, links["กองคลัง"], "กองคลัง.xlsx", out.getvalue())
    assert response.status_code == 200
    assert "not-in-plan" in response.text and "plan-not-reported" not in response.text
    codes = [(f["code"], f["cell"]) for f in latest_result(client)["findings"]]
    assert ("not-in-plan", "C4") in codes
    overview = client.get("/admin")
    assert overview.text.count("plan-not-reported") == 1 and TWO[1]["title"] in overview.text


def latest_result(client: TestClient) -> dict:  # type: ignore[type-arg]
    store = client.app.state.store
    with store.connection() as db:
        row = db.execute("SELECT result FROM upload ORDER BY id DESC LIMIT 1").fetchone()
    return json.loads(row[0])  # type: ignore[no-any-return]


def test_a_changed_plan_cell_is_named_at_its_cell(web):
    client, links, _ = web
    post_plan(client, TWO)
    form = client.get(f"{links['กองช่าง']}/form.xlsx").content
    wb = openpyxl.load_workbook(io.BytesIO(fill(form, {3: "ตรวจรับแล้วทุกงาน"})))
    wb["มาตรการ"]["D3"] = "วิธีอื่น"
    out = io.BytesIO()
    wb.save(out)
    upload(client, links["กองช่าง"], "กองช่าง.xlsx", out.getvalue())
    assert ("plan-cell-changed", "D3") in [(f["code"], f["cell"]) for f in latest_result(client)["findings"]]


def test_the_report_is_built_from_the_plan(web):
    client, links, _ = web
    post_plan(client, TWO)
    form = client.get(f"{links['กองคลัง']}/form.xlsx").content
    upload(client, links["กองคลัง"], "กองคลัง.xlsx", fill(form, {3: "ประกาศงบการเงินแล้ว 12 ครั้ง"}))
    page = client.get("/admin")
    response = client.post("/admin/build", data={"csrf": csrf_of(page.text)})
    build = response.url.path
    for _ in range(240):
        page = client.get(build)
        if "เสร็จแล้ว" in page.text or "failed" in page.text or "สร้างไม่ได้" in page.text:
            break
        time.sleep(0.5)
    assert "เสร็จแล้ว" in page.text, page.text[-2000:]
    report = docx.Document(io.BytesIO(client.get(f"{build}/files/0").content))
    cells = "\n".join(c.text for t in report.tables for row in t.rows for c in row.cells)
    text = cells.replace("\u200b", "").replace("\u2060", "")  # the line-breaking hints
    assert TWO[0]["title"] in text and "ประกาศงบการเงินแล้ว" in text
    assert TWO[1]["title"] in text  # the plan measure nobody reported is listed too
    assert "plan-not-reported" in page.text


def first_start(client: TestClient, plan: tuple[str, bytes], **details: str):  # type: ignore[no-untyped-def]
    page = client.get("/setup")
    return client.post(
        "/setup",
        data={
            "csrf": csrf_of(page.text),
            **details,
            "department": ["กองคลัง"],
            "password": PASSWORD,
            "password2": PASSWORD,
        },
        files={"plan_workbook": plan},
    )


def test_the_first_start_takes_the_plan_and_its_details(tmp_path):
    client = TestClient(create_app(tmp_path), client=LOCAL)
    response = first_start(client, ("แผนมาตรการ.xlsx", PLAN.read_bytes()))  # no details typed: the plan's
    assert response.status_code == 200 and response.url.path == "/admin", response.text[-2000:]
    assert "the plan holds 3 measure(s)" in response.text
    store = Store(tmp_path)
    assert json.loads(store.workspace()["details"])["organisation"] == "เทศบาลตำบลโพนทราย"
    assert store.plans(1)[0]["filename"] == "แผนมาตรการ.xlsx"


def test_a_bad_plan_at_the_first_start_sets_nothing_up(tmp_path):
    client = TestClient(create_app(tmp_path), client=LOCAL)
    response = first_start(client, ("แผน.xlsx", random_bytes()), organisation="อบต.ทดสอบ")
    assert response.status_code == 400 and "cannot read a measures plan from &#39;แผน.xlsx" in response.text
    assert "not-a-workbook" in response.text and Store(tmp_path).workspace() is None


def test_the_plan_can_be_given_up_and_its_history_is_kept(web):
    client, links, data = web
    assert 'value="clear"' not in client.get("/admin/plan").text  # nothing to give up yet
    blank = form_rows(client.get(f"{links['กองคลัง']}/form.xlsx").content)  # its example row only
    post_plan(client, TWO)
    assert 'value="clear"' in client.get("/admin/plan").text
    assert [r[2] for r in form_rows(client.get(f"{links['กองคลัง']}/form.xlsx").content)] == [TWO[0]["title"]]
    cleared = post_plan(client, [], action="clear")
    assert cleared.status_code == 200 and cleared.url.path == "/admin/plan"
    assert 'value="clear"' not in cleared.text
    # the forms are blank again, the overview shows no plan, both versions are kept
    assert form_rows(client.get(f"{links['กองคลัง']}/form.xlsx").content) == blank
    assert TWO[0]["title"] not in str(blank)
    assert [len(json.loads(p["rows"])) for p in Store(data).plans(1)] == [0, 2]
    assert "ยังไม่มีแผนมาตรการ" in client.get("/admin").text
