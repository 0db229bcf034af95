"""``cnopad serve`` in a child process on 127.0.0.1, configured by environment variables only, the way an
operator runs it. The test's own threads (clients, probes) then share no interpreter lock with the server."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

CNOPAD = str(Path(sys.executable).parent / "cnopad")


@contextmanager
def cnopad_serve(port: int, settings: dict[str, str], *options: str) -> Iterator[str]:
    """Start ``cnopad serve --host 127.0.0.1 --port PORT OPTIONS`` with ``CNOPAD_*`` = ``settings`` (nothing
    else of the caller's CNOPAD_ environment); yield its URL once /healthz answers; stop it afterwards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CNOPAD_")}
    env |= {f"CNOPAD_{name.upper()}": value for name, value in settings.items()}
    command = [CNOPAD, "serve", "--host", "127.0.0.1", "--port", str(port), *options]
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: a full pipe would block the server
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            _wait_until_up(server, url, log)
            yield url
        finally:
            _stop(server)


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=30)


def _wait_until_up(server: subprocess.Popen[bytes], url: str, log: IO[bytes]) -> None:
    deadline = time.monotonic() + 120
    with httpx.Client(base_url=url, timeout=30) as http:
        while True:
            try:
                if http.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if server.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"cnopad serve stopped: {log.read().decode(errors='replace')[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError("cnopad serve did not start within 120 s")
            time.sleep(0.2)
