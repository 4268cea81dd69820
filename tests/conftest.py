"""Shared fixtures: real databases (SQLite and PostgreSQL), the real store and HTTP server."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text

from leadgate.compose import Store
from leadgate.settings import Settings
from tests.support.leadgate_http import opened_store

POSTGRES_ADMIN_DSN = os.environ.get(
    "LEADGATE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
FIXTURES = Path(__file__).parent / "fixtures"


async def _admin(sql: str) -> None:
    try:
        conn = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=10)
    except (OSError, asyncpg.PostgresError) as err:
        pytest.fail(f"PostgreSQL is required for these tests and is not reachable: {err}")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _database_url(name: str) -> str:
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}"


def _run_admin(sql: str) -> None:
    # Session fixtures may be set up from inside a test's running loop: use a loop of our own.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _admin(sql)).result()


@contextmanager
def private_database(prefix: str = "leadgate_test") -> Iterator[str]:
    """A new, empty PostgreSQL database for the block (its URL), dropped at the end."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    _run_admin(f'CREATE DATABASE "{name}"')
    try:
        yield _database_url(name)
    finally:
        _run_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A private PostgreSQL database for this test session, dropped at the end."""
    with private_database() as url:
        yield url


async def _empty_postgres(url: str) -> None:
    from crm_store.engine import create_engine
    from crm_store.migrate import upgrade_if_empty
    from crm_store.schema import metadata

    engine = create_engine(url)
    try:
        if not await upgrade_if_empty(engine):
            names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            async with engine.begin() as conn:
                await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated database on each backend Leadgate supports."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'leadgate.db'}"
    url: str = request.getfixturevalue("postgres_database")
    await _empty_postgres(url)
    return url


@pytest.fixture(scope="session")
def amqp_vhost() -> Iterator[str]:
    """A RabbitMQ vhost of this test run's own on the machine's broker, deleted at the end."""
    from tests.support import rabbitmq

    rabbitmq.create_vhost()
    yield rabbitmq.AMQP_URL
    rabbitmq.delete_vhost()


@pytest.fixture
async def postgres_url(postgres_database: str) -> str:
    """The session's PostgreSQL database, emptied for this test."""
    await _empty_postgres(postgres_database)
    return postgres_database


def make_settings(database_url: str, **toml: object) -> Settings:
    """Settings for a test: the given TOML tables over quiet defaults."""
    return Settings(database_url=database_url, default_region="UZ", raw=toml)


@pytest.fixture
async def core(database_url: str) -> AsyncIterator[Store]:
    """The real store and intake on the parametrized backend."""
    async with opened_store(make_settings(database_url)) as running:
        yield running
