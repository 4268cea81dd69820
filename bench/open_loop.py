"""An open-loop load generator: form posts at a fixed rate, latency counted from when each was due.

wrk keeps a fixed number of requests in flight (closed loop): when the service slows down it
sends less, and the slow answers hide the posts that would have waited (coordinated omission).
This sender posts n at `start + n / rate` whatever the answers do, on keep-alive connections
(a new one only when every open one is busy, up to 512; past that a post waits for one, its
wait counted in its latency), with raw sockets and no HTTP library, so that it costs little CPU
beside the service. Run as its own process; prints one JSON line: answered,
refused, seconds, p50_ms, p99_ms, max_ms, cpu_ms (its own CPU, for scale).
Usage: python bench/open_loop.py URL RATE SECONDS OFFSET
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from urllib.parse import urlsplit

_MAX_CONNECTIONS = 512


class Sender:
    """Keep-alive connections to one host, each carrying one request at a time."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.path = parts.hostname or "", parts.port or 80, parts.path
        self.idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = (
            asyncio.Queue())
        self.opened = 0
        self.latencies: list[float] = []
        self.refused = 0

    def request(self, phone: str) -> bytes:
        """One form post of a new person."""
        body = f'{{"name": "Bench", "phone": "{phone}"}}'.encode()
        return (f"POST {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                ).encode() + body

    async def post(self, payload: bytes, due: float) -> None:
        """Send one post on a free connection and note its latency from `due`."""
        if self.idle.empty() and self.opened < _MAX_CONNECTIONS:
            self.opened += 1
            reader, writer = await asyncio.open_connection(self.host, self.port)
        else:
            reader, writer = await self.idle.get()
        try:
            writer.write(payload)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError):
            self.refused += 1
            writer.close()
            self.opened -= 1
            return
        if head[9:12] == b"201":
            self.latencies.append(time.monotonic() - due)
        else:
            self.refused += 1
        self.idle.put_nowait((reader, writer))


async def run(url: str, rate: int, seconds: int, offset: int) -> dict[str, float]:
    """Post `rate * seconds` forms at `rate` per second; return the figures."""
    sender = Sender(url)
    payloads = [sender.request(f"+99893{offset + n:07d}") for n in range(rate * seconds)]
    cpu_before = time.process_time()
    started = time.monotonic()
    tasks = []
    for n, payload in enumerate(payloads):
        due = started + n / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(sender.post(payload, due)))
    await asyncio.gather(*tasks)
    cuts = statistics.quantiles(sender.latencies, n=100)
    return {"answered": len(sender.latencies), "refused": sender.refused,
            "seconds": float(seconds), "p50_ms": cuts[49] * 1000, "p99_ms": cuts[98] * 1000,
            "max_ms": max(sender.latencies) * 1000, "connections": sender.opened,
            "cpu_ms": (time.process_time() - cpu_before) * 1000}


def main() -> None:
    """Parse the arguments, run, print the figures as JSON."""
    url, rate, seconds, offset = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    print(json.dumps(asyncio.run(run(url, rate, seconds, offset))))


if __name__ == "__main__":
    main()
