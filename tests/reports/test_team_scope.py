"""A team lead's reports count only their team's leads."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from leadgate.settings import Settings
from reports.build import Reports
from tests.reports.history import FIRST, FLOOR, LAST, ZONE, Clock, build
from tests.support.leadgate_http import opened_store


async def test_reports_for_one_team_leave_the_other_teams_leads_out(database_url: str) -> None:
    settings = Settings(database_url=database_url, default_region="UZ", raw=FLOOR, timezone=ZONE)
    async with opened_store(settings) as core:
        await build(core, Clock())
        reports = Reports(core.engine, ZoneInfo(ZONE), teams=["instagram"])
        period = reports.period(FIRST, LAST)
        funnel = await reports.funnel(period, "source")
        missed = await reports.missed_calls(period)
        volume = await reports.volume(period)

    assert [(r["key"], r["leads"]) for r in funnel["rows"]] == [("instagram", 2)]
    assert funnel["totals"]["leads"] == 2 and funnel["totals"]["median_contact_seconds"] == 450
    assert missed["missed"] == 0
    assert [d["leads"] for d in volume["days"]] == [2, 0]
