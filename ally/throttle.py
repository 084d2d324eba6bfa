"""How fast, and how many at once: per-conversation rate limits and the process's admission gate."""

import asyncio
import hashlib
import os
import secrets
import threading
import time
from collections import OrderedDict
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Optional

from ally.input_checks import env_number

REQUEST_MAX_SIZE = 1024 * 1024  # bytes; a chat message is a few hundred


class RateLimiter:
    """A token bucket per conversation: `burst` messages at once, then `per_minute`.

    In memory, per process (each replica has its own). Keys are keyed hashes
    (a random key per process), so the limiter holds no conversation id; at
    most `max_keys` conversations are tracked, the least recently seen are
    dropped first (a dropped conversation starts with a full bucket again).
    """

    def __init__(self, burst: float = 12, per_minute: float = 30, max_keys: int = 100_000) -> None:
        self.burst = float(burst)
        self.rate = float(per_minute) / 60.0
        self.max_keys = max_keys
        self._salt = secrets.token_bytes(16)
        self._buckets: OrderedDict[bytes, tuple] = OrderedDict()  # key -> (tokens, updated)
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls) -> "RateLimiter":
        return cls(
            burst=env_number("ALLY_RATE_LIMIT_BURST", 12),
            per_minute=env_number("ALLY_RATE_LIMIT_PER_MINUTE", 30),
        )

    def _key(self, conversation_id: str) -> bytes:
        return hashlib.blake2b(conversation_id.encode("utf-8", "replace"), key=self._salt, digest_size=16).digest()

    def _tokens(self, key: bytes, now: float) -> float:
        tokens, updated = self._buckets.get(key, (self.burst, now))
        return min(self.burst, tokens + (now - updated) * self.rate)

    def allow(self, conversation_id: str, now: Optional[float] = None) -> bool:
        """Take one token for this conversation; False when the conversation must wait."""
        now = time.monotonic() if now is None else now
        key = self._key(conversation_id)
        with self._lock:
            tokens = self._tokens(key, now)
            allowed = tokens >= 1
            self._buckets[key] = (tokens - 1 if allowed else tokens, now)
            self._buckets.move_to_end(key)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return allowed

    def retry_after(self, conversation_id: str, now: Optional[float] = None) -> int:
        """Whole seconds until this conversation may send again."""
        now = time.monotonic() if now is None else now
        with self._lock:
            missing = 1 - self._tokens(self._key(conversation_id), now)
        return max(1, int(missing / self.rate + 0.999)) if missing > 0 else 0

    def __len__(self) -> int:
        return len(self._buckets)


class Busy(Exception):
    """No processing slot became free in time."""


class AdmissionGate:
    """At most `limit` messages are processed at once per process; the others wait, up to `max_wait` s.

    Rasa does its NLU and policy work on the event loop, so every message in
    progress slows down all the others. Without a bound, a spike of a few
    hundred messages makes each one take so long that the calls to the action
    server pass their timeout (ALLY_ACTION_TIMEOUT) and users get the offline
    answers instead of their country's helpline. With the gate, the waiting
    happens before processing starts, and a message that waited too long gets
    `Busy` (the channel answers with the busy answer and generic help) instead of a
    reply that comes too late.
    """

    def __init__(self, limit: int = 8, max_wait: float = 40.0) -> None:
        self.limit = max(1, int(limit))
        self.max_wait = float(max_wait)
        self._semaphore = asyncio.Semaphore(self.limit)
        self.waiting = 0

    @classmethod
    def from_env(cls) -> "AdmissionGate":
        return cls(
            limit=int(env_number("ALLY_MAX_CONCURRENT_MESSAGES", 8)), max_wait=env_number("ALLY_MAX_QUEUE_SECONDS", 40)
        )

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        self.waiting += 1
        try:
            await asyncio.wait_for(self._semaphore.acquire(), self.max_wait)
        except asyncio.TimeoutError:
            raise Busy() from None
        finally:
            self.waiting -= 1
        try:
            yield
        finally:
            self._semaphore.release()


_gate: Optional[AdmissionGate] = None


def admission_gate() -> AdmissionGate:
    """The process's gate, shared by all channels (REST and widget)."""
    global _gate
    if _gate is None:
        _gate = AdmissionGate.from_env()
    return _gate


def apply_request_size_limit(app: Any) -> None:
    """Lower Sanic's body limit (default 100 MB) unless SANIC_REQUEST_MAX_SIZE sets one.

    Sanic reads the limit for every new connection, so setting it before the
    server starts covers every request.
    """
    if "SANIC_REQUEST_MAX_SIZE" in os.environ:
        return
    app.config.REQUEST_MAX_SIZE = min(int(app.config.REQUEST_MAX_SIZE), REQUEST_MAX_SIZE)
