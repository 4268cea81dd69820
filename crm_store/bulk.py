"""Many rows in one statement: one array per column `unnest`ed on PostgreSQL, executemany elsewhere.

An executemany sends one INSERT or UPDATE per row: PostgreSQL parses, plans and runs each, and
its statement-level triggers fire once per row. A commit group's rows go instead as one array
per column into a statement whose text never changes with the row count, so it stays prepared.
SQLite runs in-process, where executemany is already the cheap way; there RETURNING cannot
promise the rows' order, so SQLAlchemy would send one INSERT per row: the ids are given instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Select, String, Table, TextClause, insert, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import JSON

from crm_store import direct
from crm_store.columns import one_past_highest

_PG = postgresql.dialect()


def is_postgres(connection: AsyncConnection) -> bool:
    """True when the connection is to PostgreSQL."""
    return connection.dialect.name == "postgresql"


def pg_array(table: Table, column: str, name: str | None = None) -> str:
    """`CAST(:column AS type[])` for one column of `table` (the parameter called `name`).

    Strings go as unbounded `varchar`: a cast to `varchar(n)` would cut a long value silently,
    where the column refuses it (and intake answers that the store cannot hold the event).
    """
    type_ = table.c[column].type.dialect_impl(_PG)
    impl = getattr(type_, "impl", type_)
    type_name = "varchar" if isinstance(impl, String) else impl.compile(dialect=_PG)
    return f"CAST(:{name or column} AS {type_name}[])"


def unsized(array: str) -> str:
    """`array` (an SQL array parameter) as a scalar subquery, its length unknown to the planner.

    Planned with a parameter's value, an array's length is known and a one-element array makes
    a plan cheaper than the generic one: PostgreSQL then plans the prepared statement again at
    every execution, which cost more CPU than running it. Unknown to every plan, the length
    costs them the same, and the generic plan is kept after the first few executions.
    """
    return f"(SELECT {array})"


def json_columns(table: Table, names: Sequence[str]) -> set[str]:
    """Which of `names` are JSON columns of `table` (their arrays go pre-serialized)."""
    return {name for name in names if isinstance(table.c[name].type.dialect_impl(_PG), JSON)}


def json_dumps(connection: AsyncConnection) -> Callable[[Any], str]:
    """The JSON serializer the engine uses for JSON columns (arrays of JSON go pre-serialized)."""
    dumps: Callable[[Any], str] | None = getattr(connection.dialect, "_json_serializer", None)
    return dumps or json.dumps


def columns_of(rows: Sequence[Mapping[str, Any]], names: Sequence[str], json_names: set[str],
               connection: AsyncConnection) -> dict[str, list[Any]]:
    """The rows as one list per column, the JSON ones serialized as the dialect does it."""
    dumps = json_dumps(connection)
    arrays: dict[str, list[Any]] = {}
    for name in names:
        if name in json_names:
            arrays[name] = [None if row[name] is None else dumps(row[name]) for row in rows]
        else:
            arrays[name] = [row[name] for row in rows]
    return arrays


class BulkInsert:
    """INSERT of many rows into `table` (optionally skipping rows that conflict)."""

    def __init__(self, table: Table, names: Sequence[str], *, skip_conflicts: bool = False,
                 returning: str | None = None) -> None:
        if skip_conflicts and returning is not None:
            raise ValueError("a skipped row returns no id: take skip_conflicts or returning")
        self.names = list(names)
        self._json = json_columns(table, names)
        arrays = ", ".join(pg_array(table, name) for name in names)
        rows = f"SELECT * FROM unnest({arrays})"
        if returning is not None:
            # The ids come back in insertion order (one sequence, rows fed in array order);
            # callers sort them, as SQLAlchemy's own bulk RETURNING does.
            rows += " WITH ORDINALITY AS v(" + ", ".join(names) + ", n) ORDER BY n"
            rows = "SELECT " + ", ".join(names) + f" FROM ({rows}) AS ordered"
        self._postgres: TextClause = text(
            f"INSERT INTO {table.name} ({', '.join(names)}) {rows}"
            + (" ON CONFLICT DO NOTHING" if skip_conflicts else "")
            + (f" RETURNING {returning}" if returning else ""))
        self._sqlite = (sqlite.insert(table).on_conflict_do_nothing() if skip_conflicts
                        else insert(table))
        # SQLite: the id column and the statement reading the next id it would give.
        self._next_id: tuple[str, Select[Any]] | None = None
        if returning is not None:
            self._next_id = (returning, one_past_highest(table.c[returning]))

    async def execute(self, connection: AsyncConnection,
                      rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        """Insert `rows` (each with every column of `names`); the rows RETURNING gave, if asked.

        Nothing is sent for no rows.
        """
        if not rows:
            return []
        if is_postgres(connection):
            return await direct.rows(
                connection, self._postgres, columns_of(rows, self.names, self._json, connection))
        if self._next_id is None:
            await connection.execute(self._sqlite, list(rows))
            return []
        # The ids SQLite would give (the highest plus one, row by row), given in one executemany.
        # No other writer can take them first: a unit of work holds SQLite's write lock from
        # its BEGIN IMMEDIATE (`crm_store.engine.for_writing`); a deferred transaction that read
        # before another's commit cannot write at all, and a clash fails on the primary key.
        column, next_id = self._next_id
        first: int = (await connection.execute(next_id)).scalar_one()
        ids = range(first, first + len(rows))
        await connection.execute(
            self._sqlite, [{**row, column: n} for row, n in zip(rows, ids, strict=True)])
        return [(n,) for n in ids]
