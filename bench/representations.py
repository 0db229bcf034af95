"""Re-express a cnopad FHIR bundle in the shapes real systems send: nl-core (zib 2020) and US Core / Synthea.

Shared by ``tests/integration/fhir/test_representation_invariance.py`` (through ``tests/support/representations.py``)
and ``bench/hooks.py --set nl-core``; it lives in ``bench/`` because the benchmarks may not import the tests, and the
tests already import ``bench/`` modules by path (the product imports neither).

No code is invented here: a cnopad code is replaced only by a standard code that the loaded value sets
(:class:`~cnopad.knowledge.valuesets.ValueSetIndex`) give **exactly the same meanings**; a code whose meanings no
standard code carries stays as it is and is reported in :attr:`Representation.kept` (the test lists every one of
them with its reason). Imaging and pathology findings become report text (Dutch for nl-core, English for US Core),
written with the words of ``knowledge/report_terms.yaml``. All data stay synthetic.
"""

from __future__ import annotations

import base64
import copy
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from cnopad.domain import Bone, CareRole, Coding, Concept, Side, System
from cnopad.knowledge.valuesets import Meaning, ValueSetIndex

Json = dict[str, Any]

NLCORE = "http://nictiz.nl/fhir/StructureDefinition/"
USCORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
LATERALITY_URL = f"{NLCORE}ext-AnatomicalLocation.Laterality"
LESION_COUNT_URL = "https://fhir.cnopad.nl/StructureDefinition/lesion-count"
_SERVER = "https://fhir.example.invalid/fhir/"  # a server base for server-shaped bundles (never contacted)
_UUID_NAMESPACE = uuid.UUID("5b8c0e8e-2f4e-4c1e-9a53-0c7a1d0f11de")  # any fixed namespace: ids are stable per run


class Shape(StrEnum):
    """The ways a bundle can be expressed."""

    CNOPAD = "cnopad"
    NL_CORE = "nl-core"
    US_CORE = "us-core"


#: systems each shape sends as they are (a coding in another system is re-coded where the value sets allow)
_ACCEPTED = {
    Shape.NL_CORE: frozenset(
        {
            System.SNOMED,
            System.LOINC,
            System.ICD10,
            System.ICD10_NL,
            System.ORPHANET,
            System.ICPC2,
            System.ATC,
            System.DICOM,
            System.COD016,
            System.UZI_ROLE,
            System.PARTICIPATION_TYPE,
            System.NULL_FLAVOR,
        }
    ),
    Shape.US_CORE: frozenset(
        {
            System.SNOMED,
            System.LOINC,
            System.ICD10_CM,
            System.RXNORM,
            System.CVX,
            System.DICOM,
            System.ORPHANET,
            System.PARTICIPATION_TYPE,
            System.NULL_FLAVOR,
        }
    ),
}
#: where a replacement is looked for, in order of preference
_PREFERRED = {
    Shape.NL_CORE: (System.SNOMED, System.ICD10, System.ORPHANET, System.ICPC2, System.LOINC, System.ATC),
    Shape.US_CORE: (System.SNOMED, System.ICD10_CM, System.RXNORM, System.CVX, System.LOINC, System.ICD10),
}
#: elements that name a drug or vaccine: US Core sends them in RxNorm (CVX for vaccines), not SNOMED CT
_DRUG_KEYS = frozenset({"medicationCodeableConcept", "vaccineCode"})
_US_DRUG_SYSTEMS = (System.RXNORM, System.CVX, System.SNOMED)
#: the categories of US Core's DiagnosticReport Note profile (LOINC Radiology, Pathology) for HL7 v2-0074 RAD, SP
_US_NOTE_CATEGORIES = {
    "RAD": {"system": "http://loinc.org", "code": "LP29684-5", "display": "Radiology"},
    "SP": {"system": "http://loinc.org", "code": "LP7839-6", "display": "Pathology"},
}
_MEDICATION_USES = frozenset({"MedicationRequest", "MedicationStatement", "MedicationAdministration"})
_LOINC_TYPES = frozenset({"Observation", "DiagnosticReport"})
#: profiles checked in Nictiz/Nictiz-R4-zib2020 (resources/nl-core) or used in docs/fhir-profile.md; other
#: resource types get none rather than a guessed URL
_NL_PROFILES = {
    "Patient": "nl-core-Patient",
    "Condition": "nl-core-Problem",
    "CareTeam": "nl-core-CareTeam",
    "AllergyIntolerance": "nl-core-AllergyIntolerance",
    "Practitioner": "nl-core-HealthProfessional-Practitioner",
    "PractitionerRole": "nl-core-HealthProfessional-PractitionerRole",
    "DiagnosticReport": "nl-core-TextResult",
}
_US_PROFILES = {
    "Patient": "us-core-patient",
    "Condition": "us-core-condition-problems-health-concerns",
    "CareTeam": "us-core-careteam",
    "AllergyIntolerance": "us-core-allergyintolerance",
    "Practitioner": "us-core-practitioner",
    "PractitionerRole": "us-core-practitionerrole",
    "DiagnosticReport": "us-core-diagnosticreport-note",
    "MedicationRequest": "us-core-medicationrequest",
    "Immunization": "us-core-immunization",
    "Procedure": "us-core-procedure",
    "Encounter": "us-core-encounter",
    "Goal": "us-core-goal",
    "ServiceRequest": "us-core-servicerequest",
}
#: INN -> USAN for the display match of drug names (RxNorm uses the US names)
_DRUG_SYNONYMS = {"paracetamol": "acetaminophen", "pamidronic": "pamidronate"}

#: report words per finding (all from knowledge/report_terms.yaml): (Dutch, English)
_FINDING_WORDS: dict[Concept, tuple[str, str]] = {
    Concept.IMAGING_ACTIVITY: ("verhoogde activiteit", "increased activity"),
    Concept.OSTEOLYTIC_LESION: ("osteolytische laesie", "osteolytic lesion"),
    Concept.HYPEROSTOSIS: ("hyperostose", "hyperostosis"),
    Concept.SCLEROSIS: ("sclerose", "sclerosis"),
    Concept.SOFT_TISSUE_INVOLVEMENT: ("weke-delenzwelling", "soft tissue swelling"),
}
#: findings written as a sentence of their own (a negation or hedge must not run over the others)
_FINDING_SENTENCES: dict[Concept, tuple[str, str]] = {
    Concept.IMAGING_NO_ACTIVITY: ("Metabool inactief.", "Metabolically inactive."),
    Concept.TUMOUR_NOT_EXCLUDED: ("Maligniteit niet uit te sluiten.", "Malignancy cannot be excluded."),
    Concept.IMAGING_NORMAL: ("Geen afwijkingen.", "No abnormalities."),
    Concept.BIOPSY_CONSISTENT_WITH_CNO: (
        "Chronische niet-bacteriële osteomyelitis.",
        "Chronic non-bacterial osteomyelitis.",
    ),
    Concept.BIOPSY_TUMOUR: ("Ewing-sarcoom.", "Ewing sarcoma."),
    Concept.BIOPSY_INFECTION: ("Bacteriële osteomyelitis.", "Bacterial osteomyelitis."),
    Concept.BIOPSY_NONSPECIFIC: ("Niet diagnostisch.", "Non-diagnostic."),
}
#: bone words of knowledge/report_terms.yaml (sites); a bone without one keeps its code
_BONE_WORDS: dict[Bone, tuple[str, str]] = {
    Bone.STERNUM: ("sternum", "sternum"),
    Bone.CLAVICLE: ("clavicula", "clavicle"),
    Bone.FIRST_RIB: ("eerste rib", "first rib"),
    Bone.OTHER_RIB: ("rib", "rib"),
    Bone.VERTEBRA: ("wervel", "vertebra"),
    Bone.PELVIS: ("bekken", "pelvis"),
    Bone.FEMUR: ("femur", "femur"),
    Bone.TIBIA: ("tibia", "tibia"),
    Bone.FIBULA: ("fibula", "fibula"),
    Bone.HUMERUS: ("humerus", "humerus"),
    Bone.MANDIBLE: ("mandibula", "mandible"),
    Bone.SACRUM: ("sacrum", "sacrum"),
    Bone.SCAPULA: ("scapula", "scapula"),
    Bone.PATELLA: ("patella", "patella"),
}
_SIDE_WORDS = {
    Side.LEFT: ("links", "left"),
    Side.RIGHT: ("rechts", "right"),
    Side.BILATERAL: ("beiderzijds", "bilateral"),
}
_COUNT_WORDS = {
    1: ("Solitaire laesie.", "Solitary lesion."),
    2: ("Twee laesies.", "Two lesions."),
    3: ("Drie laesies.", "Three lesions."),
    4: ("Vier laesies.", "Four lesions."),
}
#: report titles per modality (title words of knowledge/report_terms.yaml, modalities)
_TITLES: dict[Concept, tuple[str, str]] = {
    Concept.XRAY: ("Röntgenfoto", "X-ray"),
    Concept.CT: ("CT-scan", "CT"),
    Concept.SPECT_CT: ("SPECT-CT", "SPECT-CT"),
    Concept.PET: ("PET-CT", "PET-CT"),
    Concept.MRI: ("MRI", "MRI"),
    Concept.WHOLE_BODY_MRI: ("Whole-body MRI", "Whole-body MRI"),
    Concept.BONE_SCINTIGRAPHY: ("Skeletscintigrafie", "Bone scintigraphy"),
}


@dataclass
class Representation:
    """A bundle in one shape and the meanings it had to keep in cnopad's (or another non-target) code."""

    shape: Shape
    bundle: Json
    kept: set[str] = field(default_factory=set)


def meaning_label(meaning: Meaning) -> str:
    """'concept:cno_scch', 'site:long_bone', 'role:coordinator', 'side:left'."""
    kind = {Concept: "concept", Bone: "site", CareRole: "role", Side: "side"}[type(meaning)]
    return f"{kind}:{meaning.value}"


def represent(bundle: Json, shape: Shape, valuesets: ValueSetIndex, *, server: bool = False) -> Representation:
    """The bundle re-expressed in ``shape`` (a deep copy; the input is not changed).

    ``server`` gives what a FHIR server returns (CDS Hooks prefetch, bench/hooks.py): references as
    ``Type/id`` and ``fullUrl`` on a server base, instead of a client's ``urn:uuid`` bundle.
    """
    out = Representation(shape, copy.deepcopy(bundle))
    if shape is Shape.CNOPAD:
        return out
    _Transformer(out, valuesets, server=server).run()
    return out


class _Transformer:
    def __init__(self, rep: Representation, valuesets: ValueSetIndex, *, server: bool = False) -> None:
        self.server = server
        self.rep, self.vs, self.shape = rep, valuesets, rep.shape
        self.en = rep.shape is Shape.US_CORE
        self.kind = ""

    # ------------------------------------------------------------------ codings

    def meanings(self, coding: Json) -> tuple[Meaning, ...]:
        if not coding.get("system") or not coding.get("code"):
            return ()
        return self.vs.meanings(Coding(str(coding["system"]), str(coding["code"])))

    def candidates(self, want: frozenset[str], systems: tuple[System, ...]) -> Iterator[tuple[System, Json]]:
        for system in systems:
            for vs in self.vs.sets:
                for entry in vs.include:
                    if entry.system is not system or entry.match != "exact" or entry.side is not None:
                        continue
                    got = self.meanings({"system": system.value, "code": entry.code})
                    if frozenset(meaning_label(m) for m in got) == want:
                        yield system, {"system": system.value, "code": entry.code, "display": entry.display}

    def recode(self, coding: Json, systems: tuple[System, ...]) -> Json | None:
        """The coding in a target system with the same meanings, or None (kept and recorded by the caller).

        A cnopad code means a concept, so any standard code with the same meanings says as much. A standard code
        of another system is replaced by the only code of the target system with its meanings; a drug (ATC) only
        by one with the same name, as an ATC code is more specific than its concept (naproxen, not "an NSAID").
        """
        found = self.meanings(coding)
        if not found:
            return coding
        want = frozenset(meaning_label(m) for m in found)
        options: dict[System, list[Json]] = {}
        for system, candidate in self.candidates(want, systems):
            if candidate not in options.setdefault(system, []):
                options[system].append(candidate)
        source = coding.get("system")
        for system in systems:
            choices = options.get(system, [])
            named = [c for c in choices if _same_name(str(coding.get("display") or ""), c["display"])]
            if named:
                return named[0]
            if choices and (source == System.CNOPAD.value or (source != System.ATC.value and len(choices) == 1)):
                return choices[0]
        return None

    def codeable(self, cc: Json, key: str = "") -> Json:
        """Every coding of a CodeableConcept in the shape's systems where the value sets allow it."""
        if not isinstance(cc, dict) or not isinstance(cc.get("coding"), list):
            return cc
        out: list[Json] = []
        for coding in cc["coding"]:
            system = coding.get("system")
            if system not in {s.value for s in System} or System(system) in _ACCEPTED[self.shape]:
                new: Json | None = coding
            else:
                drug = key in _DRUG_KEYS and self.shape is Shape.US_CORE
                systems = _US_DRUG_SYSTEMS if drug else _PREFERRED[self.shape]
                if self.kind not in _LOINC_TYPES:  # a LOINC code names a test result, not a procedure done
                    systems = tuple(s for s in systems if s is not System.LOINC)
                new = self.recode(coding, systems)
            if new is None:
                new = coding
            if new.get("system") in {s.value for s in System} and System(new["system"]) not in _ACCEPTED[self.shape]:
                self.rep.kept.update(meaning_label(m) for m in self.meanings(new))
            if new not in out:
                out.append(new)
        result = {**cc, "coding": out}
        return self.lateralised(result) if self.shape is Shape.US_CORE else result

    def lateralised(self, cc: Json) -> Json:
        """US Core has no laterality element: the bone and side as one lateralised SNOMED CT body structure where
        the value sets hold one (left tibia), else the nl-core extension stays (recorded as kept)."""
        extensions = [e for e in cc.get("extension") or [] if e.get("url") == LATERALITY_URL]
        if not extensions:
            return cc
        sides = [m for c in extensions[0].get("valueCodeableConcept", {}).get("coding") or [] for m in self.meanings(c)]
        bones = [m for c in cc["coding"] for m in self.meanings(c) if isinstance(m, Bone)]
        side = next((m for m in sides if isinstance(m, Side)), None)
        for vs in self.vs.sets:
            for entry in vs.include:
                if side is not None and entry.side is side and vs.site in bones and entry.system is System.SNOMED:
                    rest = [e for e in cc.get("extension") or [] if e.get("url") != LATERALITY_URL]
                    coding = {"system": entry.system.value, "code": entry.code, "display": entry.display}
                    return {
                        **{k: v for k, v in cc.items() if k != "extension"},
                        **({"extension": rest} if rest else {}),
                        "coding": [coding],
                    }
        if side is not None:
            self.rep.kept.add(meaning_label(side))
        return cc

    # ------------------------------------------------------------------ resources

    def run(self) -> None:
        bundle = self.rep.bundle
        entries = bundle["entry"]
        by_ref = {f"{e['resource']['resourceType']}/{e['resource']['id']}": e for e in entries}
        added: list[Json] = []
        for entry in entries:
            resource = entry["resource"]
            kind = resource["resourceType"]
            if kind == "CareTeam":
                added.extend(self.care_team(resource, by_ref))
            elif kind == "DiagnosticReport":
                self.report(resource)
            elif kind == "Observation" and self.shape is Shape.NL_CORE:
                self.lab_unit(resource)
                self.nl_observation(resource)
            elif kind in _MEDICATION_USES and self.shape is Shape.NL_CORE and "medicationCodeableConcept" in resource:
                # nl-core (MedicationAgreement, MedicationUse2, MedicationAdministration2) names the drug through a
                # Medication resource (the zib PharmaceuticalProduct)
                medication = {
                    "resourceType": "Medication",
                    "id": f"{resource['id']}-product",
                    "code": resource.pop("medicationCodeableConcept"),
                }
                resource["medicationReference"] = {"reference": f"Medication/{medication['id']}"}
                added.append(medication)
            self.kind = kind
            self.walk(resource)
        for resource in added:
            self.kind = resource["resourceType"]
            self.walk(resource)
        entries.extend({"resource": r} for r in added)
        new_ids = {}
        for entry in entries:
            r = entry["resource"]
            new_ids[f"{r['resourceType']}/{r['id']}"] = str(
                uuid.uuid5(_UUID_NAMESPACE, f"{r['resourceType']}/{r['id']}")
            )
        for entry in entries:
            r = entry["resource"]
            r["id"] = new_ids[f"{r['resourceType']}/{r['id']}"]
            entry["fullUrl"] = f"{_SERVER}{r['resourceType']}/{r['id']}" if self.server else f"urn:uuid:{r['id']}"
            _relink(r, new_ids, server=self.server)
            profiles = _NL_PROFILES if self.shape is Shape.NL_CORE else _US_PROFILES
            if r["resourceType"] in profiles:
                base = NLCORE if self.shape is Shape.NL_CORE else USCORE
                r.setdefault("meta", {})["profile"] = [base + profiles[r["resourceType"]]]
            if self.shape is Shape.US_CORE:  # Synthea writes transaction bundles
                entry["request"] = {"method": "POST", "url": r["resourceType"]}
        if self.shape is Shape.US_CORE:
            bundle["type"] = "transaction"

    def walk(self, node: Any, key: str = "") -> None:
        """Re-code every CodeableConcept below ``node`` (body sites get the laterality extension)."""
        if isinstance(node, list):
            for item in node:
                self.walk(item, key)
            return
        if not isinstance(node, dict):
            return
        for k, value in list(node.items()):
            if k == "participant" and self.kind == "CareTeam":
                continue  # the roles are placed by care_team()
            if isinstance(value, dict) and isinstance(value.get("coding"), list):
                node[k] = self.codeable(value, k)
            elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                node[k] = [self.codeable(v, k) if isinstance(v.get("coding"), list) else v for v in value]
            if isinstance(node[k], dict | list):
                self.walk(node[k], k)

    def lab_unit(self, resource: Json) -> None:
        """A lab value sent in the first other unit labs.yaml converts exactly with a factor (CRP mg/L -> mg/dL)."""
        quantity = resource.get("valueQuantity")
        codings = [
            Coding(c["system"], c["code"])
            for c in (resource.get("code") or {}).get("coding", [])
            if c.get("system") and c.get("code")
        ]
        spec = self.vs.unit_spec(codings)
        if not quantity or spec is None or not spec.factors or quantity.get("code", quantity.get("unit")) != spec.unit:
            return
        scaled = [(u, f) for u, f in spec.factors.items() if f != 1]  # a unit that really needs converting
        if not scaled:
            return
        unit, factor = scaled[0]
        value = Decimal(str(quantity["value"])) / factor
        resource["valueQuantity"] = {
            "value": float(value),
            "unit": unit,
            "system": "http://unitsofmeasure.org",
            "code": unit,
        }

    def nl_observation(self, resource: Json) -> None:
        """nl-core codes an observation in SNOMED CT where the zib does (TobaccoUse: 365980008, not LOINC 72166-2),
        and names its profile: TobaccoUse, or LaboratoryTestResult for a laboratory code."""
        code = resource.get("code") or {}
        meanings = frozenset(meaning_label(m) for c in code.get("coding") or [] for m in self.meanings(c))
        snomed = [c for _, c in self.candidates(meanings, (System.SNOMED,))] if meanings else []
        if snomed:
            resource["code"] = {**code, "coding": snomed[:1]}
        if meanings == {"concept:smoking_status"}:
            resource.setdefault("meta", {})["profile"] = [f"{NLCORE}nl-core-TobaccoUse"]
        elif meanings & {"concept:blood_test", "concept:urine_test"}:
            resource.setdefault("meta", {})["profile"] = [f"{NLCORE}nl-core-LaboratoryTestResult"]

    def care_team(self, team: Json, by_ref: dict[str, Json]) -> list[Json]:
        """Each member as a PractitionerRole (specialty) of a Practitioner; RESP on the participation."""
        added: list[Json] = []
        for index, part in enumerate(team.get("participant") or []):
            roles = [m for cc in part.get("role") or [] for c in cc.get("coding") or [] for m in self.meanings(c)]
            member = part.get("member") or {}
            ref = member.get("reference")
            person_id = ref.split("/", 1)[1] if ref and ref in by_ref else f"{team['id']}-person-{index}"
            if not (ref and ref in by_ref):
                person: Json = {
                    "resourceType": "Practitioner",
                    "id": person_id,
                    "name": [{"text": member.get("display") or "(synthetisch)"}],
                }
                if member.get("identifier"):
                    person["identifier"] = [member["identifier"]]
                added.append(person)
            participation: list[Json] = []
            specialty: list[Json] = []
            for role in dict.fromkeys(r for r in roles if isinstance(r, CareRole)):
                want = frozenset({meaning_label(role)})
                on_participation = [c for s, c in self.candidates(want, (System.PARTICIPATION_TYPE,))]
                on_role = self.role_codes(want)
                if on_participation:
                    participation.append({"coding": on_participation[:1]})
                elif on_role and self.shape is Shape.US_CORE:  # Synthea: SNOMED CT on the participation
                    participation.append({"coding": on_role[:1]})
                elif on_role:
                    specialty.append({"coding": on_role[:1]})
                else:
                    participation.append({"coding": [_coding_json(self.vs, role)]})
                    self.rep.kept.add(meaning_label(role))
            part["role"] = participation
            if self.shape is Shape.US_CORE:  # the member is the Practitioner itself
                part["member"] = {"reference": f"Practitioner/{person_id}", "type": "Practitioner"}
                continue
            role_id = f"{team['id']}-role-{index}"
            practitioner_role: Json = {
                "resourceType": "PractitionerRole",
                "id": role_id,
                "practitioner": {"reference": f"Practitioner/{person_id}", "type": "Practitioner"},
            }
            if specialty:
                practitioner_role["specialty"] = specialty
            if part.get("onBehalfOf", {}).get("display"):
                practitioner_role["organization"] = {"display": part["onBehalfOf"]["display"]}
            added.append(practitioner_role)
            part["member"] = {"reference": f"PractitionerRole/{role_id}", "type": "PractitionerRole"}
        return added

    def role_codes(self, want: frozenset[str]) -> list[Json]:
        systems = (System.COD016,) if self.shape is Shape.NL_CORE else (System.SNOMED,)
        found = [c for _, c in self.candidates(want, systems)]
        if self.shape is Shape.US_CORE and want == {"role:specialist"}:
            return []  # the value sets' SNOMED CT occupations are paediatric only; an adult's internist is not one
        return found

    def report(self, report: Json) -> None:
        """Findings, lesion count and sites of an imaging or pathology report as text instead of codes."""
        self.note_category(report)
        findings: list[Concept] = []
        sites: list[tuple[Bone, Side]] = []
        coded_sites: list[Json] = []
        for cc in report.get("conclusionCode") or []:
            meanings = [m for c in cc.get("coding") or [] for m in self.meanings(c)]
            bones = [m for m in meanings if isinstance(m, Bone)]
            if bones:
                side = next(
                    (
                        m
                        for e in cc.get("extension") or []
                        for c in (e.get("valueCodeableConcept") or {}).get("coding") or []
                        for m in self.meanings(c)
                        if isinstance(m, Side)
                    ),
                    Side.UNKNOWN,
                )
                sites.append((bones[0], side))
                coded_sites.append(cc)
            findings.extend(m for m in meanings if isinstance(m, Concept))
        count = next(
            (int(e["valueInteger"]) for e in report.get("extension") or [] if e.get("url") == LESION_COUNT_URL), None
        )
        if not findings or any(f not in _FINDING_WORDS and f not in _FINDING_SENTENCES for f in findings):
            return  # nothing to write, or a finding the text reader has no words for: the codes stay
        if count is not None and count not in _COUNT_WORDS:
            return
        lang = 1 if self.en else 0
        located = [_FINDING_WORDS[f][lang] for f in findings if f in _FINDING_WORDS]
        # the text reader takes a bone as a site only next to a lesion finding: without one the sites stay coded
        words_for_sites = bool(located) and all(b in _BONE_WORDS for b, _ in sites)
        where = ""
        if sites and words_for_sites:
            named = [_BONE_WORDS[b][lang] + (f" {_SIDE_WORDS[s][lang]}" if s in _SIDE_WORDS else "") for b, s in sites]
            joined = (
                named[0] if len(named) == 1 else ", ".join(named[:-1]) + (" and " if self.en else " en ") + named[-1]
            )
            where = (" of " if self.en else " van ") + joined
        sentences = []
        if located:
            text = (
                ", ".join(located[:-1]) + ((" and " if self.en else " en ") if len(located) > 1 else "") + located[-1]
            )
            sentences.append(text[0].upper() + text[1:] + where + ".")
        sentences.extend(_FINDING_SENTENCES[f][lang] for f in findings if f in _FINDING_SENTENCES)
        if count is not None:
            sentences.append(_COUNT_WORDS[count][lang])
        label = "Conclusion: " if self.en else "Conclusie: "
        text = label + " ".join(sentences)
        if self.en:  # Synthea and US Core notes carry the report as a base64 text/plain attachment
            report.pop("conclusion", None)
            data = base64.b64encode(text.encode("utf-8")).decode("ascii")
            report["presentedForm"] = [{"contentType": "text/plain; charset=utf-8", "data": data}]
        else:  # the nl-core TextResult puts the report in conclusion
            report["conclusion"] = text
        report["conclusionCode"] = [] if words_for_sites else coded_sites
        if not report["conclusionCode"]:
            del report["conclusionCode"]
        report["extension"] = [e for e in report.get("extension") or [] if e.get("url") != LESION_COUNT_URL]
        if not report["extension"]:
            del report["extension"]
        self.title(report)

    def note_category(self, report: Json) -> None:
        """US Core DiagnosticReport Note categories (LOINC) instead of HL7 v2-0074's."""
        if self.shape is Shape.US_CORE:
            for cc in report.get("category") or []:
                cc["coding"] = [_US_NOTE_CATEGORIES.get(c.get("code"), c) for c in cc.get("coding") or []]

    def title(self, report: Json) -> None:
        """The kind of study as the report's title when the title reader gives exactly the coded kind."""
        codings = (report.get("code") or {}).get("coding") or []
        kinds = [m for c in codings for m in self.meanings(c) if isinstance(m, Concept)]
        if len(kinds) == 1 and kinds[0] in _TITLES:
            report["code"] = {"text": _TITLES[kinds[0]][1 if self.en else 0]}


def _coding_json(valuesets: ValueSetIndex, meaning: Meaning) -> Json:
    coding = valuesets.coding_for(meaning)
    return {"system": coding.system, "code": coding.code, "display": coding.display}


def _same_name(original: str, candidate: str) -> bool:
    """True when the candidate names the original's first word (the substance: "influenza, inactivated" is not
    "poliovirus vaccine, inactivated")."""
    words = original.lower().replace(",", " ").split()
    if not words:
        return False
    first = _DRUG_SYNONYMS.get(words[0], words[0])
    return first in candidate.lower().replace(",", " ").replace("(", " ").split()


def _relink(node: Any, new_ids: dict[str, str], *, server: bool) -> None:
    """Every 'Type/id' reference to a resource of the bundle as its urn:uuid fullUrl (or 'Type/<new id>')."""
    if isinstance(node, list):
        for item in node:
            _relink(item, new_ids, server=server)
    elif isinstance(node, dict):
        ref = node.get("reference")
        if isinstance(ref, str) and ref in new_ids:
            kind = ref.split("/", 1)[0]
            node["reference"] = f"{kind}/{new_ids[ref]}" if server else f"urn:uuid:{new_ids[ref]}"
        for value in node.values():
            if isinstance(value, dict | list):
                _relink(value, new_ids, server=server)
