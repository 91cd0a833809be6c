"""Command line: `python -m careconnect_app demo [--json]`, `migrate`, `worker`."""

from __future__ import annotations

import argparse
import json
import sys


def cmd_migrate(_args) -> int:
    from careconnect_app import db

    db.migrate()
    print("Database is up to date.")
    return 0


def cmd_demo(args) -> int:
    from careconnect_app import db
    from careconnect_app.services import delivery, demo

    db.migrate()
    with db.session_scope() as session:
        if not demo.is_empty(session) and not args.force:
            print("The database already has data; use --force to add the demo anyway.", file=sys.stderr)
            return 1
        result = demo.seed(session)
    delivery.deliver_now(result.message_ids)
    if args.json:
        print(json.dumps({"links": result.links, "logins": result.logins}, ensure_ascii=False))
    else:
        print_demo(result)
    return 0


def print_demo(result) -> None:
    print("\nCareConnect Sign demo: parents' signing links")
    for link in result.links:
        how = "verify by code" if link["verification_required"] else "no verification"
        print(f"  {link['child']:<22} {link['locale']}  {how:<16} {link['url']}")
    for login in result.logins:
        print(f"  portal login ({login['role']}): {login['email']} / {login['password']}")
    print()


def cmd_worker(args) -> int:
    from careconnect_app import db
    from careconnect_app.services import worker

    db.migrate()
    worker.run_forever(poll_seconds=args.poll, once=args.once)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m careconnect_app")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    demo_p = sub.add_parser("demo", help="fill the database with demo data and print the links")
    demo_p.add_argument("--json", action="store_true", help="print one JSON object")
    demo_p.add_argument("--force", action="store_true", help="add the demo even if data exists")
    demo_p.set_defaults(func=cmd_demo)
    worker_p = sub.add_parser("worker", help="run the delivery worker on its own")
    worker_p.add_argument("--poll", type=float, default=1.0)
    worker_p.add_argument("--once", action="store_true")
    worker_p.set_defaults(func=cmd_worker)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
