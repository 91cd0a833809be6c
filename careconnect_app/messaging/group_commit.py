"""Group commit: many threads' results written in one transaction instead of one each.

The outbox's sending threads each finish with "this message was sent". Written one by one,
64 sends in flight cost 64 commits (and 64 database connections waiting in the pool); here a
thread hands its result in, and whichever thread finds no write running takes everything that
is waiting and writes it in one go, while the others wait for the write that carried theirs. When
a write ends with results waiting, it hands the next write to one of their callers.
Under light load a batch is one result (no added wait, no timer); under heavy load the batches
grow by themselves. A caller returns only once its own result is written, so a sending slot is
never freed before its outcome is in the database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Item = TypeVar("Item")
Key = TypeVar("Key", bound=Hashable)
Answer = TypeVar("Answer")


class _Batch(Generic[Item, Key, Answer]):
    """Results waiting for one write. Its callers wait on its own condition: the end of a write
    wakes that write's callers and one caller of the next, not every waiting sending thread."""

    def __init__(self, lock: threading.Lock):
        self.items: dict[Key, Item] = {}
        self.answers: dict[Key, Answer | BaseException] | None = None  # set once written
        self.lead = False  # the write before it ended: one caller of this batch writes it
        self.changed = threading.Condition(lock)


class GroupCommit(Generic[Item, Key, Answer]):
    """`submit(key, item)` -> the answer `write(items)` gave for `key`.

    `write` gets every waiting item as a dict by key and returns an answer per key; when it raises,
    every caller of that batch gets the exception.
    """

    def __init__(self, write: Callable[[dict[Key, Item]], dict[Key, Answer]]):
        self._write = write
        self._lock = threading.Lock()
        self._open: _Batch[Item, Key, Answer] = _Batch(self._lock)  # where new results go
        self._writing = False

    def submit(self, key: Key, item: Item) -> Answer:
        with self._lock:
            batch = self._open
            batch.items[key] = item
            if self._writing:
                batch.changed.wait_for(lambda: batch.answers is not None or batch.lead)
            if batch.answers is None:  # nobody is writing, or the last write handed over: write this batch
                batch.lead, self._writing, self._open = False, True, _Batch(self._lock)
        if batch.answers is None:
            self._write_batch(batch)
        answer = batch.answers[key]  # type: ignore[index]  (set by the write that carried it)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def _write_batch(self, batch: _Batch[Item, Key, Answer]) -> None:
        try:
            answers: dict[Key, Answer | BaseException] = dict(self._write(batch.items))
        except BaseException as exc:  # noqa: BLE001 (handed to every caller of the batch)
            answers = {key: exc for key in batch.items}
        for key in batch.items.keys() - answers.keys():
            answers[key] = LookupError(f"the write gave no answer for {key!r}")
        with self._lock:
            batch.answers = answers
            batch.changed.notify_all()
            following = self._open
            if following.items:  # results came in during this write: one of their callers writes them
                following.lead = True
                following.changed.notify()
            else:
                self._writing = False
