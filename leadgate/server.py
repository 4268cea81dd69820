"""`leadgate run`: the store, the HTTP server and every enabled channel, until a signal."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal

from aiohttp import web

from crm_store.sqlite_lock import one_process
from leadgate.bootstrap import bootstrap
from leadgate.cluster import supervise_once
from leadgate.failures import listen_error
from leadgate.http_app import listening
from leadgate.settings import Settings
from leadgate.supervisor import supervise, supervise_loop

log = logging.getLogger(__name__)
_REQUEST_GRACE = 2.5  # seconds a request in flight may take once SIGTERM came
_LOOP_GRACE = 1.5  # seconds the loops get to clean up after being cancelled


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
        core = service.core
        runner = web.AppRunner(service.app, access_log=None, shutdown_timeout=_REQUEST_GRACE)
        await runner.setup()
        tasks: list[asyncio.Task[None]] = []
        try:
            await _listen(runner, settings, reuse_port)
            listening(service.app)
            tasks = [
                *(asyncio.create_task(supervise_once(core.locks, ch.name, functools.partial(
                    supervise, ch, core.metrics.observe(ch.name, core.sink), core.health),
                    core.health)) for ch in service.channels.loops),
                *(asyncio.create_task(supervise_once(core.locks, loop.name, functools.partial(
                    supervise_loop, loop, core.health), core.health))
                  for loop in [*service.routing.loops, *service.integrations]),
            ]
            tasks.append(asyncio.create_task(core.metrics.watch_loop(), name="loop-lag"))
            if core.locks is not None:
                tasks.append(asyncio.create_task(core.locks.run(), name="singleton-locks"))
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
