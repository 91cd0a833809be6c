"""Which app instance holds a browser tab's socket, so a tab can move to another instance.

Reflex (with Redis) records each tab token's socket under `token_manager_socket_record_<token>`
for an hour. When a tab connects with a token that has a record, Reflex takes it for a second
tab copied from the first (duplicated sessionStorage) and gives it a new token, i.e. a blank
state. That is right while the first socket lives, and wrong when its instance was killed: the
parent's tab reconnects through the proxy to another instance and would lose its page (the
drawn signature, the ticked boxes) although its state is intact in Redis.

So each instance (each backend worker process) keeps a heartbeat key alive in Redis. A tab that
connects with a token another instance holds waits (at most HEARTBEAT_TTL) for that instance's
heartbeat: if it runs out, the instance is dead, its record is removed before Reflex looks, and
the tab keeps its token and its state; if it goes on, the other tab is real and Reflex proceeds
as it always does.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket

from reflex.utils.tasks import ensure_task
from reflex.utils.token_manager import RedisTokenManager, TokenManager

log = logging.getLogger(__name__)
HEARTBEAT_KEY = "careconnect_instance_alive_"
HEARTBEAT_EVERY = 0.5  # seconds
HEARTBEAT_TTL = 2  # seconds: an instance silent for longer is gone (a moved tab waits up to this)


class FailoverTokenManager(RedisTokenManager):
    """RedisTokenManager that lets a tab keep its token when its previous instance is dead."""

    _heartbeat_task: asyncio.Task | None = None

    def _alive_key(self, instance_id: str) -> str:
        return f"{HEARTBEAT_KEY}{instance_id}"

    async def _beat(self) -> None:
        while True:
            try:
                # The value says where the instance runs (operators, and the failover test).
                await self.redis.set(self._alive_key(self.instance_id), f"{socket.gethostname()}:{os.getpid()}",
                                     ex=HEARTBEAT_TTL)
            except Exception as exc:  # Redis restarting: try again at the next beat
                log.warning("instance heartbeat not written: %s", exc)
            await asyncio.sleep(HEARTBEAT_EVERY)

    async def _stopped(self, token: str, instance_id: str) -> bool:
        """Whether that instance's heartbeat runs out within its time to live (it was just killed).

        False at once when the record goes meanwhile: the old socket said goodbye (a page reload
        whose new socket reached another backend process first), and Reflex links as usual.
        """
        deadline = asyncio.get_running_loop().time() + HEARTBEAT_TTL + HEARTBEAT_EVERY
        while await self.redis.exists(self._alive_key(instance_id)):
            if asyncio.get_running_loop().time() > deadline or not await self.redis.exists(self._get_redis_key(token)):
                return False
            await asyncio.sleep(HEARTBEAT_EVERY / 5)
        return True

    async def link_token_to_sid(self, token: str, sid: str) -> str | None:
        """Forget a record left by a dead instance, then link as Reflex does."""
        ensure_task(owner=self, task_attribute="_heartbeat_task", coro_function=self._beat,
                    suppress_exceptions=[Exception])
        try:
            record = await self._fetch_socket_record(token)
            moved = record is not None and record.instance_id != self.instance_id
            if moved and await self._stopped(token, record.instance_id):
                log.info("tab %s… moves here from instance %s, which stopped", token[:8], record.instance_id[:8])
                await self.redis.delete(self._get_redis_key(token))
                self.token_to_socket.pop(token, None)
                self.sid_to_token.pop(record.sid, None)
        except Exception as exc:  # Redis errors: Reflex's own handling below applies
            log.warning("could not check the previous instance of a tab: %s", exc)
        return await super().link_token_to_sid(token, sid)


def install() -> None:
    """Make Reflex create a FailoverTokenManager wherever it would create a RedisTokenManager."""
    create = TokenManager.create.__func__

    def create_with_failover(cls) -> TokenManager:
        manager = create(cls)
        if type(manager) is RedisTokenManager:
            return FailoverTokenManager(manager.redis)
        return manager

    TokenManager.create = classmethod(create_with_failover)
