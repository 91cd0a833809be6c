"""One check in front of every event handler: the payload must fit the handler's parameters.

Every handler is a public endpoint, reachable with any payload over the event channel. This
Reflex middleware runs before Reflex hands an event to its handler; a payload that does not fit
the handler's signature and annotations (common/payload_shape.py) is dropped with one log line:
the handler never sees it and no traceback is written. `setvar` (Reflex's "call any setter by
name") is refused outright: the pages never use it, and it would route around the annotations.

Form submissions arrive wrapped by Reflex (`{"__reflex_form_data__": [[name, value], ...]}`);
they are unwrapped the way Reflex will unwrap them before the check, so a TypedDict annotation
describes the form's fields.
"""

from __future__ import annotations

import logging
from typing import Any

from reflex.middleware import Middleware
from reflex.state import BaseState, StateUpdate
from reflex_base.event import Event
from reflex_base.registry import RegistrationContext
from reflex_base.utils.form import transform_form_data

from careconnect_app.common import payload_shape

log = logging.getLogger(__name__)
REFUSED_HANDLERS = ("setvar",)


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


class PayloadGuard(Middleware):
    """Drops events whose payload does not fit their handler (one log line, nothing else)."""

    async def preprocess(self, app, state: BaseState, event: Event) -> StateUpdate | None:
        """None lets the event through; an empty update ends it here."""
        try:
            problem = payload_problem(event.name, event.payload)
        except Exception as exc:  # an annotation we cannot read: refuse rather than guess
            problem = f"unreadable annotations ({type(exc).__name__})"
        if problem is None:
            return None
        log.warning("refused event %s: %s", event.name[-120:], problem[:200])
        return StateUpdate()
