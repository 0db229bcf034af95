"""Read imaging (ImagingStudy + DiagnosticReport) and bone biopsies (Procedure + pathology report)."""

from __future__ import annotations

from cnopad.domain import Biopsy, Coding, Concept, ImagingResult, Side, Site, side_in_text
from cnopad.fhir.read_context import JsonObject, ReadContext
from cnopad.fhir.report_text import names_imaging, with_biopsy_text, with_imaging_text

#: extension on DiagnosticReport: number of lesions the radiologist counted
LESION_COUNT_URL = "https://fhir.cnopad.nl/StructureDefinition/lesion-count"

#: DiagnosticReport categories that mark an imaging report (HL7 v2-0074, common local usage, and LOINC LP29684-5
#: "Radiology", the category of a radiology note in US Core's DiagnosticReport Note profile)
_IMAGING_CATEGORIES = frozenset({"RAD", "CT", "MR", "NMR", "NMS", "RX", "US", "imaging", "LP29684-5"})
_MODALITIES = frozenset(
    {
        Concept.XRAY,
        Concept.CT,
        Concept.SPECT_CT,
        Concept.PET,
        Concept.MRI,
        Concept.WHOLE_BODY_MRI,
        Concept.BONE_SCINTIGRAPHY,
        Concept.NUCLEAR_IMAGING,
        Concept.IMAGING,
    }
)


def is_imaging_report(report: JsonObject, ctx: ReadContext) -> bool:
    """True for a radiology report: imaging category, a linked ImagingStudy, an imaging code or title."""
    categories = {c.get("code") for cat in report.get("category") or [] for c in cat.get("coding") or []}
    if categories & _IMAGING_CATEGORIES or report.get("imagingStudy"):
        return True
    codings = tuple(
        Coding(c["system"], c["code"])
        for c in (report.get("code") or {}).get("coding") or []
        if c.get("system") and c.get("code")
    )
    # a report without any category (the nl-core TextResult has none) may still name imaging in its title
    return bool(ctx.valuesets.concepts(codings) & _MODALITIES) or (not report.get("category") and names_imaging(report))


def _split_conclusion(
    report: JsonObject, location: str, ctx: ReadContext
) -> tuple[tuple[Coding, ...], tuple[Site, ...]]:
    """Separate conclusion codes that name a site (with its side) from those that name a finding."""
    findings: list[Coding] = []
    sites: dict[Site, None] = {}
    for index, cc in enumerate(report.get("conclusionCode") or []):
        where = f"{location}.conclusionCode[{index}]"
        side: Side | None = None
        for coding in ctx.codings(cc, where):
            named = ctx.valuesets.sites([coding])
            if not named:
                findings.append(coding)
                continue
            if side is None:
                side = ctx.laterality(cc, where) or side_in_text(str(cc.get("text") or ""))
            sites.update(dict.fromkeys(site.with_side(side) for site in named))
    return tuple(findings), tuple(sites)


def _conclusion_codings(report: JsonObject, location: str, ctx: ReadContext) -> tuple[Coding, ...]:
    out: list[Coding] = []
    for index, cc in enumerate(report.get("conclusionCode") or []):
        out.extend(ctx.codings(cc, f"{location}.conclusionCode[{index}]"))
    return tuple(out)


def _study_codings(study: JsonObject, location: str, ctx: ReadContext) -> tuple[Coding, ...]:
    out: list[Coding] = []
    for index, modality in enumerate(study.get("modality") or []):
        out.extend(ctx.codings({"coding": [modality]}, f"{location}.modality[{index}]"))
    for index, cc in enumerate(study.get("procedureCode") or []):
        out.extend(ctx.codings(cc, f"{location}.procedureCode[{index}]"))
    return tuple(out)


def read_imaging(
    report: JsonObject | None,
    report_loc: str | None,
    study: JsonObject | None,
    study_loc: str | None,
    ctx: ReadContext,
) -> ImagingResult:
    """One imaging result from a report, a study, or both (the report's id wins as the entry id)."""
    kind: list[Coding] = []
    performed = None
    findings: tuple[Coding, ...] = ()
    sites: tuple[Site, ...] = ()
    lesions: int | None = None
    conclusion: str | None = None
    if study is not None and study_loc is not None:
        ctx.check_subject(study, "subject", study_loc)
        kind.extend(_study_codings(study, study_loc, ctx))
        performed = ctx.day(study.get("started"), f"{study_loc}.started", past=True)
    if report is not None and report_loc is not None:
        ctx.check_subject(report, "subject", report_loc)
        kind.extend(ctx.codings(report.get("code"), f"{report_loc}.code"))
        when = report.get("effectiveDateTime") or (report.get("effectivePeriod") or {}).get("start")
        performed = ctx.day(when, f"{report_loc}.effectiveDateTime", past=True) or performed
        findings, sites = _split_conclusion(report, report_loc, ctx)
        conclusion = report.get("conclusion")
        for ext in report.get("extension") or []:
            if ext.get("url") == LESION_COUNT_URL and ext.get("valueInteger") is not None:
                lesions = int(ext["valueInteger"])
    ordered = tuple(sorted(dict.fromkeys(kind), key=lambda c: (c.system, c.code)))
    entry_id = (report or study or {}).get("id")
    coded = ImagingResult(
        id=str(entry_id),
        codings=ordered,
        concepts=ctx.concepts(ordered) | {Concept.IMAGING},
        performed=performed,
        findings=ctx.concepts(findings),
        finding_codings=findings,
        sites=sites,
        lesion_count=lesions,
        conclusion=conclusion,
        study_id=str(study["id"]) if study is not None else None,
        report_id=str(report["id"]) if report is not None else None,
    )
    return with_imaging_text(coded, report, report_loc, ctx)


def read_biopsy(
    procedure: JsonObject, location: str, report: JsonObject | None, report_loc: str | None, ctx: ReadContext
) -> Biopsy:
    """A bone biopsy Procedure with its pathology result (Procedure.report -> DiagnosticReport)."""
    ctx.check_subject(procedure, "subject", location)
    codings = ctx.codings(procedure.get("code"), f"{location}.code")
    result: tuple[Coding, ...] = ()
    conclusion = None
    if report is not None and report_loc is not None:
        ctx.check_subject(report, "subject", report_loc)
        result = _conclusion_codings(report, report_loc, ctx)
        conclusion = report.get("conclusion")
    status = str(procedure.get("status", "completed"))
    when = procedure.get("performedDateTime") or (procedure.get("performedPeriod") or {}).get("start")
    coded = Biopsy(
        id=str(procedure["id"]),
        codings=codings,
        concepts=ctx.concepts(codings),
        performed=ctx.day(when, f"{location}.performedDateTime", past=status == "completed"),
        sites=ctx.sites(procedure.get("bodySite"), f"{location}.bodySite"),
        result=ctx.concepts(result),
        result_codings=result,
        conclusion=conclusion,
        report_id=str(report["id"]) if report is not None else None,
        status=status,
    )
    return with_biopsy_text(coded, report, report_loc, ctx)
