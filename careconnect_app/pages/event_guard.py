"""One check in front of Reflex's event processing: an event must name a handler and fit it.

Every handler is a public endpoint, reachable with any payload over the event channel. Each
message a browser sends is checked here before Reflex parses, queues or runs it: it must be an
object naming a registered handler, with router data of the shape the pages send, and a payload
that fits the handler's signature and annotations (common/payload_shape.py). Anything else is
dropped with one log line: no handler sees it, and no traceback is written (Reflex's own error
log for an unknown handler would also print the request's headers, the session cookie included).
`setvar` (Reflex's "call any setter by name") is refused outright: the pages never use it, and it
would route around the annotations.

Form submissions arrive wrapped by Reflex (`{"__reflex_form_data__": [[name, value], ...]}`);
they are unwrapped the way Reflex will unwrap them before the check, so a TypedDict annotation
describes the form's fields.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import reflex as rx
from reflex.app import EventNamespace
from reflex_base.registry import RegistrationContext
from reflex_base.utils.form import transform_form_data

from careconnect_app.common import payload_shape

log = logging.getLogger(__name__)
REFUSED_HANDLERS = ("setvar",)
ROUTER_TEXT_FIELDS = ("pathname", "asPath")


def payload_problem(event_name: str, payload: Any) -> str | None:
    """Why an event must not reach its handler, or None."""
    registered = RegistrationContext.get().event_handlers.get(event_name)
    if registered is None:
        return "no such handler"
    if event_name.rsplit(".", 1)[-1] in REFUSED_HANDLERS:
        return "handler not callable from a page"
    handler = registered.handler
    hints = handler._type_hints or {}
    if isinstance(payload, dict):
        payload = {name: transform_form_data(value, hints.get(name, Any)) for name, value in payload.items()}
    return payload_shape.call_problem(handler.fn, payload, hints)


def _router_problem(router_data: Any) -> str | None:
    if not isinstance(router_data, dict):
        return "router data is not an object"
    if any(not isinstance(router_data.get(field, ""), str) for field in ROUTER_TEXT_FIELDS):
        return "router path is not text"
    if not isinstance(router_data.get("query", {}), dict):
        return "router query is not an object"
    return payload_shape.value_problem(router_data, dict[str, Any])


def event_problem(data: Any) -> str | None:
    """Why a message from the event channel must be dropped, or None."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except (ValueError, RecursionError):
            return "not JSON"
    if not isinstance(data, dict):
        return "event is not an object"
    name = data.get("name")
    if not isinstance(name, str) or len(name) > 300:
        return "event name is not a handler's name"
    router_problem = _router_problem(data.get("router_data", {}))
    if router_problem is not None:
        return router_problem
    return payload_problem(name, data.get("payload", {}))


class GuardedEventNamespace(EventNamespace):
    """Reflex's event namespace with `event_problem` checked before each event is handled."""

    async def on_event(self, sid: str, data: Any):
        """Handle an event from a browser tab, unless it does not fit (then one log line)."""
        try:
            problem = event_problem(data)
        except Exception as exc:  # an annotation we cannot read: refuse rather than guess
            problem = f"unreadable annotations ({type(exc).__name__})"
        if problem is not None:
            name = data.get("name") if isinstance(data, dict) else None
            log.warning("refused event %s: %s", str(name)[-120:], problem[:200])
            return None
        return await super().on_event(sid, data)


def guard_events(app: rx.App) -> None:
    """Put the check in front of the app's event channel (the namespace Reflex made for it)."""
    namespace = app.event_namespace
    if namespace is None:
        raise RuntimeError("the app has no event channel to guard")
    namespace.__class__ = GuardedEventNamespace
