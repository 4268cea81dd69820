"""A call's recording is played from the card: streamed with Range requests, to its owner only."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import insert, update

from crm_store.routing_tables import managers
from crm_store.tables import customers
from crm_store.tokens import create_token
from leads.model import ContactEvent, RawIdentity, utcnow
from tests.support.leadgate_http import LeadgateClient, running_leadgate

AUDIO = b"RIFF0000WAVEfmt " + bytes(range(48, 123)) * 40  # ASCII only: read back as text
ASTERISK = {"host": "127.0.0.1", "secret": "secret"}


async def answered_call(lg: LeadgateClient, recording: str) -> tuple[int, int]:
    """A recorded call on a new card; its touch id and the card's id."""
    result = await lg.store.intake(ContactEvent(
        channel="call", external_id="1796049731.8", occurred_at=utcnow(),
        identities=(RawIdentity("phone", "+79031112233"),), direction="inbound",
        details={"disposition": "answered", "answered_by": "201", "recording": recording},
    ))  # fmt: skip
    assert result.touch_id is not None and result.customer_id is not None
    return result.touch_id, result.customer_id


async def test_the_owner_plays_a_recording_with_range_requests_and_others_do_not(
    database_url: str, tmp_path: Path
) -> None:
    (tmp_path / "74951234567-79031112233-1796049731.9.wav").write_bytes(AUDIO)
    asterisk = {**ASTERISK, "recordings_dir": str(tmp_path)}
    async with running_leadgate(database_url, asterisk=asterisk) as lg:
        # Asterisk wrote its own mount point's path: the file is found by name in the folder.
        touch, customer = await answered_call(
            lg, "/var/spool/asterisk/monitor/74951234567-79031112233-1796049731.9.wav")
        async with lg.store.engine.begin() as conn:
            owner, _ = [(await conn.execute(insert(managers).values(
                login=login, name=login, created_at=utcnow()).returning(managers.c.id)
            )).scalar_one() for login in ("aziz", "olga")]  # fmt: skip
            await conn.execute(update(customers).where(customers.c.id == customer)
                               .values(owner_manager_id=owner))
        lg.token = await create_token(lg.store.engine, "manager", "aziz")
        card = (await lg.get(f"/api/customers/{customer}")).body
        url = card["timeline"][0]["recording_url"]
        part = await lg.get(url, headers={"Range": "bytes=4-15"})
        whole = await lg.get(url)
        lg.token = await create_token(lg.store.engine, "manager", "olga")
        stranger = await lg.get(url)
        lg.token = await create_token(lg.store.engine, "admin")
        admin = await lg.get(url, headers={"Range": "bytes=-4"})
        missing = await lg.get(f"/api/calls/{touch + 1}/recording")

    assert url == f"/api/calls/{touch}/recording"
    assert (part.status, part.text) == (206, AUDIO[4:16].decode())
    assert part.headers["Content-Range"] == f"bytes 4-15/{len(AUDIO)}"
    assert (whole.status, whole.text) == (200, AUDIO.decode())
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert (stranger.status, stranger.body["error"]) == (404, "not_found")
    assert (admin.status, admin.text) == (206, AUDIO[-4:].decode())
    assert missing.status == 404


async def test_with_a_recordings_server_the_api_redirects_to_it(database_url: str) -> None:
    asterisk = {**ASTERISK, "recordings_url": "https://pbx.example.uz/monitor/{name}"}
    async with running_leadgate(database_url, asterisk=asterisk) as lg:
        touch, _ = await answered_call(lg, "/var/spool/asterisk/monitor/a b.wav")
        lg.token = await create_token(lg.store.engine, "admin")
        answer = await lg.get(f"/api/calls/{touch}/recording")

    assert answer.status == 302
    assert answer.headers["Location"] == "https://pbx.example.uz/monitor/a%20b.wav"
