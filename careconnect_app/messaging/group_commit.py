"""Group commit: many threads' results written in one transaction instead of one each.

The outbox's sending threads each finish with "this message was sent". Written one by one,
64 sends in flight cost 64 commits (and 64 database connections waiting in the pool); here a
thread hands its result in, and whichever thread finds no write running takes everything that
is waiting and writes it in one go, while the others wait for the write that carried theirs.
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


class GroupCommit(Generic[Item, Key, Answer]):
    """`submit(key, item)` -> the answer `write(items)` gave for `key`.

    `write` gets every waiting item as a dict by key and returns an answer per key; when it raises,
    every caller of that batch gets the exception.
    """

    def __init__(self, write: Callable[[dict[Key, Item]], dict[Key, Answer]]):
        self._write = write
        self._changed = threading.Condition()
        self._waiting: dict[Key, Item] = {}
        self._answers: dict[Key, Answer | BaseException] = {}
        self._writing = False

    def submit(self, key: Key, item: Item) -> Answer:
        with self._changed:
            self._waiting[key] = item
            while key not in self._answers and self._writing:
                self._changed.wait()
            if key not in self._answers:  # nobody is writing: this thread writes for everyone waiting
                self._writing, batch, self._waiting = True, self._waiting, {}
            else:
                batch = None
        if batch is not None:
            self._write_batch(batch)
        with self._changed:
            answer = self._answers.pop(key)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def _write_batch(self, batch: dict[Key, Item]) -> None:
        try:
            answers: dict[Key, Answer | BaseException] = dict(self._write(batch))
        except BaseException as exc:  # noqa: BLE001 (handed to every caller of the batch)
            answers = {key: exc for key in batch}
        for key in batch.keys() - answers.keys():
            answers[key] = LookupError(f"the write gave no answer for {key!r}")
        with self._changed:
            self._answers.update(answers)
            self._writing = False
            self._changed.notify_all()
