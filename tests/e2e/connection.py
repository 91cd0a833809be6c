"""A phone's network for real: a dropped connection, and a slow one.

`keep_sockets(context)` before the page opens; `drop_and_reload(page, loads)` closes the page's
live WebSocket and returns once socket.io has reconnected and Reflex has run the page's loads
again (the server answers `is_hydrated` true when the last on_load handler is done).
`hold_back(page, pattern)` keeps the page's files matching `pattern` (its scripts, say) from
arriving until the function it returns is called: the page as a slow phone shows it first.
"""

from __future__ import annotations

import re
import time

# Keeps every WebSocket the page opens, so a test can close the live one.
KEEP_SOCKETS = """(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = function (...args) { const ws = new Native(...args); window.__sockets.push(ws); return ws; };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, Native);
})()"""
LOADS_DONE = '"is_hydrated_rx_state_":true'


class PageLoads:
    """Counts the server's answers saying a page's loads are done."""

    def __init__(self, page):
        self.count = 0
        self._page = page
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        if isinstance(payload, str) and LOADS_DONE in payload:
            self.count += 1

    def wait(self, count: int, timeout: float = 30) -> None:
        """Return once the server said `count` times in all that a page's loads are done."""
        deadline = time.time() + timeout
        while self.count < count:
            assert time.time() < deadline, f"{self.count} of {count} page loads done after {timeout:.0f} s"
            self._page.wait_for_timeout(100)


def keep_sockets(context) -> None:
    context.add_init_script(KEEP_SOCKETS)


def drop_and_reload(page, loads: PageLoads, timeout: float = 20) -> None:
    """Close the live socket; return once socket.io reconnected and the page's loads ran again."""
    before = loads.count
    assert page.evaluate("() => window.__sockets.filter(ws => ws.readyState === 1).length") == 1
    page.evaluate("() => window.__sockets.forEach(ws => ws.close())")
    page.wait_for_function("() => window.__sockets.some(ws => ws.readyState === 1)")
    loads.wait(before + 1, timeout)


def hold_back(page, pattern: re.Pattern):
    """Hold back every request of `page` whose URL matches `pattern`; returns the function that lets
    them (and any later ones) through."""
    held, released = [], []

    def hold(route):
        (route.continue_() if released else held.append(route))

    page.route(pattern, hold)

    def release() -> None:
        released.append(True)
        for route in held:
            route.continue_()

    return release
