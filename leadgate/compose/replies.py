"""The reply service: every channel that can answer a customer, keyed `channel:account`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from channels.email.reply import MailSender, OutgoingMailSettings
from channels.sms.outbound import OutboundSms
from channels.sms.send import SmsSender
from leadgate.compose.channels import EnabledChannels
from leadgate.compose.store import Store
from leadgate.settings import Settings
from leadgate.supervisor import Loop
from leads.errors import ConfigError
from leads.model import ReplySender
from routing.acknowledgements import Acknowledger, AckTemplates
from routing.replies import ReplyService


def build_replies(settings: Settings, store: Store, enabled: EnabledChannels) -> ReplyService:
    """Senders from the enabled channels plus `[email.outgoing]` and the SMS send APIs."""
    senders: dict[str, ReplySender] = {}
    senders.update({f"telegram:{name}": bot for name, bot in enabled.telegram_bots().items()})
    senders.update({f"whatsapp:{name}": c for name, c in enabled.whatsapp().items()})
    senders.update({f"instagram:{name}": c for name, c in enabled.instagram().items()})
    fallbacks: dict[str, str] = {}
    sms = enabled.sms_settings()
    if sms is not None:
        sends = {name: p.send for name, p in sms.providers.items() if p.send is not None}
        generic = OutboundSms(sms.outbound) if sms.outbound is not None else None
        sender = SmsSender(sends, generic)
        senders.update({f"sms:{account}": sender for account in sender.accounts()})
        if sender.accounts():
            fallbacks["sms"] = sender.accounts()[0]
    outgoing = settings.section("email").get("outgoing")
    if outgoing is not None:
        try:
            senders["email:smtp"] = MailSender(OutgoingMailSettings.from_toml(outgoing))
        except ValueError as err:
            raise ConfigError(str(err)) from err
        fallbacks["email"] = "smtp"
    return ReplyService(store.engine, senders, store.intake, fallbacks)


def acknowledgement_loops(settings: Settings, engine: AsyncEngine, replies: ReplyService
                          ) -> list[Loop]:
    """The `acknowledgements` loop when a form or mailbox has an `ack` template."""
    try:
        templates = AckTemplates.from_toml(settings.raw)
    except ValueError as err:
        raise ConfigError(str(err)) from err
    if not templates:
        return []
    acknowledger = Acknowledger(engine, replies, templates)
    return [Loop(acknowledger.name, acknowledger.run)]
