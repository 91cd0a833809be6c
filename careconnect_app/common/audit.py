"""The one place that writes the audit trail, as hash chains anyone can re-check.

Every event belongs to a chain: one per attendance sheet, and one ("global") for events without a
sheet (logins, settings). Each event stores the hash of the event before it in its chain and its
own hash over all its fields, so a changed, removed or inserted event breaks the chain at that
point. A writer first locks the chain's head row (`AuditChainHead`): concurrent writers of one
chain wait for each other instead of forking it (a row lock on PostgreSQL; SQLite has one writer).
The head also records the chain's length, so events cut off its end show too.

Rows are append-only: PostgreSQL refuses UPDATE and DELETE with a trigger (migration 0006) and the
ORM refuses them on every database (models.APPEND_ONLY).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import bindparam, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select, update

from careconnect_app.clock import as_utc, utcnow
from careconnect_app.common.crypto import canonical_json, sha256_hex
from careconnect_app.models import AuditChainHead, AuditEvent

GLOBAL_CHAIN = "global"
HASH_VERSION = 1


def chain_of(sheet_id: int | None) -> str:
    return f"sheet:{sheet_id}" if sheet_id else GLOBAL_CHAIN


def event_hash(event: AuditEvent | SimpleNamespace) -> str:
    """SHA-256 over every field of the event and the hash before it (not its id, given by the database)."""
    return sha256_hex(canonical_json({
        "v": HASH_VERSION, "prev": event.prev_hash, "at": as_utc(event.created_at).isoformat(timespec="microseconds"),
        "event": event.event, "actor": event.actor, "sheet_id": event.sheet_id,
        "signing_request_id": event.signing_request_id, "user_id": event.user_id, "ip": event.ip,
        "user_agent": event.user_agent, "channel": event.channel, "detail": event.detail,
    }))


# Core statements on the tables (in the session's transaction), built once: the ORM's unit of work
# and building a statement per call cost more CPU than the rest of an audited step.
_HEAD = AuditChainHead.__table__
_EVENTS = AuditEvent.__table__
_EVENT_FIELDS = ("created_at", "event", "actor", "sheet_id", "signing_request_id", "user_id", "ip", "user_agent",
                 "channel", "detail", "prev_hash", "hash")
_TAKE_HEAD = (update(_HEAD).where(_HEAD.c.chain == bindparam("chain_key")).values(length=_HEAD.c.length)
              .returning(_HEAD.c.last_hash))
_MOVE_HEAD = (update(_HEAD).where(_HEAD.c.chain == bindparam("chain_key"))
              .values(last_hash=bindparam("e_hash"), length=_HEAD.c.length + 1))
# SQLite: the event, then the head pointed at its id. PostgreSQL: both in one statement (a round
# trip less for each of a journey's seven events), the event written by a CTE the head reads.
_WRITE_EVENT = insert(_EVENTS).values({name: bindparam(f"e_{name}") for name in _EVENT_FIELDS}).returning(_EVENTS.c.id)
_POINT_HEAD = _MOVE_HEAD.values(last_event_id=bindparam("event_id"))
_new_event = _WRITE_EVENT.cte("new_event")
_APPEND_PG = (_MOVE_HEAD.values(last_event_id=_new_event.select().with_only_columns(_new_event.c.id).scalar_subquery())
              .returning(_HEAD.c.last_event_id))


def lock_chain(session: Session, sheet_id: int | None) -> str:
    """Lock the chain's head until the caller's transaction ends; returns the hash of its newest event."""
    chain = chain_of(sheet_id)
    connection = session.connection()
    head = connection.execute(_TAKE_HEAD, {"chain_key": chain}).first()
    if head is None:  # the chain's first event: create its head (or find the one a racing writer made)
        upsert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
        connection.execute(upsert(_HEAD).values(chain=chain, last_hash="", length=0)
                           .on_conflict_do_nothing(index_elements=["chain"]))
        head = connection.execute(_TAKE_HEAD, {"chain_key": chain}).first()
    return head[0]


def _append(session: Session, fields: dict) -> int:
    """Write the event and move its chain's head to it (the head is locked); returns the event's id."""
    connection = session.connection()
    params = {f"e_{name}": fields[name] for name in _EVENT_FIELDS} | {"chain_key": chain_of(fields["sheet_id"])}
    if connection.dialect.name == "postgresql":
        return connection.execute(_APPEND_PG, params).scalar_one()
    event_id = connection.execute(_WRITE_EVENT, params).scalar_one()
    connection.execute(_POINT_HEAD, params | {"event_id": event_id})
    return event_id


def record(
    session: Session,
    event: str,
    *,
    actor: str = "system",
    sheet_id: int | None = None,
    signing_request_id: int | None = None,
    user_id: int | None = None,
    ip: str = "",
    user_agent: str = "",
    channel: str = "",
    detail: str | dict = "",
    at: datetime | None = None,
    after: str | None = None,
) -> AuditEvent:
    """Append one event to its chain; the caller's transaction commits it with the change it describes.

    `after`: the hash of the chain's newest event, from a caller that holds the chain's lock in this
    transaction (`lock_chain`'s answer, or the event it recorded last): the lock is not taken again.
    Returns the event as written (a copy: not in the session)."""
    if isinstance(detail, dict):
        detail = json.dumps(detail, sort_keys=True, ensure_ascii=False)
    session.flush()  # what the event describes is written first, as the ORM's flush would
    fields = dict(created_at=as_utc(at or utcnow()), event=event, actor=actor, sheet_id=sheet_id,
                  signing_request_id=signing_request_id, user_id=user_id, ip=(ip or "")[:64],
                  user_agent=(user_agent or "")[:512], channel=channel, detail=detail[:2000],
                  prev_hash=lock_chain(session, sheet_id) if after is None else after)
    fields["hash"] = event_hash(SimpleNamespace(**fields))
    return AuditEvent.model_construct(id=_append(session, fields), **fields)


def events_for_sheet(session: Session, sheet_id: int) -> list[AuditEvent]:
    """Every event of a sheet, oldest first."""
    stmt = select(AuditEvent).where(AuditEvent.sheet_id == sheet_id).order_by(AuditEvent.id)
    return list(session.exec(stmt))


def has_event(session: Session, signing_request_id: int, event: str) -> bool:
    stmt = select(AuditEvent.id).where(
        AuditEvent.signing_request_id == signing_request_id, AuditEvent.event == event
    )
    return session.exec(stmt).first() is not None


def events_of_request(session: Session, signing_request_id: int, event: str) -> list[AuditEvent]:
    """One kind of event of a signing request, newest first."""
    stmt = (select(AuditEvent).where(AuditEvent.signing_request_id == signing_request_id, AuditEvent.event == event)
            .order_by(AuditEvent.id.desc()))  # type: ignore[union-attr]
    return list(session.exec(stmt))


# --- checking the chains ---------------------------------------------------------------------------

BREAK_TEXT = {
    "changed": "event {event_id} was changed after it was written (its hash no longer matches its fields)",
    "unlinked": "event {event_id} does not follow the event before it: an event before it was removed, "
                "inserted or changed",
    "cut": "the chain ends early: {missing} event(s) at its end were removed",
    "head": "the chain's head does not match its last event (events at its end were removed or changed)",
    "no_head": "the chain has events but no head record (it was removed)",
}


@dataclass(frozen=True)
class ChainBreak:
    """The first point where a chain stops adding up."""

    chain: str
    problem: str  # a key of BREAK_TEXT
    event_id: int | None = None
    missing: int = 0

    def describe(self) -> str:
        return f"{self.chain}: " + BREAK_TEXT[self.problem].format(event_id=self.event_id, missing=self.missing)


@dataclass
class ChainsReport:
    chains: int = 0
    events: int = 0
    breaks: list[ChainBreak] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks


def _chain_events(session: Session, chain: str) -> Iterator[AuditEvent]:
    where = (AuditEvent.sheet_id.is_(None) if chain == GLOBAL_CHAIN  # type: ignore[union-attr]
             else AuditEvent.sheet_id == int(chain.split(":", 1)[1]))
    yield from session.exec(select(AuditEvent).where(where).order_by(AuditEvent.id).execution_options(yield_per=500))


def check_chain(session: Session, chain: str) -> tuple[int, ChainBreak | None]:
    """(events walked, the first break or None) for one chain."""
    previous, count = "", 0
    for event in _chain_events(session, chain):
        count += 1
        if event.prev_hash != previous:
            return count, ChainBreak(chain, "unlinked", event.id)
        if event_hash(event) != event.hash:
            return count, ChainBreak(chain, "changed", event.id)
        previous = event.hash
    head = session.get(AuditChainHead, chain)
    if head is None:
        return count, ChainBreak(chain, "no_head") if count else None
    if head.length > count:
        return count, ChainBreak(chain, "cut", missing=head.length - count)
    if head.length != count or head.last_hash != previous:
        return count, ChainBreak(chain, "head")
    return count, None


def check_sheet(session: Session, sheet_id: int) -> ChainBreak | None:
    return check_chain(session, chain_of(sheet_id))[1]


def check_all(session: Session) -> ChainsReport:
    """Walk every chain (those with a head and those with events) and report each one's first break."""
    chains = set(session.exec(select(AuditChainHead.chain)))
    chains.update(chain_of(sheet_id) for sheet_id in session.exec(select(AuditEvent.sheet_id).distinct()))
    report = ChainsReport()
    for chain in sorted(chains, key=_chain_order):
        walked, broken = check_chain(session, chain)
        report.chains += 1
        report.events += walked
        if broken is not None:
            report.breaks.append(broken)
    return report


def _chain_order(chain: str) -> tuple[int, int]:
    return (0, 0) if chain == GLOBAL_CHAIN else (1, int(chain.split(":", 1)[1]))
