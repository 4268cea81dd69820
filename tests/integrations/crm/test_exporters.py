"""Each new lead is created once in Bitrix24 or amoCRM, on the contact the CRM already has."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crm_store.cards import customer_card, lead_detail
from integrations.crm.exporter import CrmExporter
from integrations.crm.settings import crm_from_toml
from leadgate.compose import Store
from leadgate.compose.integrations import connector
from leads.model import ContactEvent, RawIdentity
from tests.support.crm_servers import AmoCrmServer, Bitrix24Server

PHONE = "+998901234567"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def bitrix() -> AsyncIterator[Bitrix24Server]:
    async with Bitrix24Server() as server:
        yield server


@pytest.fixture
async def amo() -> AsyncIterator[AmoCrmServer]:
    async with AmoCrmServer() as server:
        yield server


def exporter(core: Store, crm: str, table: dict[str, Any], clock: Clock) -> CrmExporter:
    [settings] = crm_from_toml({crm: {"requests_per_second": 50, **table}})
    return CrmExporter(core.engine, settings, connector(settings), clock=clock)


def bitrix_exporter(core: Store, server: Bitrix24Server, clock: Clock, **table: Any
                    ) -> CrmExporter:
    return exporter(core, "bitrix24", {"webhook_url": server.webhook_url, **table}, clock)


def amo_exporter(core: Store, server: AmoCrmServer, clock: Clock, **table: Any) -> CrmExporter:
    return exporter(core, "amocrm", {"base_url": server.base_url,
                                     "access_token": server.token, **table}, clock)


async def new_lead(core: Store, phone: str = PHONE, email: str | None = None) -> int:
    identities = [RawIdentity("phone", phone)] + ([RawIdentity("email", email)] if email else [])
    result = await core.intake(ContactEvent(
        channel="webform", external_id=f"form-{phone}", occurred_at=datetime.now(UTC),
        identities=tuple(identities), name="Dilnoza Karimova", text="Narxi qancha?",
        attribution={"form": "contact", "utm_source": "instagram", "utm_campaign": "winter"}))
    assert result.lead_id is not None
    return result.lead_id


async def crm_on_lead(core: Store, lead: int) -> list[dict[str, Any]]:
    async with core.engine.connect() as conn:
        detail = await lead_detail(conn, lead)
    assert detail is not None
    crm: list[dict[str, Any]] = detail["crm"]
    return crm


def names(server: Any) -> list[str]:
    return [call.name for call in server.calls]


async def test_bitrix24_gets_the_lead_once_with_mapped_fields_and_the_id_is_on_the_card(
    core: Store, bitrix: Bitrix24Server
) -> None:
    lead = await new_lead(core)
    crm = bitrix_exporter(core, bitrix, Clock(),
                          fields={"ASSIGNED_BY_ID": 7, "UF_CRM_CAMPAIGN": "{utm_campaign}"})

    await crm.step()
    await crm.step()

    assert names(bitrix) == ["crm.duplicate.findbycomm", "crm.lead.add"]
    [record] = bitrix.records.values()
    assert record["TITLE"] == "Dilnoza Karimova (webform)"
    assert record["PHONE"] == [{"VALUE": PHONE, "VALUE_TYPE": "WORK"}]
    assert (record["UTM_SOURCE"], record["UF_CRM_CAMPAIGN"], record["ASSIGNED_BY_ID"]) == (
        "instagram", "winter", 7)
    assert record["ORIGIN_ID"] == f"leadgate-{lead}"
    [kept] = await crm_on_lead(core, lead)
    assert kept == {"crm": "bitrix24", "lead_id": lead, "state": "done",
                    "crm_lead_id": "501", "crm_contact_id": None}
    async with core.engine.connect() as conn:
        card = await customer_card(conn, 1)
    assert card is not None and card["crm"] == [kept]


async def test_bitrix24_links_the_contact_it_already_has_instead_of_a_new_one(
    core: Store, bitrix: Bitrix24Server
) -> None:
    known = bitrix.add_contact(phones=["+998 90 123-45-67"])
    await new_lead(core)
    deals = bitrix_exporter(core, bitrix, Clock(), entity="deal")

    await deals.step()

    assert "crm.contact.add" not in names(bitrix)
    [record] = bitrix.records.values()
    assert (record["entity"], record["CONTACT_ID"]) == ("deal", str(known))
    assert len(bitrix.contacts) == 1


async def test_a_bitrix24_deal_for_a_new_person_gets_one_new_contact(
    core: Store, bitrix: Bitrix24Server
) -> None:
    await new_lead(core)
    deals = bitrix_exporter(core, bitrix, Clock(), entity="deal")

    await deals.step()

    assert names(bitrix)[-2:] == ["crm.contact.add", "crm.deal.add"]
    [record] = bitrix.records.values()
    assert record["CONTACT_ID"] == str(next(iter(bitrix.contacts)))


async def test_a_lost_answer_is_not_a_second_bitrix24_lead_on_retry(
    core: Store, bitrix: Bitrix24Server
) -> None:
    lead = await new_lead(core)
    clock = Clock()
    crm = bitrix_exporter(core, bitrix, clock)
    bitrix.lose_next_create()

    await crm.step()  # created there, but the answer was lost: the export stays owed
    clock.now += timedelta(minutes=1)
    await crm.step()
    clock.now += timedelta(minutes=10)
    await crm.step()

    assert len(bitrix.records) == 1
    assert names(bitrix).count("crm.lead.add") == 1
    assert "crm.lead.list" in names(bitrix)
    assert (await crm_on_lead(core, lead))[0]["crm_lead_id"] == "501"


async def test_two_processes_exporting_at_once_create_one_bitrix24_lead(
    core: Store, bitrix: Bitrix24Server
) -> None:
    await new_lead(core)
    first, second = (bitrix_exporter(core, bitrix, Clock()) for _ in range(2))

    await asyncio.gather(first.step(), second.step())
    await asyncio.gather(first.step(), second.step())

    assert len(bitrix.records) == 1


async def test_bitrix24_query_limit_exceeded_pauses_and_retries_later(
    core: Store, bitrix: Bitrix24Server
) -> None:
    lead = await new_lead(core)
    clock = Clock()
    crm = bitrix_exporter(core, bitrix, clock)
    bitrix.limit_next(1)

    paused = await crm.step()
    again = await crm.step()  # too early: the CRM asked us to wait
    clock.now += timedelta(seconds=2)
    await crm.step()

    assert paused == 1.0 and again == 0.0
    assert names(bitrix) == ["crm.duplicate.findbycomm", "crm.lead.list",
                             "crm.duplicate.findbycomm", "crm.lead.add"]
    assert (await crm_on_lead(core, lead))[0]["state"] == "done"


async def test_amocrm_creates_the_lead_with_a_new_contact_in_one_call(
    core: Store, amo: AmoCrmServer
) -> None:
    lead = await new_lead(core, email="dilnoza@example.uz")
    crm = amo_exporter(core, amo, Clock(), fields={"pipeline_id": 321, "555": "{utm_source}"})

    await crm.step()
    await crm.step()

    assert names(amo) == ["/api/v4/contacts", "/api/v4/contacts", "/api/v4/leads/complex"]
    [record] = amo.records.values()
    assert record["name"] == f"Dilnoza Karimova (webform) [leadgate-{lead}]"
    assert record["pipeline_id"] == 321
    assert record["custom_fields_values"] == [{"field_id": 555,
                                               "values": [{"value": "instagram"}]}]
    [kept] = await crm_on_lead(core, lead)
    assert (kept["crm_lead_id"], kept["crm_contact_id"]) == ("9001", "101")


async def test_amocrm_finds_the_contact_by_phone_instead_of_duplicating_it(
    core: Store, amo: AmoCrmServer
) -> None:
    known = amo.add_contact(phones=["998901234567"])
    await new_lead(core)
    crm = amo_exporter(core, amo, Clock())

    await crm.step()

    [record] = amo.records.values()
    assert record["_embedded"]["contacts"] == [{"id": known}]
    assert len(amo.contacts) == 1


async def test_amocrm_429_is_respected_and_a_lost_answer_is_found_not_repeated(
    core: Store, amo: AmoCrmServer
) -> None:
    lead = await new_lead(core)
    clock = Clock()
    crm = amo_exporter(core, amo, clock)
    amo.limit_next(1)

    paused = await crm.step()
    amo.lose_next_create()
    clock.now += timedelta(seconds=2)
    await crm.step()
    clock.now += timedelta(minutes=1)
    await crm.step()

    assert paused == 1.0
    assert len(amo.records) == 1 and names(amo).count("/api/v4/leads/complex") == 1
    assert (await crm_on_lead(core, lead))[0]["crm_lead_id"] == "9001"


@pytest.mark.parametrize(("section", "message"), [
    ({"bitrix24": {}}, "webhook_url"),
    ({"amocrm": {"base_url": "https://x.amocrm.ru"}}, "access_token"),
    ({"bitrix24": {"webhook_url": "https://b.example/rest/1/x/", "entity": "task"}}, "entity"),
    ({"bitrix24": {"webhook_url": "https://b.example/rest/1/x/", "title": "{nope}"}},
     "placeholder"),
    ({"hubspot": {}}, "known CRMs"),
])
def test_a_bad_crm_section_is_refused_naming_the_key(section: dict[str, Any],
                                                     message: str) -> None:
    with pytest.raises(ValueError, match=message):
        crm_from_toml(section)
