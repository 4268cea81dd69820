"""A local Telegram Bot API server for tests: answers what aiogram calls and records every call.

Usage::

    async with TelegramTestServer() as telegram:
        session = AiohttpSession(api=TelegramAPIServer.from_base(telegram.base_url))
        bot = Bot("123456:TEST", session=session)
        ...
        telegram.push_update({"update_id": 1, "message": {...}})   # for getUpdates (polling)
        call = await telegram.wait_for_call("sendMessage")
        assert call.params["chat_id"] == "5123456789"

The API (stable; other tests rely on it): `base_url`, `calls`, `calls_to(method, token=None)`,
`wait_for_call(method, predicate=None, within=5.0, token=None)`, `push_update(update)`,
`fail(method, error_code, description)`, `recover(method)`, `ApiCall(token, method, params)`,
`bot_id(token)`.

Parameters arrive as aiogram sends them (multipart form data): every value a string, with
JSON-valued fields (`reply_markup`, `entities`, ...) decoded into dicts and lists. Several bots
(tokens) may share one server; each call records its token.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from aiohttp import web

from tests.support.loopback import RecordingServer

_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "commands",
        "media",
    }
)
# A long poll returns empty after this long even if the client asked for more, so the
# server can close promptly; an empty answer is a valid Bot API reply.
_LONG_POLL_CAP_SECONDS = 1.0


@dataclass(frozen=True)
class ApiCall:
    """One Bot API call as received: the bot token, the method name and its parameters."""

    token: str
    method: str
    params: dict[str, Any]


def bot_id(token: str) -> int:
    """The bot's user id: the digits before the colon of its token (`123456:ABC` → 123456)."""
    head = token.split(":", 1)[0]
    return int(head) if head.isdigit() else 1


class TelegramTestServer(RecordingServer[ApiCall]):
    """A Bot API server on 127.0.0.1 with a free port; use as an async context manager."""

    shutdown_timeout = 2.0

    def __init__(self) -> None:
        super().__init__()
        self._updates: list[dict[str, Any]] = []
        self._errors: dict[str, tuple[int, str]] = {}
        self._message_ids = itertools.count(1000)
        self._closing = False

    def route(self, app: web.Application) -> None:
        """Every Bot API method of every bot token."""
        app.router.add_route("*", "/bot{token}/{method}", self._handle)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._closing = True
        await self.changed()
        await super().__aexit__(exc_type, exc, traceback)

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an Update for the next getUpdates call (polling mode)."""
        self._updates.append(update)
        asyncio.get_running_loop().create_task(self.changed())

    def fail(self, method: str, error_code: int = 400, description: str = "Bad Request") -> None:
        """Make every later call of `method` fail with this Bot API error."""
        self._errors[method] = (error_code, description)

    def recover(self, method: str) -> None:
        """Let `method` succeed again after `fail`."""
        self._errors.pop(method, None)

    def calls_to(self, method: str, token: str | None = None) -> list[ApiCall]:
        """The recorded calls of one method (optionally of one bot), oldest first."""
        return [c for c in self.calls if c.method == method and token in (None, c.token)]

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        within: float = 5.0,
        token: str | None = None,
    ) -> ApiCall:
        """The first call of `method` matching `predicate`, waiting for it up to `within` s."""
        return await self.wait_for(
            lambda c: c.method == method and token in (None, c.token)
            and (predicate is None or predicate(c)), within)

    async def _handle(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        params = _decode(dict(await request.post()))
        await self.record(ApiCall(token, method, params))
        if method in self._errors:
            code, description = self._errors[method]
            body = {"ok": False, "error_code": code, "description": description}
            return web.json_response(body, status=code)
        if method == "getUpdates":
            return web.json_response({"ok": True, "result": await self._updates_after(params)})
        return web.json_response({"ok": True, "result": self._answer(token, method, params)})

    async def _updates_after(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0))
        # Telegram forgets updates below the offset the client confirmed.
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        wait = min(float(params.get("timeout", 0)), _LONG_POLL_CAP_SECONDS)
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: bool(self._updates) or self._closing), wait
                )
        return list(self._updates)

    def _answer(self, token: str, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return _bot_user(token)
        if method in ("sendMessage", "sendPhoto", "sendDocument"):
            return self._message(token, params, next(self._message_ids))
        if method in ("editMessageText", "editMessageReplyMarkup", "editMessageCaption"):
            if "inline_message_id" in params:
                return True
            return self._message(token, params, int(params["message_id"]))
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True

    def _message(self, token: str, params: dict[str, Any], message_id: int) -> dict[str, Any]:
        chat_id = str(params.get("chat_id", "0"))
        chat: dict[str, Any] = {"id": -1, "type": "channel", "username": chat_id.lstrip("@")}
        if chat_id.lstrip("-").isdigit():
            chat = {"id": int(chat_id), "type": "private" if int(chat_id) > 0 else "group"}
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": _bot_user(token),
        }
        for key in ("text", "caption"):
            if key in params:
                message[key] = params[key]
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message


def _bot_user(token: str) -> dict[str, Any]:
    ident = bot_id(token)
    return {"id": ident, "is_bot": True, "first_name": "Test bot", "username": f"test_{ident}_bot"}


def _decode(form: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in form.items():
        if isinstance(value, str) and key in _JSON_FIELDS:
            params[key] = json.loads(value)
        elif isinstance(value, web.FileField):
            params[key] = value.file.read()
        else:
            params[key] = value
    return params
