"""Outbound SMS through a configured HTTP endpoint: how auto-replies reach the customer."""

from __future__ import annotations

import aiohttp

from channels.sms.settings import OutboundSettings
from leads.errors import ChannelUnavailable


class OutboundSms:
    """Posts `{"to", "from", "text"}` as JSON to `[sms.outbound] url` (Bearer token if set)."""

    def __init__(self, settings: OutboundSettings) -> None:
        self.settings = settings
        self._session: aiohttp.ClientSession | None = None

    async def send(self, to: str, text: str) -> str:
        """Send one message; the endpoint's `id` if it answers one (ChannelUnavailable if not)."""
        body = {"to": to, "from": self.settings.sender, "text": text}
        headers = {"Authorization": f"Bearer {self.settings.token}"} if self.settings.token else {}
        try:
            async with self._client().post(self.settings.url, json=body, headers=headers) as answer:
                if answer.status >= 300:
                    raise ChannelUnavailable(f"the SMS endpoint answered {answer.status}")
                found = await answer.json(content_type=None) if answer.content_length else {}
        except (aiohttp.ClientError, TimeoutError, ValueError) as err:
            raise ChannelUnavailable(
                f"the SMS endpoint is unreachable: {type(err).__name__}"
            ) from err
        return str(found.get("id", "")) if isinstance(found, dict) else ""

    async def aclose(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(total=self.settings.timeout_seconds)
            self._session = aiohttp.ClientSession(timeout=timeout)
        return self._session
