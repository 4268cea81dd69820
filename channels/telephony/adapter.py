"""The Asterisk channel: keeps an AMI session up, tracks calls, hands finished calls to intake."""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
import uuid
from collections.abc import Awaitable, Callable

from channels.base import HealthReporter, Sink
from channels.telephony.connection import AmiSession
from channels.telephony.delivery import CallDelivery, ManagerLookup
from channels.telephony.inbox import Connected, EventInbox, Tick
from channels.telephony.parse import call_event, customer_phone
from channels.telephony.permissions import Permissions
from channels.telephony.records import CallRecord, RingingCall
from channels.telephony.settings import TelephonySettings, digits_of
from channels.telephony.spool import CallSpool
from channels.telephony.tracker import CallTracker
from leads.errors import ChannelMisconfigured, ChannelUnavailable, PermissionDenied

log = logging.getLogger(__name__)

RingingHook = Callable[[RingingCall], Awaitable[None]]
_TICK_SECONDS = 1.0


class TelephonyChannel:
    """Keeps one AMI connection for the life of the service (`run`); starts calls (`originate`)."""

    name = "telephony"

    def __init__(
        self,
        settings: TelephonySettings,
        health: HealthReporter,
        on_ringing: RingingHook | None = None,
        clock: Callable[[], float] = time.time,
        reconnect_delays: tuple[float, float] = (1.0, 60.0),
        manager_of: ManagerLookup | None = None,
    ) -> None:
        self._settings = settings
        self._manager_of = manager_of
        self._health = health
        self._on_ringing = on_ringing
        self._clock = clock
        self._first_delay, self._max_delay = reconnect_delays
        self._tracker = CallTracker(settings, self._ringing)
        self._session: AmiSession | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._extension = re.compile(settings.extension_pattern)
        self._permissions = Permissions(self.name, settings.username, health)
        self.delivery: CallDelivery | None = None

    async def run(self, sink: Sink) -> None:
        """Stay connected until cancelled; ChannelMisconfigured if the login is rejected."""
        inbox = EventInbox()
        spool = CallSpool(self._settings.spool_file) if self._settings.spool_file else None
        delivery = self.delivery = CallDelivery(
            sink, self._first_delay, self._max_delay, manager_of=self._manager_of, spool=spool
        )
        workers = [
            asyncio.create_task(self._consume(inbox, delivery), name="ami-tracker"),
            asyncio.create_task(delivery.run(), name="ami-delivery"),
            asyncio.create_task(self._tick(inbox), name="ami-clock"),
        ]
        try:
            await self._stay_connected(inbox)
        finally:
            for task in [*workers, *self._background]:
                task.cancel()
            await asyncio.gather(*workers, *self._background, return_exceptions=True)
            if self._session is not None:
                self._session.close()
                self._session = None

    async def originate(self, extension: str, phone: str) -> str:
        """Ring `extension`, then dial `phone` from it; return the call's Linkedid (ChannelId).

        ValueError for an extension or number that cannot be dialed; ChannelUnavailable
        when Asterisk is not connected or refuses.
        """
        settings = self._settings
        if not self._extension.fullmatch(extension):
            raise ValueError("not an extension of this PBX")
        e164 = customer_phone(phone, settings.default_region)
        if not e164.startswith("+"):
            raise ValueError("not a phone number that can be dialed")
        session = self._session
        if session is None:
            raise ChannelUnavailable("Asterisk is not connected")
        channel_id = f"leadgate-{uuid.uuid4().hex}"
        self._tracker.expect_outbound(channel_id, e164)
        try:
            answer = await session.action(self._originate_action(extension, e164, channel_id))
        except PermissionDenied as err:
            self._permissions.lacks("Originate")
            raise ChannelUnavailable("the AMI user may not originate calls") from err
        if answer.response != "Success":
            raise ChannelUnavailable(f"Asterisk refused the call: {answer.message}")
        return channel_id

    def _originate_action(self, extension: str, e164: str, channel_id: str) -> dict[str, str]:
        settings, number = self._settings, digits_of(e164)
        return {
            "Action": "Originate",
            "Channel": settings.originate_channel.format(extension=extension),
            "Context": settings.originate_context,
            "Exten": number,
            "Priority": "1",
            "CallerID": f"{number} <{number}>",
            "Timeout": str(int(settings.originate_timeout * 1000)),
            "ChannelId": channel_id,
            "Async": "true",
        }

    async def _stay_connected(self, inbox: EventInbox) -> None:
        failures = 0
        lost_at: float | None = None
        while True:
            self._health.report(self.name, "starting")
            try:
                session = await self._open(inbox)
            except ChannelMisconfigured as err:
                log.error("Asterisk channel misconfigured: %s", err)
                self._health.report(self.name, "misconfigured", str(err))
                raise
            except ChannelUnavailable as err:
                failures += 1
                self._health.report(self.name, "down", str(err))
                log.warning("Asterisk unavailable (attempt %d): %s", failures, err)
                await asyncio.sleep(self._backoff(failures))
                continue
            failures = 0
            await self._serve(session, inbox, lost_at)
            lost_at = self._clock()
            log.warning("AMI connection lost; reconnecting")
            await asyncio.sleep(self._backoff(0))

    async def _open(self, inbox: EventInbox) -> AmiSession:
        settings = self._settings
        return await AmiSession.open(
            settings.host, settings.port, (settings.username, settings.secret), inbox,
            self._clock, settings.action_timeout,
        )  # fmt: skip

    async def _serve(self, session: AmiSession, inbox: EventInbox, lost_at: float | None) -> None:
        self._session = session
        inbox.put(Connected(self._clock(), lost_at))
        self._permissions.report()
        try:
            await self._list_channels(session)
            await session.watch(self._settings.ping_interval)
        finally:
            self._session = None
            session.close()

    async def _list_channels(self, session: AmiSession) -> None:
        """Ask for the live channels; their items reach the tracker in the event stream."""
        for action in ("CoreShowChannels", "Status"):
            try:
                await session.action({"Action": action}, as_list=True)
            except PermissionDenied:
                self._permissions.lacks(action)
            except ChannelUnavailable as err:
                log.warning("AMI: %s failed, calls in progress not adopted: %s", action, err)

    async def _tick(self, inbox: EventInbox) -> None:
        while True:
            await asyncio.sleep(_TICK_SECONDS)
            inbox.put(Tick(self._clock()))

    async def _consume(self, inbox: EventInbox, delivery: CallDelivery) -> None:
        while True:
            item = await inbox.get()
            if isinstance(item, Connected):
                self._tracker.connected(item.at, item.lost_at)
                continue
            if isinstance(item, Tick):
                records = self._tracker.tick(item.at)
            else:
                records = self._tracker.feed(item[1], item[0])
            for record in records:
                self._hand_over(record, delivery)

    def _hand_over(self, record: CallRecord, delivery: CallDelivery) -> None:
        event = call_event(record, self._settings)
        log.info(
            "Call %s finished: %s %s (%s)",
            record.linkedid, record.direction, record.disposition, record.closed_by,
        )  # fmt: skip
        if event is not None:
            delivery.put(event)
        elif record.direction == "outbound" and not record.customer_dialed:
            log.info("Call %s: extension %s did not pick up; the customer was not dialed",
                     record.linkedid, record.placed_by)  # fmt: skip

    def _ringing(self, call: RingingCall) -> None:
        if self._on_ringing is None:
            return
        task = asyncio.get_running_loop().create_task(self._announce(call))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _announce(self, call: RingingCall) -> None:
        assert self._on_ringing is not None
        try:
            await self._on_ringing(call)
        except Exception:
            log.exception("Screen pop for call %s failed", call.linkedid)

    def _backoff(self, failures: int) -> float:
        delay = min(self._first_delay * 2 ** min(failures, 16), self._max_delay)
        return delay * random.uniform(0.5, 1.0)
