"""A sales floor for routing tests: two teams, four managers, one rule, and ways to change them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.uow import SqlUnitOfWork

OLGA, AZIZ, IRA, TIMUR = 1, 2, 3, 4  # ids follow the order of [managers] below

FLOOR: dict[str, Any] = {
    "managers": {
        "olga": {"name": "Olga Petrova", "capacity": 5, "telegram_chat_id": 5001,
                 "email": "olga@example.uz"},
        "aziz": {"name": "Aziz Yusupov", "capacity": 5, "telegram_chat_id": 5002},
        "ira": {"name": "Ira Kim", "capacity": 5, "telegram_chat_id": 5003},
        "timur": {"name": "Timur Aliev", "capacity": 5, "telegram_chat_id": 5004},
    },
    "teams": {
        "sales": {"members": ["olga", "aziz"]},
        "instagram": {"members": ["ira", "timur"], "lead": "olga"},
    },
    "routing": {
        "rules": [{"match": {"utm_source": "instagram"}, "team": "instagram"}],
        "default_team": "sales",
    },
}


def floor(accept_minutes: float = 5, sla_tick_seconds: float = 5.0) -> dict[str, Any]:
    """The floor with another accept time for the instagram team and another SLA tick."""
    teams = {**FLOOR["teams"], "instagram": {**FLOOR["teams"]["instagram"],
                                             "accept_minutes": accept_minutes}}
    return {**FLOOR, "teams": teams,
            "routing": {**FLOOR["routing"], "sla_tick_seconds": sla_tick_seconds}}


async def change_manager(engine: AsyncEngine, login: str, **fields: Any) -> None:
    """Change a manager as `leadgate managers set` does."""
    async with SqlUnitOfWork(engine) as uow:
        await uow.staff.upsert_manager(login, fields)
        await uow.commit()
