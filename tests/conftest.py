"""Shared fixtures. Names are prefixed by the module they serve (``render_`` …)."""

from __future__ import annotations

import os
import shutil
import signal
import struct
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from compiler.model import DepartmentPart, MergedMeasure, Organisation, Report

MakeReport = Callable[..., Report]


def _measures() -> tuple[MergedMeasure, ...]:
    return (
        MergedMeasure(
            number=1,
            title="การเสริมสร้างแนวคิดในการปฏิบัติงาน",
            indicator="กระบวนการปฏิบัติงานที่โปร่งใสและมีประสิทธิภาพ",
            indicator_codes=("i4", "i5"),
            methods=(
                "1. แต่งตั้ง คณะทำงานและกำกับติดตามผลในการดำเนินงาน",
                "2. แจ้งให้ทุกหน่วยงานราชการ ทราบแนวทางในการปฏิบัติ ITA ประจำปี 2565",
            ),
            responsible=("สำนักปลัด เทศบาลตำบลบ้านต๋อม",),
            period=("ต.ค. 2564 – พ.ย. 2564",),
            parts=(
                DepartmentPart(
                    "สำนักปลัด",
                    results=("1.มีการประชุมเพื่อกำหนดแนวทาง", "2.มีการประชาสัมพันธ์ ดู www.bantom.go.th/2565"),
                    outcomes=("ยกระดับผลการประเมิน",),
                    suggestions=("หากมีบุคลากรบรรจุ/โอน/ย้าย ควรแจ้งสำนักปลัด",),
                ),
            ),
            budget=None,
        ),
        MergedMeasure(
            number=2,
            title="2. ปรับปรุงประสิทธิภาพในระบบการทำงาน",
            indicator="การให้บริการและระบบ E-Service",
            indicator_codes=("e5",),
            methods=("1. ปรับปรุงเว็บไซต์",),
            responsible=("สำนักปลัด", "กองคลัง"),
            period=("ธ.ค. 2564 – เม.ย. 2565", "พ.ค. 2565 – ก.ย. 2565"),
            parts=(
                DepartmentPart("สำนักปลัด", results=("ปรับปรุงเว็บไซต์หลักของหน่วยงาน",)),
                DepartmentPart(
                    "กองคลัง",
                    results=("เผยแพร่แผนการจัดซื้อจัดจ้าง 12 รายการ",),
                    outcomes=("ประชาชนรับทราบ",),
                ),
            ),
            budget=Decimal("12500"),
        ),
    )


@pytest.fixture
def render_make_report() -> MakeReport:
    """A function building a small two-measure Report; keyword arguments replace fields.

    ``layout``, ``measures``, ``scores`` and ``departments`` replace the report's fields;
    any other keyword replaces an ``Organisation`` field (``score=93.05``, ``logo=...``).
    """

    def make(**changes: Any) -> Report:
        report_fields = {k: changes.pop(k) for k in ("layout", "measures", "scores", "departments") if k in changes}
        org = Organisation(
            name="เทศบาลตำบลบ้านต๋อม",
            district="เมือง",
            province="พะเยา",
            fiscal_year=2565,
            executive="นายสุภชาติ สันกวาน",
            executive_position="นายกเทศมนตรีตำบลบ้านต๋อม",
        )
        report = Report(
            organisation=replace(org, **changes),
            measures=_measures(),
            scores={"i4": 100.0, "i5": 96.76, "e5": 99.52},
            departments=("สำนักปลัด", "กองคลัง"),
            layout="measures",
        )
        return replace(report, **report_fields)

    return make


def _png(width: int = 4, height: int = 2) -> bytes:
    """A tiny valid PNG (grey pixels), written without an image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@pytest.fixture
def render_png(tmp_path: Path) -> Path:
    """A small PNG file in ``tmp_path`` (a logo or an emblem)."""
    path = tmp_path / "logo.png"
    path.write_bytes(_png())
    return path


# --- hypothesis profiles (test_properties) ------------------------------------------------------
# ``ci`` is the default: moderate example counts, no deadline (a build takes ~0.2 s and a
# first import of pythainlp much longer). ``pytest --hypothesis-profile=long`` goes deeper.
from hypothesis import HealthCheck, Phase, settings  # noqa: E402

# derandomize: CI runs the same examples every time (a new random failure should come from a
# deliberate `--hypothesis-profile=long` run, not break an unrelated submission).
settings.register_profile(
    "ci",
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
    derandomize=True,
    database=None,
)
settings.register_profile("long", max_examples=1_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# ``hunt``: as ``long`` without shrinking; a failure is reported as found, at once (shrinking
# the pipeline's big examples can take longer than the search).
settings.register_profile("hunt", parent=settings.get_profile("long"), phases=[Phase.explicit, Phase.generate])
settings.load_profile("ci")


# --- the real-reader check (realreader.py): LibreOffice converts every .docx a test writes -------
import realreader  # noqa: E402


def pytest_addoption(parser: pytest.Parser) -> None:
    realreader.addoption(parser)


def pytest_configure(config: pytest.Config) -> None:
    # the compiled-template cache of this run (and of the CLI it starts): not the user's
    if "ITA_REPORT_CACHE" not in os.environ:
        os.environ["ITA_REPORT_CACHE"] = _CACHE[0] = tempfile.mkdtemp(prefix="ita-report-cache-")
    realreader.configure(config)
    _sigint_as_under_a_terminal()


def _sigint_as_under_a_terminal() -> None:
    """A run started in the background by a shell without job control (``pytest ... &``)
    inherits SIGINT ignored, and so would every child it starts (an ignored signal stays
    ignored across exec): the tests that send a command Ctrl-C would then see it carry on.
    Python's own handler here gives the children SIGINT's default, as under a terminal."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


_CACHE = [""]


def pytest_unconfigure(config: pytest.Config) -> None:
    if _CACHE[0]:
        from compiler import wordcut
        from compiler.docx import buildmemo

        wordcut.save()  # now, not at exit into a folder already removed
        buildmemo.save()
        shutil.rmtree(_CACHE[0], ignore_errors=True)


@pytest.fixture(autouse=True)
def _real_reader(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    yield
    failures = realreader.check_test(request, tmp_path_factory.getbasetemp())
    if failures:
        pytest.fail("LibreOffice could not open what this test wrote:\n" + "\n".join(failures), pytrace=False)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # a worker's (pytest-xdist) failures reach the controller through node_down
    if realreader.finish(session.config) or realreader.failed():
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    realreader.node_down(node)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    realreader.summary(terminalreporter)


@pytest.fixture(scope="module")
def web_browser():  # type: ignore[no-untyped-def]
    """Debian's chromium through Playwright, one per module of browser tests (``browsertools``)."""
    from browsertools import CHROMIUM, sync_api

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()
