"""Benchmark: import synthetic FHIR bundles (~200 resources each) into SQLite and PostgreSQL.

Prints bundles/s per database and the ratio of import time to the time fhir.resources alone needs to
parse the same bundles (the baseline, measured in the same run). Target: import <= 3x parse time.
Peak memory is sampled during the run to show it does not grow with the number of bundles.

    .venv/bin/python bench/import.py [--bundles 1000] [--resources 200] [--postgres URL]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cnopad.domain.access import Actor, Channel, Role
from cnopad.knowledge import knowledge
from cnopad.services.records import import_bundle
from cnopad.store import Store, make_engine, migrate
from synthetic_bundles import synthetic_bundle

TODAY = date(2026, 11, 23)


def rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def texts(count: int, size: int):  # type: ignore[no-untyped-def]
    """Bundle JSON texts, generated one at a time (never all in memory)."""
    for i in range(count):
        yield json.dumps(synthetic_bundle(i, resources=size))


def parse_only(count: int, size: int) -> float:
    """Seconds fhir.resources needs to parse and validate the bundles (json.loads + Bundle.model_validate)."""
    from fhir.resources.R4B.bundle import Bundle

    spent = 0.0
    for text in texts(count, size):
        start = time.perf_counter()
        Bundle.model_validate(json.loads(text))
        spent += time.perf_counter() - start
    return spent


def import_all(url: str, count: int, size: int) -> tuple[float, list[tuple[int, float]]]:
    """Seconds to import every bundle (one transaction each), and peak-RSS samples along the way."""
    engine = make_engine(url)
    migrate(engine)
    store = Store(engine, lambda: datetime.now(UTC))
    actor = Actor("bench", Role.OPERATOR, Channel.CLI)  # the command line imports: the operator role
    valuesets = knowledge().valuesets
    spent = 0.0
    samples: list[tuple[int, float]] = []
    marks = {max(1, count // 10), max(1, count // 2), count}
    for n, text in enumerate(texts(count, size), start=1):
        start = time.perf_counter()
        with store.unit(actor) as uow:
            import_bundle(uow, text, valuesets=valuesets, today=TODAY, purpose="benchmark")
        spent += time.perf_counter() - start
        if n in marks:
            samples.append((n, rss_mb()))
    engine.dispose()
    return spent, samples


def postgres_schema_url(base: str) -> tuple[str, str] | None:
    """A private schema on the PostgreSQL server, or None when it cannot be reached."""
    try:
        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(base, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        return f"{base}?options=-csearch_path%3D{schema}", schema
    except Exception as exc:
        print(f"PostgreSQL not measured: {exc}")
        return None


def drop_schema(base: str, schema: str) -> None:
    """Remove the benchmark's schema."""
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundles", type=int, default=1000)
    parser.add_argument("--resources", type=int, default=200)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    count, size = args.bundles, args.resources
    knowledge()  # load once, outside the timings
    print(f"bench/import.py: {count} synthetic bundles of {size} resources")

    parse_s = parse_only(count, size)
    print(f"baseline  fhir.resources parse: {parse_s:7.2f} s  {count / parse_s:7.1f} bundles/s")

    results = []
    with tempfile.TemporaryDirectory() as folder:
        sqlite_s, samples = import_all(f"sqlite:///{Path(folder) / 'bench.db'}", count, size)
        results.append(("SQLite", sqlite_s, samples))
    pg = postgres_schema_url(args.postgres)
    if pg is not None:
        try:
            pg_s, samples = import_all(pg[0], count, size)
            results.append(("PostgreSQL", pg_s, samples))
        finally:
            drop_schema(args.postgres, pg[1])
    for name, seconds, samples in results:
        ratio = seconds / parse_s
        verdict = "OK" if ratio <= 3 else "ABOVE TARGET"
        memory = ", ".join(f"{n}: {mb:.0f} MiB" for n, mb in samples)
        print(
            f"import {name:<10}: {seconds:7.2f} s  {count / seconds:7.1f} bundles/s  ratio to parse {ratio:4.2f}x "
            f"(target <= 3x: {verdict})  peak RSS after bundles {memory}"
        )


if __name__ == "__main__":
    main()
