"""The views of a district's workspace (issue 15): its organisations upload through their own
links (``/o/<token>``) and see at once what the district will see; the district, signed in,
has the dashboard (``/district``), the organisations' links (add, revoke, reissue, print)
and the downloads of ``ita-report district`` (the summary workbook and the memo).

The organisations are the storage's ``department`` rows of the district's workspace, their
submissions its ``upload`` rows (see ``district_jobs`` for how a submission is stored and
surveyed). The latest upload of each organisation counts; the earlier ones are listed as
superseded.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from compiler.web import district_jobs, pipeline
from compiler.web.pages import (
    details_of,
    download,
    emblem_picture,
    limits,
    media_type,
    message,
    post_form,
    public_base,
    receive_emblem,
    render,
    require_admin,
    store,
    workspace,
)

MAX_FILES = 30  # workbooks in one upload (an organisation has a dozen departments at most)
MAX_ORGANISATIONS = 2000

#: The district's statuses (``OrganisationSummary.status``): Thai, English, badge class.
DISTRICT_STATUS = {
    None: ("ยังไม่ส่ง", "not sent", "none"),
    "ok": ("ผ่าน", "ok", "ok"),
    "warnings": ("ผ่าน มีคำเตือน", "ok, with warnings", "warn"),
    "errors": ("มีข้อผิดพลาด", "has errors", "bad"),
    "unreadable": ("อ่านไม่ได้", "unreadable", "bad"),
    "checking": ("กำลังตรวจ", "checking", "busy"),
}
LEVELS = ("AA", "A", "B", "C", "D", "E", "F", "")


def _district(request: Request) -> Any:
    return workspace(request, "district")


def _render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    return render(request, name, status_code, overview="/district", DISTRICT_STATUS=DISTRICT_STATUS, **context)


# -- the dashboard's data ---------------------------------------------------------------------


def dashboard_rows(request: Request) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """Each organisation with its latest submission's survey (from the cache, else surveyed
    now); ``(rows, id → inbox name)``."""
    st, lim = store(request), limits(request)
    orgs = st.organisations(_district(request)["id"])
    names = district_jobs.inbox_names(orgs)
    wanted = {
        int(o["upload_id"]): (o["blob"], names[int(o["id"])])
        for o in orgs
        if o["upload_id"] is not None and o["status"] != "checking"
    }
    results = district_jobs.surveys(st, lim, wanted)
    rows = []
    for o in orgs:
        survey = results.get(int(o["upload_id"])) if o["upload_id"] is not None else None
        status = survey["summary"]["status"] if survey else ("checking" if o["upload_id"] is not None else None)
        rows.append({"org": o, "survey": survey, "status": status})
    return rows, names


def counts(rows: list[dict[str, Any]]) -> dict[str, Any]:
    sent = [r for r in rows if r["survey"]]
    by_status = Counter(r["status"] for r in rows)
    by_level = Counter(r["survey"]["level"] for r in sent)
    by_type = Counter((r["survey"]["summary"]["kind"] or "ไม่ทราบประเภท") for r in sent)
    top = max([1, *by_level.values()])
    return {
        "expected": len(rows),
        "sent": len(sent),
        "not_sent": [r["org"]["name"] for r in rows if r["status"] is None],
        "status": [(s, by_status.get(s, 0)) for s in ("ok", "warnings", "errors", "unreadable", "checking", None)],
        "levels": [(lv, by_level.get(lv, 0), round(100 * by_level.get(lv, 0) / top)) for lv in LEVELS],
        "types": sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0])),
    }


# -- views: the district ------------------------------------------------------------------------


async def dashboard(request: Request) -> Response:
    require_admin(request)
    ws = _district(request)
    rows, _ = await run_in_threadpool(dashboard_rows, request)
    return _render(
        request,
        "district.html",
        details=details_of(ws),
        rows=rows,
        counts=counts(rows),
        base=public_base(request),
        refresh=request.query_params.get("refresh", "20") != "0",
        emblem=bool(store(request).setting("emblem")),
    )


async def district_emblem(request: Request) -> Response:
    """The Garuda emblem's picture for the memo to the district chief (PNG or JPEG)."""
    return await receive_emblem(request, "/district#emblem")


async def district_emblem_picture(request: Request) -> Response:
    return emblem_picture(request)


async def organisation_history(request: Request) -> Response:
    """One organisation's every upload, for the district (superseded ones included)."""
    require_admin(request)
    org = _organisation(request)
    return _history_page(request, org, secretary=True)


def _organisation(request: Request) -> Any:
    org = store(request).department(request.path_params["id"])
    if org is None or org["workspace_id"] != _district(request)["id"]:
        raise HTTPException(404)
    return org


async def add_organisations(request: Request) -> Response:
    require_admin(request)
    ws = _district(request)
    try:
        form = await post_form(request, files=1)
    except ClientDisconnect:
        return Response(status_code=400)
    try:
        names = await names_from(request, form)
    finally:
        await form.close()
    if isinstance(names, Response):
        return names
    st = store(request)
    have = len(st.organisations(ws["id"]))
    for name in names[: max(0, MAX_ORGANISATIONS - have)]:
        await run_in_threadpool(st.add_department, ws["id"], name)
    return RedirectResponse("/district#organisations", 303)


async def names_from(request: Request, form: FormData) -> list[str] | Response:
    """Names typed one a line, and those of an uploaded ``--expect`` list (read in a worker)."""
    typed = [" ".join(line.split())[:100] for line in str(form.get("names", "")).splitlines()]
    names = [n for n in typed if n]
    file = form.get("expect")
    if isinstance(file, UploadFile) and file.filename:
        suffix = Path(file.filename.replace("\\", "/")).suffix.lower()
        if suffix not in (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt"):
            return message(
                request,
                400,
                ("รายชื่อต้องเป็นไฟล์ .xlsx .xls .ods .csv หรือ .txt", "the list must be .xlsx, .xls, .ods, .csv or .txt"),
                (file.filename, file.filename),
                "/district",
            )
        data = await file.read(limits(request).upload_mb * 1024 * 1024 + 1)
        try:
            names += await run_in_threadpool(
                pipeline.run_contained,
                district_jobs.expect_names,
                suffix,
                data,
                timeout_s=limits(request).check_timeout_s,
                memory_mb=limits(request).check_memory_mb,
            )
        except pipeline.CompilerError as exc:
            return message(
                request,
                400,
                ("อ่านรายชื่อหน่วยงานไม่ได้", "cannot read the list"),
                (exc.message_th, exc.message_en),
                "/district",
            )
    names = list(dict.fromkeys(" ".join(n.split())[:100] for n in names if n.strip()))
    if not names:
        return message(
            request,
            400,
            ("ยังไม่มีรายชื่อ", "no names"),
            ("พิมพ์ชื่อหน่วยงานบรรทัดละหนึ่งชื่อ หรือเลือกไฟล์รายชื่อ", "type one name a line, or choose a list file"),
            "/district",
        )
    return names


async def revoke(request: Request) -> Response:
    require_admin(request)
    await post_form(request)
    org = _organisation(request)
    await run_in_threadpool(store(request).revoke_link, org["id"])
    return RedirectResponse("/district#organisations", 303)


async def remove(request: Request) -> Response:
    """Take an organisation added by mistake off the list (only one that has never sent)."""
    require_admin(request)
    await post_form(request)
    org = _organisation(request)
    if not await run_in_threadpool(store(request).remove_organisation, org["id"]):
        sent = ("หน่วยงานนี้ส่งแล้ว: ลบไม่ได้ ยกเลิกลิงก์แทนได้", "it has sent already: revoke its link instead")
        return message(request, 409, ("ลบหน่วยงานไม่ได้", "cannot remove it"), sent, "/district#organisations")
    return RedirectResponse("/district#organisations", 303)


async def reissue(request: Request) -> Response:
    require_admin(request)
    await post_form(request)
    org = _organisation(request)
    await run_in_threadpool(store(request).reissue_token, org["id"])
    return RedirectResponse("/district#organisations", 303)


async def printable_links(request: Request) -> Response:
    require_admin(request)
    ws = _district(request)
    orgs = [o for o in store(request).organisations(ws["id"]) if not o["revoked"]]
    base = public_base(request)
    return _render(
        request,
        "district_links.html",
        details=details_of(ws),
        links=[(o["name"], f"{base}/o/{o['token']}", qr_svg(f"{base}/o/{o['token']}")) for o in orgs],
    )


def qr_svg(url: str) -> str:
    """The link as an inline SVG QR code (``segno``: made of our own URL only, no markup
    from a request)."""
    import segno

    return str(segno.make(url, error="m").svg_inline(scale=3, omitsize=False))


async def download_file(request: Request) -> Response:
    """The summary workbook or the memo of ``ita-report district``, from the latest
    submission of each organisation (made in a contained worker)."""
    require_admin(request)
    which = request.path_params["which"]
    if which not in ("summary.xlsx", "memo.docx"):
        raise HTTPException(404)
    ws = _district(request)
    st = store(request)
    orgs = st.organisations(ws["id"])
    names = district_jobs.inbox_names(orgs)
    entries = []
    for o in orgs:
        if o["upload_id"] is None:
            continue
        kind, files = district_jobs.read_manifest(st, o["blob"])
        entries.append((names[int(o["id"])], kind, files))
    if not entries:
        return message(
            request,
            409,
            ("ยังไม่มีหน่วยงานใดส่ง", "nothing sent yet"),
            ("รอให้หน่วยงานส่งก่อน", "wait for a submission"),
            "/district",
        )
    try:
        # run_district surveys each submission in its own contained worker (compiler.workers)
        # and writes the summary from those surveys' plain values: run here, in a thread
        emblem = st.setting("emblem")
        made = await run_in_threadpool(
            district_jobs.district_files,
            entries,
            [o["name"] for o in orgs],
            "",
            st.folder / "cache",
            st.get_blob(emblem) if emblem else None,
        )
    except pipeline.CompilerError as exc:
        return message(
            request, 500, ("สร้างไฟล์สรุปไม่ได้", "cannot make the summary"), (exc.message_th, exc.message_en), "/district"
        )
    files = dict(made["files"])
    name = district_jobs.SUMMARY_NAME if which == "summary.xlsx" else district_jobs.MEMO_NAME
    return download(files[name], name, media_type(name))


# -- views: an organisation, through its link -----------------------------------------------------


def _org_by_token(request: Request) -> Any:
    org = store(request).department_by_token(request.path_params["token"])
    if org is None or org["workspace_id"] != _district(request)["id"]:
        raise HTTPException(404, "no such link")
    return org


def _history_page(
    request: Request, org: Any, *, secretary: bool = False, shown_id: int | None = None, status_code: int = 200
) -> Response:
    st, lim = store(request), limits(request)
    uploads = st.uploads(org["id"])
    names = district_jobs.inbox_names(st.organisations(org["workspace_id"]))
    submission = names[int(org["id"])]
    wanted = {int(u["id"]): (u["blob"], submission) for u in uploads if u["status"] != "checking"}
    results = district_jobs.surveys(st, lim, wanted)
    history = [{"row": u, "survey": results.get(int(u["id"]))} for u in uploads]
    shown = next((h for h in history if h["row"]["id"] == shown_id), history[0] if history else None)
    return _render(
        request,
        "district_org.html",
        status_code,
        district=details_of(_district(request)),
        org=org,
        history=history,
        shown=shown,
        latest=history[0]["row"]["id"] if history else None,
        secretary=secretary,
        base_path=f"/district/organisations/{org['id']}" if secretary else f"/o/{org['token']}",
        limits=lim,
        max_files=MAX_FILES,
    )


async def organisation(request: Request) -> Response:
    org = _org_by_token(request)
    return await run_in_threadpool(_history_page, request, org)


async def organisation_upload_page(request: Request) -> Response:
    org = _org_by_token(request) if "token" in request.path_params else None
    if org is None:
        require_admin(request)
        org = _organisation(request)
    upload = store(request).upload(request.path_params["upload"])
    if upload is None or upload["department_id"] != org["id"]:
        raise HTTPException(404)
    return await run_in_threadpool(
        _history_page, request, org, secretary="token" not in request.path_params, shown_id=upload["id"]
    )


async def organisation_upload(request: Request) -> Response:
    org = _org_by_token(request)
    try:
        form = await post_form(request, files=MAX_FILES)
    except ClientDisconnect:
        return Response(status_code=400)  # cut off half-way: nothing was stored
    try:
        return await _receive(request, org, form)
    finally:
        await form.close()


def _refuse(request: Request, org: Any, status: int, title: tuple[str, str], text: tuple[str, str]) -> Response:
    return message(request, status, title, text, f"/o/{org['token']}")


async def _receive(request: Request, org: Any, form: FormData) -> Response:
    from compiler.uploads import safe_name

    st, lim = store(request), limits(request)
    chosen = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    if not chosen:
        return _refuse(
            request,
            org,
            400,
            ("ยังไม่ได้เลือกไฟล์", "no file chosen"),
            ("เลือกไฟล์ .zip หรือแบบรายงาน Excel แล้วกดส่ง", "choose a .zip or the workbooks, then send"),
        )
    budget = lim.upload_mb * 1024 * 1024
    got: list[tuple[str, bytes]] = []
    for i, file in enumerate(chosen):
        name = safe_name(file.filename or "", i)
        suffix = Path(name).suffix.lower()
        if suffix != ".zip" and not pipeline.suffix_of(name):
            return _refuse(
                request,
                org,
                400,
                ("ส่งได้เฉพาะ .zip หรือแบบรายงาน Excel", "send a .zip or workbooks only"),
                (f"'{name}': ไม่ใช่ .zip .xlsx .xlsm .xls หรือ .ods", f"'{name}': not a .zip, .xlsx, .xlsm, .xls or .ods"),
            )
        data = await file.read(budget + 1)
        budget -= len(data)
        if budget < 0:
            return _refuse(
                request,
                org,
                413,
                ("ไฟล์ใหญ่เกินกำหนด", "files too large"),
                (f"ส่งได้ไม่เกิน {lim.upload_mb} MB ต่อครั้ง", f"at most {lim.upload_mb} MB per upload"),
            )
        if not data:
            return _refuse(request, org, 400, ("ไฟล์ว่างเปล่า", "the file is empty"), (name, name))
        got.append((name, data))
    zips = [n for n, _ in got if n.lower().endswith(".zip")]
    if zips and len(got) > 1:
        return _refuse(
            request,
            org,
            400,
            ("ส่ง .zip ได้ครั้งละหนึ่งไฟล์ และไม่ปนกับไฟล์ Excel", "one .zip at a time, without workbooks beside it"),
            (", ".join(zips), ", ".join(zips)),
        )
    hour_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).replace(microsecond=0).isoformat()
    if await run_in_threadpool(st.recent_uploads, org["id"], hour_ago) >= lim.uploads_per_hour:
        return _refuse(
            request,
            org,
            429,
            ("ส่งบ่อยเกินไป", "too many uploads"),
            (f"ส่งได้ไม่เกิน {lim.uploads_per_hour} ครั้งต่อชั่วโมง", f"at most {lim.uploads_per_hour} uploads an hour"),
        )
    upload_id = await run_in_threadpool(_store_submission, request, org, got)
    return RedirectResponse(f"/o/{org['token']}/uploads/{upload_id}", 303)


def _store_submission(request: Request, org: Any, got: list[tuple[str, bytes]]) -> int:
    """Keep the files and their manifest, record the upload, survey it (cached) and record
    its status; returns the upload's id."""
    st, lim = store(request), limits(request)
    names: list[str] = []
    for name, _ in got:  # two workbooks of one name: the second is numbered
        stem, suffix, n = Path(name).stem, Path(name).suffix, 2
        while name.casefold() in (x.casefold() for x in names):
            name, n = f"{stem} ({n}){suffix}", n + 1
        names.append(name)
    files = []
    for name, (_, data) in zip(names, got, strict=True):
        blob = st.put_blob(data)
        files.append((name, blob.hash, blob.size))
    kind = "zip" if names[0].lower().endswith(".zip") else "workbooks"
    label = names[0] if len(names) == 1 else f"{names[0]} (+{len(names) - 1})"
    upload_id = st.add_upload(org["id"], label, district_jobs.manifest(kind, files))
    submission = district_jobs.inbox_names(st.organisations(org["workspace_id"]))[int(org["id"])]
    district_jobs.finish(st, lim, upload_id, submission)
    return upload_id


async def organisation_file(request: Request) -> Response:
    """One file of an upload, back to the organisation that sent it (or the district)."""
    if "token" in request.path_params:
        org = _org_by_token(request)
    else:
        require_admin(request)
        org = _organisation(request)
    st = store(request)
    upload = st.upload(request.path_params["upload"])
    if upload is None or upload["department_id"] != org["id"]:
        raise HTTPException(404)
    data = json.loads(st.get_blob(upload["blob"]))
    pos = request.path_params["pos"]
    if not 0 <= pos < len(data["files"]):
        raise HTTPException(404)
    name, digest, _ = data["files"][pos]
    return download(st.get_blob(digest), name, media_type(name))


ROUTES = [
    Route("/district", dashboard),
    Route("/district/organisations", add_organisations, methods=["POST"]),
    Route("/district/organisations/{id:int}", organisation_history),
    Route("/district/organisations/{id:int}/revoke", revoke, methods=["POST"]),
    Route("/district/organisations/{id:int}/reissue", reissue, methods=["POST"]),
    Route("/district/organisations/{id:int}/remove", remove, methods=["POST"]),
    Route("/district/organisations/{id:int}/uploads/{upload:int}", organisation_upload_page),
    Route("/district/organisations/{id:int}/uploads/{upload:int}/files/{pos:int}", organisation_file),
    Route("/district/links", printable_links),
    Route("/district/emblem", district_emblem, methods=["POST"]),
    Route("/district/emblem.png", district_emblem_picture),
    Route("/district/{which}", download_file),
    Route("/o/{token}", organisation),
    Route("/o/{token}/upload", organisation_upload, methods=["POST"]),
    Route("/o/{token}/uploads/{upload:int}", organisation_upload_page),
    Route("/o/{token}/uploads/{upload:int}/files/{pos:int}", organisation_file),
]
