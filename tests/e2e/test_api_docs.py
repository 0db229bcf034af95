"""The API documentation (/docs, Swagger UI) works in a real browser under cnopad's Content-Security-Policy,
loading everything from cnopad itself (the ``page`` fixture fails the test on any CSP violation)."""

from __future__ import annotations

import pytest

from e2e.conftest import Demo

pytestmark = pytest.mark.browser


def test_the_api_documentation_renders_every_operation_without_another_host_or_a_csp_violation(
    page: object, demo: Demo
) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))  # type: ignore[attr-defined]
    page.goto("/docs")  # type: ignore[attr-defined]
    page.wait_for_selector(".opblock-summary-operation-id, .opblock", timeout=20_000)  # type: ignore[attr-defined]
    operations = page.locator(".opblock")  # type: ignore[attr-defined]
    assert operations.count() >= 20
    operations.first.locator(".opblock-summary").click()
    page.wait_for_selector(".opblock-body", timeout=10_000)  # type: ignore[attr-defined]
    assert [url for url in requested if not url.startswith(demo.url) and not url.startswith("data:")] == []
