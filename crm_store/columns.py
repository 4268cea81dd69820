"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    Select,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator

Id = BigInteger().with_variant(Integer(), "sqlite")
"""Primary keys: BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite."""

Json = JSON().with_variant(JSONB(), "postgresql")


def writing_transaction() -> Column[int]:
    """`txid`: on PostgreSQL the id of the transaction that wrote the row (migration 0015).

    Readers that follow a table by cursor take only rows of finished transactions in this
    order; SQLite's writers take turns, so there it stays 0 and the row id alone is the order.
    """
    return Column("txid", BigInteger, nullable=False, server_default=text("0"))


def change_transaction(name: str) -> Column[int]:
    """`<name>`: where a change of the row (an accept, a close) stands in commit order (0017).

    Set by `in_commit_order` in the statement that makes the change; 0 until then.
    """
    return Column(name, BigInteger, nullable=False, server_default=text("0"))


_PG_TRANSACTION = literal_column("(pg_current_xact_id()::text)::bigint", BigInteger)


def in_commit_order(dialect: Dialect, column: Column[int]) -> ColumnElement[int]:
    """The value that places a change in `column` after every change committed before it.

    PostgreSQL: the writing transaction's id, which readers take below their horizon, as for
    `txid`. SQLite: one more than the column's highest value, read under the write lock that
    its writers take in turn, so the numbers rise in commit order.
    """
    if dialect.name == "postgresql":
        return _PG_TRANSACTION
    return one_past_highest(column).where(is_changed(column)).scalar_subquery()


def one_past_highest(column: Column[int]) -> Select[Any]:
    """The column's highest value plus one (1 in an empty table): how SQLite numbers rows."""
    table: Any = column.table
    return select(func.coalesce(func.max(column), 0) + 1).select_from(table)


def is_changed(column: Column[int]) -> ColumnElement[bool]:
    """Rows whose change in `column` is made: the rows its partial index holds (0018)."""
    # The 0 written into the statement, not bound: a parameter would keep the planners (SQLite
    # always, PostgreSQL in a generic plan) from seeing that the index holds every row asked for.
    return column > literal_column("0")


def only_where(condition: str, name: str, *columns: str) -> Index:
    """An index of only the rows that meet `condition` (SQL), on both databases."""
    where = text(condition)
    return Index(name, *columns, postgresql_where=where, sqlite_where=where)


class UtcDateTime(TypeDecorator[datetime]):
    """Timestamps stored as UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
