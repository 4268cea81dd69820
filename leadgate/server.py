"""`leadgate run`: the service `bootstrap` builds, served until a signal, in one or N processes.

With `--workers N` the first process migrates the schema and syncs the staff, then starts the
others on the same port; they elect their loops through the cluster locks like any others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence

from aiohttp import web

from crm_store.engine import is_sqlite_url
from crm_store.sqlite_lock import one_process
from leadgate.compose import bootstrap
from leadgate.failures import listen_error
from leadgate.heap import settle_after_start
from leadgate.settings import Settings
from leads.errors import ConfigError

log = logging.getLogger(__name__)
_REQUEST_GRACE = 2.5  # seconds a request in flight may take once SIGTERM came
_LOOP_GRACE = 1.5  # seconds the loops get to clean up after being cancelled


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


async def serve(
    settings: Settings,
    ready: asyncio.Event | None = None,
    *,
    reuse_port: bool = False,
) -> None:
    """Run the service until SIGINT/SIGTERM (or cancellation).

    `reuse_port` lets the processes of `--workers` share the port. Stopping finishes the
    requests in flight (and so their commit groups) first, then stops the loops, then closes the
    connections.
    """
    with one_process(settings.database_url):
        await _serve(settings, ready, reuse_port=reuse_port)


async def _serve(settings: Settings, ready: asyncio.Event | None, *, reuse_port: bool) -> None:
    async with bootstrap(settings) as service:
        runner = web.AppRunner(service.app, access_log=None, shutdown_timeout=_REQUEST_GRACE)
        await runner.setup()
        tasks: list[asyncio.Task[None]] = []
        try:
            await _listen(runner, settings, reuse_port)
            service.listening()
            settle_after_start()
            tasks = [asyncio.create_task(supervisor, name=name)
                     for name, supervisor in service.supervised().items()]
            tasks.append(asyncio.create_task(service.metrics.watch_loop(), name="loop-lag"))
            if ready is not None:
                ready.set()
            await _until_stopped()
            log.info("stopping: finishing the requests in flight")
        finally:
            await runner.cleanup()
            await _stop_loops(tasks)
    log.info("stopped")


async def _listen(runner: web.AppRunner, settings: Settings, reuse_port: bool) -> None:
    site = web.TCPSite(runner, settings.http_host, settings.http_port,
                       reuse_port=reuse_port or None)
    try:
        await site.start()
    except OSError as err:
        raise listen_error(settings.http_host, settings.http_port, err) from err
    log.info("Leadgate listening on http://%s:%s", settings.http_host, settings.http_port)


async def _stop_loops(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel the loops; one that does not end in time is left behind, not waited for."""
    for task in tasks:
        task.cancel()
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=_LOOP_GRACE)
    if pending:
        log.warning("%d loops did not stop within %.0f s; leaving them", len(pending),
                    _LOOP_GRACE)


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
