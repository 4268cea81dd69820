"""Password hashing with Argon2id (memory-hard), off the event loop."""

from __future__ import annotations

import asyncio
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
MIN_LENGTH = 8


def hash_password(password: str) -> str:
    """The Argon2id hash to store; ValueError for a password too short to be one."""
    if len(password) < MIN_LENGTH:
        raise ValueError(f"the password must have at least {MIN_LENGTH} characters")
    return _HASHER.hash(password)


async def verify_password(stored: str | None, password: str) -> bool:
    """Whether the password matches the stored hash (False when none is set)."""
    return await asyncio.to_thread(_verify, stored, password)


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    # Verified against when the login is unknown, so that case takes as long as a wrong
    # password. Made on first use: hashing costs half a second, which every process paid at
    # import, the CLI's short commands included.
    return _HASHER.hash("not a password anyone has")
