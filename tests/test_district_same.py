"""The district intake gives what it gave before it was made faster (issue 16).

An inbox of 200 organisations made by tools/make_inbox.py (a fifth of them broken, every
fault, folders and .zip files) is surveyed and summarised; every survey result (summary and
details: each finding, each measure row) and every cell of every sheet of the summary
workbook (read back with openpyxl) is compared with the digests in
``golden/district_same.json``, which the code of 2 December 2026 made before the speed work.
A mismatch names the submission or sheet (and row) that changed.

When a change is meant (a finding's wording, a new column), regenerate the digests with
``python tests/test_district_same.py`` and say why in the commit.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "district_same.json"
ORGANISATIONS, SEED = 200, 16


def _make_inbox(folder: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_inbox", ROOT / "tools" / "make_inbox.py")
    assert spec is not None and spec.loader is not None
    module = sys.modules.get("make_inbox")  # tests/test_district.py loads it under this name
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules["make_inbox"] = module
        spec.loader.exec_module(module)
    module.make_inbox(folder, ORGANISATIONS, departments=5, measures=20, broken=0.2, zips=0.3, seed=SEED)


def _plain(value: object) -> object:
    """A value as JSON can hold it, its type kept where JSON would blur it."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return f"Decimal({value})"
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {"": type(value).__name__, **{k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}}
    if hasattr(value, "value") and hasattr(value, "name"):  # an Enum
        return f"{type(value).__name__}.{value.name}"
    return f"{type(value).__name__}:{value}"


def _digest(value: object) -> str:
    text = json.dumps(_plain(value), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def digests(root: Path) -> dict[str, dict[str, str]]:
    """Digest of each submission's survey, and of each summary sheet's rows (in blocks of 50)."""
    from compiler.district.intake import list_submissions, run_district
    from compiler.district.survey import survey

    inbox = root / "inbox"
    _make_inbox(inbox)
    surveys = {}
    for path in list_submissions(inbox):
        summary, details = survey(path)
        surveys[path.name] = _digest((summary, details))
    out = root / "summary.xlsx"
    result = run_district(inbox, out, jobs=2)
    sheets = {}
    book = load_workbook(out, read_only=False)
    inbox_text = str(inbox)
    for ws in book.worksheets:
        rows = [[c.value for c in row] for row in ws.iter_rows()]
        rows = [[v.replace(inbox_text, "<inbox>") if isinstance(v, str) else v for v in row] for row in rows]
        merged = sorted(str(r) for r in ws.merged_cells.ranges)
        sheets[f"{ws.title} merged"] = _digest(merged)
        for start in range(0, max(len(rows), 1), 50):
            sheets[f"{ws.title} rows {start + 1}-{start + 50}"] = _digest(rows[start : start + 50])
    sheets["organisations"] = _digest([o.submission for o in result.organisations])
    return {"surveys": surveys, "sheets": sheets}


@pytest.fixture(scope="module")
def now(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    return digests(tmp_path_factory.mktemp("same"))


def test_every_survey_is_as_before(now: dict[str, dict[str, str]]) -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    changed = [k for k in golden["surveys"] if now["surveys"].get(k) != golden["surveys"][k]]
    assert set(now["surveys"]) == set(golden["surveys"])
    assert not changed, f"survey results changed for {changed[:10]}"


def test_every_summary_cell_is_as_before(now: dict[str, dict[str, str]]) -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    changed = [k for k in golden["sheets"] if now["sheets"].get(k) != golden["sheets"][k]]
    assert set(now["sheets"]) == set(golden["sheets"])
    assert not changed, f"summary cells changed in {changed[:10]}"


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        made = digests(Path(tmp))
    GOLDEN.write_text(json.dumps(made, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}: {len(made['surveys'])} surveys, {len(made['sheets'])} sheet blocks")
