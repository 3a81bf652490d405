"""What the browser tests share (``test_web_browser``, ``test_web_district_browser``): Debian's
chromium driven by Playwright, a new page, a screenshot under ``docs/img``, signing in.

Playwright's own browser download cannot be fetched here: the tests use ``/usr/bin/chromium``
(apt package ``chromium``) and are skipped, saying so, only when it is not installed; CI
(``.ci/run`` sets ``CI=true`` and installs chromium) must run them: there a missing browser fails.
The browser itself is the ``web_browser`` fixture (``conftest.py``), one per test module.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from webtools import PASSWORD, ROOT

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() and os.environ.get("CI") != "true",
    reason="Debian's chromium is not installed (apt-get install chromium; .ci/run does)",
)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is in the test extras: pip install -e '.[test]'"
)

SHOTS = ROOT / "docs" / "img"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP = "application/zip"


def new_page(browser: Any, **options: Any) -> Any:
    """A page in a context of its own (no cookies shared), Thai locale, downloads allowed."""
    context = browser.new_context(
        **{"viewport": {"width": 1280, "height": 860}, "locale": "th-TH", "accept_downloads": True, **options}
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    return page


def shot(page: Any, name: str) -> None:
    """The whole page as ``docs/img/web_<name>.png`` (the README shows them)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"web_{name}.png"), full_page=True)


def send(page: Any, url: str, field: str, files: list[tuple[str, bytes]]) -> None:
    """Open ``url``, choose ``files`` (name, bytes) in the file input ``field``, send, wait for the result."""
    page.goto(url)
    kind = {".zip": ZIP}
    page.set_input_files(
        f"input[name={field}]",
        files=[{"name": n, "mimeType": kind.get(Path(n).suffix, XLSX), "buffer": d} for n, d in files],
    )
    page.click("form.upload button[type=submit]")
    page.wait_for_selector("#result")


def sign_in(page: Any, base: str, landing: str) -> None:
    """Sign in from ``landing`` (``/admin`` or ``/district``), which sends to the login first."""
    page.goto(f"{base}{landing}")
    assert page.url.endswith("/login")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}{landing}")
