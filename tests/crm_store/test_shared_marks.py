"""What one process marks, every process sees: one acknowledgement per lead in the cluster."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from channels.acknowledgement import AcknowledgedLeads
from crm_store.engine import create_engine
from crm_store.migrate import upgrade_if_empty
from crm_store.shared_marks import SqlOnceMarks
from leads.model import IntakeResult


@pytest.fixture
async def two_stores(database_url: str) -> AsyncIterator[tuple[AsyncEngine, AsyncEngine]]:
    """Two engines on one database, as two processes have."""
    one, two = create_engine(database_url), create_engine(database_url)
    await upgrade_if_empty(one)
    yield one, two
    await one.dispose()
    await two.dispose()


async def test_two_processes_acknowledge_a_lead_once(
    two_stores: tuple[AsyncEngine, AsyncEngine],
) -> None:
    acks = [AcknowledgedLeads(SqlOnceMarks(engine, "ack:telegram:main")) for engine in two_stores]

    firsts = await asyncio.gather(*(acks[n % 2].first_time(IntakeResult(n, 7, 1))
                                    for n in range(10)))

    assert sorted(firsts) == [False] * 9 + [True]


async def test_marks_of_one_scope_leave_another_scope_alone(
    two_stores: tuple[AsyncEngine, AsyncEngine],
) -> None:
    telegram, sms = (SqlOnceMarks(two_stores[0], scope) for scope in ("ack:telegram", "ack:sms"))

    assert await telegram.first("lead:1") and await sms.first("lead:1")
    assert not await SqlOnceMarks(two_stores[1], "ack:sms").first("lead:1")
