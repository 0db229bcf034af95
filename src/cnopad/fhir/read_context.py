"""What the FHIR readers share while reading one Bundle: value sets, references, checks, and the
list of codes and resources that cnopad did not understand (reported back, never silently dropped)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from cnopad.domain import Coding, Concept, Quantity, Side, Site, side_in_text
from cnopad.errors import InputError
from cnopad.knowledge.valuesets import ValueSetIndex

JsonObject = dict[str, Any]
E = TypeVar("E", bound=StrEnum)

#: the nl-core laterality extension on a bodySite CodeableConcept (zib AnatomicalLocation.Laterality)
LATERALITY_URL = "http://nictiz.nl/fhir/StructureDefinition/ext-AnatomicalLocation.Laterality"

#: resource types that are read only as targets of references (names and identifiers of people)
SUPPORTING_TYPES = frozenset({"Practitioner", "PractitionerRole", "Organization", "Medication", "RelatedPerson"})


@dataclass(frozen=True, slots=True)
class Unrecognized:
    """A code or resource the importer did not understand, and where it stood."""

    location: str
    system: str
    code: str
    display: str | None = None


@dataclass
class ReadContext:
    """State for reading the resources of one Bundle (or one set of draft orders)."""

    valuesets: ValueSetIndex
    today: date
    patient_id: str | None = None
    patient_refs: frozenset[str] = frozenset()
    birth_date: date | None = None
    targets: dict[str, JsonObject] = field(default_factory=dict)
    unrecognized: list[Unrecognized] = field(default_factory=list)

    # ------------------------------------------------------------------ codes
    def codings(self, concept: JsonObject | None, location: str) -> tuple[Coding, ...]:
        """The codings of a CodeableConcept in systems cnopad reads; unknown codes are reported.

        A CodeableConcept whose codings all come from unknown systems is refused (InputError), because
        cnopad would silently miss its meaning otherwise.
        """
        if not concept:
            return ()
        kept: list[Coding] = []
        foreign: list[tuple[int, str]] = []
        for index, raw in enumerate(concept.get("coding") or []):
            system, code = raw.get("system"), raw.get("code")
            where = f"{location}.coding[{index}]"
            if not system or not code:
                self.unrecognized.append(Unrecognized(where, system or "", code or "", raw.get("display")))
                continue
            if not self.valuesets.known_system(system):
                foreign.append((index, system))
                continue
            coding = Coding(system, code, raw.get("display"))
            kept.append(coding)
            if not self.valuesets.understood(coding):
                self.unrecognized.append(Unrecognized(where, system, code, raw.get("display")))
        if foreign and not kept:
            index, system = foreign[0]
            msg = f"{location}.coding[{index}].system"
            raise InputError(
                msg,
                f"code system {system!r} is not one cnopad reads (ICD-10, ICD-10-CM, SNOMED CT, ICPC-2, ATC, LOINC, "
                "Orphanet, DICOM or the cnopad code system)",
            )
        for index, system in foreign:
            raw = concept["coding"][index]
            self.unrecognized.append(
                Unrecognized(f"{location}.coding[{index}]", system, raw.get("code", ""), raw.get("display"))
            )
        if not kept and not foreign and concept.get("text"):
            self.unrecognized.append(Unrecognized(location, "", "", concept.get("text")))
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
        """A subject/patient reference must point at the Bundle's Patient (absent means that Patient)."""
        ref = resource.get(element)
        if not ref or self.patient_id is None:
            return
        target = ref.get("reference")
        if target is None:
            return
        if target not in self.patient_refs:
            msg = f"{location}.{element}.reference"
            raise InputError(msg, f"refers to {target!r}, which is not the Bundle's Patient")

    def resolve(self, ref: JsonObject | None, location: str, *, required: bool = True) -> JsonObject | None:
        """The resource a reference points to inside the Bundle; a missing target is an InputError."""
        if not ref or not ref.get("reference"):
            return None
        target = ref["reference"]
        found = self.targets.get(target)
        if found is None and required:
            msg = f"{location}.reference"
            raise InputError(msg, f"refers to {target!r}, which is not in the Bundle")
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
        """Report a whole resource that cnopad does not read."""
        self.unrecognized.append(
            Unrecognized(
                location,
                "http://hl7.org/fhir/resource-types",
                str(resource.get("resourceType")),
                "resource not read",
            )
        )
