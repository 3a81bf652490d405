"""The web app's storage: versioned schema and migrations, blobs by content, history kept."""

from __future__ import annotations

import hashlib
import sqlite3
import sys

import pytest

from compiler.web import storage
from compiler.web.storage import SCHEMA_VERSION, StorageError, Store, connect, migrate, schema_version


def tables(db: sqlite3.Connection) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in db.execute(f"PRAGMA table_info({table})")]


def test_a_new_database_is_migrated_to_the_latest_version(tmp_path):
    db = connect(tmp_path / "x.sqlite3")
    assert schema_version(db) == 0
    assert migrate(db) == SCHEMA_VERSION == 4
    assert {
        "schema_version",
        "settings",
        "workspace",
        "department",
        "upload",
        "build",
        "build_file",
        "survey_cache",
        "plan",
    } <= tables(db)
    assert migrate(db) == SCHEMA_VERSION  # again: nothing to do


def test_a_version_1_database_keeps_its_data_through_the_migrations(tmp_path):
    db = connect(tmp_path / "x.sqlite3")
    assert migrate(db, target=1) == 1
    assert "build" not in tables(db) and "revoked" not in columns(db, "department")
    db.execute("INSERT INTO workspace (kind, details, created) VALUES ('organisation', '{}', 'then')")
    db.execute("INSERT INTO department (workspace_id, name, token, created) VALUES (1, 'กองคลัง', 'tok', 'then')")
    db.execute(
        "INSERT INTO upload (department_id, filename, blob, size, received) VALUES (1, 'a.xlsx', 'h', 1, 'then')"
    )
    assert migrate(db) == 4
    assert "revoked" in columns(db, "department") and "survey_cache" in tables(db)
    row = db.execute("SELECT name, token, revoked FROM department").fetchone()
    assert tuple(row) == ("กองคลัง", "tok", None)
    assert db.execute("SELECT filename, status FROM upload").fetchone()[:] == ("a.xlsx", "checking")


def test_a_failing_migration_leaves_the_previous_version(tmp_path, monkeypatch):
    db = connect(tmp_path / "x.sqlite3")
    migrate(db, target=1)
    broken = (storage.MIGRATIONS[1][0], "CREATE TABLE build (oops)")  # the second statement fails
    monkeypatch.setattr(storage, "MIGRATIONS", (storage.MIGRATIONS[0], broken))
    with pytest.raises(sqlite3.OperationalError):
        migrate(db, target=2)
    assert schema_version(db) == 1 and "build" not in tables(db)


def test_a_version_2_database_gains_the_survey_cache_and_keeps_its_data(tmp_path):
    db = connect(tmp_path / "x.sqlite3")
    assert migrate(db, target=2) == 2
    db.execute("INSERT INTO workspace (kind, details, created) VALUES ('district', '{}', 'then')")
    db.execute("INSERT INTO department (workspace_id, name, token, created) VALUES (1, 'อบต.ก', 'tok', 'then')")
    assert "survey_cache" not in tables(db)
    assert migrate(db) == 4
    assert "survey_cache" in tables(db)
    assert tuple(db.execute("SELECT kind FROM workspace").fetchone()) == ("district",)
    assert tuple(db.execute("SELECT name, token FROM department").fetchone()) == ("อบต.ก", "tok")


def test_a_version_3_database_gains_the_plan_and_keeps_its_uploads(tmp_path):
    db = connect(tmp_path / "x.sqlite3")
    assert migrate(db, target=3) == 3
    db.execute("INSERT INTO workspace (kind, details, created) VALUES ('organisation', '{}', 'then')")
    db.execute("INSERT INTO department (workspace_id, name, token, created) VALUES (1, 'กองคลัง', 'tok', 'then')")
    db.execute(
        "INSERT INTO upload (department_id, filename, blob, size, received, status)"
        " VALUES (1, 'a.xlsx', 'h', 1, 'then', 'ok')"
    )
    assert "plan" not in tables(db)
    assert migrate(db) == 4
    assert {"source", "rows", "blob"} <= set(columns(db, "plan"))
    assert db.execute("SELECT filename, status FROM upload").fetchone()[:] == ("a.xlsx", "ok")
    with pytest.raises(sqlite3.IntegrityError):  # a plan is typed or uploaded, nothing else
        db.execute("INSERT INTO plan (workspace_id, created, source, rows) VALUES (1, 'now', 'guessed', '[]')")


def test_every_version_of_the_plan_is_kept_and_the_latest_counts(tmp_path):
    store = Store(tmp_path)
    ws = store.set_up("organisation", {"organisation": "ท"}, "hash", ["กองคลัง"])
    assert store.plan(ws) is None and store.plan_rows(ws) == []
    first = store.add_plan(ws, [{"number": "1", "title": "ก"}])
    second = store.add_plan(ws, [{"number": "2", "title": "ข"}], filename="แผน.xlsx", data=b"workbook")
    assert store.plan(ws)["id"] == second and store.plan_rows(ws) == [{"number": "2", "title": "ข"}]
    assert [p["id"] for p in store.plans(ws)] == [second, first]
    uploaded = store.plans(ws)[0]
    assert uploaded["source"] == "upload" and store.get_blob(uploaded["blob"]) == b"workbook"
    assert store.plans(ws)[1]["source"] == "typed" and store.plans(ws)[1]["blob"] is None


def test_a_database_from_a_newer_program_is_refused(tmp_path):
    Store(tmp_path)
    db = connect(tmp_path / storage.DB_NAME)
    db.execute("UPDATE schema_version SET version = 99")
    db.close()
    with pytest.raises(StorageError, match="newer"):
        Store(tmp_path)


def test_blobs_are_named_by_content_and_written_once(tmp_path):
    store = Store(tmp_path)
    blob = store.put_blob(b"workbook bytes")
    assert blob.hash == hashlib.sha256(b"workbook bytes").hexdigest()
    path = tmp_path / "blobs" / blob.hash[:2] / blob.hash[2:]
    assert path.read_bytes() == b"workbook bytes"
    mtime = path.stat().st_mtime_ns
    assert store.put_blob(b"workbook bytes") == blob and path.stat().st_mtime_ns == mtime
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []  # no temporary file left
    assert store.get_blob(blob.hash) == b"workbook bytes"
    with pytest.raises(StorageError):
        store.get_blob("../../etc/passwd")


def test_every_upload_is_kept_and_the_latest_is_what_a_build_uses(tmp_path):
    store = Store(tmp_path)
    ws = store.set_up("organisation", {"organisation": "x"}, "scrypt$...", ["กองคลัง", "กองช่าง"])
    klang, chang = store.departments(ws)
    first = store.add_upload(klang["id"], "v1.xlsx", b"one")
    store.finish_upload(first, "errors", {"findings": []}, None)
    second = store.add_upload(klang["id"], "v2.xlsx", b"two")
    assert [u["filename"] for u in store.uploads(klang["id"])] == ["v2.xlsx", "v1.xlsx"]
    assert [u["id"] for u in store.latest_uploads(ws)] == [first]  # v2 is still being checked
    store.finish_upload(second, "ok", {"findings": []}, b"annotated")
    assert [u["id"] for u in store.latest_uploads(ws)] == [second]
    overview = {d["name"]: (d["status"], d["uploads"]) for d in store.departments(ws)}
    assert overview == {"กองคลัง": ("ok", 2), "กองช่าง": (None, 0)}
    assert store.department_by_token(chang["token"])["name"] == "กองช่าง"
    assert len(chang["token"]) >= 32 and chang["token"] != klang["token"]


def test_set_up_happens_once(tmp_path):
    store = Store(tmp_path)
    store.set_up("organisation", {}, "hash", ["กองคลัง"])
    with pytest.raises(StorageError):
        store.set_up("organisation", {}, "other", ["กองช่าง"])
    assert store.setting("password") == "hash"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_new_data_folder_is_its_owner_s_only(tmp_path):
    Store(tmp_path / "new")
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700
