"""What keeps the wizard going when parts of the system do not: a lost tab state, a database that
is away for a moment, a code the worker has not sent yet."""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator

from careconnect_app.messaging import outbox, sent_news
from careconnect_app.pages.state_tools import DatabaseUnavailable, in_session

# How often the verify step looks whether the worker sent the code when it cannot be told at once
# (sent_news not listening): quickly at first, for a minute.
CODE_CHECKS = (0.15, 0.25, 0.4, 0.6, 1.0, 1.5) + (2.0,) * 27
CODE_WATCH_SECONDS = sum(CODE_CHECKS)
CODE_SLOW_AFTER = 8.0  # seconds: then the page says it takes longer than usual
LOOK_WHILE_TOLD = 10.0  # seconds between looks at the row while the worker's news comes at once
UNAVAILABLE = "parent.error.unavailable"  # the notice while the database does not answer


def resilient(handler):
    """Run a wizard handler on a state that is there, and say so plainly when the database is not.

    A tab whose state vanished (Redis restarted without persistence) still shows its page; its
    next event would run on a blank state and call the link unknown, so the page is reloaded
    instead (`SignState._lost`): the database and the browser's cookie know where the parent
    was. A database that stays away past db.RETRY_FOR_SECONDS gets the parent a clear message;
    nothing they did was lost.
    """
    if inspect.isasyncgenfunction(handler):
        @functools.wraps(handler)
        async def streaming(self, *args, **kwargs):
            if (reload := self._lost()) is not None:
                yield reload
                return
            try:
                async for update in handler(self, *args, **kwargs):
                    yield update
            except DatabaseUnavailable:
                self._say("notice", UNAVAILABLE)
        return streaming

    @functools.wraps(handler)
    async def single(self, *args, **kwargs):
        if (reload := self._lost()) is not None:
            return reload
        try:
            return await handler(self, *args, **kwargs)
        except DatabaseUnavailable:
            self._say("notice", UNAVAILABLE)
        return None
    return single


async def code_progress(message_id: int) -> AsyncIterator[str]:
    """"slow" once the code takes longer than usual, then "sent" or "failed" (nothing more if
    neither comes within the watch: the page keeps saying it is slow, and "Send a new code" works).

    The worker's news (messaging.sent_news) says at once when the code went out; the row is looked
    at first (it may have gone already), at the "slow" mark and every LOOK_WHILE_TOLD seconds. When
    news may have been missed (not listening), the row is looked at on the CODE_CHECKS schedule.
    """
    with sent_news.listener().waiting(message_id) as news:  # before the first look: nothing after it is missed
        outcome = await _look(message_id)
        waited, said_slow, checks = 0.0, False, iter(CODE_CHECKS)
        while outcome is None:
            if waited >= CODE_SLOW_AFTER and not said_slow:
                said_slow = True
                yield "slow"
            if waited >= CODE_WATCH_SECONDS:
                return
            check = next(checks, CODE_CHECKS[-1])
            trusted = news.trusted
            pause = (CODE_SLOW_AFTER - waited if waited < CODE_SLOW_AFTER else LOOK_WHILE_TOLD) if trusted else check
            outcome = await news.heard(pause)
            waited += pause
            if outcome is None:
                outcome = await _look(message_id)
        yield outcome


async def _look(message_id: int) -> str | None:
    """"sent" or "failed" when the row says so, else None (also while the database is away)."""
    try:
        return sent_news.news_of(await in_session(outbox.status_of, message_id))
    except DatabaseUnavailable:
        return None
