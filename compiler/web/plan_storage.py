"""The storage of the measures plan (schema v4, table ``plan``), mixed into ``storage.Store``:
every saved version of the plan is a row of its own (the latest counts, the history stays),
``rows`` the plan as typed (JSON: plan column → text, a row each), ``blob`` the workbook it was
uploaded as (kept before the row is written, like every upload)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from typing import Any


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


class PlanTables:
    """The plan's part of the store (``Store`` provides ``connection``, ``transaction`` and
    ``put_blob``)."""

    def connection(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def put_blob(self, data: bytes) -> Any:
        raise NotImplementedError

    def add_plan(
        self, workspace_id: int, rows: list[dict[str, str]], *, filename: str | None = None, data: bytes | None = None
    ) -> int:
        """A new version of the plan (``rows``: plan column → text; ``[]``: no plan); with
        ``data``, the workbook it was uploaded as, kept first. Returns its id."""
        blob = self.put_blob(data).hash if data is not None else None
        with self.transaction() as db:
            return int(
                db.execute(
                    "INSERT INTO plan (workspace_id, created, source, rows, filename, blob) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        workspace_id,
                        _now(),
                        "typed" if data is None else "upload",
                        json.dumps(rows, ensure_ascii=False),
                        filename,
                        blob,
                    ),
                ).lastrowid
                or 0
            )

    def plan(self, workspace_id: int) -> sqlite3.Row | None:
        """The latest version of the plan, or ``None`` before the first."""
        with self.connection() as db:
            return db.execute(  # type: ignore[no-any-return]
                "SELECT * FROM plan WHERE workspace_id = ? ORDER BY id DESC LIMIT 1", (workspace_id,)
            ).fetchone()

    def plan_rows(self, workspace_id: int) -> list[dict[str, str]]:
        """The current plan's rows (``[]`` without a plan)."""
        row = self.plan(workspace_id)
        return [] if row is None else list(json.loads(row["rows"]))

    def plans(self, workspace_id: int) -> list[sqlite3.Row]:
        """Every version of the plan, newest first."""
        with self.connection() as db:
            return db.execute("SELECT * FROM plan WHERE workspace_id = ? ORDER BY id DESC", (workspace_id,)).fetchall()
