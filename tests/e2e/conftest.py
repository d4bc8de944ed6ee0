"""Browser tests: Playwright driving Debian's Chromium against a live server.

Run as their own pytest invocation (`make e2e`, or the second half of `make test`): sync
Playwright and pytest-asyncio clash in one process (docs/development.md, Measured). Later issues reuse the
`page` fixture, `sign_up`, `sign_in` and `assert_accessible`.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# pytest-django's live_server runs Django in a thread of this process while Playwright's
# sync API runs an event loop in the test thread; Django's async-safety check would trip.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_CANDIDATES = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _chromium() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session", autouse=True)
def _patient_expectations() -> None:
    """CI machines are shared: give assertions about the page 10 s rather than 5 s."""
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    executable = _chromium()
    if executable is None:
        message = "Chromium is not installed: `apt-get install -y chromium` (make install-browser)."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page(browser, live_server) -> Iterator:
    # The taxonomies a flush took are back (tests/conftest.py, _taxonomies).
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def wait_until(page, expression: str, *, timeout: float = 15.0) -> None:
    """Wait until `expression` is true in the page. Playwright's wait_for_function polls by
    evaluating a string inside the page, which the pages' CSP (no 'unsafe-eval') refuses;
    this asks through the DevTools protocol instead, which the CSP does not govern."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout:.0f} s: {expression}")
        page.wait_for_timeout(50)


def assert_accessible(page, *, context: str = "") -> None:
    """axe-core (WCAG 2.1 A and AA rules) finds no violations on the page as it is now."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` (make install).")
    # Let htmx finish: results fade while a request is in flight.
    wait_until(page, "!document.querySelector('.htmx-request')")
    # Evaluated through the DevTools protocol, not added as a <script>: the pages'
    # Content-Security-Policy (script-src 'self') rightly refuses an inline script.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
        })"""
    )
    violations = [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
    ]
    where = context or page.url
    assert not violations, f"axe found violations on {where}:\n" + json.dumps(violations, indent=2)


def sign_up(page, email: str, password: str, name: str = "Aminata N'Diaye") -> None:
    page.goto("/accounts/signup/")
    page.get_by_label("Je naam").fill(name)
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_label("Wachtwoord (bevestigen)").fill(password)
    page.get_by_role("button", name="Registreren").click()
    page.wait_for_load_state()


def sign_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("main").get_by_role("button", name="Aanmelden").click()
    page.wait_for_load_state()


def sign_out(page) -> None:
    page.get_by_role("button", name="Uitloggen").or_(
        page.get_by_role("button", name="Sign out")
    ).first.click()
    page.wait_for_load_state()
