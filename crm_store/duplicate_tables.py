"""Look-alike cards: each card's match keys, the pairs they suggest, and dismissed pairs.

Keys and pairs carry no foreign keys: they are written in the transaction that writes the card
(cards are never deleted), and a foreign-key check per row would double the cost of indexing a
new card at a million customers (bench/duplicates.py).
"""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, String, Table

from crm_store.columns import Id, UtcDateTime
from crm_store.tables import metadata

match_keys = Table(
    "match_keys",
    metadata,
    Column("reason", String(32), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("customer_id", Id, primary_key=True),
    Index("ix_match_keys_customer", "customer_id"),
)

duplicate_pairs = Table(
    "duplicate_pairs",
    metadata,
    Column("customer_id", Id, primary_key=True),
    Column("other_id", Id, primary_key=True),
    Column("reason", String(32), primary_key=True),
    Column("score", Float, nullable=False),
    Column("created_at", UtcDateTime, nullable=False, index=True),
    Index("ix_duplicate_pairs_other", "other_id"),
)
"""One row per reason two cards share; always `customer_id < other_id`."""

duplicate_dismissals = Table(
    "duplicate_dismissals",
    metadata,
    Column("customer_id", Id, ForeignKey("customers.id"), primary_key=True),
    Column("other_id", Id, ForeignKey("customers.id"), primary_key=True),
    Column("dismissed_at", UtcDateTime, nullable=False),
)
"""Pairs a person said are not one customer: never suggested again; `customer_id < other_id`."""
