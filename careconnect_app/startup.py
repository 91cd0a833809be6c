"""Work done once when the backend starts: schema, demo data in development, delivery worker."""

from __future__ import annotations

import logging

from careconnect_app import db, demo
from careconnect_app.config import get_settings
from careconnect_app.messaging import config_check, worker

log = logging.getLogger(__name__)


def prepare() -> None:
    """Migrate, seed an empty development database, start the in-app delivery worker."""
    settings = get_settings()
    # Misconfigured email/SMS is reported now, not at the first parent's send.
    config_check.check_configuration(settings)
    db.migrate()
    if settings.demo_on_empty and not settings.is_prod:
        # Several backend workers start at once: only the first seeds.
        with db.startup_lock(), db.session_scope() as session:
            result = demo.seed(session) if demo.is_empty(session) else None
        if result is not None:
            demo.print_demo(result)  # the worker started below sends the demo's messages
    if settings.run_worker_in_app:
        worker.start_in_background()
    else:
        log.info("delivery runs in separate worker processes (python -m careconnect_app worker)")
