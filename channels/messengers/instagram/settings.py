"""`[instagram.<name>]`: one Instagram professional account receiving Direct messages."""

from __future__ import annotations

from typing import Any

from channels.messengers.meta_settings import MetaAccount, checked_table


def all_from_toml(section: dict[str, Any], fallback_region: str | None = None
                  ) -> list[MetaAccount]:
    """Every `[instagram.<name>]` table: the shared Meta keys are all an account needs."""
    return [
        MetaAccount.from_toml("instagram", name, checked_table("instagram", name, table),
                              fallback_region)
        for name, table in section.items()
    ]
