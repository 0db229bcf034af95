"""Write a PatientRecord as a FHIR R4 Bundle (type collection), the inverse of ``reader``.

Round trip import -> export -> import gives an equal record (tests/integration/fhir/test_round_trip.py).
"""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from cnopad.domain import (
    KIND_OF,
    Administration,
    Allergy,
    Biopsy,
    CareTeamMember,
    CodedValue,
    Coding,
    Condition,
    Encounter,
    Entry,
    Goal,
    ImagingResult,
    Immunization,
    MedicationSource,
    MedicationUse,
    Observation,
    PatientRecord,
    Procedure,
    Quantity,
    Referral,
    Side,
    Site,
    System,
    Verification,
)
from cnopad.domain.codes import UCUM
from cnopad.fhir.read_clinical import SYNTHETIC_TAG
from cnopad.fhir.read_context import LATERALITY_URL
from cnopad.fhir.read_imaging import LESION_COUNT_URL
from cnopad.fhir.read_medication import COURSE_DAYS_URL
from cnopad.knowledge.valuesets import ValueSetIndex

JsonObject = dict[str, Any]

_VERIFICATION = {
    Verification.SUSPECTED: "provisional",
    Verification.CONFIRMED: "confirmed",
    Verification.RULED_OUT: "refuted",
}
_TERMINOLOGY = "http://terminology.hl7.org/CodeSystem/"
_VERIFICATION_SYSTEMS = {"Condition": "condition-ver-status", "AllergyIntolerance": "allergyintolerance-verification"}
#: R4 wants an absolute fullUrl; cnopad's own base, so relative references (Type/id) resolve against it
FULL_URL_BASE = "https://fhir.cnopad.nl/fhir"


class RecordWriter:
    """Turns domain entries back into FHIR R4 resources (plain JSON objects)."""

    def __init__(self, valuesets: ValueSetIndex) -> None:
        self.valuesets = valuesets
        self.subject: JsonObject = {}

    def bundle(self, record: PatientRecord, voided: tuple[Entry, ...] = ()) -> JsonObject:
        """The whole record as a collection Bundle: the Patient first, then every entry, then the entries
        voided in cnopad with status ``entered-in-error`` (a receiving system can retract its copy)."""
        self.subject = {"reference": f"Patient/{record.patient.id}"}
        resources: list[JsonObject] = [self.patient(record)]
        writers: dict[str, Callable[[Any], JsonObject]] = {
            "conditions": self.condition,
            "medications": self.medication,
            "administrations": self.administration,
            "immunizations": self.immunization,
            "allergies": self.allergy,
            "observations": self.observation,
            "procedures": self.procedure,
            "goals": self.goal,
            "referrals": self.referral,
            "encounters": self.encounter,
        }
        for kind, write in writers.items():
            resources.extend(write(entry) for entry in getattr(record, kind))
        for imaging in record.imaging:
            resources.extend(self.imaging(imaging))
        for biopsy in record.biopsies:
            resources.extend(self.biopsy(biopsy))
        resources.extend(self.care_teams(record.care_team))
        for entry in voided:
            resources.extend(_entered_in_error(r) for r in self._written(entry))
        return {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"fullUrl": f"{FULL_URL_BASE}/{r['resourceType']}/{r['id']}", "resource": r} for r in resources],
        }

    def _written(self, entry: Entry) -> list[JsonObject]:
        kind = KIND_OF[type(entry)]
        many: dict[str, Callable[[Any], list[JsonObject]]] = {"imaging": self.imaging, "biopsies": self.biopsy}
        if kind in many:
            return many[kind](entry)
        one: dict[str, Callable[[Any], JsonObject]] = {
            "conditions": self.condition,
            "medications": self.medication,
            "administrations": self.administration,
            "immunizations": self.immunization,
            "allergies": self.allergy,
            "observations": self.observation,
            "procedures": self.procedure,
            "goals": self.goal,
            "referrals": self.referral,
            "encounters": self.encounter,
        }
        return [one[kind](entry)] if kind in one else []

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def concept(codings: tuple[Coding, ...], text: str | None = None) -> JsonObject:
        """A CodeableConcept from codings and an optional text."""
        out: JsonObject = {}
        if codings:
            out["coding"] = [_coding(c) for c in codings]
        if text:
            out["text"] = text
        return out

    def site_concepts(self, sites: tuple[Site, ...]) -> list[JsonObject]:
        """One CodeableConcept per site: the bone as SNOMED CT where checked (else cnopad's code), the side
        in the nl-core laterality extension."""
        return [self.site_concept((site,)) for site in sites]

    def site_concept(self, sites: tuple[Site, ...]) -> JsonObject:
        """One CodeableConcept for one or more sites (Observation.bodySite is 0..1 in R4); a side is written
        when all of them share it."""
        out: JsonObject = {}
        sides = {s.side for s in sites}
        if len(sides) == 1 and (side := sides.pop()) in _LATERALITY_SIDES:
            out["extension"] = [
                {"url": LATERALITY_URL, "valueCodeableConcept": {"coding": [_coding(self.valuesets.coding_for(side))]}}
            ]
        out["coding"] = [_coding(self.valuesets.coding_for(s.bone)) for s in sites]
        return out

    # ------------------------------------------------------------------ resources
    def patient(self, record: PatientRecord) -> JsonObject:
        """The Patient resource."""
        p = record.patient
        out: JsonObject = {"resourceType": "Patient", "id": p.id}
        if p.synthetic:
            out["meta"] = {
                "tag": [{"system": SYNTHETIC_TAG[0], "code": SYNTHETIC_TAG[1], "display": "test health data"}]
            }
        if p.identifiers:
            out["identifier"] = [
                {"system": i.system, "value": i.value} if i.system else {"value": i.value} for i in p.identifiers
            ]
        if p.name:
            out["name"] = [{"text": p.name}]
        out["gender"] = p.sex.value
        out["birthDate"] = p.birth_date.isoformat()
        return out

    def condition(self, c: Condition) -> JsonObject:
        """A Condition."""
        out: JsonObject = {"resourceType": "Condition", "id": c.id}
        if c.clinical_status is not None:
            out["clinicalStatus"] = _status(f"{_TERMINOLOGY}condition-clinical", c.clinical_status.value)
        out["verificationStatus"] = _status(f"{_TERMINOLOGY}condition-ver-status", _VERIFICATION[c.verification])
        out["code"] = self.concept(c.codings, c.text)
        if c.sites:
            out["bodySite"] = self.site_concepts(c.sites)
        out["subject"] = self.subject
        _put_date(out, "onsetDateTime", c.onset)
        _put_date(out, "abatementDateTime", c.abated)
        _put_date(out, "recordedDate", c.recorded)
        return _drop_empty(out)

    def medication(self, m: MedicationUse) -> JsonObject:
        """A MedicationRequest or MedicationStatement, as it was read."""
        timing: JsonObject = {}
        repeat: JsonObject = {}
        if m.start or m.end:
            repeat["boundsPeriod"] = _period(m.start, m.end)
        if m.schedule is not None:
            repeat["period"] = m.schedule.every
            repeat["periodUnit"] = m.schedule.unit.value
            if m.schedule.days != 1:
                repeat["extension"] = [{"url": COURSE_DAYS_URL, "valueInteger": m.schedule.days}]
        if repeat:
            timing["repeat"] = repeat
        dosage: JsonObject = {}
        if timing and m.source is MedicationSource.REQUEST:
            dosage["timing"] = timing
        elif m.schedule is not None:
            dosage["timing"] = {"repeat": {k: v for k, v in repeat.items() if k != "boundsPeriod"}}
        if m.route:
            dosage["route"] = {"text": m.route}
        if m.dose is not None:
            dosage["doseAndRate"] = [{"doseQuantity": _quantity(m.dose)}]
        out: JsonObject = {"resourceType": m.source.value, "id": m.id, "status": m.status.value}
        if m.source is MedicationSource.REQUEST:
            out["intent"] = m.intent.value
        out["medicationCodeableConcept"] = self.concept(m.codings, m.text) or {"text": "unknown medication"}
        out["subject"] = self.subject
        if m.source is MedicationSource.STATEMENT and (m.start or m.end):
            out["effectivePeriod"] = _period(m.start, m.end)
        if dosage:
            out["dosageInstruction" if m.source is MedicationSource.REQUEST else "dosage"] = [dosage]
        return out

    def administration(self, a: Administration) -> JsonObject:
        """A MedicationAdministration (one infusion day)."""
        out: JsonObject = {
            "resourceType": "MedicationAdministration",
            "id": a.id,
            "status": a.status.value,
            "medicationCodeableConcept": self.concept(a.codings) or {"text": "unknown medication"},
            "subject": self.subject,
            "effectiveDateTime": a.given_on.isoformat(),
        }
        dosage: JsonObject = {}
        if a.dose is not None:
            dosage["dose"] = _quantity(a.dose)
        if a.route:
            dosage["route"] = {"text": a.route}
        if dosage:
            out["dosage"] = dosage
        return out

    def immunization(self, i: Immunization) -> JsonObject:
        """An Immunization."""
        out: JsonObject = {
            "resourceType": "Immunization",
            "id": i.id,
            "status": i.status.value,
            "vaccineCode": self.concept(i.codings) or {"text": "unknown vaccine"},
            "patient": self.subject,
        }
        if i.given_on is not None:
            out["occurrenceDateTime"] = i.given_on.isoformat()
        else:
            out["occurrenceString"] = "unknown"
        return out

    def allergy(self, a: Allergy) -> JsonObject:
        """An AllergyIntolerance."""
        out: JsonObject = {
            "resourceType": "AllergyIntolerance",
            "id": a.id,
            "code": self.concept(a.codings, a.text),
            "patient": self.subject,
        }
        if a.criticality:
            out["criticality"] = a.criticality
        _put_date(out, "recordedDate", a.recorded)
        return _drop_empty(out)

    def observation(self, o: Observation) -> JsonObject:
        """An Observation with its value."""
        out: JsonObject = {
            "resourceType": "Observation",
            "id": o.id,
            "status": o.status,
            "code": self.concept(o.codings, o.text) or {"text": "observation"},
            "subject": self.subject,
        }
        _put_date(out, "effectiveDateTime", o.effective)
        value = o.value
        if isinstance(value, bool):
            out["valueBoolean"] = value
        elif isinstance(value, int):
            out["valueInteger"] = value
        elif isinstance(value, Quantity):
            out["valueQuantity"] = _quantity(value)
            if self.valuesets.unit_spec(o.codings) is not None and value.unit:
                out["valueQuantity"] |= {"system": UCUM, "code": value.unit}
        elif isinstance(value, str):
            out["valueString"] = value
        elif isinstance(value, CodedValue):
            out["valueCodeableConcept"] = self.concept(value.codings, value.text)
        if o.sites:
            out["bodySite"] = self.site_concept(o.sites)
        return out

    def imaging(self, r: ImagingResult) -> list[JsonObject]:
        """An ImagingStudy (modality) and/or a DiagnosticReport (findings, sites, conclusion, report text)."""
        out: list[JsonObject] = []
        read = r.text_reading
        dicom = tuple(c for c in r.codings if c.system == System.DICOM)
        other = tuple(c for c in r.codings if c.system != System.DICOM)
        if r.study_id is not None:
            study: JsonObject = {
                "resourceType": "ImagingStudy",
                "id": r.study_id,
                "status": "available",
                "subject": self.subject,
            }
            if dicom:
                study["modality"] = [_coding(c) for c in dicom]
            _put_date(study, "started", r.performed)
            if other and r.report_id is None:
                study["procedureCode"] = [self.concept(other)]
            out.append(study)
        if r.report_id is not None or r.study_id is None:
            report: JsonObject = {
                "resourceType": "DiagnosticReport",
                "id": r.report_id or r.id,
                "status": "final",
                "category": [{"coding": [{"system": f"{_TERMINOLOGY}v2-0074", "code": "RAD", "display": "Radiology"}]}],
                "code": self.concept(r.codings, read.title if read else None) or {"text": "Imaging report"},
                "subject": self.subject,
            }
            # what was read from the report's text is not written as codes: the text is written back instead
            if r.lesion_count is not None and not (read and read.lesion_count is not None):
                report["extension"] = [{"url": LESION_COUNT_URL, "valueInteger": r.lesion_count}]
            _put_date(report, "effectiveDateTime", r.performed)
            if r.study_id is not None:
                report["imagingStudy"] = [{"reference": f"ImagingStudy/{r.study_id}"}]
            if r.conclusion:
                report["conclusion"] = r.conclusion
            coded_sites = () if read and read.sites else r.sites
            codes = [{"coding": [_coding(c)]} for c in r.finding_codings] + self.site_concepts(coded_sites)
            if codes:
                report["conclusionCode"] = codes
            _put_text(report, r.report_text)
            out.append(report)
        return out

    def biopsy(self, b: Biopsy) -> list[JsonObject]:
        """A biopsy Procedure and its pathology DiagnosticReport."""
        proc: JsonObject = {
            "resourceType": "Procedure",
            "id": b.id,
            "status": b.status,
            "code": self.concept(b.codings),
            "subject": self.subject,
        }
        _put_date(proc, "performedDateTime", b.performed)
        if b.sites and not (b.text_reading and b.text_reading.sites):
            proc["bodySite"] = self.site_concepts(b.sites)
        out = [proc]
        if b.report_id is not None or b.result_codings or b.conclusion or b.report_text:
            report_id = b.report_id or f"{b.id}-pathology"
            proc["report"] = [{"reference": f"DiagnosticReport/{report_id}"}]
            report: JsonObject = {
                "resourceType": "DiagnosticReport",
                "id": report_id,
                "status": "final",
                "category": [
                    {
                        "coding": [
                            {
                                "system": f"{_TERMINOLOGY}v2-0074",
                                "code": "SP",
                                "display": "Surgical Pathology",
                            }
                        ]
                    }
                ],
                "code": {"text": "Bone biopsy pathology"},
                "subject": self.subject,
            }
            if b.conclusion:
                report["conclusion"] = b.conclusion
            if b.result_codings:
                report["conclusionCode"] = [{"coding": [_coding(c)]} for c in b.result_codings]
            _put_text(report, b.report_text)
            out.append(report)
        return [_drop_empty(r) for r in out]

    def procedure(self, p: Procedure) -> JsonObject:
        """A Procedure (screening, dental check, physiotherapy episode, care agreement)."""
        out: JsonObject = {
            "resourceType": "Procedure",
            "id": p.id,
            "status": p.status.value,
            "code": self.concept(p.codings, p.text),
            "subject": self.subject,
        }
        if p.end is not None:
            out["performedPeriod"] = _period(p.start, p.end)
        else:
            _put_date(out, "performedDateTime", p.start)
        return _drop_empty(out)

    def goal(self, g: Goal) -> JsonObject:
        """A Goal."""
        out: JsonObject = {
            "resourceType": "Goal",
            "id": g.id,
            "lifecycleStatus": g.status.value,
            "description": self.concept(g.codings, g.description) or {"text": "-"},
            "subject": self.subject,
        }
        _put_date(out, "startDate", g.start)
        _put_date(out, "statusDate", g.reviewed)
        return out

    def referral(self, r: Referral) -> JsonObject:
        """A ServiceRequest."""
        out: JsonObject = {
            "resourceType": "ServiceRequest",
            "id": r.id,
            "status": r.status.value,
            "intent": "order",
            "code": self.concept(r.codings),
            "subject": self.subject,
        }
        _put_date(out, "occurrenceDateTime", r.planned)
        _put_date(out, "authoredOn", r.authored)
        if r.text:
            out["note"] = [{"text": r.text}]
        return _drop_empty(out)

    def encounter(self, e: Encounter) -> JsonObject:
        """An Encounter."""
        out: JsonObject = {
            "resourceType": "Encounter",
            "id": e.id,
            "status": e.status.value,
            "class": {
                "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                "code": "AMB",
                "display": "ambulatory",
            },
            "type": [self.concept(e.codings, e.text)] if (e.codings or e.text) else [],
            "subject": self.subject,
        }
        if e.start is not None:
            out["period"] = {"start": e.start.isoformat()}
        return _drop_empty(out)

    def care_teams(self, members: tuple[CareTeamMember, ...]) -> list[JsonObject]:
        """One CareTeam per team id, each member a participant with roles, name and identifier."""
        teams: dict[str, list[CareTeamMember]] = defaultdict(list)
        for m in members:
            teams[m.team_id].append(m)
        out: list[JsonObject] = []
        for team_id, team in sorted(teams.items()):
            participants = []
            contained: list[JsonObject] = []
            for m in team:
                member: JsonObject = {"display": m.name}
                if m.identifier is not None:
                    member["identifier"] = (
                        {"system": m.identifier.system, "value": m.identifier.value}
                        if m.identifier.system
                        else {"value": m.identifier.value}
                    )
                part: JsonObject = {
                    "id": m.id,
                    "role": [{"coding": [_coding(self.valuesets.coding_for(r))]} for r in sorted(m.roles)],
                    "member": member,
                }
                if m.phone:
                    # a Reference carries no telecom: the number travels on a contained Practitioner
                    contained.append(
                        {
                            "resourceType": "Practitioner",
                            "id": f"p-{m.id}",
                            "telecom": [{"system": "phone", "value": m.phone}],
                        }
                    )
                    member["reference"] = f"#p-{m.id}"
                if m.organization:
                    part["onBehalfOf"] = {"display": m.organization}
                if m.start or m.end:
                    part["period"] = _period(m.start, m.end)
                participants.append(part)
            team_resource: JsonObject = {
                "resourceType": "CareTeam",
                "id": team_id,
                "status": "active",
                "subject": self.subject,
                "participant": participants,
            }
            if contained:
                team_resource["contained"] = contained
            out.append(team_resource)
        return out


#: the sides the laterality extension can say (unknown and midline are not written)
_LATERALITY_SIDES = frozenset({Side.LEFT, Side.RIGHT, Side.BILATERAL})


def _entered_in_error(resource: JsonObject) -> JsonObject:
    """The resource as FHIR marks a record entered in error (Goal.lifecycleStatus, Condition.verificationStatus)."""
    kind = resource["resourceType"]
    if kind == "Goal":
        resource["lifecycleStatus"] = "entered-in-error"
    elif kind in _VERIFICATION_SYSTEMS:
        system = f"{_TERMINOLOGY}{_VERIFICATION_SYSTEMS[kind]}"
        resource["verificationStatus"] = _status(system, "entered-in-error")
        resource.pop("clinicalStatus", None)  # con-5 / ait-2: no clinical status on an entry in error
    else:
        resource["status"] = "entered-in-error"
    return resource


def _coding(c: Coding) -> JsonObject:
    out: JsonObject = {"system": c.system, "code": c.code}
    if c.display:
        out["display"] = c.display
    return out


def _status(system: str, code: str) -> JsonObject:
    return {"coding": [{"system": system, "code": code}]}


def _period(start: date | None, end: date | None) -> JsonObject:
    out: JsonObject = {}
    if start is not None:
        out["start"] = start.isoformat()
    if end is not None:
        out["end"] = end.isoformat()
    return out


def _put_text(report: JsonObject, text: str | None) -> None:
    """A report's text, as read, written back as a text/plain presentedForm (UTF-8, base64)."""
    if text:
        data = base64.b64encode(text.encode("utf-8")).decode("ascii")
        report["presentedForm"] = [{"contentType": "text/plain; charset=utf-8", "data": data}]


def _put_date(out: JsonObject, key: str, value: date | None) -> None:
    if value is not None:
        out[key] = value.isoformat()


def _number(value: Decimal) -> int | float:
    """A JSON number for a Decimal (integers stay integers)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _quantity(q: Quantity) -> JsonObject:
    out: JsonObject = {"value": _number(q.value)}
    if q.unit:
        out["unit"] = q.unit
    return out


def _drop_empty(resource: JsonObject) -> JsonObject:
    """FHIR forbids empty objects: drop keys whose value is an empty dict or list."""
    return {k: v for k, v in resource.items() if v not in ({}, [])}
