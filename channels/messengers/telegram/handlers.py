"""The bot's behaviour, one aiogram Router per feature; `sink`, `bot_settings`, `acks` come by name.

Every handler stores first and answers after: if the sink raises, the update fails and
Telegram (webhook 503) or our poller (kept offset) delivers it again.
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import KeyboardButton, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove

from channels.acknowledgement import AcknowledgedLeads, manager_of, render_ack
from channels.messengers.telegram.parse import is_own_contact, message_event, start_attribution
from channels.messengers.telegram.settings import BotSettings
from leads.model import IntakeResult, Sink

log = logging.getLogger(__name__)
_PRIVATE = F.chat.type == ChatType.PRIVATE

Keyboard = ReplyKeyboardMarkup | ReplyKeyboardRemove


def build_routers() -> list[Router]:
    """Fresh routers for one bot's dispatcher (a Router can belong to one dispatcher only)."""
    return [_start_router(), _contact_router(), _message_router(), _edited_router()]


def share_keyboard(label: str) -> ReplyKeyboardMarkup:
    """The one-button keyboard that asks Telegram to share the user's own phone number."""
    button = KeyboardButton(text=label, request_contact=True)
    return ReplyKeyboardMarkup(keyboard=[[button]], resize_keyboard=True, one_time_keyboard=True)


def _start_router() -> Router:
    router = Router(name="start")
    router.message.filter(_PRIVATE)

    @router.message(CommandStart())
    async def on_start(
        message: Message, command: CommandObject, sink: Sink, bot_settings: BotSettings
    ) -> None:
        attribution = start_attribution(command.args)
        event = message_event(message, bot_settings.name, bot_settings.default_region, attribution)
        result = await sink(event)
        if not result.deduplicated:
            await _say(message, bot_settings.greeting, share_keyboard(bot_settings.share_button))

    return router


def _contact_router() -> Router:
    router = Router(name="contact")
    router.message.filter(_PRIVATE)

    @router.message(F.contact)
    async def on_contact(
        message: Message, sink: Sink, bot_settings: BotSettings, acks: AcknowledgedLeads
    ) -> None:
        result = await sink(message_event(message, bot_settings.name, bot_settings.default_region))
        if result.deduplicated or not is_own_contact(message):
            return
        reply = await _ack(message, result, bot_settings, acks) or bot_settings.thanks
        await _say(message, reply, ReplyKeyboardRemove())

    return router


def _message_router() -> Router:
    router = Router(name="messages")
    router.message.filter(_PRIVATE)

    @router.message()
    async def on_message(
        message: Message, sink: Sink, bot_settings: BotSettings, acks: AcknowledgedLeads
    ) -> None:
        result = await sink(message_event(message, bot_settings.name, bot_settings.default_region))
        reply = await _ack(message, result, bot_settings, acks)
        if reply:
            await _say(message, reply)

    return router


def _edited_router() -> Router:
    router = Router(name="edits")
    router.edited_message.filter(_PRIVATE)

    @router.edited_message()
    async def on_edit(message: Message, sink: Sink, bot_settings: BotSettings) -> None:
        # Same external id as the original: intake keeps one touch, never a second lead.
        region = bot_settings.default_region
        await sink(message_event(message, bot_settings.name, region, edited=True))

    return router


async def _ack(
    message: Message, result: IntakeResult, settings: BotSettings, acks: AcknowledgedLeads
) -> str | None:
    if settings.ack_template is None or not await acks.first_time(result):
        return None
    name = message.from_user.first_name if message.from_user else None
    return render_ack(settings.ack_template, name, manager_of(result))


async def _say(message: Message, text: str, keyboard: Keyboard | None = None) -> None:
    # The touch is already stored: a failed answer must not make Telegram resend the update.
    try:
        await message.answer(text, reply_markup=keyboard)
    except TelegramAPIError as err:
        log.warning("telegram bot could not answer in a chat: %s", type(err).__name__)
