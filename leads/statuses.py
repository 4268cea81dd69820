"""A lead's statuses, defined once: `new → assigned → accepted → won | lost | spam` (DESIGN §4).

`new` waits for a manager (just opened, or in its team's queue); `assigned` is offered to one
manager until the accept deadline; `accepted` is taken; the last three close it. `merged` closes
a lead whose card was merged into another card with an open lead: its touches moved there.
"""

from __future__ import annotations

from typing import Final, Literal

LeadStatus = Literal["new", "assigned", "accepted", "won", "lost", "spam", "merged"]

NEW: Final = "new"
ASSIGNED: Final = "assigned"
ACCEPTED: Final = "accepted"

OPEN_STATUSES: Final = (NEW, ASSIGNED, ACCEPTED)
"""Still in play: a new touch from the customer joins such a lead."""

WORKING_STATUSES: Final = (ASSIGNED, ACCEPTED)
"""A manager's load: leads offered to or accepted by them and not closed."""

ACCEPTABLE_STATUSES: Final = (NEW, ASSIGNED)
"""A manager may still take the lead."""

CLOSED_STATUSES: Final = ("won", "lost", "spam")
"""How a lead ends; a closed lead is never offered again."""

MERGED: Final = "merged"
"""Folded into the older open lead of the same person by a merge (not a way to close by hand)."""
