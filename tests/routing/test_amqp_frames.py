"""A publish is packed into exactly the bytes pamqp would frame for it."""

from __future__ import annotations

import pytest
from aiormq.abc import ChannelFrame
from pamqp import commands as spec
from pamqp.body import ContentBody
from pamqp.header import ContentHeader

from routing.amqp_frames import publish_frames, short_string


def pamqp_frames(channel: int, exchange: str, routing_key: str, message_id: str, body: bytes,
                 max_body: int) -> bytes:
    frames = [
        spec.Basic.Publish(exchange=exchange, routing_key=routing_key, mandatory=True),
        ContentHeader(body_size=len(body), properties=spec.Basic.Properties(
            content_type="application/json", delivery_mode=2, message_id=message_id)),
        *(ContentBody(body[at:at + max_body]) for at in range(0, len(body), max_body)),
    ]
    return ChannelFrame.marshall(channel_number=channel, frames=frames).payload


@pytest.mark.parametrize(("channel", "exchange", "routing_key", "message_id", "body", "max_body"), [
    (1, "leadgate", "lead.assigned.3", "lead.assigned:17", b'{"lead_id":17}', 131_064),
    (7, "leadgate", "lead.offered.12", "lead.offered:9:Алия", "{\"n\":\"№\"}".encode(), 131_064),
    (65_535, "", "", "", b"", 131_064),
    (2, "leadgate", "k" * 255, "m" * 255, b"x" * 1_000, 300),
    (3, "leadgate.dead", "lead.assigned.1", "id", b"y" * 600, 300),
])
def test_a_publish_is_the_bytes_pamqp_frames(channel: int, exchange: str, routing_key: str,
                                             message_id: str, body: bytes, max_body: int) -> None:
    assert publish_frames(channel, exchange, routing_key, message_id, body, max_body) == \
        pamqp_frames(channel, exchange, routing_key, message_id, body, max_body)


def test_a_string_past_255_bytes_is_refused_as_pamqp_refuses_it() -> None:
    with pytest.raises(TypeError, match="255"):
        short_string("я" * 128)
    with pytest.raises(TypeError):
        pamqp_frames(1, "leadgate", "k", "я" * 128, b"", 100)
