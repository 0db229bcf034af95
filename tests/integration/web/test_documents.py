"""The printed documents, rendered to PNG page by page with PDFium (what a viewer shows) and read back with pypdf
(text and link annotations) over real HTTP on
SQLite and PostgreSQL: the care plan's first page says whom to call with the numbers the record holds; the
personal leaflets name the patient and their plan without record ids; every link in print is absolute; the
parents get 'when to call' from the sources only and the draft-translation caution in plain words.

All names and phone numbers here are synthetic (000 numbers are not in use in the Netherlands)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pypdfium2 as pdfium
from PIL import Image
from pypdf import PdfReader

from integration.web.conftest import Served, csrf_of
from integration.web.test_entry_safety import _child_on_naproxen

GP_PRACTICE = "000 111 2222"
COORDINATOR = "000 333 4444"


def _pages(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/pdf"
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def _rendered(response: httpx.Response, folder: Path) -> list[Path]:
    """Every page as a PNG file, as a PDF viewer draws it (PDFium, 72 dpi)."""
    document = pdfium.PdfDocument(response.content)
    files = []
    for number, page in enumerate(document, start=1):
        target = folder / f"page-{number}.png"
        page.render(scale=1).to_pil().save(target)
        files.append(target)
    return files


def _links(response: httpx.Response) -> list[str]:
    out = []
    for page in PdfReader(io.BytesIO(response.content)).pages:
        for annot in page.get("/Annots") or []:
            action: Any = annot.get_object().get("/A")
            if action is not None and "/URI" in action:
                out.append(str(action["/URI"]))
    return out


def _add_member(client: httpx.Client, patient: str, **values: Any) -> None:
    page = client.get(f"/patients/{patient}")
    response = client.post(
        f"/patients/{patient}/record/care_team",
        data={**values, "csrf_token": csrf_of(page.text)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200, response.text[:1000]


def _with_numbers(gp: httpx.Client) -> None:
    _add_member(gp, "pt-own", name="Huisartsenpraktijk De Linde", roles=["gp"], phone=GP_PRACTICE)
    _add_member(
        gp, "pt-own", name="Dr. Visser", roles=["coordinator", "main_treating"], organization="LUMC", phone=COORDINATOR
    )


def test_a_phone_number_that_is_no_number_is_refused_at_its_field(gp: httpx.Client) -> None:
    page = gp.get("/patients/pt-own")
    response = gp.post(
        "/patients/pt-own/record/care_team",
        data={"name": "Dr. X", "roles": ["gp"], "phone": "call me", "csrf_token": csrf_of(page.text)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert 'id="care_team-phone-error">Vul een telefoonnummer in' in response.text


def test_the_care_plan_first_page_says_whom_to_call_with_the_numbers_of_the_record(
    served: Served, gp: httpx.Client
) -> None:
    _with_numbers(gp)
    response = gp.get("/patients/pt-own/care-plan.pdf")
    pages = [" ".join(page.split()) for page in _pages(response)]
    first = pages[0]
    assert first.index("Wie bellen") < first.index("Buiten kantooruren")
    assert GP_PRACTICE in first and COORDINATOR in first
    assert "Eigen huisartsenpraktijk" in first and "Behandelteam" in first
    assert "geen telefoonnummer in het dossier" in first  # Dr. Jansen: the gap is shown, not hidden
    assert "Planning" not in first and pages[1].startswith("Planning")  # the schedule starts the next page
    rest = " ".join(pages[1:])
    schedule = rest.split("LUMC – Centrum voor Botkwaliteit")[0]  # then the general contacts
    assert "pamidroninezuur" in schedule and "Medicatie" in schedule  # the drug with its dose and schedule
    links = _links(response)
    assert "tel:0001112222" in links and "tel:0003334444" in links
    assert "https://lumc.nl/patientenzorg/ziektebeelden/scch/" in links  # written without scheme in sources.yaml
    assert all(link.startswith(("https://", "http://", "tel:", "mailto:")) for link in links), links


def test_the_personal_leaflet_names_the_patient_and_their_plan_without_record_ids(
    served: Served, gp: httpx.Client
) -> None:
    _with_numbers(gp)
    response = gp.get("/patients/pt-own/leaflet.pdf")
    text = " ".join(" ".join(_pages(response)).split())
    assert "Voor Ada de Wit" in text
    assert "Afgedrukt" in text
    assert "Uw plan" in text and "pamidroninezuur" in text
    for internal in ("pt-own", "web-", "01999101"):  # patient id, entry ids, AGB codes
        assert internal not in text
    links = _links(response)
    assert links and all(link.startswith(("https://", "http://", "tel:", "mailto:")) for link in links), links


def test_the_parents_leaflet_says_when_to_call_from_the_sources_and_the_caution_in_plain_words(
    served: Served, gp: httpx.Client
) -> None:
    _child_on_naproxen(served.container)
    response = gp.get("/patients/pt-child/leaflet.pdf")
    text = " ".join(" ".join(_pages(response)).split())
    assert "Voor Kees Kind" in text and "Het plan van uw kind" in text
    assert "Wanneer bellen?" in text
    for statement in ("CRMO-VACCINATION-1", "CRMO-MONITORING-1", "CRMO-PREGNANCY-1"):
        assert statement in text
    assert "noemt geen klachten waarvoor u meteen moet bellen" in text
    assert "is vertaald en nog niet door artsen nagekeken" in text  # B1 for parents
    assert "pt-child" not in text
    assert all(link.startswith(("https://", "http://", "tel:", "mailto:")) for link in _links(response))
    plan = " ".join(" ".join(_pages(gp.get("/patients/pt-child/care-plan.pdf"))).split())
    assert "niet-beoordeelde conceptvertaling" in plan.split("Planning")[0]  # clinicians: first page


def test_the_general_leaflets_in_print_hold_no_relative_links(gp: httpx.Client) -> None:
    for audience in ("adult", "child"):
        response = gp.get(f"/leaflets/{audience}.pdf")
        _pages(response)
        assert all(link.startswith(("https://", "http://", "tel:", "mailto:")) for link in _links(response))


def test_every_page_of_the_care_plan_and_both_leaflets_renders_as_an_a4_page_with_ink_on_it(
    served: Served, gp: httpx.Client, tmp_path: Path
) -> None:
    _with_numbers(gp)
    _child_on_naproxen(served.container)
    documents = {
        "care-plan": gp.get("/patients/pt-own/care-plan.pdf"),
        "leaflet": gp.get("/patients/pt-own/leaflet.pdf"),
        "parents-leaflet": gp.get("/patients/pt-child/leaflet.pdf"),
    }
    for name, response in documents.items():
        folder = tmp_path / name
        folder.mkdir()
        pngs = _rendered(response, folder)
        texts = _pages(response)
        assert len(pngs) == len(texts) >= 1, name
        for number, (png, text) in enumerate(zip(pngs, texts, strict=True), start=1):
            with Image.open(png) as image:
                width, height = image.size
                grey = image.convert("L")
                histogram = grey.histogram()
            assert abs(height / width - 297 / 210) < 0.01, f"{name} page {number} is not A4 portrait: {image.size}"
            inked = sum(histogram[:128]) / (width * height)
            # a page a viewer draws blank (a font or an image that failed) would pass a text check, not this one
            assert inked > 0.002, f"{name} page {number} renders (almost) blank: {inked:.4%} dark pixels"
            assert text.strip(), f"{name} page {number} has no text layer"
