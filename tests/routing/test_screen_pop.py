"""The screen pop names the ringing manager's caller: known customer, open lead and owner."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, update

from channels.telephony.records import RingingCall
from crm_store.routing_tables import managers
from crm_store.tables import customers
from leadgate.compose import Store
from leads.model import ContactEvent, RawIdentity, utcnow
from routing.calls import ScreenPop

CALLER = "+79161234567"


class RecordingPublish:
    """Keeps what the screen pop published, as the outbox would receive it."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def __call__(self, *, routing_key: str, payload: dict[str, Any],
                      message_id: str) -> None:
        self.messages.append(
            {"routing_key": routing_key, "payload": payload, "message_id": message_id})


async def add_manager(core: Store, login: str, extension: str | None) -> int:
    async with core.engine.begin() as conn:
        result = await conn.execute(insert(managers).values(
            login=login, name=login.title(), extension=extension, capacity=5, languages=[],
            regions=[], available=True, created_at=utcnow()))
    return int(result.inserted_primary_key[0])


def ringing(extension: str) -> RingingCall:
    return RingingCall(extension, CALLER, "Иван Петров", "74951234567", "1795334023.1")


async def test_a_known_callers_card_reaches_the_manager_whose_extension_rings(
    core: Store,
) -> None:
    ira, owner = await add_manager(core, "ira", "201"), await add_manager(core, "timur", "202")
    result = await core.intake(ContactEvent(
        channel="call", external_id="earlier", occurred_at=utcnow(), name="Иван Петров",
        identities=(RawIdentity("phone", CALLER),)))
    async with core.engine.begin() as conn:
        await conn.execute(update(customers).values(owner_manager_id=owner))
    publish = RecordingPublish()

    await ScreenPop(core.engine, publish)(ringing("201"))

    [message] = publish.messages
    assert message["routing_key"] == f"call.ringing.{ira}"
    assert message["message_id"] == "ringing:1795334023.1:201"
    card = message["payload"]["card"]
    assert (card["customer_id"], card["name"]) == (result.customer_id, "Иван Петров")
    assert card["open_lead_id"] == result.lead_id == message["payload"]["lead_id"]
    assert (card["owner_manager_id"], card["owner"]) == (owner, "Timur")
    assert message["payload"]["call"]["did"] == "74951234567"


async def test_an_unknown_caller_pops_with_the_number_and_name_only(core: Store) -> None:
    await add_manager(core, "ira", "201")
    publish = RecordingPublish()

    await ScreenPop(core.engine, publish)(ringing("201"))

    [message] = publish.messages
    assert message["payload"]["card"] == {"phones": [CALLER], "name": "Иван Петров"}
    assert message["payload"]["lead_id"] is None


async def test_an_extension_no_manager_has_publishes_nothing(core: Store) -> None:
    await add_manager(core, "ira", "201")
    publish = RecordingPublish()

    await ScreenPop(core.engine, publish)(ringing("299"))

    assert publish.messages == []
