"""E-mail fixtures: the sample mails, and a private Dovecot per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import FIXTURES
from tests.support.dovecot import Dovecot, running_dovecot

MAIL = FIXTURES / "mail"


def sample(name: str) -> bytes:
    """One of the captured sample mails, as raw bytes."""
    return (MAIL / f"{name}.eml").read_bytes()


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    """A running Dovecot with one user and an empty INBOX."""
    with running_dovecot() as server:
        yield server
