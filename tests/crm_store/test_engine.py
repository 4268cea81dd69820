"""The engine: a connection dropped while idle is replaced unseen; JSON comes back as it went in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import literal, select, text
from sqlalchemy.dialects.postgresql import JSONB

from crm_store import engine as engine_module
from crm_store.engine import create_engine, dumps_json, loads_json
from crm_store.migrate import upgrade_if_empty
from crm_store.routing_tables import outbox
from leads.model import utcnow
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


VALUE = {"name": "Азиз 🌟", "big": 2**70, "ratio": 1.5, "flags": [1, None, True],
         "nested": {"utm": {"source": "instagram"}}, "empty": {}}


async def test_json_comes_back_from_postgresql_as_it_went_in(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    try:
        async with engine.connect() as conn:
            back = await conn.scalar(select(literal(VALUE, JSONB())))
    finally:
        await engine.dispose()

    assert back == VALUE


async def test_json_stored_in_sqlite_comes_back_as_it_went_in(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'leadgate.db'}")
    try:
        await upgrade_if_empty(engine)
        async with engine.begin() as conn:
            await conn.execute(outbox.insert().values(
                message_id="m1", routing_key="lead.new", payload=VALUE, created_at=utcnow()))
            back = await conn.scalar(select(outbox.c.payload))
    finally:
        await engine.dispose()

    assert back == VALUE


def test_what_orjson_refuses_is_written_by_the_standard_library() -> None:
    assert json.loads(dumps_json({"big": 2**70, 7: "seven"})) == {"big": 2**70, "7": "seven"}
    assert loads_json('{"big": 1180591620717411303424}') == {"big": 2**70}
