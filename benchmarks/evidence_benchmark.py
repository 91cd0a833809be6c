"""What evidence costs: sealing and checking PDFs, and appending to one audit chain from many writers.

    python benchmarks/evidence_benchmark.py                       # SQLite in a temp folder
    DATABASE_URL=postgresql+psycopg://... python benchmarks/evidence_benchmark.py --writers 16

Prints: the time to render + seal a signed copy and a certificate, to check a sealed PDF the way
/verify does (seal, manifest, document, records, attendance, chain), and audit events per second
when `--writers` threads append to the same sheet's chain at once (they wait for each other on the
chain's head: the price of a chain that never forks), with the chain checked afterwards.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from careconnect_app import config, db  # noqa: E402
from careconnect_app.common import audit  # noqa: E402
from careconnect_app.evidence import keys, verify  # noqa: E402
from careconnect_app.signing import evidence  # noqa: E402
from tests.fakes.data import BASE_ENV  # noqa: E402
from tests.fakes.sheets import sheet_of, submit_and_sign, weekly_draft  # noqa: E402


def _timed(fn, repeat: int) -> tuple[float, float]:
    """(median, worst) seconds of `repeat` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def _setup(folder: Path) -> None:
    os.environ.update({k: v for k, v in BASE_ENV.items() if k not in os.environ or k.startswith("CARECONNECT_")})
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder / 'bench.db'}")
    os.environ["CARECONNECT_OUTBOX"] = str(folder / "outbox.jsonl")
    for variable, path in keys.write_key_files(folder / "keys").items():
        os.environ[variable] = path
    config.get_settings.cache_clear()
    db.reset_engine()
    db.migrate()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--events", type=int, default=25, help="events per writer")
    args = parser.parse_args()
    _setup(Path(tempfile.mkdtemp(prefix="cc-evidence-bench-")))
    family = weekly_draft()
    submit_and_sign(family)
    with db.session_scope() as s:
        sheet = sheet_of(s, family)
        keys.check_configuration()
        copy, _ = evidence.signed_attendance_pdf(s, sheet)

        # Each run makes its PDF afresh: a PDF made minutes ago from the same inputs would be reused.
        def make_copy():
            evidence._recent_pdfs.clear()
            evidence.signed_attendance_pdf(s, sheet)

        def make_certificate():
            evidence._recent_pdfs.clear()
            evidence.completion_certificate_pdf(s, sheet, "en")

        def check():
            assert verify.verify_pdf(s, copy).verified

        for label, fn in (("signed copy: render + seal", make_copy), ("certificate: render + seal", make_certificate),
                          ("verify a sealed copy", check)):
            median, worst = _timed(fn, args.repeat)
            print(f"{label:<32} median {median * 1000:7.1f} ms   worst {worst * 1000:7.1f} ms   ({args.repeat} runs)")

    sheet_id, barrier = family["sheet"], threading.Barrier(args.writers)

    def writer(n: int) -> None:
        barrier.wait()
        for i in range(args.events):
            with db.session_scope() as s:
                audit.record(s, "document_downloaded", actor="provider", sheet_id=sheet_id, detail={"w": n, "i": i})

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(args.writers)]
    start = time.perf_counter()
    [t.start() for t in threads]
    [t.join() for t in threads]
    elapsed = time.perf_counter() - start
    total = args.writers * args.events
    with db.session_scope() as s:
        broken = audit.check_sheet(s, sheet_id)
    print(f"audit chain, {args.writers} writers on one sheet: {total} events in {elapsed:.2f} s = "
          f"{total / elapsed:.0f} events/s; chain {'unbroken' if broken is None else 'BROKEN: ' + broken.describe()}"
          f" ({db.get_engine().dialect.name})")


if __name__ == "__main__":
    main()
