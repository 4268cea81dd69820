"""Writers choosing at the same moment wait for each other: a manager never goes over capacity."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from crm_store.tables import leads
from leads.model import ContactEvent, RawIdentity, utcnow
from tests.conftest import make_settings
from tests.support.leadgate_http import opened_store

ONE_SEAT = {
    "managers": {"solo": {"name": "Solo", "capacity": 1},
                 "pair": {"name": "Pair", "capacity": 2, "teams": ["support"]}},
    "teams": {"sales": {"members": ["solo", "pair"]}, "support": {"members": ["solo"]}},
    "routing": {"rules": [{"match": {"utm_source": "help"}, "team": "support"}],
                "default_team": "sales"},
}


def event(n: int) -> ContactEvent:
    source = "help" if n % 3 == 0 else "site"
    return ContactEvent("webform", f"seat-{n}", utcnow(),
                        (RawIdentity("phone", f"+99890{n:07d}"),),
                        attribution={"utm_source": source})


async def test_two_writers_never_give_a_manager_more_leads_than_capacity(
    postgres_url: str,
) -> None:
    settings = make_settings(postgres_url, **ONE_SEAT)
    async with opened_store(settings) as one, opened_store(settings) as two:
        results = await asyncio.gather(*[(one if n % 2 else two).intake(event(n))
                                         for n in range(60)])
        async with one.engine.connect() as conn:
            loads = dict((await conn.execute(
                select(leads.c.manager_id, func.count()).where(leads.c.manager_id.is_not(None))
                .group_by(leads.c.manager_id))).all())

    assert all(r.lead_id is not None for r in results)
    assert loads == {1: 1, 2: 2}  # solo (capacity 1, in both teams) and pair (capacity 2)
