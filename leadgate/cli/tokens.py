"""`leadgate tokens create|list|revoke`: API tokens for integrations, managers and the dialplan."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from crm_store.tokens import ROLES, create_token, list_tokens, revoke_token


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `tokens` and its subcommands."""
    tokens = commands.add_parser("tokens", help="API tokens").add_subparsers(
        dest="tokens_command", required=True
    )
    create = tokens.add_parser("create", help="create an API token (printed as the last line)")
    create.add_argument("--role", required=True, choices=list(ROLES),
                        help="admin: everything; manager: own leads; dialplan: owner look-up")
    create.add_argument("--manager", metavar="LOGIN", help="the manager a manager token belongs to")
    tokens.add_parser("list", help="every token: id, role, manager, created, last used (no secret)")
    revoke = tokens.add_parser("revoke", help="revoke a token by id; refused from the next request")
    revoke.add_argument("id", type=int, help="the token's id (from `tokens list`)")


async def run(args: argparse.Namespace, engine: AsyncEngine) -> int:
    """Carry out one `tokens` subcommand."""
    if args.tokens_command == "create":
        print(await create_token(engine, args.role, args.manager))
    elif args.tokens_command == "list":
        print(f"{'id':>4}  {'role':<8}  {'manager':<16}  {'created':<16}  {'last used':<16}  state")
        for row in await list_tokens(engine):
            state = f"revoked {_when(row['revoked_at'])}" if row["revoked_at"] else "active"
            print(f"{row['id']:>4}  {row['role']:<8}  {row['manager'] or '-':<16}  "
                  f"{_when(row['created_at']):<16}  {_when(row['last_used_at']):<16}  {state}")
    elif not await revoke_token(engine, args.id):
        print(f"leadgate: error: there is no active token {args.id}", file=sys.stderr)
        return 1
    else:
        print(f"token {args.id} revoked")
    return 0


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "never"
