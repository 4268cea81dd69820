"""What stops a command, said in one line: user errors become a reason and an exit code."""

from __future__ import annotations

import errno

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from crm_store.sqlite_lock import DatabaseBusy
from leads.errors import CannotStart, ConfigError

CONFIG_EXIT = 2
FAILURE_EXIT = 1


def explain(err: BaseException, database_url: str) -> tuple[str, int] | None:
    """One line and an exit code for an error a user can fix; None for a bug (let it raise)."""
    if isinstance(err, ConfigError | ValueError | DatabaseBusy):
        return str(err), CONFIG_EXIT
    if isinstance(err, CannotStart):
        return str(err), FAILURE_EXIT
    if isinstance(err, SQLAlchemyError | OSError):
        return f"the database {safe_url(database_url)} cannot be used: {_reason(err)}", FAILURE_EXIT
    return None


def listen_error(host: str, port: int, err: OSError) -> CannotStart:
    """Why the HTTP server could not take its address."""
    if err.errno == errno.EADDRINUSE:
        return CannotStart(f"cannot listen on {host}:{port}: the port is in use "
                           "(set LEADGATE_HTTP_PORT to another)")
    return CannotStart(f"cannot listen on {host}:{port}: {err.strerror or type(err).__name__}")


def safe_url(url: str) -> str:
    """The URL without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparseable URL is reported by the settings, not here
        return "(unparseable URL)"


def _reason(err: BaseException) -> str:
    if isinstance(err, DBAPIError) and err.orig is not None:
        err = err.orig
    if isinstance(err, OSError) and err.strerror:
        return err.strerror.lower()
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text[:200]
