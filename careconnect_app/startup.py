"""Work done when the app starts: the configuration check, schema, demo data in development, the
console banner, the delivery worker."""

from __future__ import annotations

import logging
import sys

from careconnect_app import db, demo
from careconnect_app.config import get_settings
from careconnect_app.evidence import keys
from careconnect_app.messaging import config_check, outbox, worker

log = logging.getLogger(__name__)


def configuration_problems() -> list[str]:
    """Every problem with the settings, at once ([] when the app can start)."""
    try:
        settings = get_settings()
    except RuntimeError as exc:  # a missing secret key, a number that is not one
        return [str(exc)]
    problems = config_check.validate_configuration(settings)
    try:  # the evidence keys (development generates its own in .careconnect/ here)
        keys.check_configuration(settings)
    except keys.KeyConfigurationError as exc:
        problems.append(str(exc))
    return problems


def stop_if_misconfigured() -> None:
    """Print every configuration problem and stop, before Reflex builds the frontend and prints
    "App running" (the app module calls this first thing when it is imported)."""
    problems = configuration_problems()
    if problems:
        lines = "\n".join(f"  - {problem}" for problem in problems)
        print(f"\nCareConnect cannot start; fix these settings (environment or .env):\n{lines}\n", file=sys.stderr,
              flush=True)
        raise SystemExit(1)


def prepare() -> None:
    """Migrate, seed an empty development database, say where everything is, start the worker."""
    settings = get_settings()
    # Checked again here: a backend started on its own (`--backend-only`) has not compiled the app.
    config_check.check_configuration(settings)
    # Missing or unreadable evidence keys stop the start, not the first parent's signature.
    keys.check_configuration(settings)
    db.migrate()
    if not settings.is_prod:
        seeded = None
        if settings.demo_on_empty:
            # Several backend workers start at once: only the first seeds.
            with db.startup_lock(), db.session_scope() as session:
                seeded = demo.seed(session) if demo.is_empty(session) else None
            if seeded is not None:
                outbox.deliver_now(seeded.message_ids)
                demo.remember(seeded)
        # Every development start, not only the first: where the portal and the outbox are, the demo
        # logins and links (with what became of each).
        with db.session_scope() as session:
            demo.print_banner(session, settings.base_url)
    if settings.run_worker_in_app:
        worker.start_in_background()
    else:
        log.info("delivery runs in separate worker processes (python -m careconnect_app worker)")
