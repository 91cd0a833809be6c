"""The standalone worker makes its sealed PDFs in a child process below its own CPU priority, so a
verification code never waits behind them; the PDFs are the same evidence, and a dead child is a retry."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from careconnect_app.db import session_scope
from careconnect_app.messaging import attachments, outbox, worker
from careconnect_app.messaging.backends.base import SendError
from careconnect_app.messaging.render_process import RenderProcess
from careconnect_app.models import OutgoingMessage
from careconnect_app.statuses import MessageStatus
from tests.fakes.sheets import submit_and_sign
from tests.unit.messaging.test_attachments import _receipt_email, _verified


def _sealed_copy_in_outbox(outbox_file: Path) -> bytes:
    (attachment,) = json.loads(outbox_file.read_text().splitlines()[-1])["attachments"]
    return Path(attachment["path"]).read_bytes()


def _not_in_this_process(specs):
    raise AssertionError("a PDF was made in the worker's own process")


@pytest.fixture
def renderer(database):
    made = RenderProcess(nice=3)
    yield made
    attachments.make_in(None)
    made.close()


def test_the_pdfs_are_made_in_a_child_below_the_worker_and_are_the_same_evidence(weekly_sheet, database,
                                                                                    renderer, monkeypatch):
    mid = _receipt_email(weekly_sheet)
    pid, nice = renderer.child()
    assert pid != os.getpid() and nice == min(19, os.nice(0) + 3)
    monkeypatch.setattr(attachments, "render_specs", _not_in_this_process)  # the child has its own, unpatched
    attachments.make_in(renderer)
    assert outbox.deliver_one(mid) == "sent"
    pdf = _sealed_copy_in_outbox(database.outbox)
    assert pdf.startswith(b"%PDF") and _verified(pdf)


def test_a_file_that_cannot_be_made_in_the_child_fails_the_message_for_good(weekly_sheet, database, renderer):
    with pytest.raises(SendError) as failed:
        renderer.render([{"kind": "signed_copy", "sheet_id": 999_999}])
    assert failed.value.permanent and "cannot be made" in str(failed.value)
    mid = _receipt_email(weekly_sheet)
    with session_scope() as s:
        s.get(OutgoingMessage, mid).attachments = json.dumps([{"kind": "certificate", "sheet_id": 999_999}])
    attachments.make_in(renderer)
    assert outbox.deliver_one(mid) == "failed"
    with session_scope() as s:
        assert "cannot be made" in s.get(OutgoingMessage, mid).last_error


def test_a_database_the_child_cannot_reach_is_a_retry_not_a_lost_message(weekly_sheet, database, monkeypatch):
    submit_and_sign(weekly_sheet)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody:nothing@127.0.0.1:9/none")  # the child's only
    cut_off = RenderProcess(nice=1)
    try:
        with pytest.raises(SendError) as failed:
            cut_off.render([attachments.signed_copy(weekly_sheet["sheet"])])
    finally:
        cut_off.close()
    assert not failed.value.permanent and str(failed.value).startswith("OperationalError: ")


def test_a_child_that_dies_is_a_retry_and_a_new_one_makes_the_next_pdf(weekly_sheet, database, renderer):
    submit_and_sign(weekly_sheet)
    spec = [attachments.signed_copy(weekly_sheet["sheet"])]
    first_pid, _ = renderer.child()
    os.kill(first_pid, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the pool notices its child's death on its own thread
        try:
            renderer.render(spec)
        except SendError as error:
            assert not error.permanent and "stopped" in str(error)
            break
        time.sleep(0.05)
    else:
        pytest.fail("a render after the child died did not fail as a retry")
    (made,) = renderer.render(spec)
    assert renderer.child()[0] != first_pid and _verified(made.data)


def test_the_worker_sends_with_the_child_and_stops_it_when_it_stops(weekly_sheet, database, monkeypatch):
    mid = _receipt_email(weekly_sheet)
    monkeypatch.setattr(attachments, "render_specs", _not_in_this_process)
    stop = threading.Event()
    running = threading.Thread(target=worker.run_forever, kwargs=dict(poll_seconds=0.2, stop=stop, render_nice=2))
    running.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with session_scope() as s:
                status = s.get(OutgoingMessage, mid).status
            if status != MessageStatus.QUEUED and status != MessageStatus.SENDING:
                break
            time.sleep(0.1)
        assert status == MessageStatus.SENT
        assert isinstance(attachments._maker, RenderProcess)
    finally:
        stop.set()
        running.join(60)
    assert not running.is_alive() and attachments._maker is None
    assert _verified(_sealed_copy_in_outbox(database.outbox))


def test_a_killed_worker_leaves_no_render_process_behind(tmp_path):
    script = tmp_path / "killed_worker.py"
    script.write_text(
        "import os, signal\n"
        "from careconnect_app.messaging.render_process import RenderProcess\n"
        "if __name__ == '__main__':\n"
        "    print(RenderProcess(nice=1).child()[0], flush=True)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n")
    root, printed = str(Path(__file__).resolve().parents[3]), tmp_path / "child_pid"
    with printed.open("w") as out:  # a file, not a pipe: a child left behind would hold a pipe open
        killed = subprocess.run([sys.executable, str(script)], stdout=out, stderr=subprocess.STDOUT,
                                timeout=60, env={**os.environ, "PYTHONPATH": root})
    assert killed.returncode == -signal.SIGKILL, printed.read_text()
    child = int(printed.read_text().split()[0])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _running(child):
        time.sleep(0.2)
    assert not _running(child)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
