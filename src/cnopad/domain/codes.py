"""Codes from standard code systems, as frozen values whose equality is clinical meaning."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class System(StrEnum):
    """The code systems cnopad reads, by their FHIR canonical URI."""

    ICD10 = "http://hl7.org/fhir/sid/icd-10"
    ICD10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
    ICD10_NL = "http://hl7.org/fhir/sid/icd-10-nl"
    SNOMED = "http://snomed.info/sct"
    LOINC = "http://loinc.org"
    ATC = "http://www.whocc.no/atc"
    ICPC2 = "http://hl7.org/fhir/sid/icpc-2"
    ICPC1_NL = "http://hl7.org/fhir/sid/icpc-1-nl"
    ORPHANET = "http://www.orpha.net"
    DICOM = "http://dicom.nema.org/resources/ontology/DCM"
    RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
    CVX = "http://hl7.org/fhir/sid/cvx"
    #: Vektis AGB medical specialisms (COD016-VEKT), as in zib HealthProfessional.Specialty
    COD016 = "urn:oid:2.16.840.1.113883.2.4.6.7"
    #: UZI register role codes (RoleCodeNL zorgverlenertype)
    UZI_ROLE = "http://fhir.nl/fhir/NamingSystem/uzi-rolcode"
    PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
    NULL_FLAVOR = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor"
    #: G-Standaard (Z-Index) drug codes: known, never mapped (a GPK/PRK/HPK/article number is listed as
    #: not understood, never guessed; the G-Standaard's own ATC link is not public)
    GSTD_GPK = "urn:oid:2.16.840.1.113883.2.4.4.1"
    GSTD_HPK = "urn:oid:2.16.840.1.113883.2.4.4.7"
    GSTD_ARTICLE = "urn:oid:2.16.840.1.113883.2.4.4.8"
    GSTD_PRK = "urn:oid:2.16.840.1.113883.2.4.4.10"
    CNOPAD = "https://fhir.cnopad.nl/CodeSystem/cnopad"


#: UCUM, the system of FHIR Quantity.code for units (Quantity.system)
UCUM = "http://unitsofmeasure.org"


#: short names used in the knowledge files
SYSTEM_ALIASES: dict[str, System] = {
    "icd10": System.ICD10,
    "icd10cm": System.ICD10_CM,
    "icd10nl": System.ICD10_NL,
    "snomed": System.SNOMED,
    "loinc": System.LOINC,
    "atc": System.ATC,
    "icpc2": System.ICPC2,
    "icpc1nl": System.ICPC1_NL,
    "orpha": System.ORPHANET,
    "dicom": System.DICOM,
    "rxnorm": System.RXNORM,
    "cvx": System.CVX,
    "cod016": System.COD016,
    "uzi_role": System.UZI_ROLE,
    "participation": System.PARTICIPATION_TYPE,
    "nullflavor": System.NULL_FLAVOR,
    "gstd_gpk": System.GSTD_GPK,
    "gstd_hpk": System.GSTD_HPK,
    "gstd_article": System.GSTD_ARTICLE,
    "gstd_prk": System.GSTD_PRK,
    "cnopad": System.CNOPAD,
}

#: the ICD-10 family: codes compare without the dot and in upper case ("M86.3" == "m863")
_ICD_SYSTEMS = frozenset({System.ICD10, System.ICD10_CM, System.ICD10_NL})


def normalise_code(system: str, code: str) -> str:
    """Return the comparable form of a code (ICD-10 without dot, ATC and ICPC upper case)."""
    code = code.strip()
    if system in _ICD_SYSTEMS:
        return code.replace(".", "").upper()
    if system in (System.ATC, System.ICPC2, System.ICPC1_NL):
        return code.upper()
    return code


@dataclass(frozen=True, slots=True)
class Coding:
    """One code in one system; ``display`` is for people and does not take part in equality."""

    system: str
    code: str
    display: str | None = field(default=None, compare=False)

    @property
    def key(self) -> tuple[str, str]:
        """The (system, normalised code) pair used for value-set look-ups."""
        return (self.system, normalise_code(self.system, self.code))
