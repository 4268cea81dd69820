"""Tokens as an operator manages them: list without secrets, revoke by id, refused at once."""

from __future__ import annotations

from pathlib import Path

from tests.leadgate.cli.test_command import leadgate
from tests.support.leadgate_http import running_leadgate


def test_tokens_are_listed_with_role_and_use_but_never_the_secret(tmp_path: Path) -> None:
    leadgate("db", "upgrade", cwd=tmp_path)
    secret = leadgate("tokens", "create", "--role", "admin", cwd=tmp_path).stdout.split()[-1]
    leadgate("tokens", "create", "--role", "dialplan", cwd=tmp_path)
    listed = leadgate("tokens", "list", cwd=tmp_path)

    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["id", "role", "manager", "created", "last", "used", "state"]
    assert [line.split()[:2] for line in lines[1:]] == [["1", "admin"], ["2", "dialplan"]]
    assert all(line.split()[-1] == "active" for line in lines[1:])
    assert secret not in listed.stdout and secret[3:20] not in listed.stdout


def test_a_revoked_token_is_listed_as_revoked_and_a_second_revoke_says_so(
    tmp_path: Path,
) -> None:
    leadgate("db", "upgrade", cwd=tmp_path)
    leadgate("tokens", "create", "--role", "admin", cwd=tmp_path)
    revoked = leadgate("tokens", "revoke", "1", cwd=tmp_path)
    again = leadgate("tokens", "revoke", "1", cwd=tmp_path)
    listed = leadgate("tokens", "list", cwd=tmp_path)

    assert (revoked.returncode, revoked.stdout.strip()) == (0, "token 1 revoked")
    assert again.returncode == 1 and "no active token 1" in again.stderr
    assert "revoked" in listed.stdout.splitlines()[1]


async def test_a_revoked_token_is_refused_on_the_very_next_request(database_url: str) -> None:
    from crm_store.tokens import create_token, list_tokens, revoke_token

    async with running_leadgate(database_url) as lg:
        lg.token = await create_token(lg.store.engine, "admin")
        before = await lg.get("/api/leads")
        [listed] = await list_tokens(lg.store.engine)
        await revoke_token(lg.store.engine, listed["id"])
        after = await lg.get("/api/leads")

    assert before.status == 200
    assert listed["last_used_at"] is not None
    assert (after.status, after.body["error"]) == (401, "unauthorized")


async def test_the_owner_look_up_takes_a_dialplan_or_admin_token_only(database_url: str) -> None:
    from crm_store.tokens import create_token

    async with running_leadgate(database_url, managers={"ira": {"name": "Ira"}}) as lg:
        answers = {}
        for role, manager in (("dialplan", None), ("admin", None), ("manager", "ira")):
            lg.token = await create_token(lg.store.engine, role, manager)
            look_up = await lg.get("/api/route/call", params={"caller": "+998901234567"})
            leads = await lg.get("/api/leads")
            answers[role] = (look_up.status, leads.status)

    assert answers == {"dialplan": (200, 403), "admin": (200, 200), "manager": (403, 200)}
