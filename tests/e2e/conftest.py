"""Browser tests: Debian's Chromium driven by Playwright against the app served by uvicorn on 127.0.0.1,
on each real database (a temporary SQLite file and a private PostgreSQL schema) holding the synthetic demo
patients and the demo users.

`make test` installs Chromium once before pytest starts (tools/ensure_chromium.sh: apt-get, as root);
pytest never installs anything, because parallel workers would race for the dpkg lock. Without Chromium
the tests are skipped with a loud reason, and under CI=true they fail. ``playwright install`` is never used.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cnopad.bootstrap import Container, build
from cnopad.services.demo import load_demo
from cnopad.services.demo_users import DemoLogin, ensure_demo_users
from cnopad.settings import Settings
from integration.web.server import serve

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _chromium_problem() -> str | None:
    """None when Chromium can be used; else why not."""
    if Path(CHROMIUM).exists():
        return None
    return f"Chromium is not installed at {CHROMIUM} (`make test` installs it with apt-get when run as root)"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the session."""
    problem = _chromium_problem()
    if problem:
        if IN_CI:
            pytest.fail(f"CI=true and {problem}", pytrace=False)
        pytest.skip(f"!!! BROWSER TESTS SKIPPED: {problem}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@dataclass
class Demo:
    """The served demo: its URL, container and this run's demo logins."""

    url: str
    container: Container
    logins: dict[str, DemoLogin]

    def password(self, user: str) -> str:
        """The web password of a demo user."""
        return self.logins[user].password


@pytest.fixture
def demo(tmp_path: Path, database_url: str) -> Iterator[Demo]:
    """The app with the synthetic demo patients (dates moved to today) and the demo users, on each database."""
    container = build(Settings(data_dir=tmp_path, database_url=database_url))
    load_demo(
        lambda: container.unit(container.operator()), valuesets=container.knowledge.valuesets, today=container.today()
    )
    logins = {login.name: login for login in ensure_demo_users(container)}
    for url in serve(container):
        yield Demo(url, container, logins)
    container.store.engine.dispose()


@pytest.fixture
def page(browser: object, demo: Demo) -> Iterator[object]:
    """A fresh browser page (own cookies) that fails the test on any Content-Security-Policy violation."""
    context = browser.new_context(base_url=demo.url, accept_downloads=True, locale="nl-NL")  # type: ignore[attr-defined]
    tab = context.new_page()
    violations: list[str] = []
    tab.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield tab
    context.close()
    assert not violations, violations


def screenshot_dir(tmp_path: Path) -> Path:
    """Where screenshots go: docs/screenshots when CNOPAD_SCREENSHOTS=1 (to refresh the README), else tmp."""
    if os.environ.get("CNOPAD_SCREENSHOTS") == "1":
        target = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        return target
    return tmp_path
