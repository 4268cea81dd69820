"""The shipped PBX configuration reads as Asterisk would, and agrees with Leadgate's own config."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from channels.telephony.permissions import READ_CLASSES, WRITE_CLASSES
from tests.deploy.asterisk_conf import ConfSyntaxError, parse_conf, sections_named

ROOT = Path(__file__).resolve().parents[2]
ASTERISK = ROOT / "deploy" / "asterisk"
LEADGATE = tomllib.loads((ROOT / "deploy" / "leadgate.toml").read_text("utf-8"))


@pytest.mark.parametrize("conf", sorted(p.name for p in ASTERISK.glob("*.conf")))
def test_every_shipped_conf_file_parses(conf: str) -> None:
    assert parse_conf(ASTERISK / conf)


def test_the_reader_refuses_what_asterisk_would_not_read(tmp_path: Path) -> None:
    bad = tmp_path / "bad.conf"
    bad.write_text("[general]\nenabled yes\n")
    with pytest.raises(ConfSyntaxError, match="bad.conf:2"):
        parse_conf(bad)
    bad.write_text("orphan = 1\n")
    with pytest.raises(ConfSyntaxError, match="before any"):
        parse_conf(bad)


def test_the_ami_user_has_exactly_the_permissions_leadgate_needs() -> None:
    asterisk = LEADGATE["asterisk"]
    [user] = sections_named(parse_conf(ASTERISK / "manager.conf"), asterisk["username"])

    assert set(user.value("read").split(",")) == READ_CLASSES
    assert set(user.value("write").split(",")) == WRITE_CLASSES
    assert user.value("secret") == asterisk["secret"]


def test_the_readme_lists_the_same_ami_permissions() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    listed = re.findall(r"^\| `(read|write) = (\w+)` \|", readme, re.MULTILINE)

    assert {c for kind, c in listed if kind == "read"} == READ_CLASSES
    assert {c for kind, c in listed if kind == "write"} == WRITE_CLASSES


def test_sip_listens_on_every_interface_and_rtp_is_the_range_compose_publishes() -> None:
    pjsip = parse_conf(ASTERISK / "pjsip.conf")
    transports = [s for s in pjsip if s.values("type") == ["transport"]]
    [rtp] = parse_conf(ASTERISK / "rtp.conf")
    compose = (ROOT / "docker-compose.yml").read_text("utf-8")

    assert transports and all(t.value("bind").startswith("0.0.0.0:") for t in transports)
    ports = f'{rtp.value("rtpstart")}-{rtp.value("rtpend")}'
    published = f'"{ports}:{ports}/udp"'
    assert published in compose
    assert len(re.findall(r"/udp", compose)) == 2  # SIP and this one RTP range, nothing else


def test_the_dialplan_asks_leadgate_for_the_owner_exactly_as_the_readme_shows() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    block = readme.split("[from-trunk]\n", 1)[1].split("```", 1)[0]
    dialplan = (ASTERISK / "extensions.conf").read_text("utf-8")

    assert "[from-trunk]\n" + block in dialplan
    [trunk] = sections_named(parse_conf(ASTERISK / "extensions.conf"), "from-trunk")
    dids = {v.split(",")[0] for v in trunk.values("exten")}
    assert dids == set(LEADGATE["asterisk"]["did"]) == set(LEADGATE["asterisk"]["own_numbers"])
    assert LEADGATE["asterisk"]["trunk_contexts"] == ["from-trunk"]


def test_the_mailbox_leadgate_reads_exists_in_the_stacks_dovecot() -> None:
    users = (ROOT / "deploy" / "dovecot" / "users").read_text("utf-8").splitlines()
    entries = dict(line.split(":", 1) for line in users if line and not line.startswith("#"))

    for mailbox in LEADGATE["imap"]["mailboxes"]:
        assert mailbox["host"] == "mail"
        assert entries[mailbox["user"]] == "{PLAIN}" + mailbox["password"]


def test_the_stacks_dovecot_config_is_valid_dovecot_2_3() -> None:
    checked = subprocess.run(
        ["doveconf", "-c", str(ROOT / "deploy" / "dovecot" / "dovecot.conf"), "-n"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
