"""A write's access check and the write itself see the same care team: once a write has been allowed, no other
transaction can change that patient until it ends (a row lock on PostgreSQL, SQLite's single writer)."""

from __future__ import annotations

import sqlite3

import psycopg

from cnopad.domain.access import Actor, Channel, Role
from cnopad.knowledge.valuesets import ValueSetIndex
from cnopad.services.access import ensure_can_write
from cnopad.services.records import import_bundle
from cnopad.store import Store
from conftest import POSTGRES_URL, TODAY  # type: ignore[import-not-found]
from support.fhir import bundle, care_team, patient

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
