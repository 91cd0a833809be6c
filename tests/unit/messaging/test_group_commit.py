"""The sending threads' results are written together, and each thread gets its own answer."""

from __future__ import annotations

import threading

import pytest

from careconnect_app.messaging.group_commit import GroupCommit


def test_threads_waiting_on_a_write_share_the_next_one_and_each_gets_its_answer():
    writes: list[list[int]] = []
    first_write_started, release_first_write = threading.Event(), threading.Event()

    def write(items: dict[int, str]) -> dict[int, str]:
        writes.append(sorted(items))
        if len(writes) == 1:
            first_write_started.set()
            release_first_write.wait(10)
        return {key: item.upper() for key, item in items.items()}

    group = GroupCommit(write)
    answers: dict[int, str] = {}

    def submit(key: int) -> None:
        answers[key] = group.submit(key, f"m{key}")

    first = threading.Thread(target=submit, args=(0,))
    first.start()
    first_write_started.wait(10)
    others = [threading.Thread(target=submit, args=(n,)) for n in range(1, 9)]
    for thread in others:
        thread.start()
    while len(group._open.items) < 8:  # all eight wait behind the first write
        threading.Event().wait(0.01)
    release_first_write.set()
    for thread in [first, *others]:
        thread.join(10)
    assert answers == {n: f"M{n}" for n in range(9)}
    assert writes == [[0], list(range(1, 9))]  # two writes for nine results


def test_a_failed_write_is_raised_to_every_caller_of_that_batch_and_the_next_write_works():
    calls = []

    def write(items: dict[str, int]) -> dict[str, int]:
        calls.append(items)
        if len(calls) == 1:
            raise ConnectionError("database away")
        return dict(items)

    group = GroupCommit(write)
    with pytest.raises(ConnectionError):
        group.submit("a", 1)
    assert group.submit("b", 2) == 2


def test_a_write_that_forgets_a_result_fails_that_caller_instead_of_hanging_it():
    group = GroupCommit(lambda items: {})
    with pytest.raises(LookupError):
        group.submit("a", 1)


def test_many_threads_submitting_at_once_each_get_their_own_answer_and_every_result_is_written_once():
    written: list[int] = []

    def write(items: dict[int, int]) -> dict[int, int]:
        written.extend(items)
        threading.Event().wait(0.001)  # a database round trip: others pile up behind it
        return {key: item * 2 for key, item in items.items()}

    group = GroupCommit(write)
    answers: dict[int, int] = {}

    def sender(first: int) -> None:
        for key in range(first, first + 50):
            answers[key] = group.submit(key, key + 1)

    threads = [threading.Thread(target=sender, args=(n * 50,)) for n in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads)
    assert answers == {key: 2 * (key + 1) for key in range(1600)}
    assert sorted(written) == list(range(1600))
