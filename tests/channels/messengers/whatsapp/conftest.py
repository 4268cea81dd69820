"""Fixtures for the WhatsApp channel: the local Graph API and Leadgate with a business number."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from crm_store.tokens import create_token
from tests.support.graph_api import GraphTestServer
from tests.support.leadgate_http import LeadgateClient, running_leadgate
from tests.support.meta import account_table

PHONE_NUMBER_ID = "106540352242922"


@pytest.fixture
async def leadgate(database_url: str, graph: GraphTestServer) -> AsyncIterator[LeadgateClient]:
    """Leadgate with `[whatsapp.main]`, an admin token set, on each database."""
    table = account_table(graph.base_url, phone_number_id=PHONE_NUMBER_ID)
    async with running_leadgate(database_url, whatsapp={"main": table}) as client:
        client.token = await create_token(client.store.engine, "admin")
        yield client
