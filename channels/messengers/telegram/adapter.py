"""One customer-facing Telegram bot: webhook route or polling loop, and sending to a customer."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Awaitable
from typing import TypeVar

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramConflictError,
    TelegramNetworkError,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from channels.acknowledgement import AcknowledgedLeads
from channels.base import HealthReporter, Sink, error_response
from channels.messengers.telegram.handlers import build_routers
from channels.messengers.telegram.parse import outbound_event
from channels.messengers.telegram.settings import BotSettings
from channels.webhook import read_body, refusal, store_unavailable
from leads.clean import clean_json
from leads.errors import (
    ChannelMisconfigured,
    ChannelUnavailable,
    InvalidEvent,
    Malformed,
    Refused,
    StoreUnavailable,
)
from leads.model import ContactEvent, ReplyRoute

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_RETRY_FIRST, _RETRY_MAX = 0.2, 30.0
_MAX_UPDATE_BYTES = 4 * 1024**2  # the HTTP app's own limit
T = TypeVar("T")


class TelegramBotChannel:
    """A bot of `[telegram.bots.<name>]`: a WebhookChannel in webhook mode, a Channel in polling."""

    def __init__(self, settings: BotSettings, health: HealthReporter | None = None) -> None:
        self.settings = settings
        self._health = health
        self.name = f"telegram:{settings.name}"
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.api_base))
        self.bot = Bot(settings.token, session=session)
        self.dispatcher = Dispatcher()
        self.dispatcher.include_routers(*build_routers())
        self._acks = AcknowledgedLeads()
        self._sink: Sink | None = None

    def routes(self, sink: Sink) -> list[web.AbstractRouteDef]:
        """`POST /telegram/<name>` bound to `sink` (webhook mode only)."""
        if self.settings.mode != "webhook":
            return []
        self._sink = sink

        async def post(request: web.Request) -> web.Response:
            return await self._webhook(request, sink)

        return [web.post(self.settings.path, post)]

    async def run(self, sink: Sink) -> None:
        """Poll getUpdates and feed each update until cancelled (polling mode)."""
        self._sink = sink
        try:
            await self._call(self.bot.delete_webhook(drop_pending_updates=False))
            if self._health is not None:
                self._health.report(self.name, "ok", "polling")
            offset: int | None = None
            while True:
                updates = await self._call(
                    self.bot.get_updates(offset=offset, timeout=self.settings.poll_timeout)
                )
                for update in updates:
                    await self._feed_until_stored(update, sink)
                    offset = update.update_id + 1
        finally:
            await self.bot.session.close()

    async def send_to_customer(
        self, telegram_user_id: int, text: str, manager: str | None = None,
        manager_id: int | None = None,
    ) -> ContactEvent:
        """Send `text` to the customer through this bot; record it on the timeline when running.

        Raises ChannelUnavailable when Telegram cannot be reached, InvalidEvent when Telegram
        refuses (the customer blocked the bot or never started it).
        """
        try:
            sent = await self.bot.send_message(telegram_user_id, text)
        except (TelegramNetworkError, TelegramServerError) as err:
            raise ChannelUnavailable(f"telegram is unreachable: {type(err).__name__}") from err
        except TelegramAPIError as err:
            raise InvalidEvent(f"telegram refused the message: {err.message}", "refused") from err
        event = outbound_event(self.settings.name, telegram_user_id, sent, manager, manager_id)
        if self._sink is not None:
            await self._sink(event)
        return event

    async def send_reply(self, route: ReplyRoute, text: str, manager: str | None) -> ContactEvent:
        """Answer a customer in the chat they wrote from (ReplySender)."""
        return await self.send_to_customer(int(route.address), text, manager)

    async def set_webhook(self, public_url: str) -> None:
        """Tell Telegram to post this bot's updates to `<public_url>/telegram/<name>`."""
        url = public_url.rstrip("/") + self.settings.path
        await self._call(self.bot.set_webhook(url, secret_token=self.settings.secret))

    async def aclose(self) -> None:
        """Close the bot's HTTP session (webhook mode; `run` closes its own)."""
        await self.bot.session.close()

    async def _webhook(self, request: web.Request, sink: Sink) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not secrets.compare_digest(given.encode(), (self.settings.secret or "").encode()):
            return error_response(401, "unauthorized", "wrong or missing secret token")
        try:
            update = self._update(await read_body(request, _MAX_UPDATE_BYTES))
            await self._feed(update, sink)
        except Refused as refused:
            return refusal(refused)
        except StoreUnavailable:
            return refusal(store_unavailable())
        return web.json_response({})

    def _update(self, body: bytes) -> Update:
        try:
            # Lone surrogates (valid JSON escapes, never valid text) would fail aiogram later.
            update = clean_json(json.loads(body))
            return Update.model_validate(update, context={"bot": self.bot})
        except (ValueError, ValidationError, RecursionError) as err:
            raise Malformed("the body is not a Telegram Update") from err

    async def _feed(self, update: Update, sink: Sink) -> None:
        try:
            await self.dispatcher.feed_update(
                self.bot, update, sink=sink, bot_settings=self.settings, acks=self._acks
            )
        except InvalidEvent as err:
            # Resending cannot fix it: drop the update so Telegram stops retrying.
            log.info("telegram update %s refused: %s", update.update_id, err.code)

    async def _feed_until_stored(self, update: Update, sink: Sink) -> None:
        delay = _RETRY_FIRST
        while True:
            try:
                return await self._feed(update, sink)
            except StoreUnavailable:
                log.warning(
                    "store unavailable; update %s kept, retry in %.1fs", update.update_id, delay
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, _RETRY_MAX)

    async def _call(self, request: Awaitable[T]) -> T:
        try:
            return await request
        except TelegramUnauthorizedError as err:
            raise ChannelMisconfigured("telegram rejected the bot token") from err
        except (TelegramNetworkError, TelegramServerError, TelegramConflictError) as err:
            # A conflict is another poller of the same bot: it may be a process being replaced.
            raise ChannelUnavailable(f"telegram is unreachable: {type(err).__name__}") from err
