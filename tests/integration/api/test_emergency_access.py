"""Emergency access ("break-glass") and the import rules over the REST API, on SQLite and PostgreSQL: a GP
outside the care team opens a record only with a reason, for a limited time, audited; it lets them record
care but never join the care team; a new patient names its creator; the expertise centre never adds itself."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cnopad.api import create_app
from cnopad.bootstrap import Container
from cnopad.domain.access import Role
from cnopad.services.records import import_bundle
from cnopad.services.users import add_user
from cnopad.store import Store, make_engine
from conftest import NOW, TODAY  # type: ignore[import-not-found]
from support.fhir import bundle, care_team, pain, patient

AGB = "http://fhir.nl/fhir/NamingSystem/agb-z"
OWN_GP, OUTSIDER, CENTRE = "01000001", "01000002", "01000003"
REASON = "Acute chest pain at the emergency department, own GP unreachable"


@dataclass
class Clock:
    """A clock the test moves forward."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Api:
    http: TestClient
    container: Container
    clock: Clock

    def auth(self, name: str, role: Role, agb: str | None = None) -> dict[str, str]:
        with self.container.unit(self.container.operator()) as uow:
            _, token = add_user(uow, name, role, practitioner=(AGB, agb) if agb else None)
        return {"Authorization": f"Bearer {token}"}

    def events(self, patient_id: str | None = None) -> list[Any]:
        with self.container.unit(self.container.operator()) as uow:
            return uow.audit.events(patient_id=patient_id, limit=100)

    def is_member(self, patient_id: str, agb: str) -> bool:
        with self.container.unit(self.container.operator()) as uow:
            return uow.records.is_member(patient_id, (AGB, agb))


@pytest.fixture
def api(container: Container) -> Iterator[Api]:
    """The app on each database, with a movable clock and one patient of OWN_GP ("p1")."""
    clock = Clock()
    engine = make_engine(container.settings.database)
    moved = Container(
        settings=container.settings.model_copy(update={"emergency_access_hours": 2}),
        store=Store(engine, clock),
        knowledge=container.knowledge,
        clock=clock,
    )
    with moved.unit(moved.operator()) as uow:
        record = bundle(patient("p1"), pain("o1", 6, "2026-06-01"), care_team("ct", ("gp", "Eigen huisarts", OWN_GP)))
        import_bundle(uow, record, valuesets=moved.knowledge.valuesets, today=TODAY)
    with TestClient(create_app(moved)) as http:
        yield Api(http, moved, clock)
    engine.dispose()


def test_a_gp_outside_the_care_team_opens_a_record_by_emergency_access_and_it_is_audited_with_the_reason(
    api: Api,
) -> None:
    gp = api.auth("waarnemer", Role.GP, OUTSIDER)
    assert api.http.get("/api/patients/p1", headers=gp).status_code == 403

    granted = api.http.post("/api/patients/p1/emergency-access", json={"reason": REASON}, headers=gp)
    record = api.http.get("/api/patients/p1", headers=gp)

    assert granted.status_code == 201, granted.text
    body = granted.json()
    assert (body["patient"], body["user"], body["reason"]) == ("p1", "waarnemer", REASON)
    assert datetime.fromisoformat(body["expires_at"]) - datetime.fromisoformat(body["granted_at"]) == timedelta(hours=2)
    assert record.status_code == 200
    newest, glass = api.events("p1")[:2]
    assert (glass.action, glass.user, glass.purpose) == ("break-glass", "waarnemer", "emergency access")
    assert REASON in glass.detail
    assert (newest.action, newest.purpose) == ("read", "emergency access")


def test_emergency_access_ends_after_the_configured_hours(api: Api) -> None:
    gp = api.auth("waarnemer", Role.GP, OUTSIDER)
    api.http.post("/api/patients/p1/emergency-access", json={"reason": REASON}, headers=gp)
    api.clock.now = NOW + timedelta(hours=1, minutes=59)
    assert api.http.get("/api/patients/p1", headers=gp).status_code == 200
    api.clock.now = NOW + timedelta(hours=2)
    assert api.http.get("/api/patients/p1", headers=gp).status_code == 403


@pytest.mark.parametrize(
    ("reason", "why"),
    [
        ("", "String should have at least 10 characters"),
        ("   kort   \n\n  ", "too short (at least 10 characters)"),
        ("x" * 501, "String should have at most 500 characters"),
        ("Reanimatie\x00 op de SEH", "contains control characters"),
    ],
)
def test_emergency_access_needs_a_real_reason_and_grants_nothing_without_one(api: Api, reason: str, why: str) -> None:
    gp = api.auth("waarnemer", Role.GP, OUTSIDER)
    response = api.http.post("/api/patients/p1/emergency-access", json={"reason": reason}, headers=gp)
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"].endswith("reason")
    assert why in response.json()["errors"][0]["reason"]
    assert api.http.get("/api/patients/p1", headers=gp).status_code == 403


def test_emergency_access_lets_a_gp_record_care_but_never_change_the_care_team_or_import(api: Api) -> None:
    gp = api.auth("waarnemer", Role.GP, OUTSIDER)
    api.http.post("/api/patients/p1/emergency-access", json={"reason": REASON}, headers=gp)

    scored = api.http.post("/api/patients/p1/entries/pain", json={"date": TODAY.isoformat(), "score": 8}, headers=gp)
    colleague = api.http.post(
        "/api/patients/p1/entries/care-team", json={"name": "Collega", "roles": ["gp"], "agb": "01000099"}, headers=gp
    )
    imported = api.http.post("/api/bundles", json=bundle(patient("p1"), pain("o2", 3, "2026-11-01")), headers=gp)

    assert scored.status_code == 201, scored.text
    assert (colleague.status_code, imported.status_code) == (403, 403)
    assert not api.is_member("p1", OUTSIDER) and not api.is_member("p1", "01000099")
    assert api.events("p1")[0].action == "refused"


def test_the_care_team_and_the_expertise_centre_need_no_emergency_access(api: Api) -> None:
    own = api.auth("huisarts", Role.GP, OWN_GP)
    centre = api.auth("lumc", Role.EXPERTISE_CENTRE, CENTRE)
    for who in (own, centre):
        response = api.http.post("/api/patients/p1/emergency-access", json={"reason": REASON}, headers=who)
        assert response.status_code == 409
    assert [e for e in api.events("p1") if e.action == "break-glass"] == []


@pytest.mark.parametrize("role", [Role.ADMIN, Role.RESEARCHER])
def test_administrators_and_researchers_cannot_use_emergency_access(api: Api, role: Role) -> None:
    who = api.auth("iemand", role, OUTSIDER)
    response = api.http.post("/api/patients/p1/emergency-access", json={"reason": REASON}, headers=who)
    assert response.status_code == 403
    assert api.http.get("/api/patients/p1", headers=who).status_code == 403
    assert api.events("p1")[0].action == "refused"


def test_emergency_access_to_an_unknown_patient_is_not_found_and_still_audited(api: Api) -> None:
    gp = api.auth("waarnemer", Role.GP, OUTSIDER)
    response = api.http.post("/api/patients/nobody/emergency-access", json={"reason": REASON}, headers=gp)
    assert response.status_code == 404
    assert (api.events("nobody")[0].action, api.events("nobody")[0].user) == ("refused", "waarnemer")


def test_a_gp_creates_a_new_patient_only_when_its_care_team_names_them(api: Api) -> None:
    gp = api.auth("huisarts", Role.GP, OWN_GP)
    anonymous_team = bundle(patient("p2"), care_team("ct", ("gp", "Een ander", "01000077"), pid="p2"))
    named = bundle(patient("p3"), care_team("ct", ("gp", "Eigen huisarts", OWN_GP), pid="p3"))

    refused = api.http.post("/api/bundles", json=anonymous_team, headers=gp)
    created = api.http.post("/api/bundles", json=named, headers=gp)

    assert refused.status_code == 403
    assert "must name you" in refused.json()["detail"]
    assert api.http.get("/api/patients/p2", headers=api.auth("lumc", Role.EXPERTISE_CENTRE)).status_code == 404
    assert created.status_code == 200
    assert api.http.get("/api/patients/p3", headers=gp).status_code == 200


def test_a_gp_whose_team_membership_in_the_bundle_has_ended_cannot_create_the_patient(api: Api) -> None:
    gp = api.auth("huisarts", Role.GP, OWN_GP)
    team = care_team("ct", ("gp", "Eigen huisarts", OWN_GP), pid="p4")
    team["participant"][0]["period"] = {"start": "2020-01-01", "end": "2025-01-01"}
    assert api.http.post("/api/bundles", json=bundle(patient("p4"), team), headers=gp).status_code == 403


def test_the_expertise_centre_creates_patients_but_never_adds_itself_to_an_existing_care_team(api: Api) -> None:
    centre = api.auth("lumc", Role.EXPERTISE_CENTRE, CENTRE)
    itself = care_team("ct-lumc", ("expertise_centre", "LUMC", CENTRE), pid="p1")

    new = api.http.post("/api/bundles", json=bundle(patient("p5")), headers=centre)
    joined = api.http.post("/api/bundles", json=bundle(patient("p1"), itself), headers=centre)
    entry = api.http.post(
        "/api/patients/p1/entries/care-team",
        json={"name": "LUMC", "roles": ["expertise_centre"], "agb": CENTRE},
        headers=centre,
    )
    other = api.http.post(
        "/api/patients/p1/entries/care-team", json={"name": "Fysio", "roles": ["physiotherapist"]}, headers=centre
    )

    assert new.status_code == 200
    assert (joined.status_code, entry.status_code) == (403, 403)
    assert other.status_code == 201
    assert not api.is_member("p1", CENTRE)


def test_a_care_team_member_adds_a_colleague_to_the_team(api: Api) -> None:
    own = api.auth("huisarts", Role.GP, OWN_GP)
    response = api.http.post(
        "/api/patients/p1/entries/care-team",
        json={"name": "Reumatoloog", "roles": ["specialist"], "agb": OUTSIDER},
        headers=own,
    )
    assert response.status_code == 201
    assert api.is_member("p1", OUTSIDER)


def test_only_administrators_list_the_users(api: Api) -> None:
    admin = api.auth("beheer", Role.ADMIN)
    centre = api.auth("lumc", Role.EXPERTISE_CENTRE, CENTRE)
    listed = api.http.get("/api/users", headers=admin)
    assert listed.status_code == 200
    assert {u["name"]: u["role"] for u in listed.json()} == {"beheer": "admin", "lumc": "expertise_centre"}
    assert "token" not in str(listed.json()) and "hash" not in str(listed.json())
    assert api.http.get("/api/users", headers=centre).status_code == 403
