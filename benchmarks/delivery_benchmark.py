"""Delivery throughput against local fake Twilio/SendGrid APIs that answer in `--latency` seconds.

    python benchmarks/delivery_benchmark.py                      # both scenarios below, PostgreSQL
    python benchmarks/delivery_benchmark.py --messages 1000 --concurrency 64 --skip-two-workers
    python benchmarks/delivery_benchmark.py --database sqlite --skip-two-workers

1. One worker: `--messages` (1,000) queued, then sent by this process's delivery loop (claims
   for free slots, `--concurrency` in flight). Target: at least 60 % of the concurrency bound
   (concurrency / latency: 64 / 0.1 s = 640 messages/s, so >= 384 messages/s), every message
   accepted exactly once.
2. Two workers "on two machines": `--two-workers-messages` (10,000) queued, then two
   `python -m careconnect_app worker` processes send them, claiming with FOR UPDATE SKIP LOCKED
   (PostgreSQL). Target: every message accepted exactly once, none twice.

Half the messages are emails (SendGrid), half SMS (Twilio), queued as a submission queues them.
The fakes run in their own process (tests/fakes/serve.py), as real APIs would. PostgreSQL is a
private cluster in a temporary folder (tests/support/cluster.py), never the machine's own server.
Prints the figures and exits 0 when the targets are met, 1 when not.
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

from sqlmodel import func, select  # noqa: E402

from careconnect_app import config, db  # noqa: E402
from careconnect_app.messaging import backends, outbox  # noqa: E402
from careconnect_app.models import OutgoingMessage  # noqa: E402
from tests.fakes.data import BASE_ENV, make_family, notify  # noqa: E402
from tests.fakes.sendgrid import API_KEY  # noqa: E402
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER  # noqa: E402
from tests.fakes.webhooks import WEBHOOK_ENV  # noqa: E402
from tests.support.cluster import Postgres, cpu_seconds  # noqa: E402

FAMILY_MESSAGES = 2  # one email and one SMS per notification
NOTIFICATIONS_PER_FAMILY = 25  # a family notified again and again: queueing stays quick


def start_fakes(latency: float) -> tuple[subprocess.Popen, dict]:
    proc = subprocess.Popen([sys.executable, "-m", "tests.fakes.serve", "--latency", str(latency)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    return proc, json.loads(proc.stdout.readline())


def stats(base_url: str) -> dict:
    with urllib.request.urlopen(f"{base_url}/__fake/stats") as r:  # noqa: S310 (loopback)
        return json.load(r)


def settings_env(folder: Path, database_url: str, urls: dict, concurrency: int) -> dict:
    return {
        **BASE_ENV, **WEBHOOK_ENV, "DATABASE_URL": database_url, "CARECONNECT_OUTBOX": str(folder / "o.jsonl"),
        "CARECONNECT_SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": FROM_NUMBER, "TWILIO_API_BASE": urls["twilio"],
        "CARECONNECT_EMAIL_BACKEND": "sendgrid", "SENDGRID_API_KEY": API_KEY, "SENDGRID_API_HOST": urls["sendgrid"],
        "CARECONNECT_EMAIL_FROM": "sign@careconnect.example.org",
        "CARECONNECT_DELIVERY_CONCURRENCY": str(concurrency), "CARECONNECT_DB_POOL_SIZE": "16",
    }


def configure(env: dict) -> None:
    os.environ.update(env)
    config.get_settings.cache_clear()
    db.reset_engine()
    backends.reset_backends()
    db.migrate()


def queue(messages: int) -> list[int]:
    ids: list[int] = []
    family = 0
    while len(ids) < messages:
        with db.session_scope() as session:
            f = make_family(session, email=f"parent{family}@example.com", phone=f"+1555{family:07d}")
            for _ in range(NOTIFICATIONS_PER_FAMILY):
                if len(ids) >= messages:
                    break
                ids += notify(session, f)
        family += 1
    return ids


def sent_count() -> int:
    with db.session_scope() as session:
        return session.exec(select(func.count()).select_from(OutgoingMessage)
                            .where(OutgoingMessage.status == "sent")).one()


def exactly_once(ids: list[int], urls: dict) -> tuple[bool, int]:
    accepted = Counter(stats(urls["twilio"])["accepted_ids"] + stats(urls["sendgrid"])["accepted_ids"])
    twice = sum(1 for n in accepted.values() if n > 1)
    return sorted(int(i) for i in accepted) == sorted(ids) and twice == 0 and sent_count() == len(ids), twice


def one_worker(folder: Path, database_url: str, args) -> bool:
    proc, urls = start_fakes(args.latency)
    try:
        configure(settings_env(folder, database_url, urls, args.concurrency))
        ids = queue(args.messages)
        warm_start = time.perf_counter()
        backends.warm()  # as `worker` does when it starts, before its first claim
        print(f"   backends warmed in {1000 * (time.perf_counter() - warm_start):.0f} ms (not counted below)", flush=True)
        start, cpu_start, fakes_start = time.perf_counter(), time.process_time(), cpu_seconds({proc.pid})
        while outbox.deliver_due(limit=10_000):
            pass
        elapsed = time.perf_counter() - start
        worker_cpu, fakes_cpu = time.process_time() - cpu_start, cpu_seconds({proc.pid}) - fakes_start
        once, twice = exactly_once(ids, urls)
        in_flight = max(stats(urls["twilio"])["max_inflight"], stats(urls["sendgrid"])["max_inflight"])
    finally:
        proc.terminate()
        proc.wait()
        db.reset_engine()
    rate, bound = len(ids) / elapsed, args.concurrency / args.latency
    met = once and rate >= 0.6 * bound
    print(f"1. one worker: {len(ids)} messages in {elapsed:.2f} s = {rate:.0f} messages/s "
          f"({rate / bound:.0%} of the bound {bound:.0f}/s; target >= 60 % = {0.6 * bound:.0f}/s), "
          f"most in flight {in_flight}, exactly once: {once} (sent twice: {twice}) -> {'MET' if met else 'NOT MET'}",
          flush=True)
    print(f"   CPU: worker {worker_cpu:.2f} s ({1000 * worker_cpu / len(ids):.2f} ms per message), fake APIs "
          f"{fakes_cpu:.2f} s ({1000 * fakes_cpu / len(ids):.2f} ms per message), in {elapsed:.2f} s on "
          f"{os.cpu_count()} CPUs", flush=True)
    return met


def two_workers(folder: Path, database_url: str, args) -> bool:
    proc, urls = start_fakes(args.latency)
    workers: list[subprocess.Popen] = []
    try:
        env = settings_env(folder, database_url, urls, args.concurrency)
        configure(env)
        ids = queue(args.two_workers_messages)
        start = time.perf_counter()
        for n in (1, 2):
            log = open(folder / f"worker{n}.log", "wb")  # noqa: SIM115
            workers.append(subprocess.Popen([sys.executable, "-m", "careconnect_app", "worker", "--poll", "1"],
                                            cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT))
        deadline = start + args.timeout
        while sent_count() < len(ids) and time.perf_counter() < deadline:
            time.sleep(0.5)
        elapsed = time.perf_counter() - start
        once, twice = exactly_once(ids, urls)
        with db.session_scope() as session:
            by_worker = Counter(host.rsplit("/", 1)[0] for host in session.exec(select(OutgoingMessage.claimed_by)))
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
        proc.terminate()
        proc.wait()
        db.reset_engine()
    shares = ", ".join(f"{n}" for n in by_worker.values())
    print(f"2. two worker processes: {len(ids)} messages in {elapsed:.1f} s = {len(ids) / elapsed:.0f} messages/s, "
          f"shares {shares}, exactly once: {once} (sent twice: {twice}) -> {'MET' if once else 'NOT MET'}", flush=True)
    return once


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds each fake API call takes")
    parser.add_argument("--concurrency", type=int, default=64, help="sends in flight per worker")
    parser.add_argument("--two-workers-messages", type=int, default=10_000)
    parser.add_argument("--skip-two-workers", action="store_true")
    parser.add_argument("--timeout", type=float, default=900, help="seconds the two workers may take")
    args = parser.parse_args()
    print(f"Delivery: fake providers answering in {args.latency * 1000:.0f} ms, {args.concurrency} in flight per "
          f"worker, {args.database}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        postgres = Postgres(folder / "pg").init() if args.database == "postgres" else None
        try:
            def fresh(name: str) -> str:
                if postgres is None:
                    return f"sqlite:///{folder / name}.db"
                postgres.create_database(name)
                return postgres.url_of(name)

            met = one_worker(folder, fresh("one_worker"), args)
            if not args.skip_two_workers:
                met = two_workers(folder, fresh("two_workers"), args) and met
        finally:
            if postgres is not None:
                postgres.stop()
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
