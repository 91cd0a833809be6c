"""The audit trail is a hash chain per sheet: written in one place, append-only, never forked, checkable."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import delete, select, update

from careconnect_app.__main__ import main
from careconnect_app.common import audit
from careconnect_app.db import session_scope
from careconnect_app.models import AppendOnlyError, AuditChainHead, AuditEvent, Signature
from tests.fakes.sheets import sheet_of, submit_and_sign
from tests.support.sql import statements_sent


def _events(sheet_id=None):
    with session_scope() as s:
        where = AuditEvent.sheet_id.is_(None) if sheet_id is None else AuditEvent.sheet_id == sheet_id
        return s.exec(select(AuditEvent).where(where).order_by(AuditEvent.id)).all()


def test_each_event_holds_the_hash_of_the_one_before_it_per_sheet(weekly_sheet):
    submit_and_sign(weekly_sheet)
    with session_scope() as s:
        audit.record(s, "portal_login", actor="provider", ip="10.0.0.1")  # no sheet: the global chain
        audit.record(s, "portal_logout", actor="provider")
    events = _events(weekly_sheet["sheet"])
    assert [e.event for e in events][:1] == ["submitted"] and "signed" in [e.event for e in events]
    assert events[0].prev_hash == ""
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash == audit.event_hash(before)
    logins = _events(None)
    assert [e.event for e in logins] == ["portal_login", "portal_logout"]
    assert logins[1].prev_hash == logins[0].hash
    with session_scope() as s:
        head = s.get(AuditChainHead, f"sheet:{weekly_sheet['sheet']}")
        assert head.length == len(events) and head.last_hash == events[-1].hash
        assert audit.check_all(s).ok


def test_evidence_rows_cannot_be_changed_or_deleted_through_the_app(weekly_sheet):
    submit_and_sign(weekly_sheet)
    with session_scope() as s:
        event = s.exec(select(AuditEvent)).first()
        event.ip = "10.9.9.9"
        s.add(event)
        with pytest.raises(AppendOnlyError):
            s.flush()
        s.rollback()
        with pytest.raises(AppendOnlyError):
            s.delete(s.exec(select(Signature)).one())
            s.flush()
        s.rollback()
        with pytest.raises(AppendOnlyError):
            s.exec(update(AuditEvent).values(ip=""))
        with pytest.raises(AppendOnlyError):
            s.exec(delete(Signature))


def test_postgres_trigger_refuses_update_and_delete(weekly_sheet, database):
    submit_and_sign(weekly_sheet)
    if database.kind == "sqlite":  # no trigger: raw SQL gets through, and the chain shows it
        with session_scope() as s:
            s.exec(text("UPDATE auditevent SET ip = 'x' WHERE id = (SELECT MIN(id) FROM auditevent)"))
        assert _first_break(weekly_sheet["sheet"]).problem == "changed"
        return
    for statement in ("UPDATE auditevent SET ip = 'x'", "DELETE FROM auditevent",
                      "UPDATE signature SET signer_name = 'x'", "DELETE FROM signature", "TRUNCATE auditevent CASCADE"):
        with pytest.raises(DBAPIError, match="append-only"):
            with session_scope() as s:
                s.exec(text(statement))


def _tamper(database, *statements: str) -> None:
    """Someone with the database owner's rights (on PostgreSQL: the trigger switched off first)."""
    with session_scope() as s:
        if database.kind == "postgres":
            s.exec(text("ALTER TABLE auditevent DISABLE TRIGGER auditevent_append_only"))
        for statement in statements:
            s.exec(text(statement))


def _first_break(sheet_id):
    with session_scope() as s:
        return audit.check_sheet(s, sheet_id)


@pytest.mark.parametrize("change, problem", [
    ("UPDATE auditevent SET detail = 'edited' WHERE id = {second}", "changed"),
    ("DELETE FROM auditevent WHERE id = {second}", "unlinked"),
    ("DELETE FROM auditevent WHERE id = {last}", "cut"),
])
def test_a_changed_removed_or_cut_event_breaks_the_chain_there(weekly_sheet, database, change, problem, capsys):
    submit_and_sign(weekly_sheet)
    events = _events(weekly_sheet["sheet"])
    assert _first_break(weekly_sheet["sheet"]) is None
    _tamper(database, change.format(second=events[1].id, last=events[-1].id))
    broken = _first_break(weekly_sheet["sheet"])
    assert broken.problem == problem
    expected = {"changed": events[1].id, "unlinked": events[2].id, "cut": None}[problem]
    assert broken.event_id == expected
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert f"BROKEN sheet:{weekly_sheet['sheet']}" in out and "1 chain(s) broken" in out


def test_audit_verify_command_on_an_intact_trail(weekly_sheet, capsys):
    submit_and_sign(weekly_sheet)
    assert main(["audit", "verify"]) == 0
    assert "every chain is unbroken" in capsys.readouterr().out


def test_concurrent_writers_never_fork_a_chain(weekly_sheet, database):
    """Twelve threads append to one sheet's chain at once: every event follows exactly one other."""
    sheet_id = weekly_sheet["sheet"]
    barrier, errors = threading.Barrier(12), []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(3):
                with session_scope() as s:
                    audit.record(s, "document_downloaded", actor="provider", sheet_id=sheet_id,
                                 detail={"writer": n, "i": i})
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(12)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == []
    events = _events(sheet_id)
    assert len(events) == 36
    assert len({e.prev_hash for e in events}) == 36  # no two events follow the same one: no fork
    assert _first_break(sheet_id) is None
    with session_scope() as s:
        assert sheet_of(s, weekly_sheet).id == sheet_id


def test_an_event_is_one_statement_on_postgres_and_a_held_chain_is_not_locked_again(weekly_sheet, database):
    """Round trips are what an audited step costs most: on PostgreSQL the event and its chain's head
    are written by one statement (two on SQLite); `after=` (the head a lock holder knows) takes no
    second lock. The chain adds up either way."""
    sheet_id = weekly_sheet["sheet"]
    with session_scope() as s, statements_sent() as sent:
        audit.record(s, "document_downloaded", actor="provider", sheet_id=sheet_id)  # the chain has a head
        sent.clear()
        held = audit.lock_chain(s, sheet_id)
        first = audit.record(s, "document_downloaded", actor="provider", sheet_id=sheet_id, after=held)
        second = audit.record(s, "document_downloaded", actor="provider", sheet_id=sheet_id, after=first.hash)
        third = audit.record(s, "document_downloaded", actor="provider", sheet_id=sheet_id)
    locks = [q for q in sent if q.startswith("UPDATE auditchainhead SET length=auditchainhead.length ")]
    assert len(locks) == 2  # lock_chain's, and the third event's (it was given no head)
    assert len(sent) == 2 + 3 * (1 if database.kind == "postgres" else 2)
    assert (second.prev_hash, third.prev_hash) == (first.hash, second.hash) and first.prev_hash == held
    assert _first_break(sheet_id) is None
    with session_scope() as s:
        head = s.get(AuditChainHead, f"sheet:{sheet_id}")
        assert (head.last_hash, head.last_event_id) == (third.hash, third.id)
        assert head.length == len(_events(sheet_id))
