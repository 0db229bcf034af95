"""Reading radiology and pathology report text: the case corpus, the pipeline's own steps, and the precedence of codes.

Every report text here is synthetic, written for these tests. The case corpus is tests/cases/report_text.yaml.
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cnopad.domain import Bone, Concept, Side, Site
from cnopad.errors import KnowledgeBaseError
from cnopad.fhir import read_bundle
from cnopad.fhir.report_meaning import interpret
from cnopad.fhir.report_nlp import candidate_text, context_rules, pipeline, read_text
from cnopad.fhir.report_pipes import normalise_word
from cnopad.fhir.report_sources import MIME_SYSTEM, html_text
from cnopad.knowledge import knowledge
from cnopad.knowledge.report_terms import report_terms
from conftest import ROOT, TODAY
from support.fhir import CNOPAD, HTEST, SNOMED, bundle, code, condition, patient

CASES = yaml.safe_load((ROOT / "tests" / "cases" / "report_text.yaml").read_text(encoding="utf-8"))["cases"]


def _case_param(case: dict[str, Any]) -> Any:
    marks = [pytest.mark.xfail(reason=case["known_failure"], strict=True)] if case.get("known_failure") else []
    return pytest.param(case, id=case["name"], marks=marks)


@pytest.mark.parametrize("case", [_case_param(c) for c in CASES])
def test_report_text_case(case: dict[str, Any]) -> None:
    read = read_text(case["text"], case["kind"])
    assert sorted(c.value for c in read.findings) == sorted(case["findings"]), read.mentions
    if "lesion_count" in case:
        assert read.lesion_count == case["lesion_count"], read.mentions
    if "bones" in case:
        assert [[b.bone, b.side] for b in read.bones] == case["bones"], read.mentions
    if read.findings:
        assert read.sentences, "a finding read from text always names its sentence"


def test_every_case_has_a_unique_name_and_the_corpus_covers_both_languages_and_kinds() -> None:
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names))
    assert {c["kind"] for c in CASES} == {"imaging", "biopsy"}
    assert any("geen" in c["text"].lower() for c in CASES) and any("no " in c["text"].lower() for c in CASES)


def _corpus_texts() -> list[tuple[str, str]]:
    import random
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from report_text import synthetic_reports  # type: ignore[import-not-found]

    return [(c["text"], c["kind"]) for c in CASES] + [(t, "imaging") for t in synthetic_reports(60, random.Random(3))]


def test_skipping_sentences_without_a_context_trigger_reads_exactly_as_the_full_context_algorithm() -> None:
    terms = report_terms()
    shortcut, full = pipeline(), pipeline(shortcut=False)
    for text, kind in _corpus_texts():
        candidate = candidate_text(text, kind)
        if candidate:
            assert interpret(shortcut(candidate), kind, terms) == interpret(full(candidate), kind, terms), text


def test_leaving_out_lines_without_a_term_reads_exactly_as_the_whole_text() -> None:
    terms = report_terms()
    nlp = pipeline(shortcut=False)
    for text, kind in _corpus_texts():
        whole = "\n".join(
            line for line in text.splitlines() if not line.lower().startswith(("vraagstelling", "klinische"))
        )
        selected = interpret(nlp(candidate_text(text, kind)), kind, terms) if candidate_text(text, kind) else None
        if selected is not None:
            assert selected.findings == interpret(nlp(whole), kind, terms).findings, text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12))
def test_the_fast_normaliser_gives_exactly_what_clinlps_normaliser_gives(word: str) -> None:
    from clinlp.normalizer import Normalizer

    assert normalise_word(word) == Normalizer().normalize(word)


def test_every_clinlp_default_pattern_the_knowledge_drops_exists() -> None:
    rules = context_rules(report_terms())  # raises KnowledgeBaseError naming a pattern clinlp does not have
    assert not any(r["qualifier"].startswith("Experiencer.") for r in rules["rules"])


def test_dropping_a_pattern_clinlp_does_not_have_stops_start_up_naming_it() -> None:
    terms = report_terms()
    broken = terms.model_copy(
        update={
            "context": terms.context.model_copy(
                update={
                    "drop_default_patterns": (
                        terms.context.drop_default_patterns[0].model_copy(update={"patterns": ("no-such-trigger",)}),
                    )
                }
            )
        }
    )
    with pytest.raises(KnowledgeBaseError, match="no-such-trigger"):
        context_rules(broken)


def test_a_repeated_text_is_read_once_and_served_from_the_cache() -> None:
    text = "Synthetisch: osteolyse van de tibia rechts, cache-test."
    first = read_text(text, "imaging")
    assert read_text(text, "imaging") is first


def test_html_is_read_as_its_visible_text_without_scripts_or_styles() -> None:
    markup = "<html><head><style>p{}</style><script>alert('x')</script></head><body><p>Osteolyse &amp; sclerose</p><ul><li>tibia links</li></ul></body></html>"
    assert html_text(markup) == "Osteolyse & sclerose\ntibia links"


# ---------------------------------------------------------------------------------------------- through the reader
def _b64(text: str, charset: str = "utf-8") -> str:
    return base64.b64encode(text.encode(charset)).decode("ascii")


def _child(*resources: dict[str, Any]) -> dict[str, Any]:
    return bundle(
        patient("k1", birth="2016-04-02"),
        condition("dx", CNOPAD, "crmo", recorded="2026-09-01", status="provisional", pid="k1"),
        *resources,
    )


def _text_result(rid: str = "mri1", **fields: Any) -> dict[str, Any]:
    """A DiagnosticReport in the shape of the nl-core TextResult profile (zib TextResult): the report in conclusion."""
    report: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "id": rid,
        "meta": {"profile": ["http://nictiz.nl/fhir/StructureDefinition/nl-core-TextResult"], "tag": [HTEST]},
        "status": "final",
        "code": {
            "coding": [{"system": SNOMED, "code": "363680008", "display": "Radiographic imaging procedure"}],
            "text": "MRI onderbeen links",
        },
        "subject": {"reference": "Patient/k1"},
        "effectiveDateTime": "2026-09-15",
    }
    report.update(fields)
    return report


def _read(data: dict[str, Any], *, validate: bool = True) -> Any:
    return read_bundle(copy.deepcopy(data), valuesets=knowledge().valuesets, today=TODAY, validate=validate)


def test_a_text_result_without_category_is_read_as_an_mri_with_the_findings_of_its_text() -> None:
    conclusion = (
        "Klinische gegevens: pijn onderbeen links. Vraagstelling: osteomyelitis? maligniteit?\n"
        "Verslag: solitaire osteolytische laesie in de proximale tibia links.\n"
        "Conclusie: één laesie; geen aanwijzingen voor maligniteit."
    )
    result = _read(_child(_text_result(conclusion=conclusion)))
    (mri,) = result.record.imaging
    assert Concept.MRI in mri.concepts and mri.findings == {Concept.OSTEOLYTIC_LESION}
    assert mri.lesion_count == 1 and mri.sites == (Site(Bone.TIBIA, Side.LEFT),)
    assert mri.text_reading is not None and mri.text_reading.modality == {Concept.MRI}
    assert "Verslag: solitaire osteolytische laesie in de proximale tibia links." in mri.text_reading.sentences
    assert mri.conclusion == conclusion


def test_codes_win_a_report_with_a_finding_code_is_not_read_for_findings() -> None:
    report = _text_result(
        conclusion="Maligniteit niet uit te sluiten. Drie laesies.",
        conclusionCode=[code(CNOPAD, "osteolytic_lesion")],
    )
    (mri,) = _read(_child(report)).record.imaging
    assert mri.findings == {Concept.OSTEOLYTIC_LESION} and mri.lesion_count is None
    assert mri.text_reading is not None and not mri.text_reading.findings  # only the title's modality came from text
    assert mri.conclusion == "Maligniteit niet uit te sluiten. Drie laesies."


def _study(sid: str, *modalities: str) -> dict[str, Any]:
    dcm = "http://dicom.nema.org/resources/ontology/DCM"
    return {
        "resourceType": "ImagingStudy",
        "id": sid,
        "status": "available",
        "subject": {"reference": "Patient/k1"},
        "started": "2026-09-15",
        "modality": [{"system": dcm, "code": m} for m in modalities],
    }


@pytest.mark.parametrize(
    ("title", "modalities", "kind"),
    [("SPECT-CT", ("NM", "CT"), Concept.SPECT_CT), ("Whole-body MRI", ("MR",), Concept.WHOLE_BODY_MRI)],
)
def test_a_report_titled_with_the_kind_of_study_is_that_study_next_to_its_studys_dicom_modality(
    title: str, modalities: tuple[str, ...], kind: Concept
) -> None:
    # nl-core: the ImagingStudy has only the DICOM modality (NM + CT), the report only a title; the title was
    # ignored because the study already gave a modality, so the SPECT-CT became "nuclear imaging and CT"
    report = _text_result(
        code={"text": title}, imagingStudy=[{"reference": "ImagingStudy/s1"}], conclusion="Verhoogde activiteit."
    )

    result = _read(_child(_study("s1", *modalities), report))

    (study,) = result.record.imaging
    assert kind in study.concepts
    assert study.text_reading is not None and study.text_reading.modality == {kind}
    assert result.unrecognized == ()


def test_a_report_coded_with_its_kind_of_study_is_not_read_for_it_from_its_title() -> None:
    report = _text_result(
        code={"coding": [{"system": CNOPAD, "code": "mri"}], "text": "SPECT-CT"},
        imagingStudy=[{"reference": "ImagingStudy/s1"}],
    )

    (study,) = _read(_child(_study("s1", "MR"), report)).record.imaging

    assert Concept.SPECT_CT not in study.concepts


def test_presented_form_text_plain_and_html_are_read_and_a_pdf_is_listed_as_not_read() -> None:
    report = _text_result(
        presentedForm=[
            {
                "contentType": "text/plain; charset=iso-8859-1",
                "data": _b64("Eén laesie in de clavicula rechts.", "latin-1"),
            },
            {"contentType": "text/html", "data": _b64("<p>Verhoogde activiteit in de clavicula rechts.</p>")},
            {"contentType": "application/pdf", "data": _b64("%PDF-1.4 synthetic")},
            {"contentType": "text/plain", "url": "https://example.invalid/report.txt"},
            {"contentType": "text/plain", "data": "not base64 at all!"},
        ]
    )
    result = _read(_child(report), validate=False)
    (scan,) = result.record.imaging
    assert scan.findings == {Concept.IMAGING_ACTIVITY} and scan.lesion_count == 1
    assert scan.report_text == "Eén laesie in de clavicula rechts.\n\nVerhoogde activiteit in de clavicula rechts."
    set_aside = [u for u in result.unrecognized if u.system == MIME_SYSTEM]
    assert [u.location.rsplit(".", 1)[-1] for u in set_aside] == [
        "presentedForm[2]",
        "presentedForm[3]",
        "presentedForm[4]",
    ]
    assert all("not read" in (u.display or "") for u in set_aside)


def test_a_pathology_report_text_gives_the_biopsy_result_and_site() -> None:
    biopsy = {
        "resourceType": "Procedure",
        "id": "bx",
        "status": "completed",
        "code": code(CNOPAD, "bone_biopsy"),
        "subject": {"reference": "Patient/k1"},
        "performedDateTime": "2026-10-01",
        "report": [{"reference": "DiagnosticReport/path"}],
    }
    path = {
        "resourceType": "DiagnosticReport",
        "id": "path",
        "status": "final",
        "code": {"text": "Pathologie botbiopt"},
        "subject": {"reference": "Patient/k1"},
        "conclusion": "Chronische niet-bacteriële osteomyelitis van de tibia links. Geen maligniteit. Kweek negatief.",
    }
    (bx,) = _read(_child(biopsy, path)).record.biopsies
    assert bx.result == {Concept.BIOPSY_CONSISTENT_WITH_CNO} and bx.sites == (Site(Bone.TIBIA, Side.LEFT),)
    assert bx.text_reading is not None and bx.text_reading.findings == {Concept.BIOPSY_CONSISTENT_WITH_CNO}


def test_a_report_read_from_text_exports_its_text_not_codes_and_reads_back_the_same() -> None:
    from cnopad.fhir import RecordWriter

    report = _text_result(
        conclusion="Twee laesies: osteolyse tibia links en femur rechts.",
        presentedForm=[{"contentType": "text/plain", "data": _b64("Beenmergoedeem in de tibia links.")}],
    )
    record = _read(_child(report)).record
    exported = RecordWriter(knowledge().valuesets).bundle(record)
    (written,) = [e["resource"] for e in exported["entry"] if e["resource"]["resourceType"] == "DiagnosticReport"]
    assert "extension" not in written and "conclusionCode" not in written  # count and sites came from text
    assert written["code"]["text"] == "MRI onderbeen links"
    assert base64.b64decode(written["presentedForm"][0]["data"]).decode() == "Beenmergoedeem in de tibia links."
    assert _read(json.loads(json.dumps(exported))).record.imaging == record.imaging


def test_an_entry_with_its_text_reading_survives_the_store() -> None:
    from cnopad.store.codec import dumps, load_entry

    report = _text_result(conclusion="Verhoogde activiteit in de clavicula links.")
    (mri,) = _read(_child(report)).record.imaging
    assert load_entry("imaging", json.loads(dumps(mri))) == mri


def test_lenient_and_validated_reading_agree_on_a_text_report() -> None:
    report = _text_result(
        conclusion="Osteolyse van de tibia.",
        presentedForm=[{"contentType": "text/html", "data": _b64("<b>Drie laesies</b>")}],
    )
    assert _read(_child(report)).record == _read(_child(report), validate=False).record


def _shipped_reports() -> list[tuple[str, dict[str, Any]]]:
    files = sorted((ROOT / "src" / "cnopad" / "services" / "demo_bundles").glob("*.json"))
    files += sorted((ROOT / "examples" / "bundles").glob("*.json"))
    out = []
    for path in files:
        for entry in json.loads(path.read_text(encoding="utf-8"))["entry"]:
            resource = entry["resource"]
            if resource["resourceType"] == "DiagnosticReport" and resource.get("conclusion"):
                out.append((f"{path.name}#{resource['id']}", resource))
    return out


#: shipped reports whose conclusion states every coded finding in words (the others' coders added to the text)
_STATED_IN_FULL = {
    "demo-adult-remission-pain.json#spectct-1",
    "demo-child-mtx-vaccination.json#mri-1",
    "demo-child-mtx-vaccination.json#botbiopt-1-pathologie",
    "demo-child-unifocal.json#mri-1",
    "demo-adult-suspected.json#rontgen-1",
    "demo-adult-tnf.json#ct-1",
    "demo-adult-nsaid.json#spectct-1",
}


def test_the_text_of_every_shipped_report_says_no_more_than_its_codes_and_all_of_them_where_it_states_them() -> None:
    from cnopad.domain import Coding

    valuesets = knowledge().valuesets
    reports = _shipped_reports()
    assert {name for name, _ in reports} >= _STATED_IN_FULL
    for name, report in reports:
        codings = tuple(Coding(c["system"], c["code"]) for cc in report.get("conclusionCode", []) for c in cc["coding"])
        coded = valuesets.concepts(codings)
        read = read_text(report["conclusion"], "biopsy" if "pathologie" in report["id"] else "imaging").findings
        assert read <= coded, f"{name}: the text gives {sorted(read - coded)}, which the codes do not"
        if name in _STATED_IN_FULL:
            assert read == coded, f"{name}: the text misses {sorted(coded - read)}"


def test_a_report_with_a_non_imaging_category_is_not_taken_for_imaging_by_its_title() -> None:
    lab = {
        "resourceType": "DiagnosticReport",
        "id": "lab1",
        "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "LAB"}]}],
        "code": {"text": "CT-proBNP"},
        "subject": {"reference": "Patient/k1"},
        "conclusion": "Verhoogd.",
    }
    result = _read(_child(lab))
    assert result.record.imaging == ()
    assert any(u.location.endswith("entry[2].resource") for u in result.unrecognized)
    untitled = {k: v for k, v in lab.items() if k != "category"}
    assert len(_read(_child(untitled)).record.imaging) == 1  # without a category the title decides


def test_a_us_core_radiology_note_with_its_text_in_presented_form_is_read_as_imaging() -> None:
    # US Core DiagnosticReport Note: category LOINC LP29684-5 "Radiology", the report as a base64 attachment, no
    # linked ImagingStudy; with a category that was not v2-0074 RAD, the title was not consulted either
    note = _text_result(
        category=[{"coding": [{"system": "http://loinc.org", "code": "LP29684-5", "display": "Radiology"}]}],
        code={"text": "MRI lower leg"},
        presentedForm=[
            {
                "contentType": "text/plain; charset=utf-8",
                "data": _b64("Impression: osteolytic lesion of the left tibia."),
            }
        ],
    )

    (mri,) = _read(_child(note)).record.imaging

    assert Concept.MRI in mri.concepts and mri.findings == {Concept.OSTEOLYTIC_LESION}
    assert mri.sites == (Site(Bone.TIBIA, Side.LEFT),)
