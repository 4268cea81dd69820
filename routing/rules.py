"""Routing rules from the config: which team a lead goes to, as pure functions over its facts."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from leads.ports import PreparedEvent

MATCH_KEYS = (
    "channel", "form", "did", "utm_source", "utm_campaign", "country", "region", "language",
    "keyword",
)
_CYRILLIC = re.compile(r"[а-яё]")
_UZBEK_CYRILLIC = re.compile(r"[ўқғҳ]")
_LITHUANIAN = re.compile(r"[ąčęėįšųūž]")
_UZBEK_LATIN = re.compile(r"\b\w*[og][ʻ'‘`]\w*|\b(salom|rahmat|iltimos|narx)\w*")


@dataclass(frozen=True)
class Rule:
    """One `[[routing.rules]]` entry: every named fact must match one of its values."""

    match: Mapping[str, tuple[str, ...]]
    team: str
    position: int

    def matches(self, facts: LeadFacts) -> bool:
        """Whether the lead's facts satisfy every condition of the rule."""
        return all(_condition_holds(key, values, facts) for key, values in self.match.items())

    def describe(self) -> dict[str, Any]:
        """The rule as recorded in the routing decision."""
        return {"position": self.position, "match": {k: list(v) for k, v in self.match.items()},
                "team": self.team}


@dataclass(frozen=True)
class LeadFacts:
    """What rules can look at, taken from the event that opened the lead."""

    channel: str
    values: Mapping[str, str] = field(default_factory=dict)
    text: str = ""

    def get(self, key: str) -> str | None:
        """A single-valued fact (channel, form, did, utm_*, country, language)."""
        return self.channel if key == "channel" else self.values.get(key)


def parse_rules(raw: object, known_teams: Sequence[str]) -> tuple[Rule, ...]:
    """Read `routing.rules` from TOML; ValueError says which rule is wrong and why."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValueError("routing.rules must be an array of tables ([[routing.rules]])")
    rules = []
    for position, entry in enumerate(raw, start=1):
        where = f"routing rule #{position}"
        if not isinstance(entry, dict):
            raise ValueError(f"{where} must be a table")
        team, match = entry.get("team"), entry.get("match", {})
        if not isinstance(team, str) or team not in known_teams:
            raise ValueError(f"{where} names team {team!r}, which is not a [teams.*] section")
        if not isinstance(match, dict):
            raise ValueError(f"{where}: match must be a table such as {{ utm_source = \"x\" }}")
        unknown = sorted(set(match) - set(MATCH_KEYS))
        if unknown:
            raise ValueError(f"{where} matches on unknown {unknown}; use {list(MATCH_KEYS)}")
        rules.append(Rule({k: _values(k, v, where) for k, v in match.items()}, team, position))
    return tuple(rules)


def first_matching(rules: Sequence[Rule], facts: LeadFacts) -> Rule | None:
    """The first rule the lead matches (config order), or None."""
    return next((rule for rule in rules if rule.matches(facts)), None)


def lead_facts(prepared: PreparedEvent) -> LeadFacts:
    """The facts of a lead as rules see them."""
    event = prepared.event
    values = {k: str(v) for k, v in event.attribution.items() if isinstance(v, str | int)}
    for plain, utm in (("source", "utm_source"), ("campaign", "utm_campaign")):
        if plain in values:  # a dialed number's source counts like any utm_source
            values.setdefault(utm, values[plain])
    phone = next((i for i in prepared.identities if i.kind == "phone"), None)
    if phone is not None:
        if phone.info.get("region"):
            values.setdefault("country", str(phone.info["region"]))
        if phone.info.get("location"):
            values.setdefault("region", str(phone.info["location"]))
    text = " ".join(part for part in (event.subject, event.text) if part)
    language = values.get("language") or guess_language(text)
    if language:
        values["language"] = language
    return LeadFacts(event.channel, values, text)


def guess_language(text: str) -> str | None:
    """A rough language guess from the script and letters used: ru, uz, lt, or None."""
    lowered = text.lower()
    if _UZBEK_CYRILLIC.search(lowered):
        return "uz"
    if _CYRILLIC.search(lowered):
        return "ru"
    if _LITHUANIAN.search(lowered):
        return "lt"
    if _UZBEK_LATIN.search(lowered):
        return "uz"
    return None


def _condition_holds(key: str, values: tuple[str, ...], facts: LeadFacts) -> bool:
    if key == "keyword":
        text = facts.text.casefold()
        return any(word in text for word in values)
    fact = facts.get(key)
    if fact is None:
        return False
    if key in ("did", "country"):
        fact = fact.lstrip("+").upper()
    return fact.casefold() in values


def _values(key: str, raw: object, where: str) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else [raw]
    if not items or not all(isinstance(item, str | int) for item in items):
        raise ValueError(f"{where}: {key} must be a string or a list of strings")
    cleaned = (str(item).strip() for item in items)
    if key in ("did", "country"):
        cleaned = (item.lstrip("+").upper() for item in cleaned)
    return tuple(item.casefold() for item in cleaned)
