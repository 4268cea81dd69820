"""Fixtures for web form tests: the running service on each database backend."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.leadgate_http import LeadgateClient, running_leadgate


@pytest.fixture
async def leadgate(database_url: str) -> AsyncIterator[LeadgateClient]:
    """Leadgate serving HTTP on loopback over the parametrized database."""
    async with running_leadgate(database_url) as client:
        yield client
