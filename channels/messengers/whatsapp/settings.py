"""`[whatsapp.<name>]`: one WhatsApp Business phone number of the Cloud API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from channels.messengers.meta_settings import MetaAccount, checked_table, required_text


@dataclass(frozen=True, slots=True)
class WhatsAppSettings:
    """One business number: the Meta account keys and the number's `phone_number_id`."""

    account: MetaAccount
    phone_number_id: str

    @property
    def name(self) -> str:
        """The table's name (`[whatsapp.<name>]`)."""
        return self.account.name

    @classmethod
    def from_toml(cls, name: str, table: Any, fallback_region: str | None = None
                  ) -> WhatsAppSettings:
        """Build from one table; ValueError names the bad key."""
        table = checked_table("whatsapp", name, table)
        account = MetaAccount.from_toml("whatsapp", name, table, fallback_region)
        number = str(table.get("phone_number_id", "")) or required_text(
            table, account.where, "phone_number_id")
        return cls(account, number)


def all_from_toml(section: dict[str, Any], fallback_region: str | None = None
                  ) -> list[WhatsAppSettings]:
    """Every `[whatsapp.<name>]` table."""
    return [WhatsAppSettings.from_toml(n, t, fallback_region) for n, t in section.items()]
