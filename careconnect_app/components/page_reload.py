"""Reflex wrapper for assets/page_reload.jsx: a full page load, or a tidied address, on the server's word.

    page_reload(to=SignState.reload_to, clean=SignState.clean_url, status=SignState.status)

Used instead of `rx.call_script`, which needs `eval` (refused by the Content-Security-Policy).
"""

from __future__ import annotations

import reflex as rx


class PageReload(rx.Component):
    """Renders nothing; loads `to` afresh when it is set, drops the query string when `clean`, and
    reloads the page once if `status` falls back to "loading" (the tab's server state was lost)."""

    library = "$/public/page_reload.jsx"
    tag = "PageReload"

    to: rx.Var[str]
    clean: rx.Var[bool]
    status: rx.Var[str]


def page_reload(to, clean, status) -> rx.Component:
    return PageReload.create(to=to, clean=clean, status=status)
