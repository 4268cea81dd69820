"""Russian, Uzbek (Latin) and English: full catalogs, chosen by Accept-Language or a switch."""

from __future__ import annotations

import re
from importlib import resources

from workspace.i18n import LANGUAGES, Translator, catalog, choose


def test_every_catalog_has_every_key_and_every_key_used_by_a_template_exists() -> None:
    keys = {lang: set(catalog(lang)) for lang in LANGUAGES}
    templates = resources.files("workspace").joinpath("templates")
    used = {key for page in templates.iterdir() if page.name.endswith(".html")
            for key in re.findall(r'\bt\("([a-z_.]+[a-z_])"\)', page.read_text("utf-8"))}

    assert keys["ru"] == keys["en"] == keys["uz"]
    assert used and used <= keys["en"], used - keys["en"]


def test_the_english_buttons_read_exactly_as_the_contract_names_them() -> None:
    t = Translator("en")

    assert [t(f"action.{a}") for a in ("accept", "pass", "call", "reply", "won", "lost", "spam")] \
        == ["Accept", "Pass", "Call", "Reply", "Won", "Lost", "Spam"]


def test_uzbek_is_written_in_latin_letters() -> None:
    texts = " ".join(catalog("uz").values())

    assert not re.search(r"[\u0400-\u04ff]", texts)


def test_the_language_comes_from_the_switch_then_accept_language_then_english() -> None:
    assert choose("uz", "ru-RU,ru;q=0.9") == "uz"
    assert choose(None, "uz-UZ,ru;q=0.8,en;q=0.5") == "uz"
    assert choose(None, "de-DE,de;q=0.9,ru;q=0.5") == "ru"
    assert choose(None, "lt, en;q=0.1") == "en"
    assert choose("xx", "fr") == "en"
    assert choose(None, "ru;q=oops, en") == "en"


def test_routing_reasons_recorded_in_english_read_in_the_managers_language() -> None:
    ru = Translator("ru")

    assert ru.reason("sticky owner") == "ответственный за клиента"
    assert ru.reason("at capacity (5/5)") == "at capacity (5/5)"
    assert ru.reason(None) == ""
