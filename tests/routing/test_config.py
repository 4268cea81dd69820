"""The routing config is checked before anything runs, and applied to the store at start-up."""

from __future__ import annotations

from typing import Any

import pytest

from crm_store.staff import SqlStaffStore
from leads.errors import ConfigError
from routing.config import RoutingConfig
from tests.conftest import make_settings
from tests.routing.staffing import FLOOR, change_manager
from tests.support.leadgate_http import opened_store


async def test_configured_managers_and_teams_are_in_the_store_and_cli_changes_survive(
    database_url: str,
) -> None:
    settings = make_settings(database_url, **FLOOR)
    async with opened_store(settings) as core:
        await change_manager(core.engine, "ira", available=False)  # as the CLI would
    async with opened_store(settings) as core, core.engine.connect() as conn:
        managers = {m["login"]: m for m in await SqlStaffStore(conn).list_managers()}

    assert managers["ira"]["teams"] == ["instagram"]
    assert managers["ira"]["available"] is False  # the file does not say, so the CLI's word holds
    assert managers["olga"]["email"] == "olga@example.uz"


@pytest.mark.parametrize(("change", "message"), [
    ({"teams": {"sales": {"members": ["ghost"]}}}, "'ghost', who has no"),
    ({"teams": {"sales": {"accept_minutes": 0}}}, "accept_minutes"),
    ({"managers": {"olga": {"hours": "always"}}}, "time zone"),
    ({"managers": {"olga": {"capacity": "many"}}}, "capacity"),
    ({"managers": {"olga": {"shoe_size": 42}}}, "unknown keys"),
    ({"routing": {"default_team": "nobody"}}, "default_team"),
    ({"routing": {"rules": [{"match": {"utm_source": "x"}, "team": "vip"}]}}, "team 'vip'"),
])
async def test_a_wrong_routing_config_stops_start_up_with_a_reason(
    tmp_path: Any, change: dict[str, Any], message: str
) -> None:
    config = {**FLOOR, **{k: {**FLOOR.get(k, {}), **v} for k, v in change.items()}}
    with pytest.raises(ConfigError, match=message):
        async with opened_store(make_settings(f"sqlite+aiosqlite:///{tmp_path}/x.db",
                                                    **config)):
            pass


def test_without_teams_there_is_no_default_team() -> None:
    assert RoutingConfig.from_toml({}).default_team is None
