"""`leadgate ban add|list|remove`: contacts whose events go to quarantine instead of a lead."""

from __future__ import annotations

import argparse
import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store import screening
from crm_store.migrate import upgrade_if_empty
from crm_store.uow import SqlUnitOfWork
from leads.bans import BAN_KINDS, normalize_ban
from leads.clean import clean_text
from leads.model import utcnow


def add_parser(commands: Any) -> None:
    """Register the `ban` command and its sub-commands."""
    ban = commands.add_parser("ban", help="banned contacts (their events go to quarantine)")
    sub = ban.add_subparsers(dest="ban_command", required=True)
    add = sub.add_parser("add", help="ban a contact")
    remove = sub.add_parser("remove", help="lift a ban")
    for parser in (add, remove):
        parser.add_argument("kind", choices=BAN_KINDS)
        parser.add_argument("value", help="phone, address, domain, id or IP, as people write it")
    add.add_argument("--reason", help="why (shown by `ban list`)")
    for parser in (add, remove):
        parser.add_argument("--region", metavar="CC",
                            help="country of a phone written without its code (default: the "
                                 "configured default_region)")
    listing = sub.add_parser("list", help="list bans")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")


async def run(args: argparse.Namespace, engine: AsyncEngine, region: str | None) -> int:
    """Carry out a `ban` sub-command; ValueError for bad input."""
    await upgrade_if_empty(engine)
    if args.ban_command == "list":
        async with engine.connect() as conn:
            for row in await screening.list_bans(conn):
                print(json.dumps(row, default=str, ensure_ascii=False) if args.json
                      else f"{row['id']:>5}  {row['kind']:<9} {row['value']:<32} "
                           f"{row['reason'] or ''}")
        return 0
    key = normalize_ban(args.kind, args.value, args.region or region)
    async with SqlUnitOfWork(engine) as uow:
        if args.ban_command == "add":
            reason = clean_text(args.reason, 500) if args.reason else None
            ban_id = await uow.hygiene.add_ban(key, reason, utcnow())
            await uow.commit()
            print(f"banned {key[0]} {key[1]} (id {ban_id})")
            return 0
        if not await uow.hygiene.remove_ban(key):
            raise ValueError(f"{key[0]} {key[1]} is not banned")
        await uow.commit()
    print(f"ban on {key[0]} {key[1]} lifted")
    return 0
