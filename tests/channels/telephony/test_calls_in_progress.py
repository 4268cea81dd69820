"""Calls already in progress when Leadgate connects, and calls nobody hangs up, are logged once."""

from __future__ import annotations

import asyncio
import logging

import pytest

from leads.errors import ChannelUnavailable
from tests.channels.telephony.ami_server import AmiTestServer, Trace, load_trace
from tests.channels.telephony.conftest import running_channel, scaled_clock, wait_for
from tests.fakes import RecordingHealth, RecordingSink

SPEED = 4.0


def denied(*actions: str) -> dict[str, list[bytes]]:
    """Answers of a read-only AMI user: each action refused at once (captured)."""
    [refusal] = load_trace("permission_denied_coreshowchannels").answers["coreshowchannels"]
    return {action: [refusal] for action in actions}


def from_message(trace: Trace, starting: bytes) -> Trace:
    """The trace from its first message starting with `starting` (a session that joins late)."""
    cut = next(i for i, (_, m) in enumerate(trace.messages) if m.startswith(starting))
    return Trace(trace.name, trace.messages[cut:], trace.answers)


async def test_a_call_in_progress_without_channel_lists_is_logged_from_its_hangups_and_cdr(
    ami_server: AmiTestServer, sink: RecordingSink
) -> None:
    ami_server.answers = denied("coreshowchannels", "status")
    async with running_channel(ami_server, sink, clock=scaled_clock(SPEED)):
        await ami_server.logged_in()
        await ami_server.replay(load_trace("connect_mid_call"), speed=SPEED)
        await wait_for(lambda: len(sink.events) == 1)
        await asyncio.sleep(0.3)
    [event] = sink.events
    assert event.external_id == "1796049635.3"
    assert [i.value for i in event.identities] == ["+79057776655"]
    assert event.callback == "fulfilled"
    assert event.details["disposition"] == "answered"
    assert event.details["answered_by"] == "201"
    assert event.details["talk_seconds"] == 8.0  # AnswerTime to EndTime of the Cdr
    assert event.attribution == {}  # the Cdr's Destination is `s`: no DID is guessed


async def test_a_call_joined_after_its_answer_is_adopted_from_the_lists_and_logged_once(
    ami_server: AmiTestServer, sink: RecordingSink
) -> None:
    trace = from_message(load_trace("answered_recorded"), b"Event: BridgeEnter")
    ami_server.live_channels = [
        ("PJSIP/trunk-00000000", "1795334023.0", "1795334023.0"),
        ("PJSIP/201-00000001", "1795334023.1", "1795334023.0"),
    ]
    async with running_channel(ami_server, sink, clock=scaled_clock(SPEED)):
        await ami_server.logged_in()
        await ami_server.listed()
        await ami_server.replay(trace, speed=SPEED)
        await wait_for(lambda: len(sink.events) == 1)
        await asyncio.sleep(0.5)
    [event] = sink.events
    assert event.external_id == "1795334023.0"
    assert event.details["closed_by"] == "hangup"
    assert [i.value for i in event.identities] == ["+79161234567"]


async def test_a_read_only_ami_user_is_degraded_at_once_says_why_once_and_keeps_logging_calls(
    ami_server: AmiTestServer, sink: RecordingSink, caplog: pytest.LogCaptureFixture
) -> None:
    capture = load_trace("permission_denied_coreshowchannels")
    ami_server.answers = {**capture.answers, **denied("status")}
    ami_server.fully_booted = False  # without the system read class Asterisk sends none
    health = RecordingHealth()
    caplog.set_level(logging.WARNING, "channels.telephony")
    # An action timeout far longer than the test: a refusal must be known from the answer.
    async with running_channel(ami_server, sink, health, action_timeout=60) as (channel, _):
        await ami_server.logged_in()
        await wait_for(lambda: health.states["telephony"][0] == "degraded")
        assert "write = reporting (CoreShowChannels)" in health.states["telephony"][1]
        with pytest.raises(ChannelUnavailable, match="may not originate"):
            await channel.originate("201", "+79161234567")
        assert "write = originate" in health.states["telephony"][1]
        ami_server.drop()
        await ami_server.logged_in(count=2)
        await ami_server.listed(count=2)
        await ami_server.replay(load_trace("busy"), speed=50)
        await wait_for(lambda: len(sink.events) == 1)
    lacks = [r.getMessage() for r in caplog.records if "lacks" in r.getMessage()]
    assert len(lacks) == 3  # CoreShowChannels, Status, Originate: each once over two sessions
    assert sink.events[0].details["disposition"] == "busy"


async def test_a_call_whose_hangup_never_comes_is_closed_by_the_clock_as_stale(
    ami_server: AmiTestServer, sink: RecordingSink
) -> None:
    trace = load_trace("answered_recorded")
    hangups = [n for n, (_, m) in enumerate(trace.messages) if m.startswith(b"Event: Hangup")]
    silent = Trace(trace.name, trace.messages[: hangups[0]])
    async with running_channel(
        ami_server, sink, clock=scaled_clock(60), stale_call_seconds=90
    ):  # fmt: skip
        await ami_server.logged_in()
        await ami_server.replay(silent, speed=50)
        await wait_for(lambda: len(sink.events) == 1)  # no event follows: the clock closes it
    [event] = sink.events
    assert event.details["closed_by"] == "stale"
    assert event.details["disposition"] == "answered"
    assert event.details["talk_seconds"] is None  # its end was never seen
    assert event.details["ring_seconds"] > 0  # its start and answer were seen


async def test_a_click_to_call_the_manager_does_not_pick_up_touches_no_customer(
    ami_server: AmiTestServer, sink: RecordingSink, caplog: pytest.LogCaptureFixture
) -> None:
    trace = load_trace("click_to_call_manager_no_answer")
    caplog.set_level(logging.INFO, "channels.telephony")
    async with running_channel(ami_server, sink, clock=scaled_clock(10)) as (channel, _):
        await ami_server.logged_in()
        await ami_server.listed()
        call_id = await channel.originate("201", "8 916 123-45-67")
        captured = b"leadgate-3f9c1e7a5b2d4c6e8f0a1b2c3d4e5f60"
        await ami_server.replay(trace, speed=10, replace={captured: call_id.encode()})
        await wait_for(lambda: any("was not dialed" in r.getMessage() for r in caplog.records))
    [originate] = [a for a in ami_server.actions if a["Action"] == "Originate"]
    assert (originate["Channel"], originate["Exten"]) == ("PJSIP/201", "79161234567")
    assert sink.events == []
    assert any(f"Call {call_id}: extension 201" in r.getMessage() for r in caplog.records)
