"""`leadgate run`: the store, the HTTP server and every enabled channel, until a signal."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from aiohttp import web

from leadgate.bootstrap import open_core
from leadgate.channels_wiring import build_channels
from leadgate.http_app import build_app
from leadgate.routing_wiring import build_routing
from leadgate.settings import Settings
from leadgate.supervisor import supervise

log = logging.getLogger(__name__)


async def serve(
    settings: Settings,
    ready: asyncio.Event | None = None,
    *,
    http_only: bool = False,
    reuse_port: bool = False,
) -> None:
    """Run the service until SIGINT/SIGTERM (or cancellation).

    `http_only` serves forms, webhooks and the API but runs no loops (channels holding one
    connection, the outbox relay, the SLA timer): extra worker processes of `--workers`, which
    share the port through `reuse_port`.
    """
    async with open_core(settings=settings) as core:
        enabled = build_channels(settings, core)
        routing = build_routing(settings, core, enabled.telegram_bots())
        app = build_app(core, enabled.webhooks, routing.routes, enabled.originator)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(
                runner, settings.http_host, settings.http_port, reuse_port=reuse_port or None
            )
            await site.start()
            log.info("Leadgate listening on http://%s:%s", settings.http_host, settings.http_port)
            tasks = [
                asyncio.create_task(supervise(ch, core.metrics.observe(ch.name, core.sink), core.health))
                for ch in ([] if http_only else [*enabled.loops, *routing.loops])
            ]
            if ready is not None:
                ready.set()
            await _until_stopped()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            await runner.cleanup()
            if routing.manager_bot is not None:
                await routing.manager_bot.aclose()


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
