"""Benchmark: an AMI byte stream through the parser and the call tracker, beside just splitting it.

Builds a stream of at least `--events` messages from copies of the captured Asterisk traces
(every call with its own ids and caller, `--concurrent` calls interleaved at a time), then in the
same run measures (1) the ceiling: cutting the bytes into messages at their empty lines, fed in
64 KiB reads as a socket delivers them, with the plainest code there is (`bytes.split` over a
buffer) and nothing else; (2) Leadgate: the channel's own cutting, events no one reads
recognised by their first bytes and dropped, every other message decoded into headers, fed to
the call tracker, and every finished call turned into its contact event. Both are timed in
CPU seconds of this process (the work is single-threaded), so a busy machine moves the ratio
little.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from channels.telephony.framing import MessageSplitter, parse_message  # noqa: E402
from channels.telephony.parse import call_event  # noqa: E402
from channels.telephony.settings import TelephonySettings  # noqa: E402
from channels.telephony.tracker import CallTracker  # noqa: E402
from tests.channels.telephony.ami_server import BANNER, load_trace  # noqa: E402
from tests.channels.telephony.synthetic import copy_of, interleaved  # noqa: E402

TRACES = ("answered_recorded", "missed_no_answer", "busy", "abandoned_while_ringing",
          "queue_answered", "queue_abandoned", "click_to_call_originate")
SETTINGS = TelephonySettings.from_toml({
    "secret": "unused", "trunk_contexts": ["from-trunk"],
    "own_numbers": ["74951234567", "998712000000", "74951230000"], "default_region": "RU",
    "did": {"74951234567": {"source": "yandex_direct"}},
})
READ = 64 * 1024


def build_stream(events: int, concurrent: int) -> tuple[bytes, int, int]:
    """The stream, its message count and its call count."""
    traces = [load_trace(name) for name in TRACES]
    chunks, messages, calls = [BANNER], 0, 0
    while messages < events:
        group = []
        for _ in range(concurrent):
            trace = traces[calls % len(traces)]
            group.append(copy_of(trace, calls, caller=f"79{calls:09d}"))
            messages += len(trace.messages)
            calls += 1
        chunks.append(interleaved(group))
    return b"".join(chunks), messages, calls


def split_only(stream: bytes) -> tuple[float, int]:
    """Seconds to cut the stream into messages with nothing but `bytes.split`; how many."""
    body, rest, count = stream[stream.index(b"\n") + 1:], b"", 0  # what follows the banner
    started = time.process_time()
    for offset in range(0, len(body), READ):
        parts = (rest + body[offset:offset + READ]).split(b"\r\n\r\n")
        rest = parts.pop()
        count += len(parts)
    return time.process_time() - started, count


def track(stream: bytes) -> tuple[float, int, int]:
    """Seconds to cut, decode and track the stream; messages decoded and contact events made."""
    splitter, tracker = MessageSplitter(), CallTracker(SETTINGS)
    count = events = 0
    now = time.time()
    started = time.process_time()
    for offset in range(0, len(stream), READ):
        messages = splitter.feed_wanted(stream[offset:offset + READ])
        count += len(messages)
        for raw in messages:
            headers = parse_message(raw)
            if headers is None:
                continue
            for record in tracker.feed(headers, now):
                events += call_event(record, SETTINGS) is not None
    return time.process_time() - started, count, events


def warm_up() -> None:
    """Load what a running service has long loaded (phone metadata and tables) outside the clock."""
    traces = [load_trace(name) for name in TRACES]
    track(BANNER + b"".join(message for trace in traces for _, message in trace.messages))


def main() -> None:
    """Build the stream, run both measurements, print them side by side."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000, help="messages (default 200000)")
    parser.add_argument("--concurrent", type=int, default=200, help="calls interleaved (200)")
    args = parser.parse_args()
    stream, messages, calls = build_stream(args.events, args.concurrent)
    warm_up()
    raw_seconds, split = split_only(stream)
    seconds, decoded, contacts = track(stream)
    assert split == messages and contacts == calls, (split, messages, contacts, calls)
    rate, raw = messages / seconds, messages / raw_seconds
    print(f"stream: {messages} AMI messages, {calls} calls ({args.concurrent} at a time), "
          f"{len(stream) / 1e6:.1f} MB")
    print(f"leadgate: {rate:10.0f} events/s tracked ({decoded} decoded, "
          f"{contacts} calls became contacts)")
    print(f"ceiling:  {raw:10.0f} events/s just split into messages")
    print(f"ratio:    {rate / raw:10.2f}")


if __name__ == "__main__":
    main()
