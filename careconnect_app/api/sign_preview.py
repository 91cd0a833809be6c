"""First paint of a signing link, before the app's JavaScript has loaded (production builds).

On a slow phone the JavaScript and the live connection take seconds. This route serves the
built single-page shell for /sign/<token> with a small, server-rendered preview (who sent what,
for which child and period) at the top of <body>. React 19 leaves an unknown leading node alone
when it hydrates; a CSS rule hides the preview as soon as the wizard's first card is on screen.
The preview shows nothing the landing page would not show (the child's first name and initial,
never the attendance), and only for a link that may be signed.
"""

from __future__ import annotations

import html
from pathlib import Path

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from careconnect_app import i18n, routes
from careconnect_app.api import frontend_build
from careconnect_app.api.caller import caller_ip
from careconnect_app.common.family import Family
from careconnect_app.common.formatting import format_period
from careconnect_app.common.masking import short_name
from careconnect_app.db import DatabaseUnavailable, run_in_session
from careconnect_app.signing import links

# The preview's header is drawn like the app's (components/frame.py + layout.py: a 1px-ruled band,
# 0.75rem padding, a 44 px language button), so the header does not move when the app takes over.
_STYLE = (
    # body's margin too: until the app's stylesheet arrives the browser's 8 px would shift the header.
    "<style>body{margin:0}"
    ".cc-preview{font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue',system-ui,"
    "sans-serif;color:#1c2024;background:#f9f9fb;min-height:100vh}"
    ".cc-preview header{border-bottom:1px solid #e0e1e6;background:#fcfcfd}"
    ".cc-preview .cc-bar{max-width:40rem;margin:0 auto;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem;"
    "justify-content:space-between;align-items:center}"
    ".cc-preview .cc-brand{font-weight:700;font-size:1.125rem;line-height:1.625rem}"
    ".cc-preview .cc-lang{display:inline-flex;align-items:center;min-height:2.75rem;padding:0 1rem;border-radius:6px;"
    "background:#e6f4fe;color:#113264;font-size:1rem;font-weight:500}"
    ".cc-preview main{max-width:40rem;margin:0 auto;padding:1rem}"
    ".cc-preview h1{font-size:1.5rem;margin:0 0 .75rem}"
    ".cc-preview p{margin:.25rem 0;font-size:1.1rem}.cc-preview .cc-muted{color:#60646c;font-size:.95rem}"
    "@media (prefers-color-scheme:dark){.cc-preview{color:#edeef0;background:#18191b}"
    ".cc-preview header{background:#111113;border-color:#363a3f}.cc-preview .cc-lang{background:#0d2847;color:#c2e6ff}"
    ".cc-preview .cc-muted{color:#b0b4ba}}"
    "body:has(#main .rt-Card) .cc-preview{display:none}"
    # Until the wizard's first card is there, the app's own frame stays hidden behind the preview.
    "body:has(#cc-preview):not(:has(#main .rt-Card)) .cc-frame{display:none}</style>"
)
# Once the wizard shows its first card the preview leaves the DOM (no duplicate heading for
# screen readers or tests); the CSS rule above covers browsers where this script is late.
# The Content-Security-Policy allows this script by its hash (api/headers.py).
PREVIEW_SCRIPT = (
    "(function(){var p=document.getElementById('cc-preview');if(!p)return;"
    "var o=new MutationObserver(function(){if(document.querySelector('#main .rt-Card')){o.disconnect();p.remove();}});"
    "o.observe(document.documentElement,{childList:true,subtree:true});})();"
)
_REMOVE = f"<script>{PREVIEW_SCRIPT}</script>"
_cache: dict[Path, tuple[float, str]] = {}


def _shell() -> str | None:
    """The built SPA shell, re-read when a new build replaced it."""
    path = frontend_build.shell_path()
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None
    cached = _cache.get(path)
    if cached is None or cached[0] != mtime:
        cached = (mtime, path.read_text(encoding="utf-8"))
        _cache[path] = cached
    return cached[1]


def preview_html(token: str, ip: str, accept_language: str = "") -> str:
    """The header, and for a signable link who sent what (unknown, expired, signed ... get the header only).

    Run again while the database restarts; while it stays away, the page gets the header only.
    """
    try:
        return run_in_session(preview_in, token, ip, accept_language)
    except DatabaseUnavailable:
        return _page(i18n.from_accept_language(accept_language), [])


def preview_in(session: Session, token: str, ip: str, accept_language: str) -> str:
    """preview_html's reads, in the caller's session (benchmarks/step_cost.py: the page step)."""
    check = links.check(session, token, ip=ip)
    if not check.ok:
        return _page(i18n.from_accept_language(accept_language), [])
    family = Family.of(session, check.request)  # one joined read, not four by key: every link opened runs this
    sheet, child = family.sheet, family.child
    locale = i18n.normalise_locale(family.guardian.preferred_locale)
    parts = [
        ("h1", i18n.t("parent.landing.title", locale)),
        ("p", f"{short_name(child.first_name, child.last_name)} · "
              f"{format_period(sheet.period_start, sheet.period_end, locale, whole=True)}"),
        ("p class=\"cc-muted\"", f"{i18n.t('parent.landing.from', locale)}: {family.provider.name}"),
        ("p class=\"cc-muted\"", i18n.t("parent.loading", locale)),
    ]
    return _page(locale, parts)


def _page(locale: str, parts: list[tuple[str, str]]) -> str:
    # Two strings looked up, not the area's whole catalogue copied (i18n.area): this runs for every link opened.
    brand, switch_to = i18n.t("parent.app_name", locale), i18n.t("parent.switch_to", locale)
    header = (f'<header><div class="cc-bar"><span class="cc-brand">{html.escape(brand)}</span>'
              f'<span class="cc-lang" aria-hidden="true">{html.escape(switch_to)}</span></div></header>')
    body = "".join(f"<{tag}>{html.escape(text)}</{tag.split()[0]}>" for tag, text in parts)
    return (f'<div class="cc-preview" id="cc-preview" lang="{locale}">{_STYLE}{header}'
            f'<main>{body}</main>{_REMOVE}</div>')


async def sign_page(request: Request) -> Response:
    shell = _shell()
    if shell is None:  # no production build here (development): let the normal routes answer
        return Response(status_code=404)
    from starlette.concurrency import run_in_threadpool

    preview = await run_in_threadpool(preview_html, request.path_params["token"], caller_ip(request),
                                      request.headers.get("accept-language", ""))
    page = shell.replace("<body>", "<body>" + preview, 1)
    # Personal data: never cached by the browser or a proxy.
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


http_routes = [Route(routes.SIGN_PREFIX + "/{token}", sign_page, methods=["GET"])]
