"""The `leadgate` command: run, db upgrade, tokens create, managers, report, ban, dead, replay."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from crm_store.engine import create_engine
from crm_store.migrate import current_revision, upgrade, upgrade_if_empty
from leadgate import cli_bans, cli_dead, cli_managers, cli_replay, cli_report, cli_tokens
from leadgate.settings import Settings
from leads.errors import ConfigError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leadgate", description=__doc__)
    parser.add_argument(
        "--config", type=Path, help="TOML config (default ./leadgate.toml if present)"
    )
    parser.add_argument(
        "--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="start everything enabled in the config")
    run.add_argument("--workers", type=int, default=1, metavar="N",
                     help="HTTP processes sharing the port (PostgreSQL only; default 1)")
    run.add_argument("--http-only", action="store_true", help=argparse.SUPPRESS)
    db = commands.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="apply all migrations")
    cli_tokens.add_parser(commands)
    cli_managers.add_parser(commands)
    cli_bans.add_parser(commands)
    cli_dead.add_parser(commands)
    cli_replay.add_parser(commands)
    cli_report.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.log_level != "DEBUG":
        logging.getLogger("alembic").setLevel(logging.WARNING)  # migration chatter
    try:
        settings = Settings.load(args.config)
        return asyncio.run(_dispatch(args, settings))
    except (ConfigError, ValueError) as err:
        print(f"leadgate: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "run":
        # Imported here: the channel libraries (aiogram's models above all) take seconds to load,
        # which the administrative commands should not pay.
        from leadgate.workers import run_with_workers

        await run_with_workers(settings, args.workers, args.http_only, _worker_argv(args))
        return 0
    if args.command == "dead":
        return await cli_dead.run(args, settings.amqp_url)
    if args.command == "replay":
        return await cli_replay.run(args, settings)
    engine = create_engine(settings.database_url)
    try:
        if args.command == "db":
            await upgrade(engine)
            print(f"database at revision {await current_revision(engine)}")
        elif args.command == "tokens":
            return await cli_tokens.run(args, engine)
        elif args.command == "managers":
            return await cli_managers.run(args, engine)
        elif args.command == "ban":
            return await cli_bans.run(args, engine, settings.default_region)
        elif args.command == "report":
            await upgrade_if_empty(engine)
            return await cli_report.run(args, engine, settings)
        return 0
    finally:
        await engine.dispose()


def _worker_argv(args: argparse.Namespace) -> list[str]:
    """How to start one more HTTP worker with the same config."""
    config = ["--config", str(args.config.resolve())] if args.config else []
    return [sys.executable, "-m", "leadgate.cli", *config, "--log-level", args.log_level, "run",
            "--http-only"]


if __name__ == "__main__":
    sys.exit(main())
