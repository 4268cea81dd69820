"""The engine's pool: a connection the server dropped while it sat idle is replaced unseen."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from crm_store import engine as engine_module
from crm_store.engine import create_engine
from tests.conftest import _admin


async def test_a_connection_killed_while_idle_is_replaced_before_use(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "_PING_AFTER_IDLE", 0.0)
    engine = create_engine(postgres_url)
    try:
        async with engine.connect() as conn:
            pid = await conn.scalar(text("SELECT pg_backend_pid()"))
        await _admin(f"SELECT pg_terminate_backend({pid})")
        async with engine.connect() as conn:
            replaced = await conn.scalar(text("SELECT pg_backend_pid()"))
    finally:
        await engine.dispose()

    assert replaced != pid
