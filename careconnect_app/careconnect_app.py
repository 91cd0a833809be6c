"""The Reflex app: wires pages, backend routes and start-up work. Nothing else lives here."""

from __future__ import annotations

import logging

import reflex as rx
from starlette.applications import Starlette

from careconnect_app import routes
from careconnect_app.api import lean_state, sign_preview, sockets, webhooks
from careconnect_app.api.headers import security_headers
from careconnect_app.components.words import words
from careconnect_app.config import get_settings
from careconnect_app.pages.dev_outbox import OutboxState, outbox_page
from careconnect_app.pages.errors import backend_error
from careconnect_app.pages.guide import GuideState, guide_page
from careconnect_app.pages.portal import add_portal_pages
from careconnect_app.pages.sign.page import sign_page
from careconnect_app.pages.sign.state import SignState
from careconnect_app.startup import prepare

log = logging.getLogger(__name__)

# A tab whose instance died keeps its token (and state) on the instance it reconnects to; a
# page load stores only the states that page changed.
sockets.install()
lean_state.install()

app = rx.App(
    theme=None,
    stylesheets=["/careconnect.css"],
    head_components=[
        rx.el.meta(name="referrer", content="no-referrer"),
        rx.el.meta(name="robots", content="noindex, nofollow"),
        rx.el.meta(name="theme-color", content="#1d4ed8"),
    ],
    # Webhooks and the signing link's first paint are plain Starlette routes in front of Reflex's;
    # the security headers wrap everything served.
    api_transformer=[Starlette(routes=webhooks.http_routes + sign_preview.http_routes), security_headers],
    backend_exception_handler=backend_error,
)

# Titles follow the page language (screen readers announce them first).
app.add_page(sign_page, route=routes.SIGN, title=words(SignState, "parent")["app_name"], on_load=SignState.load)
app.add_page(guide_page, route=routes.GUIDE, title=words(GuideState, "parent")["guide.title"], on_load=GuideState.load)
add_portal_pages(app)
if not get_settings().is_prod:
    app.add_page(outbox_page, route=routes.DEV_OUTBOX, title="Dev outbox", on_load=OutboxState.load)

# Synchronous, so the schema is migrated before the first request is served.
app.register_lifespan_task(prepare)
