"""Logging set-up: plain text or one JSON object a line, with floods of one message held back."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any, TextIO

FORMATS = ("text", "json")
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Attributes every LogRecord has; anything else on a record came from `extra=` and is kept.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName",
}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message and the record's `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as compact JSON."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and record.levelno <= logging.DEBUG:
            # Exception texts can quote personal data: tracebacks only at DEBUG.
            entry["traceback"] = self.formatException(record.exc_info)
        elif record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False, default=str)


class FloodFilter(logging.Filter):
    """Lets each message template through `burst` times per `window` seconds, then holds it back.

    When a held-back template speaks again after its window, the line says how many were
    suppressed (`suppressed` field), so a flood costs a few lines, not one per occurrence.
    """

    def __init__(self, burst: int = 10, window: float = 60.0, max_keys: int = 4096,
                 clock: Any = time.monotonic) -> None:
        super().__init__()
        self._burst = burst
        self._window = window
        self._max_keys = max_keys
        self._clock = clock
        self._seen: OrderedDict[tuple[str, int, str], list[float]] = OrderedDict()

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a record over its template's budget; DEBUG is never limited."""
        if record.levelno <= logging.DEBUG:
            return True
        key = (record.name, record.levelno, str(record.msg))
        now = self._clock()
        state = self._seen.get(key)  # [window start, count, suppressed]
        if state is None or now - state[0] >= self._window:
            suppressed = int(state[2]) if state is not None else 0
            self._seen[key] = [now, 1, 0]
            self._seen.move_to_end(key)
            if len(self._seen) > self._max_keys:
                self._seen.popitem(last=False)
            if suppressed and not isinstance(record.args, dict):
                record.suppressed = suppressed
                record.msg = f"{record.msg} (%d similar messages suppressed)"
                record.args = (*_as_tuple(record.args), suppressed)
            return True
        state[1] += 1
        if state[1] <= self._burst:
            return True
        state[2] += 1
        return False


def _as_tuple(args: Any) -> tuple[Any, ...]:
    if args is None:
        return ()
    return args if isinstance(args, tuple) else (args,)


def configure_logging(level: str = "INFO", fmt: str = "text",
                      stream: TextIO | None = None) -> logging.Handler:
    """Route every logger to one handler on stderr in `fmt`, with the flood filter on it."""
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(_TEXT_FORMAT))
    handler.addFilter(FloodFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    if level != "DEBUG":
        logging.getLogger("alembic").setLevel(logging.WARNING)  # migration chatter
        logging.getLogger("aiogram").setLevel(logging.WARNING)  # one INFO line per update
    return handler
