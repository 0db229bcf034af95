"""Browser tests: Debian's Chromium driven by Playwright against the app served by uvicorn on 127.0.0.1,
on a temporary SQLite database holding the synthetic demo patients and the demo users.

Chromium is installed with apt-get when it is missing and the tests run as root; otherwise the tests
are skipped with a loud reason, and under CI=true they fail. ``playwright install`` is never used.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
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
_install_tried: list[bool] = []


def _chromium_problem() -> str | None:
    """None when Chromium can be used; else why not (after trying apt-get once, as root)."""
    if Path(CHROMIUM).exists():
        return None
    if not _install_tried and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        _install_tried.append(True)
        sys.stderr.write("\n>>> Chromium is missing: installing Debian's chromium with apt-get (once) ...\n")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, env=env, timeout=1200)
        if Path(CHROMIUM).exists():
            return None
    return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium, as root)"


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
def demo(tmp_path: Path) -> Iterator[Demo]:
    """The app with the synthetic demo patients (dates moved to today) and the demo users."""
    container = build(Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'cnopad.db'}"))
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
