"""Every text of the portal is translated: the messages pybabel extracts from the portal's
modules and templates (services/portal/babel.cfg) each have a French and a German
translation with the same placeholders, and the catalogues compile."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from portal import i18n

PORTAL = Path(i18n.__file__).parent
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extracted() -> set[str | tuple[str, ...]]:
    found: set[str | tuple[str, ...]] = set()
    for _, _, message, _, _ in extract_from_dir(PORTAL, METHODS, keywords=KEYWORDS):
        found.add(tuple(message) if isinstance(message, (list, tuple)) else message)
    return found


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)s", text))


@pytest.mark.parametrize("language", ["fr", "de"])
def test_every_message_is_translated(language: str) -> None:
    path = i18n.CATALOGUES / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalogue = read_po(po, locale=language)
    untranslated = []
    for message in sorted(extracted(), key=str):
        entry = catalogue.get(message[0] if isinstance(message, tuple) else message)
        strings = entry.string if entry is not None else None
        if isinstance(message, tuple):
            ok = isinstance(strings, tuple) and all(strings) and len(strings) == 2
        else:
            ok = bool(strings) and placeholders(str(strings)) == placeholders(message)
        if not ok:
            untranslated.append(message)
    assert not untranslated, (
        f"{len(untranslated)} messages without a {language} translation: {untranslated[:20]}"
    )


def test_the_catalogues_compile() -> None:
    i18n.catalogue.cache_clear()
    i18n.load_all()
    assert i18n.catalogue("fr").gettext("Sign in") == "Se connecter"
    assert i18n.catalogue("de").gettext("Sign in") == "Anmelden"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("fr-CH, fr;q=0.9, en;q=0.8", "fr"),
        ("de-AT,de;q=0.9", "de"),
        ("it, de;q=0.3, fr;q=0.5", "fr"),
        ("es", "en"),
        (None, "en"),
        ("fr;q=0", "en"),
    ],
)
def test_the_language_follows_accept_language(header: str | None, language: str) -> None:
    assert i18n.from_accept_language(header) == language
