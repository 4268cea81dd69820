"""Posting to Leadgate's Meta webhooks as Meta does: captured payloads, signed with the secret."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

from tests.support.leadgate_http import Answer, LeadgateClient

APP_SECRET = "meta-app-secret-for-tests"
VERIFY_TOKEN = "meta-verify-token-for-tests"
ACCESS_TOKEN = "EAAGm0PX4ZCpsBAtest-access-token"
FIXTURES = Path(__file__).parents[1] / "fixtures"


def fixture(channel: str, name: str) -> Any:
    """A captured payload of tests/fixtures/<channel>/<name>.json."""
    return json.loads((FIXTURES / channel / f"{name}.json").read_text())


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    """The X-Hub-Signature-256 header Meta sends for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def post_signed(leadgate: LeadgateClient, path: str, payload: Any) -> Answer:
    """POST the payload as Meta does: the raw JSON bytes with their signature."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {"X-Hub-Signature-256": sign(body), "Content-Type": "application/json"}
    return await leadgate.request("POST", path, data=body, headers=headers)


def account_table(api_base: str, **extra: Any) -> dict[str, Any]:
    """A `[whatsapp.<name>]` / `[instagram.<name>]` table pointed at the local Graph API."""
    return {"app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN,
            "access_token": ACCESS_TOKEN, "api_base": api_base, **extra}
