"""The server stays responsive under slow work: a slow JWK Set host named by CDS Hooks tokens, and a burst of
failed sign-ins (argon2). ``cnopad serve`` (uvicorn) in a child process on 127.0.0.1, real HTTP; the slow key
host is a small in-process HTTP server on 127.0.0.1 (the true outside boundary).

These are behaviour tests with a generous bound, not benchmarks: ``/healthz`` must keep answering within
``BOUND`` seconds (p99 of probes sent every 20 ms) while the slow work runs. Before the work was moved off the
event loop, the probes waited seconds.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from cnopad.bootstrap import build
from cnopad.domain.access import Role
from cnopad.settings import Settings
from integration.web.factories import add_user
from integration.web.server import free_port
from support.cds_client import BASE, SigningClient
from support.served_process import cnopad_serve

#: /healthz must answer within this many seconds (p99) while the slow work runs. Before the fix the probes
#: waited 12.7 s (key host) and 7.5 s (sign-ins), and by construction at least 3 s on any machine (a blocking
#: 3 s key fetch; 15 argon2 hashes of ~0.3 s each in a row). After it: a few to tens of milliseconds on a
#: quiet machine, and up to 0.65 s with the load average at 10-16 on the 2 cores (other test suites running,
#: where every request is slow), hence the margin.
BOUND = 1.5
#: probe for at least this many seconds, so the p99 rests on enough answers
WINDOW = 3.0
PATIENT_VIEW = "/cds-services/cnopad-patient-view"
CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


class SlowKeyHost:
    """An EHR's JWK Set host that takes ``delay`` seconds to answer; counts the requests it receives."""

    def __init__(self, jwks: dict[str, object], delay: float) -> None:
        self.requests: list[str] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                host.requests.append(self.path)
                time.sleep(delay)
                body = json.dumps(jwks).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # cnopad gave up waiting (its time-out) and closed the connection

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SlowKeyHost:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class HealthProbe:
    """Asks ``/healthz`` every 20 ms in a thread and keeps each answer's time."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self._stop.is_set():
                started = time.perf_counter()
                response = client.get("/healthz")
                self.latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    self.failures.append(str(response.status_code))
                self._stop.wait(0.02)

    def __enter__(self) -> HealthProbe:
        self._started = time.perf_counter()
        self._thread.start()
        return self

    def keep_on_until(self, seconds: float) -> None:
        """Go on probing until ``seconds`` have passed since the start (enough probes for a p99)."""
        time.sleep(max(0.2, seconds - (time.perf_counter() - self._started)))

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def p99(self) -> float:
        """The 99th percentile of the answer times (the slowest answer when there are fewer than 100)."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _concurrently(count: int, work: Callable[[int], httpx.Response]) -> list[int | None]:
    """Run ``work(0..count-1)`` in threads that start together; their status codes in order (None: no answer
    within two minutes)."""
    results: list[int | None] = [None] * count
    start = threading.Barrier(count)

    def one(index: int) -> None:
        start.wait()
        results[index] = work(index).status_code

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _warm_up(url: str, *requests: tuple[str, str]) -> None:
    """One request per route first: a route's first request builds its state (and imports) on the event loop."""
    with httpx.Client(base_url=url, timeout=60) as client:
        for method, path in requests:
            client.request(method, path)


@pytest.fixture
def ehr(tmp_path: Path) -> SigningClient:
    return SigningClient(tmp_path)


def _settings(tmp_path: Path, *, gp: str | None = None, **extra: str) -> dict[str, str]:
    """A fresh SQLite database in ``tmp_path`` (migrated now, with a GP who has a password when named), as
    ``cnopad serve`` settings."""
    data = tmp_path / "data"
    container = build(Settings(data_dir=data))
    if gp is not None:
        add_user(container, gp, Role.GP)
    container.store.engine.dispose()
    return {"data_dir": str(data), "base_url": BASE, **extra}


def test_tokens_naming_a_slow_key_host_do_not_stall_the_server_and_the_host_is_not_asked_again_soon(
    tmp_path: Path, ehr: SigningClient
) -> None:
    with SlowKeyHost(ehr.jwks(), delay=4.0) as keys:
        jku = f"{keys.url}/.well-known/jwks.json"
        clients = ehr.clients_file(jku=(jku,))
        settings = _settings(tmp_path, cds_clients=str(clients), cds_jwks_timeout="1.0", cds_jwks_retry_after="60")
        with cnopad_serve(free_port(), settings) as url:

            def call(_: int) -> httpx.Response:
                with httpx.Client(base_url=url, timeout=60) as client:
                    return client.post(PATIENT_VIEW, json={}, headers=ehr.auth(PATIENT_VIEW, header_jku=jku))

            _warm_up(url, ("GET", "/healthz"), ("POST", PATIENT_VIEW))
            with HealthProbe(url) as probe:
                time.sleep(0.1)
                responses = _concurrently(4, call)
                probe.keep_on_until(WINDOW)
            started = time.perf_counter()
            again = call(0)
            again_seconds = time.perf_counter() - started

    figures = (
        f"/healthz during 4 calls naming a slow key host: {len(probe.latencies)} probes, "
        f"p99 {probe.p99() * 1000:.1f} ms, max {max(probe.latencies) * 1000:.1f} ms; "
        f"a call within the retry window: {again_seconds * 1000:.1f} ms"
    )
    print(figures)  # noqa: T201 - the figures, for the record (pytest -s)
    assert probe.p99() < BOUND, f"/healthz p99 {probe.p99():.3f} s while key fetches hung"
    assert probe.failures == []
    assert responses == [401] * 4
    assert len(keys.requests) == 1, "four calls for one URL share one fetch"
    assert again.status_code == 401
    assert "not asked again" in again.json()["detail"]
    assert len(keys.requests) == 1, "a failed host is not asked again within the retry window"


def test_twenty_concurrent_failed_sign_ins_do_not_stall_the_server(tmp_path: Path) -> None:
    settings = _settings(tmp_path, gp="gp-one")
    with cnopad_serve(free_port(), settings) as url:

        def sign_in(index: int) -> httpx.Response:
            with httpx.Client(base_url=url, timeout=120) as client:
                token = CSRF.search(client.get("/login").text)
                assert token is not None
                name = "gp-one" if index % 2 else f"nobody-{index}"
                return client.post("/login", data={"name": name, "password": "wrong", "csrf_token": token.group(1)})

        _warm_up(url, ("GET", "/healthz"), ("GET", "/login"), ("POST", "/login"))
        with HealthProbe(url) as probe:
            time.sleep(0.1)
            started = time.perf_counter()
            responses = _concurrently(20, sign_in)
            seconds = time.perf_counter() - started
            probe.keep_on_until(WINDOW)

    figures = (
        f"/healthz during 20 failed sign-ins ({seconds:.1f} s): {len(probe.latencies)} probes, "
        f"p99 {probe.p99() * 1000:.1f} ms, max {max(probe.latencies) * 1000:.1f} ms"
    )
    print(figures)  # noqa: T201 - the figures, for the record (pytest -s)
    assert probe.p99() < BOUND, f"/healthz p99 {probe.p99():.3f} s during failed sign-ins"
    assert probe.failures == []
    assert responses == [401] * 20
