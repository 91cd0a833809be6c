"""Command line: `python -m careconnect_app demo [--json]`, `migrate`, `worker`, `create-admin`."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import signal
import sys
import threading

from sqlmodel import select

from careconnect_app import db, demo
from careconnect_app.config import get_settings
from careconnect_app.i18n import t
from careconnect_app.messaging import config_check, outbox, worker
from careconnect_app.models import Agency
from careconnect_app.portal import accounts
from careconnect_app.statuses import Role


def cmd_migrate(_args) -> int:
    db.migrate()
    print("Database is up to date.")
    return 0


def cmd_demo(args) -> int:
    db.migrate()
    with db.session_scope() as session:
        if not demo.is_empty(session) and not args.force:
            print("The database already has data; use --force to add the demo anyway.", file=sys.stderr)
            return 1
        result = demo.seed(session)
    outbox.deliver_now(result.message_ids)
    if args.json:
        print(json.dumps({"links": result.links, "logins": result.logins}, ensure_ascii=False))
    else:
        demo.print_demo(result)
    return 0


def cmd_worker(args) -> int:
    """The delivery worker alone; SIGTERM (systemd, a deploy) lets the sends in flight finish."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config_check.check_configuration(get_settings())
    db.migrate()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    worker.run_forever(poll_seconds=args.poll, once=args.once, stop=stop, concurrency=args.concurrency or None)
    return 0


def cmd_create_admin(args) -> int:
    """Create an agency administrator login (the password is asked for unless --password is given)."""
    if not args.agency_id and not args.agency_name:
        print("Give --agency-id or --agency-name.", file=sys.stderr)
        return 2
    password = args.password
    if password is None:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            print("The passwords do not match.", file=sys.stderr)
            return 2
    db.migrate()
    try:
        with db.session_scope() as session:
            if args.agency_id:
                agency = session.get(Agency, args.agency_id)
                if agency is None:
                    print(f"No agency with id {args.agency_id}.", file=sys.stderr)
                    return 1
            else:
                agency = session.exec(select(Agency).where(Agency.name == args.agency_name)).first()
                if agency is None:
                    agency = Agency(name=args.agency_name)
                    session.add(agency)
                    session.flush()
                    print(f"Created agency {agency.name!r} (id {agency.id}).")
            user = accounts.create_user(session, email=args.email, name=args.name, password=password,
                                        role=Role.AGENCY_ADMIN, agency_id=agency.id)
            print(f"Created agency admin {user.email} for {agency.name!r}.")
    except accounts.AccountError as exc:

        print(t(exc.key), file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m careconnect_app")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    demo_p = sub.add_parser("demo", help="fill the database with demo data and print the links")
    demo_p.add_argument("--json", action="store_true", help="print one JSON object")
    demo_p.add_argument("--force", action="store_true", help="add the demo even if data exists")
    demo_p.set_defaults(func=cmd_demo)
    worker_p = sub.add_parser("worker", help="run the delivery worker on its own (as many as wanted)")
    worker_p.add_argument("--poll", type=float, default=2.0,
                          help="seconds between looks at the outbox when nothing wakes the worker")
    worker_p.add_argument("--concurrency", type=int, default=0,
                          help="sends in flight (default CARECONNECT_DELIVERY_CONCURRENCY)")
    worker_p.add_argument("--once", action="store_true", help="one pass, then exit")
    worker_p.set_defaults(func=cmd_worker)
    admin_p = sub.add_parser("create-admin", help="create an agency administrator login for the portal")
    admin_p.add_argument("email")
    admin_p.add_argument("--name", default="")
    admin_p.add_argument("--agency-id", type=int, default=0)
    admin_p.add_argument("--agency-name", default="")
    admin_p.add_argument("--password", default=None, help="prompted for when omitted")
    admin_p.set_defaults(func=cmd_create_admin)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
