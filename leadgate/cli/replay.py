"""`leadgate replay --since ISO-TIME [--channel C] [--dry-run]`, a progress bar on a terminal."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any, TextIO, get_args

from channels.webforms.settings import WebFormsSettings
from leadgate.cli.replayer import replay
from leadgate.compose import bootstrap
from leadgate.settings import Settings
from leads.model import ChannelName

_BAR = 30


def add_parser(commands: Any) -> None:
    """Register the `replay` command."""
    parser = commands.add_parser("replay", help="feed kept events through intake again")
    parser.add_argument("--since", required=True, metavar="ISO-TIME",
                        help="from this time on, e.g. 2026-11-30 or 2026-11-30T09:00+05:00")
    parser.add_argument("--channel", choices=get_args(ChannelName), help="only this channel")
    parser.add_argument("--dry-run", action="store_true", help="check, store nothing")


def since(text: str) -> datetime:
    """The --since value as an aware UTC time (a time without zone is UTC)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as err:
        raise ValueError(f"--since must be an ISO time such as 2026-11-30T09:00, not {text!r}"
                         ) from err
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


class Progress:
    """A one-line bar on a terminal; nothing when the output is a file or a pipe."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._on = stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        """Redraw the bar."""
        if not self._on or total == 0:
            return
        filled = _BAR * done // total
        self._stream.write(f"\rreplay [{'#' * filled}{'.' * (_BAR - filled)}] {done}/{total}")
        if done >= total:
            self._stream.write("\n")
        self._stream.flush()


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Replay and print the summary (the last line)."""
    start = since(args.since)
    forms = WebFormsSettings.from_toml(settings.section("forms"), settings.section("webforms"))
    async with bootstrap(settings) as service:
        summary = await replay(service.store, forms, start, args.channel, args.dry_run,
                               Progress(sys.stderr))
    if summary.refusals:
        codes = sorted(summary.refusals.items())
        print("refused: " + ", ".join(f"{code} {n}" for code, n in codes))
    print(("dry run: " if args.dry_run else "") + summary.line(args.dry_run))
    return 0
