"""Benchmark: the cost of look-alike suggestions per contact at a million customers.

Fills a fresh PostgreSQL database (migrated schema) with `-n` customers by COPY: a name in
Cyrillic or Latin, an Uzbek phone, half of them an e-mail, and their match keys. Then, for
`-k` new contacts, it measures inside open transactions on one connection, in the same run:
- the pure key computation (CPU per contact);
- `index_cards` for one new card (insert its keys, find cards sharing one, insert the pairs);
- `index_cards` for groups of 64 new cards (the group-commit path), per contact;
- reading one card's `possible_duplicates`;
- the ceiling: one bare indexed look-up (`identities` by kind and value), the cheapest
  statement an intake transaction makes.
Every transaction is rolled back, so the data stays as generated.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store import duplicates
from crm_store.engine import create_engine
from crm_store.migrate import upgrade
from crm_store.tables import identities
from leads.duplicates import MAX_SHARED, WEIGHTS, match_keys
from leads.normalize import normalize_email, normalize_phone

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
FIRST = [
    ("Ольга", "Olga"), ("Шахноза", "Shaxnoza"), ("Юлия", "Yuliya"), ("Фёдор", "Fyodor"),
    ("Евгений", "Yevgeniy"), ("Максим", "Maxim"), ("Жасур", "Jasur"), ("Ғайрат", "G'ayrat"),
    ("Ўткир", "O'tkir"), ("Анна", "Anna"), ("Мария", "Mariya"), ("Дилноза", "Dilnoza"),
    ("Азиз", "Aziz"), ("Сергей", "Sergey"), ("Наталья", "Natalya"), ("Бобур", "Bobur"),
    ("Нилуфар", "Nilufar"), ("Иван", "Ivan"), ("Камола", "Kamola"), ("Тимур", "Timur"),
]
SYLLABLES = [
    ("ка", "ka"), ("ри", "ri"), ("мо", "mo"), ("ну", "nu"), ("ра", "ra"), ("ли", "li"),
    ("до", "do"), ("се", "se"), ("ба", "ba"), ("ху", "xu"), ("жа", "ja"), ("ша", "sha"),
    ("то", "to"), ("ви", "vi"), ("за", "za"), ("ке", "ke"), ("ми", "mi"), ("го", "go"),
    ("пу", "pu"), ("ло", "lo"), ("на", "na"), ("су", "su"), ("ре", "re"), ("ти", "ti"),
    ("фа", "fa"), ("ча", "cha"), ("бе", "be"), ("ку", "ku"), ("ди", "di"), ("ма", "ma"),
]


def person(rng: random.Random) -> tuple[str, str]:
    """A name (Cyrillic or Latin at random) and a phone; surnames from 30^3 syllable roots."""
    first = rng.choice(FIRST)
    root = [rng.choice(SYLLABLES) for _ in range(3)]
    cyrillic = rng.random() < 0.5
    surname = "".join(s[0] if cyrillic else s[1] for s in root) + ("ов" if cyrillic else "ov")
    name = f"{first[0] if cyrillic else first[1]} {surname.title()}"
    return name, f"+99890{rng.randrange(10_000_000):07d}"


async def fill(dsn: str, total: int, rng: random.Random) -> None:
    """COPY `total` customers with identities and match keys."""
    now = datetime.now(UTC)
    conn = await asyncpg.connect(dsn)
    try:
        phones: set[str] = set()
        customers, idents, keys = [], [], []
        for n in range(1, total + 1):
            name, phone = person(rng)
            while phone in phones:
                name, phone = person(rng)
            phones.add(phone)
            customers.append((n, now, name))
            found = [normalize_phone(phone, None)]
            idents.append((n, "phone", phone, "{}", now))
            if n % 2:
                email = f"user{n}@example.uz"
                idents.append((n, "email", email, "{}", now))
                found.append(normalize_email(email))
            for key in match_keys(name, [i for i in found if i is not None]):
                keys.append((key.reason, key.key, n))
        await conn.copy_records_to_table("customers", records=customers,
                                         columns=["id", "created_at", "name"])
        await conn.copy_records_to_table("identities", records=idents,
                                         columns=["customer_id", "kind", "value", "info",
                                                  "created_at"])
        await conn.copy_records_to_table("match_keys", records=keys,
                                         columns=["reason", "key", "customer_id"])
        await conn.execute("SELECT setval('customers_id_seq', $1)", total)
        await pair_up(conn)
    finally:
        await conn.close()


_SCORE = "CASE a.reason " + " ".join(
    f"WHEN '{reason}' THEN {weight}" for reason, weight in WEIGHTS.items()) + " END"


async def pair_up(conn: asyncpg.Connection) -> None:
    """The suggested pairs of the filled cards, as intake would have made them one by one."""
    await conn.execute(
        "INSERT INTO duplicate_pairs (customer_id, other_id, reason, score, created_at) "
        f"SELECT a.customer_id, b.customer_id, a.reason, {_SCORE}, now() FROM match_keys a "
        "JOIN match_keys b ON a.reason = b.reason AND a.key = b.key "
        "AND a.customer_id < b.customer_id "
        "JOIN (SELECT reason, key FROM match_keys GROUP BY reason, key "
        f"      HAVING count(*) BETWEEN 2 AND {MAX_SHARED}) shared "
        "ON shared.reason = a.reason AND shared.key = a.key")
    await conn.execute("ANALYZE")
    pairs = await conn.fetchval("SELECT count(*) FROM duplicate_pairs")
    print(f"{pairs:,} suggested pairs among the filled cards")


async def timed(conn: AsyncConnection, rounds: int,
                work: Callable[[int], Awaitable[object]]) -> list[float]:
    """Seconds of each of `rounds` calls of `work`, each in a transaction rolled back."""
    spent = []
    for n in range(rounds):
        transaction = await conn.begin()
        started = time.perf_counter()
        await work(n)
        spent.append(time.perf_counter() - started)
        await transaction.rollback()
    return spent


def report(label: str, spent: list[float], per: int = 1) -> float:
    """Print the median per contact in microseconds and return it."""
    median = statistics.median(spent) / per * 1e6
    p90 = sorted(spent)[len(spent) * 9 // 10] / per * 1e6
    print(f"{label:<48} {median:9.1f} µs/contact  (p90 {p90:.1f})")
    return median


async def measure(url: str, total: int, contacts: int, rng: random.Random) -> None:
    """The per-contact figures, each beside the bare look-up of the same run."""
    people = [person(rng) for _ in range(contacts)]
    phones = [[i for i in (normalize_phone(phone, None),) if i is not None] for _, phone in people]
    started = time.perf_counter()
    computed = [match_keys(name, found) for (name, _), found in zip(people, phones, strict=True)]
    keys_us = (time.perf_counter() - started) / contacts * 1e6
    base = total + 1
    engine = create_engine(url)
    lookup = select(identities.c.customer_id).where(
        identities.c.kind == "phone", identities.c.value == bindparam("value"))
    try:
        async with engine.connect() as conn:
            now = datetime.now(UTC)
            await conn.exec_driver_sql(
                "INSERT INTO customers (id, created_at, name) SELECT g, now(), 'x' "
                f"FROM generate_series({base}, {base + contacts - 1}) g")
            await conn.commit()
            ceiling = report("ceiling: bare indexed look-up", await timed(
                conn, contacts, lambda n: conn.execute(lookup, {"value": people[n][1]})))
            one = report("index_cards, one new card", await timed(
                conn, contacts, lambda n: duplicates.index_cards(
                    conn, [(base + n, computed[n])], now)))
            groups = contacts // 64
            grouped = report("index_cards, groups of 64 (per contact)", await timed(
                conn, groups, lambda g: duplicates.index_cards(
                    conn, [(base + g * 64 + i, computed[g * 64 + i]) for i in range(64)],
                    now)), per=64)
            read = report("possible_duplicates of one card", await timed(
                conn, contacts, lambda n: duplicates.possible_duplicates(
                    conn, rng.randrange(1, total))))
    finally:
        await engine.dispose()
    print(f"{'key computation (pure, CPU)':<48} {keys_us:9.1f} µs/contact")
    print(f"ratios to the ceiling: one card {one / ceiling:.1f}x, in groups "
          f"{grouped / ceiling:.1f}x, card read {read / ceiling:.1f}x")


async def main() -> None:
    """Create the database, fill it, measure, drop it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="customers in the store")
    parser.add_argument("-k", type=int, default=2_000, help="new contacts measured")
    parser.add_argument("--keep", metavar="NAME",
                        help="fill database NAME once and keep it for later runs")
    args = parser.parse_args()
    name = args.keep or f"leadgate_bench_dup_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN_DSN)
    exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
    if not exists:
        await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    url = dsn.replace("postgresql://", "postgresql+asyncpg://")
    rng = random.Random(7)
    try:
        if not exists:
            engine = create_engine(url)
            await upgrade(engine)
            await engine.dispose()
            started = time.perf_counter()
            await fill(dsn, args.n, rng)
            print(f"filled {args.n:,} customers in {time.perf_counter() - started:.0f} s")
        else:
            await _clear_measured(dsn, args.n)
        await measure(url, args.n, args.k, random.Random(11))
    finally:
        if not args.keep:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _clear_measured(dsn: str, total: int) -> None:
    """Remove the cards an earlier run added for measuring (the filled ones stay)."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("DELETE FROM customers WHERE id > $1", total)
        if not await conn.fetchval("SELECT count(*) FROM duplicate_pairs"):
            await pair_up(conn)
    finally:
        await conn.close()


if __name__ == "__main__":
    asyncio.run(main())
