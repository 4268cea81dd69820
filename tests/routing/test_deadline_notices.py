"""Deadline messages read well in the managers' bot and mail; the systems-only copy stays quiet."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from routing import deadline_messages
from routing.notifiers import AllNotifiers
from routing.notifiers.text import body

AZIZ = SimpleNamespace(id=2, login="aziz", name="Aziz", email="aziz@example.uz",
                       telegram_chat_id=5002)
OLGA = SimpleNamespace(id=1, login="olga", name="Olga", email=None, telegram_chat_id=5001)
DUE = datetime(2026, 11, 2, 7, 15, tzinfo=UTC)
SUMMARY = {"name": "Dilnoza", "phones": ["+998901234567"], "channel": "call", "customer_id": 7}


class Recorder:
    def __init__(self) -> None:
        self.told: list[str] = []

    async def notify(self, routing_key: str, payload: dict[str, Any]) -> None:
        self.told.append(routing_key)


async def test_the_reminder_and_the_team_leads_alert_are_told_and_the_systems_copy_is_not() -> None:
    recorder = Recorder()
    notifiers = AllNotifiers([recorder])
    for message in (deadline_messages.callback_due(9, AZIZ, DUE, SUMMARY),
                    deadline_messages.callback_overdue(9, AZIZ, DUE, SUMMARY, escalated=False),
                    deadline_messages.callback_overdue(9, OLGA, DUE, SUMMARY, escalated=True),
                    deadline_messages.contact_overdue(9, OLGA, AZIZ.id, DUE, SUMMARY)):
        await notifiers.notify(message.routing_key, message.payload)

    assert recorder.told == ["lead.callback_due.2", "lead.callback_overdue.1",
                             "lead.contact_overdue.1"]


def test_a_callback_reminder_says_whom_to_call_and_by_when() -> None:
    message = deadline_messages.callback_due(9, AZIZ, DUE, SUMMARY)
    text = body(message.routing_key, message.payload, "https://leads.example.uz")

    assert message.message_id == f"lead.callback_due:9:{DUE.timestamp():.0f}"
    assert text.splitlines()[:4] == ["Call back now — lead #9", "Name: Dilnoza",
                                     "Phone: +998901234567", "Channel: call"]
    assert "Due 07:15 UTC" in text
