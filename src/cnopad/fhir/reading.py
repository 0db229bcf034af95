"""Reading resources one at a time: what cannot be understood is set aside and listed, the rest mapped.

The per-resource half of the FHIR reader (``reader.py`` holds the entry points). Every resource is read
under a guard: ``SetAside`` from a reader (an unknown code system, a reference that resolves to nothing,
another patient) leaves the resource out and lists why; an ``InputError`` (a bad value) does the same on
the lenient CDS Hooks path and refuses the input otherwise; any other slip on malformed data becomes an
``InputError`` at the resource, never a crash.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from cnopad.domain import KIND_OF, Coding, Concept, Entry, System, input_rules
from cnopad.errors import InputError
from cnopad.fhir.parse import JsonObject, known_type, unknown_type
from cnopad.fhir.read_care import (
    read_care_team,
    read_encounter,
    read_goal,
    read_procedure,
    read_service_request,
)
from cnopad.fhir.read_clinical import read_allergy, read_condition
from cnopad.fhir.read_context import SUPPORTING_TYPES, ReadContext, Reason, SetAside, Unrecognized
from cnopad.fhir.read_imaging import is_imaging_report, read_biopsy, read_imaging
from cnopad.fhir.read_medication import (
    read_administration,
    read_immunization,
    read_medication_request,
    read_medication_statement,
)
from cnopad.fhir.read_observation import read_observation
from cnopad.fhir.references import Located

Reader = Callable[[JsonObject, str, ReadContext], Any]

#: resource types read one resource at a time (imaging, reports and procedures are read in pairs)
_SIMPLE: dict[str, Reader] = {
    "Condition": read_condition,
    "AllergyIntolerance": read_allergy,
    "MedicationRequest": read_medication_request,
    "MedicationStatement": read_medication_statement,
    "MedicationAdministration": read_administration,
    "Immunization": read_immunization,
    "Observation": read_observation,
    "CareTeam": read_care_team,
    "Goal": read_goal,
    "ServiceRequest": read_service_request,
    "Encounter": read_encounter,
}

#: the resource types a draft order may be (CDS Hooks order-select / order-sign, ``assess --order``)
ORDER_TYPES = frozenset({"MedicationRequest", "ServiceRequest", "Immunization"})
#: code systems cnopad classifies completely by class prefix: a drug code in them that no value set names is
#: known to be outside every group cnopad checks (ATC); in any other system it may be a drug cnopad checks
_COMPLETE_SYSTEMS = frozenset({System.ATC.value})


@dataclass(frozen=True)
class NotChecked:
    """A draft order cnopad could not check (set aside, or no code cnopad understands), and why."""

    order_id: str
    kind: str
    label: str | None
    items: tuple[Unrecognized, ...]


def with_id(item: Located) -> JsonObject:
    """Give a resource without an id the last part of its fullUrl; refuse one with neither."""
    resource = item.resource
    if resource.get("id"):
        return resource
    if item.full_url:
        derived = item.full_url.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
        # a FHIR id is at most 64 characters; a longer one would not fit the entries table's key
        input_rules.check_text(f"{item.location}.id", derived, max_length=input_rules.LIMITS["patient_id"])
        return {**resource, "id": derived}
    msg = f"{item.location}.id"
    raise InputError(
        msg, "the resource has no id and its entry no fullUrl; cnopad needs one to recognise it on re-import"
    )


class Reading:
    """Reads resources one by one, setting aside what cannot be understood and listing why."""

    def __init__(self, ctx: ReadContext, *, lenient: bool) -> None:
        self.ctx = ctx
        self.lenient = lenient

    def entries(self, located: list[Located]) -> list[Entry]:
        """Map every resource to domain entries; pair reports with studies and biopsies."""
        ctx = self.ctx
        pairs = _Pairs.find(located, ctx)
        found: list[Entry] = []
        seen: dict[tuple[str, str], str] = {}
        for i, item in enumerate(located):
            if not known_type(item.kind):
                ctx.unrecognized.append(unknown_type(item.resource, item.location))
                continue
            if item.kind in SUPPORTING_TYPES:
                continue
            mapped = self._one(item, partial(_read_one, i, located=located, pairs=pairs, ctx=ctx), pairs.aside.get(i))
            if mapped is None:
                self._partner_aside(i, located, pairs)
                continue
            for entry in mapped:
                key = (KIND_OF[type(entry)], entry.id)
                if key in seen:
                    where, why = f"{item.location}.id", f"id {entry.id!r} is used twice (also at {seen[key]})"
                    if not self.lenient:
                        raise InputError(where, why)
                    ctx.unrecognized.append(
                        Unrecognized(where, "", "", None, Reason.INVALID_VALUE, set_aside=True, detail=why)
                    )
                    continue
                seen[key] = item.location
                found.append(entry)
        return found

    def orders(self, located: Sequence[Located]) -> tuple[list[Entry], list[NotChecked]]:
        """Draft orders; an order set aside, or without a code cnopad understands, cannot be checked."""
        ctx = self.ctx
        orders: list[Entry] = []
        not_checked: list[NotChecked] = []
        for item in located:
            kind = item.kind
            if kind not in ORDER_TYPES:
                if kind in SUPPORTING_TYPES:
                    continue
                if known_type(kind):
                    ctx.report_resource(item.resource, item.location)
                else:
                    ctx.unrecognized.append(unknown_type(item.resource, item.location))
                continue
            mark = len(ctx.unrecognized)
            mapped = self._one(item, lambda it: [_SIMPLE[it.kind](with_id(it), it.location, ctx)])
            order_id = str(item.resource.get("id") or item.location)
            label = _order_label(item.resource)
            if mapped is None:
                not_checked.append(NotChecked(order_id, kind, label, tuple(ctx.unrecognized[mark:])))
                continue
            order = mapped[0]
            if _checkable(order):
                orders.append(order)
                continue
            items = tuple(u for u in ctx.unrecognized[mark:] if u.reason is not Reason.UNIT_NOT_PLANNED) or (
                Unrecognized(
                    item.location,
                    "",
                    "",
                    label,
                    Reason.UNMAPPED_CODE,
                    detail="the order carries no code cnopad reads",
                ),
            )
            not_checked.append(NotChecked(order.id, kind, label, items))
        return orders, not_checked

    def _one(
        self, item: Located, read: Callable[[Located], list[Entry]], aside: tuple[Unrecognized, ...] | None = None
    ) -> list[Entry] | None:
        """Read one resource; None (and its reasons listed) when it is set aside."""
        ctx = self.ctx
        mark = len(ctx.unrecognized)
        ctx.current = item
        try:
            if aside:
                raise SetAside(*aside)
            # text that is not valid Unicode or holds control characters: refused, or on the lenient path set aside
            if not item.text_checked:
                input_rules.check_json_text(item.resource, item.location)
            return guarded(item.location, read, item)  # type: ignore[no-any-return]
        except SetAside as exc:
            del ctx.unrecognized[mark:]  # what else it held is moot: the whole resource is left out
            ctx.unrecognized.extend(exc.items)
        except InputError as exc:
            if not self.lenient:
                raise
            del ctx.unrecognized[mark:]
            ctx.unrecognized.append(
                Unrecognized(exc.location, "", "", None, Reason.INVALID_VALUE, set_aside=True, detail=exc.reason)
            )
        finally:
            ctx.current = None
        return None

    def _partner_aside(self, i: int, located: list[Located], pairs: _Pairs) -> None:
        """A report read together with a study or biopsy that was set aside is left out with it: list it."""
        partners = [r for p, r in pairs.biopsy_reports.items() if p == i]
        partners += [s for r, s in pairs.report_studies.items() if r == i]
        for index in partners:
            self.ctx.unrecognized.append(
                Unrecognized(
                    located[index].location,
                    "",
                    "",
                    None,
                    Reason.REFERENCE_NOT_FOUND,
                    set_aside=True,
                    detail=f"read together with {located[i].location}, which was set aside",
                )
            )


def _checkable(order: Entry) -> bool:
    """An order cnopad can check: a code it understands, or a drug code in a system it classifies completely."""
    codings: tuple[Coding, ...] = getattr(order, "codings", ())
    concepts: frozenset[Concept] = getattr(order, "concepts", frozenset())
    return bool(concepts) or any(c.system in _COMPLETE_SYSTEMS for c in codings)


def _order_label(resource: JsonObject) -> str | None:
    """What an order is about, in the sender's own words (text or the first coding's display)."""
    for key in ("medicationCodeableConcept", "code", "vaccineCode"):
        concept = resource.get(key)
        if isinstance(concept, dict):
            if isinstance(concept.get("text"), str) and concept["text"]:
                return str(concept["text"])
            for coding in concept.get("coding") or []:
                if isinstance(coding, dict) and isinstance(coding.get("display"), str) and coding["display"]:
                    return str(coding["display"])
    ref = resource.get("medicationReference")
    if isinstance(ref, dict) and isinstance(ref.get("display"), str) and ref["display"]:
        return str(ref["display"])
    return None


@dataclass(frozen=True)
class _Pairs:
    """Which pathology report belongs to which biopsy, and which study to which imaging report."""

    biopsy_reports: dict[int, int]  # procedure index -> report index
    report_studies: dict[int, int]  # report index -> study index
    aside: dict[int, tuple[Unrecognized, ...]]  # resources whose pairing reference resolves to nothing

    @classmethod
    def find(cls, located: list[Located], ctx: ReadContext) -> _Pairs:
        index_of = {id(item.resource): i for i, item in enumerate(located)}
        biopsy_reports: dict[int, int] = {}
        report_studies: dict[int, int] = {}
        aside: dict[int, tuple[Unrecognized, ...]] = {}
        for i, item in enumerate(located):
            res = item.resource
            try:
                if item.kind == "Procedure" and _is_biopsy(res, ctx):
                    refs, into, where = res.get("report") or [], biopsy_reports, f"{item.location}.report"
                elif item.kind == "DiagnosticReport":
                    refs, into, where = res.get("imagingStudy") or [], report_studies, f"{item.location}.imagingStudy"
                else:
                    continue
                ctx.current = item
                for n, ref in enumerate(refs):
                    target = ctx.resolve(ref, f"{where}[{n}]")
                    if target is not None and id(target) in index_of:
                        into[i] = index_of[id(target)]
            except SetAside as exc:
                aside[i] = exc.items
            except (KeyError, TypeError, ValueError, AttributeError):
                continue  # malformed: reading the resource itself reports it at its place
            finally:
                ctx.current = None
        return cls(biopsy_reports, report_studies, aside)


def _read_one(i: int, item: Located, *, located: list[Located], pairs: _Pairs, ctx: ReadContext) -> list[Entry]:
    """The domain entries of one resource (none for a report or study read together with another)."""
    kind = item.kind
    res = with_id(item)
    loc = item.location
    if kind in _SIMPLE:
        mapped = _SIMPLE[kind](res, loc, ctx)
        return list(mapped) if isinstance(mapped, list) else [mapped]
    if kind == "Procedure":
        if i in pairs.biopsy_reports or _is_biopsy(res, ctx):
            r = pairs.biopsy_reports.get(i)
            report, report_loc = (with_id(located[r]), located[r].location) if r is not None else (None, None)
            return [read_biopsy(res, loc, report, report_loc, ctx)]
        return [read_procedure(res, loc, ctx)]
    if kind == "DiagnosticReport":
        if i in pairs.biopsy_reports.values():
            return []
        if not is_imaging_report(res, ctx):
            ctx.report_resource(res, loc)
            return []
        s = pairs.report_studies.get(i)
        study, study_loc = (with_id(located[s]), located[s].location) if s is not None else (None, None)
        return [read_imaging(res, loc, study, study_loc, ctx)]
    if kind == "ImagingStudy":
        return [] if i in pairs.report_studies.values() else [read_imaging(None, None, res, loc, ctx)]
    ctx.report_resource(res, loc)
    return []


def _is_biopsy(procedure: JsonObject, ctx: ReadContext) -> bool:
    codings = [
        Coding(c["system"], c["code"])
        for c in (procedure.get("code") or {}).get("coding") or []
        if c.get("system") and c.get("code")
    ]
    return Concept.BONE_BIOPSY in ctx.valuesets.concepts(codings)


def guarded(where: str, read: Callable[..., Any], *args: Any) -> Any:
    """Run a reader; malformed data it trips over becomes an InputError at ``where``, never a crash."""
    try:
        return read(*args)
    except (InputError, SetAside):
        raise
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError, IndexError, RecursionError) as exc:
        kind = next(
            (
                a.get("resourceType") if isinstance(a, dict) else a.kind
                for a in args
                if (isinstance(a, dict) and isinstance(a.get("resourceType"), str)) or isinstance(a, Located)
            ),
            None,
        )
        what = f"not a valid {kind}" if kind else "malformed data"
        raise InputError(where, f"{what} ({type(exc).__name__}: {exc})") from exc
