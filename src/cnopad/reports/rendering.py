"""Printable documents as HTML (Jinja2, autoescaped) and as PDF (WeasyPrint, tagged, no network access).

The surface that asks for a document hands over the catalog of the language (gettext translations), so
documents and pages share one set of Babel catalogs.
"""

from __future__ import annotations

from importlib import resources
from typing import Any, Protocol

from babel.dates import format_date
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from cnopad.errors import ConfigError

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def N_(message: str) -> str:
    """Mark a string for the catalogs; it is translated when printed."""
    return message


class Catalog(Protocol):
    """What a language catalog offers (babel.support.Translations has both)."""

    def gettext(self, message: str) -> str: ...
    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


_ENVIRONMENTS: dict[str, Environment] = {}


def environment(lang: str, catalog: Catalog) -> Environment:
    """The document template environment of ``lang`` (one per language per process)."""
    env = _ENVIRONMENTS.get(lang)
    if env is None:
        env = Environment(
            loader=PackageLoader("cnopad.reports", "templates"),
            autoescape=select_autoescape(("html",), default_for_string=True),
            undefined=StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]
        env.filters["date"] = lambda value, form="medium": format_date(value, format=form, locale=lang) if value else ""
        env.filters["markdown"] = lambda text: Markup(_markdown.render(text or ""))  # noqa: S704 - html=False
        env.globals["lang"] = lang
        _ENVIRONMENTS[lang] = env
    return env


def render_html(lang: str, catalog: Catalog, template: str, **context: Any) -> str:
    """A document as an HTML page."""
    return environment(lang, catalog).get_template(template).render(**context)


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # a document never loads anything from outside (no SSRF through a crafted link or image)
    msg = f"documents load no external resources ({url[:40]})"
    raise ConfigError(msg)


def print_css() -> str:
    """The print stylesheet shared by every document."""
    return resources.files("cnopad.reports").joinpath("templates", "print.css").read_text(encoding="utf-8")


def to_pdf(html: str) -> bytes:
    """Render HTML to a tagged PDF/UA-1 (title and language from the page's <title> and lang)."""
    from weasyprint import CSS, HTML

    document = HTML(string=html, url_fetcher=_no_fetch, base_url=None)
    pdf: bytes = document.write_pdf(stylesheets=[CSS(string=print_css())], pdf_variant="pdf/ua-1")
    return pdf
