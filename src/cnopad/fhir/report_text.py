"""Findings read from the free text of imaging and pathology reports, where the report's codes do not say them.

Precedence (docs/fhir-profile.md, "Report text"): **codes win**. A report with any finding code
(``conclusionCode`` other than a site, or the lesion-count extension) is not read for findings, lesion
count or sites; its text is still kept and shown. Otherwise the text gives the findings and the lesion
count, and the sites when no code names one; the report's title gives the kind of study when no code
does. Whatever came from text is marked on the entry (:class:`cnopad.domain.TextReading`, with the
sentences), so a card resting on it can show the sentence; the engine only learns "read from text".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from functools import cache

from cnopad.domain import Biopsy, Coding, Concept, ImagingResult, Side, Site, TextReading
from cnopad.fhir.read_context import JsonObject, ReadContext
from cnopad.fhir.report_meaning import BoneMention, display, fold
from cnopad.fhir.report_nlp import read_text, warm

__all__ = ["names_imaging", "text_sites", "title_modalities", "warm", "with_biopsy_text", "with_imaging_text"]
from cnopad.fhir.report_sources import report_source, report_title
from cnopad.knowledge.report_terms import MODALITIES, report_terms


def text_sites(bones: Iterable[BoneMention]) -> tuple[Site, ...]:
    """The domain sites of bones read from text: the ONE place that maps a bone and a side word to a Site."""
    return tuple(dict.fromkeys(Site(b.bone, _SIDES.get(b.side or "", Side.UNKNOWN)) for b in bones))


#: the side words' groups in report_terms.yaml (``sides``) as domain sides; "both" is the bone on both sides
_SIDES = {"left": Side.LEFT, "right": Side.RIGHT, "both": Side.BILATERAL}


@cache
def _modality_patterns() -> tuple[tuple[Concept, re.Pattern[str]], ...]:
    out = []
    for entry in report_terms().modalities:
        words = "|".join(re.escape(fold(t)) for t in sorted(entry.terms, key=len, reverse=True))
        out.append((entry.concept, re.compile(rf"(?<![a-z0-9])(?:{words})(?![a-z0-9])")))
    return tuple(out)


def title_modalities(title: str) -> frozenset[Concept]:
    """The kinds of imaging study a report title names ("MRI onderbeen links" -> MRI)."""
    folded = fold(title)
    return frozenset(concept for concept, pattern in _modality_patterns() if pattern.search(folded))


@cache
def _imaging_title() -> re.Pattern[str]:
    words = "|".join(re.escape(fold(w)) for w in sorted(report_terms().imaging_titles, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{words})(?![a-z0-9])")


def names_imaging(report: JsonObject) -> bool:
    """True when the report's title names imaging or a kind of study (a TextResult often has no category)."""
    title = report_title(report)
    return bool(title_modalities(title)) or _imaging_title().search(fold(title)) is not None


def with_imaging_text(
    result: ImagingResult, report: JsonObject | None, location: str | None, ctx: ReadContext
) -> ImagingResult:
    """The imaging result with what its report's text and title add (codes win); see the module docstring."""
    if report is None or location is None:
        return result
    source = report_source(report, location, ctx)
    # the report's own code wins; a linked study's DICOM modality is coarser than the title (NM + CT for a
    # "SPECT-CT", MR for a "Whole-body MRI"), so the title still names the kind of study next to it
    named = frozenset() if _report_code_concepts(report, ctx) & MODALITIES else title_modalities(source.title)
    modality = named - result.concepts
    sentences = [display(source.title)] if modality else []
    if named:  # a code with only text ("MRI onderbeen links") was understood after all
        where = f"{location}.code"
        ctx.unrecognized[:] = [u for u in ctx.unrecognized if not (u.location == where and not u.system)]
    findings: frozenset[Concept] = frozenset()
    sites: tuple[Site, ...] = ()
    count: int | None = None
    coded = bool(result.finding_codings) or result.lesion_count is not None
    if not coded and source.text:
        read = read_text(source.text, "imaging")
        findings, count = read.findings, read.lesion_count
        sites = () if result.sites else text_sites(read.bones)
        sentences.extend(read.sentences)
    if not (modality or findings or sites or count is not None):
        return replace(result, report_text=source.presented) if source.presented else result
    reading = TextReading(
        sentences=tuple(dict.fromkeys(sentences)),
        findings=findings,
        modality=modality,
        sites=sites,
        lesion_count=count,
        title=source.title if modality else None,
    )
    return replace(
        result,
        concepts=result.concepts | modality,
        findings=result.findings | findings,
        sites=result.sites or sites,
        lesion_count=result.lesion_count if count is None else count,
        text_reading=reading,
        report_text=source.presented,
    )


def _report_code_concepts(report: JsonObject, ctx: ReadContext) -> frozenset[Concept]:
    """The concepts of the report's own ``code`` (not those of a linked ImagingStudy)."""
    codings = (report.get("code") or {}).get("coding") or []
    return ctx.valuesets.concepts(
        Coding(str(c["system"]), str(c["code"]))
        for c in codings
        if isinstance(c, dict) and c.get("system") and c.get("code")
    )


def with_biopsy_text(biopsy: Biopsy, report: JsonObject | None, location: str | None, ctx: ReadContext) -> Biopsy:
    """The biopsy with what its pathology report's text adds (codes win): the result, and sites if none coded."""
    if report is None or location is None:
        return biopsy
    source = report_source(report, location, ctx)
    if biopsy.result_codings or not source.text:
        return replace(biopsy, report_text=source.presented) if source.presented else biopsy
    read = read_text(source.text, "biopsy")
    sites = () if biopsy.sites else text_sites(read.bones)
    if not (read.findings or sites):
        return replace(biopsy, report_text=source.presented) if source.presented else biopsy
    reading = TextReading(sentences=read.sentences, findings=read.findings, sites=sites)
    return replace(
        biopsy,
        result=biopsy.result | read.findings,
        sites=biopsy.sites or sites,
        text_reading=reading,
        report_text=source.presented,
    )
