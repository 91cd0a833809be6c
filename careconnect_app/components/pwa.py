"""The installable portal: the manifest and icon links, and assets/pwa.jsx (the service worker's
registration and the "Install" hint).

The service worker is assets/sw.js (served at /sw.js, scope /portal/); the manifest is
assets/manifest.webmanifest; the icons are assets/icons/*.png (scripts/make_app_icons.py).
"""

from __future__ import annotations

import reflex as rx

from careconnect_app import routes


class PwaSupport(rx.Component):
    """Registers the portal's service worker; shows the install hint where installing is possible."""

    library = "$/public/pwa.jsx"
    tag = "PwaSupport"
    is_default = False

    worker_url: rx.Var[str]
    scope: rx.Var[str]
    title: rx.Var[str]
    body: rx.Var[str]
    ios_steps: rx.Var[str]
    install_label: rx.Var[str]
    dismiss_label: rx.Var[str]


def install_support(tr) -> rx.Component:
    """The worker's registration and the install hint, in the page's language (`tr`: portal words)."""
    return PwaSupport.create(worker_url=routes.SERVICE_WORKER, scope=routes.SERVICE_WORKER_SCOPE,
                             title=tr["install.title"], body=tr["install.body"], ios_steps=tr["install.ios"],
                             install_label=tr["install.button"], dismiss_label=tr["install.dismiss"])


def manifest_links() -> tuple[rx.Component, ...]:
    """What makes a portal page installable: the web app manifest and Apple's icon and title."""
    return (
        rx.el.link(rel="manifest", href=routes.WEB_MANIFEST),
        rx.el.link(rel="apple-touch-icon", href=routes.APPLE_TOUCH_ICON),
        rx.el.meta(name="apple-mobile-web-app-title", content="CareConnect"),
        rx.el.meta(name="mobile-web-app-capable", content="yes"),
    )
