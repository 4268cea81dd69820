"""The OpenAPI document describes exactly the routes the app serves, and it validates."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from leadgate.http.openapi import served_operations
from leadgate.http.openapi_operations import described_operations
from tests.edges.conftest import (
    INSTAGRAM,
    PUBLIC_URL,
    SMS,
    TELEGRAM,
    WHATSAPP,
    admin_token,
)
from tests.support.leadgate_http import LeadgateClient, running_leadgate


async def document(lg: LeadgateClient) -> dict[str, Any]:
    answer = await lg.request("GET", "/api/openapi.json", headers={"Authorization": ""})
    assert answer.status == 200, answer.text
    return dict(answer.body)


async def test_the_document_is_valid_openapi_3_1_and_needs_no_token(lg: LeadgateClient) -> None:
    lg.token = None
    body = await document(lg)

    validate(body)
    assert body["openapi"] == "3.1.0"


async def test_every_served_route_is_documented_and_nothing_else(lg: LeadgateClient) -> None:
    body = await document(lg)
    documented = {(method, path) for path, item in body["paths"].items() for method in item}

    assert lg.app is not None
    assert documented == served_operations(lg.app)


async def test_every_operation_says_what_it_is_for(lg: LeadgateClient) -> None:
    body = await document(lg)
    vague = [(method, path) for path, item in body["paths"].items()
             for method, operation in item.items()
             if operation["summary"] == f"{method.upper()} {path}"]

    assert vague == []


async def test_every_written_description_belongs_to_a_served_route(lg: LeadgateClient) -> None:
    assert lg.app is not None
    assert described_operations() <= served_operations(lg.app)


@pytest.fixture
async def on_postgres(postgres_url: str) -> AsyncIterator[LeadgateClient]:
    """The whole app on PostgreSQL (the stricter store) with an admin token."""
    async with running_leadgate(postgres_url, public_url=PUBLIC_URL, sms=SMS,
                                telegram=TELEGRAM, whatsapp=WHATSAPP,
                                instagram=INSTAGRAM) as client:
        client.token = await admin_token(client)
        yield client


async def test_a_schema_fuzz_run_finds_no_server_error(
    on_postgres: LeadgateClient, tmp_path: Path
) -> None:
    """Schemathesis against the live app: every operation, positive and negative data."""
    lg = on_postgres
    st = Path(sys.executable).with_name("st")
    process = await asyncio.create_subprocess_exec(
        str(st), "--config-file", str(Path(__file__).with_name("schemathesis.toml")),
        "run", f"{lg.base}/api/openapi.json", "--checks", "not_a_server_error",
        "--max-examples", "25", "--seed", "20261130", "--workers", "1", "--no-color",
        "--phases", "examples,coverage,fuzzing", "--request-timeout", "10",
        "--generation-database", "none", "-H", f"Authorization: Bearer {lg.token}",
        "--report-dir", str(tmp_path),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=tmp_path,
    )
    output, _ = await process.communicate()
    text = output.decode(errors="replace")

    assert process.returncode == 0, text[-4000:]
