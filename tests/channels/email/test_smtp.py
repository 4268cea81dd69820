"""The SMTP intake against smtplib: accepted mail is a lead; refusals carry the right code."""

from __future__ import annotations

import asyncio
import contextlib
import smtplib
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from channels.email.settings import SmtpSettings
from channels.email.smtp.adapter import SmtpIntake
from crm_store.cards import customer_by_identity
from leadgate.compose import Store
from leads.model import Sink
from tests.channels.email.conftest import sample
from tests.store_counts import row_counts

SALES = "sales@example.uz"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def smtp_server(sink: Sink, **overrides: Any) -> AsyncIterator[int]:
    port = free_port()
    section = {"listen": f"127.0.0.1:{port}", "recipients": [SALES], "default_region": "RU"}
    intake = SmtpIntake(SmtpSettings.from_toml(section | overrides))
    task = asyncio.create_task(intake.run(sink))
    for _ in range(100):
        if intake.port:
            break
        await asyncio.sleep(0.02)
    try:
        yield port
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def send(port: int, raw: bytes, to: str = SALES, login: tuple[str, str] | None = None) -> Any:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        if login:
            client.login(*login)
        return client.sendmail("ivan.petrov@example.ru", [to], raw)


async def test_accepted_mail_becomes_a_lead(core: Store) -> None:
    async with smtp_server(core.intake) as port:
        refused = await asyncio.to_thread(send, port, sample("inquiry_plain_utf8_ru"))

    async with core.engine.connect() as conn:
        customer = await customer_by_identity(conn, "phone", "+79123456789")
    assert refused == {}
    assert customer is not None


async def test_an_unknown_recipient_is_refused_with_550(core: Store) -> None:
    async with smtp_server(core.intake) as port:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            await asyncio.to_thread(send, port, sample("inquiry_koi8r"), "ceo@example.uz")

    assert refused.value.recipients["ceo@example.uz"][0] == 550
    assert (await row_counts(core.engine))["touches"] == 0


async def test_oversize_mail_is_refused_with_552(core: Store) -> None:
    big = sample("inquiry_koi8r") + b"x" * 70_000
    async with smtp_server(core.intake, max_bytes=65_536) as port:
        with pytest.raises((smtplib.SMTPSenderRefused, smtplib.SMTPDataError)) as refused:
            await asyncio.to_thread(send, port, big)

    assert refused.value.smtp_code == 552
    assert (await row_counts(core.engine))["touches"] == 0


async def test_with_the_store_down_the_answer_is_451_and_a_retry_lands_once(core: Store) -> None:
    async with smtp_server(core.intake) as port:
        await core.committer.stop()  # the store takes no writes
        with pytest.raises(smtplib.SMTPDataError) as deferred:
            await asyncio.to_thread(send, port, sample("inquiry_koi8r"))
        await core.committer.start()
        await asyncio.to_thread(send, port, sample("inquiry_koi8r"))
        await asyncio.to_thread(send, port, sample("inquiry_koi8r"))  # the sender retries again

    assert deferred.value.smtp_code == 451
    assert (await row_counts(core.engine))["touches"] == 1


async def test_auth_when_configured_refuses_a_wrong_password(core: Store) -> None:
    async with smtp_server(core.intake, users={"site": "s3cret"}) as port:
        with pytest.raises(smtplib.SMTPAuthenticationError) as wrong:
            await asyncio.to_thread(send, port, sample("inquiry_koi8r"), SALES, ("site", "nope"))
        with pytest.raises(smtplib.SMTPSenderRefused):
            await asyncio.to_thread(send, port, sample("inquiry_koi8r"))
        await asyncio.to_thread(send, port, sample("inquiry_koi8r"), SALES, ("site", "s3cret"))

    assert wrong.value.smtp_code == 535
    assert (await row_counts(core.engine))["touches"] == 1


async def test_starttls_protects_auth_when_a_certificate_is_configured(
    core: Store, tmp_path: Path
) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    await asyncio.to_thread(
        subprocess.run, ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                         "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True)

    def send_over_tls(port: int) -> Any:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            client.starttls(context=ssl._create_unverified_context())
            client.login("site", "s3cret")
            return client.sendmail("ivan.petrov@example.ru", [SALES], sample("inquiry_koi8r"))

    async with smtp_server(core.intake, users={"site": "s3cret"}, tls_cert=str(cert),
                           tls_key=str(key)) as port:
        with pytest.raises(smtplib.SMTPNotSupportedError):
            await asyncio.to_thread(send, port, sample("inquiry_koi8r"), SALES, ("site", "x"))
        refused = await asyncio.to_thread(send_over_tls, port)

    assert refused == {}
    assert (await row_counts(core.engine))["touches"] == 1
