"""Languages of the workspace: catalogs, the Accept-Language choice and the switch's cookie."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES = ("ru", "uz", "en")
DEFAULT = "en"
COOKIE = "leadgate_lang"


@cache
def catalog(lang: str) -> dict[str, str]:
    """The catalog of one language (key → text with {placeholders})."""
    text = resources.files("workspace").joinpath("catalogs", f"{lang}.json").read_text("utf-8")
    loaded: dict[str, str] = json.loads(text)
    return loaded


class Translator:
    """Texts in one language, falling back to English, then to the key itself."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT
        self._texts = catalog(self.lang)
        self._fallback = catalog(DEFAULT)

    def __call__(self, key: str, **values: Any) -> str:
        """The text for `key` with its placeholders filled."""
        text = self._texts.get(key) or self._fallback.get(key) or key
        return text.format(**values) if values else text

    def reason(self, text: str | None) -> str:
        """A routing reason (recorded in English) in this language when the catalog knows it."""
        if not text:
            return ""
        return self._texts.get(f"reason.{text}") or text


def choose(cookie: str | None, accept_language: str | None) -> str:
    """The switch's choice if made, else the best of Accept-Language, else English."""
    if cookie in LANGUAGES:
        return str(cookie)
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower().split("-")[0]))
    for _, _, base in sorted(ranked):
        if base in LANGUAGES:
            return base
    return DEFAULT
