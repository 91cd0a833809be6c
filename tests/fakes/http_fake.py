"""A scriptable local HTTP server: the common part of the fake Twilio and SendGrid APIs.

Runs on 127.0.0.1 with a random port in a background thread. Scripts: `latency`, `fail_next(n)`
(answer 500/429/503 to the next n requests), `go_down("refuse" | "503")` and `come_back()`.
Counts requests in flight (`max_inflight`) for the benchmark.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class InflightCounter:
    """Requests being answered right now, and the most seen at once (shareable between fakes)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.now = 0
        self.max = 0

    def __enter__(self):
        with self._lock:
            self.now += 1
            self.max = max(self.max, self.now)

    def __exit__(self, *exc):
        with self._lock:
            self.now -= 1


class FakeHttpApi:
    def __init__(self, *, latency: float = 0.0, counter: InflightCounter | None = None):
        self.latency = latency
        self.counter = counter or InflightCounter()
        self.lock = threading.Lock()
        self.request_count = 0
        self._failures: list[tuple[int, dict, dict]] = []
        self._down_mode = ""
        self._drop_answers = 0
        self._server: ThreadingHTTPServer | None = None
        self.port = 0

    # ---- lifecycle ----
    def start(self) -> FakeHttpApi:
        self._server = _Server(("127.0.0.1", self.port), _Handler)
        self._server.fake = self
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.drop_connections()  # kept-alive connections die too, as in a real outage
            self._server = None

    __enter__ = start

    def __exit__(self, *exc):
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def max_inflight(self) -> int:
        return self.counter.max

    # ---- scripts ----
    def fail_next(self, n: int, status: int = 500, headers: dict | None = None, body: dict | None = None) -> None:
        with self.lock:
            self._failures += [(status, headers or {}, body or {"message": "scripted failure"})] * n

    def drop_answers(self, n: int) -> None:
        """Process the next n sends but close the connection instead of answering."""
        with self.lock:
            self._drop_answers += n

    def go_down(self, mode: str = "refuse") -> None:
        """"refuse": connections refused (the port closes); "503": every request answers 503."""
        self._down_mode = mode
        if mode == "refuse":
            self.stop()

    def come_back(self) -> None:
        if self._down_mode == "refuse":
            self.start()  # same port: SO_REUSEADDR is on
        self._down_mode = ""

    # ---- request handling ----
    def accepted_ids(self) -> list[str]:  # overridden: our message ids the fake accepted
        return []

    def stats(self) -> dict:
        return {"max_inflight": self.counter.max, "request_count": self.request_count,
                "accepted_ids": self.accepted_ids()}

    def sent(self) -> list[dict]:  # overridden: {"to", "body"} of each accepted message, oldest first
        return []

    def _dispatch(self, method: str, path: str, query: str, headers, body: bytes) -> tuple[int, dict, bytes]:
        if path == "/__fake/stats":  # for a fake running in another process (benchmark)
            return 200, {}, json.dumps(self.stats()).encode()
        if path == "/__fake/sent":  # what the phones received, from ?since=<index> (load benchmark)
            since = int(dict(p.split("=", 1) for p in query.split("&") if "=" in p).get("since", 0))
            return 200, {}, json.dumps(self.sent()[since:]).encode()
        with self.counter:
            if self.latency:
                time.sleep(self.latency)
            with self.lock:
                self.request_count += 1
                # Scripted failures hit sends (POST), not the backend's look-ups.
                failure = self._failures.pop(0) if self._failures and method == "POST" else None
            if self._down_mode == "503":
                return 503, {}, b'{"message": "service unavailable"}'
            if failure:
                status, extra, payload = failure
                return status, extra, json.dumps(payload).encode()
            if self._down_mode == "refuse":  # went down while this request waited: lost, not processed
                raise ConnectionAbortedError("fake went down")
            status, extra, payload = self.handle(method, path, query, headers, body)
            with self.lock:
                drop = method == "POST" and status < 300 and self._drop_answers > 0
                self._drop_answers -= drop
            if drop:  # processed, but the client never hears back (the ambiguous case)
                raise ConnectionAbortedError("answer dropped")
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode() if payload is not None else b""
            return status, extra, data

    def handle(self, method, path, query, headers, body):  # overridden
        return 404, {}, {"message": "not found"}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    fake: FakeHttpApi

    def __init__(self, *args):
        super().__init__(*args)
        self.connections: set[socket.socket] = set()
        self.conn_lock = threading.Lock()

    def process_request(self, request, client_address):
        with self.conn_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self.conn_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address):  # a client hung up mid-answer: not our concern
        pass

    def drop_connections(self) -> None:
        with self.conn_lock:
            for conn in list(self.connections):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real APIs

    def log_message(self, *args):  # quiet tests
        pass

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        try:
            status, headers, data = self.server.fake._dispatch(method, parts.path, parts.query, self.headers, body)
        except ConnectionAbortedError:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_response(status)
        headers = {"Content-Type": "application/json", **headers}
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")
