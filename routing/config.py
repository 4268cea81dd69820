"""The routing part of the TOML config: teams, managers and rules, checked before anything runs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from routing.hours import WorkingHours
from routing.rules import Rule, parse_rules

MANAGER_KEYS = {
    "name", "email", "telegram_chat_id", "extension", "capacity", "hours", "languages",
    "regions", "available", "teams",
}


@dataclass(frozen=True)
class TeamConfig:
    """`[teams.<name>]`: accept time, members (manager logins) and the team lead."""

    name: str
    accept_minutes: float = 5.0
    members: tuple[str, ...] = ()
    lead: str | None = None
    contact_minutes: float | None = None


@dataclass(frozen=True)
class ManagerConfig:
    """`[managers.<login>]`: only the keys written in the file are applied to the store."""

    login: str
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class RoutingConfig:
    """Everything routing reads from the config file."""

    teams: Mapping[str, TeamConfig] = field(default_factory=dict)
    managers: tuple[ManagerConfig, ...] = ()
    rules: tuple[Rule, ...] = ()
    default_team: str | None = None
    sla_tick_seconds: float = 5.0

    @classmethod
    def from_toml(cls, raw: Mapping[str, Any]) -> RoutingConfig:
        """Read [teams.*], [managers.*] and [routing]; ValueError names the bad key."""
        teams = {name: _team(name, body) for name, body in _tables(raw, "teams").items()}
        managers = tuple(
            _manager(login, body) for login, body in _tables(raw, "managers").items()
        )
        routing = raw.get("routing", {})
        if not isinstance(routing, dict):
            raise ValueError("[routing] must be a table")
        default = routing.get("default_team", next(iter(teams), None))
        if default is not None and default not in teams:
            raise ValueError(f"routing.default_team {default!r} is not a [teams.*] section")
        tick = routing.get("sla_tick_seconds", 5.0)
        if not isinstance(tick, int | float) or tick <= 0:
            raise ValueError("routing.sla_tick_seconds must be a positive number")
        logins = {m.login for m in managers}
        for team in teams.values():
            for login in (*team.members, *([team.lead] if team.lead else [])):
                if login not in logins:
                    raise ValueError(f"[teams.{team.name}] names {login!r}, who has no "
                                     f"[managers.{login}] section")
        return cls(teams, managers, parse_rules(routing.get("rules"), list(teams)), default,
                   float(tick))


def check_manager_fields(login: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Validate manager fields from the config or the CLI; ValueError says which and why."""
    where = f"manager {login!r}"
    unknown = sorted(set(fields) - MANAGER_KEYS)
    if unknown:
        raise ValueError(f"{where}: unknown keys {unknown}; use {sorted(MANAGER_KEYS)}")
    checked = dict(fields)
    if "capacity" in checked and (not isinstance(checked["capacity"], int)
                                  or checked["capacity"] < 0):
        raise ValueError(f"{where}: capacity must be a whole number of open leads, 0 or more")
    if "telegram_chat_id" in checked and not isinstance(checked["telegram_chat_id"], int):
        raise ValueError(f"{where}: telegram_chat_id must be a number")
    if "available" in checked and not isinstance(checked["available"], bool):
        raise ValueError(f"{where}: available must be true or false")
    if "hours" in checked:
        try:
            WorkingHours.parse(checked["hours"])
        except ValueError as err:
            raise ValueError(f"{where}: {err}") from err
    for key in ("languages", "regions", "teams"):
        if key in checked and not _string_list(checked[key]):
            raise ValueError(f"{where}: {key} must be a list of strings")
    for key in ("name", "email", "extension"):
        if key in checked and not isinstance(checked[key], str):
            raise ValueError(f"{where}: {key} must be a string")
    if "extension" in checked:
        checked["extension"] = str(checked["extension"])
    return checked


def _team(name: str, body: dict[str, Any]) -> TeamConfig:
    minutes = body.get("accept_minutes", 5)
    if not isinstance(minutes, int | float) or minutes <= 0:
        raise ValueError(f"[teams.{name}] accept_minutes must be a positive number")
    members = body.get("members", [])
    if not _string_list(members):
        raise ValueError(f"[teams.{name}] members must be a list of manager logins")
    lead = body.get("lead")
    if lead is not None and not isinstance(lead, str):
        raise ValueError(f"[teams.{name}] lead must be a manager login")
    contact = body.get("contact_minutes")
    if contact is not None and (not isinstance(contact, int | float) or contact <= 0):
        raise ValueError(f"[teams.{name}] contact_minutes must be a positive number")
    return TeamConfig(name, float(minutes), tuple(members), lead,
                      float(contact) if contact is not None else None)


def _manager(login: str, body: dict[str, Any]) -> ManagerConfig:
    return ManagerConfig(login, check_manager_fields(login, body))


def _tables(raw: Mapping[str, Any], name: str) -> dict[str, dict[str, Any]]:
    section = raw.get(name, {})
    if not isinstance(section, dict) or not all(isinstance(v, dict) for v in section.values()):
        raise ValueError(f"[{name}] must hold one table per entry, e.g. [{name}.example]")
    return section


def _string_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)
