"""Each captured Asterisk trace, replayed over a real socket, becomes the right call on the card."""

from __future__ import annotations

from typing import Any

import pytest

from channels.telephony.records import RingingCall
from tests.channels.telephony.ami_server import AmiTestServer, load_trace
from tests.channels.telephony.conftest import running_channel, scaled_clock, wait_for
from tests.fakes import RecordingSink

SPEED = 4.0  # replayed four times faster, with a clock running four times faster too
AD_NUMBER = {
    "did": "74951234567", "source": "yandex_direct", "campaign": "november", "team": "sales"
}  # fmt: skip

EXPECTED: dict[str, dict[str, Any]] = {
    "answered_recorded": {
        "phone": "+79161234567", "name": "Иван Петров", "direction": "inbound",
        "disposition": "answered", "answered_by": "201", "ring": 2.5, "talk": 3.0,
        "callback": "fulfilled", "attribution": AD_NUMBER, "queue": None, "hold": None,
        "recording": "/var/spool/asterisk/monitor/74951234567-79161234567-20261122-075345"
        "-1795334023.1.wav",
    },
    "missed_no_answer": {
        "phone": "+998901234567", "name": "Алишер Усманов", "direction": "inbound",
        "disposition": "missed", "answered_by": None, "ring": 20.0, "talk": 0.0,
        "callback": "request", "attribution": {"did": "998712000000", "source": "billboard"},
        "queue": None, "hold": None, "recording": None,
    },
    "busy": {
        "phone": "+79031112233", "name": "Мария Иванова", "direction": "inbound",
        "disposition": "busy", "answered_by": None, "ring": 0.0, "talk": 0.0,
        "callback": "request", "attribution": AD_NUMBER, "queue": None, "hold": None,
        "recording": None,
    },
    "abandoned_while_ringing": {
        "phone": "+79161234567", "name": "Иван Петров", "direction": "inbound",
        "disposition": "abandoned", "answered_by": None, "ring": 5.0, "talk": 0.0,
        "callback": "request", "attribution": AD_NUMBER, "queue": None, "hold": None,
        "recording": None,
    },
    "queue_answered": {
        "phone": "+79165554433", "name": "Ольга Смирнова", "direction": "inbound",
        "disposition": "answered", "answered_by": "202", "ring": 2.5, "talk": 6.5,
        "callback": "fulfilled", "attribution": {"did": "74951230000"}, "queue": "sales",
        "hold": 3.0, "recording": None,
    },
    "queue_abandoned": {
        "phone": "+79267778899", "name": "Пётр Сидоров", "direction": "inbound",
        "disposition": "abandoned", "answered_by": None, "ring": 6.0, "talk": 0.0,
        "callback": "request", "attribution": {"did": "74951230000"}, "queue": "sales",
        "hold": 6.0, "recording": None, "queue_result": "abandoned",
    },
    "click_to_call_originate": {
        "phone": "+79161234567", "name": None, "direction": "outbound",
        "disposition": "answered", "answered_by": "201", "ring": 4.0, "talk": 3.0,
        "callback": "fulfilled", "attribution": {}, "queue": None, "hold": None,
        "recording": None, "placed_by": "201",
    },
    "queue_timeout": {
        "phone": "+79851234455", "name": "Анна Кузнецова", "direction": "inbound",
        "disposition": "missed", "answered_by": None, "ring": 15.5, "talk": 0.0,
        "callback": "request", "attribution": {"did": "74951230000"}, "queue": "sales",
        "hold": 16.0, "recording": None, "queue_result": "timeout",
    },
    "connect_mid_call": {  # adopted from CoreShowChannels and Status; times from its Cdr
        "phone": "+79057776655", "name": "Сергей Волков", "direction": "inbound",
        "disposition": "answered", "answered_by": "201", "ring": 1.0, "talk": 8.0,
        "callback": "fulfilled", "attribution": AD_NUMBER, "queue": None, "hold": None,
        "recording": None,
    },
}  # fmt: skip


@pytest.mark.parametrize("trace_name", sorted(EXPECTED))
async def test_replayed_trace_becomes_the_expected_call_event(
    trace_name: str, ami_server: AmiTestServer, sink: RecordingSink
) -> None:
    expected = EXPECTED[trace_name]
    trace = load_trace(trace_name)
    ami_server.answers = trace.answers
    async with running_channel(ami_server, sink, clock=scaled_clock(SPEED)):
        await ami_server.logged_in()
        await ami_server.replay(trace, speed=SPEED)
        await wait_for(lambda: len(sink.events) == 1)
    (event,) = sink.events
    details = event.details
    assert event.channel == "call"
    assert [i.value for i in event.identities] == [expected["phone"]]
    assert event.name == expected["name"]
    assert event.region == "RU"
    assert event.direction == expected["direction"] == details["direction"]
    assert event.callback == expected["callback"]
    assert dict(event.attribution) == expected["attribution"]
    assert details["disposition"] == expected["disposition"]
    assert details["answered_by"] == expected["answered_by"]
    assert details["queue"] == expected["queue"]
    assert details["hold_seconds"] == expected["hold"]
    assert details["recording"] == expected["recording"]
    assert details["ring_seconds"] == pytest.approx(expected["ring"], abs=1.0)
    assert details["talk_seconds"] == pytest.approx(expected["talk"], abs=1.0)
    assert details["reconciled"] is False
    assert details["closed_by"] == "hangup"
    assert details["queue_result"] == expected.get("queue_result")
    assert details["placed_by"] == expected.get("placed_by")
    assert details["transfers"] == 0


async def test_ringing_an_extension_announces_the_caller_before_pickup(
    ami_server: AmiTestServer, sink: RecordingSink
) -> None:
    ringing: list[RingingCall] = []

    async def on_ringing(call: RingingCall) -> None:
        ringing.append(call)

    async with running_channel(ami_server, sink, on_ringing=on_ringing):
        await ami_server.logged_in()
        await ami_server.replay(load_trace("queue_answered"), speed=50)
        await wait_for(lambda: len(sink.events) == 1)
    assert ringing == [
        RingingCall("201", "+79165554433", "Ольга Смирнова", "74951230000", "1795334086.8"),
        RingingCall("202", "+79165554433", "Ольга Смирнова", "74951230000", "1795334086.8"),
    ]
