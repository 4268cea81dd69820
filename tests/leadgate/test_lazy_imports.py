"""`leadgate run` loads the libraries of the channels it runs, and no others."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.leadgate.test_run import _free_port

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("aiogram", "aio_pika", "panoramisk", "imapclient", "aiosmtpd", "phonenumbers.geocoder",
         "phonenumbers.carrier", "phonenumbers.timezone")
SERVE_ONCE = """
import asyncio, json, sys
from pathlib import Path
from leadgate.server import serve
from leadgate.settings import Settings

async def main():
    ready = asyncio.Event()
    task = asyncio.create_task(serve(Settings.load(Path(sys.argv[1])), ready))
    await ready.wait()
    print(json.dumps(sorted(m for m in sys.modules if m.startswith(tuple(sys.argv[2:])))))
    task.cancel()

asyncio.run(main())
"""


def loaded_when_serving(config: Path, cwd: Path) -> list[str]:
    env = {"PATH": "/usr/bin:/bin", "LEADGATE_HTTP_PORT": str(_free_port())}
    result = subprocess.run([sys.executable, "-c", SERVE_ONCE, str(config), *HEAVY], cwd=cwd,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def test_the_starter_config_loads_no_channel_library_it_does_not_use(tmp_path: Path) -> None:
    assert loaded_when_serving(ROOT / "leadgate.toml", tmp_path) == []


def test_a_configured_bot_brings_aiogram_and_nothing_else(tmp_path: Path) -> None:
    config = tmp_path / "bot.toml"
    config.write_text('[telegram.bots.main]\ntoken = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"\n'
                      'mode = "webhook"\nsecret = "s3cret"\n')

    loaded = loaded_when_serving(config, tmp_path)
    assert "aiogram" in loaded
    assert not [m for m in loaded if m.split(".")[0] in ("aio_pika", "panoramisk", "imapclient")]
