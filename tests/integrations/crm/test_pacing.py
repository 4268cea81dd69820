"""The CRM client never calls faster than the CRM's documented rate."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestServer

from integrations.crm.http import PacedClient


class FakeTime:
    """A monotonic clock that moves only when the client sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(round(seconds, 6))
        self.now += seconds


async def answer(request: web.Request) -> web.Response:
    return web.json_response({"result": True})


async def test_calls_in_a_burst_are_spaced_to_two_a_second() -> None:
    app = web.Application()
    app.router.add_post("/m", answer)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    time = FakeTime()
    client = PacedClient(2.0, 5.0, clock=time.clock, sleep=time.sleep)
    try:
        answers = [await client.call("POST", str(server.make_url("/m"))) for _ in range(4)]
    finally:
        await client.aclose()
        await server.close()

    assert [status for status, _, _ in answers] == [200, 200, 200, 200]
    assert time.waits == [0.5, 0.5, 0.5]
