"""The `leadgate` command: run, db, tokens, managers, report, webhooks, ban, dead, replay."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any

from crm_store.migrate import current_revision, upgrade, upgrade_if_empty
from leadgate.cli import bans, dead, managers, replay, report, tokens, webhooks
from leadgate.compose import bootstrap
from leadgate.failures import CONFIG_EXIT, explain
from leadgate.logs import FORMATS, configure_logging
from leadgate.settings import Settings

log = logging.getLogger("leadgate")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leadgate", description=__doc__)
    parser.add_argument(
        "--config", type=Path, help="TOML config (default ./leadgate.toml if present)"
    )
    parser.add_argument(
        "--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    parser.add_argument("--log-format", choices=FORMATS,
                        help="text (default) or json: one object a line (LEADGATE_LOG_FORMAT)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="start everything enabled in the config")
    run.add_argument("--workers", type=int, default=1, metavar="N",
                     help="HTTP processes sharing the port (PostgreSQL only; default 1)")
    run.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)
    db = commands.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="apply all migrations")
    for command in (tokens, managers, bans, dead, replay, report, webhooks):
        command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; user errors are one line on stderr."""
    args = _parser().parse_args(argv)
    log_format = args.log_format or os.environ.get("LEADGATE_LOG_FORMAT", "text")
    if log_format not in FORMATS:
        print(f"leadgate: error: LEADGATE_LOG_FORMAT must be text or json, not {log_format!r}",
              file=sys.stderr)
        return CONFIG_EXIT
    configure_logging(args.log_level, log_format)
    database_url = os.environ.get("LEADGATE_DATABASE_URL", "")
    try:
        settings = Settings.load(args.config)
        database_url = settings.database_url
        if args.command == "run":
            _say_where_the_config_is(settings)
            _exit_now(run_service(_dispatch(args, settings)))
        return asyncio.run(_dispatch(args, settings))
    except KeyboardInterrupt:
        return 130
    except Exception as err:
        explained = explain(err, database_url)
        if explained is None:
            raise
        message, code = explained
        print(f"leadgate: error: {message}", file=sys.stderr)
        return code


def run_service(main: Coroutine[Any, Any, int]) -> int:
    """Run `main` on uvloop where it is installed (less CPU per request), else on asyncio's loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


def _exit_now(code: int) -> None:
    """End the process once the service has stopped cleanly.

    Everything is closed by now; what is left is the interpreter freeing every object of every
    library one by one, which took seconds of CPU (more under load) after `stopped` was logged.
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _say_where_the_config_is(settings: Settings) -> None:
    if settings.source is None:
        log.warning("no config file: ./leadgate.toml not found and no --config given; "
                    "running on the defaults, with no forms")
    else:
        log.info("config %s", settings.source)


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "run":
        # Imported here: the channel libraries (aiogram's models above all) take seconds to load,
        # which the administrative commands should not pay.
        from leadgate.server import run_with_workers

        await run_with_workers(settings, args.workers, args.reuse_port, _worker_argv(args))
        return 0
    if args.command == "dead":
        return await dead.run(args, settings.amqp_url)
    if args.command == "replay":
        return await replay.run(args, settings)
    # Built, not opened: the command reads and writes through the store alone.
    service = bootstrap(settings)
    engine = service.store.engine
    try:
        if args.command != "db":
            await upgrade_if_empty(engine)  # every command works on a new database
        if args.command == "db":
            await upgrade(engine)
            print(f"database at revision {await current_revision(engine)}")
        elif args.command == "tokens":
            return await tokens.run(args, engine)
        elif args.command == "managers":
            return await managers.run(args, engine)
        elif args.command == "ban":
            return await bans.run(args, engine, settings.default_region)
        elif args.command == "report":
            return await report.run(args, engine, settings)
        elif args.command == "webhooks":
            return await webhooks.run(args, engine)
        return 0
    finally:
        await service.close()


def _worker_argv(args: argparse.Namespace) -> list[str]:
    """How to start one more process on the same port with the same config."""
    config = ["--config", str(args.config.resolve())] if args.config else []
    log_format = ["--log-format", args.log_format] if args.log_format else []
    return [sys.executable, "-m", "leadgate.cli", *config, "--log-level", args.log_level,
            *log_format, "run", "--reuse-port"]

