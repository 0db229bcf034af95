"""Real-world coding: nl-core (zib 2020) and US Core / Synthea shapes give the same record and cards as cnopad's
own codes. Synthetic fixtures written for cnopad in those shapes (not copied from the published examples)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from tests.support.fhir import AGB, ATC, HTEST, LOINC, SNOMED, Json, code, subject

from cnopad.domain import Bone, CareRole, Concept, Focality, Identifier, Quantity, Side, Site, System
from cnopad.engine import assess
from cnopad.fhir.read_context import LATERALITY_URL
from cnopad.fhir.reader import read_bundle, read_draft_orders, read_orders
from cnopad.fhir.writer import RecordWriter
from cnopad.knowledge.valuesets import ValueSetIndex

TODAY = date(2026, 11, 23)
NLCORE = "http://nictiz.nl/fhir/StructureDefinition/"
UCUM = "http://unitsofmeasure.org"


def _patient(birth: str) -> Json:
    return {
        "resourceType": "Patient",
        "id": "p1",
        "meta": {"profile": [f"{NLCORE}nl-core-Patient"], "tag": [HTEST]},
        "gender": "female",
        "birthDate": birth,
    }


def _bundle(*resources: Json, birth: str = "1985-04-04") -> Json:
    entries = [_patient(birth), *resources]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in entries],
    }


def _problem(cid: str, *body_sites: Json, coding: Json | None = None, status: str = "confirmed") -> Json:
    """A Condition in the nl-core-Problem shape (CNO: ORPHA code, as a Dutch hospital would send)."""
    return {
        "resourceType": "Condition",
        "id": cid,
        "meta": {"profile": [f"{NLCORE}nl-core-Problem"]},
        "verificationStatus": code("http://terminology.hl7.org/CodeSystem/condition-ver-status", status),
        "code": coding or code("http://www.orpha.net", "324964", "Chronic nonbacterial osteomyelitis"),
        "bodySite": list(body_sites),
        "subject": subject(),
        "onsetDateTime": "2026-08-01",
        "recordedDate": "2026-10-01",
    }


def _laterality(snomed_code: str, display: str) -> Json:
    return {"url": LATERALITY_URL, "valueCodeableConcept": code(SNOMED, snomed_code, display)}


def _read(valuesets: ValueSetIndex, *resources: Json, birth: str = "1985-04-04") -> Any:
    return read_bundle(json.dumps(_bundle(*resources, birth=birth)), valuesets=valuesets, today=TODAY)


# ---------------------------------------------------------------------------------------------- body sites


def test_a_snomed_body_site_with_the_nl_core_laterality_extension_is_a_bone_and_a_side(
    valuesets: ValueSetIndex,
) -> None:
    site = {"extension": [_laterality("7771000", "links")], **code(SNOMED, "12611008", "Botstructuur van tibia")}

    record = _read(valuesets, _problem("dx", site)).record

    assert record.diagnosis.sites == (Site(Bone.TIBIA, Side.LEFT),)


def test_bilateral_tibial_lesions_coded_by_snomed_are_two_sites_multifocal_and_symmetric(
    valuesets: ValueSetIndex,
) -> None:
    both = {"extension": [_laterality("51440002", "beiderzijds")], **code(SNOMED, "12611008")}

    diagnosis = _read(valuesets, _problem("dx", both)).record.diagnosis

    assert diagnosis.focality is Focality.MULTIFOCAL
    assert diagnosis.symmetric


def test_a_body_site_given_only_as_dutch_text_is_read_from_its_words(valuesets: ValueSetIndex) -> None:
    result = _read(valuesets, _problem("dx", {"text": "rechter clavicula"}, {"text": "Sternum"}))

    assert result.record.diagnosis.sites == (Site(Bone.CLAVICLE, Side.RIGHT), Site(Bone.STERNUM))
    assert result.unrecognized == ()


def test_a_body_site_text_that_names_no_bone_is_listed_as_not_understood(valuesets: ValueSetIndex) -> None:
    result = _read(valuesets, _problem("dx", {"text": "pijnlijke plek"}))

    assert result.record.diagnosis.sites == ()
    assert [u.display for u in result.unrecognized] == ["pijnlijke plek"]


def test_a_lateralised_snomed_code_names_its_own_side(valuesets: ValueSetIndex) -> None:
    record = _read(valuesets, _problem("dx", code(SNOMED, "719492002", "Bone structure of left tibia"))).record

    assert record.diagnosis.sites == (Site(Bone.TIBIA, Side.LEFT),)


def test_a_child_with_one_snomed_coded_tibia_lesion_gets_the_unifocal_card(valuesets: ValueSetIndex) -> None:
    crmo = _problem("dx", code(SNOMED, "12611008"), status="provisional")

    record = _read(valuesets, crmo, birth="2015-04-04").record
    cards = assess(record, TODAY).cards

    assert "child-unifocal-lesion" in {c.rule_id for c in cards}


def test_an_adult_in_remission_on_imaging_coded_by_snomed_is_recognised_as_inactive(valuesets: ValueSetIndex) -> None:
    report = {
        "resourceType": "DiagnosticReport",
        "id": "mri",
        "status": "final",
        "category": [code("http://terminology.hl7.org/CodeSystem/v2-0074", "RAD")],
        "code": code(LOINC, "24590-2", "MR Thorax"),
        "subject": subject(),
        "effectiveDateTime": "2026-10-01",
        "conclusionCode": [code(SNOMED, "765205004", "In remission")],
    }

    imaging = _read(valuesets, report).record.imaging[0]

    assert Concept.IMAGING_NO_ACTIVITY in imaging.findings


def test_sites_and_sides_survive_the_export_as_snomed_with_the_laterality_extension(valuesets: ValueSetIndex) -> None:
    first = _read(valuesets, _problem("dx", {"text": "linkertibia"}, {"text": "tibia rechts"})).record

    exported = RecordWriter(valuesets).bundle(first)
    condition = next(e["resource"] for e in exported["entry"] if e["resource"]["resourceType"] == "Condition")
    second = read_bundle(json.dumps(exported), valuesets=valuesets, today=TODAY).record

    assert condition["bodySite"][0]["coding"][0] == {
        "system": SNOMED,
        "code": "12611008",
        "display": "Bone structure of tibia",
    }
    assert condition["bodySite"][0]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "7771000"
    assert (
        second.diagnosis.sites
        == first.diagnosis.sites
        == (
            Site(Bone.TIBIA, Side.LEFT),
            Site(Bone.TIBIA, Side.RIGHT),
        )
    )


# ---------------------------------------------------------------------------------------------- care team


def _nl_core_care_team(*, practitioner_identifiers: list[Json]) -> list[Json]:
    """CareTeam -> PractitionerRole (COD016 specialty) -> Practitioner (BIG + AGB), RESP on the participation."""
    return [
        {
            "resourceType": "Practitioner",
            "id": "internist",
            "meta": {"profile": [f"{NLCORE}nl-core-HealthProfessional-Practitioner"]},
            "identifier": practitioner_identifiers,
            "name": [{"text": "I. Nternist (fictief)"}],
        },
        {
            "resourceType": "PractitionerRole",
            "id": "internist-role",
            "meta": {"profile": [f"{NLCORE}nl-core-HealthProfessional-PractitionerRole"]},
            "identifier": [{"system": "https://ziekenhuis.example/fhir/rol", "value": "ROLE-7"}],
            "practitioner": {"reference": "Practitioner/internist", "type": "Practitioner"},
            "specialty": [
                code(System.COD016.value, "0313", "Medisch specialisten, inwendige geneeskunde"),
            ],
            "organization": {"display": "Ziekenhuis Voorbeeld (fictief)"},
        },
        {
            "resourceType": "CareTeam",
            "id": "team",
            "meta": {"profile": [f"{NLCORE}nl-core-CareTeam"]},
            "subject": subject(),
            "participant": [
                {
                    "role": [code(System.PARTICIPATION_TYPE.value, "RESP", "Responsible Party")],
                    "member": {"reference": "PractitionerRole/internist-role", "type": "PractitionerRole"},
                }
            ],
        },
    ]


def test_a_practitioner_role_member_gives_the_persons_agb_code_the_specialty_and_the_main_treating_role(
    valuesets: ValueSetIndex,
) -> None:
    identifiers = [
        {"system": "http://fhir.nl/fhir/NamingSystem/big", "value": "19999999999"},
        {"system": AGB, "value": "01999002"},
    ]

    [member] = _read(valuesets, *_nl_core_care_team(practitioner_identifiers=identifiers)).record.care_team

    assert member.identifier == Identifier(AGB, "01999002")  # the person's AGB code, never the role's id
    assert member.roles == {CareRole.MAIN_TREATING, CareRole.SPECIALIST}
    assert member.name == "I. Nternist (fictief)"
    assert member.organization == "Ziekenhuis Voorbeeld (fictief)"


def test_a_practitioner_role_whose_practitioner_is_not_sent_gives_no_identifier(valuesets: ValueSetIndex) -> None:
    team = {
        "resourceType": "CareTeam",
        "id": "team",
        "subject": subject(),
        "participant": [
            {
                "member": {
                    "reference": "PractitionerRole/elsewhere",
                    "identifier": {"system": AGB, "value": "01999002"},  # the role's identifier, not a person's
                }
            }
        ],
    }

    [member] = _read(valuesets, team).record.care_team

    assert member.identifier is None


# ---------------------------------------------------------------------------------------------- medication


def _adalimumab_order(coding: Json) -> Json:
    return {
        "resourceType": "MedicationRequest",
        "id": "ada",
        "status": "draft",
        "intent": "order",
        "medicationCodeableConcept": coding,
        "subject": subject(),
        "authoredOn": "2026-11-20",
    }


@pytest.mark.parametrize(
    "coding",
    [
        code(ATC, "L04AB04", "adalimumab"),
        code(System.RXNORM.value, "327361", "adalimumab"),
        code(SNOMED, "407317001", "Adalimumab (substance)"),
    ],
    ids=["ATC", "RxNorm", "SNOMED CT"],
)
def test_an_adalimumab_order_gives_the_tb_and_hepatitis_b_card_in_every_code_system(
    valuesets: ValueSetIndex, coding: Json
) -> None:
    record = _read(valuesets, _problem("dx")).record
    orders, unrecognized = read_orders(_adalimumab_order(coding), valuesets=valuesets, today=TODAY)

    cards = assess(record, TODAY, orders).cards

    assert unrecognized == ()
    assert "tnf-order-without-screening" in {c.rule_id for c in cards}


def test_a_drug_coded_only_in_the_g_standaard_is_listed_as_an_order_cnopad_could_not_check(
    valuesets: ValueSetIndex,
) -> None:
    order = _adalimumab_order(code(System.GSTD_PRK.value, "12345", "ADALIMUMAB 40MG/0,4ML (fictief)"))

    orders, unrecognized, not_checked = read_draft_orders(order, valuesets=valuesets, today=TODAY)

    assert orders == [], "an order without a code cnopad reads cannot be checked, so it is not passed on as checked"
    assert [(u.system, u.code) for u in unrecognized] == [(System.GSTD_PRK.value, "12345")]
    [unchecked] = not_checked
    assert unchecked.order_id == "ada" and [(u.system, u.code) for u in unchecked.items] == [
        (System.GSTD_PRK.value, "12345")
    ]


# ---------------------------------------------------------------------------------------------- lab units


def _crp(value: float, unit: str | None, *, ucum: bool = True) -> Json:
    quantity: Json = {"value": value}
    if unit is not None:
        quantity |= {"unit": unit, "system": UCUM, "code": unit} if ucum else {"unit": unit}
    return {
        "resourceType": "Observation",
        "id": "crp",
        "meta": {"profile": [f"{NLCORE}nl-core-LaboratoryTestResult"]},
        "status": "final",
        "code": code(LOINC, "1988-5", "CRP [Massa/volume] in Serum of Plasma"),
        "subject": subject(),
        "effectiveDateTime": "2026-10-01",
        "valueQuantity": quantity,
    }


def test_a_crp_in_mg_per_decilitre_is_converted_to_mg_per_litre(valuesets: ValueSetIndex) -> None:
    result = _read(valuesets, _crp(1.2, "mg/dL"))

    assert result.record.observations[0].value == Quantity(Decimal("12"), "mg/L")
    assert result.unrecognized == ()


def test_a_crp_in_a_unit_cnopad_cannot_convert_is_not_used_and_listed_with_the_reason(
    valuesets: ValueSetIndex,
) -> None:
    result = _read(valuesets, _crp(95, "nmol/L"))

    [crp] = result.record.observations
    assert crp.value is None
    assert Concept.CRP in crp.concepts  # the test still counts as done
    [reason] = result.unrecognized
    assert reason.code == "nmol/L"
    assert "cannot be converted to mg/L" in f"{reason.display} {reason.detail}"


def test_a_crp_without_a_unit_is_not_used(valuesets: ValueSetIndex) -> None:
    result = _read(valuesets, _crp(12, None))

    assert result.record.observations[0].value is None
    [reason] = result.unrecognized
    assert "no unit" in f"{reason.display} {reason.detail}"


def test_a_converted_crp_survives_the_round_trip_with_its_ucum_code(valuesets: ValueSetIndex) -> None:
    first = _read(valuesets, _crp(1.25, "mg/dl", ucum=False)).record

    exported = RecordWriter(valuesets).bundle(first)
    second = read_bundle(json.dumps(exported), valuesets=valuesets, today=TODAY).record
    quantity = next(
        e["resource"]["valueQuantity"] for e in exported["entry"] if e["resource"]["resourceType"] == "Observation"
    )

    assert quantity == {"value": 12.5, "unit": "mg/L", "system": UCUM, "code": "mg/L"}
    assert second.observations == first.observations


# ---------------------------------------------------------------------------------------------- the TobaccoUse zib


def _tobacco_use(status: str, display: str) -> Json:
    """An Observation in the nl-core TobaccoUse shape (code SNOMED CT 365980008, as Nictiz's example sends it)."""
    return {
        "resourceType": "Observation",
        "id": "tabak",
        "meta": {"profile": [f"{NLCORE}nl-core-TobaccoUse"]},
        "status": "final",
        "code": code(SNOMED, "365980008", "bevinding betreffende tabakgebruik en blootstelling aan tabaksrook"),
        "subject": subject(),
        "effectivePeriod": {"start": "2026-10-01"},
        "valueCodeableConcept": code(SNOMED, status, display),
    }


def test_an_nl_core_tobacco_use_of_a_cigarette_smoker_is_understood_and_gets_the_smoking_advice(
    valuesets: ValueSetIndex,
) -> None:
    result = _read(valuesets, _problem("dx", code(SNOMED, "51299004")), _tobacco_use("65568007", "Rookt sigaretten"))

    assert result.unrecognized == ()
    assert "smoking" in {c.rule_id for c in assess(result.record, TODAY).cards}


def test_an_nl_core_tobacco_use_of_a_never_smoker_gets_no_smoking_advice(valuesets: ValueSetIndex) -> None:
    result = _read(valuesets, _problem("dx", code(SNOMED, "51299004")), _tobacco_use("266919005", "Nooit gerookt"))

    assert result.unrecognized == ()
    assert "smoking" not in {c.rule_id for c in assess(result.record, TODAY).cards}
