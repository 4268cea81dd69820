"""Routing fixtures: this run's RabbitMQ vhost with a clean Leadgate topology for each test."""

from __future__ import annotations

import pytest

from tests.support.rabbitmq import AMQP_URL, reset_topology


@pytest.fixture
async def amqp_url(amqp_vhost: str) -> str:
    """This run's vhost, with no Leadgate queues or exchanges left from earlier tests."""
    await reset_topology()
    return AMQP_URL
