"""Typed keys for what the workspace app and its requests carry."""

from __future__ import annotations

from aiohttp import web
from jinja2 import Environment

from crm_store.accounts import Session
from workspace.deps import WorkspaceDeps
from workspace.i18n import Translator
from workspace.live import LiveFeed

DEPS = web.AppKey("workspace_deps", WorkspaceDeps)
TEMPLATES = web.AppKey("workspace_templates", Environment)
FEED = web.AppKey("workspace_feed", LiveFeed)
SESSION = web.RequestKey("workspace_session", Session)
TRANSLATOR = web.RequestKey("workspace_translator", Translator)
