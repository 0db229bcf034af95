"""Benchmark: the web app's worklist and patient page for a GP with 1,000 patients, measured over HTTP on
loopback (server time as the client sees it: request sent to last byte), p50 and p95.

    .venv/bin/python bench/web.py [--patients 1000] [--requests 200]

It builds a temporary SQLite database with N synthetic adult patients in one GP's care team (each with a
CNO-SCCH diagnosis, a pamidronate order with courses, pain scores, labs and a care team: ~40 entries),
serves the app with uvicorn on a free 127.0.0.1 port in this process, signs in through the login form,
and times sequential requests. The first worklist request (which assesses every patient and fills the
assessment cache) is reported on its own. Baselines measured in the same run on the same server:
``GET /healthz`` and a static file. Target (issue 6): p95 <= 100 ms for the worklist and the patient page.
"""

from __future__ import annotations

import argparse
import random
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
import uvicorn

from cnopad.api import create_app
from cnopad.bootstrap import Container, build
from cnopad.domain import (
    Administration,
    Bone,
    CareRole,
    CareTeamMember,
    Coding,
    Concept,
    Condition,
    Identifier,
    MedicationUse,
    Observation,
    Patient,
    PatientRecord,
    PeriodUnit,
    Quantity,
    Schedule,
    Sex,
    Site,
)
from cnopad.domain.access import Role
from cnopad.services.auth import hash_password
from cnopad.settings import Settings

AGB = ("http://fhir.nl/fhir/NamingSystem/agb-z", "01999001")
PASSWORD = "bench-password"  # noqa: S105 - a throw-away database of synthetic patients


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def synthetic_record(container: Container, n: int, today: date, rng: random.Random) -> PatientRecord:
    """One synthetic adult with CNO-SCCH on pamidronate (some courses overdue), pain scores and labs."""
    vs = container.knowledge.valuesets
    pid = f"bench-{n:05d}"
    dx = vs.coding_for(Concept.CNO_SCCH)
    pam = Coding("http://www.whocc.no/atc", "M05BA03", "pamidronic acid")
    pain = vs.coding_for(Concept.PAIN_SCORE)
    crp = vs.coding_for(Concept.CRP)
    start = today - timedelta(days=rng.randint(200, 900))
    entries: list[object] = [
        Condition(
            f"{pid}-dx", (dx,), vs.concepts((dx,)), recorded=start - timedelta(days=60), sites=(Site(Bone.STERNUM),)
        ),
        MedicationUse(
            f"{pid}-pam", (pam,), vs.concepts((pam,)), start=start, schedule=Schedule(3, PeriodUnit.MONTH, 3)
        ),
        CareTeamMember(f"{pid}-gp", frozenset({CareRole.GP}), "Dr. Bench", Identifier(*AGB)),
        CareTeamMember(f"{pid}-sp", frozenset({CareRole.MAIN_TREATING}), f"Dr. Specialist {n % 7}"),
    ]
    course = start
    last = today - timedelta(days=rng.choice([20, 60, 120]))  # some patients' next course is overdue
    while course <= last:
        for day in range(3):
            entries.append(
                Administration(f"{pid}-inf-{course}-{day}", (pam,), course + timedelta(days=day), vs.concepts((pam,)))
            )
        course += timedelta(days=91)
    for k in range(8):
        when = today - timedelta(days=30 * k + rng.randint(0, 20))
        entries.append(Observation(f"{pid}-pain-{k}", (pain,), vs.concepts((pain,)), when, rng.randint(2, 8)))
        entries.append(
            Observation(f"{pid}-crp-{k}", (crp,), vs.concepts((crp,)), when, Quantity(rng.randint(1, 30), "mg/L"))
        )
    sex = rng.choice([Sex.FEMALE, Sex.MALE])
    patient = Patient(pid, date(1950 + n % 45, 1 + n % 12, 1 + n % 28), sex, f"Bench Patiënt {n:04d}", synthetic=True)
    return PatientRecord.build(patient, entries)  # type: ignore[arg-type]


def free_port() -> int:
    """A free port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def timed(client: httpx.Client, path: str, count: int) -> list[float]:
    """Milliseconds of ``count`` sequential GETs of ``path`` (each must answer 200)."""
    out = []
    for _ in range(count):
        begin = time.perf_counter()
        response = client.get(path)
        out.append((time.perf_counter() - begin) * 1000)
        if response.status_code != 200:
            sys.exit(f"{path} answered {response.status_code}")
    return out


def main() -> None:
    """Build, serve, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cnopad-bench-web-"))
    container = build(Settings(data_dir=folder, database_url=f"sqlite:///{folder / 'cnopad.db'}"))
    rng = random.Random(6)
    begin = time.perf_counter()
    with container.unit(container.operator()) as uow:
        uow.users.add("bench-gp", Role.GP, password_hash=hash_password(PASSWORD), practitioner=AGB)
        for n in range(args.patients):
            uow.records.save(synthetic_record(container, n, container.today(), rng), purpose="bench")
        uow.commit()
    print(f"database: {args.patients} patients written in {time.perf_counter() - begin:.1f} s ({folder})")

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(container), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
        login = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert token is not None
        client.post("/login", data={"name": "bench-gp", "password": PASSWORD, "csrf_token": token.group(1)})
        cold = timed(client, "/worklist", 1)[0]
        print(f"worklist, first request (assesses {args.patients} patients, fills the cache): {cold:.0f} ms")
        results = {
            "GET /healthz (baseline)": timed(client, "/healthz", args.requests),
            "GET /static/cnopad.css (baseline)": timed(client, "/static/cnopad.css", args.requests),
            "GET /worklist (cache warm)": timed(client, "/worklist", args.requests),
            "GET /worklist?q=0042 (search)": timed(client, "/worklist?q=0042", args.requests // 2),
            "GET /patients/{id} (live assessment)": [
                ms for n in range(args.requests) for ms in timed(client, f"/patients/bench-{n % args.patients:05d}", 1)
            ],
        }
    server.should_exit = True
    thread.join(timeout=10)
    base = statistics.median(results["GET /healthz (baseline)"])
    print(f"\n{'request':40} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p50/healthz':>12}")
    for name, values in results.items():
        p50, p95 = percentile(values, 50), percentile(values, 95)
        print(f"{name:40} {len(values):5d} {p50:8.1f} {p95:8.1f} {p50 / base:12.1f}")
    worst = max(
        percentile(results[k], 95) for k in ("GET /worklist (cache warm)", "GET /patients/{id} (live assessment)")
    )
    print(
        f"\ntarget p95 <= 100 ms for the worklist and the patient page: {'met' if worst <= 100 else 'NOT met'} "
        f"(worst p95 {worst:.1f} ms)"
    )


if __name__ == "__main__":
    main()
