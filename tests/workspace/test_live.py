"""Live updates: outbox messages become changes told only to whom they concern."""

from __future__ import annotations

from collections import deque

import pytest

from crm_store.accounts import Account
from crm_store.tokens import Principal
from workspace import live
from workspace.events import concerns
from workspace.live import Change, change_of
from workspace.viewer import Viewer

AZIZ = Viewer(Account(1, "aziz", "Aziz", False, None), Principal("manager", 1),
              frozenset({"sales"}))
BOSS = Viewer(Account(3, "boss", "Boss", True, None), Principal("admin", 3), frozenset())


def test_an_offer_tells_its_manager_and_the_admin_without_personal_data() -> None:
    change = change_of("lead.assigned.2", {
        "event": "lead.assigned", "lead_id": 7, "manager": {"id": 2, "name": "Olga"},
        "lead": {"name": "Иван", "phones": ["+79161234567"]}})

    assert change == Change("lead.assigned", 7, 2, None)
    assert not concerns(change, AZIZ) and concerns(change, BOSS)
    assert "Иван" not in change.as_sse().decode() and b"7916" not in change.as_sse()


def test_a_queued_lead_tells_the_members_of_its_team_only() -> None:
    sales = change_of("lead.unassigned", {"event": "lead.unassigned", "lead_id": 8,
                                          "team": "sales"})
    support = change_of("lead.unassigned", {"event": "lead.unassigned", "lead_id": 9,
                                            "team": "support"})

    assert concerns(sales, AZIZ) and not concerns(support, AZIZ)
    assert concerns(Change("changed"), AZIZ)


def test_the_outbox_floor_waits_for_late_commits_before_moving_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [100.0]
    monkeypatch.setattr(live.time, "monotonic", lambda: clock[0])
    seen, marks = {5, 6}, deque[tuple[float, int]]()

    first = live._advance(4, seen, marks)
    clock[0] += 11
    seen.add(9)
    later = live._advance(first, seen, marks)

    assert first == 4 and later == 6 and seen == {9}
