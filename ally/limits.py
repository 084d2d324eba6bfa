"""What a client may send, and how fast: shared by Ally's channels.

Bad input must never crash a turn, reach the model as something strange, or
end up in a log. This module has the checks and the polite answers; the REST
channel (ally/channels/rest.py) and the widget's socket.io channel
(ally/channels/widget.py) both use them.

* `parse_body(bytes)`: the request body as a JSON object, or `BadInput`
  (invalid UTF-8, invalid JSON, not an object).
* `clean_sender(value)`: a conversation id of 1-128 characters from
  `[A-Za-z0-9_.:@+=-]` (numbers are accepted and turned into text), or `BadInput`.
  A missing id is refused: Rasa would put every such message into one shared
  conversation called "default".
* `clean_text(value)`: the message as the model should see it: control
  characters and invalid code points removed, at most `MAX_MESSAGE_CHARS`;
  `BadInput` for a non-string, an empty or whitespace-only message, a message
  that is too long.
* `clean_metadata(value)`: an object of at most `MAX_METADATA_BYTES`, or `BadInput`.
* `RateLimiter`: a token bucket per conversation, in memory. It keeps no
  conversation id, only a keyed hash of it, and forgets idle conversations.
* `REQUEST_MAX_SIZE` / `apply_request_size_limit(app)`: Sanic's body limit
  (its default is 100 MB). `SANIC_REQUEST_MAX_SIZE` in the environment wins.
* `remember_for_redaction(text)`: registers a message with the log filter,
  also in the JSON-escaped form Rasa's DEBUG lines use.
* `admission_gate()`: at most ALLY_MAX_CONCURRENT_MESSAGES (8) messages in
  processing per process, the rest queue for up to ALLY_MAX_QUEUE_SECONDS (40);
  see `AdmissionGate`.
* `store_degraded(app)` / `degraded_texts(app)`: whether Redis is down (the
  lock store says so), and the notice + generic help to add to an answer then;
  `busy_texts(app)`: the answer when no processing slot became free.

Nothing here logs or returns any part of the input: error answers name the
problem, never the content.

Settings (environment):
    ALLY_MAX_MESSAGE_CHARS       longest message accepted (1000, as the widget)
    ALLY_RATE_LIMIT_BURST        messages a conversation may send at once (12)
    ALLY_RATE_LIMIT_PER_MINUTE   sustained messages per minute after that (30)
    ALLY_MAX_CONCURRENT_MESSAGES messages processed at once per process (8)
    ALLY_MAX_QUEUE_SECONDS       longest wait for a processing slot (40)
    SANIC_REQUEST_MAX_SIZE       largest request body in bytes (1 MiB)
"""
import asyncio
import hashlib
import json
import os
import re
import secrets
import threading
import time
import unicodedata
from collections import OrderedDict
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Dict, List, Optional


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


MAX_MESSAGE_CHARS = int(_env_number("ALLY_MAX_MESSAGE_CHARS", 1000))
MAX_SENDER_CHARS = 128
MAX_METADATA_BYTES = 4096
REQUEST_MAX_SIZE = 1024 * 1024  # bytes; a chat message is a few hundred
SENDER_ID = re.compile(r"^[A-Za-z0-9_.:@+=-]{1,%d}$" % MAX_SENDER_CHARS)

RATE_LIMITED_TEXT = (
    "You're sending messages very fast, so I'll take a short pause. Please wait a few "
    "seconds and send your message again. If you are in danger right now, call the "
    "emergency number: 112 in Europe, 999 in the UK, 911 in the US and Canada, 000 in Australia."
)
BUSY_TEXT = (
    "Lots of people are talking to me right now, so I can't answer straight away. "
    "Please send your message again in a minute. A real person can help you now:"
)
DEGRADED_TEXT = (
    "Sorry, I'm having a technical problem right now, so I may not remember what you "
    "told me before. A real person can still help you."
)


class BadInput(ValueError):
    """A request Ally refuses. `code` and `detail` describe the problem, never the content."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(code)
        self.status, self.code, self.detail = status, code, detail

    def as_json(self) -> Dict[str, str]:
        return {"error": self.code, "detail": self.detail}


def parse_body(raw: Optional[bytes]) -> Dict[str, Any]:
    if not raw:
        raise BadInput(400, "empty_body", 'Send a JSON object: {"sender": "...", "message": "..."}.')
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(400, "body_not_utf8", "The body must be UTF-8 encoded JSON.") from None
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        raise BadInput(400, "body_not_json", "The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise BadInput(400, "body_not_object", 'The body must be a JSON object: {"sender": "...", "message": "..."}.')
    return body


def clean_sender(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value is None:
        raise BadInput(400, "sender_missing", "Each message needs a `sender`: a conversation id.")
    if not isinstance(value, str) or not SENDER_ID.match(value):
        raise BadInput(
            400, "sender_invalid",
            f"`sender` must be 1-{MAX_SENDER_CHARS} characters of letters, digits and _ . : @ + = -.",
        )
    return value


def _allowed_char(char: str) -> bool:
    category = unicodedata.category(char)
    if category == "Cc":  # C0/C1 controls and DEL; keep line breaks and tabs as spaces
        return False
    return category not in ("Cs", "Co", "Cn")  # lone surrogates, private use, unassigned


def clean_text(value: Any, max_chars: Optional[int] = None) -> str:
    """The message for the model, or BadInput. Right-to-left marks and emoji are kept."""
    limit = max_chars or MAX_MESSAGE_CHARS
    if not isinstance(value, str):
        raise BadInput(400, "message_not_text", "`message` must be a string.")
    if len(value) > limit * 4:  # far too long: refuse before doing any work on it
        raise BadInput(413, "message_too_long", f"`message` may have at most {limit} characters.")
    text = unicodedata.normalize("NFC", value.encode("utf-8", "replace").decode("utf-8"))
    text = "".join(c if _allowed_char(c) else (" " if c in "\n\r\t" else "") for c in text)
    text = re.sub(r"[ \u00a0]{2,}", " ", text).strip()
    if not text:
        raise BadInput(400, "message_empty", "`message` is empty.")
    if len(text) > limit:
        raise BadInput(413, "message_too_long", f"`message` may have at most {limit} characters.")
    return text


def clean_metadata(value: Any) -> Optional[Dict[str, Any]]:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadInput(400, "metadata_not_object", "`metadata` must be a JSON object.")
    try:
        size = len(json.dumps(value).encode("utf-8", "replace"))
    except (TypeError, ValueError, RecursionError):
        raise BadInput(400, "metadata_invalid", "`metadata` must be plain JSON.") from None
    if size > MAX_METADATA_BYTES:
        raise BadInput(413, "metadata_too_large", f"`metadata` may have at most {MAX_METADATA_BYTES} bytes.")
    return value


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
        self._buckets: "OrderedDict[bytes, tuple]" = OrderedDict()  # key -> (tokens, updated)
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls) -> "RateLimiter":
        return cls(
            burst=_env_number("ALLY_RATE_LIMIT_BURST", 12),
            per_minute=_env_number("ALLY_RATE_LIMIT_PER_MINUTE", 30),
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


def remember_for_redaction(text: str) -> None:
    """Register a message with the log filter, also as it looks inside JSON-formatted log lines.

    Rasa's structured DEBUG lines show the text JSON-escaped (emoji as
    surrogate pairs, control characters as \\u0000), a form the filter does
    not derive by itself.
    """
    from ally import log_privacy

    log_privacy.remember_text(text)
    escaped = json.dumps(text)[1:-1]
    if escaped != text:
        log_privacy.remember_text(escaped)


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
    `Busy` (the channel answers with BUSY_TEXT and generic help) instead of a
    reply that comes too late.
    """

    def __init__(self, limit: int = 8, max_wait: float = 40.0) -> None:
        self.limit = max(1, int(limit))
        self.max_wait = float(max_wait)
        self._semaphore = asyncio.Semaphore(self.limit)
        self.waiting = 0

    @classmethod
    def from_env(cls) -> "AdmissionGate":
        return cls(limit=int(_env_number("ALLY_MAX_CONCURRENT_MESSAGES", 8)),
                   max_wait=_env_number("ALLY_MAX_QUEUE_SECONDS", 40))

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


def request_max_size() -> int:
    try:
        return int(os.environ["SANIC_REQUEST_MAX_SIZE"])
    except (KeyError, ValueError):
        return REQUEST_MAX_SIZE


def apply_request_size_limit(app: Any) -> None:
    """Lower Sanic's body limit (default 100 MB) unless SANIC_REQUEST_MAX_SIZE sets one.

    Sanic reads the limit for every new connection, so setting it before the
    server starts covers every request.
    """
    if "SANIC_REQUEST_MAX_SIZE" in os.environ:
        return
    app.config.REQUEST_MAX_SIZE = min(int(app.config.REQUEST_MAX_SIZE), REQUEST_MAX_SIZE)


def store_degraded(app: Any) -> bool:
    """True while the shared state store (Redis) is known to be unreachable.

    ally.lock_store.ResilientRedisLockStore reports it; other lock stores never do.
    """
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    return bool(getattr(getattr(agent, "lock_store", None), "degraded", False))


def degraded_texts(app: Any) -> List[str]:
    """What to add to an answer while Redis is down or after a failure: a notice and generic help."""
    return [DEGRADED_TEXT, generic_help_text(_domain(app))]


def busy_texts(app: Any) -> List[str]:
    """The answer to a message that waited too long for a processing slot: a notice and generic help."""
    return [BUSY_TEXT, generic_help_text(_domain(app))]


def _domain(app: Any) -> Any:
    return getattr(getattr(getattr(app, "ctx", None), "agent", None), "domain", None)


def generic_help_text(domain: Any) -> str:
    """The domain's `utter_offline_help` text (the generic helplines).

    Without a loaded agent it is read from the project's domain.yml: the facts
    live in one place, checked against the directory by tests/test_consistency.py.
    """
    responses = getattr(domain, "responses", None) or _project_responses()
    return next(v["text"] for v in responses["utter_offline_help"] if v.get("text") and not v.get("condition"))


def _project_responses() -> Dict[str, Any]:
    import yaml
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "domain.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["responses"]
