"""Delivery throughput against local fake Twilio/SendGrid APIs that answer in `--latency` seconds.

    python benchmarks/delivery_benchmark.py                  # 1,000 messages, 100 ms, concurrency 1, 16, 32
    python benchmarks/delivery_benchmark.py --concurrency 16 --messages 200

Half the messages are emails (SendGrid), half SMS (Twilio), queued as a submission queues them.
The fakes run in their own process (tests/fakes/serve.py), as real APIs would, so their work does
not compete with the worker for the GIL. Prints total time, throughput, the most provider requests
in flight at once, and checks every message was accepted exactly once. Concurrency 1 is the old
sequential deliver_due.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import select  # noqa: E402

from careconnect_app import config, db  # noqa: E402
from careconnect_app.models import OutgoingMessage  # noqa: E402
from careconnect_app.messaging import backends, outbox
from tests.fakes.data import BASE_ENV, make_family, notify  # noqa: E402
from tests.fakes.sendgrid import API_KEY  # noqa: E402
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER  # noqa: E402


def start_fakes(latency: float) -> tuple[subprocess.Popen, dict]:
    proc = subprocess.Popen([sys.executable, "-m", "tests.fakes.serve", "--latency", str(latency)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    return proc, json.loads(proc.stdout.readline())


def stats(base_url: str) -> dict:
    with urllib.request.urlopen(f"{base_url}/__fake/stats") as r:
        return json.load(r)


def relaxed_sqlite_sync(engine) -> None:
    """PRAGMA synchronous=NORMAL (safe with WAL against crashes; a power cut may drop the last commits)."""
    from sqlalchemy import event

    event.listen(engine, "connect", lambda conn, _rec: conn.execute("PRAGMA synchronous=NORMAL"))


def configure(folder: Path, urls: dict, concurrency: int, sync_normal: bool = False) -> None:
    os.environ.update({
        **BASE_ENV, "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}", "CARECONNECT_OUTBOX": str(folder / "o.jsonl"),
        "CARECONNECT_SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": FROM_NUMBER, "TWILIO_API_BASE": urls["twilio"],
        "CARECONNECT_EMAIL_BACKEND": "sendgrid", "SENDGRID_API_KEY": API_KEY, "SENDGRID_API_HOST": urls["sendgrid"],
        "CARECONNECT_EMAIL_FROM": "sign@careconnect.example.org",
        "CARECONNECT_DELIVERY_CONCURRENCY": str(concurrency),
    })
    config.get_settings.cache_clear()
    db.reset_engine()
    backends.reset_backends()
    db.migrate()
    if sync_normal:
        relaxed_sqlite_sync(db.get_engine())


def queue(messages: int) -> None:
    with db.session_scope() as session:
        for i in range(messages // 2):  # one family = one email + one SMS
            notify(session, make_family(session, email=f"parent{i}@example.com", phone=f"+1555{i:07d}"))


def run(messages: int, latency: float, concurrency: int, sync_normal: bool = False) -> dict:
    proc, urls = start_fakes(latency)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            configure(Path(tmp), urls, concurrency, sync_normal)
            queue(messages)
            start = time.perf_counter()
            while outbox.deliver_due(limit=200):
                pass
            elapsed = time.perf_counter() - start
            with db.session_scope() as session:
                rows = list(session.exec(select(OutgoingMessage.id, OutgoingMessage.status)))
            db.reset_engine()
        twilio, sendgrid = stats(urls["twilio"]), stats(urls["sendgrid"])
    finally:
        proc.terminate()
        proc.wait()
    accepted = Counter(twilio["accepted_ids"] + sendgrid["accepted_ids"])
    once = all(status == "sent" and accepted[str(mid)] == 1 for mid, status in rows) and sum(accepted.values()) == len(rows)
    return {"concurrency": concurrency, "messages": len(rows), "seconds": elapsed, "per_second": len(rows) / elapsed,
            "max_in_flight": twilio["max_inflight"], "exactly_once": once}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds each fake API call takes")
    parser.add_argument("--concurrency", default="1,16,32", help="comma-separated values to compare")
    parser.add_argument("--sqlite-sync-normal", action="store_true",
                        help="also run with PRAGMA synchronous=NORMAL (what db.py could set with WAL)")
    args = parser.parse_args()
    print(f"{args.messages} messages (half email/SendGrid, half SMS/Twilio), provider latency "
          f"{args.latency * 1000:.0f} ms, SQLite, {os.cpu_count()} CPUs")
    print(f"{'concurrency':>11} {'total s':>8} {'msg/s':>8} {'max in flight':>14} {'exactly once':>13}")
    for sync_normal in ([False, True] if args.sqlite_sync_normal else [False]):
        if sync_normal:
            print("with PRAGMA synchronous=NORMAL:")
        for c in (int(x) for x in args.concurrency.split(",")):
            r = run(args.messages, args.latency, c, sync_normal)
            print(f"{r['concurrency']:>11} {r['seconds']:>8.1f} {r['per_second']:>8.1f} {r['max_in_flight']:>14} "
                  f"{str(r['exactly_once']):>13}", flush=True)


if __name__ == "__main__":
    main()
