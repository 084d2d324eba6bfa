"""Rasa's RedisLockStore, made safe for a Redis outage.

With several `rasa run` replicas, Rasa's `RedisLockStore` makes sure one
conversation's messages are handled one at a time, whichever replica gets
them. When Redis is unreachable, Rasa's store raises `LockError` for every
message and the user gets no answer at all (the REST channel answers `[]`).

This subclass keeps Rasa's behaviour while Redis works, and when it does not:

* it falls back to an in-process lock (the same ticket lock Rasa uses with
  one server), so every message is still answered; Ally's tracker store
  cannot read or write Redis either, so the conversation continues without
  its earlier state, and the channels add a short notice and generic help
  (`degraded` is True while Redis is considered down);
* it does not try Redis again for `retry_seconds` (a circuit breaker: the
  redis client is synchronous and would block the server on each call),
  then returns to Redis by itself when Redis is back;
* every lock key gets an expiry (Rasa's keys have none), so a replica killed
  mid-message leaves nothing behind in Redis.

Only the error type is ever logged: conversation ids are not.

endpoints.yml (deploy/endpoints-cluster.yml):

    lock_store:
      type: ally.lock_store.ResilientRedisLockStore
      url: 127.0.0.1       # env ALLY_REDIS_HOST / ALLY_REDIS_PORT / ALLY_REDIS_PASSWORD win,
      port: 6380           # as for the tracker store
      db: 1
      retry_seconds: 5     # env ALLY_REDIS_RETRY_SECONDS
"""

import logging
import os
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Optional

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, RedisLockStore

logger = logging.getLogger(__name__)


def _redis_errors() -> tuple:
    import redis.exceptions

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


def _redis_cause(error: BaseException) -> Optional[BaseException]:
    """The Redis connection error behind `error` (Rasa wraps it in LockError), if any."""
    errors = _redis_errors()
    for _ in range(5):
        if error is None:
            return None
        if isinstance(error, errors):
            return error
        error = error.__cause__ or error.__context__  # type: ignore[assignment]
    return None


class ResilientRedisLockStore(RedisLockStore):
    def __init__(
        self,
        endpoint_config: Any = None,
        host: Optional[str] = None,
        port: int = 6379,
        db: int = 1,
        password: Optional[str] = None,
        key_prefix: Optional[str] = None,
        socket_timeout: float = 1.0,
        retry_seconds: float = 5.0,
        **kwargs: Any,
    ) -> None:
        if endpoint_config is not None:  # Rasa passes the endpoints.yml section
            settings = dict(endpoint_config.kwargs or {})
            host = endpoint_config.url or host
            port = settings.pop("port", port)
            db = settings.pop("db", db)
            password = settings.pop("password", password)
            key_prefix = settings.pop("key_prefix", key_prefix)
            socket_timeout = float(settings.pop("socket_timeout", socket_timeout))
            retry_seconds = float(settings.pop("retry_seconds", retry_seconds))
            kwargs.update({k: v for k, v in settings.items() if k in ("username", "use_ssl")})
        super().__init__(
            host=os.environ.get("ALLY_REDIS_HOST", host or "127.0.0.1"),
            port=int(os.environ.get("ALLY_REDIS_PORT", port)),
            db=int(db),
            password=os.environ.get("ALLY_REDIS_PASSWORD", password),
            key_prefix=key_prefix,
            socket_timeout=socket_timeout,
            **kwargs,
        )
        self.retry_seconds = float(os.environ.get("ALLY_REDIS_RETRY_SECONDS", retry_seconds))
        self.key_ttl = int(LOCK_LIFETIME * 2)
        self.fallback = InMemoryLockStore()
        self._retry_at = 0.0
        self._healthy = True

    # --- health ------------------------------------------------------------------
    @property
    def degraded(self) -> bool:
        """True while Redis is considered unreachable (conversations run without stored state)."""
        return not self._healthy

    def _redis_may_be_tried(self) -> bool:
        return self._healthy or time.monotonic() >= self._retry_at

    def _mark_down(self, error: BaseException) -> None:
        if self._healthy:
            logger.warning(
                "Redis is unreachable (%s): conversations continue without stored state until it is back.",
                type(error).__name__,
            )
        self._healthy = False
        self._retry_at = time.monotonic() + self.retry_seconds

    def _mark_up(self) -> None:
        if not self._healthy:
            logger.warning("Redis is reachable again: conversations are stored again.")
        self._healthy = True

    # --- Rasa's interface -------------------------------------------------------------
    def save_lock(self, lock: TicketLock) -> None:
        self.red.set(self.key_prefix + lock.conversation_id, lock.dumps(), ex=self.key_ttl)

    def _issue_redis_ticket(self, conversation_id: str, lock_lifetime: float) -> int:
        """Rasa's issue_ticket; once more at once if Redis dropped a pooled connection (e.g. it restarted)."""
        try:
            return self.issue_ticket(conversation_id, lock_lifetime)
        except LockError as error:
            if not (self._healthy and _redis_cause(error) is not None):
                raise
            return self.issue_ticket(conversation_id, lock_lifetime)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        store: Any = self.fallback
        acquired: Optional[TicketLock] = None
        ticket = 0
        if self._redis_may_be_tried():
            try:
                ticket = self._issue_redis_ticket(conversation_id, lock_lifetime)
                acquired = await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
                store = self
                self._mark_up()
            except (LockError, *_redis_errors()) as error:
                cause = _redis_cause(error)
                if cause is None:
                    raise  # a lock that really could not be had: Rasa's behaviour
                self._mark_down(cause)
        if acquired is None:
            ticket = self.fallback.issue_ticket(conversation_id, lock_lifetime)
            acquired = await self.fallback._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        try:
            yield acquired
        finally:
            try:
                store.cleanup(conversation_id, ticket)
            except _redis_errors() as error:
                self._mark_down(error)
