"""The command line (`python -m careconnect_app ...`)."""

from __future__ import annotations

from careconnect_app.__main__ import main
from careconnect_app.db import session_scope
from careconnect_app.portal import accounts


def _login(email, password, ip="10.0.0.1"):
    with session_scope() as s:
        return accounts.login(s, email, password, ip=ip, user_agent="pytest")


def test_create_admin_command(database, capsys):
    assert main(["create-admin", "boss@agency.example", "--name", "Boss", "--agency-name", "New Agency",
                 "--password", "a-long-password"]) == 0
    assert "Created agency admin boss@agency.example" in capsys.readouterr().out
    assert main(["create-admin", "boss@agency.example", "--agency-id", "1", "--password", "a-long-password"]) == 1
    assert main(["create-admin", "x@agency.example", "--agency-id", "1", "--password", "short"]) == 1
    assert _login("boss@agency.example", "a-long-password").ok
