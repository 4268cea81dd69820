"""`leadgate dead list|requeue|drop`: the AMQP dead-letter queue, seen and emptied by hand."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from routing.dead_letters import handle


def add_parser(commands: Any) -> None:
    """Register the `dead` command and its sub-commands."""
    dead = commands.add_parser("dead", help="the AMQP dead-letter queue (leadgate.dead)")
    sub = dead.add_subparsers(dest="dead_command", required=True)
    listing = sub.add_parser("list", help="every dead message (the queue is left as it is)")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    for name, text in (("requeue", "publish messages again under their first routing key"),
                       ("drop", "delete messages for good")):
        action = sub.add_parser(name, help=text)
        action.add_argument("ids", nargs="*", metavar="MESSAGE_ID")
        action.add_argument("--all", action="store_true", help="every dead message")


async def run(args: argparse.Namespace, amqp_url: str | None) -> int:
    """Carry out a `dead` sub-command; ValueError for bad input."""
    if not amqp_url:
        raise ValueError("no broker: set LEADGATE_AMQP_URL (embedded mode has no dead letters)")
    if args.dead_command == "list":
        for letter in await handle(amqp_url, "list"):
            print(json.dumps(asdict(letter), ensure_ascii=False, default=str) if args.json
                  else f"{letter.message_id:<40} {letter.routing_key:<28} "
                       f"{letter.reason or '-':<9} {letter.queue}")
        return 0
    if not args.ids and not args.all:
        raise ValueError(f"name the messages to {args.dead_command}, or give --all")
    done = await handle(amqp_url, args.dead_command, None if args.all else set(args.ids))
    verb = "requeued" if args.dead_command == "requeue" else "dropped"
    print(f"{verb} {len(done)} message{'s' if len(done) != 1 else ''}")
    missing = set(args.ids) - {letter.message_id for letter in done}
    if missing:
        raise ValueError(f"not in the dead-letter queue: {', '.join(sorted(missing))}")
    return 0
