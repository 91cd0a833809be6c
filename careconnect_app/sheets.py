"""Every change of a sheet's state as one conditional UPDATE of its row.

The WHERE names the statuses the change starts from and the version the caller read; the row
count says whether this call won. Two changes racing each other (a recall and a signature, two
submits, an edit and a submit) therefore have exactly one winner, and the loser learns it from
the count instead of overwriting the winner from a copy it read earlier.

The sheet's row is also the lock: whatever changes a sheet or one of its signing requests moves
(or touches) the sheet first, so on PostgreSQL racing transactions queue on that one row in the
same order instead of deadlocking on two.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, update

from careconnect_app.models import AttendanceSheet
from careconnect_app.statuses import SheetStatus


def move(session: Session, sheet_id: int, read_version: int, allowed: Iterable[SheetStatus], **values: Any) -> bool:
    """Set `values` if the sheet is still at `read_version` in one of the `allowed` statuses; True when it was."""
    statement = (update(AttendanceSheet)
                 .where(AttendanceSheet.id == sheet_id, AttendanceSheet.version == read_version,
                        AttendanceSheet.status.in_(list(allowed)))  # type: ignore[attr-defined]
                 .values(**values))
    return session.exec(statement).rowcount == 1


def move_sheet(session: Session, sheet: AttendanceSheet, allowed: Iterable[SheetStatus], **values: Any) -> bool:
    """`move` for a sheet the caller holds; on success the object is read back as stored."""
    won = move(session, sheet.id, sheet.version, allowed, **values)
    if won:
        session.refresh(sheet)
    return won


def hold(session: Session, sheet_id: int, read_version: int, allowed: Iterable[SheetStatus]) -> bool:
    """Take the sheet's row lock while it is still as read (a change of one of its requests)."""
    return move(session, sheet_id, read_version, allowed, version=read_version)
