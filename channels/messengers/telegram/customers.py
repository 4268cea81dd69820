"""The customer-facing bots by name: how a manager's reply reaches the customer's chat."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # aiogram is imported only when a bot is configured
    from channels.messengers.telegram.adapter import TelegramBotChannel


class CustomerBots:
    """Relays a manager's reply through the bot the customer wrote to (a CustomerMessenger)."""

    def __init__(self, bots: Mapping[str, TelegramBotChannel]) -> None:
        self._bots = bots

    async def send(self, bot: str, chat_id: int, text: str, manager: str,
                   manager_id: int | None = None) -> None:
        """Send and record on the timeline; LookupError if that bot is no longer configured."""
        channel = self._bots.get(bot)
        if channel is None:
            raise LookupError(f"the customer's bot {bot!r} is not configured")
        await channel.send_to_customer(chat_id, text, manager, manager_id)
