"""Recording taps from today's board: how long a batch takes, the way the event handler runs it.

    python benchmarks/taps_benchmark.py                        # SQLite file, 40 children, 20 rounds
    python benchmarks/taps_benchmark.py --database postgresql+psycopg://user:pw@127.0.0.1/db

A provider with `--children` children taps each one in and out `--rounds` times: first one tap
per event (a phone at the door, online), then the same number of taps queued offline and sent in
batches of 50 (a phone coming back online), and finally every batch again (answers lost: all
duplicates). Each event is one database transaction that records its taps and reads the board
back, as TodayState.sync does. Prints per-event latency (median and 95th percentile) and taps per
second, and checks that every tap was recorded exactly once.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import func, select  # noqa: E402

from careconnect_app import config, db  # noqa: E402
from careconnect_app.clock import utcnow  # noqa: E402
from careconnect_app.models import Agency, AttendanceTap, Child, PortalUser, Provider  # noqa: E402
from careconnect_app.portal import accounts, taps, today  # noqa: E402
from careconnect_app.statuses import TapAction  # noqa: E402
from tests.fakes.board import tap  # noqa: E402
from tests.fakes.data import BASE_ENV  # noqa: E402


def setup(children: int) -> tuple[int, list[int]]:
    with db.session_scope() as s:
        agency = Agency(name="Bench", period_type="monthly", timezone="America/Los_Angeles")
        s.add(agency)
        s.flush()
        provider = Provider(agency_id=agency.id, name="Bench provider")
        s.add(provider)
        s.flush()
        kids = [Child(provider_id=provider.id, first_name=f"Kid{n}", last_name="Bench") for n in range(children)]
        s.add_all(kids)
        s.flush()
        user = accounts.create_user(s, email=f"bench-{time.time_ns()}@example.com", name="Bench",
                                    password="bench-password-1", role="provider", agency_id=agency.id,
                                    provider_id=provider.id)
        return user.id, [k.id for k in kids]


def send(user_id: int, batch: list[taps.TapInput]) -> float:
    started = time.perf_counter()
    with db.session_scope() as s:
        user = s.get(PortalUser, user_id)
        taps.record_taps(s, user, batch)
        today.board(s, user)
    return time.perf_counter() - started


def report(name: str, seconds: list[float], tap_count: int) -> None:
    p95 = sorted(seconds)[max(0, int(len(seconds) * 0.95) - 1)]
    print(f"{name:<34} {len(seconds):>5} events  median {statistics.median(seconds) * 1000:7.1f} ms  "
          f"p95 {p95 * 1000:7.1f} ms  {tap_count / sum(seconds):8.0f} taps/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="")
    parser.add_argument("--children", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cc-taps-"))
    os.environ.update({**BASE_ENV, "DATABASE_URL": args.database or f"sqlite:///{folder / 'bench.db'}",
                       "CARECONNECT_OUTBOX": str(folder / "o.jsonl")})
    config.get_settings.cache_clear()
    db.reset_engine()
    db.migrate()
    user_id, children = setup(args.children)
    start = utcnow() - timedelta(hours=10)

    def day_of_taps(offset: timedelta, queued: bool) -> list[taps.TapInput]:
        """A day of taps kept on the device, sent now."""
        made = []
        for round_ in range(args.rounds):
            for n, child in enumerate(children):
                at = start + offset + timedelta(minutes=round_ * 10, seconds=n)
                made.append(tap(child, TapAction.CHECK_IN, at, sent=utcnow(), queued=queued))
                made.append(tap(child, TapAction.CHECK_OUT, at + timedelta(minutes=5), sent=utcnow(),
                                queued=queued))
        return made

    actions = [TapAction.CHECK_IN, TapAction.CHECK_OUT] * args.rounds
    online = [(child, action) for action in actions for child in children]
    report("one tap per event (online)", [send(user_id, [tap(child, action, utcnow())]) for child, action in online],
           len(online))
    queued = day_of_taps(timedelta(0), queued=True)
    batches = [queued[i:i + taps.MAX_BATCH] for i in range(0, len(queued), taps.MAX_BATCH)]
    report(f"batches of {taps.MAX_BATCH} (back online)", [send(user_id, b) for b in batches], len(queued))
    report(f"batches of {taps.MAX_BATCH}, all duplicates", [send(user_id, b) for b in batches], len(queued))
    with db.session_scope() as s:
        stored = s.exec(select(func.count()).select_from(AttendanceTap)).one()
    assert stored == len(online) + len(queued), (stored, len(online) + len(queued))
    print(f"recorded exactly once: {stored} taps ({db.get_engine().dialect.name})")


if __name__ == "__main__":
    main()
