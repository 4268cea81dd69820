"""Benchmark: form posts → routed leads confirmed in their managers' RabbitMQ queues.

Starts `leadgate run` on a fresh PostgreSQL database and a RabbitMQ vhost of its own, with a team
of four managers, posts the forms, and stops the clock when the outbox relay has every routing
message confirmed by RabbitMQ (publisher confirms: the message is in the manager's durable
queue). It does so with one process and with three (`--processes 1,3`: separate `leadgate run`
processes on one database and one broker, the posts spread over them, one relay elected among
them), and once more with three whose manager choice is not serialized per team (`--unlocked`),
to show what that lock costs. End to end, intake bounds the rate; the relay alone is measured
too: the forms are posted while the broker refuses the vhost, then the vhost opens and the
relay drains the backlog (its rate from the first to the last batch marked sent). Routing
itself is measured the same way with the notifier consumer running too (an e-mail notifier
whose managers have no address, so the consumer's own work is measured, not a mail server's):
the broker lets the consumer declare and read the manager queues but refuses the relay's
publishes until every form was accepted; then the relay publishes the backlog and the consumer
handles, remembers and acknowledges every message (its rate from the first batch claimed to the
last message remembered; the queues are checked empty afterwards). The ceiling,
measured in the same run, is aio-pika alone publishing the same number of equivalent persistent
messages to a durable queue with pipelined confirms, in batches the size the relay uses.
CPU milliseconds per lead are read from /proc: the Leadgate processes, the PostgreSQL backends
of the run's database, RabbitMQ's whole node (shared: it includes whatever else uses it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import aio_pika
import asyncpg
from cpu import backends_cpu, named_cpu, process_cpu
from intake import (
    BENCH_CONFIG,
    RUN,
    drop_database,
    free_port,
    fresh_database,
    post_forms,
    start_service,
)

CONFIG = BENCH_CONFIG + """[teams.sales]
members = ["a", "b", "c", "d"]
[managers.a]
capacity = 1000000
[managers.b]
capacity = 1000000
[managers.c]
capacity = 1000000
[managers.d]
capacity = 1000000
"""
NOTIFIED = CONFIG + '[notify.email]\nhost = "127.0.0.1"\nport = 9\n'
"""The same with an e-mail notifier, so the notifier consumer runs (no manager has an address)."""
RELAY_BATCH = 500
DATABASE = f"leadgate_bench_routing{RUN}"
LEADGATE = ("-m", "leadgate.cli")
# The same service with the per-team lock of manager choice taken out (for comparison only).
UNLOCKED = ("-c", "import sys\n"
            "from crm_store.routing_store import SqlRoutingStore, TeamRow\n"
            "from crm_store import team_locks\n"
            "async def boards(self, names):\n"
            "    rows = await team_locks.read_teams(self.connection, names)\n"
            "    return {row.name: (TeamRow(*row), await self.members(row.id)) for row in rows}\n"
            "SqlRoutingStore.boards = boards\n"
            "from leadgate.cli import main\n"
            "sys.exit(main(sys.argv[1:]))")


def vhost_url(vhost: str) -> str:
    """The URL of a vhost on the machine's broker (it may not exist yet)."""
    return f"amqp://guest:guest@127.0.0.1:5672/{vhost}"


def open_vhost(vhost: str, write: str = ".*") -> None:
    """Create the vhost and let guest use it (writing only to what matches `write`)."""
    subprocess.run(["rabbitmqctl", "add_vhost", vhost], check=True, capture_output=True)
    permit(vhost, write)


def permit(vhost: str, write: str = ".*") -> None:
    """Let guest configure and read everything in the vhost, and write what matches `write`.

    Writing to the `leadgate` exchange is publishing to it; binding a queue and dead-lettering
    need only names that start with `leadgate.`: allowing those lets consumers run, no one
    publish.
    """
    subprocess.run(["rabbitmqctl", "set_permissions", "-p", vhost, "guest", ".*", write, ".*"],
                   check=True, capture_output=True)


def queued(vhost: str) -> int:
    """Messages in the vhost's queues, ready or unacknowledged."""
    listed = subprocess.run(["rabbitmqctl", "list_queues", "-q", "-p", vhost, "--no-table-headers",
                             "messages"], check=True, capture_output=True, text=True)
    return sum(int(count) for count in listed.stdout.split())


def drop_vhost(vhost: str) -> None:
    """Delete the vhost with its queues."""
    subprocess.run(["rabbitmqctl", "delete_vhost", vhost], capture_output=True)


def cpu(pids: list[int]) -> dict[str, float]:
    """CPU seconds so far of the Leadgate processes, their PostgreSQL backends and RabbitMQ."""
    return {"leadgate": sum(process_cpu(pid) for pid in pids),
            "postgres": backends_cpu(DATABASE),
            "rabbitmq": named_cpu(("beam.smp", "erl_child"))}


def per_lead(before: dict[str, float], after: dict[str, float], leads: int) -> str:
    """CPU ms per lead of each process, as printed."""
    return ", ".join(f"{name} {(after[name] - before[name]) * 1000 / leads:.2f}"
                     for name in after)


async def until_confirmed(dsn: str, total: int) -> None:
    """Wait until the outbox holds `total` messages, all confirmed by RabbitMQ."""
    conn = await asyncpg.connect(dsn)
    try:
        while True:
            sent = await conn.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL")
            if sent >= total:
                return
            await asyncio.sleep(0.01)
    finally:
        await conn.close()


async def until_handled(dsn: str, total: int) -> None:
    """Wait until the notifier consumer has remembered `total` messages as handled."""
    conn = await asyncpg.connect(dsn)
    try:
        while True:
            if await conn.fetchval("SELECT count(*) FROM consumed_messages") >= total:
                return
            await asyncio.sleep(0.01)
    finally:
        await conn.close()


async def until_acked(vhost: str) -> None:
    """Wait until the vhost's queues are empty: every message was acknowledged."""
    for _ in range(60):
        if await asyncio.to_thread(queued, vhost) == 0:
            return
        await asyncio.sleep(1)
    raise SystemExit(f"{await asyncio.to_thread(queued, vhost)} messages left unacknowledged")


async def ceiling(total: int, body: bytes) -> float:
    """Seconds for aio-pika alone to publish `total` persistent messages with confirms."""
    vhost = f"leadgate-bench-{uuid.uuid4().hex[:6]}"
    open_vhost(vhost)
    try:
        async with await aio_pika.connect(vhost_url(vhost)) as connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.declare_exchange(
                "leadgate.bench", aio_pika.ExchangeType.TOPIC, durable=True)
            queue = await channel.declare_queue("leadgate.bench", durable=True)
            await queue.bind(exchange, "lead.assigned.*")
            started = time.perf_counter()
            for first in range(0, total, RELAY_BATCH):
                await asyncio.gather(*(
                    exchange.publish(aio_pika.Message(
                        body, message_id=f"bench:{n}", content_type="application/json",
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                        f"lead.assigned.{n % 4 + 1}")
                    for n in range(first, min(first + RELAY_BATCH, total))
                ))
            return time.perf_counter() - started
    finally:
        drop_vhost(vhost)


async def routed(total: int, concurrency: int, processes: int, command: tuple[str, ...] = LEADGATE,
                 backlog: bool = False, notified: bool = False
                 ) -> tuple[float, float, str, bytes]:
    """Leads/s accepted, leads/s routed and confirmed, CPU per lead, a sample message body.

    With `backlog`, the broker refuses the vhost until every form was accepted: the second
    figure is then the relay's own rate draining that backlog. With `notified`, the notifier
    consumer runs and the broker refuses only the relay's publishes until then: the second
    figure is the rate of relay and consumer together, each message acknowledged.
    """
    vhost = f"leadgate-bench-{uuid.uuid4().hex[:6]}"
    if notified:
        open_vhost(vhost, write=r"^leadgate\..+")
    elif not backlog:
        open_vhost(vhost)
    dsn = await fresh_database(DATABASE)
    ports = [free_port() for _ in range(processes)]
    with tempfile.TemporaryDirectory() as workdir:
        service = {"LEADGATE_AMQP_URL": vhost_url(vhost)}
        config = NOTIFIED if notified else CONFIG
        # A refused vhost is how the backlog is built: the relay's warnings about it are the
        # plan, not a failure, so those runs log errors only.
        level = "ERROR" if backlog or notified else "WARNING"
        # The first process creates the schema; the others start together once it serves.
        started = [start_service(dsn, ports[0], Path(workdir), config, command=command,
                                 log_level=level, **service)]
        started += await asyncio.gather(*(asyncio.to_thread(
            start_service, dsn, port, Path(workdir), config, command=command, log_level=level,
            **service) for port in ports[1:]))
        pids = [process.pid for process in started]
        try:
            before, began = cpu(pids), time.perf_counter()
            posting, _ = await post_forms(
                [f"http://127.0.0.1:{port}/forms/bench" for port in ports], total, concurrency)
            if backlog or notified:
                before = cpu(pids)
                (permit if notified else open_vhost)(vhost)
            await until_confirmed(dsn, total)
            if notified:
                await until_handled(dsn, total)
            end_to_end = time.perf_counter() - began
            spent = per_lead(before, cpu(pids), total)
            if notified:
                await until_acked(vhost)
            conn = await asyncpg.connect(dsn)
            sample = await conn.fetchval("SELECT payload FROM outbox LIMIT 1")
            first, last = await conn.fetchrow("SELECT min(sent_at), max(sent_at) FROM outbox")
            in_first = await conn.fetchval("SELECT count(*) FROM outbox WHERE sent_at = $1", first)
            handled = await conn.fetchval("SELECT max(consumed_at) FROM consumed_messages")
            await conn.close()
        finally:
            for process in started:
                process.terminate()
            for process in started:
                process.wait(timeout=30)
            drop_vhost(vhost)
            await drop_database(DATABASE)
    body = json.dumps(json.loads(sample), ensure_ascii=False, separators=(",", ":")).encode()
    if notified:  # from the first batch claimed to the last message remembered
        return total / posting, total / (handled - first).total_seconds(), spent, body
    if backlog:  # the first batch's own time is not seen: count the rows after it
        return total / posting, (total - in_first) / (last - first).total_seconds(), spent, body
    return total / posting, total / end_to_end, spent, body


async def main() -> None:
    """Run the measurements and print them beside the ceiling."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--total", type=int, default=5000, help="form posts (default 5000)")
    parser.add_argument("-c", "--concurrency", type=int, default=64, help="in flight (default 64)")
    parser.add_argument("--processes", default="1,3",
                        help="process counts to measure, comma-separated (default 1,3)")
    parser.add_argument("--unlocked", action="store_true",
                        help="also measure the largest count without the per-team choice lock")
    args = parser.parse_args()

    runs = [(int(n), LEADGATE, "") for n in args.processes.split(",")]
    if args.unlocked:
        runs.append((runs[-1][0], UNLOCKED, ", choice not serialized"))
    results = []
    for processes, command, note in runs:
        accepted, rate, spent, body = await routed(args.total, args.concurrency, processes,
                                                   command)
        results.append((f"{processes} process(es){note}", accepted, rate, spent))
    _, drain, drain_spent, _ = await routed(args.total, args.concurrency, 1, backlog=True)
    _, handled, handled_spent, _ = await routed(args.total, args.concurrency, 1, notified=True)
    raw = args.total / await ceiling(args.total, body)
    print(f"posts: {args.total} at concurrency {args.concurrency}, PostgreSQL + RabbitMQ")
    for label, accepted, rate, spent in results:
        print(f"{label}: {accepted:6.0f} leads/s accepted (201), {rate:6.0f} leads/s routed and"
              f" confirmed in manager queues, ratio {rate / raw:.2f}; CPU ms/lead: {spent}")
    print(f"relay alone, draining {args.total}: {drain:6.0f} msgs/s confirmed and marked sent,"
          f" ratio {drain / raw:.2f}; CPU ms/message: {drain_spent}")
    print(f"relay and notifier consumer, draining {args.total}: {handled:6.0f} msgs/s published,"
          f" handled and acknowledged, ratio {handled / raw:.2f}; CPU ms/message: {handled_spent}")
    print(f"ceiling: {raw:8.0f} msgs/s (aio-pika alone, {len(body)}-byte persistent messages,"
          f" confirms pipelined {RELAY_BATCH} at a time)")


if __name__ == "__main__":
    asyncio.run(main())
