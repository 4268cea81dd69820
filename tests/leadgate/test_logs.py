"""JSON logs carry one object a line with the event's own fields; a flood of one message is cut."""

from __future__ import annotations

import io
import json
import logging

from leadgate.logs import FloodFilter, configure_logging


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_format_writes_one_object_a_line_with_the_extra_fields() -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", stream)
    logging.getLogger("leadgate.test").info("lead %d routed", 7,
                                            extra={"channel": "webform", "lead_id": 7,
                                                   "customer_id": 3})

    (line,) = _lines(stream)
    assert line["message"] == "lead 7 routed" and line["level"] == "INFO"
    assert (line["channel"], line["lead_id"], line["customer_id"]) == ("webform", 7, 3)
    assert line["logger"] == "leadgate.test" and "time" in line


def test_a_traceback_is_written_only_at_debug_level() -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", stream)
    try:
        raise ValueError("+998901234567 is someone's phone")
    except ValueError:
        logging.getLogger("leadgate.test").exception("intake failed")

    (line,) = _lines(stream)
    assert line["error"] == "ValueError"
    assert "+998901234567" not in stream.getvalue()


def test_a_flood_of_one_message_is_held_back_and_then_counted() -> None:
    now = [0.0]
    flood = FloodFilter(burst=3, window=60.0, clock=lambda: now[0])

    def record() -> logging.LogRecord:
        return logging.LogRecord("x", logging.WARNING, "", 0, "frame of %d bytes", (5,), None)

    passed = [flood.filter(record()) for _ in range(1000)]
    now[0] = 61.0
    later = record()

    assert passed.count(True) == 3
    assert flood.filter(later)
    assert later.getMessage() == "frame of 5 bytes (997 similar messages suppressed)"


def test_other_messages_are_not_held_back_by_a_flood() -> None:
    flood = FloodFilter(burst=2, window=60.0, clock=lambda: 0.0)
    for _ in range(50):
        flood.filter(logging.LogRecord("x", logging.WARNING, "", 0, "noise", None, None))

    assert flood.filter(logging.LogRecord("x", logging.WARNING, "", 0, "news", None, None))


def test_debug_records_are_never_held_back() -> None:
    flood = FloodFilter(burst=1, window=60.0, clock=lambda: 0.0)

    assert all(flood.filter(logging.LogRecord("x", logging.DEBUG, "", 0, "d", None, None))
               for _ in range(10))


async def test_a_stored_event_logs_its_channel_lead_and_customer_but_no_contact_data() -> None:
    from leadgate.health import Health
    from leadgate.metrics import Metrics
    from leads.model import ContactEvent, IntakeResult, RawIdentity, utcnow

    async def stored(event: ContactEvent) -> IntakeResult:
        return IntakeResult(touch_id=9, lead_id=7, customer_id=3)

    stream = io.StringIO()
    configure_logging("DEBUG", "json", stream)
    event = ContactEvent("sms", "m-1", utcnow(), (RawIdentity("phone", "+998901234567"),),
                         text="call me")
    await Metrics(Health()).observe("sms", stored)(event)

    (line,) = [entry for entry in _lines(stream) if entry["logger"] == "leadgate.metrics"]
    assert (line["channel"], line["lead_id"], line["customer_id"]) == ("sms", 7, 3)
    assert "+998901234567" not in stream.getvalue() and "call me" not in stream.getvalue()
