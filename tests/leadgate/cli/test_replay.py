"""Refused posts are journaled; replaying a day of kept events twice changes nothing twice."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from channels.webforms.settings import WebFormsSettings
from crm_store.cards import customer_card
from crm_store.engine import create_engine
from crm_store.journal import keep_refusal, refusal_count, refusals_since
from crm_store.migrate import upgrade_if_empty
from crm_store.tables import touches
from leadgate.cli.replayer import replay
from leads.model import utcnow
from tests.leadgate.cli.test_command import leadgate as leadgate_cli
from tests.store_counts import row_counts
from tests.support.leadgate_http import TEST_FORMS, LeadgateClient, running_leadgate

FIXED_FORMS = WebFormsSettings.from_toml(
    {**TEST_FORMS, "contact": {**TEST_FORMS["contact"], "default_region": "RU"}}, {})


def no_progress(done: int, total: int) -> None:
    """Replay's progress callback, unused here."""


async def _a_day_of_posts(leadgate: LeadgateClient) -> list[int]:
    answers = [
        await leadgate.post_form("contact", {"name": "Aziz", "phone": "90 111 22 33"}),
        await leadgate.post_form("contact", {"phone": "90 111 22 33", "message": "again"}),
        await leadgate.post_form("price", {"email": "olga@example.ru"}),
        # A Russian number typed without its code on the Uzbek form: refused today.
        await leadgate.post_form("contact", {"name": "Ivan", "phone": "912 345 67 89"}),
        await leadgate.post_form("contact", b"{not json", "application/json"),
    ]
    return [answer.status for answer in answers]


async def _state(leadgate: LeadgateClient) -> tuple[dict[str, int], list[Any]]:
    engine = leadgate.store.engine
    async with engine.connect() as conn:
        ids = [row.customer_id for row in await conn.execute(select(touches.c.customer_id))]
        cards = [await customer_card(conn, customer) for customer in sorted(set(ids))]
    return await row_counts(engine), cards


async def test_refused_posts_are_journaled_with_their_reason_and_body(database_url: str) -> None:
    async with running_leadgate(database_url) as leadgate:
        statuses = await _a_day_of_posts(leadgate)
        async with leadgate.store.engine.connect() as conn:
            kept = await refusals_since(conn, utcnow() - timedelta(hours=1), None)

    assert statuses == [201, 201, 201, 422, 400]
    assert [(k["channel"], k["status"], k["code"]) for k in kept] == [
        ("webform", 422, "no_usable_contact"), ("webform", 400, "malformed")]
    assert b"912 345 67 89" in kept[0]["raw"] and kept[1]["raw"] == b"{not json"
    assert kept[0]["content_type"].startswith("application/json")


async def test_replaying_a_day_twice_changes_nothing_the_second_time(database_url: str) -> None:
    async with running_leadgate(database_url) as leadgate:
        await _a_day_of_posts(leadgate)
        since = utcnow() - timedelta(days=1)
        before = await _state(leadgate)
        dry = await replay(leadgate.store, FIXED_FORMS, since, None, True, no_progress)
        after_dry = await _state(leadgate)
        first = await replay(leadgate.store, FIXED_FORMS, since, None, False, no_progress)
        after_first = await _state(leadgate)
        second = await replay(leadgate.store, FIXED_FORMS, since, None, False, no_progress)
        after_second = await _state(leadgate)
        only_sms = await replay(leadgate.store, FIXED_FORMS, since, "sms", False, no_progress)

    assert after_dry == before
    assert (dry.read, dry.stored, dry.unchanged, dry.refused) == (5, 1, 3, 1)
    assert (first.read, first.stored, first.unchanged, first.refused) == (5, 1, 3, 1)
    assert after_first[0]["touches"] == before[0]["touches"] + 1
    assert (second.read, second.stored, second.unchanged, second.refused) == (6, 0, 5, 1)
    assert after_second == after_first
    assert only_sms.read == 0


async def test_the_journal_is_bounded_by_count_and_age(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'j.db'}")
    await upgrade_if_empty(engine)
    row = {"channel": "webform", "path": "/forms/x", "status": 400, "code": "malformed",
           "detail": "bad", "raw": b"x"}
    try:
        async with engine.begin() as conn:
            for _ in range(250):
                await keep_refusal(conn, row, keep_days=7, keep_rows=50, now=utcnow())
            by_count = await refusal_count(conn)
            for _ in range(50):
                await keep_refusal(conn, row, 7, 10_000, utcnow() + timedelta(days=30))
            by_age = await refusal_count(conn)
    finally:
        await engine.dispose()

    assert by_count <= 150
    assert by_age <= 50 + 100


def test_replay_from_the_command_line_prints_a_summary(tmp_path: Path) -> None:
    dry = leadgate_cli("replay", "--since", "2026-01-01", "--dry-run", cwd=tmp_path)
    bad = leadgate_cli("replay", "--since", "yesterday", cwd=tmp_path)

    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.strip().splitlines()[-1].startswith("dry run: read 0")
    assert bad.returncode == 2 and "--since" in bad.stderr
