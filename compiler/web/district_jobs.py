"""The district's work on its organisations' uploads: surveying one submission and writing
the summary workbook and memo, each in a contained worker, through the library's own
``compiler.district.intake`` (so the page shows what ``ita-report district`` reports).

A submission is stored as a *manifest* blob (JSON: ``{"kind": "zip"|"workbooks", "files":
[[name, sha256, size], …]}``) naming the blobs of its files; the upload row's ``blob`` is
the manifest's hash. To survey it, a worker lays it out as ``ita-report district`` expects
one organisation in an inbox: ``<name>.zip`` for a zip, a folder ``<name>/`` of workbooks
otherwise, where ``<name>`` is the organisation's name made safe for a file name.

Surveys are cached in SQLite by the manifest's hash and that name (``survey_cache``): the
dashboard surveys only what it has never seen. A cache entry that does not read back as a
complete survey is not trusted: it is recomputed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from compiler.district.model import OrganisationSummary
from compiler.web import pipeline
from compiler.web.pages import Limits
from compiler.web.storage import Store

CACHE_VERSION = 1
SUMMARY_NAME = "สรุปการส่งเอกสาร ITA.xlsx"
MEMO_NAME = "บันทึกข้อความ สรุปการส่ง ITA.docx"

# -- names ----------------------------------------------------------------------------------


def inbox_names(organisations: Iterable[Any]) -> dict[int, str]:
    """Each organisation's name in an inbox (``id → name``): its name made safe for a file
    name on Windows, unique (a clash gets the organisation's number)."""
    from compiler.safeio import safe_stem

    out: dict[int, str] = {}
    taken: set[str] = set()
    for org in organisations:
        name = safe_stem(org["name"], limit=80) or f"organisation-{org['id']}"
        if name.casefold() in taken:
            name = f"{name} ({org['id']})"
        taken.add(name.casefold())
        out[int(org["id"])] = name
    return out


def manifest(kind: str, files: list[tuple[str, str, int]]) -> bytes:
    """The manifest of a submission: ``kind`` and its files' (safe name, hash, size)."""
    return json.dumps({"kind": kind, "files": files}, ensure_ascii=False, sort_keys=True).encode()


def read_manifest(st: Store, digest: str) -> tuple[str, list[tuple[str, str]]]:
    """``(kind, [(name, blob path)…])`` of a stored manifest."""
    data = json.loads(st.get_blob(digest))
    files = [(str(name), str(st.blob_path(str(h)))) for name, h, _ in data["files"]]
    return str(data["kind"]), files


def _program_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ita-report")
    except PackageNotFoundError:
        return "unknown"


def cache_key(manifest_hash: str, submission: str) -> str:
    """The cache's key of a survey: what was surveyed, under which name, by which release
    (a new release surveys again; bump ``CACHE_VERSION`` when the survey changes between releases)."""
    return hashlib.sha256(f"{_program_version()}\0{manifest_hash}\0{submission}".encode()).hexdigest()


# -- in the worker ----------------------------------------------------------------------------


def _lay_out(folder: Path, submission: str, kind: str, files: list[tuple[str, str]]) -> Path:
    """One organisation's submission in the inbox ``folder``, as a clerk would have saved it.
    ``files`` name the server's own blobs (never a path from a request)."""
    import shutil

    if kind == "zip":
        target = folder / f"{submission}.zip"
        shutil.copyfile(files[0][1], target)
        return target
    target = folder / submission
    target.mkdir()
    for name, blob in files:
        shutil.copyfile(blob, target / name)
    return target


def survey_submission(submission: str, kind: str, files: list[tuple[str, str]]) -> dict[str, Any]:
    """The district's survey of one submission (``compiler.district.survey.survey``) as
    JSON-ready values: the summary's fields, its NACC level and its findings."""
    from compiler.district.survey import survey
    from compiler.inmemory import findings_json

    with tempfile.TemporaryDirectory(prefix="ita-district-web-") as tmp:
        summary, details = survey(_lay_out(Path(tmp), submission, kind, files))
    return {
        "summary": dataclasses.asdict(summary),
        "level": summary.level,
        "findings": findings_json(details.findings),
    }


#: The last summary and memo made, by what they were made from: the page offers both, and a
#: district downloads them one after the other (and again) while nothing new has been sent.
_made: dict[str, dict[str, Any]] = {}
_made_lock = threading.Lock()


def district_files(
    entries: list[tuple[str, str, list[tuple[str, str]]]],
    expected: list[str],
    district: str = "",
    cache_folder: Path | None = None,
    emblem: bytes | None = None,
) -> dict[str, Any]:
    """The summary workbook and the memo of ``ita-report district`` run on an inbox of
    ``entries`` (submission name, kind, files) with ``expected`` as its ``--expect`` list.

    Made again only when something they depend on changed (the last pair is kept in the
    process); each submission's survey is reused from the district's result cache in
    ``cache_folder`` (:mod:`compiler.district.cache`) when its content has not changed.
    ``emblem``: the Garuda emblem's picture (PNG or JPEG bytes) for the memo."""
    mark = hashlib.sha256(emblem).hexdigest() if emblem else ""
    key = hashlib.sha256(repr((_program_version(), entries, expected, district, mark)).encode("utf-8")).hexdigest()
    with _made_lock:
        if key in _made:
            return _made[key]
    made = _district_files(entries, expected, cache_folder, emblem)
    with _made_lock:
        _made.clear()
        _made[key] = made
    return made


def _district_files(
    entries: list[tuple[str, str, list[tuple[str, str]]]],
    expected: list[str],
    cache_folder: Path | None,
    emblem: bytes | None,
) -> dict[str, Any]:
    from compiler.district.cache import SurveyCache
    from compiler.district.intake import run_district

    with tempfile.TemporaryDirectory(prefix="ita-district-web-") as tmp:
        inbox, out = Path(tmp) / "inbox", Path(tmp) / "out"
        inbox.mkdir()
        out.mkdir()
        for submission, kind, files in entries:
            _lay_out(inbox, submission, kind, files)
        expect = Path(tmp) / "expect.txt"
        expect.write_text("\n".join(expected) + "\n", encoding="utf-8")
        if not entries:
            return {"files": [], "empty": True}
        cache = SurveyCache.open(cache_folder) if cache_folder is not None else None
        picture = None
        if emblem and pipeline.picture_suffix(emblem):
            picture = Path(tmp) / f"emblem{pipeline.picture_suffix(emblem)}"
            picture.write_bytes(emblem)
        result = run_district(
            inbox, out / SUMMARY_NAME, docx=out / MEMO_NAME, expect=expect, emblem=picture, cache=cache
        )
        return {"files": [(p.name, p.read_bytes()) for p in result.written], "empty": False}


def expect_names(suffix: str, data: bytes) -> list[str]:
    """The organisation names of an uploaded ``--expect`` list (``read_expect_list``)."""
    from compiler.district.expect import read_expect_list

    with tempfile.TemporaryDirectory(prefix="ita-district-web-") as tmp:
        path = Path(tmp) / f"expect{suffix}"
        path.write_bytes(data)
        return read_expect_list(path)


# -- in the server: the cache -----------------------------------------------------------------

_SUMMARY_FIELDS = {f.name for f in dataclasses.fields(OrganisationSummary)}
_FINDING_KEYS = {"file", "sheet", "cell", "severity", "code", "message_th", "message_en"}


def valid_result(result: object) -> bool:
    """Whether a cached survey reads back complete: the summary's every field, a level and
    findings with what the page shows. Anything else is recomputed, never shown."""
    if not isinstance(result, dict) or set(result) != {"summary", "level", "findings"}:
        return False
    summary, findings = result["summary"], result["findings"]
    if not isinstance(summary, dict) or set(summary) != _SUMMARY_FIELDS or not isinstance(result["level"], str):
        return False
    if summary["status"] not in ("ok", "warnings", "errors", "unreadable"):
        return False
    if not isinstance(summary["errors"], int) or not isinstance(summary["warnings"], int):
        return False
    if summary["score"] is not None and not isinstance(summary["score"], (int, float)):
        return False
    return isinstance(findings, list) and all(isinstance(f, dict) and _FINDING_KEYS <= set(f) for f in findings)


def survey_contained(lim: Limits, submission: str, kind: str, files: list[tuple[str, str]]) -> dict[str, Any]:
    """One survey in a contained worker (the one place a survey is computed: tests count it)."""
    return pipeline.run_contained(  # type: ignore[no-any-return]
        survey_submission, submission, kind, files, timeout_s=lim.check_timeout_s, memory_mb=lim.check_memory_mb
    )


def failed_result(submission: str, th: str, en: str) -> dict[str, Any]:
    """The survey of a submission the worker could not survey (too slow, too big, crashed)."""
    from compiler.district.expect import submission_name

    summary = {k: None for k in _SUMMARY_FIELDS}
    summary.update(
        submission=submission,
        name=submission_name(submission),
        kind="",
        district="",
        province="",
        departments=[],
        files=0,
        measures=0,
        measures_with_results=0,
        errors=1,
        warnings=0,
        stated_level="",
        status="unreadable",
        codes=["worker-died"],
    )
    finding = {
        "file": submission,
        "sheet": "",
        "cell": "",
        "severity": "error",
        "code": "worker-died",
        "message_th": th,
        "message_en": en,
    }
    return {"summary": summary, "level": "", "findings": [finding]}


def surveys(st: Store, lim: Limits, wanted: dict[int, tuple[str, str]]) -> dict[int, dict[str, Any]]:
    """``upload id → survey`` for ``wanted`` (``upload id → (manifest hash, submission)``):
    from the cache, else surveyed now (in a contained worker) and cached."""
    keys = {uid: cache_key(h, sub) for uid, (h, sub) in wanted.items()}
    cached = st.cached_surveys(sorted(set(keys.values())))
    out: dict[int, dict[str, Any]] = {}
    for uid, key in keys.items():
        hit = cached.get(key)
        if hit is not None and hit[0] == CACHE_VERSION:
            try:
                result = json.loads(hit[1])
            except ValueError:
                result = None
            if valid_result(result):
                out[uid] = result
                continue
        manifest_hash, submission = wanted[uid]
        try:
            kind, files = read_manifest(st, manifest_hash)
            result = survey_contained(lim, submission, kind, files)
        except pipeline.CompilerError as exc:
            # the worker's failure (too slow, too much memory, crashed) is this content's
            # result too: cached, so a hostile file does not hold up every dashboard load
            result = failed_result(submission, exc.message_th, exc.message_en)
        st.put_survey(key, CACHE_VERSION, result)
        cached[key] = (CACHE_VERSION, json.dumps(result, ensure_ascii=False))
        out[uid] = result
    return out


def finish(st: Store, lim: Limits, upload_id: int, submission: str) -> dict[str, Any]:
    """Survey a stored submission (cached) and record its status on the upload; its survey."""
    upload = st.upload(upload_id)
    result = surveys(st, lim, {upload_id: (upload["blob"], submission)})[upload_id]
    status = result["summary"]["status"]
    recorded = {"ok": "ok", "warnings": "warnings", "errors": "errors"}.get(status, "failed")
    st.finish_upload(upload_id, recorded, {"district_status": status}, None)
    return result


def finish_interrupted(st: Store, lim: Limits) -> None:
    """A district's uploads a stopped server had stored but not surveyed: surveyed now."""
    ws = st.workspace()
    if ws is None:
        return
    orgs = st.organisations(ws["id"])
    names = inbox_names(orgs)
    for upload_id in st.unchecked_uploads():
        upload = st.upload(upload_id)
        if upload is not None and int(upload["department_id"]) in names:
            finish(st, lim, upload_id, names[int(upload["department_id"])])
