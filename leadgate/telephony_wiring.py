"""The Asterisk channel the `[asterisk]` section enables, with its screen pop."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channels.telephony.settings import TelephonySettings
from leadgate.bootstrap import Core
from routing.calls import ScreenPop, manager_at

if TYPE_CHECKING:  # panoramisk is imported only when [asterisk] is configured
    from channels.telephony.adapter import TelephonyChannel


def telephony_channel(raw: dict[str, Any], core: Core) -> TelephonyChannel | None:
    """The AMI channel, or None without `[asterisk]`; ValueError names a bad key."""
    section = raw.get("asterisk")
    if not section:
        return None
    if not isinstance(section, dict):
        raise ValueError("[asterisk] must be a table")
    from channels.telephony.adapter import TelephonyChannel

    settings = TelephonySettings.from_toml(
        {"default_region": core.settings.default_region} | section
    )

    async def manager_of(extension: str) -> int | None:
        return await manager_at(core.engine, extension)

    return TelephonyChannel(settings, core.health,
                            on_ringing=ScreenPop(core.engine, core.publish),
                            manager_of=manager_of)
