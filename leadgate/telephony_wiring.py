"""The Asterisk channel the `[asterisk]` section enables, with its screen pop."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from channels.telephony.adapter import TelephonyChannel
from channels.telephony.settings import TelephonySettings
from crm_store.routing_tables import managers
from leadgate.bootstrap import Core
from leadgate.screen_pop import ScreenPop


def telephony_channel(raw: dict[str, Any], core: Core) -> TelephonyChannel | None:
    """The AMI channel, or None without `[asterisk]`; ValueError names a bad key."""
    section = raw.get("asterisk")
    if not section:
        return None
    if not isinstance(section, dict):
        raise ValueError("[asterisk] must be a table")
    settings = TelephonySettings.from_toml(
        {"default_region": core.settings.default_region} | section
    )

    async def manager_of(extension: str) -> int | None:
        async with core.engine.connect() as conn:
            found = await conn.scalar(
                select(managers.c.id).where(managers.c.extension == extension))
        return int(found) if found is not None else None

    return TelephonyChannel(settings, core.health, on_ringing=ScreenPop(core, core.publish),
                            manager_of=manager_of)
