"""N parents at once through the real event channel, and a blank Reflex app as the floor, same run.

    . .venv/bin/activate && export REFLEX_USE_NPM=true
    python benchmarks/parent_load.py --parents 500                       # the 500-parent target
    python benchmarks/parent_load.py --parents 50 --provider-latency 0.4 # slow providers vs instant
    python benchmarks/parent_load.py --parents 20 --cost --backend-workers 1  # CPU of each kind of event
    python benchmarks/parent_load.py --parents 1 --same-event 5000 --backend-workers 1  # Reflex's part of an event
    python benchmarks/parent_load.py --parents 500 --worker-nice 10 --render-in-worker  # the worker before stop 24
    python benchmarks/parent_load.py --parents 500 --capacity 50        # how many parents this machine serves

Our app runs as in production (tests/support/cluster.py): `reflex run --env prod --backend-only`
with `--backend-workers` processes, PostgreSQL and Redis (private, in a temporary folder), one
delivery worker process (`python -m careconnect_app worker`, as deploy/ runs it, PDFs in its niced child) and
the frontend built by deploy/build-frontend.sh. Each parent is a socket client (tests/support/event_client.py) on its
own signing link doing the whole journey with think times between steps: the page (HTML), the
socket's hydrate + on_load, start, choose SMS or email, send the code, read it from the outbox
(or from the fake Twilio API, as a phone would), enter it, review, three strokes on the pad,
consent, certify, submit. The blank app (`reflex init --template blank` of the same Reflex in a
temporary folder, with one trivial event handler added) gets the same number of clients, the
same number of events and the same think times, with the same Redis and backend workers.

Printed: p50/p95/p99 per event and over all events, server CPU per event (the backend
processes' user + system time over the run, divided by the events they answered), journeys
signed exactly once, and what one journey costs the whole machine (the app, the delivery worker once
it has sealed the last PDFs, PostgreSQL and Redis: what an agency sizes its servers by). Targets:
p95 < 250 ms with 500 parents; CPU per event <= 1.5x the blank app; with --provider-latency, p95
with slow providers no worse than with instant ones. With --capacity STEP, STEP, 2 STEP ... parents
until the p95 target is missed: the most this machine serves, and the CPUs --parents would need.
With --cost the visitors go one at a time instead, and each event's server CPU is measured on its
own (read once the previous event's work has settled, less what the idle servers spend over the same
window, watched for 10 s first): where a journey's CPU goes, per kind of event.
With --same-event N, one page of each app sends one trivial event (a ticked box; the blank app's
set_value) N times back to back: the CPU of an event without database work, ours against the blank
app's, which tells Reflex's part of an event (state, delta, socket) from the steps' database work.
Exit status 0 when every target printed is met.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from careconnect_app.messaging import render_process  # noqa: E402
from tests.fakes.data import cursive_strokes  # noqa: E402
from tests.support.cluster import Cluster, Process, cpu_seconds, free_port, http_status, wait_for  # noqa: E402
from tests.support.event_client import EventClient  # noqa: E402

ROOT_STATE = "reflex___state____state"
SIGN = "reflex___state____state.careconnect_app___pages___sign___state____sign_state"
BLANK = "reflex___state____state.blank_app___blank_app____bench_state"
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
P95_TARGET_MS = 250
CPU_RATIO_TARGET = 1.5
BLANK_APP = '''"""A blank page with one trivial event handler (the load benchmark's floor)."""

import reflex as rx


class BenchState(rx.State):
    value: str = ""

    @rx.event
    def set_value(self, value: str):
        self.value = value


def index() -> rx.Component:
    return rx.container(rx.heading("Welcome to Reflex!"), rx.text(BenchState.value))


app = rx.App()
app.add_page(index)
'''
BLANK_RXCONFIG = '''import os
import reflex as rx

config = rx.Config(app_name="blank_app", plugins=[rx.plugins.RadixThemesPlugin()],
                   disable_plugins=[rx.plugins.SitemapPlugin], telemetry_enabled=False,
                   redis_url=os.environ.get("REDIS_URL") or None)
'''


# ---- measuring -----------------------------------------------------------------------------------

@dataclass
class Run:
    """One load run's figures."""

    name: str
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    code_waits: list[float] = field(default_factory=list)  # send_code answered -> the code on the phone, ms
    errors: list[str] = field(default_factory=list)
    events: int = 0
    cpu_seconds: float = 0.0
    worker_cpu_seconds: float = 0.0
    services_cpu_seconds: dict[str, float] = field(default_factory=dict)  # PostgreSQL, Redis
    wall_seconds: float = 0.0
    client_cpu_seconds: float = 0.0  # the load generator's own (it shares the machine)
    load_average: float = 0.0
    signed_once: str = ""
    journeys: int = 0  # parents who went through the whole journey (not --same-event)
    server_pids: object = None  # --cost: the servers whose CPU each event is charged with
    cost: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # --cost: CPU ms per event
    # --cost: what the idle servers spend per second (heartbeats, timers), taken off each event's window
    idle_cpu_per_second: float = 0.0

    async def cpu_now(self) -> float | None:
        """--cost: the servers' CPU seconds once the previous event's work has settled (else None)."""
        if self.server_pids is None:
            return None
        await asyncio.sleep(0.4)
        return cpu_seconds(self.server_pids())

    def record(self, event: str, seconds: float) -> None:
        self.latencies[event].append(seconds * 1000)

    def socket_latencies(self) -> list[float]:
        return [ms for name, values in self.latencies.items() if name != "page (HTML)" for ms in values]

    @property
    def cpu_ms_per_event(self) -> float:
        return 1000 * self.cpu_seconds / max(1, self.events)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def page_get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as r:  # noqa: S310 (loopback)
        r.read()
    return time.perf_counter() - started


# ---- where the codes arrive ------------------------------------------------------------------------

class Phones:
    """Codes as parents receive them: the worker's outbox file, or the fake Twilio API."""

    def __init__(self, outbox: Path | None = None, twilio: str | None = None):
        self.outbox, self.twilio = outbox, twilio
        self.waiting: dict[str, asyncio.Future] = {}
        self.arrived: dict[str, str] = {}
        self._seen = 0
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._read_forever())

    async def code_for(self, to: str, timeout: float = 120) -> str:
        """The newest code to `to` that this parent has not read yet (waiting for it if need be)."""
        if to in self.arrived:
            return self.arrived.pop(to)
        future = self.waiting[to] = asyncio.get_running_loop().create_future()
        return await asyncio.wait_for(future, timeout)

    def _deliver(self, to: str, text: str) -> None:
        match = CODE.search(text or "")
        if not match:
            return
        future = self.waiting.pop(to, None)
        if future is not None and not future.done():
            future.set_result(match.group(1))
        else:
            self.arrived[to] = match.group(1)  # it came before the parent looked

    async def _read_forever(self) -> None:
        while True:
            await asyncio.sleep(0.1)
            for message in await asyncio.to_thread(self._new_messages):
                self._deliver(message["to"], message.get("text") or message.get("body") or "")

    def _new_messages(self) -> list[dict]:
        if self.twilio:
            with urllib.request.urlopen(f"{self.twilio}/__fake/sent?since={self._seen}") as r:  # noqa: S310
                messages = json.load(r)
            self._seen += len(messages)
            return messages
        if not self.outbox.exists():
            return []
        with self.outbox.open(encoding="utf-8") as f:
            f.seek(self._seen)
            data = f.read()
        complete = data[: data.rfind("\n") + 1]
        self._seen += len(complete.encode())
        messages = [json.loads(line) for line in complete.splitlines() if line.strip()]
        return [m for m in messages if m.get("kind") == "verification_code"]


# ---- the journeys ----------------------------------------------------------------------------------

def strokes_so_far(n: int) -> dict:
    """The pad's payload after n strokes (each stroke reports the drawing so far)."""
    full = cursive_strokes()
    strokes = full["strokes"] + [[[0.3 + 0.02 * i, 0.3, 8 * i] for i in range(12)]]
    return {**full, "strokes": strokes[:n]}


async def think(args) -> None:
    await asyncio.sleep(random.uniform(*args.think))


async def counted(run: Run, name: str, answered) -> None:
    """Await one event (`answered` gives its seconds) and record it; with --cost, also its CPU."""
    before = await run.cpu_now()
    window_start = time.monotonic()
    seconds = await answered
    run.events += 1
    run.record(name, seconds)
    if before is not None:
        spent = await run.cpu_now() - before
        run.cost[name].append(1000 * (spent - run.idle_cpu_per_second * (time.monotonic() - window_start)))


async def timed(run: Run, name: str, client: EventClient, handler: str, payload: dict | None = None, *,
                until, state: str = SIGN) -> None:
    """Send one event and record how long until the page shows its answer (`until(client)`)."""
    async def answered():
        return (await client.send(state, handler, payload, until=until)).seconds
    await counted(run, name, answered())


def shows(name: str, *values, state: str = SIGN):
    """`until` for an answer that sets var `name` to one of `values` (or to anything truthy)."""
    return lambda c: (c.var(state, name) in values) if values else bool(c.var(state, name))


def hydrated(state: str):
    return lambda c: c.var(ROOT_STATE, "is_hydrated") is True and c.var(state, "status", "ok") != "loading"


async def opened(client: EventClient, path: str, hashes: list[str], state: str) -> float:
    return (await client.open(path, hashes=hashes, until=hydrated(state))).seconds


def initial_state_hashes(web_dir: Path) -> list[str]:
    """What a browser sends on its first page load: the compiled initial state's hashes."""
    found = re.search(r"initialStateHashes = (\[[^\]]*\])", (web_dir / "utils" / "context.jsx").read_text())
    return json.loads(found.group(1)) if found else []


async def parent(run: Run, base: str, family: dict, phones: Phones, args, start_at: float,
                 hashes: list[str]) -> None:
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    client = EventClient(base, quiet=0.15, timeout=60, headers={"User-Agent": "parent-load/1.0"})
    try:
        path = "/sign/" + family["token"]
        # The server answers the page too (our page reads the link from the database).
        await counted(run, "page (HTML)", asyncio.to_thread(page_get, base + path))
        await counted(run, "page load (hydrate + on_load)", opened(client, path, hashes, SIGN))
        channel = family["channel"]
        await think(args)
        await timed(run, "start", client, "start", until=shows("step", "verify", "review"))
        await think(args)
        await timed(run, "choose_channel", client, "choose_channel", {"channel": channel},
                    until=shows("verify_channel", channel))
        await timed(run, "send_code", client, "send_code", until=shows("code_sent"))
        asked = time.perf_counter()
        code = await phones.code_for(family["to"], timeout=args.code_timeout)
        run.code_waits.append(1000 * (time.perf_counter() - asked))
        await think(args)
        await timed(run, "submit_code", client, "submit_code", {"form_data": {"code": code}},
                    until=lambda c: c.var(SIGN, "step") == "review" or bool(c.var(SIGN, "verify_error")))
        await think(args)
        await timed(run, "go_sign", client, "go_sign", until=shows("step", "sign"))
        for n in (1, 2, 3):
            await asyncio.sleep(random.uniform(0.4, 1.2))  # one stroke
            await timed(run, "set_strokes", client, "set_strokes", {"payload": strokes_so_far(n)},
                        until=shows("has_signature"))
        await think(args)
        await timed(run, "set_consented", client, "set_consented", {"value": True}, until=shows("consented"))
        await timed(run, "set_certified", client, "set_certified", {"value": True}, until=shows("certified"))
        await think(args)
        await timed(run, "submit_signature", client, "submit_signature",
                    until=lambda c: c.var(SIGN, "step") == "done" or bool(c.var(SIGN, "sign_error")))
        if client.var(SIGN, "step") != "done":
            raise RuntimeError(f"not signed: {client.var(SIGN, 'sign_error')!r} {client.var(SIGN, 'notice')!r}")
    except Exception as exc:  # noqa: BLE001
        run.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        await client.close()


async def blank_visitor(run: Run, base: str, args, start_at: float, events: int, hashes: list[str]) -> None:
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    client = EventClient(base, quiet=0.15, timeout=60, headers={"User-Agent": "parent-load/1.0"})
    try:
        await counted(run, "page (HTML)", asyncio.to_thread(page_get, base + "/"))
        await counted(run, "page load (hydrate + on_load)", opened(client, "/", hashes, BLANK))
        for n in range(events - 1):
            await think(args)
            await timed(run, "set_value", client, "set_value", {"value": str(n)}, state=BLANK,
                        until=shows("value", str(n), state=BLANK))
    except Exception as exc:  # noqa: BLE001
        run.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        await client.close()


async def repeated(run: Run, base: str, path: str, hashes: list[str], state: str, handler: str, shown_in: str,
                   value_of, count: int) -> None:
    """--same-event: open one page, then `handler` with {"value": value_of(i)} `count` times, each
    sent once the page's var `shown_in` shows the previous answer (no think time)."""
    client = EventClient(base, quiet=0.0, timeout=60, headers={"User-Agent": "parent-load/1.0"})
    try:
        await counted(run, "page load (hydrate + on_load)", opened(client, path, hashes, state))
        for n in range(count):
            await timed(run, handler, client, handler, {"value": value_of(n)}, state=state,
                        until=shows(shown_in, value_of(n), state=state))
    except Exception as exc:  # noqa: BLE001
        run.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        await client.close()


def blank_value(n: int) -> str:
    return str(n)


def box_ticked(n: int) -> bool:
    return n % 2 == 0


async def sequentially(visitors: list) -> None:
    for visitor in visitors:
        await visitor


IDLE_SECONDS = 10  # --cost: how long the idle servers are watched before the first visitor


async def drive(run: Run, visitors: list, server_pids, worker_pids=lambda: set(), services=None) -> None:
    """Run the visitors; the CPU of the servers, the worker and `services` ({name: pids}) over the run."""
    services = services or {}
    if run.server_pids is not None:  # --cost: each event's window (its answer + 0.4 s) also holds idle work
        idle_before = cpu_seconds(server_pids())
        await asyncio.sleep(IDLE_SECONDS)
        run.idle_cpu_per_second = (cpu_seconds(server_pids()) - idle_before) / IDLE_SECONDS
    before, worker_before = cpu_seconds(server_pids()), cpu_seconds(worker_pids())
    services_before = {name: cpu_seconds(pids()) for name, pids in services.items()}
    started, clients_before = time.monotonic(), time.process_time()
    await asyncio.gather(*visitors)
    run.wall_seconds = time.monotonic() - started
    run.client_cpu_seconds = time.process_time() - clients_before
    run.load_average = os.getloadavg()[0]
    run.cpu_seconds = cpu_seconds(server_pids()) - before
    if worker_pids():  # it still seals the last signatures' PDFs: its CPU and the database's once done
        await settled(worker_pids)
    run.worker_cpu_seconds = cpu_seconds(worker_pids()) - worker_before
    run.services_cpu_seconds = {name: cpu_seconds(pids()) - services_before[name] for name, pids in services.items()}


async def settled(pids, quiet_cpu_seconds: float = 0.05, every: float = 2.0, at_most: float = 900.0) -> None:
    """Wait until these processes spend less than `quiet_cpu_seconds` of CPU in `every` seconds (a
    worker makes its PDFs one at a time, about 200 ms each here: 500 signatures' take minutes)."""
    deadline, last = time.monotonic() + at_most, cpu_seconds(pids())
    while time.monotonic() < deadline:
        await asyncio.sleep(every)
        now = cpu_seconds(pids())
        if now - last < quiet_cpu_seconds:
            return
        last = now


# ---- the apps ----------------------------------------------------------------------------------------

def seed_families(cluster: Cluster, count: int, channel: str) -> list[dict]:
    """`count` families of one agency, each with a signing link that needs a code."""
    os.environ.update({k: cluster.env[k] for k in ("DATABASE_URL", "CARECONNECT_SECRET_KEY", "CARECONNECT_BASE_URL",
                                                   "CARECONNECT_ENV", "CARECONNECT_ALLOW_DEV_DELIVERY")})
    from careconnect_app import config, db
    from careconnect_app.models import Agency
    from tests.fakes.data import make_family

    config.get_settings.cache_clear()
    db.reset_engine()
    families = []
    with db.session_scope() as session:
        agency = Agency(name="Valley Child Care Subsidy Program", requires_verification=True)
        session.add(agency)
        session.flush()
        for n in range(count):
            email, phone = f"parent{n}-{random.randrange(10**9)}@example.com", f"+1555{random.randrange(10**7):07d}"
            family = make_family(session, agency=agency, email=email, phone=phone)
            families.append({"token": family.token, "request_id": family.request.id, "channel": channel,
                             "to": phone if channel == "sms" else email})
    return families


def signed_exactly_once(families: list[dict]) -> str:
    from sqlmodel import func, select

    from careconnect_app import db
    from careconnect_app.models import Signature

    ids = [f["request_id"] for f in families]
    with db.session_scope() as session:
        rows = dict(session.exec(select(Signature.signing_request_id, func.count()).where(
            Signature.signing_request_id.in_(ids)).group_by(Signature.signing_request_id)).all())
    once = sum(1 for i in ids if rows.get(i) == 1)
    more = sum(1 for i in ids if rows.get(i, 0) > 1)
    return f"{once} of {len(ids)} signed exactly once, {more} more than once"


def start_fakes(latency: float) -> tuple[subprocess.Popen, dict]:
    proc = subprocess.Popen([sys.executable, "-m", "tests.fakes.serve", "--latency", str(latency)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    return proc, json.loads(proc.stdout.readline())


def provider_env(urls: dict) -> dict:
    from tests.fakes.sendgrid import API_KEY
    from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER
    from tests.fakes.webhooks import WEBHOOK_ENV

    # Production refuses to start without the receipts' settings (the fakes post no receipts).
    return {**WEBHOOK_ENV, "CARECONNECT_WEBHOOK_BASE_URL": "https://sign.careconnect.example.org",
            "CARECONNECT_SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": FROM_NUMBER, "TWILIO_API_BASE": urls["twilio"],
            "CARECONNECT_EMAIL_BACKEND": "sendgrid", "SENDGRID_API_KEY": API_KEY,
            "SENDGRID_API_HOST": urls["sendgrid"], "CARECONNECT_EMAIL_FROM": "sign@careconnect.example.org"}


def start_blank(folder: Path, redis_url: str, workers: int) -> Process:
    root = folder / "blank_app"
    root.mkdir(parents=True)
    reflex = str(Path(sys.executable).with_name("reflex"))
    out = subprocess.run([reflex, "init", "--template", "blank"], cwd=root, stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        raise RuntimeError(f"reflex init failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    (root / "rxconfig.py").write_text(BLANK_RXCONFIG)
    (root / "blank_app" / "blank_app.py").write_text(BLANK_APP)
    port = free_port()
    env = {**os.environ, "REDIS_URL": redis_url.rsplit("/", 1)[0] + "/1", "GRANIAN_WORKERS": str(workers),
           "REFLEX_USE_NPM": "true", "REFLEX_TELEMETRY_ENABLED": "false"}
    env.pop("REFLEX_WEB_WORKDIR", None)
    blank = Process("blank", [reflex, "run", "--env", "prod", "--frontend-port", str(port), "--backend-port",
                              str(port)], env, folder / "blank.log", cwd=root).start()
    wait_for(lambda: http_status(f"http://127.0.0.1:{port}/ping") == 200 and http_status(f"http://127.0.0.1:{port}/") == 200,
             900, "blank app", blank)
    return blank


# ---- report -------------------------------------------------------------------------------------------

def report(run: Run) -> None:
    print(f"\n{run.name}: {run.wall_seconds:.0f} s, {run.events} events (pages and socket events), errors: {len(run.errors)}"
          + (f" (first: {run.errors[0]})" if run.errors else ""))
    print(f"  {'event':<32}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for name, values in run.latencies.items():
        print(f"  {name:<32}{len(values):>7}{percentile(values, 50):>9.0f}{percentile(values, 95):>9.0f}"
              f"{percentile(values, 99):>9.0f}")
    every = run.socket_latencies()
    print(f"  {'ALL socket events':<32}{len(every):>7}{percentile(every, 50):>9.0f}{percentile(every, 95):>9.0f}"
          f"{percentile(every, 99):>9.0f}")
    if run.code_waits:  # the worker's side: not an event, so not in the figures above
        waits = run.code_waits
        print(f"  {'code on the phone (after send)':<32}{len(waits):>7}{percentile(waits, 50):>9.0f}"
              f"{percentile(waits, 95):>9.0f}{percentile(waits, 99):>9.0f}")
    print(f"  server CPU {run.cpu_seconds:.1f} s = {run.cpu_ms_per_event:.2f} ms per event"
          + (f"; delivery worker CPU {run.worker_cpu_seconds:.1f} s" if run.worker_cpu_seconds else "")
          + f"; load generator CPU {run.client_cpu_seconds:.1f} s; machine load average {run.load_average:.1f}")
    if run.signed_once:
        print(f"  journeys: {run.signed_once}")
    # What one parent costs the machine, for sizing (README); not with --cost, whose pauses hold idle work.
    if run.services_cpu_seconds and run.journeys and not run.cost:
        parts = {"app": run.cpu_seconds, "delivery worker": run.worker_cpu_seconds, **run.services_cpu_seconds}
        print(f"  whole system CPU per journey: {1000 * sum(parts.values()) / run.journeys:.0f} ms ("
              + ", ".join(f"{name} {1000 * seconds / run.journeys:.0f}" for name, seconds in parts.items())
              + "; the load generator not counted)")
    if run.cost:
        print(f"  idle servers: {1000 * run.idle_cpu_per_second:.1f} ms CPU per second, taken off each event's window")
        print("  server CPU per event, one visitor at a time (ms): "
              + ", ".join(f"{name} {sum(v) / len(v):.1f}" for name, v in run.cost.items()))


def verdicts(runs: dict[str, Run], args) -> bool:
    ours, blank = runs.get("careconnect"), runs.get("blank")
    met = True
    print()
    if ours is not None and args.same_event:  # no journey: only the CPU of one trivial event
        if blank is not None:
            print(f"CPU of one trivial event: {ours.cpu_ms_per_event:.2f} ms vs blank {blank.cpu_ms_per_event:.2f} ms = "
                  f"{ours.cpu_ms_per_event / blank.cpu_ms_per_event:.2f}x (a journey's CPU, and the target, "
                  "need the full run)")
        return bool(not ours.errors and blank is not None and not blank.errors)
    if ours is not None:
        p95 = percentile(ours.socket_latencies(), 95)
        ok = p95 < P95_TARGET_MS and not ours.errors
        met &= ok
        print(f"p95 of all events with {args.parents} parents: {p95:.0f} ms (target < {P95_TARGET_MS} ms) -> "
              f"{'MET' if ok else 'NOT MET'}")
        if blank is not None:
            ratio = ours.cpu_ms_per_event / blank.cpu_ms_per_event
            ok = ratio <= CPU_RATIO_TARGET
            met &= ok
            print(f"CPU per event: {ours.cpu_ms_per_event:.2f} ms vs blank {blank.cpu_ms_per_event:.2f} ms = "
                  f"{ratio:.2f}x (target <= {CPU_RATIO_TARGET}x) -> {'MET' if ok else 'NOT MET'}")
    slow = runs.get("careconnect, slow providers")
    if ours is not None and slow is not None:
        fast_p95, slow_p95 = percentile(ours.socket_latencies(), 95), percentile(slow.socket_latencies(), 95)
        ok = slow_p95 <= fast_p95 * 1.2 + 10 and not slow.errors  # "no worse": within noise
        met &= ok
        print(f"providers answering in {args.provider_latency * 1000:.0f} ms: p95 {slow_p95:.0f} ms vs instant "
              f"{fast_p95:.0f} ms -> {'MET' if ok else 'NOT MET'}")
    return met


def find_capacity(cluster: Cluster, phones: Phones, args) -> bool:
    """--capacity: more parents each run (same ramp and think times) until the p95 target is missed.

    Prints the most parents this machine served within the target, and what --parents would need
    at that rate (the app scales out by instances, so CPUs needed grow with the parents).
    """
    served = 0
    for count in range(args.capacity, args.parents + 1, args.capacity):
        run = asyncio.run(run_ours(f"{count} parents", cluster, seed_families(cluster, count, args.channel), phones,
                                   args))
        report(run)
        if run.errors or percentile(run.socket_latencies(), 95) >= P95_TARGET_MS:
            break
        served = count
    cpus = os.cpu_count() or 1
    print(f"\ncapacity: {served} parents arriving within {args.ramp:.0f} s at p95 < {P95_TARGET_MS} ms on this "
          f"machine ({cpus} CPUs)")
    if served and served < args.parents:
        print(f"{args.parents} parents at once: about {cpus * args.parents / served:.0f} CPUs of this speed "
              f"(app instances, workers, PostgreSQL and Redis together; an estimate, linear in the parents)")
    return served >= args.parents


async def run_ours(name: str, cluster: Cluster, families: list[dict], phones: Phones, args) -> Run:
    run = Run(name)
    base = f"http://127.0.0.1:{cluster.port_of(cluster.apps[0])}"
    phones.start()
    now = time.monotonic()
    hashes = initial_state_hashes(Path(cluster.env["REFLEX_WEB_WORKDIR"]))
    if args.same_event:  # one page, one trivial event again and again
        visitors = [repeated(run, base, "/sign/" + families[0]["token"], hashes, SIGN, "set_consented", "consented",
                             box_ticked, args.same_event)]
    elif args.cost:  # one parent after another, each event's CPU on its own
        run.server_pids = cluster.apps[0].pids
        visitors = [sequentially([parent(run, base, f, phones, args, now, hashes) for f in families])]
    else:
        visitors = [parent(run, base, f, phones, args, now + args.ramp * i / len(families), hashes)
                    for i, f in enumerate(families)]
    await drive(run, visitors, cluster.apps[0].pids, cluster.delivery[0].pids,
                {"PostgreSQL": cluster.postgres.process.pids, "Redis": cluster.redis.process.pids})
    if not args.same_event:
        run.signed_once = signed_exactly_once(families)
        run.journeys = len(families)
    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parents", type=int, default=500)
    parser.add_argument("--backend-workers", type=int, default=2,
                        help="backend processes (GRANIAN_WORKERS; deploy/ runs 2 per instance)")
    parser.add_argument("--think", type=lambda v: tuple(float(x) for x in v.split(":")), default=(1.5, 3.5),
                        help="seconds between a parent's steps, min:max (uniform)")
    parser.add_argument("--ramp", type=float, default=20, help="seconds over which the parents arrive")
    parser.add_argument("--provider-latency", type=float, default=0.0,
                        help="also run with fake Twilio/SendGrid answering in this many seconds (vs instantly)")
    parser.add_argument("--channel", choices=("sms", "email"), default="sms")
    parser.add_argument("--skip-blank", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    parser.add_argument("--cost", action="store_true",
                        help="one parent at a time instead: each kind of event's server CPU on its own")
    parser.add_argument("--same-event", type=int, default=0, metavar="N",
                        help="one page per app sends one trivial event N times: Reflex's part of an event")
    parser.add_argument("--code-timeout", type=float, default=120, help="seconds a parent waits for a code")
    parser.add_argument("--worker-nice", type=int, default=0, help="the delivery worker's CPU priority (deploy/: 0)")
    parser.add_argument("--capacity", type=int, default=0, metavar="STEP",
                        help="STEP, 2 STEP ... parents (up to --parents), until the p95 target is missed: the most "
                             "this machine serves, and the CPUs --parents would need")
    parser.add_argument("--render-in-worker", action="store_true",
                        help="the worker makes its PDFs on its own threads, not in its niced child process")
    args = parser.parse_args()
    if args.cost:
        args.think = (0.0, 0.1)
    random.seed(7)
    folder = Path(tempfile.mkdtemp(prefix="cc-load-"))
    pdfs = "on its threads" if args.render_in_worker else f"in its child at +{render_process.RENDER_NICE}"
    print(f"{args.parents} parents, {args.backend_workers} backend workers, worker at nice {args.worker_nice}, "
          f"PDFs {pdfs}, think {args.think[0]}-{args.think[1]} s, "
          f"ramp {args.ramp:.0f} s, {os.cpu_count()} CPUs, load average before {os.getloadavg()[0]:.1f} "
          f"(other work on this machine competes for the CPUs); logs in {folder}", flush=True)
    fakes: list[subprocess.Popen] = []
    cluster = blank = None
    runs: dict[str, Run] = {}
    try:
        urls = urls_slow = None
        if args.provider_latency:
            proc, urls = start_fakes(0.0)
            fakes.append(proc)
            proc, urls_slow = start_fakes(args.provider_latency)
            fakes.append(proc)
        cluster = Cluster(folder, instances=1, workers=1, granian_workers=args.backend_workers,
                          worker_nice=args.worker_nice,
                          worker_args=("--render-in-worker",) if args.render_in_worker else (),
                          extra_env=provider_env(urls) if urls else {}).start()
        print(f"app up ({cluster.base_url})", flush=True)
        phones = Phones(twilio=urls["twilio"]) if urls else Phones(outbox=cluster.outbox(1))
        if args.capacity:
            return 0 if find_capacity(cluster, phones, args) else 1
        families = seed_families(cluster, args.parents, args.channel)
        runs["careconnect"] = asyncio.run(run_ours("careconnect", cluster, families, phones, args))
        report(runs["careconnect"])
        if urls_slow:
            cluster.delivery[0].stop()
            cluster.delivery[0] = Process("worker-slow", cluster.delivery[0].cmd,
                                          {**cluster.env, **provider_env(urls_slow)}, folder / "worker-slow.log").start()
            families = seed_families(cluster, args.parents, args.channel)
            runs["careconnect, slow providers"] = asyncio.run(run_ours(
                "careconnect, slow providers", cluster, families, Phones(twilio=urls_slow["twilio"]), args))
            report(runs["careconnect, slow providers"])
        if not args.skip_blank:
            blank = start_blank(folder, cluster.redis.url, args.backend_workers)
            base = f"http://127.0.0.1:{blank.cmd[-1]}"
            run = Run("blank")
            now = time.monotonic()
            per_visitor = max(1, runs["careconnect"].events // max(1, args.parents) - 1)  # socket events
            hashes = initial_state_hashes(folder / "blank_app" / ".web")
            if args.same_event:  # as ours: one page, one trivial event again and again
                visitors = [repeated(run, base, "/", hashes, BLANK, "set_value", "value", blank_value, args.same_event)]
            else:
                visitors = [blank_visitor(run, base, args, now + args.ramp * i / args.parents, per_visitor, hashes)
                            for i in range(args.parents)]
                if args.cost:
                    run.server_pids = blank.pids
                    visitors = [sequentially(visitors)]
            asyncio.run(drive(run, visitors, blank.pids))
            runs["blank"] = run
            report(run)
    finally:
        if blank is not None:
            blank.stop()
        if cluster is not None:
            cluster.stop()
        for proc in fakes:
            proc.terminate()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"\nload average after {os.getloadavg()[0]:.1f}")
    return 0 if verdicts(runs, args) else 1


if __name__ == "__main__":
    sys.exit(main())
