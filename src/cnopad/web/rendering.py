"""Jinja2 environments (one per language, autoescaping on), the filters the templates use, and the
helper that turns a template into a response with the headers every page carries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from babel.dates import format_date
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from cnopad import __version__
from cnopad.services.entries import FORMS
from cnopad.web.i18n import LANGUAGES, translations

#: CommonMark without raw HTML: card details are Markdown written by the knowledge base, never HTML
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def markdown(text: str | None) -> Markup:
    """Render Markdown to safe HTML (raw HTML in the text is escaped, not passed through)."""
    return Markup(_markdown.render(text or ""))  # noqa: S704 - markdown-it escapes raw HTML (html=False)


def _date_filter(lang: str) -> Any:
    def fmt(value: date | None, form: str = "medium") -> str:
        return format_date(value, format=form, locale=lang) if value else ""

    return fmt


def _moment_filter(lang: str) -> Any:
    def fmt(value: datetime | None) -> str:
        # stored and shown in UTC, said so: an audit time must not depend on the reader's clock
        if value is None:
            return ""
        moment = value.astimezone(UTC)
        return f"{format_date(moment.date(), format='medium', locale=lang)} {moment:%H:%M} UTC"

    return fmt


@cache
def environment(lang: str) -> Environment:
    """The template environment of one language (built once per process)."""
    env = Environment(
        loader=PackageLoader("cnopad.web", "templates"),
        autoescape=select_autoescape(("html", "svg", "xml"), default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["date"] = _date_filter(lang)
    env.filters["moment"] = _moment_filter(lang)
    env.filters["markdown"] = markdown
    env.globals["lang"] = lang
    env.globals["other_languages"] = tuple(other for other in LANGUAGES if other != lang)
    env.globals["version"] = __version__
    env.globals["form_fields"] = lambda name: FORMS[name]
    return env


def render(lang: str, template: str, **context: Any) -> str:
    """Render ``template`` in ``lang``."""
    return environment(lang).get_template(template).render(**context)
