"""Jinja2 environments (one per language, autoescaping on), the filters the templates use, and the
helper that turns a template into a response with the headers every page carries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import urlencode

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


#: the Babel locale of each language's dates: British English writes day, month, year as Dutch does, so a date
#: reads the same way in both languages ("21 dec 2026", "21 Dec 2026"); one style everywhere in the app
DATE_LOCALES = {"nl": "nl_NL", "en": "en_GB"}


def _date_filter(lang: str) -> Any:
    locale = DATE_LOCALES.get(lang, lang)

    def fmt(value: date | None, form: str = "medium") -> str:
        return format_date(value, format=form, locale=locale) if value else ""

    return fmt


def _moment_filter(lang: str) -> Any:
    locale = DATE_LOCALES.get(lang, lang)

    def fmt(value: datetime | None) -> str:
        # stored and shown in UTC, said so: an audit time must not depend on the reader's clock
        if value is None:
            return ""
        moment = value.astimezone(UTC)
        return f"{format_date(moment.date(), format='medium', locale=locale)} {moment:%H:%M} UTC"

    return fmt


def fill_url(patient_id: str, form: str, values: dict[str, str]) -> str:
    """The patient page with one record-entry form opened and filled in (a suggestion's or a task's link)."""
    return f"/patients/{patient_id}?{urlencode({'fill': form, **values})}#form-{form}"


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
    env.globals["fill_url"] = fill_url
    env.globals["one_day"] = timedelta(days=1)
    # the snooze date offered first: four weeks, about the next visit (a product choice; any date may be chosen)
    env.globals["snooze_default"] = timedelta(days=28)
    return env


def render(lang: str, template: str, **context: Any) -> str:
    """Render ``template`` in ``lang``."""
    return environment(lang).get_template(template).render(**context)
