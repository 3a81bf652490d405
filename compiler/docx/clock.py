"""The time a build records: in a document's properties and on its archive's entries."""

from __future__ import annotations

import datetime as dt
import os


def build_time() -> dt.datetime:
    """The time to record as a document's creation: now (UTC), or ``SOURCE_DATE_EPOCH``
    when set (reproducible builds: the same input gives the same file)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).replace(tzinfo=None)
    return dt.datetime.now(tz=dt.UTC).replace(microsecond=0, tzinfo=None)


def zip_date_time(when: dt.datetime | None = None) -> tuple[int, int, int, int, int, int]:
    """``when`` (default :func:`build_time`) as a zip entry's date, within the years the
    format can hold (1980–2107)."""
    when = when or build_time()
    if when.year < 1980:  # the zip format's first year
        return (1980, 1, 1, 0, 0, 0)
    if when.year > 2107:
        return (2107, 12, 31, 23, 59, 58)
    return (when.year, when.month, when.day, when.hour, when.minute, when.second)
