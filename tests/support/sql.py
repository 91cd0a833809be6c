"""The SQL statements a piece of code sends: for tests that count round trips."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

from careconnect_app.db import get_engine


@contextmanager
def statements_sent(engine: Engine | None = None) -> Iterator[list[str]]:
    """Every statement sent through `engine` (the app's) inside the block, its whitespace folded."""
    engine = engine or get_engine()
    sent: list[str] = []

    def keep(_conn, _cursor, statement, *_args) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", keep)
