"""UI text in message catalogues (Babel): English, French and German.

The catalogues (`translations/<lang>/LC_MESSAGES/messages.po`) are compiled in memory when the
portal starts, so no .mo file is kept in git. The language is the one the person chose with the
switch (kept in the session), else the best of the browser's Accept-Language, else English."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.requests import Request

LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français", "de": "Deutsch"}
DEFAULT_LANGUAGE = "en"
CATALOGUES = Path(__file__).parent / "translations"

Gettext = Callable[..., str]


def N_(message: str) -> str:  # the conventional name pybabel extracts (-k N_)
    """Marks a message for extraction where it is declared; translated where it is shown."""
    return message


@functools.cache
def catalogue(language: str) -> NullTranslations:
    """The compiled catalogue of a language; English (or a missing file) shows the msgids."""
    path = CATALOGUES / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not path.exists():
        return NullTranslations()
    with path.open("rb") as po:
        messages = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, messages, use_fuzzy=False)
    compiled.seek(0)
    return Translations(fp=compiled)


def load_all() -> None:
    """Compile every catalogue once at start, so a broken one fails the start, not a page."""
    for language in LANGUAGES:
        catalogue(language)


def from_accept_language(header: str | None) -> str:
    """The best of en/fr/de for an Accept-Language header ("fr-CH, fr;q=0.9, en;q=0.8")."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def language(request: Request) -> str:
    chosen = request.session.get("lang") if "session" in request.scope else None
    if isinstance(chosen, str) and chosen in LANGUAGES:
        return chosen
    return from_accept_language(request.headers.get("accept-language"))


def translations(request: Request) -> NullTranslations:
    return catalogue(language(request))


def gettext_for(request: Request) -> Gettext:
    """`_ = gettext_for(request)`, then `_("Signed out.")` or `_("Hello %(name)s", name=...)`."""
    found = translations(request)

    def gettext(message: str, **params: Any) -> str:
        text = found.gettext(message)
        return text % params if params else text

    return gettext


def ngettext_for(request: Request) -> Callable[..., str]:
    found = translations(request)

    def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
        text = found.ngettext(singular, plural, n)
        return text % {"num": n, **params}

    return ngettext
