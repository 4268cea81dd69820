"""The IMAP channel against a real Dovecot: import once, IDLE, restarts, UIDVALIDITY, outages."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from channels.email.imap import folder
from channels.email.imap.adapter import ImapChannel
from channels.email.settings import MailboxSettings
from crm_store.cards import customer_by_identity
from leadgate.compose import Store
from leadgate.health import Health
from leadgate.supervisor import supervise
from leads.errors import ChannelMisconfigured, ChannelUnavailable, StoreUnavailable
from leads.model import ContactEvent, IntakeResult
from tests.channels.email.conftest import sample
from tests.store_counts import row_counts
from tests.support.dovecot import PASSWORD, USER, Dovecot


def mailbox(dovecot: Dovecot, **overrides: Any) -> MailboxSettings:
    fields: dict[str, Any] = {"host": "127.0.0.1", "port": dovecot.port, "tls": "none",
                              "user": USER, "password": PASSWORD, "default_region": "RU"}
    return MailboxSettings.from_toml(fields | overrides, 1)


async def eventually(condition: Callable[[], bool], within: float = 15.0) -> None:
    for _ in range(int(within / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the condition did not come true in time")


@contextlib.asynccontextmanager
async def watching(channel: ImapChannel, core: Store) -> AsyncIterator[Health]:
    """The channel under the supervisor, as `leadgate run` runs it."""
    health = Health()
    task = asyncio.create_task(supervise(channel, core.intake, health, max_backoff=1.0))
    try:
        yield health
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_new_mail_becomes_a_lead_and_is_flagged_after_commit(
    core: Store, dovecot: Dovecot
) -> None:
    dovecot.plant(sample("inquiry_plain_utf8_ru"))
    channel = ImapChannel(mailbox(dovecot), core.cursors)
    async with watching(channel, core):
        await eventually(lambda: channel.imported == 1)

    async with core.engine.connect() as conn:
        by_mail = await customer_by_identity(conn, "email", "ivan.petrov@example.ru")
        by_phone = await customer_by_identity(conn, "phone", "+79123456789")
    assert by_mail is not None and by_mail == by_phone
    assert b"$LeadgateImported" in dovecot.flags()[0]
    assert b"\\Seen" not in dovecot.flags()[0]


async def test_idle_picks_up_mail_that_arrives_while_connected(
    core: Store, dovecot: Dovecot
) -> None:
    channel = ImapChannel(mailbox(dovecot), core.cursors)
    async with watching(channel, core):
        await asyncio.sleep(0.5)  # connected and idling
        await asyncio.to_thread(dovecot.plant, sample("inquiry_koi8r"))
        await eventually(lambda: channel.imported == 1, within=10.0)

    assert (await row_counts(core.engine))["leads"] == 1


async def test_a_channel_that_idles_stops_at_once(core: Store, dovecot: Dovecot) -> None:
    channel = ImapChannel(mailbox(dovecot), core.cursors)
    task = asyncio.create_task(channel.run(core.intake))
    await asyncio.sleep(0.5)  # connected and idling

    started = time.monotonic()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    assert time.monotonic() - started < 0.5


async def test_a_restart_of_leadgate_imports_nothing_twice(core: Store, dovecot: Dovecot) -> None:
    for name in ("inquiry_plain_utf8_ru", "inquiry_koi8r"):
        dovecot.plant(sample(name))
    first = ImapChannel(mailbox(dovecot), core.cursors)
    async with watching(first, core):
        await eventually(lambda: first.imported == 2)
    dovecot.plant(sample("inquiry_with_attachment_uz"))
    second = ImapChannel(mailbox(dovecot), core.cursors)
    async with watching(second, core):
        await eventually(lambda: second.imported == 1)
        await asyncio.sleep(0.3)

    assert second.imported == 1
    assert (await row_counts(core.engine))["touches"] == 3


async def test_a_uidvalidity_change_rescans_but_imports_nothing_twice(
    core: Store, dovecot: Dovecot
) -> None:
    for name in ("inquiry_plain_utf8_ru", "inquiry_koi8r"):
        dovecot.plant(sample(name))
    first = ImapChannel(mailbox(dovecot), core.cursors)
    async with watching(first, core):
        await eventually(lambda: first.imported == 2)
    dovecot.change_uidvalidity()
    second = ImapChannel(mailbox(dovecot), core.cursors)
    async with watching(second, core):
        await eventually(lambda: second.imported == 2)  # read again ...

    assert (await row_counts(core.engine))["touches"] == 2  # ... and kept once


async def test_a_dovecot_restart_is_survived(core: Store, dovecot: Dovecot) -> None:
    channel = ImapChannel(mailbox(dovecot), core.cursors)
    async with watching(channel, core):
        dovecot.plant(sample("inquiry_plain_utf8_ru"))
        await eventually(lambda: channel.imported == 1)
        await asyncio.to_thread(dovecot.restart)
        dovecot.plant(sample("inquiry_koi8r"))
        await eventually(lambda: channel.imported == 2, within=20.0)

    assert (await row_counts(core.engine))["leads"] == 2


async def test_imported_mail_can_be_moved_to_a_folder(core: Store, dovecot: Dovecot) -> None:
    dovecot.plant(sample("inquiry_koi8r"))
    dovecot.plant(b"Subject: x\r\n\r\nx\r\n", "Leads.Imported")  # the folder exists
    channel = ImapChannel(mailbox(dovecot, after_import="move", move_to="Leads.Imported"),
                          core.cursors)
    async with watching(channel, core):
        await eventually(lambda: channel.imported == 1)

    assert dovecot.flags("INBOX") == []
    assert len(dovecot.flags("Leads.Imported")) == 2


async def test_wrong_credentials_are_reported_as_misconfigured(
    core: Store, dovecot: Dovecot
) -> None:
    channel = ImapChannel(mailbox(dovecot, password="wrong"), core.cursors)

    with pytest.raises(ChannelMisconfigured, match="refused the login"):
        await channel.run(core.intake)


def inquiry(n: int) -> bytes:
    return (f"From: Client {n} <client{n}@example.ru>\r\nTo: sales@example.uz\r\n"
            f"Subject: Price {n}\r\nMessage-ID: <outage-{n}@example.ru>\r\n"
            f"Date: Mon, 02 Nov 2026 09:15:00 +0500\r\n\r\nHow much? +7 912 000-00-{n:02d}\r\n"
            ).encode()


async def test_a_store_outage_mid_folder_flags_only_what_committed_and_loses_nothing(
    core: Store, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(folder, "FETCH_BATCH", 2)  # five mails: three batches, read ahead
    for n in range(5):
        dovecot.plant(inquiry(n))

    async def failing_on_the_third(event: ContactEvent) -> IntakeResult:
        if event.external_id == "outage-2@example.ru":
            raise StoreUnavailable("the database went away")
        return await core.intake(event)

    first = ImapChannel(mailbox(dovecot), core.cursors)
    with pytest.raises(ChannelUnavailable):
        await first.run(failing_on_the_third)

    assert first.imported == 2
    assert [b"$LeadgateImported" in flags for flags in dovecot.flags()] == [
        True, True, False, False, False]
    second = ImapChannel(mailbox(dovecot), core.cursors)
    async with watching(second, core):
        await eventually(lambda: second.imported == 3)

    assert all(b"$LeadgateImported" in flags for flags in dovecot.flags())
    assert (await row_counts(core.engine))["touches"] == 5
