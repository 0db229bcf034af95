"""The files in examples/ and the examples in docs/fhir-profile.md do what their documentation says.

Good bundles import with nothing left not understood, draft orders read as drafts, each bad bundle is
refused with the location and reason examples/README.md gives, and every JSON example in the FHIR
profile is understood and survives the round trip.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from cnopad.fhir import RecordWriter, read_bundle, read_orders
from cnopad.fhir.read_clinical import SYNTHETIC_TAG
from cnopad.fhir.read_imaging import LESION_COUNT_URL
from cnopad.fhir.read_medication import COURSE_DAYS_URL
from cnopad.knowledge.valuesets import ValueSetIndex
from cnopad.services.demo import demo_bundle, manifest
from cnopad.store import make_engine, migrate
from cnopad.store.tables import patients
from conftest import TODAY
from support.cli import run_cli

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
PROFILE = ROOT / "docs" / "fhir-profile.md"
README = (EXAMPLES / "README.md").read_text(encoding="utf-8")

GOOD = sorted((EXAMPLES / "bundles").glob("*.json"))
ORDERS = sorted((EXAMPLES / "orders").glob("*.json"))
BAD = sorted((EXAMPLES / "bad").glob("*.json"))
PARTIAL = sorted((EXAMPLES / "partial").glob("*.json"))
#: the documented partly understood bundles: | `partial/FILE` | `LOC`, `LOC` | `REASON`, `REASON` | imported |
DOCUMENTED_PARTIAL = re.findall(
    r"^\| `(partial/[^`]+)` \| ((?:`[^`]+`(?:, )?)+) \| ((?:`[^`]+`(?:, )?)+) \| .+? \|$", README, flags=re.MULTILINE
)
#: the documented failures: | `bad/FILE` | `LOCATION` | REASON |
DOCUMENTED = re.findall(r"^\| `(bad/[^`]+)` \| `([^`]+)` \| (.+?) \|$", README, flags=re.MULTILINE)


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated SQLite file that ``cnopad`` commands in this test use."""
    url = f"sqlite:///{tmp_path / 'examples.db'}"
    migrate(make_engine(url))
    monkeypatch.setenv("CNOPAD_DATABASE_URL", url)
    monkeypatch.setenv("CNOPAD_USER", "test-operator")
    return url


def _patient_count(url: str) -> int:
    with create_engine(url).connect() as conn:
        return int(conn.execute(select(func.count()).select_from(patients)).scalar_one())


def _patient_id(bundle: dict[str, Any]) -> str:
    [patient] = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]
    return str(patient["id"])


# ---------------------------------------------------------------- good bundles


def test_there_are_example_bundles_orders_and_bad_bundles() -> None:
    assert len(GOOD) >= 2
    assert len(ORDERS) >= 4
    assert len(BAD) >= 5


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_an_example_bundle_is_an_unchanged_copy_of_a_demo_bundle(path: Path) -> None:
    example = json.loads(path.read_text(encoding="utf-8"))
    [demo] = [p for p in manifest()[1] if p.patient_id == _patient_id(example)]

    assert example == demo_bundle(demo)
    assert f"`{path.relative_to(EXAMPLES).as_posix()}`" in README


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_an_example_bundle_imports_with_the_cli_and_nothing_not_understood(
    path: Path, cli_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run_cli(capsys, monkeypatch, "import", str(path))
    again = run_cli(capsys, monkeypatch, "import", str(path))

    assert first.code == 0, first.err
    assert "not understood" not in first.out
    assert "0 new, 0 changed" in again.out
    assert _patient_count(cli_db) == 1


# ---------------------------------------------------------------- draft orders


@pytest.mark.parametrize("path", ORDERS, ids=lambda p: p.name)
def test_an_example_order_is_a_draft_for_a_demo_patient_that_cnopad_understands(
    path: Path, valuesets: ValueSetIndex
) -> None:
    demo_ids = {p.patient_id for p in manifest()[1]}
    raw = json.loads(path.read_text(encoding="utf-8"))
    resources = [e["resource"] for e in raw["entry"]] if raw["resourceType"] == "Bundle" else [raw]

    orders, unrecognized = read_orders(path.read_bytes(), valuesets=valuesets, today=TODAY)

    assert unrecognized == ()
    assert len(orders) == len(resources)
    assert all(getattr(o, "status", None) == "draft" and getattr(o, "concepts", None) for o in orders)
    assert {r["subject"]["reference"].removeprefix("Patient/") for r in resources} <= demo_ids
    assert f"`{path.relative_to(EXAMPLES).as_posix()}`" in README


def test_the_pamidronate_order_carries_the_usual_schedule_and_no_dose(valuesets: ValueSetIndex) -> None:
    [order], _ = read_orders(
        (EXAMPLES / "orders" / "pamidronaat-concept.json").read_bytes(), valuesets=valuesets, today=TODAY
    )

    schedule = getattr(order, "schedule", None)
    assert schedule is not None and (schedule.every, schedule.unit.value, schedule.days) == (3, "mo", 3)
    assert getattr(order, "dose", "missing") is None


# ---------------------------------------------------------------- bad bundles


def test_every_bad_example_is_documented_once_in_the_readme() -> None:
    assert sorted(f for f, _, _ in DOCUMENTED) == sorted(p.relative_to(EXAMPLES).as_posix() for p in BAD)


@pytest.mark.parametrize(("name", "location", "reason"), DOCUMENTED, ids=[d[0] for d in DOCUMENTED])
def test_a_bad_example_is_refused_with_the_documented_location_and_reason(
    name: str,
    location: str,
    reason: str,
    cli_db: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outcome = run_cli(capsys, monkeypatch, "import", str(EXAMPLES / name))

    assert outcome.code == 2
    message = " ".join(outcome.err.split())
    assert message.startswith(f"cnopad: {location}: {reason}")
    assert _patient_count(cli_db) == 0


# ---------------------------------------------------------------- partly understood bundles


def test_every_partial_example_is_documented_once_in_the_readme() -> None:
    assert sorted(f for f, _, _ in DOCUMENTED_PARTIAL) == sorted(p.relative_to(EXAMPLES).as_posix() for p in PARTIAL)
    assert PARTIAL


@pytest.mark.parametrize(("name", "locations", "reasons"), DOCUMENTED_PARTIAL, ids=[d[0] for d in DOCUMENTED_PARTIAL])
def test_a_partial_example_imports_what_it_can_and_lists_the_rest_as_documented(
    name: str,
    locations: str,
    reasons: str,
    cli_db: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    valuesets: ValueSetIndex,
) -> None:
    outcome = run_cli(capsys, monkeypatch, "import", str(EXAMPLES / name))
    result = read_bundle((EXAMPLES / name).read_bytes(), valuesets=valuesets, today=TODAY)

    assert outcome.code == 0, outcome.err
    assert [(u.location, u.reason.value) for u in result.unrecognized] == list(
        zip(re.findall(r"`([^`]+)`", locations), re.findall(r"`([^`]+)`", reasons), strict=True)
    )
    assert all(u.location in " ".join(outcome.out.split()) for u in result.unrecognized)
    assert _patient_count(cli_db) == 1 and result.record.size() >= 1


# ---------------------------------------------------------------- the FHIR profile document


def _profile_examples() -> list[Any]:
    # blocks fenced "```json export-only" (what cnopad writes but never reads, e.g. a criteria score) are not read
    text = PROFILE.read_text(encoding="utf-8")
    return [json.loads(block) for block in re.findall(r"^```json\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)]


def test_every_json_example_in_the_fhir_profile_is_understood_and_survives_the_round_trip(
    valuesets: ValueSetIndex,
) -> None:
    examples = _profile_examples()
    [patient] = [e for e in examples if isinstance(e, dict) and e.get("resourceType") == "Patient"]
    others = [e for e in examples if e is not patient]
    assert len(others) >= 15

    for example in others:
        resources = example if isinstance(example, list) else [example]
        entries = [{"resource": r} for r in [patient, *resources]]
        bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
        first = read_bundle(json.dumps(bundle), valuesets=valuesets, today=TODAY)
        exported = RecordWriter(valuesets).bundle(first.record)
        second = read_bundle(json.dumps(exported), valuesets=valuesets, today=TODAY)

        assert first.unrecognized == (), resources[0]["id"]
        assert first.record.size() >= 1
        assert second.record == first.record


def _table_tool(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """tools/local_code_table.py as a module (registered while the test runs, as dataclasses need)."""
    spec = importlib.util.spec_from_file_location("local_code_table", ROOT / "tools" / "local_code_table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module


def test_the_local_code_table_in_the_fhir_profile_is_current(monkeypatch: pytest.MonkeyPatch) -> None:
    tool = _table_tool(monkeypatch)
    document = PROFILE.read_text(encoding="utf-8")

    assert tool.updated(document, tool.render(tool.local_codes())) == document, "run tools/local_code_table.py"


def test_the_fhir_profile_names_the_extensions_and_the_synthetic_tag_cnopad_uses() -> None:
    document = PROFILE.read_text(encoding="utf-8")

    assert COURSE_DAYS_URL in document
    assert LESION_COUNT_URL in document
    assert all(part in document for part in SYNTHETIC_TAG)
