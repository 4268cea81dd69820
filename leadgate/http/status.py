"""`/healthz` and `/metrics`: what the service says about itself, answered from memory.

Channels show under `channels`, loops (relay, SLA timer, notifiers, integrations) under `loops`.
"""

from __future__ import annotations

import os

from aiohttp import web

from crm_store.singleton_locks import SingletonLocks
from leadgate.cluster import singletons
from leadgate.health import Health
from leadgate.http.keys import ENGINE
from leadgate.metrics import CONTENT_TYPE, Metrics

HEALTH = web.AppKey("health", Health)
METRICS = web.AppKey("metrics", Metrics)
LOCKS: web.AppKey[SingletonLocks | None] = web.AppKey("locks")
"""The cluster's singleton locks (None on SQLite), to say who runs which loop."""


async def healthz(request: web.Request) -> web.Response:
    """Channels and loops from memory; the database asked once, with a timeout."""
    health = request.app[HEALTH]
    database_ok = await request.app[METRICS].refresh_database(request.app[ENGINE])
    body = {"status": health.status if database_ok else "degraded",
            "database": "ok" if database_ok else "unavailable",
            **health.snapshot(), "singletons": singletons(request.app[LOCKS]),
            "pid": os.getpid()}
    return web.json_response(body, status=200 if database_ok else 503)


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text; answers 200 whatever is down, and says what is."""
    await request.app[METRICS].refresh_database(request.app[ENGINE])
    return web.Response(body=request.app[METRICS].render(),
                        headers={"Content-Type": CONTENT_TYPE})
