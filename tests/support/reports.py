"""Synthetic patients whose imaging exists only as free report text (written for the tests; no patient data)."""

from __future__ import annotations

from support.fhir import CNOPAD, HTEST, SNOMED, Json, bundle, condition, pain, patient

#: the sentence the child's MRI report states its one lesion in
CHILD_LESION_SENTENCE = "Conclusie: solitaire osteolytische laesie in de proximale tibia links."
#: the sentence the adult's bone scan report states remission in
ADULT_REMISSION_SENTENCE = "Conclusie: geen verhoogde activiteit meer in het sternum en de clavicula links."


def text_result(rid: str, pid: str, title: str, day: str, conclusion: str) -> Json:
    """A DiagnosticReport shaped like the nl-core TextResult profile (zib TextResult): the report in conclusion."""
    return {
        "resourceType": "DiagnosticReport",
        "id": rid,
        "meta": {"profile": ["http://nictiz.nl/fhir/StructureDefinition/nl-core-TextResult"], "tag": [HTEST]},
        "status": "final",
        "code": {
            "coding": [{"system": SNOMED, "code": "363680008", "display": "Radiographic imaging procedure"}],
            "text": title,
        },
        "subject": {"reference": f"Patient/{pid}"},
        "effectiveDateTime": day,
        "conclusion": conclusion,
    }


def child_with_free_text_mri() -> Json:
    """A child with suspected CRMO whose only imaging is a free-text MRI report of one osteolytic tibia lesion."""
    report = (
        "Klinische gegevens: sinds twee maanden pijn linker onderbeen, mank lopen.\n"
        "Vraagstelling: osteomyelitis? maligniteit?\n"
        "Verslag: beenmergoedeem in de proximale tibiametafyse links. Geen aanwijzingen voor een fractuur.\n"
        f"{CHILD_LESION_SENTENCE}"
    )
    return bundle(
        patient("k1", birth="2016-04-02", name="Kind Synthetisch"),
        condition("dx", CNOPAD, "crmo", recorded="2026-09-01", status="provisional", pid="k1"),
        text_result("mri1", "k1", "MRI onderbeen links", "2026-09-15", report),
    )


def adult_with_free_text_bone_scan() -> Json:
    """An adult with CNO-SCCH whose bone scan report says, in words only, that no activity remains; pain later."""
    report = (
        "Vraagstelling: activiteit CNO-SCCH?\n"
        "Verslag: vergeleken met het vorige onderzoek geen verhoogde activiteit meer. Fysiologische traceropname.\n"
        f"{ADULT_REMISSION_SENTENCE}"
    )
    return bundle(
        patient("a1", birth="1979-05-04", name="Volwassene Synthetisch"),
        condition("dx", CNOPAD, "cno_scch", onset="2020-02-01", recorded="2022-03-01", pid="a1"),
        text_result("scan1", "a1", "Skeletscintigrafie", "2026-03-01", report),
        pain("pain1", 6, "2026-10-01", pid="a1"),
    )
