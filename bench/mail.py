"""Benchmark: mail in Dovecot → committed touches, beside imapclient alone fetching the same mail.

Starts a private Dovecot (Debian's dovecot-imapd), plants `--total` distinct inquiries in its
INBOX, then in the same run measures (1) the ceiling: one imapclient connection fetching every
message (`BODY.PEEK[]`, 50 per command, as the channel does) and nothing else, and (2) Leadgate:
the IMAP channel importing the same folder into a fresh PostgreSQL database — parse, intake
commit, flag each mail imported, save the cursor — until every mail is a touch (the clock stops
there: stopping the channel afterwards is not timed). Before (2) the
service imports `--warmup` other mails from a folder of their own, untimed: a running service
has long since loaded phonenumbers' data and filled its pools and statement caches, and has
settled its heap for the garbage collector as `leadgate run` does; it runs on uvloop where that
is installed, as `leadgate run` does (asyncio's own loop cost a fifth more CPU per mail). With
`--shared-guard` the mail-loop guard counts in the store, as `leadgate run` has it (without,
in this process). Beside each
rate it prints this process's CPU milliseconds per mail (all its threads, from getrusage): the
figure that barely moves when the machine is busy.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from pathlib import Path

from imapclient import IMAPClient
from intake import RUN, drop_database, fresh_database

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from channels.email.imap.adapter import ImapChannel  # noqa: E402
from channels.email.imap.folder import FETCH_BATCH as BATCH  # noqa: E402
from channels.email.loop_guard import RecentMarks  # noqa: E402
from channels.email.settings import MailboxSettings  # noqa: E402
from crm_store.shared_marks import SqlRecentMarks  # noqa: E402
from leadgate.cli.command import run_service  # noqa: E402
from leadgate.compose import Store, bootstrap  # noqa: E402
from leadgate.heap import settle_after_start  # noqa: E402
from leadgate.settings import Settings  # noqa: E402
from tests.support.dovecot import PASSWORD, USER, Dovecot  # noqa: E402

WARMUP_FOLDER = "Warmup"


def inquiry(n: int) -> bytes:
    """A distinct inquiry: its own sender, phone and Message-ID."""
    return (
        f"From: Client {n} <client{n}@example.ru>\r\nTo: sales@example.uz\r\n"
        f"Subject: =?utf-8?b?0JfQsNC/0YDQvtGBINGG0LXQvdGL?= {n}\r\n"
        f"Message-ID: <bench-{n}@example.ru>\r\nDate: Mon, 02 Nov 2026 09:15:00 +0500\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Здравствуйте! Сколько стоит памятник из гранита?\r\n\r\nС уважением,\r\n"
        f"тел. +7 912 {n // 10000 % 1000:03d}-{n // 100 % 100:02d}-{n % 100:02d}\r\n"
    ).encode()


def plant(dovecot: Dovecot, numbers: range, folder: str = "INBOX") -> None:
    """Put the inquiries numbered `numbers` in `folder`."""
    client = dovecot.client()
    try:
        if not client.folder_exists(folder):
            client.create_folder(folder)
        for n in numbers:
            client.append(folder, inquiry(n))
    finally:
        client.logout()


def cpu() -> float:
    """CPU seconds of this process so far, every thread."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ceiling(dovecot: Dovecot) -> tuple[float, float, int]:
    """Seconds and CPU seconds for imapclient alone to fetch every message; how many it did."""
    started, used = time.perf_counter(), cpu()
    client = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False, timeout=30)
    client.login(USER, PASSWORD)
    client.select_folder("INBOX")
    uids = client.search(["UID", "1:*"])
    fetched = 0
    for start in range(0, len(uids), BATCH):
        fetched += len(client.fetch(uids[start:start + BATCH], ["BODY.PEEK[]"]))
    client.logout()
    return time.perf_counter() - started, cpu() - used, fetched


async def leadgate(dovecot: Dovecot, dsn: str, total: int, warmup: int,
                   shared_guard: bool) -> tuple[float, float]:
    """Seconds and CPU seconds for the IMAP channel to import the INBOX into the store."""
    settings = Settings(database_url=dsn.replace("postgresql://", "postgresql+asyncpg://"),
                        default_region="RU")
    async with bootstrap(settings) as service:
        settle_after_start()  # as `leadgate run` does before it starts the channels
        marks = SqlRecentMarks(service.store.engine, "mail-loop") if shared_guard else None
        if warmup:
            await import_folder(dovecot, service.store, marks, WARMUP_FOLDER, warmup)
        started, used = time.perf_counter(), cpu()
        finished, spent = await import_folder(dovecot, service.store, marks, "INBOX", total)
        return finished - started, spent - used


async def import_folder(dovecot: Dovecot, store: Store, marks: RecentMarks | None, folder: str,
                        total: int) -> tuple[float, float]:
    """Run the IMAP channel on `folder` until it imported `total` mails; when, and CPU by then.

    The clock stops at the last mail imported: cancelling the channel afterwards waits for its
    IDLE to end, which is shutdown, not import.
    """
    mailbox = MailboxSettings.from_toml({"host": "127.0.0.1", "port": dovecot.port,
                                         "tls": "none", "user": USER, "password": PASSWORD,
                                         "folders": [folder]}, 1)
    channel = ImapChannel(mailbox, store.cursors, marks=marks)
    task = asyncio.create_task(channel.run(store.intake))
    try:
        while channel.imported < total:
            if task.done():
                task.result()
            await asyncio.sleep(0.002)
        return time.perf_counter(), cpu()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def main() -> int:
    """Plant the mail, run both measurements, print them side by side."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--total", type=int, default=2000, help="mails (default 2000)")
    parser.add_argument("--warmup", type=int, default=200,
                        help="mails imported untimed first (default 200)")
    parser.add_argument("--shared-guard", action="store_true",
                        help="count the mail-loop guard in the store, as leadgate run does")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="leadgate-bench-dovecot-") as root:
        dovecot = Dovecot(Path(root))
        dovecot.start()
        try:
            await asyncio.to_thread(plant, dovecot, range(args.total))
            await asyncio.to_thread(plant, dovecot, range(args.total, args.total + args.warmup),
                                    WARMUP_FOLDER)
            raw_seconds, raw_cpu, fetched = await asyncio.to_thread(ceiling, dovecot)
            dsn = await fresh_database(f"leadgate_bench_mail{RUN}")
            seconds, spent = await leadgate(dovecot, dsn, args.total, args.warmup,
                                            args.shared_guard)
        finally:
            dovecot.stop()
            await drop_database(f"leadgate_bench_mail{RUN}")
    rate, raw = args.total / seconds, fetched / raw_seconds
    guard = "in the store" if args.shared_guard else "in this process"
    print(f"mails: {args.total} in one Dovecot INBOX (after {args.warmup} untimed), "
          f"PostgreSQL store, loop guard counting {guard}")
    print(f"leadgate: {rate:8.0f} mails/s imported (parsed, committed as touches, flagged), "
          f"{spent / args.total * 1000:.3f} ms CPU per mail")
    print(f"ceiling:  {raw:8.0f} mails/s fetched by imapclient alone ({BATCH} per FETCH), "
          f"{raw_cpu / fetched * 1000:.3f} ms CPU per mail")
    print(f"ratio:    {rate / raw:8.2f}")
    return 0


if __name__ == "__main__":
    run_service(main())  # on uvloop where it is installed, as `leadgate run` runs
