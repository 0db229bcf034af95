"""Bad FHIR input: exit code 2, one message naming the location and the reason, nothing written.

What is not bad but not understood (an unknown resource type, another patient's resource, a reference to
a resource that is not there, a code element in an unknown system) is listed and set aside; the rest is
imported ("fail safe, not closed")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from cnopad.store import make_engine, migrate
from cnopad.store.tables import audit_events, entries, patients
from conftest import TODAY  # type: ignore[import-not-found]
from support.cli import run_cli
from support.fhir import (
    ATC,
    LOINC,
    bundle,
    code,
    condition,
    medication_request,
    observation,
    pain,
    patient,
)


def _counts(url: str) -> tuple[int, int, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(t)).scalar_one() for t in (patients, entries, audit_events)
        )  # type: ignore[return-value]


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    migrate(make_engine(url))
    monkeypatch.setenv("CNOPAD_DATABASE_URL", url)
    monkeypatch.setenv("CNOPAD_USER", "test-operator")
    return url


def _write(tmp_path: Path, content: str | dict[str, Any]) -> Path:
    path = tmp_path / "bundle.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


BAD_INPUTS: list[tuple[str, str | dict[str, Any], str, str]] = [
    ("malformed JSON", '{"resourceType": "Bundle", "entry": [', "Bundle", "not valid JSON"),
    (
        "not a Bundle",
        {"resourceType": "Patient", "id": "p1", "birthDate": "1980-01-01"},
        "resourceType",
        "expected a FHIR Bundle",
    ),
    (
        "no Patient",
        bundle(condition("c1", "http://hl7.org/fhir/sid/icd-10", "M86.3")),
        "Bundle.entry",
        "exactly one Patient",
    ),
    ("two Patients", bundle(patient("p1"), patient("p2")), "Bundle.entry", "found 2"),
    (
        "future birth date",
        bundle(patient(birth="2099-01-01")),
        "Bundle.entry[0].resource.birthDate",
        "lies in the future",
    ),
    (
        "stop before start",
        bundle(patient(), medication_request("m1", "M01AE01", start="2024-05-01", end="2024-04-01")),
        "Bundle.entry[1].resource.dosageInstruction[0].timing.repeat.boundsPeriod.end",
        "before it starts",
    ),
    (
        "negative dose",
        bundle(patient(), medication_request("m1", "M01AE01", start="2024-05-01", dose=-400)),
        "Bundle.entry[1].resource.dosageInstruction[0].doseAndRate[0].doseQuantity.value",
        "must not be negative",
    ),
    (
        "pain score above 10",
        bundle(patient(), pain("o1", 12, "2024-05-01")),
        "Bundle.entry[1].resource.valueInteger",
        "outside the 0-10 scale",
    ),
    (
        "pain score below 0",
        bundle(patient(), pain("o1", -1, "2024-05-01")),
        "Bundle.entry[1].resource.valueInteger",
        "outside the 0-10 scale",
    ),
    (
        "impossible calendar date",
        bundle(patient(), observation("o1", LOINC, "1988-5", "2024-02-30", valueQuantity={"value": 3, "unit": "mg/L"})),
        "Bundle.entry[1].resource.effectiveDateTime",
        "",
    ),
    (
        "event before birth",
        bundle(
            patient(birth="2000-01-01"),
            observation("o1", LOINC, "1988-5", "1999-05-01", valueQuantity={"value": 3, "unit": "mg/L"}),
        ),
        "Bundle.entry[1].resource.effectiveDateTime",
        "before the birth date",
    ),
    (
        "invalid FHIR element",
        bundle(patient(), {"resourceType": "Observation", "id": "o1", "code": code(ATC, "M01AE01")}),
        "Bundle.entry[1].resource.status",
        "required",
    ),
]


@pytest.mark.parametrize(("case", "content", "location", "reason"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_bundle_is_refused_with_its_location_and_nothing_is_written(
    case: str,
    content: str | dict[str, Any],
    location: str,
    reason: str,
    tmp_path: Path,
    cli_db: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = _counts(cli_db)
    outcome = run_cli(capsys, monkeypatch, "import", str(_write(tmp_path, content)))
    assert outcome.code == 2, outcome
    message = " ".join(outcome.err.split())
    assert location in message
    assert reason in message
    assert len(outcome.err.strip().splitlines()) <= 2, "one clear message, not a traceback"
    assert _counts(cli_db) == before


def test_unreadable_file_is_refused_with_exit_code_2(
    tmp_path: Path, cli_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome = run_cli(capsys, monkeypatch, "import", str(tmp_path / "missing.json"))
    assert outcome.code == 2
    assert "missing.json" in outcome.err


def test_a_course_of_zero_days_is_refused(
    tmp_path: Path, cli_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    content = bundle(patient(), medication_request("m1", "M05BA03", start="2024-05-01", every_months=3, days=0))
    content["entry"][1]["resource"]["dosageInstruction"][0]["timing"]["repeat"]["extension"] = [
        {"url": "https://fhir.cnopad.nl/StructureDefinition/course-days", "valueInteger": 0}
    ]
    outcome = run_cli(capsys, monkeypatch, "import", str(_write(tmp_path, content)))
    assert outcome.code == 2
    assert "Bundle.entry[1].resource.dosageInstruction[0].timing.repeat.extension" in " ".join(outcome.err.split())


def test_a_schedule_in_hours_is_reported_as_not_understood(
    tmp_path: Path, cli_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    content = bundle(patient(), medication_request("m1", "M01AE01", start="2024-05-01", every_months=8))
    content["entry"][1]["resource"]["dosageInstruction"][0]["timing"]["repeat"]["periodUnit"] = "h"
    outcome = run_cli(capsys, monkeypatch, "import", str(_write(tmp_path, content)))
    assert outcome.code == 0
    assert "1 item(s) not understood" in outcome.out
    assert "planned by cnopad" in " ".join(outcome.out.split())


#: (case, bundle, the listed location, its reason, entries stored): the Patient's own facts are kept
SET_ASIDE: list[tuple[str, dict[str, Any], str, str, int]] = [
    (
        "unknown resource type",
        bundle(patient(), {"resourceType": "Foo", "id": "x"}, pain("o1", 5, "2024-05-01")),
        "Bundle.entry[1].resource",
        "unknown-resource-type",
        1,
    ),
    (
        "subject is another patient",
        bundle(
            patient(),
            {**condition("c1", "http://hl7.org/fhir/sid/icd-10", "M86.3"), "subject": {"reference": "Patient/other"}},
            pain("o1", 5, "2024-05-01"),
        ),
        "Bundle.entry[1].resource.subject.reference",
        "other-patient",
        1,
    ),
    (
        "reference to a missing Medication",
        bundle(
            patient(),
            {
                "resourceType": "MedicationRequest",
                "id": "m1",
                "status": "active",
                "intent": "order",
                "medicationReference": {"reference": "Medication/nope"},
                "subject": {"reference": "Patient/p1"},
            },
            pain("o1", 5, "2024-05-01"),
        ),
        "Bundle.entry[1].resource.medicationReference.reference",
        "reference-not-found",
        1,
    ),
    (
        "a code only in an unknown system",
        bundle(
            patient(),
            observation(
                "o2",
                "http://lab.example.org/codes",
                "CRP-LOCAL",
                "2024-05-01",
                valueQuantity={"value": 3, "unit": "mg/L"},
            ),
            pain("o1", 5, "2024-05-01"),
        ),
        "Bundle.entry[1].resource.code.coding[0]",
        "unknown-code-system",
        1,
    ),
]


@pytest.mark.parametrize(("case", "content", "location", "reason", "stored"), SET_ASIDE, ids=[c[0] for c in SET_ASIDE])
def test_what_cnopad_cannot_understand_is_listed_and_set_aside_and_the_rest_is_imported(
    case: str,
    content: dict[str, Any],
    location: str,
    reason: str,
    stored: int,
    tmp_path: Path,
    cli_db: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cnopad.fhir import read_bundle
    from cnopad.knowledge import knowledge

    outcome = run_cli(capsys, monkeypatch, "import", str(_write(tmp_path, content)))
    result = read_bundle(content, valuesets=knowledge().valuesets, today=TODAY)

    assert outcome.code == 0, outcome
    assert "1 item(s) not understood" in outcome.out
    assert [(u.location, u.reason.value, u.set_aside) for u in result.unrecognized] == [(location, reason, True)]
    patients_n, entries_n, _ = _counts(cli_db)
    assert (patients_n, entries_n) == (1, stored), "the patient and the pain score are stored, the rest is not"


def test_a_condition_with_one_unknown_and_one_known_coding_is_kept_and_the_unknown_one_listed(
    tmp_path: Path, cli_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cno = condition("c1", "http://hl7.org/fhir/sid/icd-10", "M86.3")
    cno["code"]["coding"].insert(0, {"system": "http://example.org/local", "code": "CNO-1"})
    outcome = run_cli(capsys, monkeypatch, "import", str(_write(tmp_path, bundle(patient(), cno))))

    assert outcome.code == 0, outcome
    assert "unknown-code-system" in outcome.out and "kept" in outcome.out
    assert _counts(cli_db)[:2] == (1, 1)
