"""The Reflex app: wires pages, backend routes and start-up work. Nothing else lives here."""

from __future__ import annotations

import logging

from careconnect_app import startup

# Before anything reads the settings: a misconfigured deployment stops here with every problem
# listed, before Reflex builds the frontend and prints "App running".
startup.stop_if_misconfigured()

import reflex as rx  # noqa: E402
from starlette.applications import Starlette  # noqa: E402

from careconnect_app import routes  # noqa: E402
from careconnect_app.api import lean_state, session_cookie, sign_preview, sockets, webhooks  # noqa: E402
from careconnect_app.api.headers import security_headers  # noqa: E402
from careconnect_app.api.upload_limit import upload_limit  # noqa: E402
from careconnect_app.components.words import words  # noqa: E402
from careconnect_app.config import get_settings  # noqa: E402
from careconnect_app.pages.dev_outbox import OutboxState, outbox_page  # noqa: E402
from careconnect_app.pages.errors import backend_error  # noqa: E402
from careconnect_app.pages.event_guard import guard_events  # noqa: E402
from careconnect_app.pages.guide import GuideState, guide_page  # noqa: E402
from careconnect_app.pages.home import HomeState, home_page, not_found_page  # noqa: E402
from careconnect_app.pages.not_me import NotMeState, not_me_page  # noqa: E402
from careconnect_app.pages.portal import add_portal_pages  # noqa: E402
from careconnect_app.pages.sign.page import sign_page  # noqa: E402
from careconnect_app.pages.sign.state import SignState  # noqa: E402
from careconnect_app.pages.verify import VerifyState, verify_page  # noqa: E402

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
    # Webhooks, the signing link's first paint and the HttpOnly session cookie are plain Starlette
    # routes in front of Reflex's; uploads are size-limited; the security headers wrap everything served.
    api_transformer=[Starlette(routes=webhooks.http_routes + sign_preview.http_routes + session_cookie.http_routes),
                     upload_limit,
                     security_headers],
    backend_exception_handler=backend_error,
)

# Every event a browser sends is checked against its handler's parameters before Reflex handles it.
guard_events(app)

# Titles follow the page language (screen readers announce them first).
app.add_page(home_page, route=routes.HOME, title=words(HomeState, "parent")["app_name"], on_load=HomeState.load)
app.add_page(not_found_page, route=routes.NOT_FOUND, title=words(HomeState, "parent")["not_found.title"], on_load=HomeState.load)
app.add_page(sign_page, route=routes.SIGN, title=words(SignState, "parent")["app_name"], on_load=SignState.load)
app.add_page(not_me_page, route=routes.NOT_ME, title=words(NotMeState, "parent")["app_name"], on_load=NotMeState.load)
app.add_page(guide_page, route=routes.GUIDE, title=words(GuideState, "parent")["guide.title"], on_load=GuideState.load)
app.add_page(verify_page, route=routes.VERIFY, title=words(VerifyState, "verify")["title"], on_load=VerifyState.load)
add_portal_pages(app)
if not get_settings().is_prod:
    app.add_page(outbox_page, route=routes.DEV_OUTBOX, title="Dev outbox", on_load=OutboxState.load)

# Synchronous, so the schema is migrated before the first request is served.
app.register_lifespan_task(startup.prepare)
