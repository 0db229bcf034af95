"""``cnopad assess`` and ``cnopad explain`` through the real command line: the JSON contract, languages, errors, demos."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from cnopad.cli import app
from conftest import ROOT, loud_skip
from support.fhir import ATC, CNOPAD, bundle, code, condition, medication_request, pain, patient

CNOPAD_BIN = Path(sys.executable).parent / "cnopad"
DEMOS = ROOT / "src" / "cnopad" / "services" / "demo_bundles"
runner = CliRunner()


def _adult_on_nsaid_with_pain() -> dict[str, Any]:
    """A synthetic adult with CNO-SCCH, naproxen since February and pain in October."""
    return bundle(
        patient("p1", "1975-05-05"),
        condition("dx", CNOPAD, "cno_scch", onset="2024-01-01", recorded="2026-01-10"),
        medication_request("naproxen", "M01AE02", start="2026-02-01"),
        pain("pain-1", 6, "2026-10-01"),
    )


@pytest.fixture
def bundle_file(tmp_path: Path) -> Path:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(_adult_on_nsaid_with_pain()), encoding="utf-8")
    return path


def _assess(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["assess", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_assess_prints_the_json_contract(bundle_file: Path) -> None:
    data = _assess(str(bundle_file), "--as-of", "2026-11-23")
    assert {"patient", "as_of", "lang", "cards", "tasks", "step_plan", "information", "unrecognized"} <= set(data)
    assert (data["patient"], data["as_of"], data["lang"]) == ("p1", "2026-11-23", "nl")
    card = data["cards"][0]
    assert {"uuid", "summary", "indicator", "detail", "source", "statements"} <= set(card)
    assert card["indicator"] in {"info", "warning", "critical"} and card["source"]["label"]
    assert {"current", "escalation", "reasons", "statements"} <= set(data["step_plan"])
    assert data["step_plan"]["current"] == "nsaid" and data["step_plan"]["escalation"] is True
    assert all({"id", "title", "statements"} <= set(i) for i in data["information"])


def test_lang_changes_the_words_but_never_which_cards_appear(bundle_file: Path) -> None:
    nl = _assess(str(bundle_file), "--as-of", "2026-11-23", "--lang", "nl")
    en = _assess(str(bundle_file), "--as-of", "2026-11-23", "--lang", "en")
    assert [(c["uuid"], c["rule_id"], c["indicator"]) for c in nl["cards"]] == [
        (c["uuid"], c["rule_id"], c["indicator"]) for c in en["cards"]
    ]
    assert [c["summary"] for c in nl["cards"]] != [c["summary"] for c in en["cards"]]
    assert [t["id"] for t in nl["tasks"]] == [t["id"] for t in en["tasks"]]


def test_a_draft_order_is_checked_against_the_record(bundle_file: Path, tmp_path: Path) -> None:
    order = medication_request("pam-order", "M05BA03", start="2026-12-01", status="draft")
    order_file = tmp_path / "order.json"
    order_file.write_text(json.dumps(order), encoding="utf-8")
    data = _assess(str(bundle_file), "--as-of", "2026-11-23", "--order", str(order_file))
    checks = [c for c in data["cards"] if c["order_id"] == "pam-order"]
    assert "bisphosphonate-order-without-dental-check" in {c["rule_id"] for c in checks}
    assert "dental_check" in {t["kind"] for t in data["tasks"]}


def test_unrecognized_codes_are_reported_not_dropped(tmp_path: Path) -> None:
    data = _adult_on_nsaid_with_pain()
    data["entry"].append({"resource": medication_request("unknown-drug", "Z99ZZ99", start="2026-01-01")})
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = _assess(str(path), "--as-of", "2026-11-23")
    assert {u["code"] for u in result["unrecognized"]} == {"Z99ZZ99"}


def test_what_cannot_be_understood_is_listed_with_why_and_the_rest_is_assessed(tmp_path: Path) -> None:
    clean = _adult_on_nsaid_with_pain()
    data = _adult_on_nsaid_with_pain()
    local = medication_request("local-drug", "M01AE02", start="2026-01-01")
    local["medicationCodeableConcept"] = code("http://ehr.example.org/drugs", "NAP-500")
    stranger = {**pain("pain-x", 9, "2026-10-01"), "subject": {"reference": "Patient/someone-else"}}
    data["entry"] += [{"resource": local}, {"resource": stranger}, {"resource": {"resourceType": "Foo", "id": "f"}}]
    paths = {}
    for name, content in (("clean", clean), ("messy", data)):
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(json.dumps(content), encoding="utf-8")

    before = _assess(str(paths["clean"]), "--as-of", "2026-11-23")
    after = _assess(str(paths["messy"]), "--as-of", "2026-11-23")

    assert [c["uuid"] for c in after["cards"]] == [c["uuid"] for c in before["cards"]]
    listed = {(u["location"], u["reason"], u["set_aside"]) for u in after["unrecognized"]}
    assert listed == {
        ("Bundle.entry[4].resource.medicationCodeableConcept.coding[0]", "unknown-code-system", True),
        ("Bundle.entry[5].resource.subject.reference", "other-patient", True),
        ("Bundle.entry[6].resource", "unknown-resource-type", True),
    }
    assert all({"location", "system", "code", "display"} <= set(u) for u in after["unrecognized"])
    text = runner.invoke(app, ["assess", str(paths["messy"]), "--as-of", "2026-11-23"])
    assert "3 item(s) not understood" in text.stdout and "other-patient" in text.stdout


def test_a_draft_order_cnopad_cannot_check_gets_a_warning_card(bundle_file: Path, tmp_path: Path) -> None:
    order = medication_request("local-order", "M05BA03", start="2026-12-01", status="draft")
    order["medicationCodeableConcept"] = {"text": "pamidronaat 30 mg"}
    order_file = tmp_path / "order.json"
    order_file.write_text(json.dumps(order), encoding="utf-8")
    data = _assess(str(bundle_file), "--as-of", "2026-11-23", "--order", str(order_file), "--lang", "en")

    [warning] = [c for c in data["cards"] if c["order_id"] == "local-order"]
    assert warning["rule_id"] == "cnopad-order-not-checked" and warning["indicator"] == "warning"
    assert warning["summary"] == "cnopad could not check this order: pamidronaat 30 mg"
    assert "text only" in warning["detail"]


def test_text_format_prints_cards_plan_and_tasks_for_a_person(bundle_file: Path) -> None:
    result = runner.invoke(
        app, ["assess", str(bundle_file), "--as-of", "2026-11-23", "--lang", "en", "--format", "text"]
    )
    assert result.exit_code == 0, result.output
    assert "Patient p1" in result.stdout and "Step plan" in result.stdout and "nsaid-insufficient" in result.stdout


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CNOPAD_BIN), *args], capture_output=True, text=True, check=False, timeout=120)


def test_bad_json_exits_with_code_2_and_one_line_naming_the_location(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"resourceType": "Bundle", ', encoding="utf-8")
    result = _run("assess", str(path), "--format", "json")
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "Bundle" in result.stderr and "JSON" in result.stderr


def test_a_bad_date_in_the_bundle_names_its_fhir_path(tmp_path: Path) -> None:
    data = _adult_on_nsaid_with_pain()
    data["entry"][3]["resource"]["effectiveDateTime"] = "2026-02-30"
    path = tmp_path / "bad-date.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = _run("assess", str(path))
    assert result.returncode == 2
    assert "Bundle.entry[3].resource.effectiveDateTime" in result.stderr


def test_a_bad_as_of_date_exits_with_code_2(bundle_file: Path) -> None:
    result = _run("assess", str(bundle_file), "--as-of", "23-11-2026")
    assert result.returncode == 2 and "--as-of" in result.stderr


def test_the_real_command_prints_one_json_object(bundle_file: Path) -> None:
    result = _run("assess", str(bundle_file), "--as-of", "2026-11-23", "--format", "json", "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["lang"] == "en"


def test_explain_lists_the_rules_tasks_and_texts_of_a_statement() -> None:
    result = runner.invoke(app, ["explain", "NHG-BP-ONJ-1", "--lang", "en"])
    assert result.exit_code == 0, result.output
    for expected in ("bisphosphonate-order-without-dental-check", "dental_check", "patient-jaw-care"):
        assert expected in result.stdout


def test_explain_an_unknown_id_exits_with_code_2() -> None:
    result = _run("explain", "NHG-NOPE-9")
    assert result.returncode == 2 and "NHG-NOPE-9" in result.stderr


#: the headline scenario of each demo patient: cards (rule ids) and tasks (kind, status) that must appear
HEADLINES: dict[str, dict[str, list[Any]]] = {
    "demo-adult-suspected": {"cards": ["refer-suspected-cno", "normal-xray-does-not-exclude", "labs-do-not-exclude"]},
    "demo-adult-nsaid": {"cards": ["nsaid-insufficient", "pain-rehabilitation"]},
    "demo-adult-pamidronate-overdue": {"tasks": [("pamidronate_course", "overdue"), ("expertise_review", "upcoming")]},
    "demo-adult-pamidronate-on-time": {"tasks": [("pamidronate_course", "upcoming"), ("pamidronate_course", "done")]},
    "demo-adult-tnf": {"cards": ["disease-related-risks"], "absent": ["tnf-order-without-screening"]},
    "demo-adult-remission-pain": {"cards": ["remission-with-pain", "chronic-pain-network", "handover-to-gp"]},
    "demo-adult-tos": {"cards": ["thoracic-outlet-complication", "new-complaint"]},
    "demo-adult-smoker": {"cards": ["smoking", "approach-after-diagnosis", "patient-association"]},
    "demo-adult-pregnancy-wish": {"cards": ["medication-and-pregnancy"]},
    "demo-child-unifocal": {"cards": ["child-unifocal-lesion", "child-tumour-not-excluded", "child-workup"]},
    "demo-child-multifocal-skin": {
        "cards": ["child-biopsy-may-be-avoided"],
        "tasks": [("short_term_review", "overdue")],
    },
    "demo-child-mtx-vaccination": {"cards": ["live-vaccine-on-immunosuppressant"]},
    "demo-child-monitoring-overdue": {"tasks": [("child_monitoring", "overdue")]},
}


def _manifest() -> tuple[str, list[dict[str, str]]]:
    path = DEMOS / "manifest.yaml"
    if not path.exists():
        loud_skip(f"the demo bundles are not there yet ({path})")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return str(data["anchor"]), data["patients"]


def test_every_demo_bundle_is_assessed_by_the_cli_and_its_headline_fires() -> None:
    anchor, patients = _manifest()
    missing = []
    for entry in patients:
        data = _assess(str(DEMOS / entry["file"]), "--as-of", anchor)
        assert data["patient"] == entry["patient"] and data["unrecognized"] == []
        headline = HEADLINES.get(entry["patient"], {})
        rules = {c["rule_id"] for c in data["cards"]}
        tasks = {(t["kind"], t["status"]) for t in data["tasks"]}
        missing += [f"{entry['patient']}: card {r}" for r in headline.get("cards", []) if r not in rules]
        missing += [f"{entry['patient']}: task {t}" for t in headline.get("tasks", []) if tuple(t) not in tasks]
        missing += [f"{entry['patient']}: unexpected {r}" for r in headline.get("absent", []) if r in rules]
    assert not missing, missing
    assert {p["patient"] for p in patients} >= set(HEADLINES) or not HEADLINES


def test_the_live_vaccine_demo_warns_about_the_planned_mmr_as_critical() -> None:
    anchor, _ = _manifest()
    data = _assess(str(DEMOS / "demo-child-mtx-vaccination.json"), "--as-of", anchor)
    card = data["cards"][0]
    assert card["rule_id"] == "live-vaccine-on-immunosuppressant" and card["indicator"] == "critical"
    assert card["order_id"]


def test_codes_used_in_test_bundles_are_real() -> None:
    assert code(ATC, "M05BA03")["coding"][0]["system"] == ATC


def test_explain_a_rule_id_lists_its_statements() -> None:
    result = runner.invoke(app, ["explain", "live-vaccine-on-immunosuppressant", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "CRMO-VACCINATION-1" in result.stdout


def test_a_stored_record_is_assessed_like_its_bundle(sqlite_container: Any, admin: Any) -> None:
    """The service behind the web app and the API: assess a stored record (audited read) with a draft order."""
    from datetime import date

    from cnopad.services.assessment import assess_bundle, assess_stored
    from cnopad.services.records import import_bundle

    kb, today = sqlite_container.knowledge, date(2026, 11, 23)
    data = _adult_on_nsaid_with_pain()
    with sqlite_container.unit(admin) as uow:
        import_bundle(uow, data, valuesets=kb.valuesets, today=today)
    order = medication_request("pam-order", "M05BA03", start="2026-12-01", status="draft")
    with sqlite_container.unit(admin) as uow:
        stored = assess_stored(uow, "p1", as_of=today, today=today, kb=kb, orders=order)
    direct = assess_bundle(data, as_of=today, today=today, kb=kb, orders=order)
    assert [c.uuid for c in stored.assessment.cards] == [c.uuid for c in direct.assessment.cards]
    assert "pam-order" in {c.order_id for c in stored.assessment.cards}
