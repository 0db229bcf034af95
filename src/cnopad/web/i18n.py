"""Languages of the web app and its printed documents: Babel catalogs compiled in memory at start-up.

The ``.po`` files under ``web/locale`` are the source; they are read and compiled once per process
(no binary ``.mo`` build step). msgids are English; Dutch is the default language of the product.
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from cnopad.errors import ConfigError

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
LANG_COOKIE = "cnopad_lang"


def N_(message: str) -> str:
    """Mark a string for the catalogs without translating it here (it is translated when shown)."""
    return message


def pick_language(query: str | None, cookie: str | None) -> str:
    """The language of a request: ``?lang=`` first, then the cookie, else Dutch."""
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return str(candidate)
    return DEFAULT_LANGUAGE


@cache
def translations(lang: str) -> Translations:
    """The compiled catalog of ``lang`` (read from its .po file once per process)."""
    if lang not in LANGUAGES:
        msg = f"no catalog for language {lang!r}"
        raise ConfigError(msg)
    source = resources.files("cnopad.web").joinpath("locale", lang, "LC_MESSAGES", "messages.po")
    with source.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer)


def gettext(lang: str, message: str) -> str:
    """``message`` in ``lang``."""
    return translations(lang).gettext(message)
