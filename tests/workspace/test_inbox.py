"""The inbox and the cards as managers and an admin see them: sections, search, who sees what."""

from __future__ import annotations

from tests.support.leadgate_http import LeadgateClient, running_leadgate
from tests.workspace.staff import OFFICE, browser, give_passwords


async def two_leads(lg: LeadgateClient) -> None:
    """One lead for the sales team (Aziz), one for support (Olga)."""
    await lg.post_form("contact", {"name": "Sardor Rahimov", "phone": "+998 90 111 22 33",
                                   "email": "Sardor@Example.UZ",
                                   "message": "Need a price for 20 boxes"})
    await lg.post_form("contact", {"name": "Мария Иванова", "phone": "+7 (916) 555-44-33",
                                   "utm_source": "facebook", "message": "Где мой заказ?"})


async def test_each_manager_sees_only_their_offer_and_the_admin_sees_both(
    database_url: str,
) -> None:
    async with running_leadgate(database_url, **OFFICE) as lg:
        await give_passwords(lg)
        await two_leads(lg)
        pages = {}
        for login in ("aziz", "olga", "boss"):
            async with browser(lg) as b:
                await b.log_in(login)
                pages[login] = (await b.get("/app/"))[1]
                pages[login + ":other"] = (await b.get("/app/leads/2" if login == "aziz"
                                                       else "/app/leads/1"))[0]

    assert "Sardor Rahimov" in pages["aziz"] and "Мария Иванова" not in pages["aziz"]
    assert "Мария Иванова" in pages["olga"] and "Sardor Rahimov" not in pages["olga"]
    assert "Sardor Rahimov" in pages["boss"] and "Мария Иванова" in pages["boss"]
    assert pages["aziz:other"] == 404 and pages["olga:other"] == 404
    assert pages["boss:other"] == 200


async def test_search_finds_a_phone_written_any_way_an_email_and_a_name(
    database_url: str,
) -> None:
    async with running_leadgate(database_url, **OFFICE) as lg:
        await give_passwords(lg)
        await two_leads(lg)
        async with browser(lg) as b:
            await b.log_in("boss")
            found = {q: (await b.get("/app/", params={"q": q}))[1] for q in (
                "90 111-22-33", "+998901112233", "sardor@example.uz", "мария", "Rahim",
                "111 22")}
            nothing = (await b.get("/app/", params={"q": "Nobody Atall"}))[1]

    for query in ("90 111-22-33", "+998901112233", "sardor@example.uz", "Rahim", "111 22"):
        assert "Sardor Rahimov" in found[query] and "Мария" not in found[query], query
    assert "Мария Иванова" in found["мария"]
    assert "Nothing here." in nothing


async def test_a_manager_accepts_an_offer_notes_it_and_closes_it_as_won(
    database_url: str,
) -> None:
    async with running_leadgate(database_url, **OFFICE) as lg:
        await give_passwords(lg)
        await two_leads(lg)
        async with browser(lg) as b:
            await b.log_in("aziz")
            offered = (await b.get("/app/leads/1"))[1]
            accept = await b.post("/app/leads/1/accept")
            await b.post("/app/leads/1/note", {"text": "Wants delivery on Friday"})
            close = await b.post("/app/leads/1/close", {"status": "won"})
            card = (await b.get("/app/customers/1"))[1]
            inbox = (await b.get("/app/"))[1]

    assert ">Accept<" in offered and ">Pass<" in offered and ">Won<" in offered
    assert accept[2].headers["Location"] == "/app/leads/1?notice=accepted"
    assert close[2].headers["Location"] == "/app/leads/1?notice=closed"
    assert "Wants delivery on Friday" in card and "won" in card
    assert "Sardor Rahimov" not in inbox


async def test_the_english_page_names_the_buttons_exactly_and_russian_translates_them(
    database_url: str,
) -> None:
    async with running_leadgate(database_url, **OFFICE) as lg:
        await give_passwords(lg)
        await two_leads(lg)
        async with browser(lg, "ru-RU,ru;q=0.9,en;q=0.5") as b:
            await b.log_in("aziz")
            russian = (await b.get("/app/leads/1"))[1]
            await b.get("/app/leads/1?lang=en")
            english = (await b.get("/app/leads/1"))[1]

    assert ">Принять<" in russian and ">Успех<" in russian and 'lang="ru"' in russian
    for label in ("Accept", "Pass", "Won", "Lost", "Spam"):
        assert f">{label}<" in english
    assert ">Call<" not in english and ">Reply<" not in english  # no PBX, no reply path yet
