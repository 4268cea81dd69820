"""Typed keys for what the app and its requests carry: one key per dependency, no locator.

Keys used by one handler module only live in that module (`telephony.ORIGINATOR`,
`replies.REPLIES`, `lead_actions.DESK`, ...); the ones here serve several.
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.tokens import Principal

ENGINE = web.AppKey("engine", AsyncEngine)
"""The store's engine, for the API's reads and units of work."""
DEFAULT_REGION: web.AppKey[str | None] = web.AppKey("default_region")
"""The country a phone number written without its code belongs to."""
PRINCIPAL = web.RequestKey("principal", Principal)
