"""Small factories for the web tests: users with passwords, and patient records built from the value sets."""

from __future__ import annotations

from datetime import date

from cnopad.bootstrap import Container
from cnopad.domain import (
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
    Schedule,
    Sex,
    Site,
)
from cnopad.domain.access import Role
from cnopad.services.auth import hash_password

AGB = "http://fhir.nl/fhir/NamingSystem/agb-z"
GP1 = (AGB, "01999101")
GP2 = (AGB, "01999102")
PASSWORD = "correct horse battery staple"


def add_user(container: Container, name: str, role: Role, practitioner: tuple[str, str] | None = None) -> None:
    """A user who can sign in with PASSWORD."""
    with container.unit(container.operator()) as uow:
        uow.users.add(name, role, password_hash=hash_password(PASSWORD), practitioner=practitioner)
        uow.commit()


def adult_record(
    container: Container, patient_id: str, *, name: str, gp: tuple[str, str], birth: date = date(1972, 3, 14)
) -> PatientRecord:
    """An adult with CNO-SCCH on pamidronate, one pain score, and ``gp`` in the care team; stored."""
    vs = container.knowledge.valuesets
    dx_coding = vs.coding_for(Concept.CNO_SCCH)
    pamidronate = Coding("http://www.whocc.no/atc", "M05BA03", "pamidronic acid")
    pain = vs.coding_for(Concept.PAIN_SCORE)
    record = PatientRecord.build(
        Patient(patient_id, birth, Sex.FEMALE, name, synthetic=True),
        [
            Condition(
                f"{patient_id}-dx",
                (dx_coding,),
                vs.concepts((dx_coding,)),
                recorded=date(2021, 5, 1),
                sites=(Site(Bone.STERNUM), Site(Bone.CLAVICLE)),
            ),
            MedicationUse(
                f"{patient_id}-pam",
                (pamidronate,),
                vs.concepts((pamidronate,)),
                start=date(2025, 1, 6),
                schedule=Schedule(3, PeriodUnit.MONTH, 3),
            ),
            Observation(f"{patient_id}-pain", (pain,), vs.concepts((pain,)), date(2026, 6, 1), 6),
            CareTeamMember(f"{patient_id}-gp", frozenset({CareRole.GP}), "Dr. Jansen", Identifier(*gp)),
        ],
    )
    with container.unit(container.operator()) as uow:
        uow.records.save(record, purpose="test")
        uow.commit()
    return record


def entry_count(container: Container, patient_id: str) -> int:
    """How many entries the stored record holds."""
    with container.unit(container.operator()) as uow:
        return uow.records.get(patient_id, purpose="test", audit=False).size()
