"""The workspace's people for tests: two teams, two managers, an admin, and their browsers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from crm_store import accounts
from crm_store.staff import SqlStaffStore
from leads.model import utcnow
from tests.support.leadgate_http import LeadgateClient
from workspace.passwords import hash_password

PASSWORD = "correct horse battery"
OFFICE: dict[str, Any] = {
    "managers": {
        "aziz": {"name": "Aziz Yusupov", "extension": "201"},
        "olga": {"name": "Olga Petrova", "extension": "202"},
        "boss": {"name": "Dilnoza Karimova"},
    },
    "teams": {"sales": {"members": ["aziz"]}, "support": {"members": ["olga"]}},
    "routing": {"rules": [{"match": {"utm_source": "facebook"}, "team": "support"}],
                "default_team": "sales"},
}
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def give_passwords(lg: LeadgateClient, admin: str = "boss") -> None:
    """Every manager of the office gets PASSWORD; `admin` is an admin."""
    async with lg.store.engine.begin() as conn:
        for login in OFFICE["managers"]:
            manager = await SqlStaffStore(conn).manager_id(login)
            assert manager is not None
            await accounts.set_account(conn, manager, utcnow(), hash_password(PASSWORD),
                                       login == admin)


class Browser:
    """A cookie-keeping HTTP client that reads CSRF tokens off the pages, as a browser would."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base
        self.csrf = ""

    async def get(self, path: str, **kw: Any) -> tuple[int, str, aiohttp.ClientResponse]:
        """GET without following redirects; remembers the page's CSRF token."""
        async with self.session.get(self.base + path, allow_redirects=False, **kw) as answer:
            text = await answer.text()
        found = _CSRF.search(text)
        if found:
            self.csrf = found.group(1)
        return answer.status, text, answer

    async def post(self, path: str, data: dict[str, str] | None = None, csrf: bool = True,
                   **kw: Any) -> tuple[int, str, aiohttp.ClientResponse]:
        """POST a form (with the page's CSRF token unless told not to)."""
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf", self.csrf)
        async with self.session.post(self.base + path, data=form, allow_redirects=False,
                                     **kw) as answer:
            return answer.status, await answer.text(), answer

    async def log_in(self, login: str, password: str = PASSWORD) -> int:
        """Open the login form and send it; the status of the answer."""
        await self.get("/app/login")
        status, _, _ = await self.post("/app/login", {"login": login, "password": password})
        return status


@asynccontextmanager
async def browser(lg: LeadgateClient, lang: str = "en") -> AsyncIterator[Browser]:
    """A fresh browser (own cookies) speaking `lang`."""
    jar = aiohttp.CookieJar(unsafe=True)  # the service runs on 127.0.0.1
    headers = {"Accept-Language": lang}
    async with aiohttp.ClientSession(cookie_jar=jar, headers=headers) as session:
        yield Browser(session, lg.base)
