"""SMS settings: the `[sms.<provider>]` tables, `[sms.outbound]`, and the top-level `public_url`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from channels.acknowledgement import check_template
from channels.sms.send_settings import SendSettings, send_settings
from channels.sms.signatures import VONAGE_METHODS

PROVIDERS = ("twilio", "vonage", "plivo", "infobip", "generic")
# The key holding each provider's secret, and whether the provider is unusable without it.
_SECRET_KEYS = {
    "twilio": ("auth_token", True),
    "vonage": ("signature_secret", False),
    "plivo": ("auth_token", True),
    "infobip": ("secret", True),
    "generic": ("token", True),
}


@dataclass(frozen=True, slots=True)
class ProviderSettings:
    """One gateway posting to `POST /sms/<name>`."""

    name: str
    secret: str | None = field(default=None, repr=False)
    signature_method: str = "md5hash"
    default_region: str | None = None
    send: SendSettings | None = None
    """The provider's send API, when its credentials are configured (replies go through it)."""


@dataclass(frozen=True, slots=True)
class OutboundSettings:
    """Where auto-replies go: an HTTP POST of `{"to", "from", "text"}` JSON to `url`."""

    url: str
    token: str | None = field(default=None, repr=False)
    sender: str | None = None
    timeout_seconds: float = 10.0


@dataclass(frozen=True, slots=True)
class SmsSettings:
    """Every configured gateway, the public URL they sign, and the optional auto-reply."""

    providers: dict[str, ProviderSettings] = field(default_factory=dict)
    public_url: str | None = None
    ack_template: str | None = None
    outbound: OutboundSettings | None = None
    max_body_bytes: int = 64 * 1024

    @classmethod
    def from_toml(cls, section: dict[str, Any], public_url: str | None = None) -> SmsSettings:
        """Build from `[sms]` and the top-level `public_url`; ValueError names the bad key."""
        unknown = [k for k, v in section.items() if isinstance(v, dict) and k not in _TABLES]
        if unknown:
            raise ValueError(f"[sms.{unknown[0]}]: unknown provider; known: {', '.join(PROVIDERS)}")
        providers = {n: _provider(n, section[n]) for n in PROVIDERS if n in section}
        signs_url = [n for n in ("twilio", "plivo") if n in providers]
        if signs_url and not public_url:
            raise ValueError(f"[sms.{signs_url[0]}] needs the top-level public_url it signs")
        template = section.get("ack_template")
        if template is not None:
            if not isinstance(template, str) or not template.strip():
                raise ValueError("[sms] ack_template must be a non-empty string")
            check_template(template)
        outbound = _outbound(section["outbound"]) if "outbound" in section else None
        if template is not None and outbound is None:
            raise ValueError("[sms] ack_template needs [sms.outbound] to send the replies")
        return cls(
            providers=providers,
            public_url=public_url.rstrip("/") if public_url else None,
            ack_template=template,
            outbound=outbound,
            max_body_bytes=_positive_int(section.get("max_body_bytes", 64 * 1024)),
        )


_TABLES = (*PROVIDERS, "outbound")


def _provider(name: str, table: dict[str, Any]) -> ProviderSettings:
    where = f"[sms.{name}]"
    key, required = _SECRET_KEYS[name]
    secret = table.get(key)
    if (required and secret is None) or (secret is not None and not _filled(secret)):
        raise ValueError(f"{where}: {key} must be set to the provider's secret")
    method = table.get("signature_method", "md5hash")
    if method not in VONAGE_METHODS:
        raise ValueError(f"{where}: signature_method must be one of {', '.join(VONAGE_METHODS)}")
    region = table.get("default_region")
    if region is not None and (not isinstance(region, str) or len(region) != 2):
        raise ValueError(f"{where}: default_region must be a two-letter country code")
    return ProviderSettings(name, secret, method, region.upper() if region else None,
                            send_settings(name, table, secret))


def _outbound(table: Any) -> OutboundSettings:
    if not isinstance(table, dict) or not _filled(table.get("url")):
        raise ValueError("[sms.outbound]: url must be the HTTP endpoint that sends an SMS")
    url = str(table["url"])
    if not url.startswith(("http://", "https://")):
        raise ValueError("[sms.outbound]: url must start with http:// or https://")
    timeout = table.get("timeout_seconds", 10.0)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        raise ValueError("[sms.outbound]: timeout_seconds must be a positive number")
    token, sender = table.get("token"), table.get("from")
    if token is not None and not _filled(token):
        raise ValueError("[sms.outbound]: token must be a non-empty string")
    return OutboundSettings(url, token, str(sender) if sender else None, float(timeout))


def _filled(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _positive_int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1024:
        raise ValueError(f"[sms] max_body_bytes must be a whole number ≥ 1024, not {value!r}")
    return value
