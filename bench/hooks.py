"""Benchmark: CDS Hooks requests at a fixed rate over HTTP on loopback; p50/p95/p99 latency, throughput, errors.

Against any CDS Hooks service:

    .venv/bin/python bench/hooks.py --url http://127.0.0.1:8000 --service cnopad-patient-view \\
        --requests DIR --rate 200 --duration 20

Without ``--url`` it builds prefetch-complete requests from the demo patients, starts
``cnopad serve --workers 2`` on a free 127.0.0.1 port (temporary SQLite database, JWT trust with a key
generated for the run; ``--database URL`` for PostgreSQL), and measures it with signed requests.
The baseline in the same run is
``GET /healthz`` on the same server at the same rate; the ratio of the hook's p99 to it is printed.
The load is open-loop (requests leave on schedule whether or not earlier ones returned) and bounded in
count (rate x duration) and time (duration + 10 s). ``--set nl-core`` sends the demo patients as a Dutch FHIR
server would (nl-core profiles, standard codes, PractitionerRole members, findings as Dutch report text; see
bench/representations.py), ``--set us-core`` as a US Core one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


class Signer:
    """Signs one JWT per request (fresh jti) with an ES384 key."""

    def __init__(self, key: Any, kid: str, issuer: str) -> None:
        self.key, self.kid, self.issuer = key, kid, issuer

    def header(self, audience: str) -> dict[str, str]:
        import jwt

        now = int(time.time())
        token = jwt.encode(
            {"iss": self.issuer, "aud": audience, "iat": now, "exp": now + 300, "jti": str(uuid.uuid4())},
            self.key,
            algorithm="ES384",
            headers={"kid": self.kid, "typ": "JWT"},
        )
        return {"Authorization": f"Bearer {token}"}


async def load(
    url: str, bodies: list[dict[str, Any]] | None, rate: float, duration: float, signer: Signer | None
) -> dict[str, Any]:
    """Send rate x duration requests on schedule; return latencies (ms), statuses and wall time."""
    total = int(rate * duration)
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    # request bodies and signed tokens are made before the clock starts, so the load generator spends
    # its CPU on sending (it shares the machine's two cores with the server)
    encoded = [json.dumps(b).encode() for b in bodies] if bodies is not None else None
    tokens = [signer.header(url) for _ in range(total)] if signer else None
    async with httpx.AsyncClient(timeout=10.0, limits=limits) as client:
        start = time.perf_counter() + 0.2

        async def one(i: int) -> None:
            scheduled = start + i / rate
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            headers = tokens[i] if tokens else {}
            try:
                if encoded is None:
                    response = await client.get(url, headers=headers)
                else:
                    body = encoded[i % len(encoded)]
                    headers = {**headers, "Content-Type": "application/json"}
                    response = await client.post(url, content=body, headers=headers)
                outcomes[str(response.status_code)] += 1
                if response.status_code == 200:
                    latencies.append((time.perf_counter() - scheduled) * 1000)
            except httpx.HTTPError as exc:
                outcomes[type(exc).__name__] += 1

        tasks = [asyncio.create_task(one(i)) for i in range(total)]
        _, pending = await asyncio.wait(tasks, timeout=duration + 10)  # bounded in time whatever the server does
        for task in pending:
            task.cancel()
        if pending:
            outcomes["unfinished"] += len(pending)
            await asyncio.gather(*pending, return_exceptions=True)
        wall = min(time.perf_counter() - start, duration + 10)
    return {"latencies": latencies, "outcomes": outcomes, "wall": wall, "sent": total}


def report(name: str, result: dict[str, Any]) -> float:
    """Print one line of figures; returns p99 in ms."""
    lat = result["latencies"]
    ok = len(lat)
    errors = result["sent"] - ok
    p50, p95, p99 = (percentile(lat, p) for p in (50, 95, 99)) if lat else (float("nan"),) * 3
    print(
        f"{name:<24} sent {result['sent']:5d}  ok {ok:5d}  errors {errors:3d} {dict(result['outcomes'])}  "
        f"throughput {ok / result['wall']:6.1f}/s  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms"
        + (f"  mean {statistics.fmean(lat):.1f} ms" if lat else "")
    )
    return p99


def demo_requests(service: str, body_set: str = "cnopad") -> list[dict[str, Any]]:
    """Prefetch-complete patient-view requests built from the demo patients (dates shifted to today).

    ``body_set`` "nl-core" sends them as a Dutch FHIR server would: nl-core profiles, standard codes, care-team
    members as PractitionerRoles, and imaging and pathology findings as Dutch report text (bench/representations.py).
    """
    sys.path.insert(0, str(ROOT / "src"))
    from cnopad.knowledge import knowledge
    from cnopad.services.cds import PREFETCH
    from cnopad.services.demo import demo_bundle, manifest
    from representations import Shape, represent

    _, patients = manifest()
    out = []
    for patient in patients:
        bundle = demo_bundle(patient, today=date.today())
        if body_set != "cnopad":
            bundle = represent(bundle, Shape(body_set), knowledge().valuesets, server=True).bundle
        resources = [e["resource"] for e in bundle["entry"]]
        patient_id = next(r["id"] for r in resources if r["resourceType"] == "Patient")
        prefetch: dict[str, Any] = {}
        for key, template in PREFETCH.items():
            kind = template.split("/")[0].split("?")[0]
            if kind == "Patient":
                prefetch[key] = next(r for r in resources if r["resourceType"] == "Patient")
            else:
                matches = [r for r in resources if r["resourceType"] == kind]
                if kind == "CareTeam":  # what the template's _include=CareTeam:participant brings along
                    members = {p["member"].get("reference") for t in matches for p in t.get("participant", [])}
                    matches += [r for r in resources if f"{r['resourceType']}/{r.get('id')}" in members]
                if ":medication" in template:  # _include=MedicationRequest:medication and the like
                    drugs = {(m.get("medicationReference") or {}).get("reference") for m in matches}
                    matches += [r for r in resources if f"{r['resourceType']}/{r.get('id')}" in drugs]
                prefetch[key] = {
                    "resourceType": "Bundle",
                    "type": "searchset",
                    "total": len(matches),
                    "entry": [{"resource": r} for r in matches],
                }
        out.append(
            {
                "hook": "patient-view",
                "hookInstance": str(uuid.uuid4()),
                "context": {"userId": "Practitioner/bench", "patientId": patient_id},
                "prefetch": prefetch,
            }
        )
    return out


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_cnopad(
    folder: Path, port: int, workers: int, database: str | None = None
) -> tuple[subprocess.Popen[bytes], Signer]:
    """``cnopad serve`` with a trusted test client; returns the process and the client's signer."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from jwt.algorithms import ECAlgorithm

    key = ec.generate_private_key(ec.SECP384R1())
    jwk = json.loads(ECAlgorithm.to_jwk(key.public_key()))
    (folder / "jwks.json").write_text(json.dumps({"keys": [{**jwk, "kid": "bench", "alg": "ES384"}]}))
    (folder / "clients.yaml").write_text(
        f"clients:\n  - issuer: https://bench.invalid\n    jwks_file: {folder / 'jwks.json'}\n"
    )
    env = {
        **os.environ,
        "CNOPAD_DATA_DIR": str(folder),
        "CNOPAD_DATABASE_URL": database or f"sqlite:///{folder / 'bench.db'}",
        "CNOPAD_CDS_CLIENTS": str(folder / "clients.yaml"),
        "CNOPAD_BASE_URL": f"http://127.0.0.1:{port}",
        "CNOPAD_LOG_LEVEL": "warning",
    }
    cnopad = str(Path(sys.executable).with_name("cnopad"))
    subprocess.run([cnopad, "db", "upgrade"], env=env, check=True, capture_output=True)
    proc = subprocess.Popen(
        [cnopad, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(folder / "serve.log").open("wb"),
    )
    deadline = time.time() + 180  # start-up loads the knowledge base and builds the report-text pipeline
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc, Signer(key, "bench", "https://bench.invalid")
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    log = (folder / "serve.log").read_text(errors="replace")[-2000:]
    msg = f"cnopad serve did not start within 180 s; its log ends with:\n{log}"
    raise RuntimeError(msg)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="base URL of a running CDS Hooks service (default: start cnopad serve)")
    parser.add_argument("--service", default="cnopad-patient-view")
    parser.add_argument("--requests", type=Path, help="folder of CDS Hooks request bodies (*.json)")
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", help="database URL for the started cnopad (default: a temporary SQLite file)")
    parser.add_argument(
        "--set",
        dest="body_set",
        choices=["cnopad", "nl-core", "us-core"],
        default="cnopad",
        help="the demo patients in cnopad's codes, or as a Dutch (nl-core) or US Core server sends them",
    )
    args = parser.parse_args()
    if args.requests:
        bodies = [json.loads(p.read_text()) for p in sorted(args.requests.glob("*.json"))]
    else:
        bodies = demo_requests(args.service, args.body_set)
    print(
        f"bench/hooks.py: {len(bodies)} request bodies ({args.body_set}), "
        f"{args.rate:.0f} req/s for {args.duration:.0f} s (open loop)"
    )
    with tempfile.TemporaryDirectory() as folder:
        proc = None
        signer = None
        base = args.url
        if base is None:
            port = free_port()
            proc, signer = start_cnopad(Path(folder), port, args.workers, args.database)
            base = f"http://127.0.0.1:{port}"
            print(f"started cnopad serve --workers {args.workers} on {base} (JWT ES384 on every call)")
        try:
            warm = asyncio.run(load(f"{base}/cds-services/{args.service}", bodies, 20, 2, signer))
            if len(warm["latencies"]) == 0:
                print(f"warm-up failed: {dict(warm['outcomes'])}")
            baseline = asyncio.run(load(f"{base}/healthz", None, args.rate, args.duration, None))
            base_p99 = report("baseline GET /healthz", baseline)
            result = asyncio.run(load(f"{base}/cds-services/{args.service}", bodies, args.rate, args.duration, signer))
            hook_p99 = report(f"POST {args.service}", result)
            verdict = "OK" if hook_p99 <= 50 and result["sent"] == len(result["latencies"]) else "ABOVE TARGET"
            print(
                f"ratio p99 hook / p99 baseline: {hook_p99 / base_p99:.1f}x   target p99 <= 50 ms, no errors: {verdict}"
            )
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=10)


if __name__ == "__main__":
    main()
