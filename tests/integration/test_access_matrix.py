"""The access matrix: every route of the app, for every role as care-team member, as outsider and with
emergency access (plus nobody signed in), over real HTTP (uvicorn on 127.0.0.1) on SQLite and PostgreSQL.

The routes are read from the app (``app.routes``); each must have a rule in ``ROUTES`` and a request in
``_requests``, so a route added without deciding who may use it fails ``test_every_route_has_an_access_rule``.
Each cell asserts the exact status; a refused write must leave the patient's row, entries and care-team
index as they were and leave a ``refused`` row in the audit log; a refused CDS Hooks call stores nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import func, select

from cnopad.api import create_app
from cnopad.bootstrap import Container
from cnopad.domain import CareRole, CareTeamMember, Entry, Identifier
from cnopad.domain.access import USER_ROLES, Role
from cnopad.engine import assess
from cnopad.services.auth import hash_password
from cnopad.services.cds import PREFETCH
from cnopad.services.entries import FORMS
from cnopad.services.users import new_token
from cnopad.store.tables import cds_cards, cds_feedback, emergency_access
from integration.web.conftest import csrf_of, sign_in
from integration.web.factories import AGB, PASSWORD, adult_record
from integration.web.server import serve
from support.fhir import bundle, care_team, pain, patient
from support.record_state import last_action, record_state

TODAY = "2026-11-23"  # the fixed clock of tests/conftest.py
FEEDBACK = Path(__file__).resolve().parents[1] / "fixtures" / "cds_hooks" / "feedback-accepted.json"


class Access(StrEnum):
    """Who may use a route."""

    PUBLIC = "public"  # anyone, signed in or not: no patient data
    AUTHENTICATED = "authenticated-no-patient-data"  # a signed-in user, whatever the role
    PATIENT_LIST = "patient-list"  # lists of patients: clinicians and the expertise centre; researchers get none
    PATIENT_READ = "patient-read"  # one record: care team, expertise centre, emergency access
    PATIENT_WRITE = "patient-write"  # change one record: as read, with the care-team and import limits
    EMERGENCY = "emergency-access"  # ask for emergency access: GPs and specialists outside the care team
    ADMIN_ONLY = "admin-only"  # users and settings: administrators
    CDS = "cds"  # CDS Hooks: a signed client (here the loopback development switch), never a user token


#: every route of the app and its rule; ("MOUNT", path) for mounted apps
ROUTES: dict[tuple[str, str], Access] = {
    ("GET", "/openapi.json"): Access.PUBLIC,
    ("GET", "/docs"): Access.PUBLIC,
    ("GET", "/healthz"): Access.PUBLIC,
    ("MOUNT", "/static"): Access.PUBLIC,
    ("GET", "/"): Access.PUBLIC,
    ("GET", "/login"): Access.PUBLIC,
    ("POST", "/login"): Access.PUBLIC,
    ("GET", "/leaflets/{audience}"): Access.PUBLIC,
    ("GET", "/leaflets/{audience}.pdf"): Access.PUBLIC,
    ("GET", "/statements/{statement_id}"): Access.PUBLIC,
    ("POST", "/logout"): Access.AUTHENTICATED,
    ("GET", "/api/patients"): Access.PATIENT_LIST,
    ("GET", "/worklist"): Access.PATIENT_LIST,
    ("GET", "/api/patients/{patient_id}"): Access.PATIENT_READ,
    ("GET", "/api/patients/{patient_id}/assessment"): Access.PATIENT_READ,
    ("GET", "/api/patients/{patient_id}/tasks"): Access.PATIENT_READ,
    ("GET", "/api/patients/{patient_id}/information"): Access.PATIENT_READ,
    ("GET", "/api/patients/{patient_id}/careplan"): Access.PATIENT_READ,
    ("GET", "/api/patients/{patient_id}/criteria"): Access.PATIENT_READ,
    ("GET", "/api/patients/{patient_id}/fhir"): Access.PATIENT_READ,
    ("GET", "/patients/{patient_id}"): Access.PATIENT_READ,
    ("GET", "/patients/{patient_id}/care-plan.pdf"): Access.PATIENT_READ,
    ("GET", "/patients/{patient_id}/leaflet.pdf"): Access.PATIENT_READ,
    ("POST", "/api/bundles"): Access.PATIENT_WRITE,
    **{
        ("POST", f"/api/patients/{{patient_id}}/entries/{form.replace('_', '-')}"): Access.PATIENT_WRITE
        for form in FORMS
    },
    ("POST", "/patients/{patient_id}/record/{form}"): Access.PATIENT_WRITE,
    ("POST", "/patients/{patient_id}/entries/{kind}/{entry_id}/void"): Access.PATIENT_WRITE,
    ("POST", "/patients/{patient_id}/cards/{card_uuid}/{action}"): Access.PATIENT_WRITE,
    ("POST", "/api/patients/{patient_id}/emergency-access"): Access.EMERGENCY,
    ("POST", "/patients/{patient_id}/emergency-access"): Access.EMERGENCY,
    ("GET", "/api/users"): Access.ADMIN_ONLY,
    ("GET", "/cds-services"): Access.CDS,
    ("POST", "/cds-services/{service_id}"): Access.CDS,
    ("POST", "/cds-services/{service_id}/feedback"): Access.CDS,
}

MEMBERSHIPS = ("member", "outsider", "glass")
CLINICIANS = (Role.GP, Role.SPECIALIST)
TEAM, OUTSIDE, SPARE = "pt-team", "pt-outside", "pt-spare"
#: per patient, the uuid of a card the engine gives it today (filled by _setup), for the card actions
CARDS: dict[str, str] = {}
#: card actions in the order each cell sends them: every one is allowed to the same users
CARD_ACTIONS = (
    ("snooze", {"until": "2026-12-21"}),
    ("undo", {}),
    ("override", {"reason": "not-applicable", "comment": "matrix"}),
    ("undo", {}),
    ("accept", {}),
)


@dataclass
class Cell:
    """One row of the matrix: a role (None: nobody signed in) and its relation to the patient."""

    role: Role | None
    membership: str
    agb: str = ""
    token: str = ""
    web: httpx.Client | None = None
    csrf: str = ""

    @property
    def user(self) -> str:
        return f"{self.role.value}-{self.membership}" if self.role else "anonymous"

    @property
    def fhir_id(self) -> str:
        """The user name as a FHIR id part (no underscores)."""
        return self.user.replace("_", "-")

    @property
    def patient(self) -> str:
        """The patient this cell works on: their own team's, or one outside it (emergency access for glass)."""
        return TEAM if self.membership == "member" or self.role is None else OUTSIDE

    @property
    def api(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


@dataclass
class Call:
    """One HTTP request of a cell; ``surface`` is api, web or cds; ``form`` names an entry form."""

    method: str
    url: str
    surface: str
    patient: str | None = None
    form: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    ok: int = 200  # the status when allowed


def _agb(role_index: int, membership_index: int) -> str:
    return f"0177{role_index}{membership_index}00"


def _medication(cell: Cell, surface: str, use: str) -> str:
    """The id of a pamidronate course of this cell's own (a stopped course is no longer a choice)."""
    return f"pam-{cell.fhir_id}-{surface}-{use}"


_NUMBERS = frozenset({"dose", "days", "value", "score"})


def _form_values(form: str, cell: Cell, surface: str) -> dict[str, Any]:
    """Valid values for each form on the matrix patients (strings, as a browser sends them)."""
    agb = cell.agb or "01779999"
    values: dict[str, dict[str, Any]] = {
        "medication_start": {"drug": "M01AE02", "start": "2026-11-01", "dose": "500", "unit": "mg"},
        "medication_stop": {"medication": _medication(cell, surface, "stop"), "stop": TODAY},
        "infusion": {"medication": _medication(cell, surface, "infusion"), "given": "2026-11-18", "days": "3"},
        "lab": {"test": "1988-5", "value": "12.5", "unit": "mg/L", "date": "2026-11-10"},
        "pain": {"score": "7", "date": TODAY},
        "imaging": {
            "modality": "spect_ct",
            "date": "2026-10-01",
            "findings": ["imaging_activity"],
            "sites": ["sternum"],
        },
        "screening": {"screening": "tb_screening", "date": "2026-11-02", "result": "negative"},
        "vaccination": {"vaccine": "J07BB02", "date": "2026-10-15"},
        "goal": {"goal": "goal_better_functioning", "description": "Weer fietsen", "date": TODAY},
        # the author names themselves: joining a care team one is not in must be refused
        "care_team": {"name": "Dr. Matrix", "roles": ["gp"], "agb": agb, "start": "2026-01-01"},
        "referral": {"target": "referral_physiotherapy", "date": "2026-11-01"},
        "contact": {"contact": "expertise_centre_review", "date": "2026-11-03"},
    }
    return values[form]


def _hook_request() -> dict[str, Any]:
    prefetch: dict[str, Any] = dict.fromkeys(PREFETCH)
    prefetch["patient"] = {"resourceType": "Patient", "id": "cds-p", "birthDate": "1979-05-04", "gender": "female"}
    return {
        "hook": "patient-view",
        "hookInstance": "2f1c7a52-0a7e-4a63-9c5e-6d1c3a1e0b11",
        "context": {"userId": "Practitioner/matrix", "patientId": "cds-p"},
        "prefetch": prefetch,
    }


def _requests(key: tuple[str, str], cell: Cell) -> list[Call]:
    """The requests that exercise one route for one cell."""
    method, path = key
    pid = cell.patient
    emergency_pid = SPARE if cell.membership == "outsider" else pid
    reason = {"reason": f"Acute presentation at the emergency department ({cell.user})"}
    web_form = {"csrf_token": cell.csrf}
    simple: dict[tuple[str, str], list[Call]] = {
        ("GET", "/openapi.json"): [Call("GET", "/openapi.json", "api")],
        ("GET", "/docs"): [Call("GET", "/docs", "api")],
        ("GET", "/healthz"): [Call("GET", "/healthz", "api")],
        ("MOUNT", "/static"): [Call("GET", "/static/cnopad.css", "web")],
        ("GET", "/"): [Call("GET", "/", "web", ok=303)],
        ("GET", "/login"): [Call("GET", "/login", "web", ok=303 if cell.role else 200)],
        ("POST", "/login"): [Call("POST", "/login", "login", ok=303)],
        ("GET", "/leaflets/{audience}"): [Call("GET", "/leaflets/adult", "web")],
        ("GET", "/leaflets/{audience}.pdf"): [Call("GET", "/leaflets/child.pdf", "web")],
        ("GET", "/statements/{statement_id}"): [Call("GET", "/statements/NHG-GOAL-1", "web")],
        ("POST", "/logout"): [Call("POST", "/logout", "logout", ok=303)],
        ("GET", "/api/patients"): [Call("GET", "/api/patients", "api")],
        ("GET", "/worklist"): [Call("GET", "/worklist", "web")],
        ("GET", "/patients/{patient_id}"): [Call("GET", f"/patients/{pid}", "web", pid)],
        ("GET", "/patients/{patient_id}/care-plan.pdf"): [Call("GET", f"/patients/{pid}/care-plan.pdf", "web", pid)],
        ("GET", "/patients/{patient_id}/leaflet.pdf"): [Call("GET", f"/patients/{pid}/leaflet.pdf", "web", pid)],
        ("POST", "/api/bundles"): [
            Call(
                "POST",
                "/api/bundles",
                "api",
                pid,
                kwargs={
                    "json": bundle(
                        patient(pid, birth="1990-01-01", name="Overschreven"),
                        pain(f"mx-{cell.fhir_id}", 2, "2026-11-01", pid=pid),
                        care_team(f"mx-{cell.fhir_id}", ("gp", "Dr. Matrix", cell.agb or "01779999"), pid=pid),
                    )
                },
            )
        ],
        ("POST", "/patients/{patient_id}/record/{form}"): [
            Call(
                "POST",
                f"/patients/{pid}/record/{form}",
                "web",
                pid,
                form,
                kwargs={"data": {**_form_values(form, cell, "web"), **web_form}},
                ok=303,
            )
            for form in FORMS
        ],
        ("POST", "/patients/{patient_id}/entries/{kind}/{entry_id}/void"): [
            Call(
                "POST",
                f"/patients/{pid}/entries/medications/{_medication(cell, 'web', 'void')}/void",
                "web",
                pid,
                kwargs={"data": {"reason": "Recorded for the wrong patient", **web_form}},
                ok=303,
            )
        ],
        ("POST", "/patients/{patient_id}/cards/{card_uuid}/{action}"): [
            Call(
                "POST",
                f"/patients/{pid}/cards/{CARDS.get(pid, '00000000-0000-5000-8000-000000000000')}/{action}",
                "web",
                pid,
                kwargs={"data": {**values, **web_form}},
                ok=303,
            )
            for action, values in CARD_ACTIONS
        ],
        ("POST", "/api/patients/{patient_id}/emergency-access"): [
            Call("POST", f"/api/patients/{emergency_pid}/emergency-access", "api", kwargs={"json": reason}, ok=201)
        ],
        ("POST", "/patients/{patient_id}/emergency-access"): [
            Call(
                "POST",
                f"/patients/{emergency_pid}/emergency-access",
                "web",
                kwargs={"data": {**reason, **web_form}},
                ok=303,
            )
        ],
        ("GET", "/api/users"): [Call("GET", "/api/users", "api")],
        ("GET", "/cds-services"): [Call("GET", "/cds-services", "cds")],
        ("POST", "/cds-services/{service_id}"): [
            Call("POST", "/cds-services/cnopad-patient-view", "cds", kwargs={"json": _hook_request()})
        ],
        ("POST", "/cds-services/{service_id}/feedback"): [
            Call(
                "POST",
                "/cds-services/cnopad-patient-view/feedback",
                "cds",
                kwargs={"json": json.loads(FEEDBACK.read_text(encoding="utf-8"))},
            )
        ],
    }
    if key in simple:
        return simple[key]
    found = re.fullmatch(r"/api/patients/\{patient_id\}/(\w+)", path) or re.fullmatch(
        r"/api/patients/\{patient_id\}/entries/([\w-]+)", path
    )
    if found and method == "GET" and "/entries/" not in path:
        return [Call("GET", f"/api/patients/{pid}/{found.group(1)}", "api", pid)]
    if path == "/api/patients/{patient_id}" and method == "GET":
        return [Call("GET", f"/api/patients/{pid}", "api", pid)]
    if found and method == "POST":
        form = found.group(1).replace("-", "_")
        # the API is strictly typed (docs/security.md, Input rules): numbers as JSON numbers, not as a form's strings
        body = {
            k: (float(v) if "." in v else int(v)) if k in _NUMBERS and isinstance(v, str) else v
            for k, v in _form_values(form, cell, "api").items()
        }
        return [Call("POST", f"/api/patients/{pid}/entries/{found.group(1)}", "api", pid, form, {"json": body}, 201)]
    return []


def expected(access: Access, cell: Cell, call: Call) -> int:
    """The status the cell must get (the matrix's rules, written out)."""
    role = cell.role
    signed_out = 401 if call.surface == "api" else 303  # a page sends the browser to sign in
    if access is Access.PUBLIC:
        return call.ok
    if access is Access.CDS:
        return 401 if cell.token else 200  # a user's API token is no CDS client JWT
    if role is None:
        if call.method == "POST" and call.surface in ("web", "logout"):
            return 403  # no session, so no CSRF token: refused before anything else
        return signed_out
    if access is Access.AUTHENTICATED:
        return call.ok
    if access is Access.ADMIN_ONLY:
        return 200 if role is Role.ADMIN else 403
    if role in (Role.ADMIN, Role.RESEARCHER):
        if access is Access.PATIENT_LIST and role is Role.RESEARCHER:
            return 200  # an empty list, with the reason
        return 403
    if access is Access.PATIENT_LIST:
        return 200
    if access is Access.EMERGENCY:
        needs_none = role is Role.EXPERTISE_CENTRE or cell.membership == "member"
        return 409 if needs_none and call.surface == "api" else call.ok
    in_team = cell.membership == "member"
    if access is Access.PATIENT_READ:
        return 200 if in_team or role is Role.EXPERTISE_CENTRE or cell.membership == "glass" else 403
    # PATIENT_WRITE: members and the expertise centre write; emergency access records care entries only;
    # nobody outside the team may add themselves to it (the care-team form and the import name the author)
    if in_team:
        return call.ok
    self_addition = call.form == "care_team" or call.url == "/api/bundles"
    if role is Role.EXPERTISE_CENTRE:
        return 403 if self_addition else call.ok
    if cell.membership == "glass":
        return 403 if self_addition else call.ok
    return 403


def _cds_state(container: Container) -> tuple[int, int]:
    with container.unit(container.operator()) as uow:
        count = uow.session.execute(select(func.count()).select_from(cds_feedback)).scalar_one()
        cards = uow.session.execute(select(func.count()).select_from(cds_cards)).scalar_one()
    return int(count), int(cards)


def _grants(container: Container) -> int:
    with container.unit(container.operator()) as uow:
        return int(uow.session.execute(select(func.count()).select_from(emergency_access)).scalar_one())


def route_keys(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every route of the app; ("MOUNT", path) for a mounted app."""
    keys: set[tuple[str, str]] = set()
    for route in iter_route_contexts(app.routes):
        methods = route.methods
        if not methods:
            keys.add(("MOUNT", str(route.path)))
            continue
        keys.update((m, str(route.path)) for m in methods if m != "HEAD")
    return keys


def test_every_route_has_an_access_rule(sqlite_container: Container) -> None:
    keys = route_keys(create_app(sqlite_container))
    assert sorted(keys - ROUTES.keys()) == [], "a route without an access rule: add it to ROUTES"
    assert sorted(ROUTES.keys() - keys) == [], "a rule for a route the app no longer has"
    probe = Cell(Role.GP, "member", agb="01770000", token="t", csrf="c")
    assert [k for k in ROUTES if not _requests(k, probe)] == [], "a route without a request in _requests"


@dataclass
class Matrix:
    """The running app with the matrix users and patients."""

    url: str
    container: Container
    cells: list[Cell]


def _setup(container: Container) -> list[Cell]:
    cells = [Cell(None, "anonymous")]
    team: list[CareTeamMember] = []
    hashed = hash_password(PASSWORD)  # one argon2 hash for every matrix user: hashing is slow on purpose
    with container.unit(container.operator()) as uow:
        for i, role in enumerate(USER_ROLES):
            for j, membership in enumerate(MEMBERSHIPS):
                cell = Cell(role, membership, agb=_agb(i, j), token=new_token())
                uow.users.add(
                    cell.user,
                    role,
                    token=cell.token,
                    practitioner=(AGB, cell.agb),
                    password_hash=hashed,
                )
                cells.append(cell)
                if membership == "member":
                    team.append(
                        CareTeamMember(
                            f"team-{cell.user}", frozenset({CareRole.GP}), cell.user, Identifier(AGB, cell.agb)
                        )
                    )
        uow.commit()
    records = {
        TEAM: adult_record(container, TEAM, name="Team Patiënt", gp=(AGB, "01999997")),
        OUTSIDE: adult_record(container, OUTSIDE, name="Buiten Patiënt", gp=(AGB, "01999998")),
        SPARE: adult_record(container, SPARE, name="Reserve Patiënt", gp=(AGB, "01999999")),
    }
    courses: dict[str, list[Entry]] = {TEAM: [], OUTSIDE: []}
    for cell in cells[1:]:
        course = records[cell.patient].medications[0]
        courses[cell.patient] += [
            replace(course, id=_medication(cell, surface, use))
            for surface in ("api", "web")
            for use in ("stop", "infusion", "void")
        ]
    with container.unit(container.operator()) as uow:
        uow.records.add_entries(TEAM, [*team, *courses[TEAM]], purpose="test")
        uow.records.add_entries(OUTSIDE, courses[OUTSIDE], purpose="test")
        uow.commit()
    with container.unit(container.operator()) as uow:
        for pid in (TEAM, OUTSIDE):
            cards = assess(uow.records.get(pid, purpose="test", audit=False), date(2026, 11, 23)).cards
            CARDS[pid] = next(c.uuid for c in cards if c.rule_id == "bisphosphonate-in-use-dental-care")
    return cells


@pytest.fixture
def matrix(container: Container) -> Iterator[Matrix]:
    """The app on each database (cds development switch on: unsigned CDS calls from 127.0.0.1)."""
    container = replace(container, settings=container.settings.model_copy(update={"cds_allow_unsigned": True}))
    cells = _setup(container)
    for url in serve(container):
        for cell in cells:
            if cell.role is None:
                cell.web = httpx.Client(base_url=url, follow_redirects=False, timeout=60)
                continue
            cell.web = sign_in(url, cell.user)
            cell.csrf = csrf_of(cell.web.get("/leaflets/adult").text)
        yield Matrix(url, container, cells)
        for cell in cells:
            if cell.web is not None:
                cell.web.close()


def _grant_emergency_access(matrix: Matrix) -> list[str]:
    """The glass cells ask for emergency access to the outside patient over the API."""
    wrong = []
    for cell in matrix.cells:
        if cell.membership != "glass":
            continue
        assert cell.web is not None
        response = cell.web.post(
            f"/api/patients/{OUTSIDE}/emergency-access",
            json={"reason": "Acute chest wall pain at the emergency department"},
            headers=cell.api,
        )
        want = 201 if cell.role in CLINICIANS else 409 if cell.role is Role.EXPERTISE_CENTRE else 403
        if response.status_code != want:
            wrong.append(f"{cell.user} emergency access: {response.status_code}, expected {want}")
    return wrong


def _send(matrix: Matrix, cell: Cell, call: Call) -> httpx.Response:
    assert cell.web is not None
    kwargs = dict(call.kwargs)
    if call.surface == "api":
        kwargs["headers"] = cell.api
    elif call.surface == "cds" and cell.token:
        kwargs["headers"] = {"Authorization": f"Bearer {cell.token}"}
    if call.surface == "login":
        with httpx.Client(base_url=matrix.url, follow_redirects=False, timeout=60) as fresh:
            token = csrf_of(fresh.get("/login").text)
            name = cell.user if cell.role else "gp-member"
            return fresh.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token})
    if call.surface == "logout" and cell.role is not None:
        fresh = sign_in(matrix.url, cell.user)  # a session of its own: the cell's session stays
        try:
            return fresh.post("/logout", data={"csrf_token": csrf_of(fresh.get("/leaflets/adult").text)})
        finally:
            fresh.close()
    return cell.web.request(call.method, call.url, **kwargs)


def test_every_role_gets_exactly_what_the_access_rules_allow_on_every_route(matrix: Matrix) -> None:
    wrong = _grant_emergency_access(matrix)
    container = matrix.container
    for key, access in ROUTES.items():
        for cell in matrix.cells:
            if access is Access.PUBLIC and cell.user not in ("anonymous", "gp-member"):
                continue  # the same for everyone: checked signed out and signed in
            for call in _requests(key, cell):
                want = expected(access, cell, call)
                write = access is Access.PATIENT_WRITE and call.patient is not None
                before = record_state(container, call.patient) if write and call.patient else None
                # a card action writes to the feedback store, not the record: a refused one must store nothing there
                feedback = access is Access.CDS or "/cards/" in call.url
                cds_before = _cds_state(container) if feedback else None
                grants_before = _grants(container) if access is Access.EMERGENCY else None
                response = _send(matrix, cell, call)
                where = f"{cell.user} {call.method} {call.url}"
                if response.status_code != want:
                    wrong.append(f"{where}: {response.status_code}, expected {want}: {response.text[:160]!r}")
                    continue
                if want in (401, 403) and before is not None and call.patient is not None:
                    if record_state(container, call.patient) != before:
                        wrong.append(f"{where}: refused, but the record changed")
                    if cell.role is not None and last_action(container, cell.user, limit=300) != "refused":
                        wrong.append(f"{where}: refused, but no 'refused' audit row")
                if want in (401, 403) and cds_before is not None and _cds_state(container) != cds_before:
                    wrong.append(f"{where}: refused, but feedback was stored")
                if grants_before is not None:
                    due = cell.role in CLINICIANS and cell.membership != "member"
                    if (_grants(container) != grants_before) != due:
                        wrong.append(f"{where}: a grant {'was due but not' if due else 'was not due but was'} stored")
    wrong += _list_contents(matrix)
    assert wrong == [], "\n".join(wrong[:60])


def _list_contents(matrix: Matrix) -> list[str]:
    """Patient lists hold only what the user may open; emergency access never puts a patient on a list."""
    wrong = []
    for cell in matrix.cells:
        if cell.role in (None, Role.ADMIN) or cell.web is None:
            continue
        listed = {p["id"] for p in cell.web.get("/api/patients", headers=cell.api).json()}
        if cell.role is Role.RESEARCHER:
            want: set[str] = set()
        elif cell.role is Role.EXPERTISE_CENTRE:
            want = {TEAM, OUTSIDE, SPARE}
        else:
            want = {TEAM} if cell.membership == "member" else set()
        if listed != want:
            wrong.append(f"{cell.user} lists {sorted(listed)}, expected {sorted(want)}")
    return wrong
