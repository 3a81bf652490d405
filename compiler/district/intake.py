"""The district intake: every organisation's submission checked and merged, summarised.

An inbox holds one folder or one .zip per organisation (a loose workbook counts as a
submission of one file). Each is checked and merged as ``build`` does, into a small frozen
``OrganisationSummary``; one broken organisation never stops the others. Submissions are
surveyed in parallel across the machine's cores; the workers send back only the summary,
their details (findings, measures) already pickled and compressed, which the parent spools
to a temporary file, so memory stays flat however many organisations the inbox holds, and
the organisation's pieces of the summary workbook's big sheets, made and compressed in the
worker (``pieces.premade``; about 2 KB each), so the parent only puts them together.
``run_district`` then writes the summary workbook (``summary``) and, if asked, a memo.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import tempfile
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import IO

from compiler import thai, workers
from compiler.district.cache import SurveyCache, submission_key
from compiler.district.expect import name_key, not_sent, read_expect_list
from compiler.district.memo import memo_document
from compiler.district.model import Details, DistrictResult, OrganisationSummary
from compiler.district.pieces import Premade, premade
from compiler.district.safezip import LIMITS, ZipLimits
from compiler.district.survey import survey, worker_lost
from compiler.errors import InputError, UsageError
from compiler.findings import new_finding
from compiler.model import Finding
from compiler.safeio import check_target, display_name
from compiler.workbook.read import WORKBOOK_SUFFIXES


# --- the inbox ----------------------------------------------------------------------------
def list_submissions(inbox: Path) -> list[Path]:
    """Each organisation's submission in ``inbox``: folders, .zip files and loose workbooks,
    sorted; hidden files, lock files and anything else are ignored."""
    with os.scandir(inbox) as it:  # scandir knows which entries are folders without a stat each
        entries = [e for e in it if not e.name.startswith((".", "~$", "__MACOSX"))]
    # in Path order (the names compared as the platform compares them), without a Path each to sort
    entries.sort(key=lambda e: os.path.normcase(e.name))
    kept = (".zip", *WORKBOOK_SUFFIXES)
    return [Path(e.path) for e in entries if e.is_dir() or os.path.splitext(e.name)[1].lower() in kept]


#: Each submission is surveyed in a worker process that may take this long...
WORKER_TIMEOUT_S = 300.0
#: ...and this much address space (a far-corner cell once asked a reader for 549 GB).
WORKER_MEMORY_MB = 2048


#: A survey worker is replaced after this many submissions (``workers.TASKS_PER_WORKER`` is 50):
#: a new worker cost 60-90 ms of CPU (forked, its memos and caches warmed again), 1.2-1.8 ms an
#: organisation at 50, 6-9 % of a survey (measured, 400 organisations, load ~5). For what a
#: survey leaks to reach ``WORKER_MEMORY_MB`` within 400, it would have to pass 5 MB each.
SURVEYS_PER_WORKER = 400
#: Imported once in the forkserver, so that a new worker starts with them instead of importing
#: them again.
_PRELOAD = ["compiler.district.intake", "python_calamine", "compiler.documents.parse"]

#: What a survey worker sends back: the summary, the details pickled and zlib-compressed, and
#: the organisation's problems and measures pieces of the summary workbook.
Surveyed = tuple[OrganisationSummary, bytes, Premade | None]


def _survey_packed(task: tuple[Path, ZipLimits]) -> Surveyed:
    """Worker: survey one submission and make its pieces of the summary workbook (deflating
    them here, on every core, instead of in the parent after the last survey)."""
    summary, details = survey(task[0], limits=task[1])
    packed = zlib.compress(pickle.dumps(details, protocol=pickle.HIGHEST_PROTOCOL), 1)
    try:
        made = premade(summary, details)
    except Exception:  # the parent makes them again, and reports what fails there as before
        made = None
    return summary, packed, made


def _context() -> multiprocessing.context.BaseContext:
    """How workers start: forkserver with this module (and what a survey imports lazily)
    preloaded where the platform has it."""
    return workers.context(_PRELOAD)


def survey_all(
    submissions: Iterable[Path],
    *,
    jobs: int | None = None,
    limits: ZipLimits = LIMITS,
    timeout_s: float | None = WORKER_TIMEOUT_S,
    memory_mb: int | None = WORKER_MEMORY_MB,
) -> Iterator[tuple[int, Surveyed, bool]]:
    """Survey every submission, each in a contained worker (``jobs`` of them), yielding
    ``(index, (summary, compressed pickled details, pieces), surveyed)`` as each finishes
    (see ``Surveyed``); a worker that dies or overruns gives that submission's failure
    (``surveyed`` ``False``). ``submissions`` may be
    lazy: each is taken when a worker is free for it.

    Close the generator (``contextlib.closing``) when stopping early: that ends the workers.
    """
    taken: list[Path] = []

    def tasks() -> Iterator[tuple[tuple[Path, ZipLimits]]]:
        for path in submissions:
            taken.append(path)
            yield ((path, limits),)

    with closing(
        workers.map_contained(
            _survey_packed,
            tasks(),
            jobs=jobs or workers.cores(),
            timeout_s=timeout_s,
            memory_mb=memory_mb,
            ctx=_context(),
            tasks_per_worker=SURVEYS_PER_WORKER,
        )
    ) as outcomes:
        for outcome in outcomes:
            if outcome.failure is None:
                yield outcome.index, outcome.value, True
            else:
                summary, details = worker_lost(display_name(taken[outcome.index].name), outcome.failure)
                packed = zlib.compress(pickle.dumps(details, protocol=pickle.HIGHEST_PROTOCOL), 1)
                yield outcome.index, (summary, packed, None), False


def _cached_survey(
    submissions: Sequence[Path],
    cache: SurveyCache | None,
    *,
    jobs: int,
    limits: ZipLimits,
    timeout_s: float | None,
    memory_mb: int | None,
    keys_out: dict[str, str] | None = None,
) -> Iterator[Surveyed]:
    """Each submission's result (its summary, its details pickled and zlib-compressed, and
    the pieces its worker made): from ``cache`` when its content is unchanged (no pieces:
    the summary's own store has them), else surveyed (and then kept, unless its survey
    failed). ``keys_out`` is given, by submission, the cache key of each result that
    is kept (the summary workbook's pieces are kept under it too).

    Submissions are hashed and looked up as workers become free, not all before the first
    worker starts: the workers are busy while the rest is hashed.
    """
    keys: list[str | None] = []  # of the submissions surveyed, in the order they were taken
    found: deque[Surveyed] = deque()

    def not_cached() -> Iterator[Path]:
        for path in submissions:
            key = submission_key(path, limits, cache.digests()) if cache is not None else None
            value = cache.get(key, path) if cache is not None and key is not None else None
            if value is not None:
                if keys_out is not None and key is not None:
                    keys_out[value[0].submission] = key
                found.append((*value, None))
            else:
                keys.append(key)
                yield path
        if cache is not None:
            cache.digests().save()
            cache.prune()  # after every result of this run was found (and so marked used)

    surveyed = survey_all(not_cached(), jobs=jobs, limits=limits, timeout_s=timeout_s, memory_mb=memory_mb)
    try:
        for index, (summary, details, made), ok in surveyed:
            while found:
                yield found.popleft()
            value = (summary, details)
            key = keys[index]
            if cache is not None and key is not None and ok and "internal-error" not in value[0].codes:
                cache.put(key, value)
                if keys_out is not None:
                    keys_out[value[0].submission] = key
            yield (*value, made)
        while found:
            yield found.popleft()
    finally:
        surveyed.close()  # on Ctrl-C too: the workers end and their temporary files go


class _Spool:
    """Pickled and compressed details kept on disk, found again by submission: memory stays flat."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="ita-district-")
        self._where: dict[str, tuple[int, int]] = {}

    def put(self, submission: str, data: bytes) -> None:
        self._where[submission] = (self._file.seek(0, os.SEEK_END), len(data))
        self._file.write(data)

    def get(self, summary: OrganisationSummary) -> Details:
        offset, size = self._where[summary.submission]
        self._file.seek(offset)
        details: Details = pickle.loads(zlib.decompress(self._file.read(size)))
        return details

    def close(self) -> None:
        self._file.close()


# --- the run ---------------------------------------------------------------------------------
def thai_order(organisations: Sequence[OrganisationSummary]) -> list[OrganisationSummary]:
    """Province, district, then name in Thai dictionary order (pythainlp's collation: เมือง
    sorts under ม); what could not be placed comes last."""
    rank = thai.collation_ranks(w for o in organisations for w in (o.province, o.district, o.name))

    def key(o: OrganisationSummary) -> tuple[bool, int, bool, int, int, str]:
        return (not o.province, rank[o.province], not o.district, rank[o.district], rank[o.name], o.submission)

    return sorted(organisations, key=key)


def _submitted_at(path: Path) -> float:
    """When a submission was last changed: a file's time, or a folder's newest file's."""
    try:
        if path.is_dir():
            return max((f.stat().st_mtime for f in path.rglob("*") if f.is_file()), default=path.stat().st_mtime)
        return path.stat().st_mtime
    except OSError:
        return 0.0


def latest_submissions(
    organisations: Sequence[OrganisationSummary], times: dict[str, float]
) -> tuple[list[OrganisationSummary], list[OrganisationSummary], dict[str, Finding]]:
    """Each organisation once: (kept, superseded, findings by submission).

    Of the submissions that name one organisation, the latest (``times``: modification
    time, then the submission's name) counts; the others are ``superseded``, each with a
    ``superseded-submission`` warning naming the one that counts, which gets a
    ``duplicate-submission`` warning naming them. An unreadable submission names no
    organisation and always counts.
    """
    by_name: dict[str, list[OrganisationSummary]] = {}
    for o in organisations:
        if o.status != "unreadable":
            by_name.setdefault(name_key(o.name), []).append(o)
    dropped: set[str] = set()
    findings: dict[str, Finding] = {}
    for group in by_name.values():
        if len(group) < 2:
            continue
        group = sorted(group, key=lambda o: (times.get(o.submission, 0.0), o.submission))
        latest, older = group[-1], group[:-1]
        listed = ", ".join(o.submission for o in older)
        findings[latest.submission] = new_finding(
            "duplicate-submission",
            file=latest.submission,
            sheet="",
            cell="",
            th=f"{latest.name} ส่งมามากกว่าหนึ่งชุด นับเฉพาะชุดล่าสุดนี้ ({latest.submission}) ชุดก่อนหน้า ({listed}) ไม่นับ",
            en=f"{latest.name} sent more than one submission; only this latest one ({latest.submission}) counts,"
            f" not the earlier {listed}",
        )
        for o in older:
            dropped.add(o.submission)
            findings[o.submission] = new_finding(
                "superseded-submission",
                file=o.submission,
                sheet="",
                cell="",
                th=f"ชุดนี้ของ{o.name} ถูกแทนที่ด้วยชุดที่ส่งภายหลัง ({latest.submission}) จึงไม่นับในสรุป",
                en=f"this submission of {o.name} is superseded by the later {latest.submission} and is not counted",
            )
    kept = [o for o in organisations if o.submission not in dropped]
    superseded = [o for o in organisations if o.submission in dropped]
    return kept, superseded, findings


def mixed_inbox(organisations: Sequence[OrganisationSummary]) -> list[Finding]:
    """A warning when the organisations counted give more than one fiscal year or province."""
    out = []
    for key, label, en in (("fiscal_year", "ปีงบประมาณ", "fiscal years"), ("province", "จังหวัด", "provinces")):
        values: dict[str, list[str]] = {}
        for o in organisations:
            value = getattr(o, key)
            if value not in (None, ""):
                values.setdefault(str(value), []).append(o.name)
        if len(values) < 2:
            continue
        listed = "; ".join(
            f"{v}: {', '.join(names[:5])}" + (" …" if len(names) > 5 else "") for v, names in values.items()
        )
        out.append(
            new_finding(
                "mixed-fiscal-years" if key == "fiscal_year" else "mixed-provinces",
                file="",
                sheet="",
                cell="",
                th=f"สิ่งที่ส่งมาในโฟลเดอร์นี้ระบุ{label}ต่างกัน ({listed}) กรุณาตรวจสอบว่าเป็นชุดเดียวกัน",
                en=f"the submissions in this inbox give different {en} ({listed}); check they belong together",
            )
        )
    return out


def run_district(
    inbox: Path | str,
    output: Path | str,
    *,
    docx: Path | str | None = None,
    expect: Path | str | None = None,
    jobs: int | None = None,
    force: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
    emblem: Path | str | None = None,
    limits: ZipLimits = LIMITS,
    on_summary: Callable[[OrganisationSummary], None] | None = None,
    timeout_s: float | None = WORKER_TIMEOUT_S,
    memory_mb: int | None = WORKER_MEMORY_MB,
    cache: SurveyCache | None = None,
) -> DistrictResult:
    """``ita-report district``: survey every submission in ``inbox``, write the summary workbook
    ``output`` (and the memo ``docx``), listing who on ``expect`` has not sent.

    Usage problems (no inbox, wrong suffix, an existing output without ``force``, an
    unreadable expect list) are raised before any work. ``progress(done, total, submission)``
    is called once before the first submission and after each. ``emblem`` is the Garuda picture
    for the memo. ``on_summary`` is called with each summary as it arrives. Each submission is
    surveyed in a worker process (``jobs`` of them, at most one per core) limited to
    ``memory_mb`` of address space and ``timeout_s`` seconds; one that dies or overruns is that
    submission's finding (``worker-died``, ``worker-timeout``) and the intake goes on.
    ``cache`` (see ``compiler.district.cache``) gives the results of submissions unchanged
    since they were last surveyed, and keeps the new ones; a note says how many were reused.
    """
    inbox, output = Path(inbox), Path(output)
    if not inbox.is_dir():
        raise UsageError(f"ไม่พบโฟลเดอร์ที่รับเอกสาร: {inbox}", f"no such inbox folder: {inbox}")
    if output.suffix.lower() != ".xlsx":
        raise UsageError(f"ไฟล์สรุปต้องลงท้ายด้วย .xlsx: {output}", f"the summary file must end in .xlsx: {output}")
    check_target(output, force=force)
    memo = Path(docx) if docx is not None else None
    if memo is not None:
        if memo.suffix.lower() != ".docx":
            raise UsageError(f"ไฟล์บันทึกข้อความต้องลงท้ายด้วย .docx: {memo}", f"the memo must end in .docx: {memo}")
        check_target(memo, force=force)
    if expect is not None and Path(expect).resolve() == output.resolve():
        raise UsageError(
            f"ไฟล์สรุปต้องไม่ใช่ไฟล์รายชื่อ --expect: {output}",
            f"the summary must not be the --expect list it reads: {output}",
        )
    expected = read_expect_list(Path(expect)) if expect is not None else None
    submissions = list_submissions(inbox)
    if not submissions:
        raise InputError(
            f"ไม่พบสิ่งที่ส่งมาใน {inbox} (โฟลเดอร์หรือไฟล์ .zip ของแต่ละหน่วยงาน)",
            f"nothing in {inbox}: expected one folder or .zip per organisation",
        )
    notes: list[str] = []
    cores = workers.cores()
    if jobs is not None and jobs > cores:
        notes.append(
            f"ใช้ {cores} กระบวนการตามจำนวนแกนประมวลผลของเครื่อง (ขอ -j {jobs})"
            f" / -j {jobs} capped at the {cores} core(s) of this machine"
        )
    jobs = min(jobs or cores, cores)
    spool = _Spool()
    try:
        summaries: list[OrganisationSummary] = []
        total = len(submissions)
        if progress is not None:
            progress(0, total, "")
        keys: dict[str, str] = {}
        made: dict[str, Premade] = {}
        surveyed = _cached_survey(
            submissions, cache, jobs=jobs, limits=limits, timeout_s=timeout_s, memory_mb=memory_mb, keys_out=keys
        )
        try:
            for summary, details, pieces in surveyed:
                spool.put(summary.submission, details)
                if pieces is not None:
                    made[summary.submission] = pieces
                summaries.append(summary)
                if on_summary is not None:
                    on_summary(summary)
                if progress is not None:
                    progress(len(summaries), total, summary.submission)
        finally:
            surveyed.close()  # on Ctrl-C too: the workers end and their temporary files go
        if cache is not None and cache.hits:
            notes.append(
                f"ใช้ผลการตรวจเดิม {cache.hits} จาก {total} หน่วยงานที่ไม่ได้ส่งใหม่ ({cache.folder})"
                f" / {cache.hits} of {total} submission(s) unchanged since last surveyed: results reused"
                f" from the cache ({cache.folder})"
            )
        summaries = thai_order(summaries)
        # when each was sent matters only between submissions that name one organisation
        keyed = [(o.submission, name_key(o.name)) for o in summaries if o.status != "unreadable"]
        named = Counter(k for _, k in keyed)
        twice = {s for s, k in keyed if named[k] > 1}
        times = {p.name: _submitted_at(p) for p in submissions if display_name(p.name) in twice}
        kept, superseded, extra = latest_submissions(summaries, times)
        kept = [_with_extra(o, extra.get(o.submission)) for o in kept]
        superseded = [_with_extra(o, extra.get(o.submission)) for o in superseded]
        result = DistrictResult(
            inbox,
            tuple(kept),
            tuple(not_sent(expected, kept)) if expected is not None else (),
            len(expected) if expected is not None else None,
            superseded=tuple(superseded),
            findings=tuple(mixed_inbox(kept)),
        )

        def details_of(o: OrganisationSummary) -> Details:
            d = spool.get(o)
            more = extra.get(o.submission)
            return Details((*d.findings, more), d.measures) if more else d

        from compiler.district.pieces import write_summary  # looked up here: tests wrap it

        content = {s: f"{key}:{extra.get(s)!r}" for s, key in keys.items()}
        store = cache.pieces(inbox) if cache is not None else None
        for s in extra:  # its details as the summary has them are not those its worker had
            made.pop(s, None)
        written = [write_summary(output, result, details_of, force=force, content=content, store=store, premade=made)]
    finally:
        spool.close()
    if memo is not None:
        from compiler.documents.render import render_document  # the official-document renderer

        doc, office = memo_document(result, summary_name=output.name)
        path, memo_findings = render_document(doc, office, memo, emblem=emblem, force=force)
        written.append(path)
        notes.extend(f"{f.message_th} / {f.message_en}" for f in memo_findings)
    return replace(result, written=tuple(written), notes=tuple(notes))


def _with_extra(o: OrganisationSummary, finding: Finding | None) -> OrganisationSummary:
    if finding is None:
        return o
    status = "warnings" if o.status == "ok" else o.status
    return replace(o, warnings=o.warnings + 1, status=status, codes=(*o.codes, finding.code))
