"""Command line: `python -m careconnect_app demo [--json]`, `migrate`, `worker`, `create-admin`,
`verify FILE.pdf`, `audit verify`, `evidence-keys DIR`."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import signal
import sys
import threading
from pathlib import Path

from sqlmodel import select

from careconnect_app import db, demo
from careconnect_app.api.headers import caddy_snippet
from careconnect_app.common import audit
from careconnect_app.config import get_settings
from careconnect_app.evidence import keys, report_words, verify
from careconnect_app.i18n import normalise_locale, t
from careconnect_app.messaging import config_check, outbox, render_process, worker
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
    worker.run_forever(poll_seconds=args.poll, once=args.once, stop=stop, concurrency=args.concurrency or None,
                       render_nice=None if args.render_in_worker else args.render_nice)
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
            print(f"Created agency admin {user.email} for {agency.name!r}; they set up two-step sign-in at the first sign-in.")
    except accounts.AccountError as exc:

        print(t(exc.key), file=sys.stderr)
        return 1
    return 0


def cmd_verify(args) -> int:
    """Check a signed copy or certificate (or a reference number with its document hash): 0 when verified."""
    locale = normalise_locale(args.lang)
    if not args.file and not args.reference:
        print("Give a PDF file, or --reference with --hash.", file=sys.stderr)
        return 2
    db.migrate()
    with db.session_scope() as session:
        if args.reference:
            report = verify.verify_reference(session, args.reference, args.hash or "")
            heading = t("verify.cli.reference", locale, reference=verify.normalise_reference(args.reference))
        else:
            path = Path(args.file)
            try:
                data = path.read_bytes()
            except OSError as exc:
                print(f"{path}: {exc.strerror}", file=sys.stderr)
                return 2
            report = verify.verify_pdf(session, data)
            heading = t("verify.cli.file", locale, name=path.name)
    words = report_words.in_words(report, locale)
    print(heading)
    print(f"{words.verdict.upper()}: {words.problem or words.verdict_body}")
    for check in words.checks:
        print(f"  [{ {'ok': 'ok', 'bad': 'FAIL', 'none': '--'}[check['state']] :>4}] {check['text']}")
    for row in words.summary:
        print(f"  {row['label']}: {row['value']}")
    return 0 if words.verified else 1


def cmd_audit(args) -> int:
    """Walk every audit chain; report each chain's first broken link. 0 when all are unbroken."""
    db.migrate()
    with db.session_scope() as session:
        report = audit.check_all(session)
    for broken in report.breaks:
        print(f"BROKEN {broken.describe()}")
    print(f"{report.chains} chain(s), {report.events} event(s): "
          + ("every chain is unbroken." if report.ok else f"{len(report.breaks)} chain(s) broken."))
    return 0 if report.ok else 1


def cmd_evidence_keys(args) -> int:
    """Make a new Ed25519 evidence key and a self-signed seal certificate in DIR; print the settings."""
    folder = Path(args.folder)
    names = ("evidence_key.pem", "seal_key.pem", "seal_cert.pem")
    if any((folder / name).exists() for name in names):
        print(f"{folder} already holds evidence keys; a key in use is never replaced.", file=sys.stderr)
        return 1
    for variable, path in keys.write_key_files(folder).items():
        print(f"{variable}={path}")
    return 0


def cmd_security_headers(args) -> int:
    """Write the security headers for the built frontend as a Caddyfile snippet (deploy/build-frontend.sh)."""
    Path(args.caddy).write_text(caddy_snippet(), encoding="utf-8")
    print(f"Wrote the security headers for Caddy to {args.caddy}")
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
    worker_p.add_argument("--render-nice", type=int, default=render_process.RENDER_NICE,
                          help="the sealed PDFs are made in a child process this many steps below the "
                               "worker's CPU priority, so codes never wait behind them (default %(default)s)")
    worker_p.add_argument("--render-in-worker", action="store_true",
                          help="make the PDFs on the worker's own sending threads instead (one process)")
    worker_p.set_defaults(func=cmd_worker)
    admin_p = sub.add_parser("create-admin", help="create an agency administrator login for the portal")
    admin_p.add_argument("email")
    admin_p.add_argument("--name", default="")
    admin_p.add_argument("--agency-id", type=int, default=0)
    admin_p.add_argument("--agency-name", default="")
    admin_p.add_argument("--password", default=None, help="prompted for when omitted")
    admin_p.set_defaults(func=cmd_create_admin)
    verify_p = sub.add_parser("verify", help="check a signed copy or certificate PDF (exit 0 when verified)")
    verify_p.add_argument("file", nargs="?", default="", help="the PDF to check")
    verify_p.add_argument("--reference", default="", help="check a reference number instead of a file ...")
    verify_p.add_argument("--hash", default="", help="... with the document hash (SHA-256) printed on the copy")
    verify_p.add_argument("--lang", default="en", help="en or es")
    verify_p.set_defaults(func=cmd_verify)
    audit_p = sub.add_parser("audit", help="audit trail tools")
    audit_sub = audit_p.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser("verify", help="walk every hash chain and report the first broken link") \
        .set_defaults(func=cmd_audit)
    keys_p = sub.add_parser("evidence-keys", help="make an evidence key and a self-signed seal certificate in DIR")
    keys_p.add_argument("folder")
    keys_p.set_defaults(func=cmd_evidence_keys)
    headers_p = sub.add_parser("security-headers", help="write the security headers of this build for Caddy")
    headers_p.add_argument("--caddy", required=True, help="the snippet file deploy/Caddyfile imports")
    headers_p.set_defaults(func=cmd_security_headers)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
