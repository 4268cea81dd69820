"""Which channels the configuration enables: one line per channel adapter.

Adapters with a heavy library (aiogram, imapclient, aiosmtpd, panoramisk) are imported only when
their section is configured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from channels.acknowledgement import AcknowledgedLeads
from channels.base import Channel, CursorStore, HealthReporter, WebhookChannel
from channels.email.loop_guard import RecentMarks
from channels.email.settings import MailSettings
from channels.messengers.instagram import settings as instagram_settings
from channels.messengers.instagram.adapter import InstagramChannel
from channels.messengers.telegram.settings import TelegramSettings
from channels.messengers.whatsapp import settings as whatsapp_settings
from channels.messengers.whatsapp.adapter import WhatsAppChannel
from channels.sms.adapter import SmsChannel
from channels.sms.settings import SmsSettings
from channels.telephony.settings import TelephonySettings
from channels.webforms.adapter import WebFormsChannel
from channels.webforms.settings import WebFormsSettings
from crm_store.shared_marks import SqlOnceMarks, SqlRecentMarks
from leadgate.compose.store import Store
from leadgate.http.telephony import Originator
from leadgate.settings import Settings
from leads.errors import ConfigError
from routing.calls import ScreenPop, manager_at

if TYPE_CHECKING:  # aiogram and panoramisk cost seconds: imported only when configured
    from channels.messengers.telegram.adapter import TelegramBotChannel
    from channels.telephony.adapter import TelephonyChannel


@dataclass(frozen=True)
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

    async def aclose(self) -> None:
        """Close the outbound sessions of webhook channels (Graph API, SMS senders)."""
        for channel in self.webhooks:
            close = getattr(channel, "aclose", None)
            if close is not None and channel not in self.bots.values():
                await close()


def build_channels(settings: Settings, store: Store, health: HealthReporter) -> EnabledChannels:
    """Build every channel the configuration enables; ConfigError names a bad section."""
    region = settings.default_region
    try:
        forms = WebFormsSettings.from_toml(settings.section("forms"), settings.section("webforms"),
                                           settings.public_url)
        bots = TelegramSettings.from_toml(settings.section("telegram")).bots.values()
        sms = settings.section("sms")
        sms_settings = SmsSettings.from_toml(sms, settings.public_url) if sms else None
        mail = email_channels(dict(settings.raw), store.cursors, region, health,
                              SqlRecentMarks(store.engine, "mail-loop"))
        telephony = telephony_channel(dict(settings.raw), store, health, region)
        numbers = whatsapp_settings.all_from_toml(settings.section("whatsapp"), region)
        accounts = instagram_settings.all_from_toml(settings.section("instagram"), region)
    except ValueError as err:
        raise ConfigError(str(err)) from err
    webhooks: list[WebhookChannel] = [WebFormsChannel(forms, region)]
    loops: list[Channel] = []
    by_name: dict[str, TelegramBotChannel] = {}
    for bot in bots:
        from channels.messengers.telegram.adapter import TelegramBotChannel

        acks = AcknowledgedLeads(SqlOnceMarks(store.engine, f"ack:telegram:{bot.name}"))
        channel = TelegramBotChannel(bot, health, acks)
        by_name[bot.name] = channel
        (webhooks if bot.mode == "webhook" else loops).append(channel)
    if sms_settings is not None:
        webhooks.append(SmsChannel(sms_settings, store.cursors, region,
                                   AcknowledgedLeads(SqlOnceMarks(store.engine, "ack:sms"))))
    webhooks.extend(WhatsAppChannel(number) for number in numbers)
    webhooks.extend(InstagramChannel(account) for account in accounts)
    loops.extend(mail)
    if telephony is not None:
        loops.append(telephony)
    return EnabledChannels(webhooks, loops, telephony, by_name)


def email_channels(raw: dict[str, Any], cursors: CursorStore, default_region: str | None,
                   health: HealthReporter | None = None,
                   marks: RecentMarks | None = None) -> list[Channel]:
    """One channel per IMAP mailbox, and the SMTP server; ValueError names a bad key.

    `marks` keeps the mail-loop guard's counts where every process shares them.
    """
    mail = MailSettings.from_config(raw, default_region)
    channels: list[Channel] = []
    if mail.mailboxes:
        from channels.email.imap.adapter import ImapChannel

        channels += [ImapChannel(box, cursors, mail.guard, health, marks)
                     for box in mail.mailboxes]
    if mail.smtp is not None:
        from channels.email.smtp.adapter import SmtpIntake

        channels.append(SmtpIntake(mail.smtp, mail.guard, health, marks))
    return channels


def telephony_channel(raw: dict[str, Any], store: Store, health: HealthReporter,
                      default_region: str | None) -> TelephonyChannel | None:
    """The AMI channel with its screen pop, or None without `[asterisk]`; ValueError if bad."""
    settings = TelephonySettings.from_config(raw, default_region)
    if settings is None:
        return None
    from channels.telephony.adapter import TelephonyChannel

    return TelephonyChannel(settings, health, on_ringing=ScreenPop(store.engine, store.announce),
                            manager_of=partial(manager_at, store.engine))
