"""`leadgate ban add|list|remove` as a user runs it."""

from __future__ import annotations

from pathlib import Path

from tests.leadgate.cli.test_command import leadgate


def test_ban_add_list_and_remove(tmp_path: Path) -> None:
    (tmp_path / "leadgate.toml").write_text('default_region = "UZ"\n')
    added = leadgate("ban", "add", "phone", "90 123 45 67", "--reason", "spam calls", cwd=tmp_path)
    again = leadgate("ban", "add", "phone", "+998901234567", cwd=tmp_path)
    domain = leadgate("ban", "add", "domain", "Spam.Example", cwd=tmp_path)
    listed = leadgate("ban", "list", cwd=tmp_path)
    removed = leadgate("ban", "remove", "phone", "+998 90 123-45-67", cwd=tmp_path)
    missing = leadgate("ban", "remove", "phone", "+998901234567", cwd=tmp_path)
    left = leadgate("ban", "list", "--json", cwd=tmp_path)
    bad = leadgate("ban", "add", "email", "not-an-address", cwd=tmp_path)
    unknown = leadgate("ban", "add", "fax", "123", cwd=tmp_path)

    assert added.returncode == 0 and "+998901234567" in added.stdout, added.stderr
    assert again.returncode == 0 and domain.returncode == 0
    assert "+998901234567" in listed.stdout and "spam calls" in listed.stdout
    assert "spam.example" in listed.stdout
    assert removed.returncode == 0
    assert missing.returncode != 0 and "not banned" in missing.stderr
    assert '"spam.example"' in left.stdout and "+998901234567" not in left.stdout
    assert bad.returncode != 0 and "not a valid e-mail" in bad.stderr
    assert unknown.returncode != 0


def test_every_ban_command_has_help(tmp_path: Path) -> None:
    for command in (["ban"], ["ban", "add"], ["ban", "list"], ["ban", "remove"]):
        result = leadgate(*command, "--help", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "usage: leadgate" in result.stdout
