"""Reflex wrapper for assets/page_error.jsx: the page shown when a page fails to draw.

    app.app_wraps[(55, "ErrorBoundary")] = lambda stateful: page_error_boundary(PageErrorState.report)

Replaces Reflex's fallback, whose automatic reload needs `eval` (refused by the Content-Security-Policy).
"""

from __future__ import annotations

import reflex as rx
from reflex_components_core.base.error_boundary import ErrorBoundary


class PageError(rx.Component):
    """Says the connection was lost for a moment (English and Spanish), reloads once, offers a button."""

    library = "$/public/page_error.jsx"
    tag = "PageError"


def page_error_boundary(on_error) -> rx.Component:
    """Reflex's error boundary with our fallback; `on_error` gets (error text, component stack).

    Not Reflex's own on_error: it answers certain errors with a reload through `eval`."""
    return ErrorBoundary.create(fallback_render=PageError.create(), on_error=on_error)
