"""aiohttp's own refusals of unreadable HTTP, kept out of the error log.

aiohttp answers a request it cannot parse (a header line too long, a body that does not match
its Content-Encoding) with 400 by itself, before any handler runs, and logs the traceback at
ERROR. That is the sender's mistake, not ours: a stranger could fill the log with it. Such
records go to DEBUG as one line.
"""

from __future__ import annotations

import logging

from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

log = logging.getLogger(__name__)
_SENDERS_FAULT = (HttpProcessingError, RequestPayloadError)


class UnreadableRequestFilter(logging.Filter):
    """Drops aiohttp's tracebacks for requests it refused as unreadable (they go to DEBUG)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a refusal of the sender's malformed HTTP."""
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, _SENDERS_FAULT) or isinstance(
            getattr(error, "__cause__", None), _SENDERS_FAULT
        ):
            log.debug("unreadable request refused: %s", type(error).__name__)
            return False
        return True


def quiet_unreadable_requests() -> None:
    """Install the filter on aiohttp's server logger once."""
    server_log = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, UnreadableRequestFilter) for f in server_log.filters):
        server_log.addFilter(UnreadableRequestFilter())
