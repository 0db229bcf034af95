"""Representation invariance: the same patient in cnopad's own codes, in the nl-core (zib 2020) shape with standard
codes and free-text reports, and in the US Core / Synthea shape gets the same cards, tasks and step plan.

The transformer (bench/representations.py, through support.representations) takes every standard code from the
loaded value sets; what has no standard form stays in cnopad's code and must be listed in EXPECTED_DIFFERENCES with
its reason (docs/fhir-profile.md, "Representation invariance", lists the same). All data are synthetic.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cnopad.domain import Bone, Coding, Entry, PatientRecord, Side, Site
from cnopad.engine import Assessment, assess
from cnopad.fhir import RecordWriter, read_bundle
from cnopad.knowledge import KnowledgeBase, knowledge
from cnopad.services.cds import PREFETCH, HookCall, evaluate, gather
from cnopad.services.demo import demo_bundle, manifest
from conftest import TODAY
from support.loop import run_async
from support.representations import Representation, Shape, meaning_label, represent, synthetic_bundle
from unit.engine.casefiles import load_cases

ROOT = Path(__file__).resolve().parents[3]

ANCHOR, PATIENTS = manifest()
CNOPAD_SYSTEM = "https://fhir.cnopad.nl/CodeSystem/cnopad"
STANDARD_SHAPES = (Shape.NL_CORE, Shape.US_CORE)

_NO_CODE = "no code in any standard system the value sets hold (checked sources only): cnopad's own code is sent"
_NO_US = "no {what} code for it in the value sets: {kept}"

#: every meaning that stays in a non-target code, per shape, with the reason. A meaning here keeps the SAME cards:
#: the differences are in the bundle, never in the advice.
EXPECTED_DIFFERENCES: dict[tuple[Shape, str], str] = {
    **{
        (shape, label): reason
        for shape in STANDARD_SHAPES
        for label, reason in {
            "concept:cno_scch": "SNOMED CT/ICD-10 have no concept for SCCH (docs 3.1); ORPHA:324964 is sent beside it",
            "concept:crmo": "no checked SNOMED CT concept for CRMO; ORPHA:324964/ICD-10 M86.3 mean CNO, not the "
            "childhood form",
            "concept:chronic_pain": "a suspicion of pain not explained by disease activity is cnopad's own concept",
            "role:coordinator": "the coordinating physician (regievoerend arts) has no standard role code",
            "role:expertise_centre": "the expertise centre (LUMC) has no standard role code",
            "site:long_bone": "'some long bone' has no SNOMED CT body structure in the value sets",
            "concept:chest_xray": "a chest X-ray has no standard code in the value sets and its title reads as X-ray",
            "concept:bone_biopsy": "a bone biopsy has no checked SNOMED CT procedure code",
            "concept:dental_check": _NO_CODE,
            "concept:tb_screening": "a screening recorded as done (Procedure): the value sets' standard codes for it "
            "are LOINC result codes (IGRA 71773-6), which belong on an Observation, not a Procedure",
            "concept:hbv_screening": "a screening recorded as done (Procedure): the value sets' standard codes for it "
            "are LOINC result codes (HBsAg 5196-1, anti-HBc 16933-4), which belong on an Observation",
            "concept:coordinator_discussed": _NO_CODE + " (a care agreement of the GP appendix)",
            "concept:expectations_discussed": _NO_CODE + " (a care agreement of the GP appendix)",
            "concept:first_contact_role_explained": _NO_CODE + " (a care agreement of the GP appendix)",
            "concept:out_of_hours_summary_shared": _NO_CODE + " (a care agreement of the GP appendix)",
            "concept:patient_association_informed": _NO_CODE + " (a care agreement of the GP appendix)",
            "concept:policy_agreed": _NO_CODE + " (a care agreement of the GP appendix)",
            "concept:task_division_agreed": _NO_CODE + " (a care agreement of the GP appendix)",
            "concept:gp_contact": _NO_CODE + " (Encounter.type)",
            "concept:specialist_contact": _NO_CODE + " (Encounter.type)",
            "concept:expertise_centre_review": _NO_CODE + " (Encounter.type)",
            "concept:out_of_hours_contact": _NO_CODE + " (Encounter.type)",
            "concept:goal_less_pain": _NO_CODE + " (Goal.description)",
            "concept:goal_better_functioning": _NO_CODE + " (Goal.description)",
            "concept:goal_quality_of_life": _NO_CODE + " (Goal.description)",
            "concept:referral_dentist": _NO_CODE + " (ServiceRequest.code)",
            "concept:referral_expertise_centre": _NO_CODE + " (ServiceRequest.code)",
            "concept:referral_paediatric_rheumatologist": _NO_CODE + " (ServiceRequest.code)",
            "concept:referral_physiotherapy": _NO_CODE + " (ServiceRequest.code)",
            "concept:referral_rheumatologist": _NO_CODE + " (ServiceRequest.code)",
            "concept:disease_activity": _NO_CODE + " (the treating physician's judgement)",
            "concept:active_disease": _NO_CODE + " (the treating physician's judgement)",
            "concept:remission": "SNOMED CT 765205004 also means 'no activity on imaging' in the value sets, so it "
            "does not carry exactly this meaning",
            "concept:pregnancy_wish": _NO_CODE,
            "concept:arthritis": _NO_CODE + " (the value sets hold no checked code for arthritis in general)",
            "concept:subclavian_vein_thrombosis": _NO_CODE + " (a complication of NHG-COMPLICATION-TOS-1)",
            "concept:flare": _NO_CODE + " (the treating physician's judgement)",
            "concept:infusion_site_complaint": _NO_CODE + " (a symptom)",
            "concept:jaw_complaint": _NO_CODE + " (a symptom)",
            "concept:invasive_dental_procedure": _NO_CODE,
            "concept:diagnosis_acceptance_discussed": _NO_CODE + " (a care agreement of the GP appendix)",
            "concept:pre_diagnosis_experience_discussed": _NO_CODE + " (a care agreement of the GP appendix)",
            "concept:referral_chronic_pain_network": _NO_CODE + " (ServiceRequest.code)",
            "concept:referral_mental_health_nurse": _NO_CODE + " (ServiceRequest.code)",
            "concept:psychosocial_burden": _NO_CODE,
            "concept:work_situation": _NO_CODE,
            "concept:working": _NO_CODE,
            "concept:work_problem": _NO_CODE,
            "concept:sick_leave": _NO_CODE,
            "concept:new_complaint": _NO_CODE,
            "concept:night_pain": _NO_CODE + " (a symptom)",
            "concept:swelling": _NO_CODE + " (a symptom)",
            "concept:reduced_shoulder_mobility": _NO_CODE + " (a symptom)",
            "concept:arm_oedema": _NO_CODE + " (a thoracic outlet sign)",
            "concept:arm_sensory_loss": _NO_CODE + " (a thoracic outlet sign)",
            "concept:distended_veins": _NO_CODE + " (a thoracic outlet sign)",
            "concept:flu_like_symptoms": _NO_CODE + " (a symptom)",
            "concept:limping": _NO_CODE + " (a symptom)",
        }.items()
    },
    (Shape.US_CORE, "concept:cno"): "ICD-10-CM splits M86.3 by site (M86.30-M86.39) and the value sets hold the "
    "block only as a prefix; ICD-10 (WHO) M86.3 is sent, no subcode is invented",
    (Shape.US_CORE, "concept:chest_wall_complaint"): "only ICPC-2 L04 and ICD-10 (WHO) R07.3 are in the value sets; "
    "R07.3 is sent",
    (Shape.US_CORE, "concept:shoulder_complaint"): "only ICPC-2 L08/L92 and the ICD-10 block M75 (a prefix) are in "
    "the value sets; ICPC-2 is sent",
    (Shape.US_CORE, "concept:pamidronate"): _NO_US.format(what="RxNorm", kept="ATC M05BA03 is sent (docs 3.1)"),
    (Shape.US_CORE, "concept:bisphosphonate"): _NO_US.format(
        what="RxNorm", kept="pamidronate's ATC code also means 'bisphosphonate'"
    ),
    (Shape.US_CORE, "concept:live_vaccine"): _NO_US.format(
        what="CVX", kept="the MMR vaccine keeps its ATC code J07BD52 (CVX for MMR could not be checked, docs 3.1)"
    ),
    (Shape.US_CORE, "concept:vaccine"): _NO_US.format(what="CVX", kept="as for the live vaccine (MMR, ATC J07BD52)"),
    (Shape.US_CORE, "concept:antibiotic"): _NO_US.format(
        what="RxNorm ingredient", kept="benzylpenicillin (penicillin G) keeps its ATC code J01CE01"
    ),
    **{
        (Shape.US_CORE, label): "the engine cases' bundles give an ATC code without the drug's name, and an RxNorm "
        "ingredient is chosen by name (an ATC code is more specific than cnopad's drug class): ATC is sent"
        for label in (
            "concept:nsaid",
            "concept:tnf_inhibitor",
            "concept:methotrexate",
            "concept:paracetamol",
            "concept:systemic_corticosteroid",
        )
    },
    (Shape.US_CORE, "concept:proton_pump_inhibitor"): _NO_US.format(what="RxNorm", kept="ATC A02BC is sent"),
    (Shape.US_CORE, "concept:vertebral_compression"): _NO_US.format(
        what="ICD-10-CM or SNOMED CT", kept="ICD-10 (WHO) M48.5 is sent"
    ),
    **{
        (Shape.US_CORE, f"side:{side}"): "US Core has no laterality element and the value sets hold a lateralised "
        "SNOMED CT body structure only for the left tibia (719492002): the nl-core laterality extension is sent"
        for side in ("right", "bilateral")
    },
    (Shape.US_CORE, "role:gp"): _NO_US.format(what="SNOMED CT occupation", kept="cnopad's role-gp is sent (docs 3.1)"),
    (Shape.US_CORE, "role:specialist"): "the value sets' SNOMED CT occupations for a specialist are paediatric only; "
    "an adult's internist or rheumatologist keeps cnopad's role-specialist",
}


# ---------------------------------------------------------------------------------------------- the patients


def _cases() -> Iterator[Any]:
    """Every patient that exists as a FHIR bundle: the demo patients, examples/bundles, the benchmark's synthetic
    bundles, and every engine case (tests/cases) written to FHIR by cnopad's own writer."""
    for demo in PATIENTS:
        yield pytest.param(demo_bundle(demo), ANCHOR, (), id=f"demo:{demo.patient_id}")
    for path in sorted((ROOT / "examples" / "bundles").glob("*.json")):
        yield pytest.param(json.loads(path.read_text("utf-8")), TODAY, (), id=f"example:{path.stem}")
    for index in range(3):
        yield pytest.param(synthetic_bundle(index, resources=60), TODAY, (), id=f"bench:{index}")
    kb = knowledge()
    writer = RecordWriter(kb.valuesets)
    for pattern in ("rules/*.yaml", "tasks.yaml", "step_plan.yaml", "information.yaml"):
        for case in load_cases(kb, pattern):
            yield pytest.param(writer.bundle(case.record), case.as_of, case.orders, id=f"case:{case.id}")


CASES = list(_cases())


def _summary(assessment: Assessment) -> dict[str, Any]:
    """What a user sees, without ids (which differ by design: the standard shapes use urn:uuid ids)."""
    plan = assessment.step_plan
    return {
        "cards": sorted((c.rule_id, c.statements) for c in assessment.cards),
        "tasks": sorted(
            (t.kind, t.due, t.status.value, t.statements, t.done_on, t.overdue_from) for t in assessment.tasks
        ),
        "step_plan": (plan.current.value, plan.escalation, plan.statements, plan.prerequisites, plan.reasons),
    }


def _read(bundle: dict[str, Any], kb: KnowledgeBase, as_of: date) -> tuple[PatientRecord, tuple[Any, ...]]:
    result = read_bundle(json.dumps(bundle), valuesets=kb.valuesets, today=as_of)
    return result.record, result.unrecognized


def _codings(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        for coding in node.get("coding") or []:
            if isinstance(coding, dict):
                yield coding
        for value in node.values():
            yield from _codings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _codings(item)


# ---------------------------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("shape", STANDARD_SHAPES, ids=[s.value for s in STANDARD_SHAPES])
@pytest.mark.parametrize(("bundle", "as_of", "orders"), CASES)
def test_the_patient_in_standard_shape_gets_the_same_cards_tasks_and_step_plan(
    bundle: dict[str, Any], as_of: date, orders: tuple[Entry, ...], shape: Shape, kb: KnowledgeBase
) -> None:
    own = represent(bundle, Shape.CNOPAD, kb.valuesets)
    other = represent(bundle, shape, kb.valuesets)
    own_record, own_unread = _read(own.bundle, kb, as_of)
    other_record, other_unread = _read(other.bundle, kb, as_of)

    assert _summary(assess(other_record, as_of, orders)) == _summary(assess(own_record, as_of, orders))
    assert len(other_unread) == len(own_unread), [(u.location, u.display) for u in other_unread]
    unlisted = {label for label in other.kept if (shape, label) not in EXPECTED_DIFFERENCES}
    assert not unlisted, (
        f"kept in a non-{shape.value} code without a reason in EXPECTED_DIFFERENCES: {sorted(unlisted)}"
    )


@pytest.mark.parametrize(("bundle", "as_of", "orders"), CASES)
def test_cnopads_own_shape_is_the_bundle_as_it_is(
    bundle: dict[str, Any], as_of: date, orders: tuple[Entry, ...], kb: KnowledgeBase
) -> None:
    own = represent(bundle, Shape.CNOPAD, kb.valuesets)

    assert own.bundle == bundle
    assert own.bundle is not bundle and not own.kept


@pytest.mark.parametrize("shape", STANDARD_SHAPES, ids=[s.value for s in STANDARD_SHAPES])
@pytest.mark.parametrize(("bundle", "as_of", "orders"), CASES)
def test_the_standard_shape_really_is_standard_shaped(
    bundle: dict[str, Any], as_of: date, orders: tuple[Entry, ...], shape: Shape, kb: KnowledgeBase
) -> None:
    rep = represent(bundle, shape, kb.valuesets)
    entries = rep.bundle["entry"]
    resources = [e["resource"] for e in entries]

    assert all(e["fullUrl"].startswith("urn:uuid:") for e in entries)
    references = json.dumps(rep.bundle).split('"reference": "')[1:]
    assert all(ref.startswith("urn:uuid:") for ref in references), "every reference points at a urn:uuid fullUrl"
    assert all(
        not (r.get("conclusionCode") and _finding_codes(r, kb))
        for r in resources
        if r["resourceType"] == "DiagnosticReport"
    ), "every finding is sent as report text"
    profile_root = (
        "http://nictiz.nl/fhir/StructureDefinition/nl-core-"
        if shape is Shape.NL_CORE
        else "http://hl7.org/fhir/us/core/"
    )
    assert resources[0]["meta"]["profile"][0].startswith(profile_root)
    left = {
        meaning_label(m)
        for c in _codings(resources)
        if c.get("system") == CNOPAD_SYSTEM
        for m in kb.valuesets.meanings(Coding(c["system"], c["code"]))
    }
    assert left <= {label for s, label in EXPECTED_DIFFERENCES if s is shape}, "a cnopad code left without a reason"


def _finding_codes(report: dict[str, Any], kb: KnowledgeBase) -> bool:
    for cc in report.get("conclusionCode") or []:
        for c in cc.get("coding") or []:
            meanings = kb.valuesets.meanings(Coding(c["system"], c["code"]))
            if meanings and not all(isinstance(m, Bone) for m in meanings):
                return True
    return False


@pytest.mark.parametrize("shape", STANDARD_SHAPES, ids=[s.value for s in STANDARD_SHAPES])
@pytest.mark.parametrize(("bundle", "as_of", "orders"), CASES)
def test_findings_sent_as_report_text_are_read_from_the_text_as_the_codes_said_them(
    bundle: dict[str, Any], as_of: date, orders: tuple[Entry, ...], shape: Shape, kb: KnowledgeBase
) -> None:
    # nl-core: Dutch text in conclusion (TextResult); US Core: English text in a base64 presentedForm (Synthea notes)
    own_record, _ = _read(bundle, kb, as_of)
    other_record, _ = _read(represent(bundle, shape, kb.valuesets).bundle, kb, as_of)

    def facts(record: PatientRecord) -> list[Any]:
        return sorted(
            (str(i.performed), sorted(i.findings), i.sites, i.lesion_count) for i in record.imaging if i.findings
        ) + sorted((str(b.performed), sorted(b.result), b.sites) for b in record.biopsies)

    assert facts(other_record) == facts(own_record)
    coded = [i for i in own_record.imaging if i.findings] + [b for b in own_record.biopsies if b.result]
    from_text = [i for i in other_record.imaging if i.findings] + [b for b in other_record.biopsies if b.result]
    assert all(e.text_reading is not None and e.text_reading.findings for e in from_text)
    assert len(from_text) == len(coded)


def test_every_expected_difference_is_needed() -> None:
    kb = knowledge()
    kept: set[tuple[Shape, str]] = set()
    for param in CASES:
        bundle = param.values[0]
        for shape in STANDARD_SHAPES:
            rep: Representation = represent(bundle, shape, kb.valuesets)
            kept |= {(shape, label) for label in rep.kept}

    assert set(EXPECTED_DIFFERENCES) - kept == set(), "listed but never kept: drop them from the table and the docs"


def test_a_left_tibia_is_sent_to_us_core_as_its_lateralised_snomed_code_and_read_as_the_left_tibia(
    kb: KnowledgeBase,
) -> None:
    case = next(c for c in load_cases(kb, "rules/children.yaml") if _sites(c.record) == (Site(Bone.TIBIA, Side.LEFT),))
    bundle = RecordWriter(kb.valuesets).bundle(case.record)

    us = represent(bundle, Shape.US_CORE, kb.valuesets).bundle
    (condition,) = [e["resource"] for e in us["entry"] if e["resource"]["resourceType"] == "Condition"]
    record, _ = _read(us, kb, case.as_of)

    assert condition["bodySite"] == [
        {
            "coding": [
                {"system": "http://snomed.info/sct", "code": "719492002", "display": "Bone structure of left tibia"}
            ]
        }
    ]
    assert _sites(record) == (Site(Bone.TIBIA, Side.LEFT),)


def _sites(record: PatientRecord) -> tuple[Site, ...]:
    return record.diagnosis.sites if record.diagnosis is not None else ()


# ---------------------------------------------------------------------------------------------- CDS Hooks prefetch


def _prefetch(bundle: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The prefetch a FHIR server answering cnopad's templates returns (as bench/hooks.py builds it)."""
    resources = [e["resource"] for e in bundle["entry"]]
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    out: dict[str, Any] = {}
    for key, template in PREFETCH.items():
        kind = template.split("/")[0].split("?")[0]
        if kind == "Patient":
            out[key] = patient
            continue
        matches = [r for r in resources if r["resourceType"] == kind]
        if kind == "CareTeam":  # _include=CareTeam:participant: the members, not the people behind a PractitionerRole
            members = {p["member"].get("reference") for t in matches for p in t.get("participant", [])}
            matches += [r for r in resources if f"{r['resourceType']}/{r['id']}" in members]
        if ":medication" in template:  # _include=MedicationRequest:medication and the like
            drugs = {(m.get("medicationReference") or {}).get("reference") for m in matches}
            matches += [r for r in resources if f"{r['resourceType']}/{r['id']}" in drugs]
        out[key] = {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in matches]}
    return patient["id"], out


def _no_server(*_: Any) -> Any:
    msg = "the prefetch is complete: no FHIR server call is expected"
    raise AssertionError(msg)


@pytest.mark.parametrize("demo", PATIENTS, ids=[p.patient_id for p in PATIENTS])
def test_a_dutch_fhir_servers_prefetch_gets_the_same_hook_cards_as_cnopads_own_codes(
    demo: Any, kb: KnowledgeBase
) -> None:
    bundle = demo_bundle(demo)
    cards = []
    for shaped in (bundle, represent(bundle, Shape.NL_CORE, kb.valuesets, server=True).bundle):
        patient_id, prefetch = _prefetch(shaped)
        call = HookCall(
            "cnopad-patient-view",
            "patient-view",
            {"patientId": patient_id, "userId": "Practitioner/x"},
            prefetch,
            None,
            None,
        )
        result = evaluate(call, run_async(gather(call, _no_server)), kb=kb, today=ANCHOR)
        cards.append(sorted((c.rule_id, c.statements) for c in result.cards))

    assert cards[1] == cards[0]
