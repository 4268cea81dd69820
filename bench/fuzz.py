"""Fuzz every public route of `leadgate run` on PostgreSQL and count what it answers.

Sends random and malformed requests (content types, bodies, encodings, headers, query values,
path segments) to forms, SMS and Telegram webhooks, the API, health and metrics, and reports the
status counts and the service's RSS before and after. Any 500 or a dead process fails the run.
Usage: python bench/fuzz.py [-n 100000] [-c 32] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from intake import free_port, fresh_database, start_service

GENERIC_TOKEN = "fuzz-generic-token"
TELEGRAM_SECRET = "fuzz-telegram-secret"
CONFIG = f"""default_region = "UZ"
public_url = "https://leads.example.com"
[webforms]
rate_limit_per_minute = 0
[forms.contact]
name = "Contact"
[forms.lt]
name = "Kontaktai"
default_region = "LT"
success_status = 200
[sms.twilio]
auth_token = "fuzz-twilio"
[sms.vonage]
[sms.generic]
token = "{GENERIC_TOKEN}"
[telegram.bots.main]
token = "7000000001:AAFuzzBotTokenForLeadgateTests"
secret = "{TELEGRAM_SECRET}"
api_base = "http://127.0.0.1:9"
"""

NASTY_TEXT = ["", "\x00", "a\x00b", "\ud8e3", "\ufffe", "é" * 5000, "[" * 5000, "𝔘𝔫𝔦",
              "Иван", "Shaxnoza", "' OR 1=1 --", "<script>", "%ED%BE%BA", "\r\n\r\n", "9" * 40,
              "+998 90 123 45 67", "8 90 123 45 67", "x@y", "@", "²", "-1", "1e309", "null"]
CONTENT_TYPES = ["application/json", "application/x-www-form-urlencoded", "text/plain",
                 "multipart/form-data; boundary=b\xe9", "multipart/form-data", "application/xml",
                 "application/json; charset=koi8-r", "", "*/*", "application/json\x7f"]


def text(rng: random.Random) -> str:
    """A hostile or ordinary string."""
    if rng.random() < 0.6:
        return rng.choice(NASTY_TEXT)
    return "".join(chr(rng.choice([rng.randrange(32, 127), rng.randrange(0x400, 0x4ff),
                                   rng.randrange(0, 0x110000)])) for _ in range(rng.randrange(12)))


def json_value(rng: random.Random, depth: int = 0) -> Any:
    """A random JSON value, sometimes deep, sometimes huge."""
    roll = rng.random()
    if depth > 3 or roll < 0.4:
        return rng.choice([text(rng), rng.randrange(-10**20, 10**20), rng.random(), None, True])
    if roll < 0.7:
        return {text(rng): json_value(rng, depth + 1) for _ in range(rng.randrange(5))}
    return [json_value(rng, depth + 1) for _ in range(rng.randrange(5))]


def body(rng: random.Random) -> bytes:
    """A body that is plausible, broken, or hostile."""
    fields = {rng.choice(["phone", "email", "name", "message", "utm_source", "received_at",
                          "from", "text", "id", "NumMedia", "msisdn", text(rng)]): text(rng)
              for _ in range(rng.randrange(6))}
    choice = rng.randrange(8)
    if choice == 0:
        return json.dumps(fields, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
    if choice == 1:
        return "&".join(f"{k}={v}" for k, v in fields.items()).encode("utf-8", "surrogatepass")
    if choice == 2:
        return json.dumps(json_value(rng)).encode("utf-8", "surrogatepass")
    if choice == 3:
        return rng.randbytes(rng.randrange(2000))
    if choice == 4:
        return b"[" * rng.randrange(1, 60_000)
    if choice == 5:
        return gzip.compress(json.dumps(fields).encode("utf-8", "surrogatepass"))
    if choice == 6:
        return (b"--b\r\nContent-Disposition: form-data; name=\"phone\"\r\n\r\n"
                + rng.randbytes(20) + b"\r\n--b--\r\n")
    return json.dumps({"update_id": rng.randrange(10**12), "message": {
        "message_id": 1, "date": rng.randrange(-10**12, 10**12), "chat": {"id": 1, "type": "x"},
        "from": {"id": rng.randrange(-10**15, 10**15), "is_bot": False, "first_name": text(rng)},
        "text": text(rng)}}).encode("utf-8", "surrogatepass")


def target(rng: random.Random, token: str) -> tuple[str, str, dict[str, str]]:
    """Method, path with query, and headers of one request."""
    segment = rng.choice(["contact", "lt", "nope", "%00", "²", "9" * 30, "..%2F..", text(rng)])
    query = rng.choice(["", f"?phone={text(rng)}", "?offset=99999999999999999999",
                        f"?status={text(rng)}&channel={text(rng)}&limit={text(rng)}",
                        f"?email={text(rng)}", f"?caller={text(rng)}", "?token=" + GENERIC_TOKEN])
    provider = rng.choice(["twilio", "vonage", "generic", segment])
    method, path = rng.choice([
        ("POST", f"/forms/{segment}"), ("OPTIONS", f"/forms/{segment}"),
        ("GET", f"/forms/{segment}.js"), ("POST", f"/sms/{provider}"),
        ("POST", "/telegram/main"), ("POST", f"/telegram/{segment}"),
        ("GET", f"/api/customers/{segment}"), ("GET", "/api/customers"),
        ("GET", "/api/leads"), ("GET", f"/api/leads/{segment}"),
        ("POST", f"/api/leads/{segment}/accept"), ("POST", f"/api/leads/{segment}/close"),
        ("POST", f"/api/leads/{segment}/pass"), ("POST", "/api/calls"),
        ("GET", "/api/route/call"), ("GET", "/api/openapi.json"), ("GET", "/healthz"),
        ("GET", "/metrics"), (rng.choice(["PUT", "DELETE", "PATCH"]), "/api/leads"),
    ])
    headers = {"Content-Type": rng.choice(CONTENT_TYPES)}
    if rng.random() < 0.7:
        headers["Authorization"] = rng.choice([f"Bearer {token}", "Bearer x", "Basic x",
                                               f"Bearer {GENERIC_TOKEN}", ""])
    if rng.random() < 0.3:
        headers["Content-Encoding"] = rng.choice(["gzip", "deflate", "br", "x-unknown"])
    if path.startswith("/telegram/"):
        headers["X-Telegram-Bot-Api-Secret-Token"] = rng.choice([TELEGRAM_SECRET, "wrong"])
    if rng.random() < 0.2:
        headers["Origin"] = rng.choice(["https://example.uz", "null", text(rng)[:40] or "x"])
    if rng.random() < 0.2:
        headers["Accept"] = "text/html"
    return method, path + query, headers


def rss_kib(pid: int) -> int:
    """Resident memory of a process in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def fuzz(base: str, token: str, total: int, concurrency: int, seed: int
               ) -> collections.Counter[str]:
    """Send `total` requests; count answers by status (and transport errors)."""
    counts: collections.Counter[str] = collections.Counter()
    queue = iter(range(total))
    timeout = aiohttp.ClientTimeout(total=30)

    async def worker(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        connector = aiohttp.TCPConnector(limit=1)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector,
                                         skip_auto_headers=["Content-Type"]) as http:
            for _ in queue:
                method, path, headers = target(rng, token)
                headers = {k: v for k, v in headers.items() if v.isprintable()}
                try:
                    async with http.request(method, base + path, data=body(rng),
                                            headers=headers, allow_redirects=False) as answer:
                        await answer.read()
                        counts[str(answer.status)] += 1
                except (aiohttp.ClientError, ValueError, UnicodeError) as err:
                    counts[f"client:{type(err).__name__}"] += 1

    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return counts


def admin_token(workdir: Path, dsn: str) -> str:
    """A fresh admin token from the CLI, as an operator would make one."""
    env = {"LEADGATE_DATABASE_URL": dsn.replace("postgresql://", "postgresql+asyncpg://")}
    out = subprocess.run([sys.executable, "-m", "leadgate.cli", "tokens", "create", "--role",
                          "admin"], cwd=workdir, env={**os.environ, **env},
                         check=True, capture_output=True, text=True).stdout
    return out.strip().splitlines()[-1]


async def main() -> None:
    """Start the service, fuzz it, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--total", type=int, default=100_000)
    parser.add_argument("-c", "--concurrency", type=int, default=32)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        dsn = await fresh_database("leadgate_fuzz")
        port = free_port()
        process = start_service(dsn, port, workdir, config=CONFIG)
        try:
            token = admin_token(workdir, dsn)
            before = rss_kib(process.pid)
            started = time.perf_counter()
            counts = await fuzz(f"http://127.0.0.1:{port}", token, args.total,
                                args.concurrency, args.seed)
            seconds = time.perf_counter() - started
            after = rss_kib(process.pid)
            alive = process.poll() is None
        finally:
            process.terminate()
            process.wait(timeout=30)
    print(f"requests: {sum(counts.values())} in {seconds:.0f} s "
          f"({sum(counts.values()) / seconds:.0f}/s), concurrency {args.concurrency}")
    print("statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    print(f"rss: {before / 1024:.0f} MiB before, {after / 1024:.0f} MiB after; "
          f"process alive at the end: {alive}")
    server_errors = sum(v for k, v in counts.items() if k.startswith("5") and k != "503")
    if server_errors or not alive:
        raise SystemExit(f"FAILED: {server_errors} server errors, alive={alive}")


if __name__ == "__main__":
    asyncio.run(main())
