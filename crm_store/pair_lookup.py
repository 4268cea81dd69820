"""Look-ups by many (a, b) key pairs in a shape whose plan stays an index look-up per pair.

`(a, b) IN ((…), (…))` with several pairs is planned as an OR of conditions: prepared on a
young, never-analysed table (every new store), its generic plan is a sequential scan, and the
prepared statement keeps that plan while the table grows. A plain join on `unnest` of the pairs
is no better: it becomes a hash join over a sequential scan. Each pair instead drives a LATERAL
subquery with `LIMIT 1`, which the planner cannot turn into a join over the whole table: it
answers it with the unique index on (a, b), however young the table. The statement's text does
not change with the number of pairs either, so it stays prepared. SQLite plans the IN well.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, TextualSelect, text
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store import direct
from crm_store.bulk import unsized


def by_pairs(name: str, found: str, limit: int = 1) -> str:
    """A FROM clause: each pair of the arrays `:<name>_a`, `:<name>_b` (as `wanted.a`,
    `wanted.b`) drives the subquery `found`, which is cut to its first `limit` rows."""
    arrays = ", ".join(unsized(f"CAST(:{name}_{side} AS varchar[])") for side in "ab")
    return f"unnest({arrays}) AS wanted(a, b) CROSS JOIN LATERAL ({found} LIMIT {limit}) AS found"


def pair_arrays(name: str, pairs: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    """The parameters of `by_pairs(name, …)` for these pairs."""
    return {f"{name}_a": [a for a, _ in pairs], f"{name}_b": [b for _, b in pairs]}


class PairLookup:
    """A SELECT by (a, b) pairs: `by_pairs` on PostgreSQL, a tuple IN (`:pairs`) elsewhere."""

    def __init__(self, columns: str, found: str, other: Select[Any]) -> None:
        self.postgres_sql = f"SELECT {columns} FROM {by_pairs('pairs', found)}"
        self._postgres: TextualSelect = text(self.postgres_sql).columns(*other.selected_columns)
        self._other = other

    async def execute(self, connection: AsyncConnection,
                      pairs: Sequence[tuple[str, str]]) -> list[Any]:
        """The rows found for `pairs` (a pair given twice may be answered twice)."""
        if connection.dialect.name == "postgresql":
            return await direct.rows(connection, self._postgres, pair_arrays("pairs", pairs))
        return await direct.rows(connection, self._other, {"pairs": list(pairs)})
