"""`leadgate managers add|list|set`: the people leads are routed to."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.migrate import upgrade_if_empty
from crm_store.staff import SqlStaffStore
from crm_store.uow import SqlUnitOfWork
from leads.model import utcnow
from routing.config import check_manager_fields
from workspace.passwords import hash_password


def add_parser(commands: Any) -> None:
    """Register the `managers` command and its sub-commands."""
    managers = commands.add_parser("managers", help="managers leads are routed to")
    sub = managers.add_subparsers(dest="managers_command", required=True)
    add = sub.add_parser("add", help="add a manager")
    change = sub.add_parser("set", help="change a manager (only the options given)")
    for parser in (add, change):
        parser.add_argument("login", help="short unique name, e.g. aziz")
        parser.add_argument("--name")
        parser.add_argument("--email")
        parser.add_argument("--telegram-chat-id", type=int, metavar="ID")
        parser.add_argument("--extension", help="phone extension, e.g. 201")
        parser.add_argument("--teams", help="comma-separated team names")
        parser.add_argument("--capacity", type=int, help="open leads at most")
        parser.add_argument("--hours", help='e.g. "Mon-Fri 09:00-18:00 Asia/Tashkent"')
        parser.add_argument("--languages", help="comma-separated, e.g. ru,uz")
        parser.add_argument("--regions", help="comma-separated ISO countries, e.g. UZ,KZ")
        availability = parser.add_mutually_exclusive_group()
        availability.add_argument("--available", dest="available", action="store_true",
                                  default=None, help="takes leads")
        availability.add_argument("--away", dest="available", action="store_false",
                                  help="takes no leads until set --available")
    change.add_argument("--password-stdin", action="store_true",
                        help="read the workspace password from standard input")
    admin = change.add_mutually_exclusive_group()
    admin.add_argument("--admin", dest="admin", action="store_true", default=None,
                       help="sees every lead in the workspace")
    admin.add_argument("--no-admin", dest="admin", action="store_false",
                       help="sees only their own leads and their teams' queues")
    listing = sub.add_parser("list", help="list managers")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")


async def run(args: argparse.Namespace, engine: AsyncEngine) -> int:
    """Carry out a `managers` sub-command; ValueError for bad input."""
    await upgrade_if_empty(engine)
    if args.managers_command == "list":
        async with engine.connect() as conn:
            for row in await SqlStaffStore(conn).list_managers():
                print(json.dumps(row, default=str, ensure_ascii=False) if args.json
                      else _line(row))
        return 0
    fields = check_manager_fields(args.login, _fields(args))
    teams = fields.pop("teams", None)
    password = _password(args)
    async with SqlUnitOfWork(engine) as uow:
        staff = uow.staff
        existing = await staff.manager_id(args.login)
        if args.managers_command == "add" and existing is not None:
            raise ValueError(f"manager {args.login!r} exists already; use `managers set`")
        if args.managers_command == "set" and existing is None:
            raise ValueError(f"there is no manager {args.login!r}; use `managers add`")
        manager = await staff.upsert_manager(args.login, fields)
        if teams is not None:
            await staff.join_teams(manager, teams)
        if password is not None or getattr(args, "admin", None) is not None:
            await uow.workspace.set_account(manager, utcnow(), password, args.admin)
        await uow.commit()
    print(f"manager {args.login} saved (id {manager})")
    return 0


def _password(args: argparse.Namespace) -> str | None:
    """The Argon2 hash of the password on standard input (one line), if asked for."""
    if not getattr(args, "password_stdin", False):
        return None
    return hash_password(sys.stdin.readline().rstrip("\r\n"))


def _fields(args: argparse.Namespace) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key in ("name", "email", "telegram_chat_id", "extension", "capacity", "hours",
                "available"):
        if getattr(args, key) is not None:
            fields[key] = getattr(args, key)
    for key in ("teams", "languages", "regions"):
        if getattr(args, key) is not None:
            fields[key] = [item.strip() for item in getattr(args, key).split(",") if item.strip()]
    return fields


def _line(manager: dict[str, Any]) -> str:
    state = "available" if manager["available"] else "away"
    teams = ",".join(manager["teams"]) or "-"
    return (f"{manager['id']:>4}  {manager['login']:<16} {manager['name']:<24} {state:<9} "
            f"cap {manager['capacity']:<3} teams {teams}  ext {manager['extension'] or '-'}")
