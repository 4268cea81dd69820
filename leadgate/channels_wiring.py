"""Which channels the configuration enables: one line per channel adapter."""

from __future__ import annotations

from dataclasses import dataclass, field

from channels.base import Channel, WebhookChannel
from channels.webforms.adapter import WebFormsChannel
from channels.webforms.settings import WebFormsSettings
from leadgate.bootstrap import Core
from leadgate.settings import ConfigError, Settings


@dataclass
class EnabledChannels:
    """Channels living in the HTTP server, and channels running their own loop."""

    webhooks: list[WebhookChannel] = field(default_factory=list)
    loops: list[Channel] = field(default_factory=list)


def build_channels(settings: Settings, core: Core) -> EnabledChannels:
    """Build every channel the configuration enables; ConfigError names a bad section."""
    enabled = EnabledChannels()
    try:
        forms = WebFormsSettings.from_toml(settings.section("forms"), settings.section("webforms"))
    except ValueError as err:
        raise ConfigError(str(err)) from err
    enabled.webhooks.append(WebFormsChannel(forms, settings.default_region))
    return enabled
