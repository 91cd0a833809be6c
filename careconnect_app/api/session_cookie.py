"""POST /_session/cookie: trade a one-time ticket for an HttpOnly session cookie.

The cookie's path is Reflex's event channel: the browser sends it with the websocket handshake,
where the handlers read it (`router.headers.cookie`), and page scripts never see it. Only a
request from our own origin may redeem (a cross-site page must not plant its session here).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from careconnect_app import routes
from careconnect_app.common import cookie_tickets
from careconnect_app.config import get_settings
from careconnect_app.db import session_scope


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _redeem(ticket: str) -> cookie_tickets.CookieGrant | None:
    with session_scope() as session:
        return cookie_tickets.redeem(session, ticket)


async def session_cookie(request: Request) -> Response:
    origin = request.headers.get("origin", "")
    if origin and origin.lower() != _origin(get_settings().base_url):
        return PlainTextResponse("cross-site request refused", status_code=403)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > cookie_tickets.MAX_TICKET_LENGTH:
            return PlainTextResponse("ticket too long", status_code=413)
    grant = await run_in_threadpool(_redeem, body.decode("ascii", errors="replace").strip())
    if grant is None:
        return PlainTextResponse("unknown or used ticket", status_code=404)
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.set_cookie(grant.name, grant.value, max_age=grant.max_age_seconds, path=routes.EVENT_CHANNEL,
                        httponly=True, samesite="strict", secure=get_settings().is_https)
    return response


http_routes = [Route(routes.SESSION_COOKIE, session_cookie, methods=["POST"])]
