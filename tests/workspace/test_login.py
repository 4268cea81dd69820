"""Logging in and out: Argon2 passwords, database sessions, CSRF on every POST, throttling."""

from __future__ import annotations

from aiohttp import web
from yarl import URL

from tests.support.leadgate_http import running_leadgate
from tests.workspace.staff import OFFICE, PASSWORD, browser, give_passwords
from workspace import WorkspaceDeps, build_workspace


async def test_a_manager_logs_in_with_a_session_cookie_the_page_cannot_read(
    database_url: str,
) -> None:
    async with running_leadgate(database_url, **OFFICE) as lg:
        await give_passwords(lg)
        async with browser(lg) as b:
            await b.get("/app/login")
            status, _, answer = await b.post("/app/login", {"login": "aziz",
                                                            "password": PASSWORD})
            inbox, page, _ = await b.get("/app/")

    assert status == 303 and answer.headers["Location"] == "/app/"
    cookie = answer.cookies["leadgate_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["secure"]
    assert inbox == 200 and "Aziz Yusupov" in page


async def test_the_session_cookie_is_secure_when_the_service_is_public_over_https(
    database_url: str,
) -> None:
    async with running_leadgate(database_url, public_url="https://leads.example.uz",
                                **OFFICE) as lg:
        await give_passwords(lg)
        async with browser(lg) as b:
            _, _, form = await b.get("/app/login")
            # A client on plain HTTP keeps Secure cookies to itself: send the form's back by hand.
            sent = {"Cookie": f"leadgate_login_csrf={b.csrf}"}
            _, _, answer = await b.post("/app/login", {"login": "aziz", "password": PASSWORD},
                                        headers=sent)

    assert form.cookies["leadgate_login_csrf"]["secure"]
    assert answer.status == 303 and answer.cookies["leadgate_session"]["secure"]


async def test_five_wrong_passwords_in_a_row_throttle_the_login_even_for_the_right_one(
    database_url: str,
) -> None:
    async with running_leadgate(database_url, **OFFICE) as lg:
        await give_passwords(lg)
        async with browser(lg) as b:
            wrong = [await b.log_in("aziz", f"guess number {n}") for n in range(5)]
            right_but_throttled = await b.log_in("aziz")
            inbox, _, _ = await b.get("/app/")
        async with browser(lg) as other:
            other_manager = await other.log_in("olga")

    assert wrong == [401, 401, 401, 401, 429]
    assert right_but_throttled == 429 and inbox == 303
    assert other_manager == 303


async def test_a_right_password_ends_a_run_of_wrong_ones(database_url: str) -> None:
    async with running_leadgate(database_url, **OFFICE) as lg:
        await give_passwords(lg)
        async with browser(lg) as b:
            statuses = [await b.log_in("aziz", "wrong password") for _ in range(4)]
            statuses.append(await b.log_in("aziz"))
            statuses += [await b.log_in("aziz", "wrong password") for _ in range(4)]

    assert statuses == [401] * 4 + [303] + [401] * 4


async def test_an_unknown_login_and_a_manager_without_a_password_are_refused_alike(
    database_url: str,
) -> None:
    async with running_leadgate(database_url, **OFFICE) as lg, browser(lg) as b:
        unknown = await b.log_in("nobody")
        no_password = await b.log_in("aziz")

    assert unknown == no_password == 401


async def test_a_logged_out_session_cannot_open_any_page(database_url: str) -> None:
    async with running_leadgate(database_url, **OFFICE) as lg:
        await give_passwords(lg)
        await lg.post_form("contact", {"phone": "+998 90 123 45 67", "name": "Aziz"})
        async with browser(lg) as b:
            await b.log_in("aziz")
            before = [(await b.get(path))[0] for path in PAGES]
            session = b.session.cookie_jar.filter_cookies(URL(lg.base))["leadgate_session"].value
            logout, _, _ = await b.post("/app/logout")
        async with browser(lg) as thief:
            thief.session.cookie_jar.update_cookies({"leadgate_session": session})
            after = [(await thief.get(path))[0] for path in PAGES]
            stream, _, _ = await thief.get("/app/events")
            api, _, _ = await thief.get("/api/leads/1")

    assert before == [200, 200, 200, 200] and logout == 303
    assert after == [303, 303, 303, 303]
    assert stream == 401 and api == 401


PAGES = ["/app/", "/app/?q=aziz", "/app/leads/1", "/app/customers/1"]


async def test_every_post_without_a_valid_csrf_token_is_refused(database_url: str) -> None:
    async with running_leadgate(database_url, **OFFICE) as lg:
        await give_passwords(lg)
        await lg.post_form("contact", {"phone": "+998 90 123 45 67", "name": "Aziz"})
        async with browser(lg) as b:
            await b.log_in("aziz")
            await b.get("/app/leads/1")
            missing = [(await b.post(path, {"status": "won", "text": "x"}, csrf=False))[0]
                       for path in post_paths()]
            forged = [(await b.post(path, {"csrf": "forged", "status": "won", "text": "x"}))[0]
                      for path in post_paths()]
            lead, page, _ = await b.get("/app/leads/1")
        async with browser(lg) as stranger:
            login_without_token = await stranger.post(
                "/app/login", {"login": "aziz", "password": PASSWORD}, csrf=False)

    assert set(missing) == {403} and set(forged) == {403}
    assert lead == 200 and "offered" in page and "Note on the card" in page
    assert login_without_token[0] == 403


def post_paths() -> list[str]:
    """Every POST route of the workspace, with ids filled in."""
    app = build_workspace(WorkspaceDeps(engine=None, desk=None))  # type: ignore[arg-type]
    paths = []
    for route in app.router.routes():
        if route.method == "POST" and isinstance(route.resource, web.AbstractResource):
            info = route.resource.get_info()
            path = info.get("path") or info.get("formatter", "")
            paths.append("/app" + path.replace("{lead_id}", "1").replace("{customer_id}", "1"))
    assert len(paths) >= 9, paths
    return paths


async def test_a_body_that_cannot_be_read_is_refused_not_an_error(database_url: str) -> None:
    async with running_leadgate(database_url, **OFFICE) as lg, browser(lg) as b:
        await b.get("/app/login")
        async with b.session.post(lg.base + "/app/login", data=b"--x\r\n",
                                  headers={"Content-Type": "multipart/form-data"}) as answer:
            status = answer.status

    assert status == 403
