"""One Leadgate process per SQLite database: a lock file beside it, held while the process runs."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from leads.errors import DatabaseBusy


@contextmanager
def one_process(database_url: str) -> Iterator[None]:
    """Hold `<database>.lock` for the block; DatabaseBusy when another process holds it.

    PostgreSQL (and an in-memory SQLite) need no lock: processes share them safely.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        yield
        return
    path = Path(f"{url.database}.lock")
    if not path.parent.is_dir():
        yield  # no such folder: the database itself will say so
        return
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            other = handle.read().strip() or "?"
            raise DatabaseBusy(
                f"another Leadgate process (pid {other}) runs on {url.database}: SQLite takes "
                "one process; run several on PostgreSQL") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
