"""Typed keys for what the aiohttp app and its requests carry."""

from __future__ import annotations

from aiohttp import web

from crm_store.tokens import Principal
from leadgate.bootstrap import Core

CORE = web.AppKey("core", Core)
PRINCIPAL = web.RequestKey("principal", Principal)
WEBHOOKS = web.AppKey("webhooks", list[str])
"""The names of the channels served by this app's routes."""
