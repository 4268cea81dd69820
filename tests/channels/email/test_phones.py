"""Phones written in a mail: the short-cut for texts without digits finds what the matcher does."""

from __future__ import annotations

import pytest

from channels.email.parse import phones_in


@pytest.mark.parametrize("text", ["", "Здравствуйте! Перезвоните мне.", "Room 7, please.", "٣"])
def test_a_text_with_fewer_than_two_digits_has_no_phone(text: str) -> None:
    assert phones_in(text, "RU") == []


@pytest.mark.parametrize(("text", "region", "phone"), [
    ("Tel: +683 4002", None, "+6834002"),  # Niue: four digits are a whole number
    ("tel 4002", "NU", "+6834002"),
    ("+７ ９１２ ３４５ ６７ ８９", "RU", "+79123456789"),  # full-width digits are digits too
])
def test_a_short_or_unusually_written_number_is_still_found(
    text: str, region: str | None, phone: str
) -> None:
    assert phones_in(text, region) == [phone]
