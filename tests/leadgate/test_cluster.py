"""Three `leadgate run` processes on one database and one broker: nothing lost, nothing doubled,
and each loop that runs once (relay, AMI connection, mailbox) moves on when its holder is killed.

One cluster serves the module's tests in order; the relay's killed holder is started again
(its time to serve is measured), and each test that kills a member makes sure a second one lives.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.engine import create_engine
from crm_store.outbox import unsent_count
from crm_store.tables import leads, touches
from routing.amqp import UNASSIGNED_QUEUE, manager_queue
from tests.channels.telephony.ami_server import AmiTestServer, load_trace
from tests.channels.telephony.conftest import ASTERISK_SECTION
from tests.channels.telephony.synthetic import copy_of
from tests.conftest import private_database
from tests.leadgate.compose.test_telephony_channel import as_toml
from tests.support.cluster import Cluster, Member
from tests.support.dovecot import PASSWORD, USER, Dovecot, running_dovecot
from tests.support.rabbitmq import read_queue, reset_topology

pytestmark = pytest.mark.asyncio(loop_scope="module")
T = TypeVar("T")

LOAD = 3000
TAKEOVER_SECONDS = 10.0
RELAY_BATCH = 500
# Offers never expire while the module runs: on a loaded machine it outlasts the default five
# minutes, and re-offers would add messages the tests count.
FOUR_MANAGERS = """
[forms.contact]
name = "Contact"
default_region = "UZ"
[webforms]
rate_limit_per_minute = 0
[teams.sales]
members = ["a", "b", "c", "d"]
accept_minutes = 600
""" + "".join(f"[managers.{login}]\ncapacity = 1000000\n" for login in "abcd")
taken_over: dict[str, float] = {}
"""Seconds from a holder's SIGKILL to another member running its loop, per singleton."""


@pytest.fixture(scope="module")
def cluster_database() -> Iterator[str]:
    """A database of the module's own (the cluster outlives single tests)."""
    with private_database("leadgate_cluster") as url:
        yield url


@pytest.fixture(scope="module")
def mail_server() -> Iterator[Dovecot]:
    with running_dovecot() as server:
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def pbx() -> AsyncIterator[AmiTestServer]:
    server = await AmiTestServer().start()
    try:
        yield server
    finally:
        await server.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def cluster(cluster_database: str,
                  amqp_vhost: str, pbx: AmiTestServer, mail_server: Dovecot
                  ) -> AsyncIterator[Cluster]:
    await reset_topology()
    # Generous AMI pings: on a loaded machine a slow answer must not make the holder reconnect.
    asterisk = {**ASTERISK_SECTION, "port": pbx.port, "ping_interval": 30, "action_timeout": 20}
    config = FOUR_MANAGERS + as_toml({}, asterisk) + "\n".join([
        "[[imap.mailboxes]]", 'host = "127.0.0.1"', f"port = {mail_server.port}",
        'tls = "none"', f'user = "{USER}"', f'password = "{PASSWORD}"', ""])
    workdir = Path(tempfile.mkdtemp(prefix="leadgate-cluster-"))
    running = Cluster(workdir, config,
                      {"LEADGATE_DATABASE_URL": cluster_database, "LEADGATE_AMQP_URL": amqp_vhost})
    try:
        await running.start(3)
        yield running
    finally:
        await running.stop()
        show_logs_and_remove(workdir)


def show_logs_and_remove(workdir: Path) -> None:
    """Print the end of each member's log (pytest shows it when a test failed); clean up."""
    for log in sorted(workdir.glob("*.log")):
        print(f"--- {log.name}", *log.read_text().splitlines()[-15:], sep="\n")
    shutil.rmtree(workdir, ignore_errors=True)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def store(cluster: Cluster, cluster_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(cluster_database)
    yield engine
    await engine.dispose()


async def scalar(engine: AsyncEngine, statement: Any) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(statement) or 0)


async def polled(probe: Callable[[], Awaitable[T]], ok: Callable[[T], bool],
                 within: float = 120.0) -> T:
    """Ask `probe` until `ok` holds for its answer (other processes write: nothing to wait on)."""
    async with asyncio.timeout(within):
        while not ok(value := await probe()):  # noqa: ASYNC110 - polling other processes
            await asyncio.sleep(0.05)
    return value


async def unsent(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return await unsent_count(conn)


async def drained(engine: AsyncEngine) -> None:
    await polled(lambda: unsent(engine), lambda count: count == 0)


async def lead_count(engine: AsyncEngine) -> int:
    return await scalar(engine, select(func.count()).select_from(leads))


async def routed_messages() -> Counter[str]:
    """Take every message from the four managers' queues and the team queue: count per id."""
    queues = [UNASSIGNED_QUEUE, *(manager_queue(n) for n in range(1, 5))]
    taken = [m for q in queues for m in await read_queue(q)]
    return Counter(m["message_id"] for m in taken)


async def killed_and_taken_over(cluster: Cluster, singleton: str) -> Member:
    """SIGKILL the holder of `singleton`; the member that took it over."""
    await cluster.at_least(2)
    holder = await cluster.holder(singleton)
    cluster.kill(holder)
    killed_at = time.monotonic()
    successor = await cluster.holder(singleton, within=TAKEOVER_SECONDS + 20)
    taken_over[singleton] = time.monotonic() - killed_at
    await cluster.reaped(holder)
    assert successor is not holder
    return successor


def phones_of(count: int, first: int) -> set[str]:
    return {f"+99890{n:07d}" for n in range(first, first + count)}


async def lead_phones(engine: AsyncEngine) -> Counter[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(touches.c.identities).where(
            touches.c.channel == "webform"))
        return Counter(i["value"] for row in rows for i in row.identities if i["kind"] == "phone")


async def test_three_processes_route_3000_leads_each_message_reaching_its_queue_once(
    cluster: Cluster, store: AsyncEngine
) -> None:
    statuses = await cluster.post_leads(0, LOAD)
    await drained(store)
    messages = await routed_messages()
    phones = await lead_phones(store)
    views = [(await cluster.health(m))["singletons"] for m in cluster.living]

    assert set(statuses) == {201}
    assert len(messages) == LOAD and set(messages.values()) == {1}
    assert all(key.startswith("lead.assigned:") for key in messages)
    assert set(phones) == phones_of(LOAD, 0) and set(phones.values()) == {1}
    assert await lead_count(store) == LOAD
    for name in ("outbox", "sla", "telephony"):
        holders = {view[name]["holder"] for view in views}
        assert len(holders) == 1 and sum(view[name]["here"] for view in views) == 1


async def test_killing_the_relay_holder_mid_load_moves_the_relay_and_the_outbox_drains(
    cluster: Cluster, store: AsyncEngine
) -> None:
    load = asyncio.create_task(cluster.post_leads(LOAD, LOAD))
    await polled(lambda: lead_count(store), lambda count: count >= LOAD + LOAD // 3)
    await killed_and_taken_over(cluster, "outbox")
    cluster.start_another()
    statuses = await load
    await drained(store)
    messages = await routed_messages()
    phones = await lead_phones(store)

    assert taken_over["outbox"] <= TAKEOVER_SECONDS
    assert set(statuses) <= {200, 201}
    assert len(messages) == LOAD  # each one at least once ...
    # ... and only what the killed relay had published but not yet marked comes twice
    assert sum(messages.values()) - LOAD <= RELAY_BATCH
    assert set(phones) == phones_of(2 * LOAD, 0) and set(phones.values()) == {1}
    assert await lead_count(store) == 2 * LOAD


async def connected(cluster: Cluster, member: Member) -> None:
    """Wait until the member says its AMI connection is up."""
    await polled(lambda: cluster.health(member),
                 lambda health: health["channels"].get("telephony", {}).get("state") == "ok")


async def calls_logged(engine: AsyncEngine) -> Counter[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(touches.c.external_id).where(touches.c.channel == "call"))
        return Counter(row.external_id for row in rows)


async def test_killing_the_ami_holder_mid_load_moves_the_connection_and_logs_calls_once(
    cluster: Cluster, store: AsyncEngine, pbx: AmiTestServer
) -> None:
    missed = load_trace("missed_no_answer")
    calls = [b"".join(copy_of(missed, n, caller=f"7900{n:07d}")) for n in range(40)]
    load = asyncio.create_task(cluster.post_leads(2 * LOAD, LOAD // 3))
    await connected(cluster, await cluster.holder("telephony"))  # the newest AMI session is its
    logins = len(pbx.sessions)
    await pbx.send(b"".join(calls[:20]))
    await polled(lambda: calls_logged(store), lambda logged: len(logged) == 20)
    await killed_and_taken_over(cluster, "telephony")
    await pbx.logged_in(logins + 1, within=TAKEOVER_SECONDS)
    await connected(cluster, await cluster.holder("telephony"))
    await pbx.send(b"".join(calls[20:]))
    logged = await polled(lambda: calls_logged(store), lambda logged: len(logged) == 40)
    await load
    await drained(store)
    await routed_messages()

    assert taken_over["telephony"] <= TAKEOVER_SECONDS
    assert set(logged.values()) == {1}


def mail(n: int) -> bytes:
    return (f"From: Customer {n} <customer{n}@example.com>\r\nTo: {USER}\r\n"
            f"Subject: Price please\r\nMessage-ID: <cluster-{n}@example.com>\r\n"
            "Date: Mon, 30 Nov 2026 10:00:00 +0000\r\n\r\nHow much is it?\r\n").encode()


async def mails_logged(engine: AsyncEngine) -> Counter[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(touches.c.external_id).where(
            touches.c.channel == "email"))
        return Counter(row.external_id for row in rows)


async def test_killing_a_mailbox_holder_mid_load_moves_the_mailbox_and_logs_mails_once(
    cluster: Cluster, store: AsyncEngine, mail_server: Dovecot
) -> None:
    [mailbox] = [name for name in (await cluster.health(cluster.living[0]))["singletons"]
                 if name.startswith("imap:")]
    load = asyncio.create_task(cluster.post_leads(3 * LOAD, LOAD // 3))
    for n in range(10):
        await asyncio.to_thread(mail_server.plant, mail(n))
    await polled(lambda: mails_logged(store), lambda logged: len(logged) == 10)
    await killed_and_taken_over(cluster, mailbox)
    for n in range(10, 20):
        await asyncio.to_thread(mail_server.plant, mail(n))
    logged = await polled(lambda: mails_logged(store), lambda logged: len(logged) == 20)
    await load
    await drained(store)
    await routed_messages()

    assert taken_over[mailbox] <= TAKEOVER_SECONDS
    assert set(logged.values()) == {1}
    assert all(b"$LeadgateImported" in flags for flags in mail_server.flags())
    print("takeover seconds:", json.dumps(taken_over),
          "serving after restart:", [round(m.serving_after or 0, 1) for m in cluster.members])
