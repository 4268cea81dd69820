"""E-mail fixtures: the sample mails, and a private Dovecot per test."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.support.dovecot import Dovecot

MAIL = FIXTURES / "mail"


def sample(name: str) -> bytes:
    """One of the captured sample mails, as raw bytes."""
    return (MAIL / f"{name}.eml").read_bytes()


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    """A running Dovecot with one user and an empty INBOX."""
    # Not under pytest's own temp dir: its parent is private to root, and Dovecot's mail
    # processes run as nobody.
    root = Path(tempfile.mkdtemp(prefix="leadgate-dovecot-"))
    server = Dovecot(root)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
