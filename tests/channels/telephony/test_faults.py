"""The AMI connection survives what real networks and real Asterisk servers do to it."""

from __future__ import annotations

import asyncio

import pytest

from leads.errors import ChannelMisconfigured
from tests.channels.telephony.ami_server import AmiTestServer, Trace, load_trace, message
from tests.channels.telephony.conftest import running_channel, wait_for
from tests.fakes import RecordingHealth, RecordingSink


def split_at_answer(trace: Trace) -> tuple[Trace, Trace]:
    """The trace up to the BridgeEnter after the answer, and the rest."""
    cut = next(i for i, (_, m) in enumerate(trace.messages) if m.startswith(b"Event: BridgeEnter"))
    head, tail = trace.messages[: cut + 2], trace.messages[cut + 2 :]
    return Trace(trace.name, head), Trace(trace.name, tail)


async def test_a_call_whose_hangup_was_lost_with_the_connection_is_logged_once_as_reconciled(
    ami_server: AmiTestServer, sink: RecordingSink
) -> None:
    before, _ = split_at_answer(load_trace("answered_recorded"))
    async with running_channel(ami_server, sink):
        await ami_server.logged_in()
        await ami_server.replay(before, speed=50)
        await asyncio.sleep(0.2)
        ami_server.drop()
        await ami_server.logged_in(count=2)
        await wait_for(lambda: len(sink.events) == 1)
        await asyncio.sleep(0.3)
    (event,) = sink.events
    assert event.external_id == "1795334023.0"
    assert event.details["reconciled"] is True
    assert event.details["disposition"] == "answered"
    assert event.details["answered_by"] == "201"
    assert event.callback == "fulfilled"
    # Asked on every connect: the first to adopt calls in progress, the second to reconcile too.
    assert [a["Action"] for a in ami_server.actions].count("CoreShowChannels") == 2


async def test_a_call_still_up_after_a_reconnect_finishes_normally_and_once(
    ami_server: AmiTestServer, sink: RecordingSink
) -> None:
    before, after = split_at_answer(load_trace("answered_recorded"))
    ami_server.live_channels = [
        ("PJSIP/trunk-00000000", "1795334023.0", "1795334023.0"),
        ("PJSIP/201-00000001", "1795334023.1", "1795334023.0"),
    ]
    async with running_channel(ami_server, sink):
        await ami_server.logged_in()
        await ami_server.replay(before, speed=50)
        await asyncio.sleep(0.2)
        ami_server.drop()
        await ami_server.logged_in(count=2)
        await wait_for(lambda: any(a["Action"] == "CoreShowChannels" for a in ami_server.actions))
        await asyncio.sleep(0.2)
        assert sink.events == []
        await ami_server.replay(after, speed=50)
        await wait_for(lambda: len(sink.events) == 1)
        await asyncio.sleep(0.3)
    (event,) = sink.events
    assert event.details["reconciled"] is False
    assert event.details["disposition"] == "answered"


async def test_a_half_open_connection_is_dropped_at_the_first_unanswered_ping(
    ami_server: AmiTestServer, sink: RecordingSink
) -> None:
    ami_server.answer_pings = False
    async with running_channel(ami_server, sink, ping_interval=0.2):
        await ami_server.logged_in()
        await ami_server.logged_in(count=2)
        pings_before_reconnect = [
            a["Action"] for a in ami_server.actions if a["Action"] in ("Login", "Ping")
        ][:3]
    # Login, one Ping that got no answer, then the new session's Login: two intervals at most.
    assert pings_before_reconnect == ["Login", "Ping", "Login"]


async def test_a_rejected_login_is_reported_misconfigured_and_not_retried(
    ami_server: AmiTestServer, sink: RecordingSink
) -> None:
    health = RecordingHealth()
    async with running_channel(ami_server, sink, health, secret="wrong-secret") as (_, task):
        with pytest.raises(ChannelMisconfigured, match="Authentication failed"):
            await asyncio.wait_for(task, 10)
    assert health.states["telephony"][0] == "misconfigured"
    assert "wrong-secret" not in health.states["telephony"][1]
    assert ami_server.logins == 1


CYRILLIC_CALL = [
    message(
        "Event: Newchannel", "Channel: PJSIP/trunk-00000042", "ChannelState: 4",
        "CallerIDNum: 79161234567", "CallerIDName: Иван Петров", "Context: from-trunk",
        "Exten: 74951234567", "Uniqueid: 42.1", "Linkedid: 42.1",
    ),
    message(
        "Event: Hangup", "Channel: PJSIP/trunk-00000042", "Uniqueid: 42.1", "Linkedid: 42.1",
        "Cause: 16",
    ),
]  # fmt: skip


async def test_a_cyrillic_name_split_across_tcp_reads_arrives_intact(
    ami_server: AmiTestServer, sink: RecordingSink
) -> None:
    data = b"".join(CYRILLIC_CALL)
    middle_of_a_letter = data.index("Иван".encode()) + 1
    async with running_channel(ami_server, sink):
        await ami_server.logged_in()
        await ami_server.listed()  # the lists' answers must not cut into the split message
        for start, end in ((0, middle_of_a_letter), (middle_of_a_letter, len(data))):
            await ami_server.send(data[start:end])
            await asyncio.sleep(0.1)
        await wait_for(lambda: len(sink.events) == 1)
    assert sink.events[0].name == "Иван Петров"


async def test_malformed_frames_are_skipped_and_the_connection_survives(
    ami_server: AmiTestServer, sink: RecordingSink
) -> None:
    garbage = [
        b"this is not AMI at all\r\n\r\n",
        b"\x00\xff\xfe\xfd\r\nNo colon here\r\n\r\n",
        b"Key-without-event: 1\r\nAnother: 2\r\n\r\n",
        b"Event: Newchannel\r\nUniqueid\r\n\r\n",
        b"Event: Hangup\r\nUniqueid: nobody\r\n\r\n",
    ]
    async with running_channel(ami_server, sink):
        await ami_server.logged_in()
        for frame in garbage:
            await ami_server.send(frame)
        await ami_server.send(b"".join(CYRILLIC_CALL).replace(b"\r\n", b"\n"))
        await wait_for(lambda: len(sink.events) == 1)
    assert sink.events[0].name == "Иван Петров"
    assert ami_server.logins == 1


async def test_a_call_finished_while_the_store_is_down_is_kept_and_delivered_once(
    ami_server: AmiTestServer, sink: RecordingSink
) -> None:
    sink.failing = True
    async with running_channel(ami_server, sink):
        await ami_server.logged_in()
        await ami_server.replay(load_trace("busy"), speed=50)
        await asyncio.sleep(0.3)
        assert sink.events == []
        sink.failing = False
        await wait_for(lambda: len(sink.events) == 1)
        await asyncio.sleep(0.2)
    assert sink.events[0].details["disposition"] == "busy"
