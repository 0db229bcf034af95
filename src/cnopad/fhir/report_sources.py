"""The free text a DiagnosticReport carries: ``conclusion`` and readable ``presentedForm`` attachments.

``presentedForm`` is read when it is inline (base64 ``data``) text: ``text/plain``, or ``text/html`` /
``application/xhtml+xml`` with the tags stripped by the standard library's HTML parser (no scripts or
styles, no network, no external entities). Anything else — a PDF, an attachment by ``url`` only, data
that is not base64 or not in its charset, or a text over :data:`MAX_TEXT_CHARS` — is set aside and listed
as not read, never guessed at. The nl-core TextResult profile (zib TextResult) puts the whole report in
``conclusion``; that is read like any conclusion.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from cnopad.fhir.read_context import JsonObject, ReadContext, Unrecognized

#: the code system of MIME types (BCP 13), for listing an attachment cnopad did not read
MIME_SYSTEM = "urn:ietf:bcp:13"
#: a report longer than this is not read (a radiology or pathology report is a few thousand characters)
MAX_TEXT_CHARS = 100_000
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
#: elements whose end starts a new line (so a paragraph or list item is a sentence of its own)
_BLOCKS = frozenset({"p", "br", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul"})
_HIDDEN = frozenset({"script", "style", "head", "title"})


@dataclass(frozen=True, slots=True)
class ReportSource:
    """The readable text of one report: its title, the conclusion, and the presentedForm text."""

    title: str
    conclusion: str | None
    presented: str | None

    @property
    def text(self) -> str:
        """Everything readable, conclusion first (blank lines between parts)."""
        return "\n\n".join(t for t in (self.conclusion, self.presented) if t)


def report_title(report: JsonObject) -> str:
    """The report's name as people wrote it: ``code.text``, else the displays of its codings."""
    code = report.get("code") or {}
    text = code.get("text")
    if isinstance(text, str) and text.strip():
        return text
    displays = [c.get("display") for c in code.get("coding") or [] if isinstance(c, dict)]
    return " ".join(d for d in displays if isinstance(d, str) and d)


def report_source(report: JsonObject, location: str, ctx: ReadContext) -> ReportSource:
    """The readable text of a DiagnosticReport; attachments that cannot be read are listed in ``ctx``."""
    conclusion = report.get("conclusion")
    if not isinstance(conclusion, str) or not conclusion.strip():
        conclusion = None
    elif len(conclusion) > MAX_TEXT_CHARS:
        _set_aside(ctx, f"{location}.conclusion", "text/plain", "report text too long to read")
        conclusion = None
    parts: list[str] = []
    for index, form in enumerate(report.get("presentedForm") or []):
        if not isinstance(form, dict):
            continue
        where = f"{location}.presentedForm[{index}]"
        text = _attachment_text(form, where, ctx)
        if text and text.strip():
            parts.append(text.strip())
    return ReportSource(report_title(report), conclusion, "\n\n".join(parts) or None)


def _attachment_text(form: JsonObject, where: str, ctx: ReadContext) -> str | None:
    raw_type = str(form.get("contentType") or "")
    mime, _, params = raw_type.partition(";")
    mime = mime.strip().lower()
    if mime != "text/plain" and mime not in _HTML_TYPES:
        _set_aside(ctx, where, raw_type, "report attachment not read (only text/plain and text/html are)")
        return None
    data = form.get("data")
    if not isinstance(data, str) or not data:
        _set_aside(ctx, where, raw_type, "report attachment not read (no inline data; a url is not fetched)")
        return None
    if len(data) > MAX_TEXT_CHARS * 4 // 3 + 4:
        _set_aside(ctx, where, raw_type, "report text too long to read")
        return None
    try:
        raw = base64.b64decode("".join(data.split()), validate=True)
        text = raw.decode(_charset(params))
    except (binascii.Error, ValueError, LookupError):
        _set_aside(ctx, where, raw_type, "report attachment not read (not base64 text in its charset)")
        return None
    return html_text(text) if mime in _HTML_TYPES else text


def _charset(params: str) -> str:
    match = re.search(r"charset\s*=\s*\"?([A-Za-z0-9._-]+)", params)
    return match.group(1) if match else "utf-8"


def _set_aside(ctx: ReadContext, where: str, content_type: str, reason: str) -> None:
    ctx.unrecognized.append(Unrecognized(where, MIME_SYSTEM, content_type or "(none)", reason))


class _TextOnly(HTMLParser):
    """Collects the text of an HTML document: block ends become line breaks, scripts and styles are dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_text(markup: str) -> str:
    """The visible text of an HTML or XHTML fragment, one line per block element."""
    parser = _TextOnly()
    parser.feed(markup)
    parser.close()
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)
