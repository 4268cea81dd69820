"""The edge every HTTP channel shares: a bounded body, one refusal, one answer for intake's errors.

Forms, SMS gateways and Telegram webhooks read the body through `read_body`, hand the event to
intake through `submit`, and answer a `Refused` with `refusal`: intake's "no usable contact" is
422 and "store down" is 503, so the sender retries (DESIGN §6.1: acknowledge only what is durable).
"""

from __future__ import annotations

from aiohttp import StreamReader, web

from channels.base import error_response
from leads.errors import InvalidEvent, Refused, StoreUnavailable
from leads.model import ContactEvent, IntakeResult, Sink

_CHUNK = 64 * 1024
RAW_BODY = web.RequestKey("raw_body", bytes)
"""The body `read_body` read, left on the request for whoever journals a refusal."""


async def read_body(request: web.Request, limit: int) -> bytes:
    """The whole body, refused with 413 `too_large` once it passes `limit` bytes."""
    length = request.content_length
    if length is not None and length > limit:
        raise _too_large(limit)
    content = request.content
    if content.is_eof():
        # A form post arrives with its headers: the body is all there, no need to wait for it.
        body = content.read_nowait()
        if len(body) > limit:
            raise _too_large(limit)
    else:
        body = await _read_chunked(content, limit)
    request[RAW_BODY] = body
    return body


async def _read_chunked(content: StreamReader, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in content.iter_chunked(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> Refused:
    return Refused(413, "too_large", f"the body is larger than {limit} bytes")


async def submit(sink: Sink, event: ContactEvent) -> IntakeResult:
    """Store the event; intake's refusals become the public answer (422, or 503 to retry)."""
    try:
        return await sink(event)
    except InvalidEvent as err:
        raise Refused(422, err.code, err.detail) from err
    except StoreUnavailable as err:
        raise store_unavailable() from err


def store_unavailable() -> Refused:
    """The one answer of every HTTP edge when the store did not take the write."""
    return Refused(503, "store_unavailable", "the lead store is unavailable; retry")


def refusal(refused: Refused) -> web.Response:
    """The JSON answer of a refusal."""
    return error_response(refused.status, refused.code, refused.detail)
