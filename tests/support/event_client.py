"""A Reflex 0.10 client without a browser: what any attacker (or a load test) can send.

It speaks the app's own event channel (socket.io over a websocket at /_event, namespace
/_event, `?token=<tab token>`): the first event rides in the CONNECT packet's auth, later ones
are "event" messages `{"name": "<state>.<handler>", "payload": {...}, "router_data": {...}}`,
and every answer is an "event" message `{"delta": {state: {var: value}}, "events": [...]}`.
Nothing marks the last answer to an event, so `send()` waits until the channel is quiet.

    client = EventClient("http://127.0.0.1:3000")
    await client.open("/sign/<token>")                     # hydrate + on_load, like a page load
    await client.send(SignState, "start")                  # any handler, any payload
    client.var(SignState, "step")                          # the merged state the browser holds
    await client.close()
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import socketio

ROOT_STATE = "reflex___state____state"
HYDRATE = f"{ROOT_STATE}.hydrate_and_load"
ON_LOAD = f"{ROOT_STATE}.reflex___state____on_load_internal_state.on_load_internal"


def state_name(state: Any) -> str:
    """A state class (or its full name as a string) -> the name events and deltas use."""
    return state if isinstance(state, str) else state.get_full_name()


@dataclass
class Answer:
    """What came back for one event: the deltas in order and the frontend events asked for."""

    deltas: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    seconds: float = 0.0  # until the last answer
    first_seconds: float = 0.0  # until the first answer

    def vars_of(self, state: Any) -> dict:
        merged: dict = {}
        for delta in self.deltas:
            merged.update(delta.get(state_name(state), {}))
        return merged


class EventClient:
    """One browser tab's connection (one client token, one state tree on the server)."""

    def __init__(self, base_url: str, *, token: str | None = None, headers: dict | None = None,
                 quiet: float = 0.35, timeout: float = 15.0):
        self.base_url = base_url.rstrip("/")
        self.token = token or str(uuid.uuid4())
        self.headers = dict(headers or {"User-Agent": "careconnect-event-client/1.0"})
        self.quiet, self.timeout = quiet, timeout
        self.state: dict[str, dict] = {}  # every var the server has sent, by state name
        self.path = "/"
        self.query: dict = {}
        self._sio = socketio.AsyncClient(reconnection=False)
        self._inbox: asyncio.Queue = asyncio.Queue()
        self._sio.on("event", self._on_event, namespace="/_event")

    async def _on_event(self, data: Any) -> None:
        if isinstance(data, str):  # some answers arrive JSON-encoded
            import json

            data = json.loads(data)
        for name, values in (data.get("delta") or {}).items():
            self.state.setdefault(name, {}).update(values)
        await self._inbox.put(data)

    def router_data(self) -> dict:
        query = "&".join(f"{k}={v}" for k, v in self.query.items())
        return {"pathname": self.path, "asPath": self.path + (f"?{query}" if query else ""), "query": self.query}

    async def open(self, path: str, query: dict | None = None, storage: dict | None = None, *,
                   hashes: list[str] | None = None, until: Callable[[EventClient], bool] | None = None) -> Answer:
        """Connect as a page load of `path` (hydrate, then the page's on_load handlers).

        `storage`: the cookies a browser would hand over at hydrate, by state var ("<state>.<var>");
        `hashes`: the compiled initial state's hashes a browser sends on its first load (the
        server then sends only what differs from them); `until`: see `send`.
        """
        self.path, self.query = path, dict(query or {})
        started = time.monotonic()
        payload = {"vars": dict(storage)} if storage else {}
        if hashes:
            payload["hashes"] = hashes
        auth = {"event": {"name": HYDRATE, "payload": payload, "router_data": self.router_data()}}
        await self._sio.connect(f"{self.base_url}?token={self.token}", headers=dict(self.headers), auth=auth,
                                transports=["websocket"], namespaces=["/_event"], socketio_path="/_event",
                                wait_timeout=self.timeout)
        if until is not None:
            return await self._until(started, until)
        return await self._drain(started, require_one=True)

    async def navigate(self, path: str, query: dict | None = None) -> Answer:
        """A client-side navigation to `path` in the same tab (the page's on_load handlers run)."""
        self.path, self.query = path, dict(query or {})
        return await self.send(ON_LOAD, "", require_answer=True)

    async def send(self, state: Any, handler: str, payload: dict | None = None, *,
                   require_answer: bool = False, until: Callable[[EventClient], bool] | None = None) -> Answer:
        """Send `<state>.<handler>` with `payload` (anything: the server must validate it).

        With `until`, answers still arriving for earlier events are set aside first, and this
        returns as soon as the browser's state satisfies `until(client)` (its `seconds`: how long
        that took), so a load test times each event by its own answer.
        """
        if until is not None:
            self.forget_answers()
        started = time.monotonic()
        name = f"{state_name(state)}.{handler}" if handler else state_name(state)
        await self._sio.emit("event", {"name": name, "payload": {} if payload is None else payload,
                                       "router_data": self.router_data()}, namespace="/_event")
        if until is not None:
            return await self._until(started, until)
        return await self._drain(started, require_one=require_answer)

    def forget_answers(self) -> None:
        """Drop answers received but not yet read (they belong to earlier events)."""
        while not self._inbox.empty():
            self._inbox.get_nowait()

    async def _until(self, started: float, until: Callable[[EventClient], bool]) -> Answer:
        answer = Answer()
        while True:
            left = started + self.timeout - time.monotonic()
            if left <= 0:
                raise TimeoutError("the page never showed the expected answer")
            data = await asyncio.wait_for(self._inbox.get(), timeout=left)
            answer.deltas.append(data.get("delta") or {})
            answer.events.extend(data.get("events") or [])
            answer.seconds = time.monotonic() - started
            answer.first_seconds = answer.first_seconds or answer.seconds
            if until(self):
                return answer

    async def _drain(self, started: float, *, require_one: bool) -> Answer:
        answer = Answer()
        deadline = started + self.timeout
        wait = self.timeout if require_one else self.quiet
        while True:
            try:
                data = await asyncio.wait_for(self._inbox.get(), timeout=max(0.01, min(wait, deadline - time.monotonic())))
            except asyncio.TimeoutError:
                break
            answer.deltas.append(data.get("delta") or {})
            answer.events.extend(data.get("events") or [])
            answer.seconds = time.monotonic() - started
            answer.first_seconds = answer.first_seconds or answer.seconds
            wait = self.quiet
            if time.monotonic() > deadline:
                break
        return answer

    async def wait_for(self, predicate: Callable[[EventClient], bool], timeout: float = 20.0) -> bool:
        """Keep reading answers until `predicate(self)` holds (slow handlers, such as a password check
        or a signature being rendered, go quiet mid-way); False after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not predicate(self) and time.monotonic() < deadline:
            await self._drain(time.monotonic(), require_one=False)
        return predicate(self)

    async def until(self, state: Any, name: str, expected: Any, timeout: float = 20.0) -> bool:
        """`wait_for` one var to equal `expected`, or to pass `expected(value)` when that is a function."""
        def done(client: EventClient) -> bool:
            value = client.var(state, name)
            return expected(value) if callable(expected) else value == expected

        return await self.wait_for(done, timeout)

    async def wait_until(self, condition: Callable[[], bool], timeout: float | None = None) -> bool:
        """`wait_for` a condition that does not need the client."""
        return await self.wait_for(lambda _client: condition(), timeout or self.timeout)

    def var(self, state: Any, name: str, default: Any = None) -> Any:
        """A var as the browser holds it now (backend-only `_vars` never arrive)."""
        values = self.state.get(state_name(state), {})
        for key in (name, f"{name}_rx_state_"):  # Reflex suffixes state var names in deltas
            if key in values:
                return values[key]
        return default

    def everything_received(self) -> str:
        """All the state the browser was sent, as one string (to search for secrets)."""
        import json

        return json.dumps(self.state, ensure_ascii=False, default=str)

    async def close(self) -> None:
        if self._sio.connected:
            await self._sio.disconnect()
