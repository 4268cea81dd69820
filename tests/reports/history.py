"""A known sales history, built through intake and the lead desk on a controllable clock.

Company time zone Asia/Tashkent (UTC+5); the report range is 2 to 3 November 2026.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from leadgate.compose import Store
from leads.model import ContactEvent, RawIdentity

AZIZ, IRA = 1, 2  # ids follow the order of [managers] below
ZONE = "Asia/Tashkent"
FIRST, LAST = "2026-11-02", "2026-11-03"
DID = {"did": "74951234567", "source": "yandex_direct"}

FLOOR: dict[str, Any] = {
    "timezone": ZONE,
    "managers": {"aziz": {"name": "Aziz Yusupov", "capacity": 20},
                 "ira": {"name": "Ira Kim", "capacity": 20}},
    "teams": {"sales": {"members": ["aziz"]}, "instagram": {"members": ["ira"]}},
    "routing": {"rules": [{"match": {"utm_source": "instagram"}, "team": "instagram"}],
                "default_team": "sales"},
}


def at(text: str) -> datetime:
    """A UTC moment written "2026-11-02 04:00"."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


@dataclass
class Clock:
    """The time the desk sees; tests move it."""

    now: datetime = datetime(2026, 11, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _form(n: int, opened: datetime, **attribution: str) -> ContactEvent:
    return ContactEvent(channel="webform", external_id=f"form-{n}", occurred_at=opened,
                        identities=(RawIdentity("phone", f"+99890100000{n}"),),
                        attribution={"form": "contact", **attribution})


def _missed(n: int, opened: datetime, attribution: dict[str, str]) -> ContactEvent:
    return ContactEvent(channel="call", external_id=f"missed-{n}", occurred_at=opened,
                        identities=(RawIdentity("phone", f"+99890100000{n}"),),
                        attribution=attribution, details={"disposition": "missed"},
                        callback="request")


def call_out(n: int, at_: datetime, manager: int, answered: bool = True) -> ContactEvent:
    """A manager's outbound call to customer `n`."""
    return ContactEvent(channel="call", external_id=f"out-{n}-{at_.timestamp():.0f}",
                        occurred_at=at_, identities=(RawIdentity("phone", f"+99890100000{n}"),),
                        details={"disposition": "answered" if answered else "missed",
                                 "manager_id": manager},
                        direction="outbound", callback="fulfilled" if answered else None)


async def build(core: Store, clock: Clock) -> dict[int, int]:
    """Store the history; answers lead id by customer number."""
    core.desk.clock = clock
    opened = {
        1: _form(1, at("2026-11-02 04:00"), utm_source="instagram"),
        2: _form(2, at("2026-11-02 05:00"), utm_source="instagram"),
        3: _form(3, at("2026-11-02 06:00")),
        4: _missed(4, at("2026-11-02 07:00"), DID),
        5: _missed(5, at("2026-11-03 08:00"), DID),
        6: _missed(6, at("2026-11-03 09:00"), {}),
        7: _form(7, at("2026-11-01 18:30")),  # 1 November, 23:30 in Tashkent: outside
        8: ContactEvent(channel="telegram", external_id="tg-8", occurred_at=at(
            "2026-11-01 19:30"), identities=(RawIdentity("telegram", "708"),)),  # 2 Nov 00:30
        9: _form(9, at("2026-11-03 19:30")),  # 4 November, 00:30 in Tashkent: outside
    }
    lead = {n: (await core.intake(event)).lead_id or 0 for n, event in opened.items()}
    for n, seconds in ((1, 60), (2, 120), (3, 30), (4, 90), (7, 10)):
        clock.now = opened[n].occurred_at + timedelta(seconds=seconds)
        await core.desk.accept(lead[n], None)
    for n, seconds, manager in ((1, 300, IRA), (2, 600, IRA), (4, 600, AZIZ), (5, 1800, AZIZ)):
        await core.intake(call_out(n, opened[n].occurred_at + timedelta(seconds=seconds), manager))
    await core.intake(call_out(6, at("2026-11-03 09:05"), AZIZ, answered=False))  # no answer
    for n, status in ((1, "won"), (2, "lost"), (3, "spam"), (4, "won")):
        await core.desk.close(lead[n], status, None)
    return lead
