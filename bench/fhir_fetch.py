"""Benchmark: a CDS Hooks call without prefetch, its data fetched from a FHIR server with a fixed latency.

A demo patient's resources are served by the in-process fake FHIR server of the tests
(``tests/support/fake_fhir.py``), each request answered after ``--latency`` seconds. Observations are
paged (``--page-size``) and one MedicationRequest names its drug through ``medicationReference``, so the
fetch needs all three steps: every prefetch query, the next pages, the Medication. Printed per scenario:
the median time of ``--runs`` runs of the gathering alone, the requests sent and the sequential round
trips (the longest chain of requests each of which waited for the one before). The baseline in the same
run is the same client with one request in flight at a time (as cnopad fetched before issue 11).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from cnopad.fhir.client import FhirServerClient  # noqa: E402
from cnopad.services.cds import HookCall, gather  # noqa: E402
from support.fake_fhir import BASE, FakeFhirServer  # noqa: E402

DEMO = ROOT / "src" / "cnopad" / "services" / "demo_bundles" / "demo-adult-pamidronate-overdue.json"
TOKEN = "bench-token"  # noqa: S105 - a made-up token for the in-process fake server


def resources() -> list[dict[str, Any]]:
    """The demo patient's resources, with one drug behind a medicationReference (the Medication served apart)."""
    bundle = json.loads(DEMO.read_text(encoding="utf-8"))
    out = [e["resource"] for e in bundle["entry"]]
    request = next(r for r in out if r["resourceType"] == "MedicationRequest")
    out.append({"resourceType": "Medication", "id": "bench-med", "code": request["medicationCodeableConcept"]})
    request = {**request, "id": "bench-by-reference", "medicationReference": {"reference": "Medication/bench-med"}}
    del request["medicationCodeableConcept"]
    return [*out, request]


async def fetch_once(server: FakeFhirServer, patient_id: str, concurrency: int) -> tuple[float, int, int]:
    """One gathering: seconds, requests, round trips."""
    server.log.clear()
    transport = httpx.ASGITransport(app=server)

    def client(base: str, token: str | None) -> FhirServerClient:
        return FhirServerClient(base, token, transport=transport, concurrency=concurrency)

    call = HookCall(
        service_id="cnopad-patient-view",
        hook="patient-view",
        context={"patientId": patient_id, "userId": "Practitioner/bench"},
        prefetch=None,
        fhir_server=BASE,
        access_token=TOKEN,
    )
    started = time.perf_counter()
    data = await gather(call, client)
    elapsed = time.perf_counter() - started
    assert any(i.kind == "Medication" for i in data.located), "the Medication was fetched"
    return elapsed, len(server.requests), server.round_trips()


def main() -> None:
    """Run the scenarios and print their figures and the ratio to the sequential baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per FHIR request (default 0.05)")
    parser.add_argument("--page-size", type=int, default=10, help="search page size (default 10)")
    parser.add_argument("--runs", type=int, default=5, help="runs per scenario (median reported)")
    args = parser.parse_args()
    data = resources()
    patient_id = next(r["id"] for r in data if r["resourceType"] == "Patient")
    scenarios = [
        ("sequential (baseline: one request at a time)", 1, False),
        ("concurrent, server without _include", 16, False),
        ("concurrent, server honours _include", 16, True),
    ]
    print(f"latency {args.latency * 1000:.0f} ms per request, page size {args.page_size}, {len(data)} resources")
    baseline = None
    for name, concurrency, includes in scenarios:
        server = FakeFhirServer(
            {"entry": [{"resource": r} for r in data]},
            token=TOKEN,
            latency=args.latency,
            page_size=args.page_size,
            includes=includes,
        )
        runs = [asyncio.run(fetch_once(server, patient_id, concurrency)) for _ in range(args.runs)]
        median = statistics.median(r[0] for r in runs)
        baseline = baseline or median
        _, requests, trips = runs[-1]
        print(
            f"{name:<48} {median * 1000:7.0f} ms  {requests:3d} requests  {trips:2d} round trips  "
            f"ratio {median / baseline:.2f}"
        )


if __name__ == "__main__":
    main()
