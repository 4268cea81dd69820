"""Webhook signatures of the SMS gateways (pure): Twilio, Plivo V3 and Vonage signed messages."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlsplit, urlunsplit

Params = Iterable[tuple[str, str]]
VONAGE_METHODS = ("md5hash", "md5", "sha1", "sha256", "sha512")


def twilio_signature(auth_token: str, url: str, params: Params) -> str:
    """X-Twilio-Signature: Base64(HMAC-SHA1(token, url + every key+value sorted by key)."""
    signed = url + "".join(key + value for key, value in sorted(params))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_valid(auth_token: str, url: str, params: Params, signature: str) -> bool:
    """True when `signature` is Twilio's for this URL and these form parameters."""
    expected = twilio_signature(auth_token, url, params)
    return hmac.compare_digest(expected.encode(), signature.strip().encode())


def plivo_v3_signature(auth_token: str, url: str, nonce: str, params: Params) -> str:
    """X-Plivo-Signature-V3 of a POST: HMAC-SHA256 over url, sorted query, sorted body, nonce."""
    return _plivo_signature(auth_token, _plivo_signed_text(url, list(params), nonce).encode())


def plivo_v3_valid(auth_token: str, url: str, nonce: str, params: Params, header: str) -> bool:
    """True when one of the comma-separated signatures in `header` matches."""
    text = _plivo_signed_text(url, list(params), nonce)
    # Plivo's own SDK signs non-ASCII text as its UTF-8 bytes read as Latin-1: accept both.
    candidates = {
        _plivo_signature(auth_token, text.encode()),
        _plivo_signature(auth_token, text.encode().decode("latin-1").encode()),
    }
    given = [part.strip() for part in header.split(",") if part.strip()]
    return any(hmac.compare_digest(c.encode(), g.encode()) for c in candidates for g in given)


def vonage_signature(secret: str, params: dict[str, str], method: str = "md5hash") -> str:
    """The `sig` of a signed Vonage message: sorted `&key=value` pairs, hashed with the secret."""
    pairs = "".join(
        f"&{key}={_vonage_value(value)}" for key, value in sorted(params.items()) if key != "sig"
    )
    if method == "md5hash":
        return hashlib.md5((pairs + secret).encode()).hexdigest()
    return hmac.new(secret.encode(), pairs.encode(), method).hexdigest()


def vonage_valid(secret: str, params: dict[str, str], method: str = "md5hash") -> bool:
    """True when the message's `sig` matches the one computed with `secret`."""
    given = params.get("sig", "").lower()
    return hmac.compare_digest(vonage_signature(secret, params, method).encode(), given.encode())


def _vonage_value(value: str) -> str:
    return value.replace("&", "_").replace("=", "_")


def _plivo_signed_text(url: str, body: list[tuple[str, str]], nonce: str) -> str:
    parts = urlsplit(url)
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    query = sorted(parse_qsl(parts.query, keep_blank_values=True))
    query_text = "&".join(f"{key}={value}" for key, value in query)
    # A POST with a body always gets the '?', even without a query string (Plivo's rule).
    if query_text or body:
        base += "?" + query_text
    if query_text and body:
        base += "."
    return base + "".join(key + value for key, value in sorted(body)) + "." + nonce


def _plivo_signature(auth_token: str, signed: bytes) -> str:
    digest = hmac.new(auth_token.encode(), signed, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()
