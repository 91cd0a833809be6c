"""First paint of a signing link, before the app's JavaScript has loaded (production builds).

On a slow phone the JavaScript and the live connection take seconds. This route serves the
built single-page shell for /sign/<token> with a small, server-rendered preview (who sent what,
for which child and period) at the top of <body>. React 19 leaves an unknown leading node alone
when it hydrates; a CSS rule hides the preview as soon as the wizard's first card is on screen.
The preview shows nothing the landing page would not show, and only for a link that may be signed.
"""

from __future__ import annotations

import html
from pathlib import Path

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from careconnect_app import i18n, routes
from careconnect_app.api.headers import client_ip
from careconnect_app.common.formatting import format_period
from careconnect_app.db import DatabaseUnavailable, run_in_session
from careconnect_app.models import AttendanceSheet, Child, Guardian, Provider
from careconnect_app.signing import links

_STYLE = (
    "<style>.cc-preview{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:40rem;"
    "margin:0 auto;padding:1.25rem 1rem;color:#1c2024}.cc-preview h1{font-size:1.5rem;margin:0 0 .75rem}"
    ".cc-preview p{margin:.25rem 0;font-size:1.1rem}.cc-preview .cc-muted{color:#60646c;font-size:.95rem}"
    "body:has(#main .rt-Card) .cc-preview{display:none}</style>"
)
# Once the wizard shows its first card the preview leaves the DOM (no duplicate heading for
# screen readers or tests); the CSS rule above covers browsers where this script is late.
_REMOVE = (
    "<script>(function(){var p=document.getElementById('cc-preview');if(!p)return;"
    "var o=new MutationObserver(function(){if(document.querySelector('#main .rt-Card')){o.disconnect();p.remove();}});"
    "o.observe(document.documentElement,{childList:true,subtree:true});})();</script>"
)
_cache: dict[Path, tuple[float, str]] = {}


def _shell_path() -> Path:
    from reflex.utils import prerequisites

    return prerequisites.get_web_dir() / "build" / "client" / "__spa-fallback.html"


def _shell() -> str | None:
    """The built SPA shell, re-read when a new build replaced it."""
    path = _shell_path()
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None
    cached = _cache.get(path)
    if cached is None or cached[0] != mtime:
        cached = (mtime, path.read_text(encoding="utf-8"))
        _cache[path] = cached
    return cached[1]


def preview_html(token: str, ip: str) -> str:
    """The preview block for a signable link, or "" (unknown, expired, signed ... get nothing).

    Run again while the database restarts; while it stays away, the page loads without a preview.
    """
    try:
        return run_in_session(_preview, token, ip)
    except DatabaseUnavailable:
        return ""


def _preview(session: Session, token: str, ip: str) -> str:
    check = links.check(session, token, ip=ip)
    if not check.ok:
        return ""
    request = check.request
    sheet = session.get(AttendanceSheet, request.sheet_id)
    child = session.get(Child, sheet.child_id)
    provider = session.get(Provider, sheet.provider_id)
    guardian = session.get(Guardian, request.guardian_id)
    locale = i18n.normalise_locale(guardian.preferred_locale)
    parts = [
        ("h1", i18n.t("parent.landing.title", locale)),
        ("p", f"{child.full_name} · {format_period(sheet.period_start, sheet.period_end, locale)}"),
        ("p class=\"cc-muted\"", f"{i18n.t('parent.landing.from', locale)}: {provider.name}"),
        ("p class=\"cc-muted\"", i18n.t("parent.loading", locale)),
    ]
    body = "".join(f"<{tag}>{html.escape(text)}</{tag.split()[0]}>" for tag, text in parts)
    return f'<div class="cc-preview" id="cc-preview" lang="{locale}">{_STYLE}{body}{_REMOVE}</div>'


async def sign_page(request: Request) -> Response:
    shell = _shell()
    if shell is None:  # no production build here (development): let the normal routes answer
        return Response(status_code=404)
    ip = client_ip(request)
    from starlette.concurrency import run_in_threadpool

    preview = await run_in_threadpool(preview_html, request.path_params["token"], ip)
    page = shell.replace("<body>", "<body>" + preview, 1) if preview else shell
    # Personal data: never cached by the browser or a proxy.
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


http_routes = [Route(routes.SIGN_PREFIX + "/{token}", sign_page, methods=["GET"])]
