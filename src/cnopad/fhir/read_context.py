"""What the FHIR readers share while reading one request: value sets, references, checks, and the
list of codes and resources that cnopad did not understand (reported back, never silently dropped).

"Fail safe, not closed": a resource cnopad cannot understand (a code element whose codings are all in
systems cnopad does not read, a reference it needs that resolves to nothing, a subject that is another
patient) is *set aside*: the reader raises ``SetAside`` with the items saying why, the resource is left out
of the record and listed, and the rest is still read. Bad values (an impossible date, a pain score of 12)
stay ``InputError``s; only the lenient CDS Hooks path sets such a resource aside too (see reader.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from cnopad.domain import Coding, Concept, Quantity, Side, Site, input_rules, side_in_text
from cnopad.errors import InputError
from cnopad.fhir.references import Located, ReferenceIndex
from cnopad.knowledge.valuesets import ValueSetIndex

JsonObject = dict[str, Any]
E = TypeVar("E", bound=StrEnum)

#: the nl-core laterality extension on a bodySite CodeableConcept (zib AnatomicalLocation.Laterality)
LATERALITY_URL = "http://nictiz.nl/fhir/StructureDefinition/ext-AnatomicalLocation.Laterality"

#: resource types that are read only as targets of references (names and identifiers of people)
SUPPORTING_TYPES = frozenset({"Practitioner", "PractitionerRole", "Organization", "Medication", "RelatedPerson"})
#: the code system of FHIR resource types (a whole resource not read is listed with its type as the code)
RESOURCE_TYPES = "http://hl7.org/fhir/resource-types"


class Reason(StrEnum):
    """Why something was not understood (the ``reason`` of every listed item; labels in knowledge data)."""

    UNKNOWN_SYSTEM = "unknown-code-system"  # a coding in a system cnopad does not read
    UNMAPPED_CODE = "code-not-in-value-sets"  # a known system, but the code means nothing to cnopad
    INCOMPLETE_CODING = "incomplete-coding"  # a coding without system or code
    TEXT_ONLY = "text-only"  # a CodeableConcept with only text
    UNKNOWN_RESOURCE_TYPE = "unknown-resource-type"  # not a FHIR R4 resource type
    RESOURCE_NOT_READ = "resource-type-not-read"  # a FHIR resource type cnopad does not read
    REFERENCE_NOT_FOUND = "reference-not-found"  # a reference cnopad needs resolves to nothing
    OTHER_PATIENT = "other-patient"  # the subject/patient is not the patient being assessed
    INVALID_VALUE = "invalid-value"  # a bad value (only set aside on the lenient CDS Hooks path)
    UNIT_NOT_PLANNED = "unit-not-planned"  # a schedule unit cnopad does not plan in
    UNIT_NOT_CONVERTIBLE = "unit-not-convertible"  # a laboratory value in a unit cnopad cannot convert, or none


@dataclass(frozen=True, slots=True)
class Unrecognized:
    """A code, reference or resource that cnopad did not understand, where it stood, and why.

    ``set_aside`` says whether the whole resource at ``location`` was left out of the record (otherwise only
    this code was not used and the resource was kept); ``detail`` adds a sentence where the reason needs one.
    """

    location: str
    system: str
    code: str
    display: str | None = None
    reason: Reason = Reason.UNMAPPED_CODE
    set_aside: bool = False
    detail: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape used by ``cnopad assess``, the REST API and the CDS Hooks extension."""
        out: dict[str, Any] = {
            "location": self.location,
            "system": self.system,
            "code": self.code,
            "display": self.display,
            "reason": self.reason.value,
            "set_aside": self.set_aside,
        }
        if self.detail:
            out["detail"] = self.detail
        return out


class SetAside(Exception):
    """The resource being read cannot be understood: leave it out of the record and list ``items``."""

    def __init__(self, *items: Unrecognized) -> None:
        super().__init__(items[0].location if items else "set aside")
        self.items = items


@dataclass
class ReadContext:
    """State for reading the resources of one request (a Bundle, a CDS Hooks call, draft orders)."""

    valuesets: ValueSetIndex
    today: date
    patient_id: str | None = None
    patient_refs: frozenset[str] = frozenset()
    birth_date: date | None = None
    refs: ReferenceIndex = field(default_factory=ReferenceIndex)
    unrecognized: list[Unrecognized] = field(default_factory=list)
    #: the resource being read (contained references resolve inside it)
    current: Located | None = None
    #: why a reference could not be fetched, by reference (CDS Hooks: no fhirServer, or it did not answer)
    missing: dict[str, str] = field(default_factory=dict)
    #: how messages name the whole input ("the Bundle", "the request")
    scope: str = "the Bundle"

    # ------------------------------------------------------------------ codes
    def codings(self, concept: JsonObject | None, location: str) -> tuple[Coding, ...]:
        """The codings of a CodeableConcept in systems cnopad reads; unknown codes are listed.

        A CodeableConcept whose codings are all in systems cnopad does not read sets its resource aside
        (``SetAside``): cnopad would silently miss its meaning otherwise.
        """
        if not concept:
            return ()
        kept: list[Coding] = []
        foreign: list[Unrecognized] = []
        valuesets = self.valuesets
        for index, raw in enumerate(concept.get("coding") or []):
            system, code = raw.get("system"), raw.get("code")
            # the element's location is spelled out only when something is listed (most codings are read)
            if not system or not code:
                self.unrecognized.append(
                    Unrecognized(
                        f"{location}.coding[{index}]",
                        system or "",
                        code or "",
                        raw.get("display"),
                        Reason.INCOMPLETE_CODING,
                    )
                )
                continue
            if not valuesets.known_system(system):
                foreign.append(
                    Unrecognized(
                        f"{location}.coding[{index}]", str(system), str(code), raw.get("display"), Reason.UNKNOWN_SYSTEM
                    )
                )
                continue
            coding = Coding(system, code, raw.get("display"))
            kept.append(coding)
            if not valuesets.understood(coding):
                self.unrecognized.append(
                    Unrecognized(f"{location}.coding[{index}]", system, code, raw.get("display"), Reason.UNMAPPED_CODE)
                )
        if foreign and not kept:
            raise SetAside(
                *(
                    Unrecognized(
                        u.location,
                        u.system,
                        u.code,
                        u.display,
                        u.reason,
                        set_aside=True,
                        detail="no coding of this element is in a code system cnopad reads",
                    )
                    for u in foreign
                )
            )
        self.unrecognized.extend(foreign)
        if not kept and not foreign and concept.get("text"):
            self.unrecognized.append(Unrecognized(location, "", "", concept.get("text"), Reason.TEXT_ONLY))
        return tuple(kept)

    def concepts(self, codings: tuple[Coding, ...]) -> frozenset[Concept]:
        """The concepts a set of codings means."""
        return self.valuesets.concepts(codings)

    def sites(self, concepts: list[JsonObject] | None, location: str) -> tuple[Site, ...]:
        """Lesion sites named by a list of CodeableConcepts (bodySite), each read by ``body_site``."""
        found: dict[Site, None] = {}
        for index, cc in enumerate(concepts or []):
            found.update(dict.fromkeys(self.body_site(cc, f"{location}[{index}]")))
        return tuple(found)

    def body_site(self, cc: JsonObject, location: str) -> tuple[Site, ...]:
        """The sites one bodySite CodeableConcept names.

        The bone comes from its codes (SNOMED CT body structures, cnopad site codes), else from the words of
        its text. The side comes from the code itself ("left tibia"), else from the nl-core laterality
        extension, else from the words of the text (links/rechts/beiderzijds, left/right/bilateral).
        """
        text = str(cc.get("text") or "")
        sites: tuple[Site, ...] = ()
        if cc.get("coding"):
            sites = self.valuesets.sites(self.codings(cc, location))
        if not sites and text:
            sites = self.valuesets.sites_in_text(text)
            if not sites:
                self.unrecognized.append(Unrecognized(location, "", "", text))
        if not sites:
            return ()
        side = self.laterality(cc, location) or (side_in_text(text) if text else Side.UNKNOWN)
        return tuple(dict.fromkeys(site.with_side(side) for site in sites))

    def laterality(self, cc: JsonObject, location: str) -> Side | None:
        """The side in the nl-core laterality extension of a bodySite, None when absent or not understood."""
        for index, ext in enumerate(cc.get("extension") or []):
            if ext.get("url") == LATERALITY_URL and ext.get("valueCodeableConcept"):
                where = f"{location}.extension[{index}].valueCodeableConcept"
                return self.valuesets.side(self.codings(ext["valueCodeableConcept"], where))
        return None

    # ------------------------------------------------------------------ references
    def check_subject(self, resource: JsonObject, element: str, location: str) -> None:
        """A subject/patient reference must point at the patient being read (absent means that patient).

        Anything else is another patient's data: the resource is set aside and listed.
        """
        ref = resource.get(element)
        if not ref or self.patient_id is None:
            return
        target = ref.get("reference")
        if target is None or target in self.patient_refs:
            return
        found = self.refs.find(str(target), within=self.current)
        if found is not None and found.kind == "Patient" and f"Patient/{found.resource.get('id')}" in self.patient_refs:
            return
        raise SetAside(
            Unrecognized(
                f"{location}.{element}.reference",
                "",
                "",
                ref.get("display"),
                Reason.OTHER_PATIENT,
                set_aside=True,
                detail=f"refers to {target!r}, which is not the patient being assessed",
            )
        )

    def resolve(self, ref: JsonObject | None, location: str, *, required: bool = True) -> JsonObject | None:
        """The resource a reference points to in the request; a missing one that is required sets the
        referring resource aside (``SetAside``)."""
        found = self.resolve_located(ref, location, required=required)
        return found.resource if found is not None else None

    def resolve_located(self, ref: JsonObject | None, location: str, *, required: bool = True) -> Located | None:
        """As ``resolve``, with where the target stands in the request."""
        if not ref or not ref.get("reference"):
            return None
        target = str(ref["reference"])
        found = self.refs.find(target, within=self.current)
        if found is None and required:
            why = self.missing.get(target, f"refers to {target!r}, which is not in {self.scope}")
            raise SetAside(
                Unrecognized(
                    f"{location}.reference",
                    "",
                    "",
                    ref.get("display"),
                    Reason.REFERENCE_NOT_FOUND,
                    set_aside=True,
                    detail=why,
                )
            )
        return found

    # ------------------------------------------------------------------ dates and values
    def day(self, value: str | None, location: str, *, past: bool = False) -> date | None:
        """A FHIR date or dateTime as a calendar date (partial dates take the first day).

        With ``past`` the date must not lie in the future; no date may lie before the birth date.
        """
        if not value:
            return None
        text = str(value)
        year = int(text[0:4])
        month = int(text[5:7]) if len(text) >= 7 else 1
        dom = int(text[8:10]) if len(text) >= 10 else 1
        try:
            result = date(year, month, dom)
        except ValueError as exc:
            raise InputError(location, f"{text!r} is not a calendar date") from exc
        if past and result > self.today:
            raise InputError(location, f"{result.isoformat()} lies in the future (today is {self.today.isoformat()})")
        # a date outside the plausible range (docs/security.md, "Input rules") is a typing or system error
        input_rules.check_date(location, result, today=self.today, past=past)
        if self.birth_date is not None and result < self.birth_date:
            raise InputError(
                location, f"{result.isoformat()} lies before the birth date ({self.birth_date.isoformat()})"
            )
        return result

    @staticmethod
    def enum(kind: type[E], value: str, location: str) -> E:
        """A FHIR status code as a domain enum; a code outside its FHIR value set is an InputError.

        fhir.resources checks a code's syntax, not its required binding, so ``status: "bogus"`` gets here.
        """
        try:
            return kind(value)
        except ValueError as exc:
            allowed = ", ".join(member.value for member in kind)
            raise InputError(location, f"{value!r} is not one of: {allowed}") from exc

    @staticmethod
    def ordered(start: date | None, end: date | None, location: str) -> None:
        """An end date must not lie before its start date."""
        if start is not None and end is not None and end < start:
            raise InputError(location, f"ends ({end.isoformat()}) before it starts ({start.isoformat()})")

    @staticmethod
    def quantity(raw: JsonObject | None, location: str, *, non_negative: bool = False) -> Quantity | None:
        """A FHIR Quantity (value and unit); with ``non_negative`` a negative value is an InputError."""
        if not raw or raw.get("value") is None:
            return None
        try:
            value = Decimal(str(raw["value"]))
        except InvalidOperation as exc:
            msg = f"{location}.value"
            raise InputError(msg, "not a number") from exc
        if non_negative and value < 0:
            msg = f"{location}.value"
            raise InputError(msg, f"must not be negative (got {value})")
        return Quantity(value, raw.get("unit") or raw.get("code"))

    def report_resource(self, resource: JsonObject, location: str) -> None:
        """List a whole resource of a FHIR type cnopad does not read (it is left out)."""
        self.unrecognized.append(
            Unrecognized(
                location,
                RESOURCE_TYPES,
                str(resource.get("resourceType")),
                "resource not read",
                Reason.RESOURCE_NOT_READ,
                set_aside=True,
            )
        )
