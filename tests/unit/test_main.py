"""The command line (`python -m careconnect_app ...`)."""

from __future__ import annotations

from careconnect_app.__main__ import main
from careconnect_app.db import session_scope
from careconnect_app.portal import accounts
from careconnect_app.signing import evidence
from tests.fakes.sheets import sheet_of, submit_and_sign


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


def test_verify_command_says_verified_or_not(weekly_sheet, tmp_path, capsys):
    reference = submit_and_sign(weekly_sheet)
    with session_scope() as s:
        copy, _ = evidence.signed_attendance_pdf(s, sheet_of(s, weekly_sheet))
        document_hash = evidence.signature_by_reference(s, reference).document_hash
    good, bad = tmp_path / "copy.pdf", tmp_path / "changed.pdf"
    good.write_bytes(copy)
    bad.write_bytes(copy[:5000] + bytes([copy[5000] ^ 1]) + copy[5001:])
    assert main(["verify", str(good)]) == 0
    out = capsys.readouterr().out
    assert "VERIFIED: This copy is genuine" in out and "[  ok] Digital seal intact" in out and reference in out
    assert main(["verify", str(bad)]) == 1
    assert "NOT VERIFIED" in capsys.readouterr().out
    assert main(["verify", "--reference", reference, "--hash", document_hash, "--lang", "es"]) == 0
    assert "VERIFICADO" in capsys.readouterr().out
    assert main(["verify", str(tmp_path / "missing.pdf")]) == 2
    assert main(["verify"]) == 2
