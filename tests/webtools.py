"""Helpers for the web tests and the web bench: sample uploads and a set-up workspace."""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_workbooks"
PASSWORD = "รหัสผ่านลับ2568"
DEPARTMENTS = ("สำนักปลัด", "กองคลัง", "กองช่าง")
DETAILS = {"organisation": "เทศบาลตำบลโพนทราย", "district": "โพนทราย", "province": "ร้อยเอ็ด", "fiscal_year": "2568"}


def sample(department: str, organisation: str = "phon_sai_2568") -> bytes:
    return (SAMPLES / organisation / f"{department}.xlsx").read_bytes()


def with_mistake(data: bytes, cell: str = "G5") -> bytes:
    """The workbook with the result of one measure (``มาตรการ`` › ``cell``) left empty."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    wb["มาตรการ"][cell] = None
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def random_bytes(n: int = 50_000) -> bytes:
    return os.urandom(n)


def zip_bomb() -> bytes:
    """A 300 MB sheet packed into well under 1 MB, dressed as a workbook."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    return out.getvalue()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def links_of(html: str) -> dict[str, str]:
    """Department name → its link path (``/d/<token>``), from the secretary's overview."""
    rows = re.findall(r'<a href="/admin/departments/\d+">([^<]+)</a>.*?value="https?://[^/"]+(/d/[^"]+)"', html, re.S)
    return dict(rows)


def set_up(client, departments=DEPARTMENTS, details=DETAILS) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Run the first start through ``client`` (a TestClient from 127.0.0.1); returns the links."""
    page = client.get("/setup")
    response = client.post(
        "/setup",
        data={
            "csrf": csrf_of(page.text),
            **details,
            "department": list(departments),
            "password": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 200 and response.url.path == "/admin", response.text[:2000]
    return links_of(response.text)
