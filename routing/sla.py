"""The SLA timer: re-offers lapsed leads and drains team queues; its state lives in the store."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from routing.deadlines import DeadlineDesk
from routing.desk import LeadDesk

log = logging.getLogger(__name__)


async def run_sla_timer(desk: LeadDesk, tick_seconds: float,
                        deadlines: DeadlineDesk | None = None,
                        report: Callable[[str, str], None] = lambda state, detail: None) -> None:
    """Sweep every `tick_seconds` until cancelled; deadlines are rows, so restarts lose nothing."""
    while True:
        moved = await desk.sweep()
        if moved:
            log.info("SLA timer moved %d leads", moved)
        if deadlines is not None:
            await deadlines.sweep()
        report("ok", f"ticking every {tick_seconds:g} s")
        await asyncio.sleep(tick_seconds)
