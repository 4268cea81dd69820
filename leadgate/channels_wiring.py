"""Which channels the configuration enables: one line per channel adapter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from channels.base import Channel, WebhookChannel
from channels.messengers.instagram import settings as instagram_settings
from channels.messengers.instagram.adapter import InstagramChannel
from channels.messengers.telegram.settings import TelegramSettings
from channels.messengers.whatsapp import settings as whatsapp_settings
from channels.messengers.whatsapp.adapter import WhatsAppChannel
from channels.sms.adapter import SmsChannel
from channels.sms.settings import SmsSettings
from channels.webforms.adapter import WebFormsChannel
from channels.webforms.settings import WebFormsSettings
from leadgate.api_telephony import Originator
from leadgate.bootstrap import Core
from leadgate.email_wiring import email_channels
from leadgate.settings import Settings
from leadgate.telephony_wiring import telephony_channel
from leads.errors import ConfigError

if TYPE_CHECKING:  # aiogram costs seconds and tens of MiB: imported only when a bot is configured
    from channels.messengers.telegram.adapter import TelegramBotChannel


@dataclass
class EnabledChannels:
    """Channels living in the HTTP server, and channels running their own loop."""

    webhooks: list[WebhookChannel] = field(default_factory=list)
    loops: list[Channel] = field(default_factory=list)
    originator: Originator | None = None
    """Click-to-call (the Asterisk channel), if enabled."""
    bots: dict[str, TelegramBotChannel] = field(default_factory=dict)
    """The customer-facing bots by name (managers' replies are relayed through them)."""

    def telegram_bots(self) -> dict[str, TelegramBotChannel]:
        """The customer-facing bots by name."""
        return dict(self.bots)

    def sms_settings(self) -> SmsSettings | None:
        """The SMS gateways' settings, when SMS is configured."""
        return next((c.settings for c in self.webhooks if isinstance(c, SmsChannel)), None)

    def whatsapp(self) -> dict[str, WhatsAppChannel]:
        """The WhatsApp numbers by name."""
        return {c.settings.name: c for c in self.webhooks if isinstance(c, WhatsAppChannel)}

    def instagram(self) -> dict[str, InstagramChannel]:
        """The Instagram accounts by name."""
        return {c.account.name: c for c in self.webhooks if isinstance(c, InstagramChannel)}


def build_channels(settings: Settings, core: Core) -> EnabledChannels:
    """Build every channel the configuration enables; ConfigError names a bad section."""
    enabled = EnabledChannels()
    try:
        forms = WebFormsSettings.from_toml(settings.section("forms"), settings.section("webforms"),
                                           settings.public_url)
        bots = TelegramSettings.from_toml(settings.section("telegram")).bots.values()
        sms = settings.section("sms")
        sms_settings = SmsSettings.from_toml(sms, settings.public_url) if sms else None
        mail = email_channels(dict(settings.raw), core.cursors, settings.default_region,
                              core.health)
        telephony = telephony_channel(dict(settings.raw), core)
        region = settings.default_region
        numbers = whatsapp_settings.all_from_toml(settings.section("whatsapp"), region)
        accounts = instagram_settings.all_from_toml(settings.section("instagram"), region)
    except ValueError as err:
        raise ConfigError(str(err)) from err
    enabled.webhooks.append(WebFormsChannel(forms, settings.default_region))
    for bot in bots:
        from channels.messengers.telegram.adapter import TelegramBotChannel

        channel = TelegramBotChannel(bot, core.health)
        enabled.bots[bot.name] = channel
        (enabled.webhooks if bot.mode == "webhook" else enabled.loops).append(channel)
    if sms_settings is not None:
        enabled.webhooks.append(SmsChannel(sms_settings, core.cursors, settings.default_region))
    enabled.webhooks.extend(WhatsAppChannel(number) for number in numbers)
    enabled.webhooks.extend(InstagramChannel(account) for account in accounts)
    enabled.loops.extend(mail)
    if telephony is not None:
        enabled.loops.append(telephony)
        enabled.originator = telephony
    return enabled


async def close_channels(channels: EnabledChannels) -> None:
    """Close the outbound sessions of webhook channels (Graph API, SMS senders)."""
    for channel in channels.webhooks:
        close = getattr(channel, "aclose", None)
        if close is not None and channel not in channels.bots.values():
            await close()
