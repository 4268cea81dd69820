"""The auto-reply template reads well whatever is known about the customer and the manager."""

from __future__ import annotations

import pytest

from channels.acknowledgement import AcknowledgedLeads, check_template, render_ack
from leads.errors import StoreUnavailable
from leads.model import IntakeResult

TEMPLATE = "We got your request, {manager} will call you within 15 minutes"


def test_known_manager_and_name_are_filled_in() -> None:
    text = render_ack("Hello {name}! " + TEMPLATE, name="Dilnoza", manager="Aziz")
    assert text == "Hello Dilnoza! We got your request, Aziz will call you within 15 minutes"


def test_an_unknown_manager_reads_as_our_manager() -> None:
    assert render_ack(TEMPLATE) == (
        "We got your request, our manager will call you within 15 minutes"
    )


def test_an_unknown_name_leaves_no_stray_space_or_comma() -> None:
    assert render_ack("Hello {name}, thank you!") == "Hello, thank you!"
    assert render_ack("{name}, thank you!") == "thank you!"


def test_a_fallback_at_the_start_of_a_sentence_is_capitalized() -> None:
    assert render_ack("Thanks! {manager} will call.") == "Thanks! Our manager will call."


def test_an_unknown_placeholder_renders_empty_instead_of_failing() -> None:
    assert render_ack("Order {order} received.") == "Order received."


def test_a_template_with_bad_braces_is_refused() -> None:
    with pytest.raises(ValueError, match="ack_template"):
        check_template("We got {it")
    with pytest.raises(ValueError, match="plain name"):
        check_template("{manager.name}")


async def test_each_lead_is_acknowledged_once_and_duplicates_never() -> None:
    acks = AcknowledgedLeads(capacity=2)
    assert await acks.first_time(IntakeResult(1, 10, 1))
    assert not await acks.first_time(IntakeResult(2, 10, 1))
    assert not await acks.first_time(IntakeResult(3, 11, 1, deduplicated=True))
    assert not await acks.first_time(IntakeResult(None, None, None, ignored="spam"))


class DownMarks:
    async def first(self, key: str) -> bool:
        raise StoreUnavailable("down")


async def test_without_the_shared_marks_no_acknowledgement_is_sent_rather_than_two() -> None:
    assert not await AcknowledgedLeads(DownMarks()).first_time(IntakeResult(1, 10, 1))
