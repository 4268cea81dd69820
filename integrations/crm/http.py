"""Calling a CRM's API at its documented pace, telling rate limits from outages and refusals."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from leads.errors import CrmUnavailable


class PacedClient:
    """JSON over HTTP, never faster than `requests_per_second` (per process: the loop is one)."""

    def __init__(self, requests_per_second: float, timeout_seconds: float,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._interval = 1.0 / requests_per_second
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._clock = clock
        self._sleep = sleep
        self._next_at = 0.0
        self._session: aiohttp.ClientSession | None = None

    async def call(self, method: str, url: str, **kwargs: Any) -> tuple[int, Any, float | None]:
        """Status, decoded JSON body (None when empty) and the Retry-After seconds, if given."""
        wait = self._next_at - self._clock()
        if wait > 0:
            await self._sleep(wait)
        self._next_at = max(self._clock(), self._next_at) + self._interval
        try:
            async with self._client().request(method, url, **kwargs) as answer:
                raw = await answer.read()
                retry = answer.headers.get("Retry-After", "")
                status = answer.status
        except (aiohttp.ClientError, TimeoutError) as err:
            raise CrmUnavailable(f"unreachable: {type(err).__name__}") from err
        try:
            body = None if not raw.strip() else json.loads(raw)
        except ValueError:
            body = None
        return status, body, float(retry) if retry.replace(".", "", 1).isdigit() else None

    async def aclose(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

