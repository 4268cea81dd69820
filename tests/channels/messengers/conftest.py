"""Fixtures the messenger channels share: the local Graph API (WhatsApp, Instagram)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.graph_api import GraphTestServer


@pytest.fixture
async def graph() -> AsyncIterator[GraphTestServer]:
    """The local Graph API server."""
    async with GraphTestServer() as server:
        yield server
