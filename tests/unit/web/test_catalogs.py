"""Every visible string of the web app and the documents is translated: the templates contain no text
outside gettext, every message in the code and templates is in the nl and en catalogs with a translation,
and translations keep the placeholders of their message."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import ClassVar

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from cnopad.web.i18n import LANGUAGES, translations

PACKAGES = ("cnopad.web", "cnopad.reports")
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}}
#: attributes whose values people see or hear
VISIBLE_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "aria-description"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
#: words that are the same in every language: the product's name, code systems, statement ids
NEUTRAL = re.compile(r"^(cnopad|AGB|(NHG|CRMO)-[A-Z0-9-]+-\d+)$")


def _root(package: str) -> Path:
    return Path(str(resources.files(package)))


def extracted() -> dict[str | tuple[str, ...], str]:
    """msgid -> the file it comes from, for every message in code and templates."""
    found: dict[str | tuple[str, ...], str] = {}
    for package in PACKAGES:
        root = _root(package)
        for filename, _line, message, _comments, _context in extract_from_dir(
            root,
            METHODS,
            OPTIONS,
            keywords=KEYWORDS,  # type: ignore[arg-type]
        ):
            key = message if isinstance(message, str) else tuple(m for m in message if m)
            if key:
                found[key] = f"{package}/{filename}"
    return found


def catalog(lang: str) -> Catalog:
    """The .po catalog of ``lang``."""
    path = _root("cnopad.web") / "locale" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=lang)


def test_the_code_and_templates_have_messages_to_translate() -> None:
    messages = extracted()
    assert len(messages) > 200
    assert "Worklist" in messages


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_in_the_catalog_with_a_translation(lang: str) -> None:
    po = catalog(lang)
    problems = []
    for key, where in extracted().items():
        msgid = key if isinstance(key, str) else key[0]
        entry = po.get(msgid)
        if entry is None:
            problems.append(f"missing in {lang}: {msgid!r} ({where})")
        elif entry.fuzzy:
            problems.append(f"fuzzy in {lang}: {msgid!r}")
        elif isinstance(entry.string, tuple) and not all(entry.string):
            problems.append(f"untranslated plural in {lang}: {msgid!r}")
        elif not entry.string:
            problems.append(f"untranslated in {lang}: {msgid!r} ({where})")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_catalog_holds_no_message_the_code_no_longer_uses(lang: str) -> None:
    used = {k if isinstance(k, str) else k[0] for k in extracted()}
    stale = [m.id for m in catalog(lang) if m.id and (m.id if isinstance(m.id, str) else m.id[0]) not in used]
    assert not stale, stale


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders_of_their_message(lang: str) -> None:
    for entry in catalog(lang):
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) <= wanted, (entry.id, text)


def test_the_dutch_catalog_is_really_dutch() -> None:
    entries = [m for m in catalog("nl") if m.id and isinstance(m.id, str)]
    differ = [m for m in entries if m.string != m.id]
    assert len(differ) / len(entries) > 0.8


def test_the_compiled_catalogs_translate() -> None:
    assert translations("nl").gettext("Worklist") == "Werklijst"
    assert translations("en").gettext("Worklist") == "Worklist"


class _VisibleText(HTMLParser):
    """Collects text and visible attribute values outside script, style and translate="no" elements."""

    VOID: ClassVar[set[str]] = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.found: list[str] = []

    def _hidden(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        skip = tag in ("script", "style") or values.get("translate") == "no"
        if not (self._hidden() or skip):
            self.found.extend(v for k, v in attrs if k in VISIBLE_ATTRIBUTES and v)
        if tag not in self.VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._hidden():
            self.found.append(data)


_JINJA = [
    re.compile(r"\{#.*?#\}", re.S),
    re.compile(r"\{%-?\s*trans\b.*?endtrans\s*-?%\}", re.S),
    re.compile(r"\{\{.*?\}\}", re.S),
    re.compile(r"\{%.*?%\}", re.S),
]


def _templates() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (_root(package) / "templates").glob("*.html"))


@pytest.mark.parametrize("template", _templates(), ids=lambda p: p.name)
def test_a_template_shows_no_text_outside_gettext(template: Path) -> None:
    source = template.read_text(encoding="utf-8")
    for pattern in _JINJA:
        source = pattern.sub(" ", source)
    parser = _VisibleText()
    parser.feed(source)
    words = [
        word
        for text in parser.found
        for word in re.findall(r"[\wÀ-ÿ-]+", text)
        if re.search(r"[A-Za-zÀ-ÿ]", word) and not NEUTRAL.match(word)
    ]
    assert not words, f"{template.name}: untranslated text {words}"
