"""A private Dovecot IMAP server for tests: its own config, mail and port under a temp dir."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from imapclient import IMAPClient

from tests.support.loopback import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
DOVEADM = shutil.which("doveadm") or "/usr/bin/doveadm"
USER, PASSWORD = "sales@example.uz", "secret"
_CONFIG = """base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/home/%u
}}
mail_location = maildir:~/Maildir
default_login_user = dovenull
default_internal_user = dovecot
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


class Dovecot:
    """Start, stop and restart the server; plant mail; force a UIDVALIDITY change."""

    def __init__(self, root: Path) -> None:
        if not Path(DOVECOT).exists():
            pytest.fail("Dovecot is required (apt-get install dovecot-imapd); not found")
        self.root = root
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None
        for sub in ("run", "state", "home"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        # Dovecot refuses to run mail as root: the mail belongs to nobody, the tree is readable.
        root.chmod(0o755)
        shutil.chown(root / "home", "nobody", "nogroup")
        (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        self.config = root / "dovecot.conf"
        self.config.write_text(_CONFIG.format(root=root, port=self.port))

    def start(self) -> None:
        """Run the server in the foreground of a child process; wait until it answers."""
        self._process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.config)],
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                if self._process.poll() is not None:
                    output = self._process.stdout.read() if self._process.stdout else b""
                    pytest.fail(f"Dovecot did not start: {output.decode(errors='replace')}")
                time.sleep(0.05)
        pytest.fail("Dovecot did not open its port")

    def stop(self) -> None:
        """Stop the server (connections drop)."""
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=20)
            self._process = None

    def restart(self) -> None:
        """Stop and start again on the same port, with the same mail."""
        self.stop()
        self.start()

    def client(self) -> IMAPClient:
        """A logged-in client of the test user."""
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def plant(self, raw: bytes, folder: str = "INBOX") -> None:
        """Deliver a raw mail into a folder (as an MTA would)."""
        client = self.client()
        try:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            client.append(folder, raw)
        finally:
            client.logout()

    def flags(self, folder: str = "INBOX") -> list[set[bytes]]:
        """The flags of every mail in the folder, in UID order."""
        client = self.client()
        try:
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            fetched = client.get_flags(uids) if uids else {}
            return [set(fetched[uid]) for uid in sorted(fetched)]
        finally:
            client.logout()

    def change_uidvalidity(self, folder: str = "INBOX", value: int = 4242) -> None:
        """Give the folder a new UIDVALIDITY, as a restored or rebuilt mailbox would have."""
        subprocess.run([DOVEADM, "-c", str(self.config), "mailbox", "update", "-u", USER,
                        "--uid-validity", str(value), folder], check=True, capture_output=True,
                       timeout=30)


@contextmanager
def running_dovecot() -> Iterator[Dovecot]:
    """A running Dovecot with one user and an empty INBOX, for the block."""
    # Not under pytest's own temp dir: its parent is private to root, and Dovecot's mail
    # processes run as nobody.
    root = Path(tempfile.mkdtemp(prefix="leadgate-dovecot-"))
    server = Dovecot(root)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
