"""Benchmark: every report over a year of history (1,000,000 touches) must answer under a second.

Builds a fresh PostgreSQL database at the current schema and fills it in the server with a
year of leads (sources, channels, forms, dialed numbers, ten managers in three teams, accepts,
contacts, wins, missed calls called back or not) and their touches. Then times each report as
the API builds it (`reports.build.Reports`, the same code the handlers call) for the whole year,
best of `--repeat` runs. The ceiling, measured in the same run, is PostgreSQL alone counting the
year's leads in one plain aggregate over the same rows (`count(*)`, `count(accepted_at)`, ...):
no report can read less.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crm_store.engine import create_engine  # noqa: E402
from crm_store.migrate import upgrade  # noqa: E402
from reports.build import Reports  # noqa: E402
from reports.period import Period, parse_period  # noqa: E402

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
FIRST, LAST = "2025-12-01", "2026-11-30"
BUDGET_SECONDS = 1.0

FILL = """
INSERT INTO managers (login, name, capacity, available, languages, regions, created_at)
SELECT 'm' || n, 'Manager ' || n, 1000000, true, '[]', '[]', now() FROM generate_series(1, 10) n;
INSERT INTO teams (name, accept_minutes, lead_manager_id, contact_minutes)
VALUES ('sales', 5, 1, 30), ('instagram', 5, 4, 30), ('calls', 5, 7, 15);
INSERT INTO customers (id, created_at, name)
SELECT n, timestamptz '2025-12-01 00:00+05' + (n * interval '1 year' / $1), 'Customer ' || n
FROM generate_series(1, $1) n;
INSERT INTO leads (id, customer_id, status, channel, attribution, created_at, last_touch_at,
                   manager_id, team, accepted_at, contacted_at, contacted_by,
                   callback_requested_at, callback_due_at, callback_done_at)
SELECT n, n,
  (ARRAY['won','lost','spam','accepted','assigned','new','won','lost'])[1 + n % 8],
  (ARRAY['webform','call','telegram','email','sms'])[1 + n % 5],
  CASE n % 5
    WHEN 0 THEN jsonb_build_object('form', 'form' || (n % 7), 'utm_source',
                (ARRAY['instagram','google','facebook','yandex'])[1 + n % 4],
                'utm_campaign', 'c' || (n % 13))
    WHEN 1 THEN jsonb_build_object('did', '7495000000' || (n % 6), 'source',
                (ARRAY['yandex_direct','billboard','radio'])[1 + n % 3])
    ELSE '{}'::jsonb END,
  c, c, 1 + n % 10, (ARRAY['sales','instagram','calls'])[1 + n % 3],
  CASE WHEN n % 8 <> 5 THEN c + (n % 900) * interval '1 second' END,
  CASE WHEN n % 8 IN (0, 1, 3, 6) THEN c + (60 + n % 7200) * interval '1 second' END,
  CASE WHEN n % 8 IN (0, 1, 3, 6) THEN 1 + n % 10 END,
  CASE WHEN n % 5 = 1 AND n % 3 = 0 THEN c END,
  CASE WHEN n % 5 = 1 AND n % 3 = 0 THEN c + interval '15 minutes' END,
  CASE WHEN n % 5 = 1 AND n % 3 = 0 AND n % 4 <> 0
       THEN c + (n % 3600) * interval '1 second' END
FROM (SELECT n, timestamptz '2025-12-01 00:00+05' + (n * interval '1 year' / $1) AS c
      FROM generate_series(1, $1) n) s;
INSERT INTO touches (customer_id, lead_id, channel, external_id, direction, occurred_at,
                     created_at, attribution, details, identities)
SELECT l.id, l.id, l.channel, 'bench-' || l.id || '-' || k,
       CASE WHEN k = 1 THEN 'inbound' ELSE 'outbound' END, l.created_at + k * interval '1 minute',
       l.created_at, l.attribution, '{}', '[]'
FROM leads l CROSS JOIN generate_series(1, 3) k
WHERE k < 3 OR l.id % 2 = 0;
"""


async def counted(dsn: str) -> tuple[int, int]:
    """How many leads and touches the history holds."""
    conn = await asyncpg.connect(dsn)
    try:
        return (await conn.fetchval("SELECT count(*) FROM leads"),
                await conn.fetchval("SELECT count(*) FROM touches"))
    finally:
        await conn.close()


async def fill(dsn: str, leads: int) -> None:
    """Write the history (2.5 touches a lead) in the server."""
    conn = await asyncpg.connect(dsn)
    try:
        for statement in filter(str.strip, FILL.split(";\n")):
            await conn.execute(statement, *([leads] if "$1" in statement else []))
        await conn.execute("SELECT setval('leads_id_seq', $1); SELECT setval('customers_id_seq', "
                           "$1)".replace("$1", str(leads)))
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def ceiling(dsn: str, period: Period, repeat: int) -> float:
    """PostgreSQL alone: one aggregate over the year's leads, best of `repeat`."""
    conn = await asyncpg.connect(dsn)
    try:
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            await conn.fetchrow(
                "SELECT count(*), count(accepted_at), count(contacted_at) FROM leads "
                "WHERE created_at >= $1 AND created_at < $2", period.start, period.end)
            best = min(best, time.perf_counter() - started)
        return best
    finally:
        await conn.close()


async def time_reports(url: str, repeat: int) -> dict[str, float]:
    """Best wall time of each report over the whole year."""
    engine = create_engine(url)
    reports = Reports(engine, ZoneInfo("Asia/Tashkent"))
    period = reports.period(FIRST, LAST)
    jobs = {f"funnel by {by}": (lambda by=by: reports.funnel(period, by))
            for by in ("source", "channel", "form", "did", "manager", "team")}
    jobs |= {"missed_calls": lambda: reports.missed_calls(period),
             "volume": lambda: reports.volume(period),
             "response_times": lambda: reports.response_times(period)}
    timings = {}
    try:
        await reports.funnel(period, "source")  # warm the pool and the caches
        for name, job in jobs.items():
            best = float("inf")
            for _ in range(repeat):
                started = time.perf_counter()
                await job()
                best = min(best, time.perf_counter() - started)
            timings[name] = best
    finally:
        await engine.dispose()
    return timings


async def main() -> None:
    """Fill, time, print; exit 1 if a report is over budget."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--touches", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database", default="leadgate_bench_reports")
    parser.add_argument("--reuse", action="store_true",
                        help="time the history a previous run left in --database")
    args = parser.parse_args()
    dsn = ADMIN_DSN.rsplit("/", 1)[0] + f"/{args.database}"
    url = dsn.replace("postgresql://", "postgresql+asyncpg://")
    started = time.perf_counter()
    if not args.reuse:
        admin = await asyncpg.connect(ADMIN_DSN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{args.database}"')
        await admin.close()
        engine = create_engine(url)
        await upgrade(engine)
        await engine.dispose()
        await fill(dsn, args.touches * 2 // 5)
    leads, touches = await counted(dsn)
    print(f"history:  {leads} leads, {touches} touches, {FIRST} .. {LAST} "
          f"(ready in {time.perf_counter() - started:.0f} s)")
    year = parse_period(FIRST, LAST, ZoneInfo("Asia/Tashkent"), date.today())
    floor = await ceiling(dsn, year, args.repeat)
    print(f"ceiling:  {floor * 1000:8.1f} ms  PostgreSQL alone, one count over the year's leads")
    timings = await time_reports(url, args.repeat)
    for name, seconds in timings.items():
        verdict = "ok" if seconds < BUDGET_SECONDS else "OVER BUDGET"
        print(f"{name:24s} {seconds * 1000:8.1f} ms  {seconds / floor:5.1f}x ceiling  {verdict}")
    worst = max(timings.values())
    print(f"slowest:  {worst * 1000:8.1f} ms (budget {BUDGET_SECONDS * 1000:.0f} ms)")
    if worst >= BUDGET_SECONDS:
        raise SystemExit(1)


if __name__ == "__main__":
    asyncio.run(main())
