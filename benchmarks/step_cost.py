"""What each wizard step costs in the database layer, without Reflex: CPU and SQL statements.

    python benchmarks/step_cost.py                                  # SQLite in a temp folder
    DATABASE_URL=postgresql+psycopg://... python benchmarks/step_cost.py --journeys 30

Runs `--journeys` parents through the first paint's read (api/sign_preview: page) and the steps
the wizard's handlers run on their worker threads (pages/sign/actions: open, start, send_code,
check_code, mark_reviewed, sign), each in its own transaction as `in_session` runs it, and prints
per step the median CPU of the calling thread and the SQL statements it sent. Then what one
statement costs here: a prebuilt Core select, an ORM select built per call (as the steps do) and a
whole unit of work. The first journeys warm the caches and are left out. (issue 10: the 500-parent
CPU target; see README "Running at scale".)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select, text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from benchmarks.evidence_benchmark import _setup  # noqa: E402
from careconnect_app import config, db  # noqa: E402
from careconnect_app.api import sign_preview  # noqa: E402
from careconnect_app.messaging import outbox  # noqa: E402
from careconnect_app.models import SigningRequest  # noqa: E402
from careconnect_app.pages.sign import actions  # noqa: E402
from tests.fakes.data import cursive_strokes, submitted_request  # noqa: E402
from tests.fakes.rows import CODE, delivered  # noqa: E402

WARM_UP = 3
STEPS = ("page", "open", "start", "send_code", "check_code", "mark_reviewed", "sign")


class Meter:
    """Process CPU and statements of each step."""

    def __init__(self):
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.statements: dict[str, list[int]] = defaultdict(list)
        self._count = 0
        event.listen(db.get_engine(), "before_cursor_execute", self._counted)

    def _counted(self, *_args) -> None:
        self._count += 1

    def step(self, name: str, keep: bool, fn, *args, **kwargs):
        self._count, start = 0, time.thread_time()
        result = db.run_in_session(fn, *args, **kwargs)
        if keep:
            self.cpu[name].append(time.thread_time() - start)
            self.statements[name].append(self._count)
        return result


def journey(meter: Meter, n: int, outbox_file: Path) -> None:
    keep = n >= WARM_UP
    request_id, token = submitted_request(email=f"p{n}@example.com", phone=f"+1555556{n:04d}")
    visit = actions.Visit(0, "", "en", "203.0.113.7", "step-cost")
    meter.step("page", keep, sign_preview.preview_in, token, visit.ip, "en-US")  # the first paint (api/sign_preview)
    opened = meter.step("open", keep, actions.open_link, token, visit, keep_locale=False)
    visit = actions.Visit(opened.request_id, "", "en", "203.0.113.7", "step-cost")
    meter.step("start", keep, actions.on_live_link, visit, actions.start, need_verified=False)
    sent = meter.step("send_code", keep, actions.on_live_link, visit, actions.send_code, "email", need_verified=False)
    assert sent.ok, sent
    outbox.deliver_due()  # the worker's part: not a wizard step
    code = CODE.findall(delivered(outbox_file, "verification_code")[-1]["text"])[-1]
    checked = meter.step("check_code", keep, actions.on_live_link, visit, actions.check_code, code,
                         need_verified=False)
    assert checked.outcome.ok, checked
    visit = actions.Visit(opened.request_id, checked.outcome.session_secret, "en", "203.0.113.7", "step-cost")
    reviewed = meter.step("mark_reviewed", keep, actions.on_live_link, visit, actions.mark_reviewed,
                          checked.view.review._shown_hash)
    assert isinstance(reviewed, str), reviewed
    signing = meter.step("sign", keep, actions.on_live_link, visit, actions.sign_live, cursive_strokes(), "",
                         certified=True, consented=True, reviewed_hash=reviewed)
    assert signing.outcome.ok, signing


def statement_floor(runs: int) -> list[tuple[str, float]]:
    """CPU of one statement, by how it is sent (µs)."""
    engine = db.get_engine()
    table = SigningRequest.__table__
    prebuilt = select(table).where(table.c.id == 1)

    def cpu(fn) -> float:
        start = time.thread_time()
        for _ in range(runs):
            fn()
        return (time.thread_time() - start) / runs * 1e6

    def unit_of_work():
        with Session(engine) as s:
            s.exec(select(SigningRequest).where(SigningRequest.id == 1)).first()
            s.commit()

    with Session(engine) as session:
        connection = session.connection()
        return [
            ("Core text SELECT 1", cpu(lambda: connection.execute(text("SELECT 1")).first())),
            ("Core select, prebuilt", cpu(lambda: connection.execute(prebuilt).first())),
            ("ORM select, built per call", cpu(lambda: session.exec(
                select(SigningRequest).where(SigningRequest.id == 1)).first())),
            ("session + ORM select + commit", cpu(unit_of_work)),
        ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--journeys", type=int, default=20)
    parser.add_argument("--statement-runs", type=int, default=2000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cc-step-cost-"))
    _setup(folder)
    outbox_file = Path(config.get_settings().outbox_path)
    meter = Meter()
    for n in range(WARM_UP + args.journeys):
        journey(meter, n, outbox_file)
    print(f"{args.journeys} journeys on {db.get_engine().dialect.name} (after {WARM_UP} to warm up), "
          "median per step:")
    total_cpu = total_statements = 0.0
    for name in STEPS:
        cpu_ms = statistics.median(meter.cpu[name]) * 1000
        statements = statistics.median(meter.statements[name])
        total_cpu, total_statements = total_cpu + cpu_ms, total_statements + statements
        print(f"  {name:<14} {cpu_ms:6.2f} ms CPU   {statements:4.0f} statements")
    print(f"  {'journey':<14} {total_cpu:6.2f} ms CPU   {total_statements:4.0f} statements")
    print("one statement, CPU per run:")
    for label, micros in statement_floor(args.statement_runs):
        print(f"  {label:<32} {micros:6.0f} µs")


if __name__ == "__main__":
    main()
