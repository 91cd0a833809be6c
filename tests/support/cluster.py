"""The production topology on one machine, as if on several: a private PostgreSQL and Redis, app
instances (`reflex run --env prod --backend-only`), delivery workers and Caddy in front
(deploy/Caddyfile). Used by the failover tests and the load benchmark.

Each piece is a separate process group that can be killed, stopped and started again on the same
port. PostgreSQL is a private cluster (initdb in a temporary folder), never the machine's shared
server, so restarting it disturbs nobody else.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from careconnect_app.evidence.keys import write_key_files

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT = float(os.environ.get("E2E_START_TIMEOUT", 900))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(url: str, timeout: float = 3) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 (loopback only)
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except Exception:  # noqa: BLE001
        return 0


def wait_for(condition, timeout: float, what: str, process: Process | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.proc is not None and process.proc.poll() is not None:
            raise RuntimeError(f"{what}: {process.name} exited ({process.proc.returncode}):\n{process.tail()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not after {timeout:.0f} s" + (f"\n{process.tail()}" if process else ""))
        time.sleep(0.2)


def cpu_seconds(pids: set[int]) -> float:
    """User + system time of these processes so far, in seconds (benchmarks: CPU per event, per message).

    With the time of their children that have ended: PostgreSQL's backends come and go with the
    pool's overflow connections, and once reaped their time is only in the postmaster's.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return total / ticks


@dataclass
class Process:
    """One command in its own process group, logging to a file."""

    name: str
    cmd: list[str]
    env: dict
    log_path: Path
    cwd: Path = REPO_ROOT
    user: str | None = None  # run as this user (PostgreSQL refuses root)
    proc: subprocess.Popen | None = None

    def start(self) -> Process:
        log = open(self.log_path, "ab")  # noqa: SIM115 (closed with the process)
        cmd = self.cmd if self.user is None or os.geteuid() != 0 else ["runuser", "-u", self.user, "--", *self.cmd]
        self.proc = subprocess.Popen(cmd, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        return self

    def pids(self) -> set[int]:
        """Every process of the group (granian forks its workers) and every descendant (PostgreSQL's
        backends each start a session of their own)."""
        if self.proc is None:
            return set()
        group, parents = set(), {}
        for stat in glob.glob("/proc/[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                pid = int(Path(stat).parent.name)
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
                parents[pid] = int(fields[1])
                if int(fields[2]) == self.proc.pid:  # process group id
                    group.add(pid)
        found, grew = group | {self.proc.pid}, True
        while grew:
            children = {pid for pid, parent in parents.items() if parent in found} - found
            found |= children
            grew = bool(children)
        return found & set(parents)

    def kill(self) -> None:
        """As a machine dies: SIGKILL to the whole group, nothing cleaned up."""
        self._signal(signal.SIGKILL)
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=20)

    def stop(self, timeout: float = 30, signum: int = signal.SIGTERM) -> None:
        """As a deploy stops it: SIGTERM, then SIGKILL after `timeout`."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self._signal(signum)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def _signal(self, signum: int) -> None:
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signum)

    def tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return ""


def accepts(port: int) -> bool:
    """Whether something listens on the loopback port."""
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        return True
    return False


@dataclass
class Postgres:
    """A private PostgreSQL cluster on its own port."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: Process | None = None

    @property
    def url(self) -> str:
        return self.url_of("careconnect")

    def url_of(self, database: str) -> str:
        return f"postgresql+psycopg://careconnect:careconnect@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        self._psql(f'CREATE DATABASE "{name}" OWNER careconnect')

    def _psql(self, sql: str) -> None:
        self._as_postgres(self._bin("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-c", sql)

    @staticmethod
    def _bin(name: str) -> str:
        found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
        if not found:
            raise RuntimeError("PostgreSQL is not installed (tests/run.sh installs it)")
        return found[-1]

    def _as_postgres(self, *cmd: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        out = subprocess.run([*prefix, *cmd], capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[:2])} failed: {out.stdout}{out.stderr}")

    def init(self) -> Postgres:
        data = self.folder / "data"
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            self.folder.parent.chmod(0o755)  # mkdtemp's 0700 would keep the postgres user out
            shutil.chown(self.folder, "postgres", "postgres")
        self._as_postgres(self._bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        self._psql("CREATE ROLE careconnect LOGIN PASSWORD 'careconnect'")
        self.create_database("careconnect")
        return self

    def start(self) -> None:
        self.process = Process("postgres", [self._bin("postgres"), "-D", str(self.folder / "data"), "-p", str(self.port),
                                            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
                                            "-c", "max_connections=300", "-c", "fsync=off"],
                               dict(os.environ), self.folder / "postgres.log", user="postgres").start()
        wait_for(lambda: accepts(self.port), 60, "postgres", self.process)

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop(signum=signal.SIGINT)  # a fast shutdown: clients are disconnected
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@dataclass
class Redis:
    folder: Path
    port: int = field(default_factory=free_port)
    process: Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (tests/run.sh installs it)")
        # No persistence: a restart loses every tab's state (the worst case the app must survive).
        self.process = Process("redis", [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no", "--dir", str(self.folder)],
                               dict(os.environ), self.folder / "redis.log").start()
        wait_for(lambda: accepts(self.port), 20, "redis", self.process)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


def private_web_dir(folder: Path) -> Path:
    """A .web of our own (its build must not replace the one other e2e tests serve): a copy of the
    checkout's without its build, sharing node_modules; empty when the checkout has none (the
    build then installs the packages)."""
    target = folder / "web"
    source = REPO_ROOT / ".web"
    if source.is_dir():
        shutil.copytree(source, target, symlinks=True,
                        ignore=shutil.ignore_patterns("node_modules", "build", ".react-router"))
        if (source / "node_modules").is_dir():
            (target / "node_modules").symlink_to(source / "node_modules")
    return target


def build_frontend(web_dir: Path, base_url: str, env: dict, log_path: Path) -> Path:
    """deploy/build-frontend.sh for `base_url` into `web_dir`; returns the folder Caddy serves."""
    out = subprocess.run(["bash", str(REPO_ROOT / "deploy" / "build-frontend.sh")], cwd=REPO_ROOT,
                         env={**env, "CARECONNECT_BASE_URL": base_url, "REFLEX_WEB_WORKDIR": str(web_dir)},
                         capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    log_path.write_text(out.stdout + out.stderr)
    client = web_dir / "build" / "client"
    if out.returncode != 0 or not (client / "__spa-fallback.html").exists():
        raise RuntimeError(f"frontend build failed:\n{(out.stdout + out.stderr)[-4000:]}")
    return client


@dataclass
class Cluster:
    """PostgreSQL, Redis, N app instances, M workers and Caddy; `env` is what every process shares."""

    folder: Path
    instances: int = 2
    workers: int = 2
    granian_workers: int = 1
    # The workers' CPU priority (deploy/ runs them at the instances' own, 0; their PDFs are made in
    # a child process at +10 either way).
    worker_nice: int = 0
    worker_args: tuple[str, ...] = ()  # more `worker` options (benchmarks: --render-in-worker)
    extra_env: dict = field(default_factory=dict)
    postgres: Postgres | None = None
    redis: Redis | None = None
    apps: list[Process] = field(default_factory=list)
    delivery: list[Process] = field(default_factory=list)
    caddy: Process | None = None
    proxy_port: int = field(default_factory=free_port)
    env: dict = field(default_factory=dict)
    frontend: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://localhost:{self.proxy_port}"

    def outbox(self, n: int) -> Path:
        """Worker n's outbox file (each worker as on its own machine)."""
        return self.folder / f"outbox-worker{n}.jsonl"

    def start(self) -> Cluster:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.postgres = Postgres(self.folder / "pg").init()
        self.redis = Redis(self.folder).start()
        self.env = {
            **os.environ,
            "CARECONNECT_ENV": "prod", "DATABASE_URL": self.postgres.url, "REDIS_URL": self.redis.url,
            "CARECONNECT_BASE_URL": self.base_url, "CARECONNECT_SECRET_KEY": "cluster-test-" + "k" * 40,
            "CARECONNECT_DEMO_ON_EMPTY": "false", "CARECONNECT_ALLOW_DEV_DELIVERY": "true",
            "CARECONNECT_EMAIL_BACKEND": "file", "CARECONNECT_SMS_BACKEND": "file",
            "CARECONNECT_OUTBOX": str(self.outbox(0)), "CARECONNECT_TRUSTED_PROXY_HOPS": "1",
            "REFLEX_USE_NPM": "true", "REFLEX_TELEMETRY_ENABLED": "false", "PYTHONUNBUFFERED": "1",
            "GRANIAN_WORKERS": str(self.granian_workers),
            **write_key_files(self.folder / "keys"),  # production needs its evidence key and seal certificate
            **self.extra_env,
        }
        subprocess.run([sys.executable, "-m", "careconnect_app", "migrate"], cwd=REPO_ROOT, env=self.env,
                       check=True, capture_output=True, timeout=300)
        web_dir = private_web_dir(self.folder)
        self.env["REFLEX_WEB_WORKDIR"] = str(web_dir)
        self.frontend = build_frontend(web_dir, self.base_url, self.env, self.folder / "build.log")
        self.apps = [self._app(n) for n in range(self.instances)]
        self.delivery = [self._worker(n) for n in range(1, self.workers + 1)]
        for app in self.apps:
            self.wait_app(app)
        self.caddy = self._caddy()
        wait_for(lambda: http_status(self.base_url + "/ping") == 200, 60, "caddy", self.caddy)
        return self

    def _app(self, n: int) -> Process:
        port = free_port()
        reflex = Path(sys.executable).with_name("reflex")
        return Process(f"app{n}:{port}", [str(reflex), "run", "--env", "prod", "--backend-only",
                                          "--backend-port", str(port)],
                       self.env, self.folder / f"app{n}.log").start()

    def restart_app(self, app: Process) -> Process:
        """Start a stopped instance again on its port (Caddy's health check takes it back)."""
        again = Process(app.name, app.cmd, app.env, app.log_path).start()
        self.wait_app(again)
        return again

    @staticmethod
    def port_of(app: Process) -> int:
        return int(app.cmd[-1])

    def wait_app(self, app: Process) -> None:
        wait_for(lambda: http_status(f"http://127.0.0.1:{self.port_of(app)}/ping") == 200, BUILD_TIMEOUT,
                 "app instance", app)

    def _worker(self, n: int) -> Process:
        return Process(f"worker{n}", ["nice", "-n", str(self.worker_nice), sys.executable, "-m", "careconnect_app",
                                      "worker", "--poll", "2", *self.worker_args],
                       {**self.env, "CARECONNECT_OUTBOX": str(self.outbox(n))}, self.folder / f"worker{n}.log").start()

    def _caddy(self) -> Process:
        upstreams = " ".join(f"127.0.0.1:{self.port_of(app)}" for app in self.apps)
        env = {**self.env, "CARECONNECT_SITE": f"http://:{self.proxy_port}", "CARECONNECT_UPSTREAMS": upstreams,
               "CARECONNECT_FRONTEND": str(self.frontend), "CARECONNECT_CADDY_ADMIN": "off",
               "XDG_DATA_HOME": str(self.folder / "caddy"), "XDG_CONFIG_HOME": str(self.folder / "caddy")}
        return Process("caddy", ["caddy", "run", "--config", str(REPO_ROOT / "deploy" / "Caddyfile"),
                                 "--adapter", "caddyfile"], env, self.folder / "caddy.log").start()

    def app_serving(self, token: str) -> Process | None:
        """The instance whose process holds the socket of the tab with this token (from Redis:
        Reflex's socket record names the instance, our heartbeat names its process); None while
        the tab is not connected."""
        import pickle

        import redis

        client = redis.Redis.from_url(self.redis.url)
        record = client.get(f"token_manager_socket_record_{token}")
        where = client.get(f"careconnect_instance_alive_{pickle.loads(record).instance_id}") if record else None
        if where is None:
            return None
        pid = int(where.decode().rsplit(":", 1)[1])
        return next((app for app in self.apps if pid in app.pids()), None)

    def messages_sent(self) -> list[dict]:
        """Every message the cluster "sent": the outbox files of all workers, and outbox 0, the
        instances' own (`python -m careconnect_app demo` run with the cluster's settings sends its
        links itself, as on an instance's machine)."""
        sent = []
        for n in range(0, self.workers + 1):
            path = self.outbox(n)
            if path.exists():
                sent += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return sent

    def stop(self) -> None:
        for process in [self.caddy, *self.apps, *self.delivery]:
            if process is not None:
                process.stop(timeout=15)
        if self.redis is not None:
            self.redis.stop()
        if self.postgres is not None:
            self.postgres.stop()
