"""The worklist: most urgent first, filters and search, and the assessment cache behind it (refreshed
after a write through the forms, after a write by another path, and on a new day)."""

from __future__ import annotations

from datetime import date

import httpx

from cnopad.domain import Concept, Observation, Patient, PatientRecord, Sex
from cnopad.services import worklist
from integration.web.conftest import Served, csrf_of
from integration.web.factories import GP1


def _rows(html: str) -> list[str]:
    import re

    return re.findall(r'<th scope="row"><a href="/patients/([^"]+)"', html)


def _quiet_patient(served: Served, patient_id: str) -> None:
    """A patient in GP1's care team with nothing due (no medication)."""
    from cnopad.domain import CareRole, CareTeamMember, Identifier

    record = PatientRecord.build(
        Patient(patient_id, date(1980, 1, 1), Sex.MALE, "Aaron Aalders", synthetic=True),
        [CareTeamMember(f"{patient_id}-gp", frozenset({CareRole.GP}), "Dr. Quiet", Identifier(*GP1))],
    )
    with served.container.unit(served.container.operator()) as uow:
        uow.records.save(record, purpose="test")
        uow.commit()


def test_the_patient_with_an_overdue_course_comes_before_a_quiet_patient(served: Served, gp: httpx.Client) -> None:
    _quiet_patient(served, "pt-quiet")  # sorts first by name, must come last by urgency
    order = _rows(gp.get("/worklist").text)
    assert set(order) == {"pt-own", "pt-xss", "pt-quiet"}  # never another GP's patient
    assert order[-1] == "pt-quiet"
    assert 'class="badge overdue"' in gp.get("/worklist").text


def test_the_worklist_filters_by_task_kind_and_care_provider_and_searches_names(
    served: Served, gp: httpx.Client
) -> None:
    _quiet_patient(served, "pt-quiet")
    assert set(_rows(gp.get("/worklist?kind=pamidronate_course").text)) == {"pt-own", "pt-xss"}
    assert _rows(gp.get("/worklist", params={"provider": "Dr. Quiet"}).text) == ["pt-quiet"]
    assert _rows(gp.get("/worklist?q=ada").text) == ["pt-own"]
    assert _rows(gp.get("/worklist?q=PT-QUI").text) == ["pt-quiet"]


def test_recording_an_entry_refreshes_the_patients_summary_at_once(served: Served, gp: httpx.Client) -> None:
    gp.get("/worklist")
    page = gp.get("/patients/pt-own")
    gp.post(
        "/patients/pt-own/record/infusion",
        data={"medication": "pt-own-pam", "given": "2026-11-20", "days": "3", "csrf_token": csrf_of(page.text)},
    )
    with served.container.unit(served.container.operator()) as uow:
        from cnopad.store.assessment_cache import AssessmentCacheRepository

        stored = AssessmentCacheRepository(uow.session).summaries(["pt-own"])
    assert "pt-own" in stored
    digest = worklist.PatientDigest.from_json(stored["pt-own"])
    assert digest.overdue.get("pamidronate_course", 0) == 0


def test_an_entry_written_by_another_path_makes_the_summary_stale(served: Served, gp: httpx.Client) -> None:
    container = served.container
    with container.unit(container.operator()) as uow:
        first = worklist.worklist(uow, today=container.today(), knowledge_version=container.knowledge.version)
    assert first.refreshed == 3
    with container.unit(container.operator()) as uow:
        again = worklist.worklist(uow, today=container.today(), knowledge_version=container.knowledge.version)
    assert again.refreshed == 0
    vs = container.knowledge.valuesets
    pain = vs.coding_for(Concept.PAIN_SCORE)
    served.container.store.clock = lambda: container.clock().replace(hour=13)  # the import happens later
    with container.store.unit(container.operator()) as uow:
        uow.records.add_entries(
            "pt-own",
            [Observation("imported-pain", (pain,), vs.concepts((pain,)), date(2026, 11, 22), 3)],
            purpose="import",
        )
        uow.commit()
    with container.unit(container.operator()) as uow:
        after = worklist.worklist(uow, today=container.today(), knowledge_version=container.knowledge.version)
    assert after.refreshed == 1


def test_a_summary_of_yesterday_or_of_another_knowledge_version_is_recomputed(served: Served) -> None:
    container = served.container
    with container.unit(container.operator()) as uow:
        worklist.worklist(uow, today=date(2026, 11, 22), knowledge_version=container.knowledge.version)
    with container.unit(container.operator()) as uow:
        assert (
            worklist.worklist(uow, today=date(2026, 11, 23), knowledge_version=container.knowledge.version).refreshed
            == 3
        )
    with container.unit(container.operator()) as uow:
        assert worklist.worklist(uow, today=date(2026, 11, 23), knowledge_version="another").refreshed == 3
