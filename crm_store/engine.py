"""Engine construction: SQLite in WAL mode by default, PostgreSQL through asyncpg."""

from __future__ import annotations

import json
import time
from typing import Any

import orjson
from sqlalchemy import event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./leadgate.db"


def create_engine(url: str = DEFAULT_DATABASE_URL, *, pool_size: int = 10) -> AsyncEngine:
    """An async engine for `url`, tuned for Leadgate's write pattern."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_async_engine(url, connect_args={"timeout": 30},
                                     json_serializer=dumps_json, json_deserializer=loads_json)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    # LIFO: the connection just returned is the one used next, so at low concurrency a few
    # connections carry the work, their prepared statements warm and never idle long enough to
    # be pinged (FIFO cycled through every pooled connection: at a few leads a second each one
    # had sat idle past _PING_AFTER_IDLE, three round trips more per checkout).
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size,
                                 pool_use_lifo=True,
                                 json_serializer=dumps_json, json_deserializer=loads_json)
    event.listen(engine.sync_engine.pool, "checkin", _note_checkin)
    event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle)
    return engine


def dumps_json(value: Any) -> str:
    """JSON for a JSON column: orjson, the standard library for what orjson refuses.

    Serializing (and reading back) JSON was 2-3 % of the CPU per lead on PostgreSQL through the
    standard library, and a tenth of it on SQLite. SQLite keeps the text as written: compact,
    UTF-8 where json wrote `\\u` escapes; rows written before read back the same. orjson refuses
    integers past 64 bits and lone surrogates; json takes them (and PostgreSQL, for the
    surrogates, refuses them as before).
    """
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return json.dumps(value)


def loads_json(text: str) -> Any:
    """A JSON column's value as Python: orjson, the standard library for what orjson refuses."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


# A pool pre-ping costs three round trips (BEGIN, ping, ROLLBACK) per checkout: under load that
# was a fifth of all of them. A connection back from use a moment ago is alive; only one that
# sat idle (the database may have restarted meanwhile) is pinged before use.
_PING_AFTER_IDLE = 1.0


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    checked_in = record.info.get("checked_in_at")
    if checked_in is None or time.monotonic() - checked_in < _PING_AFTER_IDLE:
        return
    if not proxy._pool._dialect._do_ping_w_event(dbapi_connection):
        # As pre-ping does: the server went away, so every pooled connection is stale.
        raise exc.InvalidatePoolError()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets API reads run beside the single writer; NORMAL sync is durable across
    # application crashes in WAL mode, which is what "acknowledge after commit" needs here.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so the reads
    # of an intake transaction are inside it (the pysqlite default begins only at the first write).
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql(connection.get_execution_options().get("sqlite_begin", "BEGIN"))


def for_writing(engine: AsyncEngine) -> AsyncEngine:
    """The engine for transactions that read and then write.

    On SQLite they begin IMMEDIATE, taking the write lock up front: a deferred transaction whose
    reads saw a snapshot another writer has since moved past fails at its first write instead of
    waiting. PostgreSQL is unaffected (and gets the engine itself: deriving one costs ~25 µs
    per transaction).
    """
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(sqlite_begin="BEGIN IMMEDIATE")


def is_sqlite(engine: AsyncEngine) -> bool:
    """True when the engine writes to SQLite (one writer at a time)."""
    return engine.dialect.name == "sqlite"


def is_sqlite_url(url: str) -> bool:
    """True when the database URL names SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def asyncpg_dsn(url: str) -> str:
    """The plain `postgresql://` DSN asyncpg takes for a SQLAlchemy PostgreSQL URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
