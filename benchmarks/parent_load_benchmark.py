"""Cold load of a parent signing link on an emulated mid-range phone, beside a blank Reflex app.

    . .venv/bin/activate && export REFLEX_USE_NPM=true
    python benchmarks/parent_load_benchmark.py [--runs 3] [--blank-dir DIR] [--keep]

Run it in a COPY of the repository (it runs `reflex run --env prod` in the repository root, which
rebuilds .web; never do that in a checkout other people are building in).

What it does:
1. Starts this app in prod on a free port with a temporary SQLite database and outbox, and creates
   the demo families (`python -m careconnect_app demo --json`) to get a real signing link.
2. Creates a blank Reflex 0.10.1 app (`reflex init --template blank`) in a temp dir (or reuses
   --blank-dir), strips its plugins to RadixThemesPlugin only (no Tailwind, no sitemap) and runs it
   in prod on another free port.
3. For each app, --runs times, in a new Chromium context with the cache disabled: CDP
   Network.emulateNetworkConditions (150 ms latency, 1.6 Mbit/s down, 0.75 Mbit/s up) and
   Emulation.setCPUThrottlingRate 4; loads the page and measures
   - bytes: the sum of encodedDataLength over Network.loadingFinished events;
   - time: from navigation start until the child's name (blank app: its heading text) is in the
     page and visible (performance.now() recorded by a MutationObserver, confirmed by Playwright).
4. Prints the medians, the ratios against the budget (<= 1.25x bytes, <= 1.5x time) and the
   biggest resources of the parent page.

Exit status: 0 within budget, 1 over budget, 2 could not measure.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
NETWORK = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 0.75e6 / 8}
CPU_THROTTLE = 4
BUDGET_BYTES = 1.25
BUDGET_TIME = 1.5
BLANK_TEXT = "Welcome to Reflex!"
START_TIMEOUT = 600

BLANK_RXCONFIG = '''import reflex as rx

config = rx.Config(
    app_name="blank_app",
    plugins=[rx.plugins.RadixThemesPlugin()],
    disable_plugins=[rx.plugins.SitemapPlugin],
    telemetry_enabled=False,
)
'''

# Records when `target` first appears in the page (checked on every DOM change).
WATCH_SCRIPT = """
(() => {
  const target = %s;
  window.__ccVisibleAt = null;
  const check = () => {
    if (window.__ccVisibleAt === null && document.body && document.body.textContent.includes(target)) {
      window.__ccVisibleAt = performance.now();
      return true;
    }
    return false;
  };
  const start = () => {
    if (check()) return;
    const obs = new MutationObserver(() => { if (check()) obs.disconnect(); });
    obs.observe(document.documentElement, {childList: true, subtree: true, characterData: true});
  };
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
})();
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 (localhost)
            return r.status == 200
    except Exception:  # noqa: BLE001
        return False


class Server:
    def __init__(self, name: str, cwd: Path, port: int, env: dict, log: Path):
        self.name, self.cwd, self.port, self.log_path = name, cwd, port, log
        reflex = Path(sys.executable).with_name("reflex")
        cmd = [str(reflex) if reflex.exists() else "reflex", "run", "--env", "prod",
               "--frontend-port", str(port), "--backend-port", str(port)]
        self.log = open(log, "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **env}, stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)

    @property
    def base_url(self) -> str:
        return f"http://localhost:{self.port}"

    def wait(self, probe_path: str = "/") -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            if http_ok(self.base_url + "/ping") and http_ok(self.base_url + probe_path):
                return
            time.sleep(1)
        tail = self.log_path.read_text(errors="replace")[-4000:]
        raise RuntimeError(f"{self.name} did not start on port {self.port}:\n{tail}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.log.close()


def make_blank_app(parent: Path) -> Path:
    root = parent / "blank_app"
    if not (root / "rxconfig.py").exists():
        root.mkdir(parents=True, exist_ok=True)
        out = subprocess.run([Path(sys.executable).with_name("reflex"), "init", "--template", "blank"], cwd=root,
                             stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900)
        if out.returncode != 0:
            raise RuntimeError(f"reflex init failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    (root / "rxconfig.py").write_text(BLANK_RXCONFIG)
    return root


def measure(browser, url: str, target: str, phone: dict) -> dict:
    context = browser.new_context(**phone)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    sizes: dict[str, float] = {}
    urls: dict[str, str] = {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"],
                                                                  sizes.get(e["requestId"], 0) + e["encodedDataLength"]))
    marks: dict[str, list[float]] = {"doc": [], "ws_start": [], "ws_open": [], "sent": [], "recv": []}

    def mark(key):
        return lambda e: marks[key].append(e["timestamp"])

    cdp.on("Network.requestWillBeSent", lambda e: marks["doc"].append(e["timestamp"]) if e.get("type") == "Document" else None)
    cdp.on("Network.webSocketWillSendHandshakeRequest", mark("ws_start"))
    cdp.on("Network.webSocketHandshakeResponseReceived", mark("ws_open"))
    cdp.on("Network.webSocketFrameSent", mark("sent"))
    cdp.on("Network.webSocketFrameReceived", mark("recv"))
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_THROTTLE})
    page.add_init_script(WATCH_SCRIPT % json.dumps(target))
    started = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=120_000)
    page.get_by_text(target, exact=False).first.wait_for(state="visible", timeout=120_000)
    wall_ms = (time.perf_counter() - started) * 1000
    visible_ms = page.evaluate("window.__ccVisibleAt")
    nav = page.evaluate("""() => { const n = performance.getEntriesByType('navigation')[0];
        return {response_end: n.responseEnd, dcl: n.domContentLoadedEventEnd}; }""")
    page.wait_for_load_state("networkidle", timeout=120_000)
    page.wait_for_timeout(1500)  # the blank app hydrates after its text shows
    total = sum(sizes.values())
    biggest = sorted(((size, urls.get(rid, rid)) for rid, size in sizes.items()), reverse=True)[:12]
    context.close()
    visible = visible_ms if visible_ms is not None else wall_ms
    t0 = marks["doc"][0] if marks["doc"] else None

    def rel(key, first=True):
        if t0 is None or not marks[key]:
            return None
        return (marks[key][0 if first else -1] - t0) * 1000

    first_delta = None  # the first frame the server sends after the first event: the state is hydrated
    if t0 is not None and marks["sent"]:
        after = [ts for ts in marks["recv"] if ts > marks["sent"][0]]
        first_delta = (after[0] - t0) * 1000 if after else None
    timeline = {"html": nav["response_end"], "dcl": nav["dcl"], "ws_start": rel("ws_start"), "ws_open": rel("ws_open"),
                "first_sent": rel("sent"), "hydrated": first_delta, "visible": visible,
                "frames_before_visible": sum(1 for ts in marks["sent"] + marks["recv"]
                                             if t0 is not None and (ts - t0) * 1000 <= visible)}
    return {"bytes": total, "visible_ms": visible, "wall_ms": wall_ms, "requests": len(sizes), "biggest": biggest,
            "timeline": timeline}


def run_app_and_link(tmp: Path) -> tuple[Server, str, str]:
    port = free_port()
    env = {
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
        "CARECONNECT_OUTBOX": str(tmp / "outbox.jsonl"),
        "CARECONNECT_BASE_URL": f"http://localhost:{port}",
        "CARECONNECT_SECRET_KEY": secrets.token_urlsafe(48),
        "CARECONNECT_DEMO_ON_EMPTY": "false",
        "CARECONNECT_ALLOW_DEV_DELIVERY": "true",  # prod build, file outbox, http links
        "REFLEX_USE_NPM": "true",
    }
    demo = subprocess.run([sys.executable, "-m", "careconnect_app", "demo", "--json"], cwd=REPO_ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=300)
    if demo.returncode != 0:
        raise RuntimeError(f"demo failed: {demo.stderr}")
    link = json.loads(demo.stdout.strip().splitlines()[-1])["links"][0]
    server = Server("careconnect", REPO_ROOT, port, env, tmp / "careconnect.log")
    return server, link["url"], link["child"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="cold loads per app (median reported)")
    parser.add_argument("--blank-dir", type=Path, help="where to create/reuse the blank app (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, blank app)")
    args = parser.parse_args(argv)
    os.environ.setdefault("REFLEX_USE_NPM", "true")

    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="cc-bench-"))
    servers: list[Server] = []
    try:
        blank_root = make_blank_app(args.blank_dir or tmp)
        app, url, child = run_app_and_link(tmp)
        servers.append(app)
        blank = Server("blank", blank_root, free_port(), {"REFLEX_USE_NPM": "true"}, tmp / "blank.log")
        servers.append(blank)
        print(f"building and starting both apps in prod (logs in {tmp}) ...", flush=True)
        app.wait("/sign/x")
        blank.wait("/")
        phone = dict(viewport={"width": 390, "height": 844}, device_scale_factor=2.5, is_mobile=True, has_touch=True)
        results: dict[str, list[dict]] = {"careconnect": [], "blank": []}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            # One unthrottled warm-up each, so the servers' first-request work is not measured.
            measure(browser, url, child, phone)
            measure(browser, blank.base_url + "/", BLANK_TEXT, phone)
            for _ in range(args.runs):
                results["careconnect"].append(measure(browser, url, child, phone))
                results["blank"].append(measure(browser, blank.base_url + "/", BLANK_TEXT, phone))
            browser.close()
    except Exception as exc:  # noqa: BLE001
        print(f"could not measure: {exc}", file=sys.stderr)
        return 2
    finally:
        for s in servers:
            s.stop()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    def med(name, key):
        return statistics.median(r[key] for r in results[name])

    a_bytes, b_bytes = med("careconnect", "bytes"), med("blank", "bytes")
    a_ms, b_ms = med("careconnect", "visible_ms"), med("blank", "visible_ms")
    byte_ratio, time_ratio = a_bytes / b_bytes, a_ms / b_ms
    print("\nCold load, emulated mid-range phone (150 ms RTT, 1.6/0.75 Mbit/s, CPU 4x slower), "
          f"median of {args.runs} runs")
    print(f"{'':<14}{'bytes':>12}{'visible (ms)':>15}{'requests':>10}")
    for name, label in (("careconnect", "parent link"), ("blank", "blank Reflex")):
        print(f"{label:<14}{med(name, 'bytes'):>12,.0f}{med(name, 'visible_ms'):>15,.0f}{med(name, 'requests'):>10.0f}")
    print(f"runs (parent ms): {[round(r['visible_ms']) for r in results['careconnect']]}; "
          f"(blank ms): {[round(r['visible_ms']) for r in results['blank']]}")
    print("\ntimeline (ms from navigation, median): HTML received / DOMContentLoaded / websocket handshake "
          "start / websocket open / first event sent / first state delta / text visible; websocket frames before visible")
    for name, label in (("careconnect", "parent link"), ("blank", "blank Reflex")):
        def tmed(key, name=name):
            vals = [r["timeline"][key] for r in results[name] if r["timeline"][key] is not None]
            return f"{statistics.median(vals):,.0f}" if vals else "-"
        print(f"  {label:<13} " + " / ".join(tmed(k) for k in ("html", "dcl", "ws_start", "ws_open", "first_sent",
                                                                 "hydrated", "visible")) + f"; {tmed('frames_before_visible')} frames")
    hydrated = [r["timeline"]["hydrated"] for r in results["blank"] if r["timeline"]["hydrated"]]
    if hydrated:
        print(f"for context (not the budget): parent name visible / blank app state hydrated "
              f"= {a_ms / statistics.median(hydrated):.2f}x")
    ok_bytes, ok_time = byte_ratio <= BUDGET_BYTES, time_ratio <= BUDGET_TIME
    print(f"bytes ratio {byte_ratio:.2f}x (budget {BUDGET_BYTES}x): {'OK' if ok_bytes else 'OVER'}")
    print(f"time ratio  {time_ratio:.2f}x (budget {BUDGET_TIME}x): {'OK' if ok_time else 'OVER'}")
    print("\nbiggest resources of the parent page (encoded bytes):")
    for size, u in results["careconnect"][0]["biggest"]:
        print(f"  {size:>10,.0f}  {u}")
    print("\nbiggest resources of the blank app:")
    for size, u in results["blank"][0]["biggest"][:6]:
        print(f"  {size:>10,.0f}  {u}")
    return 0 if ok_bytes and ok_time else 1


if __name__ == "__main__":
    sys.exit(main())
