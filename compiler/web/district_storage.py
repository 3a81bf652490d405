"""The storage of a district's workspace (issue 15), mixed into ``storage.Store``: its
organisations (the ``department`` rows of the workspace) with their latest upload, their
links revoked and reissued, and the survey cache (table ``survey_cache``, schema v3)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import secrets
import sqlite3
from typing import Any


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


class DistrictTables:
    """The district's part of the store (``Store`` provides ``connection`` and ``transaction``)."""

    def connection(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    # -- the district: organisations' links and the survey cache --------------------------

    def revoke_link(self, department_id: int) -> None:
        """Withdraw a link: it answers 404 until the link is reissued."""
        with self.transaction() as db:
            db.execute("UPDATE department SET revoked = ? WHERE id = ?", (_now(), department_id))

    def remove_organisation(self, department_id: int) -> bool:
        """Take an organisation that has never sent off the district's list; ``False`` (and
        nothing removed) once it has sent: its uploads are kept, its link can be revoked."""
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM upload WHERE department_id = ? LIMIT 1", (department_id,)).fetchone():
                return False
            db.execute("DELETE FROM department WHERE id = ?", (department_id,))
        return True

    def reissue_token(self, department_id: int) -> str:
        """A new link (the old one stops working), valid again if it was revoked; returns it."""
        token = secrets.token_urlsafe(24)
        with self.transaction() as db:
            db.execute("UPDATE department SET token = ?, revoked = NULL WHERE id = ?", (token, department_id))
        return token

    def organisations(self, workspace_id: int) -> list[sqlite3.Row]:
        """Every organisation of a district (revoked links too) with its latest upload's
        columns (``NULL`` when it has sent none) and how many it has sent."""
        with self.connection() as db:
            return db.execute(
                """
                SELECT d.*, u.id AS upload_id, u.received, u.status, u.filename, u.blob, u.result,
                       (SELECT COUNT(*) FROM upload WHERE department_id = d.id) AS uploads
                FROM department d
                LEFT JOIN upload u ON u.id = (SELECT MAX(id) FROM upload WHERE department_id = d.id)
                WHERE d.workspace_id = ? ORDER BY d.id
                """,
                (workspace_id,),
            ).fetchall()

    def cached_surveys(self, keys: list[str]) -> dict[str, tuple[int, str]]:
        """``key → (version, result text)`` for the keys the cache holds."""
        out: dict[str, tuple[int, str]] = {}
        with self.connection() as db:
            for start in range(0, len(keys), 500):
                part = keys[start : start + 500]
                marks = ",".join("?" * len(part))
                for row in db.execute(f"SELECT key, version, result FROM survey_cache WHERE key IN ({marks})", part):
                    out[row[0]] = (row[1], row[2])
        return out

    def put_survey(self, key: str, version: int, result: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO survey_cache VALUES (?, ?, ?, ?)",
                (key, version, json.dumps(result, ensure_ascii=False), _now()),
            )
