"""Look-ups by key pairs stay index look-ups on a young store, whose tables were never analysed."""

from __future__ import annotations

import re

import asyncpg

from crm_store import intake_statements as sql
from crm_store import opening_statements as opening
from crm_store.engine import create_engine
from crm_store.migrate import upgrade_if_empty
from tests.conftest import private_database

_FILL = """
INSERT INTO customers (created_at, name) SELECT now(), 'N' || n FROM generate_series(1, 3000) n;
INSERT INTO identities (customer_id, kind, value, info, created_at)
    SELECT id, 'phone', '+99890' || lpad(id::text, 7, '0'), '{}', now() FROM customers;
INSERT INTO identities (customer_id, kind, value, info, created_at)
    SELECT id, 'email', 'p' || id || '@x.uz', '{}', now() FROM customers;
INSERT INTO touches (customer_id, channel, external_id, direction, occurred_at, created_at,
                     attribution, details, identities)
    SELECT id, 'webform', 'f' || id, 'inbound', now(), now(), '{}', '{}', '[]' FROM customers;
"""
_IDENTITIES = [["phone", "email"], ["+998900000005", "p7@x.uz"]]
_TOUCHES = [["webform", "webform"], ["f5", "f7"]]
_BANS = [["phone"], ["+998900000009"]]
_LOOK_UPS: dict[str, tuple[str, list[str], list[list[str]]]] = {
    "identities": (sql.CUSTOMERS_BY_IDENTITIES.postgres_sql, ["pairs_a", "pairs_b"], _IDENTITIES),
    "touches": (sql.EXISTING_TOUCHES.postgres_sql, ["pairs_a", "pairs_b"], _TOUCHES),
    "survey": (str(sql.SURVEY), ["touches_a", "touches_b", "bans_a", "bans_b", "identities_a",
                                 "identities_b"], _TOUCHES + _BANS + _IDENTITIES),
}


def _prepared(statement: str, names: list[str]) -> str:
    for n, name in enumerate(names, start=1):
        statement = statement.replace(f":{name}", f"${n}")
    return statement


async def test_plans_made_while_the_tables_were_empty_use_the_unique_indexes() -> None:
    with private_database() as url:
        engine = create_engine(url)
        await upgrade_if_empty(engine)
        await engine.dispose()
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            for table in ("customers", "identities", "touches"):
                await conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
            # The plan a prepared statement keeps once it goes generic, made on empty tables.
            await conn.execute("SET plan_cache_mode = force_generic_plan")
            for name, (statement, names, _) in _LOOK_UPS.items():
                types = ", ".join(["varchar[]"] * len(names))
                empty = ", ".join(["'{}'"] * len(names))
                await conn.execute(f"PREPARE {name}({types}) AS {_prepared(statement, names)}")
                await conn.execute(f"EXECUTE {name}({empty})")
            await conn.execute(_FILL)
            plans, found = {}, {}
            for name, (_, _, values) in _LOOK_UPS.items():
                arrays = ", ".join(f"ARRAY{array}::varchar[]" for array in values)
                plan = await conn.fetch(f"EXPLAIN EXECUTE {name}({arrays})")
                plans[name] = "\n".join(row[0] for row in plan)
                found[name] = len(await conn.fetch(f"EXECUTE {name}({arrays})"))
            analysed = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_user_tables WHERE last_autoanalyze IS NOT NULL"
                " OR last_analyze IS NOT NULL")
        finally:
            await conn.close()

    assert analysed == 0
    assert found == {"identities": 2, "touches": 2, "survey": 4}
    assert all("Seq Scan" not in plan for plan in plans.values()), plans
    assert "uq_identities_kind_value" in plans["identities"]
    assert "uq_touches_channel_external_id" in plans["touches"]
    assert all(index in plans["survey"] for index in (
        "uq_identities_kind_value", "uq_touches_channel_external_id", "uq_bans_kind_value"))


_WRITES = {"cards": str(opening.CREATE_CARDS), "opened": str(opening.OPEN_LEADS)}


def _numbered(statement: str) -> tuple[str, int]:
    """The statement with `$n` for its named parameters, and how many there are."""
    names = list(dict.fromkeys(re.findall(r"(?<!:):(\w+)", statement)))
    for n, name in sorted(enumerate(names, start=1), key=lambda pair: -len(pair[1])):
        statement = re.sub(rf"(?<!:):{name}\b", f"${n}", statement)
    return statement, len(names)


async def test_new_peoples_writes_planned_on_empty_tables_read_by_index_only() -> None:
    with private_database() as url:
        engine = create_engine(url)
        await upgrade_if_empty(engine)
        await engine.dispose()
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            for table in ("customers", "identities", "touches", "match_keys", "leads"):
                await conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
            await conn.execute("SET plan_cache_mode = force_generic_plan")
            arguments = {}
            for name, statement in _WRITES.items():
                prepared, count = _numbered(statement)
                arguments[name] = ", ".join(["'{}'"] * count)
                await conn.execute(f"PREPARE {name} AS {prepared}")
                await conn.execute(f"EXECUTE {name}({arguments[name]})")
            await conn.execute(_FILL)
            await conn.execute("INSERT INTO match_keys (reason, key, customer_id) "
                               "SELECT 'same_name', 'n' || id, id FROM customers")
            plans = {name: "\n".join(row[0] for row in await conn.fetch(
                f"EXPLAIN EXECUTE {name}({arguments[name]})")) for name in _WRITES}
        finally:
            await conn.close()

    assert all("Seq Scan" not in plan for plan in plans.values()), plans
    assert "pk_match_keys" in plans["cards"]
