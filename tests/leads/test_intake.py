"""Intake alone, on an in-memory unit of work: dedup, merge, the repeat window, idempotency."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from leads.intake import IntakePolicy, intake, prepare
from leads.model import ContactEvent, IntakeResult, RawIdentity
from tests.fake_store import FakeDatabase, FakeUnitOfWork, RecordingRouter

POLICY = IntakePolicy(default_region="UZ", repeat_window=timedelta(days=30))
MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def form(external_id: str, *identities: tuple[str, str], at: datetime = MONDAY,
         name: str | None = None) -> ContactEvent:
    raw = tuple(RawIdentity(kind, value) for kind, value in identities)  # type: ignore[arg-type]
    return ContactEvent("webform", external_id, at, raw, name=name)


async def take(db: FakeDatabase, event: ContactEvent,
               router: RecordingRouter | None = None) -> IntakeResult:
    async with FakeUnitOfWork(db) as uow:
        result = await intake(uow, prepare(event, POLICY), POLICY, router or RecordingRouter(),
                              event.occurred_at)
        await uow.commit()
    return result


async def test_the_same_phone_written_another_way_joins_the_card_and_its_open_lead() -> None:
    db = FakeDatabase()
    first = await take(db, form("1", ("phone", "90 123 45 67"), name="Aziz"))
    second = await take(db, form("2", ("phone", "+998 (90) 123-45-67"), ("email", "A@X.uz"),
                                 at=MONDAY + timedelta(hours=1)))

    assert (second.customer_id, second.lead_id) == (first.customer_id, first.lead_id)
    assert second.touch_id != first.touch_id and not second.deduplicated
    assert db.identities[("email", "a@x.uz")] == first.customer_id
    assert db.customers[first.customer_id or 0]["name"] == "Aziz"


async def test_an_event_proving_two_cards_one_person_merges_them_into_the_oldest() -> None:
    db = FakeDatabase()
    by_phone = await take(db, form("1", ("phone", "90 123 45 67")))
    by_mail = await take(db, form("2", ("email", "aziz@x.uz"), at=MONDAY + timedelta(hours=1)))
    both = await take(db, form("3", ("phone", "901234567"), ("email", "aziz@x.uz"),
                               at=MONDAY + timedelta(hours=2)))

    assert by_phone.customer_id != by_mail.customer_id
    assert both.customer_id == by_phone.customer_id
    assert db.customers[by_mail.customer_id or 0]["merged_into"] == by_phone.customer_id
    assert db.merges == [(by_mail.customer_id, by_phone.customer_id, "aziz@x.uz")]
    assert db.identities[("email", "aziz@x.uz")] == by_phone.customer_id
    assert db.leads[by_mail.lead_id or 0]["customer_id"] == by_phone.customer_id


async def test_inside_the_repeat_window_a_touch_joins_the_lead_after_it_opens_another() -> None:
    db = FakeDatabase()
    first = await take(db, form("1", ("phone", "90 123 45 67")))
    inside = await take(db, form("2", ("phone", "90 123 45 67"), at=MONDAY + timedelta(days=29)))
    after = await take(db, form("3", ("phone", "90 123 45 67"), at=MONDAY + timedelta(days=60)))

    assert inside.lead_id == first.lead_id
    assert after.lead_id != first.lead_id and after.customer_id == first.customer_id


async def test_a_redelivered_event_is_the_same_touch_and_writes_nothing() -> None:
    db = FakeDatabase()
    router = RecordingRouter()
    first = await take(db, form("1", ("phone", "90 123 45 67")), router)
    again = await take(db, form("1", ("phone", "90 123 45 67")), router)

    assert again.deduplicated
    assert (again.touch_id, again.lead_id, again.customer_id) == (
        first.touch_id, first.lead_id, first.customer_id)
    assert (len(db.touches), len(db.leads), len(db.routed)) == (1, 1, 1)


async def test_only_a_new_lead_is_routed_and_its_manager_is_answered() -> None:
    db = FakeDatabase()
    first = await take(db, form("1", ("phone", "90 123 45 67")))
    joined = await take(db, form("2", ("phone", "90 123 45 67"), at=MONDAY + timedelta(days=1)))

    assert first.manager_name == "Olga" and joined.manager_name is None
    assert [lead.lead_id for lead in db.routed] == [first.lead_id]


async def test_an_uncommitted_intake_leaves_nothing_behind() -> None:
    db = FakeDatabase()
    event = form("1", ("phone", "90 123 45 67"))
    async with FakeUnitOfWork(db) as uow:
        await intake(uow, prepare(event, POLICY), POLICY, RecordingRouter(), MONDAY)

    assert (db.customers, db.leads, db.touches, db.routed) == ({}, {}, {}, [])


async def test_a_banned_contact_is_kept_aside_once_and_a_released_one_gets_in() -> None:
    db = FakeDatabase(bans={("domain", "spam.uz")})
    router = RecordingRouter()
    event = form("1", ("email", "bot@spam.uz"), ("phone", "90 123 45 67"))
    kept = await take(db, event, router)
    again = await take(db, event, router)
    async with FakeUnitOfWork(db) as uow:
        released = await intake(uow, replace(prepare(event, POLICY), screened=True), POLICY,
                                router, MONDAY)
        await uow.commit()

    assert kept.quarantined == again.quarantined == 1
    assert kept.lead_id is None and kept.customer_id is None
    assert released.lead_id is not None and len(db.routed) == 1


async def test_a_new_card_gets_its_match_keys_and_a_later_name_adds_one() -> None:
    db = FakeDatabase()
    first = await take(db, form("1", ("phone", "90 123 45 67")))
    await take(db, form("2", ("phone", "90 123 45 67"), name="Шахноза Каримова",
                        at=MONDAY + timedelta(hours=1)))

    reasons = {key.reason for key in db.match_keys[first.customer_id or 0]}
    assert reasons == {"same_phone_other_region", "same_name"}
