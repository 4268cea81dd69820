"""The Asterisk channel the `[asterisk]` section enables, with its screen pop."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from channels.telephony.settings import TelephonySettings
from leadgate.bootstrap import Core
from routing.calls import ScreenPop, manager_at

if TYPE_CHECKING:  # panoramisk is imported only when [asterisk] is configured
    from channels.telephony.adapter import TelephonyChannel


def telephony_channel(raw: dict[str, Any], core: Core) -> TelephonyChannel | None:
    """The AMI channel, or None without `[asterisk]`; ValueError names a bad key."""
    settings = TelephonySettings.from_config(raw, core.settings.default_region)
    if settings is None:
        return None
    from channels.telephony.adapter import TelephonyChannel

    return TelephonyChannel(settings, core.health,
                            on_ringing=ScreenPop(core.engine, core.publish),
                            manager_of=partial(manager_at, core.engine))
