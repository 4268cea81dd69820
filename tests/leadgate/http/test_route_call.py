"""The dialplan asks who owns a caller's card and rings that manager's extension first."""

from __future__ import annotations

from sqlalchemy import insert, update

from crm_store.routing_tables import managers
from crm_store.tables import customers
from crm_store.tokens import create_token
from leads.model import utcnow
from tests.support.leadgate_http import running_leadgate


async def test_known_caller_gets_the_owners_extension_in_any_written_form(
    database_url: str,
) -> None:
    async with running_leadgate(database_url) as leadgate:
        posted = await leadgate.post_form("price", {"phone": "8 912 345 67 89"})
        async with leadgate.store.engine.begin() as conn:
            manager = (
                await conn.execute(
                    insert(managers)
                    .values(login="olga", name="Olga", extension="202", created_at=utcnow())
                    .returning(managers.c.id)
                )
            ).scalar_one()
            await conn.execute(
                update(customers)
                .where(customers.c.id == posted.body["customer_id"])
                .values(owner_manager_id=manager)
            )
        leadgate.token = await create_token(leadgate.store.engine, "admin")
        known = await leadgate.get(
            "/api/route/call", params={"caller": "79123456789", "region": "RU"}
        )
        unknown = await leadgate.get("/api/route/call", params={"caller": "+998901234567"})
        garbage = await leadgate.get("/api/route/call", params={"caller": "anonymous"})

    assert (known.status, known.text) == (200, "202")
    assert (unknown.status, unknown.text) == (200, "")
    assert (garbage.status, garbage.text) == (200, "")


async def test_an_owner_off_duty_or_away_is_not_rung_and_the_call_goes_to_the_queue(
    database_url: str,
) -> None:
    today = utcnow().strftime("%a")
    other_day = next(d for d in ("Mon", "Tue") if d != today)
    async with running_leadgate(database_url) as leadgate:
        posted = await leadgate.post_form("price", {"phone": "+998901234500"})
        async with leadgate.store.engine.begin() as conn:
            manager = (await conn.execute(
                insert(managers).values(
                    login="aziz", name="Aziz", extension="201", created_at=utcnow(),
                    hours=f"{other_day} 00:00-23:59 UTC",
                ).returning(managers.c.id)
            )).scalar_one()  # fmt: skip
            await conn.execute(update(customers).where(
                customers.c.id == posted.body["customer_id"]).values(owner_manager_id=manager))
        leadgate.token = await create_token(leadgate.store.engine, "admin")
        ask = {"caller": "+998901234500"}
        off_duty = await leadgate.get("/api/route/call", params=ask)
        async with leadgate.store.engine.begin() as conn:
            await conn.execute(update(managers).values(hours=f"{today} 00:00-23:59 UTC"))
        on_duty = await leadgate.get("/api/route/call", params=ask)
        async with leadgate.store.engine.begin() as conn:
            await conn.execute(update(managers).values(available=False))
        away = await leadgate.get("/api/route/call", params=ask)

    assert (off_duty.text, on_duty.text, away.text) == ("", "201", "")
