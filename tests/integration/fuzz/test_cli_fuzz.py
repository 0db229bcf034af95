"""Hypothesis drives every option and argument of every ``cnopad`` command with values no rule accepts
(out-of-range dates, lone surrogates as argv decoding makes them, control characters, huge strings, wrong
numbers): the command stops with exit code 2 and a message naming the option, never with a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnopad.cli import app
from cnopad.store import make_engine, migrate
from support.cli import run_cli
from support.fhir import bundle, pain, patient

FUZZ = settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))

DATES = st.sampled_from(["0001-01-01", "1899-12-31", "9999-12-31", "2100-01-01", "2026-02-30", "morgen", "", "\x00"])
#: text as it reaches a command: argv bytes that are not UTF-8 arrive as lone surrogates (surrogateescape)
TEXT = st.one_of(
    st.sampled_from(["\udcff", "a\udcfeb", "\x00", "x\x1b[31m", "a\nb", "\x7f", "A" * 5_000]),
    st.text(alphabet=st.characters(exclude_categories=()), min_size=1, max_size=20).map(lambda t: t + "\x01"),
)
NUMBERS = st.one_of(
    st.sampled_from(["", "veel", "1.5", "1e9", "0x10", "\udcff", "9" * 40]),
    st.integers(min_value=-(2**70), max_value=-1).map(str),
)
SIZES = st.one_of(TEXT, st.sampled_from(["lots", "4", "-1GB", "1e9GB", "4 GB; DROP", "GB", "4PB", "9" * 30 + "GB"]))
PATHS = st.sampled_from(["a\x00b", "x" * 5_000, "/proc/no-such-folder/x"])

#: a valid replay window for ``population evaluate`` (the fuzzed option is the only bad value)
REPLAY = ("--from", "2020-01-01", "--to", "2021-01-01")

#: (command, parameter) -> (values that must be refused, the name the message gives, other arguments)
CASES: dict[tuple[str, str], tuple[st.SearchStrategy[str], str, tuple[str, ...]]] = {
    ("assess", "bundle"): (PATHS, "", ()),
    ("assess", "as_of"): (DATES, "--as-of", ("BUNDLE",)),
    ("assess", "order"): (PATHS, "", ("BUNDLE",)),
    ("assess", "lang"): (TEXT, "--lang", ("BUNDLE",)),
    ("assess", "fmt"): (TEXT, "--format", ("BUNDLE",)),
    ("criteria", "bundle"): (PATHS, "", ()),
    ("criteria", "as_of"): (DATES, "--as-of", ("BUNDLE",)),
    ("criteria", "lang"): (TEXT, "--lang", ("BUNDLE",)),
    ("criteria", "fmt"): (TEXT, "--format", ("BUNDLE",)),
    ("explain", "statement_id"): (TEXT, "STATEMENT_ID", ()),
    ("explain", "lang"): (TEXT, "--lang", ("NHG-BP-ONJ-1",)),
    ("import", "bundle"): (PATHS, "", ()),
    ("import", "purpose"): (TEXT, "--purpose", ("BUNDLE",)),
    ("export", "patient_id"): (TEXT, "PATIENT_ID", ()),
    ("export", "output"): (PATHS, "", ("p-fuzz",)),
    ("export", "purpose"): (TEXT, "--purpose", ("p-fuzz",)),
    ("audit show", "patient"): (TEXT, "--patient", ()),
    ("audit show", "limit"): (NUMBERS, "--limit", ()),
    ("user add", "name"): (TEXT, "NAME", ("--role", "gp")),
    ("user add", "role"): (TEXT, "--role", ("fuzz-user",)),
    ("user add", "practitioner"): (TEXT, "--practitioner", ("fuzz-user", "--role", "gp")),
    ("serve", "host"): (TEXT, "--host", ()),
    ("serve", "port"): (NUMBERS, "--port", ()),
    ("serve", "workers"): (NUMBERS, "--workers", ()),
    ("population generate", "persons"): (NUMBERS, "--persons", ("--out", "OUT")),
    ("population generate", "out_dir"): (PATHS, "", ("--persons", "10")),
    ("population generate", "seed"): (NUMBERS, "--seed", ("--persons", "10", "--out", "OUT")),
    ("population screen", "omop"): (TEXT, "--omop", ("--out", "OUT")),
    ("population screen", "out_dir"): (PATHS, "", ("--omop", "OMOP")),
    ("population screen", "backend"): (TEXT, "--backend", ("--omop", "OMOP", "--out", "OUT")),
    ("population screen", "threshold"): (NUMBERS, "--threshold", ("--omop", "OMOP", "--out", "OUT")),
    ("population screen", "truth"): (PATHS, "", ("--omop", "OMOP", "--out", "OUT")),
    ("population screen", "spark_master"): (TEXT, "--spark-master", ("--omop", "OMOP", "--out", "OUT")),
    ("population screen", "memory_limit"): (SIZES, "--memory-limit", ("--omop", "OMOP", "--out", "OUT")),
    ("population screen", "lang"): (TEXT, "--lang", ("--omop", "OMOP", "--out", "OUT")),
    ("population screen", "as_of"): (DATES, "--as-of", ("--omop", "OMOP", "--out", "OUT")),
    ("population evaluate", "omop"): (TEXT, "--omop", ("--out", "OUT", *REPLAY)),
    ("population evaluate", "out_dir"): (PATHS, "", ("--omop", "OMOP", *REPLAY)),
    ("population evaluate", "start"): (DATES, "--from", ("--omop", "OMOP", "--out", "OUT", "--to", "2021-01-01")),
    ("population evaluate", "end"): (DATES, "--to", ("--omop", "OMOP", "--out", "OUT", "--from", "2020-01-01")),
    ("population evaluate", "step"): (TEXT, "--step", ("--omop", "OMOP", "--out", "OUT", *REPLAY)),
    ("population evaluate", "truth"): (PATHS, "", ("--omop", "OMOP", "--out", "OUT", *REPLAY)),
    ("population evaluate", "thresholds"): (TEXT, "--thresholds", ("--omop", "OMOP", "--out", "OUT", *REPLAY)),
    ("population evaluate", "backend"): (TEXT, "--backend", ("--omop", "OMOP", "--out", "OUT", *REPLAY)),
    ("population evaluate", "spark_master"): (TEXT, "--spark-master", ("--omop", "OMOP", "--out", "OUT", *REPLAY)),
    ("population evaluate", "memory_limit"): (SIZES, "--memory-limit", ("--omop", "OMOP", "--out", "OUT", *REPLAY)),
}


def _parameters(group: Any, prefix: str = "") -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for name, command in group.commands.items():
        path = f"{prefix} {name}".strip()
        if hasattr(command, "commands"):  # a group (typer vendors its own click, so no isinstance)
            found |= _parameters(command, path)
            continue
        for param in command.params:
            if param.name and not (getattr(param, "is_flag", False) or getattr(param, "count", False)):
                found.add((path, param.name))
    return found


def test_every_option_and_argument_of_every_command_is_fuzzed_here() -> None:
    assert _parameters(typer.main.get_command(app)) == set(CASES)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    migrate(make_engine(url))
    monkeypatch.setenv("CNOPAD_DATABASE_URL", url)
    monkeypatch.setenv("CNOPAD_USER", "fuzz-operator")
    record = tmp_path / "bundle.json"
    record.write_text(json.dumps(bundle(patient("p-fuzz"), pain("o1", 3, "2024-05-01", pid="p-fuzz"), pid="p-fuzz")))
    (tmp_path / "omop").mkdir()
    return {"BUNDLE": str(record), "OMOP": str(tmp_path / "omop"), "OUT": str(tmp_path / "out")}


def _argv(command: str, param: str, value: str, others: tuple[str, ...], workspace: dict[str, str]) -> list[str]:
    """The command line with ``value`` in the place of ``param`` (an argument goes first, an option last)."""
    click_command: Any = typer.main.get_command(app)
    for part in command.split():
        click_command = click_command.commands[part]
    target = next(p for p in click_command.params if p.name == param)
    rest = [workspace.get(o, o) for o in others]
    if target.param_type_name == "argument":
        return [*command.split(), value, *rest]
    return [*command.split(), *rest, target.opts[0], value]


@pytest.mark.parametrize("case", sorted(CASES), ids=[f"{c}-{p}" for c, p in sorted(CASES)])
@FUZZ
@given(data=st.data())
def test_a_refused_value_exits_2_naming_the_option_and_never_shows_a_traceback(
    case: tuple[str, str],
    data: st.DataObject,
    workspace: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    values, name, others = CASES[case]
    value = data.draw(values)
    outcome = run_cli(capsys, monkeypatch, *_argv(*case, value, others, workspace))
    assert outcome.code == 2, (case, value, outcome)
    assert "Traceback" not in outcome.err + outcome.out
    assert outcome.err.strip(), "one line says what is wrong"
    # click names an argument as Typer shows it (PATIENT_ID or {patient_id}): compared without case
    assert name.lower() in " ".join(outcome.err.split()).lower(), (case, outcome.err)
    assert not Path(workspace["OUT"]).exists(), "a refused command writes nothing"
