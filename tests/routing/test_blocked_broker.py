"""A broker that stops reading (RabbitMQ blocking publishers): the relay gives its claim back."""

from __future__ import annotations

import pytest

from crm_store.engine import create_engine
from crm_store.migrate import upgrade_if_empty
from crm_store.outbox import OutboxSignal, SqlOutbox, claim_marking, unsent_count
from leads.errors import ChannelUnavailable
from leads.model import utcnow
from routing.amqp import AmqpPublisher, manager_queue
from routing.relay import OutboxRelay
from tests.support.rabbitmq import broker_proxy, read_queue, url_through

ROWS = 20


async def managers() -> list[int]:
    return [1]


async def test_a_relay_whose_broker_stops_reading_rolls_back_and_publishes_once_it_reads_again(
    postgres_url: str, amqp_url: str,
) -> None:
    engine = create_engine(postgres_url)
    await upgrade_if_empty(engine)
    async with engine.begin() as conn:
        await SqlOutbox(conn).add([(f"m{n}", "lead.assigned.1", {"n": n}) for n in range(ROWS)],
                                  utcnow())
    async with broker_proxy() as proxy:
        publisher = AmqpPublisher(url_through(proxy.port), managers, confirm_seconds=0.5)
        relay = OutboxRelay(engine, publisher, OutboxSignal())
        try:
            await publisher.connect()
            async with proxy.stalled():
                with pytest.raises(ChannelUnavailable):
                    await relay.relay_once()
                async with engine.connect() as conn:
                    waiting = await unsent_count(conn)
                async with engine.connect() as conn, conn.begin():
                    claimable = len(await claim_marking(conn, 100, utcnow()))
                    await conn.rollback()
            moved = await relay.relay_once()
        finally:
            await publisher.close()
            await engine.dispose()
    landed = await read_queue(manager_queue(1))

    assert (waiting, claimable) == (ROWS, ROWS)  # rolled back: unsent, and no longer locked
    assert moved == ROWS
    # At least once: what the stalled connection had written may reach the broker as well.
    assert {m["message_id"] for m in landed} == {f"m{n}" for n in range(ROWS)}
