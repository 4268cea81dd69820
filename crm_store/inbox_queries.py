"""Read side of the workspace inbox: rows with what a manager scans for, sections and search."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_store.routing_tables import managers
from crm_store.tables import customers, identities, leads, touches
from leads.statuses import ACCEPTED, ASSIGNED, NEW, OPEN_STATUSES

_FIRST_WORDS = 160


def _first_identity(kind: str) -> Any:
    return (select(identities.c.value)
            .where(identities.c.customer_id == leads.c.customer_id, identities.c.kind == kind)
            .order_by(identities.c.id).limit(1).scalar_subquery())


_FIRST_TEXT = (select(func.substr(func.coalesce(touches.c.text, touches.c.subject), 1,
                                  _FIRST_WORDS))
               .where(touches.c.lead_id == leads.c.id).order_by(touches.c.id).limit(1)
               .scalar_subquery())

ROW = (
    select(
        leads.c.id, leads.c.customer_id, leads.c.status, leads.c.channel, leads.c.attribution,
        leads.c.created_at, leads.c.last_touch_at, leads.c.manager_id, leads.c.team,
        leads.c.offer_deadline_at, leads.c.callback_due_at, leads.c.accepted_at,
        customers.c.name, managers.c.name.label("manager_name"),
        _first_identity("phone").label("phone"), _first_identity("email").label("email"),
        _FIRST_TEXT.label("first_words"),
    )
    .select_from(leads.join(customers, customers.c.id == leads.c.customer_id)
                 .outerjoin(managers, managers.c.id == leads.c.manager_id))
)


def sections(me: int | None, is_admin: bool, teams: Collection[str]) -> dict[str, Select[Any]]:
    """The inbox's sections: offers, taken leads, team queue, callbacks (all, for an admin)."""
    mine: ColumnElement[bool] = leads.c.manager_id == me
    queue = and_(leads.c.status == NEW, leads.c.manager_id.is_(None))
    if is_admin:
        mine = leads.c.manager_id.is_not(None)
    else:
        queue = and_(queue, leads.c.team.in_(list(teams)))
    pending = and_(leads.c.callback_due_at.is_not(None), leads.c.callback_done_at.is_(None),
                   leads.c.status.in_(OPEN_STATUSES))
    return {
        "offers": ROW.where(leads.c.status == ASSIGNED, mine)
        .order_by(leads.c.offer_deadline_at, leads.c.id),
        "mine": ROW.where(leads.c.status == ACCEPTED, mine)
        .order_by(leads.c.last_touch_at.desc(), leads.c.id.desc()),
        "queue": ROW.where(queue).order_by(leads.c.created_at, leads.c.id),
        "callbacks": ROW.where(pending, or_(mine, queue) if not is_admin else pending)
        .order_by(leads.c.callback_due_at, leads.c.id),
    }


def matching(phone: str | None, email: str | None, words: str | None,
             postgres: bool) -> ColumnElement[bool]:
    """Leads whose customer has this phone or e-mail (whole or in part) or whose name has words."""
    conditions: list[ColumnElement[bool]] = []
    if phone:
        conditions.append(_has_identity("phone", phone))
    if email:
        conditions.append(_has_identity("email", email))
    if words:
        if postgres:
            conditions.append(customers.c.name.ilike(f"%{_escape(words)}%", escape="\\"))
        else:  # SQLite folds ASCII only: try the spellings people type
            spellings = {words, words.lower(), words.capitalize(), words.title(), words.upper()}
            conditions.extend(customers.c.name.contains(s, autoescape=True) for s in spellings)
    return or_(*conditions) if conditions else and_(True)


def _has_identity(kind: str, value: str) -> ColumnElement[bool]:
    found = select(identities.c.customer_id).where(
        identities.c.kind == kind, identities.c.value.contains(value, autoescape=True))
    return leads.c.customer_id.in_(found)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def rows(conn: AsyncConnection, query: Select[Any], limit: int) -> list[dict[str, Any]]:
    """The rows of one section or search as plain dicts."""
    return [dict(r._mapping) for r in await conn.execute(query.limit(limit))]


def search(condition: ColumnElement[bool]) -> Select[Any]:
    """Every lead matching the search, newest first."""
    return ROW.where(condition).order_by(leads.c.id.desc())


def of_channel(channel: str) -> ColumnElement[bool]:
    """Leads that came in on this channel."""
    return leads.c.channel == channel
