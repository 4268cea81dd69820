"""`leadgate run --workers N`: N processes on one port; they elect their loops like any others."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from crm_store.engine import is_sqlite_url
from leadgate.server import serve
from leadgate.settings import Settings
from leads.errors import ConfigError

log = logging.getLogger(__name__)


async def run_with_workers(
    settings: Settings, workers: int, reuse_port: bool, worker_argv: Sequence[str]
) -> None:
    """Serve here; with workers > 1 also start the other processes once this one listens."""
    if workers < 1:
        raise ConfigError("--workers must be 1 or more")
    if workers > 1 and is_sqlite_url(settings.database_url):
        raise ConfigError("--workers needs PostgreSQL: SQLite takes one writer at a time")
    if workers == 1:
        await serve(settings, reuse_port=reuse_port)
        return
    ready = asyncio.Event()
    main = asyncio.create_task(serve(settings, ready, reuse_port=True))
    children: list[asyncio.subprocess.Process] = []
    try:
        waiting = asyncio.create_task(ready.wait())
        await asyncio.wait([main, waiting], return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        if not main.done():
            # Started only now: the first process has migrated the schema and synced the staff.
            for _ in range(workers - 1):
                children.append(await asyncio.create_subprocess_exec(*worker_argv))
            log.info("started %d more processes", len(children))
        await main
    finally:
        main.cancel()
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                child.terminate()
        for child in children:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(child.wait(), 30)
