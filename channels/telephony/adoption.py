"""Calls whose start was not seen: adopted from a channel snapshot, a Hangup or their Cdr."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from channels.telephony.call_state import CallState, Endpoints, known

SNAPSHOT_EVENTS = frozenset({"CoreShowChannel", "Status"})
_CDR_OUTCOME = {"ANSWERED": "answered", "BUSY": "busy", "NO ANSWER": "missed", "FAILED": "failed"}


def adopt_channel(
    call: CallState, event: Mapping[str, str], at: float, endpoints: Endpoints
) -> None:
    """A live channel listed by CoreShowChannels or Status joins its (adopted) call."""
    uniqueid = event.get("Uniqueid", "")
    channel = event.get("Channel", "")
    call.open.add(uniqueid)
    call.names[uniqueid] = channel
    extension = endpoints.extension(channel)
    if extension is None:
        call.trunk_legs.add(uniqueid)
    age = _age(event)
    if age is not None and not call.start_seen:
        call.started = min(call.started, at - age)
    if uniqueid == call.linkedid:
        _first_leg(call, event, extension)
    elif extension is None and not call.inbound:
        call.dialed = call.dialed or known(event.get("CallerIDNum"))
    bridge = event.get("BridgeId") or event.get("BridgeID")
    if bridge:
        call.bridges.setdefault(bridge, set()).add(uniqueid)
        _answered_in_bridge(call, call.bridges[bridge], at, endpoints)


def adopt_hangup(call: CallState, event: Mapping[str, str], endpoints: Endpoints) -> None:
    """A Hangup of a call never seen before tells who was on it, as far as it can."""
    uniqueid = event.get("Uniqueid", "")
    extension = endpoints.extension(event.get("Channel", ""))
    if uniqueid == call.linkedid:
        _first_leg(call, event, extension)
    elif extension is not None and event.get("ChannelStateDesc") == "Up":
        other = known(event.get("ConnectedLineNum"))
        if other is not None and not endpoints.is_extension(other):
            # The manager's leg was up and talking to an outside number: they answered.
            call.answered_by = call.answered_by or extension
            call.caller = call.caller or other


def _first_leg(call: CallState, event: Mapping[str, str], extension: str | None) -> None:
    call.first = call.linkedid
    call.inbound = extension is None
    if call.inbound:
        call.caller = call.caller or known(event.get("CallerIDNum"))
        call.caller_name = call.caller_name or known(event.get("CallerIDName"))
        call.did = call.did or known(event.get("DNID"))
    else:
        call.placed_by = call.placed_by or extension
        call.dialed = call.dialed or known(event.get("ConnectedLineNum"))


def _answered_in_bridge(
    call: CallState, members: set[str], at: float, endpoints: Endpoints
) -> None:
    customer = call.linkedid if call.inbound else next(iter(call.trunk_legs), None)
    if customer not in members or call.answered is not None:
        return
    for uniqueid in members - {customer}:
        extension = endpoints.extension(call.names.get(uniqueid, ""))
        if extension is not None:
            # Bridged before we connected: answered, but when is for the Cdr to say.
            call.answered, call.answer_seen = at, False
            call.answered_by = call.answered_by or extension
            return


def _age(event: Mapping[str, str]) -> float | None:
    if event.get("Seconds", "").isdigit():
        return float(event["Seconds"])
    parts = event.get("Duration", "").split(":")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return float(int(parts[0]) * 3600 + int(parts[1]) * 60 + int(parts[2]))
    return None


@dataclass(frozen=True, slots=True)
class CdrFacts:
    """What a call's Cdr rows say: times (epoch), outcome and the extensions involved."""

    started: float | None
    answered: float | None
    ended: float | None
    outcome: str | None
    answered_by: str | None


def adopt_cdr(call: CallState, cdr: Mapping[str, str], endpoints: Endpoints) -> None:
    """A Cdr of a call whose start we never saw: who called whom (Cdr-only calls)."""
    call.cdrs.append(cdr)
    if call.first is not None:
        return
    call.first = call.linkedid
    extension = endpoints.extension(cdr.get("Channel", ""))
    call.inbound = extension is None
    if call.inbound:
        call.caller = known(cdr.get("Source"))
        call.caller_name = _cdr_name(cdr.get("CallerID", ""))
    else:
        call.placed_by = extension
        call.dialed = known(cdr.get("Destination"))
        if cdr.get("DestinationChannel") and endpoints.extension(cdr["DestinationChannel"]) is None:
            call.trunk_legs.add(cdr["DestinationChannel"])


def cdr_facts(cdrs: list[Mapping[str, str]], zone: ZoneInfo, endpoints: Endpoints) -> CdrFacts:
    """Fold a call's Cdr rows: a queue call gives one per member rung, the answered one wins."""
    answered = [
        c for c in cdrs
        if c.get("Disposition") == "ANSWERED"
        and endpoints.extension(c.get("DestinationChannel", "")) is not None
    ]  # fmt: skip
    best = answered[0] if answered else cdrs[0]
    starts = [t for c in cdrs if (t := _cdr_time(c.get("StartTime"), zone)) is not None]
    ends = [t for c in cdrs if (t := _cdr_time(c.get("EndTime"), zone)) is not None]
    return CdrFacts(
        started=min(starts, default=None),
        answered=_cdr_time(best.get("AnswerTime"), zone) if answered else None,
        ended=max(ends, default=None),
        outcome="answered" if answered else _CDR_OUTCOME.get(best.get("Disposition", "")),
        answered_by=endpoints.extension(best.get("DestinationChannel", "")) if answered else None,
    )


def _cdr_time(value: str | None, zone: ZoneInfo) -> float | None:
    """Cdr times are `YYYY-MM-DD HH:MM:SS` in Asterisk's local time zone."""
    try:
        return datetime.strptime(value or "", "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone).timestamp()
    except ValueError:
        return None


def _cdr_name(caller_id: str) -> str | None:
    """The name in a Cdr `CallerID` (`"Иван Петров" <79161234567>`)."""
    name = caller_id.partition("<")[0].strip().strip('"').strip()
    return name or None
