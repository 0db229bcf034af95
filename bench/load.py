"""Load test: a mixed read/write load on ``cnopad serve --workers 2``; errors, writes lost, audit verify.

    .venv/bin/python bench/load.py --database postgresql://postgres@127.0.0.1:5432/test --duration 60

It makes a private schema in that PostgreSQL database (``--database sqlite`` uses a temporary SQLite file),
loads the synthetic demo patients, adds a GP and a specialist with API tokens, starts ``cnopad serve
--workers 2`` on a free 127.0.0.1 port and sends an open-loop mix for ``--duration`` seconds:

    35 % GET  /api/patients/{id}/assessment       20 % GET /api/patients/{id}
    10 % GET  /api/patients (list)                 25 % POST /api/patients/{id}/entries/pain (a new score)
    10 % POST /cds-services/cnopad-patient-view (signed ES384 JWT, prefetch from the demo bundle)

Afterwards it counts the writes acknowledged (201) that are missing from the stored records (writes lost),
every 5xx and transport error, and runs ``cnopad audit verify``. The baseline in the same run is
``GET /healthz`` at the same rate; the ratio of the mix's p99 to it is printed. Bounded in count
(rate x duration) and in time (duration + 10 s); loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from hooks import Signer, demo_requests, free_port, percentile, start_cnopad  # noqa: E402

AGB = "http://fhir.nl/fhir/NamingSystem/agb-z"
GP_AGB = "01999001"  # the demo GP (tests/…/demo_users.py): in the care team of the adult demo patients


def private_schema(url: str) -> tuple[str, str]:
    """A fresh schema in the PostgreSQL database; returns (URL using it, schema name)."""
    import psycopg

    schema = f"load_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}", schema


def drop_schema(url: str, schema: str) -> None:
    """Remove the load test's schema."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def prepare(database: str, folder: Path) -> tuple[list[str], str]:
    """Migrate, load the demo patients, add the load's GP; returns (the GP's patient ids, its API token)."""
    from cnopad.bootstrap import build
    from cnopad.services.demo import load_demo
    from cnopad.services.records import list_patients
    from cnopad.services.users import add_user
    from cnopad.settings import Settings

    container = build(Settings(data_dir=folder, database_url=database))
    load_demo(
        lambda: container.unit(container.operator()), valuesets=container.knowledge.valuesets, today=container.today()
    )
    with container.unit(container.operator()) as uow:
        _, token = add_user(uow, "load-gp", _role("gp"), practitioner=(AGB, GP_AGB))
    from cnopad.domain.access import Actor, Channel

    with container.unit(Actor("load-gp", _role("gp"), Channel.API, (AGB, GP_AGB))) as uow:
        ids = [p.id for p in list_patients(uow, purpose="load test")]
    container.store.engine.dispose()
    return ids, token


def _role(name: str) -> Any:
    from cnopad.domain.access import Role

    return Role(name)


class Mix:
    """Chooses the next request of the mix and remembers the acknowledged writes."""

    def __init__(self, patients: list[str], token: str, cds_bodies: list[bytes], signer: Signer, base: str) -> None:
        self.patients, self.cds_bodies, self.signer, self.base = patients, cds_bodies, signer, base
        self.auth = {"Authorization": f"Bearer {token}"}
        self.rng = random.Random(7)
        self.written: dict[str, set[str]] = {}
        self._scores = iter((d, s) for d in range(1, 20_000) for s in range(11))

    def next(self) -> tuple[str, str, str, dict[str, str], bytes | None]:
        """(kind, method, url, headers, body) of one request."""
        pick = self.rng.random()
        pid = self.rng.choice(self.patients)
        if pick < 0.35:
            return "assessment", "GET", f"{self.base}/api/patients/{pid}/assessment", self.auth, None
        if pick < 0.55:
            return "record", "GET", f"{self.base}/api/patients/{pid}", self.auth, None
        if pick < 0.65:
            return "list", "GET", f"{self.base}/api/patients", self.auth, None
        if pick < 0.90:
            days, score = next(self._scores)
            body = json.dumps({"score": score, "date": (date.today() - timedelta(days=days % 3000)).isoformat()})
            headers = {**self.auth, "Content-Type": "application/json"}
            return "write", "POST", f"{self.base}/api/patients/{pid}/entries/pain", headers, body.encode()
        url = f"{self.base}/cds-services/cnopad-patient-view"
        headers = {**self.signer.header(url), "Content-Type": "application/json"}
        return "cds", "POST", url, headers, self.rng.choice(self.cds_bodies)


async def run(mix: Mix, rate: float, duration: float) -> dict[str, Any]:
    """The open-loop mix: latencies per kind, outcomes, acknowledged writes."""
    total = int(rate * duration)
    plan = [mix.next() for _ in range(total)]  # bodies and tokens made before the clock starts
    latencies: dict[str, list[float]] = {}
    outcomes: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=128, max_keepalive_connections=128)
    async with httpx.AsyncClient(timeout=10.0, limits=limits) as client:
        start = time.perf_counter() + 0.2

        async def one(i: int) -> None:
            kind, method, url, headers, body = plan[i]
            scheduled = start + i / rate
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            try:
                response = await client.request(method, url, headers=headers, content=body)
            except httpx.HTTPError as exc:
                outcomes[f"{kind} {type(exc).__name__}"] += 1
                return
            outcomes[f"{kind} {response.status_code}"] += 1
            if response.status_code < 300:
                latencies.setdefault(kind, []).append((time.perf_counter() - scheduled) * 1000)
            if kind == "write" and response.status_code == 201:
                pid = url.rsplit("/", 3)[-3]
                mix.written.setdefault(pid, set()).update(response.json()["entries"])

        tasks = [asyncio.create_task(one(i)) for i in range(total)]
        _, pending = await asyncio.wait(tasks, timeout=duration + 10)
        for task in pending:
            task.cancel()
        if pending:
            outcomes["unfinished"] += len(pending)
            await asyncio.gather(*pending, return_exceptions=True)
    return {"latencies": latencies, "outcomes": outcomes, "sent": total}


def lost_writes(base: str, token: str, written: dict[str, set[str]]) -> tuple[int, int]:
    """(acknowledged, missing) pain entries, read back through the API."""
    acknowledged = missing = 0
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        for pid, ids in written.items():
            stored = {o["id"] for o in client.get(f"/api/patients/{pid}").json()["entries"]["observations"]}
            acknowledged += len(ids)
            missing += len(ids - stored)
    return acknowledged, missing


def main() -> None:
    """Run the load and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database", default="postgresql://postgres@127.0.0.1:5432/test", help="PostgreSQL URL or 'sqlite'"
    )
    parser.add_argument("--rate", type=float, default=60.0, help="requests per second (whole mix)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        schema = None
        if args.database == "sqlite":
            database = f"sqlite:///{folder / 'bench.db'}"
        else:
            database, schema = private_schema(args.database)
        try:
            patients, token = prepare(database, folder)
            cds = [json.dumps(b).encode() for b in demo_requests("cnopad-patient-view")]
            port = free_port()
            proc, signer = start_cnopad(folder, port, args.workers, database)
            base = f"http://127.0.0.1:{port}"
            print(
                f"bench/load.py: cnopad serve --workers {args.workers} on {base}, "
                f"{'SQLite' if schema is None else 'PostgreSQL'}; {len(patients)} patients of one GP; "
                f"{args.rate:.0f} req/s for {args.duration:.0f} s (open loop)"
            )
            try:
                baseline = asyncio.run(_healthz(base, args.rate, min(args.duration, 10)))
                mix = Mix(patients, token, cds, signer, base)
                result = asyncio.run(run(mix, args.rate, args.duration))
                acknowledged, missing = lost_writes(base, token, mix.written)
            finally:
                proc.terminate()
                proc.wait(timeout=10)
            verify = _verify(folder, database)
        finally:
            if schema is not None:
                drop_schema(args.database, schema)
    _print(result, baseline, acknowledged, missing, verify)


async def _healthz(base: str, rate: float, duration: float) -> list[float]:
    latencies: list[float] = []
    async with httpx.AsyncClient(timeout=10.0) as client:
        start = time.perf_counter()
        for i in range(int(rate * duration)):
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            t0 = time.perf_counter()
            if (await client.get(f"{base}/healthz")).status_code == 200:
                latencies.append((time.perf_counter() - t0) * 1000)
    return latencies


def _verify(folder: Path, database: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CNOPAD_DATA_DIR": str(folder), "CNOPAD_DATABASE_URL": database}
    cnopad = str(Path(sys.executable).with_name("cnopad"))
    return subprocess.run([cnopad, "audit", "verify"], env=env, capture_output=True, text=True, check=False)


def _print(
    result: dict[str, Any],
    baseline: list[float],
    acknowledged: int,
    missing: int,
    verify: subprocess.CompletedProcess[str],
) -> None:
    outcomes: Counter[str] = result["outcomes"]
    server_errors = sum(n for k, n in outcomes.items() if not k.split()[-1].isdigit() or k.split()[-1] >= "500")
    refused = sum(n for k, n in outcomes.items() if k.split()[-1].isdigit() and "400" <= k.split()[-1] < "500")
    every = [v for lat in result["latencies"].values() for v in lat]
    for kind, lat in sorted(result["latencies"].items()):
        print(
            f"  {kind:<11} ok {len(lat):5d}  p50 {percentile(lat, 50):6.1f} ms  p95 {percentile(lat, 95):6.1f} ms"
            f"  p99 {percentile(lat, 99):6.1f} ms"
        )
    base_p99 = percentile(baseline, 99) if baseline else float("nan")
    mix_p99 = percentile(every, 99) if every else float("nan")
    print(f"  outcomes: {dict(sorted(outcomes.items()))}")
    print(f"  baseline GET /healthz p99 {base_p99:.1f} ms; mix p99 {mix_p99:.1f} ms; ratio {mix_p99 / base_p99:.1f}x")
    print(f"  sent {result['sent']}; 5xx or transport errors {server_errors}; 4xx {refused}")
    print(f"  writes acknowledged {acknowledged}; writes lost {missing}")
    print(f"  cnopad audit verify: exit {verify.returncode}: {(verify.stdout + verify.stderr).strip()[:300]}")
    ok = server_errors == 0 and missing == 0 and verify.returncode == 0 and refused == 0
    print(f"  verdict: {'OK' if ok else 'PROBLEMS'} (target: no errors, no write lost, audit log intact)")


if __name__ == "__main__":
    main()
