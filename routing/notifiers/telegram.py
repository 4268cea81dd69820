"""The managers' Telegram bot: lead notifications with Accept/Pass buttons, replies to customers."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from aiohttp import web
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.routing_store import customer_chat
from crm_store.staff import SqlStaffStore
from leads.errors import ChannelUnavailable, LeadConflict, LeadNotFound
from routing.desk import LeadDesk
from routing.notifiers.text import body, lead_id_in

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class ManagerBotSettings:
    """`[notify.telegram]`: the bot managers talk to (not a customer-facing bot)."""

    token: str
    api_base: str = "https://api.telegram.org"
    mode: str = "polling"
    secret: str | None = None
    poll_timeout: int = 25

    @classmethod
    def from_toml(cls, section: dict[str, Any]) -> ManagerBotSettings:
        """Read and check the section; ValueError says which key is wrong."""
        token = section.get("token")
        if not isinstance(token, str) or ":" not in token:
            raise ValueError("[notify.telegram] token must be the bot token from @BotFather")
        mode = section.get("mode", "polling")
        if mode not in ("polling", "webhook"):
            raise ValueError('[notify.telegram] mode must be "polling" or "webhook"')
        secret = section.get("secret")
        if mode == "webhook" and not secret:
            raise ValueError("[notify.telegram] a webhook needs a secret")
        return cls(token, str(section.get("api_base", cls.api_base)), mode, secret,
                   int(section.get("poll_timeout", 25)))


class CustomerMessenger(Protocol):
    """Sends a manager's text to a customer through the customer-facing bot they used."""

    async def send(self, bot: str, chat_id: int, text: str, manager: str,
                   manager_id: int | None = None) -> None:
        """Deliver and record on the customer's timeline (as sent by `manager_id`)."""
        ...


class ManagerBot:
    """Notifier over Telegram; its own updates are button presses and replies from managers."""

    name = "telegram:managers"
    path = "/notify/telegram"

    def __init__(self, settings: ManagerBotSettings, engine: AsyncEngine, desk: LeadDesk,
                 public_url: str | None = None,
                 customers: CustomerMessenger | None = None,
                 report: Callable[[str, str], None] = lambda state, detail: None) -> None:
        self.settings = settings
        self.report = report
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.api_base))
        self.bot = Bot(settings.token, session=session)
        self.dispatcher = Dispatcher()
        self.dispatcher.include_router(self._router())
        self._engine = engine
        self._desk = desk
        self._public_url = public_url
        self._customers = customers

    async def notify(self, routing_key: str, payload: dict[str, Any]) -> None:
        """Message the manager named in the payload; Accept/Pass buttons on a new offer."""
        chat = (payload.get("manager") or {}).get("telegram_chat_id")
        if not chat:
            return
        keyboard = None
        if routing_key.startswith("lead.assigned."):
            lead = payload["lead_id"]
            keyboard = InlineKeyboardMarkup(inline_keyboard=[[
                InlineKeyboardButton(text="Accept", callback_data=f"lead:accept:{lead}"),
                InlineKeyboardButton(text="Pass", callback_data=f"lead:pass:{lead}"),
            ]])
        try:
            await self.bot.send_message(chat, body(routing_key, payload, self._public_url),
                                        reply_markup=keyboard)
        except TelegramNetworkError as err:
            raise ChannelUnavailable(f"telegram is unreachable: {type(err).__name__}") from err

    async def feed(self, update: Update) -> None:
        """Handle one update from a manager (webhook, polling and tests)."""
        await self.dispatcher.feed_update(self.bot, update)

    async def run(self) -> None:
        """Poll for managers' button presses and replies until cancelled (polling mode)."""
        await self.bot.delete_webhook(drop_pending_updates=False)
        self.report("ok", "polling")
        offset: int | None = None
        while True:
            try:
                updates = await self.bot.get_updates(offset=offset,
                                                     timeout=self.settings.poll_timeout)
            except TelegramNetworkError as err:
                raise ChannelUnavailable(f"telegram is unreachable: {err}") from err
            for update in updates:
                await self.feed(update)
                offset = update.update_id + 1

    async def webhook(self, request: web.Request) -> web.Response:
        """`POST /notify/telegram`: an update from Telegram, secret token checked."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not secrets.compare_digest(given, (self.settings.secret or "").encode()):
            refusal = {"error": "unauthorized", "detail": "wrong or missing secret token"}
            return web.json_response(refusal, status=401)
        try:
            update = Update.model_validate(await request.json(), context={"bot": self.bot})
        except (ValueError, ValidationError):
            return web.json_response({"error": "malformed", "detail": "not an Update"}, status=400)
        await self.feed(update)
        return web.json_response({})

    async def aclose(self) -> None:
        """Close the bot's HTTP session."""
        await self.bot.session.close()

    def _router(self) -> Router:
        router = Router(name="managers")
        router.callback_query.register(self._on_button, F.data.startswith("lead:"))
        router.message.register(self._on_reply, F.reply_to_message, F.text)
        return router

    async def _on_button(self, query: CallbackQuery) -> None:
        _, action, raw_id = (query.data or "::").split(":", 2)
        manager = await self._manager(query.from_user.id)
        if manager is None or not raw_id.isdigit():
            await query.answer("You are not a manager here.", show_alert=True)
            return
        try:
            if action == "accept":
                await self._desk.accept(int(raw_id), manager.id)
                answer = f"Lead #{raw_id} is yours."
            else:
                await self._desk.pass_on(int(raw_id), manager.id)
                answer = f"Lead #{raw_id} passed on."
        except (LeadConflict, LeadNotFound) as err:
            answer = str(err)
        await query.answer(answer)
        if isinstance(query.message, Message):
            try:
                await query.message.edit_reply_markup(reply_markup=None)
            except TelegramAPIError:
                log.debug("could not remove the buttons", exc_info=True)

    async def _on_reply(self, message: Message) -> None:
        reply_to = message.reply_to_message
        lead_id = lead_id_in(reply_to.text if reply_to else None)
        sender = message.from_user
        manager = await self._manager(sender.id) if sender else None
        if lead_id is None or manager is None or self._customers is None:
            return
        async with self._engine.connect() as conn:
            chat = await customer_chat(conn, lead_id)
        if chat is None:
            await message.reply("This customer has not written to us in Telegram; "
                                "call or e-mail them instead.")
            return
        bot_name, customer_chat_id = chat
        await self._customers.send(bot_name, customer_chat_id, message.text or "", manager.name,
                                   manager.id)

    async def _manager(self, telegram_user_id: int) -> Any | None:
        async with self._engine.connect() as conn:
            return await SqlStaffStore(conn).manager_by_telegram(telegram_user_id)
