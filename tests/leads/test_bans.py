"""What a ban names, written one way, and which bans stop an event (pure)."""

from __future__ import annotations

import pytest

from leads.bans import ban_keys, bans_for_card, normalize_ban
from leads.intake import IntakePolicy, prepare
from leads.model import ContactEvent, RawIdentity, utcnow


@pytest.mark.parametrize(
    ("kind", "value", "stored"),
    [
        ("phone", "90 123 45 67", ("phone", "+998901234567")),
        ("email", "Bot@Spam.Example", ("email", "bot@spam.example")),
        ("domain", "@Spam.Example.", ("domain", "spam.example")),
        ("telegram", "12345", ("telegram", "12345")),
        ("telegram", "@SpamBot", ("telegram", "@spambot")),
        ("whatsapp", "+998 90 123 45 67", ("whatsapp", "+998901234567")),
        ("instagram", "1784140", ("instagram", "1784140")),
        ("ip", " 10.0.0.1 ", ("ip", "10.0.0.1")),
    ],
)
def test_a_ban_is_stored_the_way_intake_writes_identities(
    kind: str, value: str, stored: tuple[str, str]
) -> None:
    assert normalize_ban(kind, value, "UZ") == stored


@pytest.mark.parametrize(("kind", "value"), [("phone", "12"), ("email", "x"), ("ip", "1.2.3"),
                                             ("domain", "nodot"), ("fax", "1")])
def test_a_value_that_is_not_its_kind_is_refused(kind: str, value: str) -> None:
    with pytest.raises(ValueError):
        normalize_ban(kind, value, "UZ")


def test_an_event_is_banned_by_its_identities_its_mail_domain_and_its_address() -> None:
    event = ContactEvent(
        "webform", "f-1", utcnow(),
        (RawIdentity("phone", "90 123 45 67"), RawIdentity("email", "a@b.uz"),
         RawIdentity("telegram_username", "@SomeOne")),
        details={"client_ip": "10.0.0.1"},
    )
    keys = ban_keys(prepare(event, IntakePolicy(default_region="UZ")))
    assert keys == [("phone", "+998901234567"), ("email", "a@b.uz"), ("domain", "b.uz"),
                    ("telegram", "@someone"), ("ip", "10.0.0.1")]


def test_banning_a_card_never_bans_a_whole_domain() -> None:
    assert bans_for_card([("phone", "+998901234567"), ("email", "a@gmail.com")]) == [
        ("phone", "+998901234567"), ("email", "a@gmail.com")]
