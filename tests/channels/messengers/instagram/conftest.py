"""Fixtures for the Instagram channel: the local Graph API and Leadgate with an account."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from crm_store.tokens import create_token
from tests.support.graph_api import GraphTestServer
from tests.support.leadgate_http import LeadgateClient, running_leadgate
from tests.support.meta import account_table


@pytest.fixture
async def leadgate(database_url: str, graph: GraphTestServer) -> AsyncIterator[LeadgateClient]:
    """Leadgate with `[instagram.main]`, an admin token set, on each database."""
    table = account_table(graph.base_url)
    async with running_leadgate(database_url, instagram={"main": table}) as client:
        client.token = await create_token(client.store.engine, "admin")
        yield client
