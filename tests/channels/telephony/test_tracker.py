"""The call tracker alone: internal calls are no customer's, and memory stays bounded."""

from __future__ import annotations

from channels.telephony.framing import parse_message
from channels.telephony.parse import call_event
from channels.telephony.records import CallRecord
from channels.telephony.tracker import CallTracker
from tests.channels.telephony.ami_server import load_trace
from tests.channels.telephony.conftest import telephony_settings
from tests.channels.telephony.synthetic import copy_of

CALLER, CALLEE = "1800000000.1", "1800000000.2"


def internal_call() -> list[dict[str, str]]:
    """Extension 202 dials 201 in the phones' context; 201 answers; both hang up."""
    caller = {"Channel": "PJSIP/202-00000001", "Uniqueid": CALLER, "Linkedid": CALLER}
    callee = {"DestChannel": "PJSIP/201-00000002", "DestUniqueid": CALLEE,
              "DestLinkedid": CALLER}
    return [
        {"Event": "Newchannel", **caller, "Context": "from-internal", "Exten": "201",
         "CallerIDNum": "202", "CallerIDName": "Timur"},
        {"Event": "Newchannel", "Channel": "PJSIP/201-00000002", "Uniqueid": CALLEE,
         "Linkedid": CALLER, "Context": "from-internal", "Exten": "s", "CallerIDNum": "201"},
        {"Event": "DialBegin", **caller, **callee, "DialString": "201"},
        {"Event": "DialEnd", **caller, **callee, "DialStatus": "ANSWER"},
        {"Event": "Hangup", "Channel": "PJSIP/201-00000002", "Uniqueid": CALLEE,
         "Linkedid": CALLER, "Cause": "16"},
        {"Event": "Hangup", **caller, "Cause": "16"},
    ]  # fmt: skip


def without_hangups(copies: int) -> list[dict[str, str]]:
    """Copies of an answered call whose Hangup events were lost."""
    events = []
    for number in range(copies):
        for raw in copy_of(load_trace("answered_recorded"), number):
            headers = parse_message(raw)
            if headers is not None and headers.get("Event") != "Hangup":
                events.append(headers)
    return events


def fed(tracker: CallTracker, events: list[dict[str, str]], at: float) -> list[CallRecord]:
    return [record for event in events for record in tracker.feed(event, at)]


def test_a_call_between_two_extensions_is_internal_and_never_a_contact() -> None:
    settings = telephony_settings(5038)

    [record] = fed(CallTracker(settings), internal_call(), 100.0)

    assert record.direction == "internal"
    assert call_event(record, settings) is None


def test_a_call_whose_hangup_never_comes_is_closed_as_stale_once() -> None:
    tracker = CallTracker(telephony_settings(5038, stale_call_seconds=60))
    assert fed(tracker, without_hangups(1), 1000.0) == []

    early = tracker.tick(1059.0)
    [stale] = tracker.tick(1061.0)
    again = tracker.tick(2000.0)

    assert (early, again) == ([], [])
    assert (stale.closed_by, stale.did, tracker.open_calls) == ("stale", "74951234567", 0)


def test_beyond_the_open_call_limit_the_oldest_call_makes_room() -> None:
    tracker = CallTracker(telephony_settings(5038, max_open_calls=3))

    closed = fed(tracker, without_hangups(5), 1000.0)

    assert tracker.open_calls == 3
    assert [r.closed_by for r in closed] == ["stale", "stale"]
    assert [r.linkedid.split("-")[0] for r in closed] == ["0", "1"]


def blind_transfer() -> list[dict[str, str]]:
    """A customer's call answered by 201, blind-transferred to 202, who answers."""
    trunk = {"Channel": "PJSIP/trunk-00000010", "Uniqueid": "1800000001.1",
             "Linkedid": "1800000001.1"}
    phones = {ext: {"Channel": f"PJSIP/{ext}-0000001{n}", "Uniqueid": f"1800000001.{n}",
                    "Linkedid": "1800000001.1"} for n, ext in ((2, "201"), (3, "202"))}

    def dial(ext: str, status: str) -> dict[str, str]:
        return {**trunk, "DestChannel": phones[ext]["Channel"],
                "DestUniqueid": phones[ext]["Uniqueid"], "DialStatus": status}

    return [
        {"Event": "Newchannel", **trunk, "Context": "from-trunk", "Exten": "74951234567",
         "CallerIDNum": "79161234567"},
        {"Event": "Newchannel", **phones["201"], "Context": "from-internal"},
        {"Event": "DialBegin", **dial("201", "")},
        {"Event": "DialEnd", **dial("201", "ANSWER")},
        {"Event": "BlindTransfer", "TransfererChannel": phones["201"]["Channel"],
         "TransfererLinkedid": "1800000001.1", "TransfereeLinkedid": "1800000001.1",
         "Extension": "202"},
        {"Event": "Hangup", **phones["201"], "Cause": "16"},
        {"Event": "Newchannel", **phones["202"], "Context": "from-internal"},
        {"Event": "DialBegin", **dial("202", "")},
        {"Event": "DialEnd", **dial("202", "ANSWER")},
        {"Event": "Hangup", **phones["202"], "Cause": "16"},
        {"Event": "Hangup", **trunk, "Cause": "16"},
    ]  # fmt: skip


def test_a_transferred_call_keeps_one_record_with_the_final_answering_extension() -> None:
    [record] = fed(CallTracker(telephony_settings(5038)), blind_transfer(), 100.0)

    assert (record.direction, record.disposition) == ("inbound", "answered")
    assert (record.answered_by, record.transfers, record.did) == ("202", 1, "74951234567")


def test_a_call_joined_mid_way_takes_its_durations_from_the_cdr_on_our_own_clock() -> None:
    # Asterisk's Cdr times are local; a wrong cdr_timezone must not bend the durations.
    tracker = CallTracker(telephony_settings(5038, cdr_timezone="Asia/Tashkent"))
    trace = load_trace("connect_mid_call")
    records = []
    for offset, raw in [(0.0, m) for m in trace.answers["coreshowchannels"]] + trace.messages:
        headers = parse_message(raw)
        if headers is not None:
            records += tracker.feed(headers, 5000.0 + offset)
    [record] = records + tracker.tick(5100.0)

    assert (record.ring_seconds, record.talk_seconds, record.answered_by) == (1.0, 8.0, "201")
    assert abs(record.ended_at.timestamp() - (5000.0 + 5.57)) < 0.01  # its last Hangup
    assert record.started_at.timestamp() == record.ended_at.timestamp() - 9.0
