"""A write's access check and the write itself see the same care team: once a write has been allowed, no other
transaction can change that patient until it ends (a row lock on PostgreSQL, SQLite's single writer)."""

from __future__ import annotations

import sqlite3
import threading
import time

import psycopg
from sqlalchemy import func, select

from cnopad.domain.access import Actor, Channel, Role
from cnopad.errors import ConflictError
from cnopad.knowledge.valuesets import ValueSetIndex
from cnopad.services.access import ensure_can_write
from cnopad.services.records import import_bundle
from cnopad.store import Store
from cnopad.store.tables import entries
from conftest import POSTGRES_URL, TODAY  # type: ignore[import-not-found]
from support.fhir import bundle, care_team, pain, patient

GP = Actor("huisarts", Role.GP, Channel.API, ("http://fhir.nl/fhir/NamingSystem/agb-z", "01000001"))


def _second_writer_is_blocked(database_url: str) -> bool:
    """Whether another connection could start changing patient p1 right now (it must not wait to find out)."""
    if database_url.startswith("sqlite"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        finally:
            conn.close()
        return False
    schema = database_url.rsplit("search_path%3D", 1)[1]
    with psycopg.connect(POSTGRES_URL, autocommit=False) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        try:
            conn.execute("SELECT id FROM patients WHERE id = 'p1' FOR UPDATE NOWAIT")
        except psycopg.errors.LockNotAvailable:
            return True
        return False


def test_an_allowed_write_holds_the_patient_until_its_transaction_ends(
    store: Store, admin: Actor, database_url: str, valuesets: ValueSetIndex
) -> None:
    with store.unit(admin) as uow:
        record = bundle(patient("p1"), care_team("ct", ("gp", "Huisarts", "01000001")))
        import_bundle(uow, record, valuesets=valuesets, today=TODAY)

    with store.unit(GP) as uow:
        ensure_can_write(uow, "p1")
        assert _second_writer_is_blocked(database_url)
    assert not _second_writer_is_blocked(database_url)


def test_a_patient_created_by_someone_else_during_an_import_is_a_conflict_and_nothing_is_written(
    store: Store, database_url: str, valuesets: ValueSetIndex
) -> None:
    if database_url.startswith("sqlite"):
        return  # SQLite has one writer at a time: the second import starts only after the first committed
    centre = Actor("lumc", Role.EXPERTISE_CENTRE, Channel.API)
    schema = database_url.rsplit("search_path%3D", 1)[1]
    outcome: list[BaseException | None] = []

    def import_p9() -> None:
        try:
            with store.unit(centre) as uow:
                import_bundle(
                    uow, bundle(patient("p9"), pain("o9", 4, "2026-11-01", pid="p9")), valuesets=valuesets, today=TODAY
                )
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    with psycopg.connect(POSTGRES_URL) as other:
        other.execute(f'SET search_path TO "{schema}"')
        other.execute(
            "INSERT INTO patients (id, name, birth_date, payload, digest, version, created_at, updated_at) "
            "VALUES ('p9', NULL, '1980-01-01', '{}', 'x', 1, now(), now())"
        )
        worker = threading.Thread(target=import_p9)
        worker.start()
        _wait_until_blocked(worker)  # the import found no such patient and now waits on the uncommitted row
        other.commit()
    worker.join(timeout=30)

    assert len(outcome) == 1 and isinstance(outcome[0], ConflictError), outcome
    with store.unit(centre) as uow:
        stored = uow.session.execute(select(func.count()).select_from(entries).where(entries.c.patient_id == "p9"))
        assert stored.scalar_one() == 0


def _wait_until_blocked(worker: threading.Thread) -> None:
    """Wait until the import's insert of the patient waits for a lock, or fail."""
    deadline = time.monotonic() + 30
    with psycopg.connect(POSTGRES_URL, autocommit=True) as watcher:
        while time.monotonic() < deadline and worker.is_alive():
            waiting = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database() AND query LIKE 'INSERT INTO patients %'"
            ).fetchone()
            if waiting and waiting[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the import never waited for the other transaction")
