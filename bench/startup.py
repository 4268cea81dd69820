"""Benchmark: `leadgate run` on the starter config, from exec to /healthz answering, and idle RSS.

Each round starts a process in a fresh folder holding the repository's starter `leadgate.toml`
(SQLite, one form), polls `GET /healthz` every 10 ms until it answers, waits `--idle` seconds and
reads VmRSS from /proc. The first round of each kind creates the database (migrations); the
others find it. In the same run, the ceiling: a bare aiohttp server answering /healthz (`python
-c 'import aiohttp …'`), started and measured the same way.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BARE_SERVER = (
    "import os\nfrom aiohttp import web\n"
    "async def healthz(request): return web.json_response({'status': 'ok'})\n"
    "app = web.Application(); app.router.add_get('/healthz', healthz)\n"
    "web.run_app(app, host='127.0.0.1', port=int(os.environ['LEADGATE_HTTP_PORT']), print=None)\n"
)


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mib(pid: int) -> float:
    """Resident memory of a process, MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (what start-up costs on an idle machine)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(argv: list[str], port: int, cwd: Path, idle: float) -> tuple[float, ...]:
    """Seconds from exec to the first /healthz answer, the CPU seconds spent by then, RSS after
    `idle` more seconds, and seconds from SIGTERM to exit."""
    env = {**os.environ, "LEADGATE_HTTP_PORT": str(port), "PYTHONPATH": str(ROOT)}
    env.pop("LEADGATE_DATABASE_URL", None)
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{argv[:3]} exited with {process.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except urllib.error.HTTPError:
                break  # an answer all the same (503 while the database is unreachable)
            except OSError:
                time.sleep(0.01)
        ready, cpu = time.perf_counter() - started, cpu_seconds(process.pid)
        time.sleep(idle)
        rss = rss_mib(process.pid)
        stopping = time.perf_counter()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        return ready, cpu, rss, time.perf_counter() - stopping
    finally:
        if process.poll() is None:
            process.kill()


def rounds(name: str, argv: list[str], count: int, idle: float) -> list[tuple[float, ...]]:
    """`count` measured starts in one fresh folder (the first creates the database)."""
    folder = Path(tempfile.mkdtemp(prefix=f"leadgate-bench-{name}-"))
    shutil.copy(ROOT / "leadgate.toml", folder / "leadgate.toml")
    try:
        return [measure(argv, free_port(), folder, idle) for _ in range(count)]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    """Measure Leadgate and the bare server, print medians and the first (new database) round."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--rounds", type=int, default=5)
    parser.add_argument("--idle", type=float, default=3.0, help="seconds idle before RSS")
    args = parser.parse_args()
    bare = [sys.executable, "-c", BARE_SERVER]
    leadgate = [sys.executable, "-m", "leadgate.cli", "run"]
    results = {}
    for name, argv in (("bare", bare), ("leadgate", leadgate)):
        results[name] = rounds(name, argv, args.rounds, args.idle)  # port: LEADGATE_HTTP_PORT
    print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    medians = {}
    for name, runs in results.items():
        times, cpus, sizes, stops = zip(*runs, strict=True)
        medians[name] = [statistics.median(column) for column in (times, cpus, sizes, stops)]
        print(f"{name:9} /healthz after {medians[name][0]:.2f} s median (first, new database: "
              f"{times[0]:.2f} s; min {min(times):.2f} s), {medians[name][1]:.2f} CPU s by then, "
              f"idle RSS {medians[name][2]:.0f} MiB, SIGTERM to exit {medians[name][3]:.2f} s")
    lg, ceiling = medians["leadgate"], medians["bare"]
    print(f"leadgate / ceiling: start-up x{lg[0] / ceiling[0]:.1f}, CPU x{lg[1] / ceiling[1]:.1f}, "
          f"RSS x{lg[2] / ceiling[2]:.1f}")


if __name__ == "__main__":
    main()
