"""Sending through Meta's Graph API (WhatsApp Cloud API, Instagram messaging), signed requests."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import aiohttp

from leads.errors import ChannelUnavailable, InvalidEvent


def appsecret_proof(access_token: str, app_secret: str) -> str:
    """HMAC-SHA256 of the access token with the app secret: Graph's proof of who calls."""
    return hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()


class GraphClient:
    """POSTs JSON to the Graph API with the access token and its appsecret_proof."""

    def __init__(self, api_base: str, access_token: str, app_secret: str,
                 timeout_seconds: float = 15.0) -> None:
        self._base = api_base.rstrip("/")
        self._token = access_token
        self._proof = appsecret_proof(access_token, app_secret)
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """The JSON answer; InvalidEvent when Graph refuses, ChannelUnavailable when unreachable."""
        headers = {"Authorization": f"Bearer {self._token}"}
        url = f"{self._base}/{path.lstrip('/')}"
        try:
            async with self._client().post(
                url, json=body, headers=headers, params={"appsecret_proof": self._proof}
            ) as answer:
                data = await answer.json(content_type=None)
                status = answer.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as err:
            raise ChannelUnavailable(f"the Graph API is unreachable: {type(err).__name__}") from err
        if status >= 500 or status == 429:
            raise ChannelUnavailable(f"the Graph API answered {status}")
        if status >= 300 or not isinstance(data, dict):
            error = data.get("error", {}) if isinstance(data, dict) else {}
            detail = f"{error.get('code', status)}: {error.get('message', 'refused')}"
            raise InvalidEvent(f"the Graph API refused the message ({detail})", "refused")
        return data

    async def aclose(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session
