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
        async with leadgate.core.engine.begin() as conn:
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
        leadgate.token = await create_token(leadgate.core.engine, "admin")
        known = await leadgate.get(
            "/api/route/call", params={"caller": "79123456789", "region": "RU"}
        )
        unknown = await leadgate.get("/api/route/call", params={"caller": "+998901234567"})
        garbage = await leadgate.get("/api/route/call", params={"caller": "anonymous"})

    assert (known.status, known.text) == (200, "202")
    assert (unknown.status, unknown.text) == (200, "")
    assert (garbage.status, garbage.text) == (200, "")
