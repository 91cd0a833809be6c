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

    worker_url: rx.Var[str]
    scope: rx.Var[str]
    # The hint's words: title, body, iosSteps (Safari's "Share -> Add to Home Screen"), install, dismiss.
    labels: rx.Var[dict[str, str]]


def install_support(tr) -> rx.Component:
    """The worker's registration and the install hint, in the page's language (`tr`: portal words)."""
    labels = {"title": tr["install.title"], "body": tr["install.body"], "iosSteps": tr["install.ios"],
              "install": tr["install.button"], "dismiss": tr["install.dismiss"]}
    return PwaSupport.create(worker_url=routes.SERVICE_WORKER, scope=routes.SERVICE_WORKER_SCOPE, labels=labels)


def manifest_links() -> tuple[rx.Component, ...]:
    """What makes a portal page installable: the web app manifest and Apple's icon and title."""
    return (
        rx.el.link(rel="manifest", href=routes.WEB_MANIFEST),
        rx.el.link(rel="apple-touch-icon", href=routes.APPLE_TOUCH_ICON),
        rx.el.meta(name="apple-mobile-web-app-title", content="CareConnect"),
        rx.el.meta(name="mobile-web-app-capable", content="yes"),
    )
