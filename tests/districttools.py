"""Helpers for the district web tests and bench: three organisations and their submissions."""

from __future__ import annotations

import io
import re
import zipfile

from webtools import PASSWORD, csrf_of, sample

GOOD = "เทศบาลตำบลโพนทราย"  # sends a good zip
FIXED = "องค์การบริหารส่วนตำบลภูซาง"  # sends a broken workbook, then the fixed ones
SILENT = "เทศบาลตำบลบ้านต๋อม"  # never sends
ORGANISATIONS = (GOOD, FIXED, SILENT)
DISTRICT = {"district": "เมือง", "province": "พะเยา", "fiscal_year": "2568"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def zip_of(files: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:  # a fixed date: the same files make the same bytes
            zf.writestr(zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def good_zip() -> bytes:
    return zip_of([(f"{d}.xlsx", sample(d)) for d in ("สำนักปลัด", "กองคลัง", "กองช่าง")])


def fixed_workbooks() -> list[tuple[str, bytes]]:
    return [(f"{d}.xlsx", sample(d, "phu_sang_2567")) for d in ("สำนักปลัด", "กองคลัง", "กองช่าง")]


def broken_workbooks() -> list[tuple[str, bytes]]:
    """The same workbooks, สำนักปลัด's cut off half-way (as a failed copy leaves it)."""
    good = fixed_workbooks()
    return [(good[0][0], good[0][1][: len(good[0][1]) // 2]), *good[1:]]


def district_links(html: str) -> dict[str, str]:
    """Organisation name → its link path (``/o/<token>``), from the dashboard."""
    rows = re.findall(r'<tr data-org="([^"]+)"(?:(?!</tr>).)*?value="https?://[^/"]+(/o/[^"]+)"', html, re.S)
    return dict(rows)


def set_up_district(client, organisations=ORGANISATIONS) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The district's first start through ``client`` (from 127.0.0.1); returns the links."""
    page = client.get("/setup?kind=district")
    response = client.post(
        "/setup",
        data={
            "csrf": csrf_of(page.text),
            "kind": "district",
            **DISTRICT,
            "names": "\n".join(organisations),
            "password": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 200 and response.url.path == "/district", response.text[:3000]
    return district_links(response.text)


def upload(client, link: str, files: list[tuple[str, bytes]]):  # type: ignore[no-untyped-def]
    page = client.get(link)
    return client.post(
        f"{link}/upload",
        data={"csrf": csrf_of(page.text)},
        files=[("files", (name, data, XLSX)) for name, data in files],
    )
