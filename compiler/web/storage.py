"""The web app's storage: one SQLite file and a folder of blobs named by their SHA-256.

Layout of the data folder::

    ita-report.sqlite3      the database (schema versioned, see MIGRATIONS)
    blobs/ab/cdef…          every file received or made, once per content, written atomically

A blob is written (temporary file, fsync, rename) before the row that names it is inserted,
so an upload cut off half-way leaves at most an unnamed blob, never a record. Rows are never
updated into another upload: a resubmission is a new row, the history stays.

A *workspace* is what a data folder serves: ``organisation`` today (departments upload,
the secretary builds); ``district`` (organisations upload, the district surveys) is the
kind the district intake will add with its own tables in a later migration.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import secrets
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler.errors import CompilerError
from compiler.web.district_storage import DistrictTables
from compiler.web.plan_storage import PlanTables

DB_NAME = "ita-report.sqlite3"

WORKSPACE_KINDS = ("organisation", "district")


class StorageError(CompilerError):
    """The data folder cannot be used (a newer schema, a missing blob, no permission)."""


_V1 = (
    "CREATE TABLE schema_version (version INTEGER NOT NULL)",
    "INSERT INTO schema_version VALUES (0)",
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE workspace (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('organisation', 'district')),
        details TEXT NOT NULL DEFAULT '{}',
        created TEXT NOT NULL
    )""",
    """CREATE TABLE department (
        id INTEGER PRIMARY KEY,
        workspace_id INTEGER NOT NULL REFERENCES workspace(id),
        name TEXT NOT NULL,
        token TEXT NOT NULL UNIQUE,
        created TEXT NOT NULL,
        UNIQUE (workspace_id, name)
    )""",
    """CREATE TABLE upload (
        id INTEGER PRIMARY KEY,
        department_id INTEGER NOT NULL REFERENCES department(id),
        filename TEXT NOT NULL,
        blob TEXT NOT NULL,
        size INTEGER NOT NULL,
        received TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'checking'
            CHECK (status IN ('checking', 'ok', 'warnings', 'errors', 'failed')),
        result TEXT NOT NULL DEFAULT '{}',
        annotated TEXT,
        checked TEXT
    )""",
    "CREATE INDEX upload_department ON upload (department_id, id)",
)

_V2 = (
    """CREATE TABLE build (
        id INTEGER PRIMARY KEY,
        workspace_id INTEGER NOT NULL REFERENCES workspace(id),
        created TEXT NOT NULL,
        options TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'refused', 'failed')),
        result TEXT NOT NULL DEFAULT '{}',
        finished TEXT
    )""",
    """CREATE TABLE build_input (
        build_id INTEGER NOT NULL REFERENCES build(id),
        upload_id INTEGER NOT NULL REFERENCES upload(id),
        PRIMARY KEY (build_id, upload_id)
    )""",
    """CREATE TABLE build_file (
        build_id INTEGER NOT NULL REFERENCES build(id),
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        blob TEXT NOT NULL,
        size INTEGER NOT NULL,
        PRIMARY KEY (build_id, position)
    )""",
    # a link can be withdrawn (the district intake revokes and reissues organisations' links)
    "ALTER TABLE department ADD COLUMN revoked TEXT",
)

_V3 = (
    # the district's survey of one submission, by the content of what was surveyed (its
    # manifest's hash and the name it is surveyed under): an organisation that did not send
    # again is never surveyed again. ``version`` is the layout of ``result``.
    """CREATE TABLE survey_cache (
        key TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        result TEXT NOT NULL,
        created TEXT NOT NULL
    )""",
)

_V4 = (
    # the measures plan, typed on the page or uploaded as a workbook: every saved version is
    # a new row (the latest counts, the history stays). ``rows`` is the plan as typed (JSON:
    # one object of plan column → text a row); ``blob`` the workbook it was uploaded as.
    """CREATE TABLE plan (
        id INTEGER PRIMARY KEY,
        workspace_id INTEGER NOT NULL REFERENCES workspace(id),
        created TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('typed', 'upload')),
        rows TEXT NOT NULL,
        filename TEXT,
        blob TEXT
    )""",
    "CREATE INDEX plan_workspace ON plan (workspace_id, id)",
)

#: Ordered migrations: ``MIGRATIONS[i]`` takes the schema from version ``i`` to ``i + 1``, one
#: SQL statement at a time inside one transaction. Append only; never edit one that has shipped.
MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1, _V2, _V3, _V4)
SCHEMA_VERSION = len(MIGRATIONS)


def now() -> str:
    """The current UTC time as ISO text with seconds: ``2026-12-02T08:46:11+00:00``."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 30000")
    return db


def schema_version(db: sqlite3.Connection) -> int:
    """The version recorded in ``schema_version``; 0 for a new, empty database."""
    has = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone()
    if not has:
        return 0
    row = db.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate(db: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Apply the migrations after the database's version up to ``target``, each in its own
    transaction (a failure leaves the previous version intact). Returns the version reached.

    A database written by a newer ita-report (a version above ``SCHEMA_VERSION``) is refused.
    """
    current = schema_version(db)
    if current > SCHEMA_VERSION:
        raise StorageError(
            f"ฐานข้อมูลสร้างด้วย ita-report รุ่นใหม่กว่า (schema {current}) กรุณาอัปเดตโปรแกรม",
            f"the database was made by a newer ita-report (schema {current} > {SCHEMA_VERSION}); update the program",
        )
    for version in range(current, target):
        db.execute("BEGIN IMMEDIATE")
        try:
            if schema_version(db) == version:  # else another process migrated meanwhile
                for statement in MIGRATIONS[version]:
                    db.execute(statement)
                db.execute("UPDATE schema_version SET version = ?", (version + 1,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return schema_version(db)


@dataclass(frozen=True)
class Blob:
    hash: str
    size: int


class Store(DistrictTables, PlanTables):
    """The data folder: database and blobs. Safe to use from several threads (one
    connection per call); every method is short and synchronous."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        try:
            # the folder holds the password's hash and the session key: its owner's only
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            (self.folder / "blobs" / "tmp").mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"สร้างโฟลเดอร์ข้อมูล {self.folder} ไม่ได้: {exc.strerror}",
                f"cannot create the data folder {self.folder}: {exc.strerror}",
            ) from exc
        self.db_path = self.folder / DB_NAME
        with self.connection() as db:
            db.execute("PRAGMA journal_mode = WAL")
            migrate(db)

    @contextlib.contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        db = connect(self.db_path)
        try:
            yield db
        finally:
            db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.connection() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # -- blobs ---------------------------------------------------------------------------

    def blob_path(self, digest: str) -> Path:
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise StorageError("ชื่อไฟล์ข้อมูลไม่ถูกต้อง", f"not a blob name: {digest!r}")
        return self.folder / "blobs" / digest[:2] / digest[2:]

    def put_blob(self, data: bytes) -> Blob:
        """Store ``data`` under its SHA-256 (once: the same content is not written twice)."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.blob_path(digest)
        if not target.exists():
            target.parent.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder / "blobs" / "tmp")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        return Blob(digest, len(data))

    def get_blob(self, digest: str) -> bytes:
        try:
            return self.blob_path(digest).read_bytes()
        except FileNotFoundError as exc:
            raise StorageError("ไม่พบไฟล์ในที่เก็บข้อมูล", f"blob {digest[:12]}… is missing") from exc

    # -- settings and workspace ---------------------------------------------------------

    def setting(self, key: str) -> str | None:
        with self.connection() as db:
            row = db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO settings VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value)
            )

    def secret_key(self) -> str:
        """The key that signs session cookies, made at first start and kept."""
        with self.transaction() as db:
            row = db.execute("SELECT value FROM settings WHERE key = 'secret_key'").fetchone()
            if row:
                return str(row[0])
            key = secrets.token_hex(32)
            db.execute("INSERT INTO settings VALUES ('secret_key', ?)", (key,))
            return key

    def workspace(self) -> sqlite3.Row | None:
        with self.connection() as db:
            return db.execute("SELECT * FROM workspace ORDER BY id LIMIT 1").fetchone()  # type: ignore[no-any-return]

    def set_up(self, kind: str, details: dict[str, str], password_hash: str, departments: list[str]) -> int:
        """First start: the workspace, the secretary's password and the departments, at once.

        Refused (``StorageError``) when the workspace exists: a second set-up cannot take it over.
        """
        if kind not in WORKSPACE_KINDS:
            raise ValueError(kind)
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM workspace").fetchone():
                raise StorageError("ตั้งค่าไว้แล้ว", "the workspace is already set up")
            ws = db.execute(
                "INSERT INTO workspace (kind, details, created) VALUES (?, ?, ?)",
                (kind, json.dumps(details, ensure_ascii=False), now()),
            ).lastrowid
            db.execute("INSERT INTO settings VALUES ('password', ?)", (password_hash,))
            for name in departments:
                self._add_department(db, int(ws or 0), name)
            return int(ws or 0)

    def set_details(self, workspace_id: int, details: dict[str, str]) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE workspace SET details = ? WHERE id = ?", (json.dumps(details, ensure_ascii=False), workspace_id)
            )

    # -- departments ---------------------------------------------------------------------

    @staticmethod
    def _add_department(db: sqlite3.Connection, workspace_id: int, name: str) -> None:
        db.execute(
            "INSERT OR IGNORE INTO department (workspace_id, name, token, created) VALUES (?, ?, ?, ?)",
            (workspace_id, name, secrets.token_urlsafe(24), now()),
        )

    def add_department(self, workspace_id: int, name: str) -> None:
        with self.transaction() as db:
            self._add_department(db, workspace_id, name)

    def reissue_link(self, department_id: int) -> str:
        """A new link token for a department (the old link stops working); returns it."""
        token = secrets.token_urlsafe(24)
        with self.transaction() as db:
            db.execute("UPDATE department SET token = ? WHERE id = ?", (token, department_id))
        return token

    def departments(self, workspace_id: int) -> list[sqlite3.Row]:
        """Every department with its latest upload (``NULL`` columns when it has sent none)."""
        with self.connection() as db:
            return db.execute(
                """
                SELECT d.*, u.id AS upload_id, u.received, u.status, u.filename,
                       (SELECT COUNT(*) FROM upload WHERE department_id = d.id) AS uploads
                FROM department d
                LEFT JOIN upload u ON u.id = (SELECT MAX(id) FROM upload WHERE department_id = d.id)
                WHERE d.workspace_id = ? AND d.revoked IS NULL ORDER BY d.id
                """,
                (workspace_id,),
            ).fetchall()

    def department_by_token(self, token: str) -> sqlite3.Row | None:
        with self.connection() as db:
            return db.execute(  # type: ignore[no-any-return]
                "SELECT * FROM department WHERE token = ? AND revoked IS NULL", (token,)
            ).fetchone()

    def department(self, department_id: int) -> sqlite3.Row | None:
        with self.connection() as db:
            return db.execute("SELECT * FROM department WHERE id = ?", (department_id,)).fetchone()  # type: ignore[no-any-return]

    # -- uploads -------------------------------------------------------------------------

    def add_upload(self, department_id: int, filename: str, data: bytes) -> int:
        """Keep the bytes, then record the upload (status ``checking``); returns its id."""
        blob = self.put_blob(data)
        with self.transaction() as db:
            return int(
                db.execute(
                    "INSERT INTO upload (department_id, filename, blob, size, received) VALUES (?, ?, ?, ?, ?)",
                    (department_id, filename, blob.hash, blob.size, now()),
                ).lastrowid
                or 0
            )

    def recent_uploads(self, department_id: int, since: str) -> int:
        with self.connection() as db:
            row = db.execute(
                "SELECT COUNT(*) FROM upload WHERE department_id = ? AND received >= ?", (department_id, since)
            ).fetchone()
        return int(row[0])

    def finish_upload(self, upload_id: int, status: str, result: dict[str, Any], annotated: bytes | None) -> None:
        blob = self.put_blob(annotated).hash if annotated else None
        with self.transaction() as db:
            db.execute(
                "UPDATE upload SET status = ?, result = ?, annotated = ?, checked = ? WHERE id = ?",
                (status, json.dumps(result, ensure_ascii=False), blob, now(), upload_id),
            )

    def uploads(self, department_id: int) -> list[sqlite3.Row]:
        with self.connection() as db:
            return db.execute(
                "SELECT * FROM upload WHERE department_id = ? ORDER BY id DESC", (department_id,)
            ).fetchall()

    def upload(self, upload_id: int) -> sqlite3.Row | None:
        with self.connection() as db:
            return db.execute("SELECT * FROM upload WHERE id = ?", (upload_id,)).fetchone()  # type: ignore[no-any-return]

    def unchecked_uploads(self) -> list[int]:
        with self.connection() as db:
            return [int(r[0]) for r in db.execute("SELECT id FROM upload WHERE status = 'checking' ORDER BY id")]

    def latest_uploads(self, workspace_id: int) -> list[sqlite3.Row]:
        """The newest checked upload of each department (what a build uses)."""
        with self.connection() as db:
            return db.execute(
                """
                SELECT u.*, d.name AS department FROM upload u JOIN department d ON d.id = u.department_id
                WHERE d.workspace_id = ? AND d.revoked IS NULL AND u.id = (
                    SELECT MAX(id) FROM upload WHERE department_id = d.id AND status != 'checking')
                ORDER BY d.id
                """,
                (workspace_id,),
            ).fetchall()

    # -- builds --------------------------------------------------------------------------

    def add_build(self, workspace_id: int, options: dict[str, Any], upload_ids: list[int]) -> int:
        with self.transaction() as db:
            build = int(
                db.execute(
                    "INSERT INTO build (workspace_id, created, options) VALUES (?, ?, ?)",
                    (workspace_id, now(), json.dumps(options)),
                ).lastrowid
                or 0
            )
            db.executemany("INSERT INTO build_input VALUES (?, ?)", [(build, u) for u in upload_ids])
            return build

    def finish_build(self, build_id: int, status: str, result: dict[str, Any], files: list[tuple[str, bytes]]) -> None:
        blobs = [(name, self.put_blob(data)) for name, data in files]
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO build_file VALUES (?, ?, ?, ?, ?)",
                [(build_id, i, name, b.hash, b.size) for i, (name, b) in enumerate(blobs)],
            )
            db.execute(
                "UPDATE build SET status = ?, result = ?, finished = ? WHERE id = ?",
                (status, json.dumps(result, ensure_ascii=False), now(), build_id),
            )

    def build_progress(self, build_id: int, done: int, total: int, what: str) -> None:
        """How far a running build is: ``done`` of ``total`` steps, working on ``what``."""
        progress = {"progress": [done, total, what]}
        with self.transaction() as db:
            db.execute(
                "UPDATE build SET result = ? WHERE id = ? AND status = 'running'",
                (json.dumps(progress, ensure_ascii=False), build_id),
            )

    def fail_interrupted_builds(self) -> None:
        """Builds left ``running`` by a server that stopped: marked failed, so none spins forever."""
        with self.transaction() as db:
            db.execute(
                "UPDATE build SET status = 'failed', result = ?, finished = ? WHERE status = 'running'",
                (
                    json.dumps(
                        {
                            "error_th": "โปรแกรมหยุดทำงานระหว่างสร้าง กรุณาสร้างใหม่",
                            "error_en": "the server stopped during the build; build again",
                        }
                    ),
                    now(),
                ),
            )

    def builds(self, workspace_id: int, limit: int = 10) -> list[sqlite3.Row]:
        with self.connection() as db:
            return db.execute(
                "SELECT * FROM build WHERE workspace_id = ? ORDER BY id DESC LIMIT ?", (workspace_id, limit)
            ).fetchall()

    def build(self, build_id: int) -> sqlite3.Row | None:
        with self.connection() as db:
            return db.execute("SELECT * FROM build WHERE id = ?", (build_id,)).fetchone()  # type: ignore[no-any-return]

    def build_files(self, build_id: int) -> list[sqlite3.Row]:
        with self.connection() as db:
            return db.execute("SELECT * FROM build_file WHERE build_id = ? ORDER BY position", (build_id,)).fetchall()
