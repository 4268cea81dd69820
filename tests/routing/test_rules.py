"""Routing rules: config checks, first match wins, and the facts rules see."""

from __future__ import annotations

import pytest

from leads.intake import IntakePolicy, prepare
from leads.model import ContactEvent, RawIdentity, utcnow
from routing.rules import LeadFacts, first_matching, guess_language, lead_facts, parse_rules

TEAMS = ["sales", "uz", "vip"]


def event(text: str = "", phone: str = "+998901234567", **attribution: str) -> ContactEvent:
    return ContactEvent(channel="webform", external_id="x1", occurred_at=utcnow(),
                        identities=(RawIdentity("phone", phone),), text=text,
                        attribution=attribution)


def test_first_matching_rule_wins() -> None:
    rules = parse_rules([
        {"match": {"utm_source": "instagram"}, "team": "vip"},
        {"match": {"channel": "webform"}, "team": "sales"},
    ], TEAMS)

    facts = LeadFacts("webform", {"utm_source": "Instagram"})

    assert first_matching(rules, facts) == rules[0]


def test_every_condition_of_a_rule_must_hold() -> None:
    rules = parse_rules([{"match": {"channel": "call", "did": "+998712000000"}, "team": "uz"}],
                        TEAMS)

    assert first_matching(rules, LeadFacts("call", {"did": "998712000000"})) is not None
    assert first_matching(rules, LeadFacts("call", {"did": "998712000001"})) is None


def test_the_phone_country_and_keywords_are_facts() -> None:
    prepared = prepare(event("Хочу узнать цену на доставку"), IntakePolicy())
    rules = parse_rules([
        {"match": {"country": "LT"}, "team": "vip"},
        {"match": {"country": "UZ", "keyword": ["цену", "price"]}, "team": "uz"},
    ], TEAMS)

    facts = lead_facts(prepared)

    assert facts.get("country") == "UZ"
    assert facts.get("language") == "ru"
    assert first_matching(rules, facts) == rules[1]


@pytest.mark.parametrize(("text", "language"), [
    ("Здравствуйте, нужна консультация", "ru"),
    ("Salom, narxi qancha? Oʻzbekiston", "uz"),
    ("Ассалому алайкум, қанча туради", "uz"),
    ("Laba diena, norėčiau užsisakyti", "lt"),
    ("Hello", None),
])
def test_language_is_guessed_from_the_letters(text: str, language: str | None) -> None:
    assert guess_language(text) == language


@pytest.mark.parametrize(("raw", "message"), [
    ([{"match": {"utm_source": "x"}, "team": "nobody"}], "not a \\[teams"),
    ([{"match": {"colour": "red"}, "team": "sales"}], "unknown"),
    ({"team": "sales"}, "array of tables"),
    ([{"match": {"utm_source": {"a": 1}}, "team": "sales"}], "string or a list"),
])
def test_a_wrong_rule_is_refused_with_a_reason(raw: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_rules(raw, TEAMS)


def test_a_dialed_numbers_source_counts_as_utm_source() -> None:
    call = ContactEvent(channel="call", external_id="1795334023.0", occurred_at=utcnow(),
                        identities=(RawIdentity("phone", "+79161234567"),),
                        attribution={"did": "74951234567", "source": "yandex_direct"})
    rules = parse_rules([{"match": {"utm_source": "yandex_direct"}, "team": "vip"}], TEAMS)

    assert first_matching(rules, lead_facts(prepare(call, IntakePolicy()))) == rules[0]
