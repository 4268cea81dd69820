"""`leadgate webhooks failed|retry ID`: deliveries given up on, and sending one again."""

from __future__ import annotations

import argparse
import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store import webhook_store
from crm_store.migrate import upgrade_if_empty
from crm_store.uow import SqlUnitOfWork
from leads.model import utcnow


def add_parser(commands: Any) -> None:
    """Register the `webhooks` command and its sub-commands."""
    webhooks = commands.add_parser("webhooks", help="outgoing webhook deliveries")
    sub = webhooks.add_subparsers(dest="webhooks_command", required=True)
    listing = sub.add_parser("failed", help="deliveries given up after max_attempts")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    retry = sub.add_parser("retry", help="send a failed delivery again (fresh attempts)")
    retry.add_argument("id", type=int, help="the delivery's id from `webhooks failed`")


async def run(args: argparse.Namespace, engine: AsyncEngine) -> int:
    """Carry out the sub-command; 1 when the delivery to retry is not a failed one."""
    await upgrade_if_empty(engine)
    if args.webhooks_command == "failed":
        async with engine.connect() as conn:
            rows = await webhook_store.failed(conn)
        for row in rows:
            if args.json:
                print(json.dumps(row, default=str, ensure_ascii=False))
            else:
                print(f"{row['id']}\t{row['webhook']}\t{row['event']}\t{row['event_id']}\t"
                      f"{row['attempts']} attempts\t{row['last_error'] or ''}")
        if not rows and not args.json:
            print("no failed deliveries")
        return 0
    async with SqlUnitOfWork(engine) as uow:
        retried = await webhook_store.retry(uow.connection, args.id, utcnow())
        await uow.commit()
    if not retried:
        raise ValueError(f"no failed webhook delivery with id {args.id}")
    print(f"delivery {args.id} queued again")
    return 0
