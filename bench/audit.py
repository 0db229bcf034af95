"""Benchmark: the cost of one audited transaction (what every CDS Hooks call pays) on SQLite and PostgreSQL.

Each operation is its own unit of work, committed, as a request does it. Baseline in the same run: a
unit of work that commits without writing (the transaction alone). Measured: an audit append with
the keyed chain and a checkpoint after every commit (interval 0), the same with the default
checkpoint interval (1 s), and ``verify`` over the whole log.

    .venv/bin/python bench/audit.py [--rows 10000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from cnopad.domain.access import Actor, Channel, Role
from cnopad.store import CheckpointLog, Store, make_engine, migrate, open_keyring

ACTOR = Actor("https://ehr.example.nl practitioner-1", Role.CDS_CLIENT, Channel.CDS)


def measure(name: str, count: int, operation: Callable[[int], None]) -> float:
    """Run ``operation`` ``count`` times (after 200 warm-up runs); print and return p50 in µs."""
    for n in range(200):
        operation(n)
    latencies = []
    start = time.perf_counter()
    for n in range(count):
        begin = time.perf_counter()
        operation(n)
        latencies.append(time.perf_counter() - begin)
    total = time.perf_counter() - start
    latencies.sort()
    p50, p99 = latencies[len(latencies) // 2] * 1e6, latencies[int(len(latencies) * 0.99)] * 1e6
    print(f"  {name:<40} {count / total:7.0f}/s  p50 {p50:7.0f} µs  p99 {p99:7.0f} µs")
    return p50


def run(url: str, folder: Path, count: int) -> None:
    """Baseline, appends with checkpoints every commit and every second, then verify."""
    engine = make_engine(url)
    migrate(engine)
    keyring = open_keyring(folder / "audit.key", may_create=True)

    def store(interval: float) -> Store:
        checkpoints = CheckpointLog(folder / "audit-checkpoints.log", keyring, interval=interval)
        return Store(engine, lambda: datetime.now(UTC), keyring=keyring, checkpoints=checkpoints)

    def empty(n: int) -> None:
        with every.unit(ACTOR) as uow:
            uow.session.execute(select(1))
            uow.commit()

    def append_with(target: Store) -> Callable[[int], None]:
        def append(n: int) -> None:
            with target.unit(ACTOR) as uow:
                uow.audit.append(
                    ACTOR, "cds-patient-view", patient_id=f"p{n % 50}", purpose="decision support", detail="cards=3"
                )
                uow.commit()

        return append

    every, batched = store(0), store(1.0)
    base = measure("baseline: empty transaction", count, empty)
    for name, target in (("append, checkpoint every commit", every), ("append, checkpoint every 1 s", batched)):
        p50 = measure(name, count, append_with(target))
        print(f"  {'':<40} ratio to baseline p50: {p50 / base:4.2f}x")
    lines = len((folder / "audit-checkpoints.log").read_text().splitlines())
    start = time.perf_counter()
    with every.unit(ACTOR) as uow:
        report = uow.audit.verify()
    print(
        f"  verify: {report.rows} rows, {lines} checkpoint lines in {time.perf_counter() - start:.2f} s "
        f"({'intact' if report.ok else report.problems[:3]})"
    )
    engine.dispose()


def main() -> None:
    """Run the benchmark on SQLite and, when reachable, PostgreSQL."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    print(f"bench/audit.py: {args.rows} audited transactions per variant")
    with tempfile.TemporaryDirectory() as folder:
        print("SQLite")
        run(f"sqlite:///{Path(folder) / 'bench.db'}", Path(folder), args.rows)
    try:
        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.postgres, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except Exception as exc:  # any failure: PostgreSQL is not measured here
        print(f"PostgreSQL not measured: {exc}")
        return
    try:
        with tempfile.TemporaryDirectory() as folder:
            print("PostgreSQL")
            run(f"{args.postgres}?options=-csearch_path%3D{schema}", Path(folder), args.rows)
    finally:
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
