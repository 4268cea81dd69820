"""The reports read a known history exactly, in JSON and CSV, over the HTTP API and the CLI."""

from __future__ import annotations

from typing import Any

from crm_store.tokens import create_token
from tests.reports.history import FIRST, FLOOR, LAST, Clock, build
from tests.support.leadgate_http import LeadgateClient, running_leadgate

RANGE = f"from={FIRST}&to={LAST}"


def row(key: str | None, counts: tuple[int, ...], accept: tuple[Any, Any],
        contact: tuple[Any, Any]) -> dict[str, Any]:
    names = ("leads", "accepted", "contacted", "won", "lost", "spam")
    return {"key": key, **dict(zip(names, counts, strict=True)),
            "median_accept_seconds": accept[0], "p90_accept_seconds": accept[1],
            "median_contact_seconds": contact[0], "p90_contact_seconds": contact[1]}


BY_SOURCE = [
    row("instagram", (2, 2, 2, 1, 1, 0), (90.0, 114.0), (450.0, 570.0)),
    row("yandex_direct", (2, 1, 2, 1, 0, 0), (90.0, 90.0), (1200.0, 1680.0)),
    row("call", (1, 0, 0, 0, 0, 0), (None, None), (None, None)),
    row("telegram", (1, 0, 0, 0, 0, 0), (None, None), (None, None)),
    row("webform", (1, 1, 0, 0, 0, 1), (30.0, 30.0), (None, None)),
]
TOTALS = {**row(None, (7, 4, 4, 2, 1, 1), (75.0, 111.0), (600.0, 1440.0))}
del TOTALS["key"]


async def admin(lg: LeadgateClient) -> LeadgateClient:
    lg.token = await create_token(lg.store.engine, "admin")
    await build(lg.store, Clock())
    return lg


async def test_the_funnel_by_source_counts_and_times_every_lead_of_the_range(
    database_url: str,
) -> None:
    async with running_leadgate(database_url, **FLOOR) as lg:
        await admin(lg)
        answer = await lg.get(f"/api/reports/funnel?{RANGE}&by=source")

    assert answer.status == 200
    assert answer.body == {"from": FIRST, "to": LAST, "timezone": "Asia/Tashkent",
                           "by": "source", "rows": BY_SOURCE, "totals": TOTALS}


async def test_the_funnel_groups_by_channel_form_did_manager_and_team(database_url: str) -> None:
    async with running_leadgate(database_url, **FLOOR) as lg:
        await admin(lg)
        found = {by: (await lg.get(f"/api/reports/funnel?{RANGE}&by={by}")).body["rows"]
                 for by in ("channel", "form", "did", "manager", "team")}

    def keyed(by: str) -> dict[Any, tuple[int, int, int]]:
        return {r["key"]: (r["leads"], r["accepted"], r["contacted"]) for r in found[by]}

    assert keyed("channel") == {"webform": (3, 3, 2), "call": (3, 1, 2), "telegram": (1, 0, 0)}
    assert keyed("form") == {"contact": (3, 3, 2), None: (4, 1, 2)}
    assert keyed("did") == {"74951234567": (2, 1, 2), None: (5, 3, 2)}
    assert keyed("team") == {"sales": (5, 2, 2), "instagram": (2, 2, 2)}
    assert found["manager"] == [
        row("aziz", (5, 2, 2, 1, 0, 1), (60.0, 84.0), (1200.0, 1680.0)),
        row("ira", (2, 2, 2, 1, 1, 0), (90.0, 114.0), (450.0, 570.0)),
    ]


async def test_missed_calls_volume_and_response_times_read_the_same_history(
    database_url: str,
) -> None:
    async with running_leadgate(database_url, **FLOOR) as lg:
        await admin(lg)
        missed = (await lg.get(f"/api/reports/missed_calls?{RANGE}")).body
        volume = (await lg.get(f"/api/reports/volume?{RANGE}")).body
        spread = (await lg.get(f"/api/reports/response_times?{RANGE}")).body

    assert {k: v for k, v in missed.items() if k not in ("from", "to", "timezone")} == {
        "missed": 3, "called_back": 2, "called_back_in_time": 1,
        "median_callback_seconds": 1200.0, "p90_callback_seconds": 1680.0,
        "never_called_back": 1,
    }
    assert volume["days"] == [{"day": FIRST, "leads": 5}, {"day": LAST, "leads": 2}]
    assert [h["leads"] for h in volume["hours"]] == [
        1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert [w["leads"] for w in volume["weekdays"]] == [5, 2, 0, 0, 0, 0, 0]
    assert [(b["bucket"], b["accepted"], b["contacted"]) for b in spread["buckets"]] == [
        ("<1m", 1, 0), ("1-5m", 3, 0), ("5-15m", 0, 3), ("15-60m", 0, 1), ("1-4h", 0, 0),
        (">4h", 0, 0)]


async def test_every_report_downloads_as_csv_with_the_same_numbers(database_url: str) -> None:
    async with running_leadgate(database_url, **FLOOR) as lg:
        await admin(lg)
        funnel = await lg.get(f"/api/reports/funnel?{RANGE}&by=source&format=csv")
        missed = await lg.get(f"/api/reports/missed_calls?{RANGE}&format=csv")

    assert funnel.status == 200 and funnel.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in funnel.headers["Content-Disposition"]
    assert funnel.text.splitlines() == [
        "key,leads,accepted,contacted,won,lost,spam,median_accept_seconds,p90_accept_seconds,"
        "median_contact_seconds,p90_contact_seconds",
        "instagram,2,2,2,1,1,0,90,114,450,570",
        "yandex_direct,2,1,2,1,0,0,90,90,1200,1680",
        "call,1,0,0,0,0,0,,,,",
        "telegram,1,0,0,0,0,0,,,,",
        "webform,1,1,0,0,0,1,30,30,,",
        "total,7,4,4,2,1,1,75,111,600,1440",
    ]
    assert missed.text.splitlines() == [
        "missed,called_back,called_back_in_time,median_callback_seconds,p90_callback_seconds,"
        "never_called_back",
        "3,2,1,1200,1680,1",
    ]


async def test_bad_report_requests_are_answered_with_a_reason(database_url: str) -> None:
    async with running_leadgate(database_url, **FLOOR) as lg:
        lg.token = await create_token(lg.store.engine, "admin")
        answers = [await lg.get(path) for path in (
            "/api/reports/funnel?by=colour", "/api/reports/funnel?from=2026-13-01",
            f"/api/reports/funnel?from={LAST}&to={FIRST}", "/api/reports/volume?format=xml")]
        lg.token = await create_token(lg.store.engine, "manager", "ira")
        denied = await lg.get("/api/reports/funnel")

    assert [(a.status, a.body["error"]) for a in answers] == [(400, "malformed")] * 4
    assert denied.status == 403 and denied.body["error"] == "forbidden"
