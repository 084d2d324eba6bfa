"""A tracker store that never keeps chat content.

Rasa's stores keep every event as it happened: the user's text, the parse
data, the bot's text, message metadata. Ally's store removes all of that
*before* anything is stored and keeps only what the dialogue needs: intent
and action names, normalised slot values from an allow-list, timestamps.
The live tracker of the message being handled still has the text in memory
for that one turn; the stored copy never does.

Conversations expire after `idle_minutes` without a message (default 30),
and `delete(sender_id)` forgets one at once (quick exit, "delete this chat").

Backends: `memory` (default, one process) and `redis` (several replicas;
keys carry a TTL, so Redis itself expires them).

Rasa gotchas this class handles:
* `save` must never raise: Rasa's FailSafeTrackerStore would otherwise fall
  back to a plain in-memory store that keeps everything.
* A store that fails to import falls back silently too; ally/guard.py makes
  the server refuse to start unless this store is the one in use.

endpoints.yml:
    tracker_store:
      type: ally.tracker_store.PrivacyTrackerStore
      backend: memory          # or redis (url: redis host, port, db, password)
      idle_minutes: 30
"""

import json
import logging
import os
import re
import time
from typing import Any, Dict, Iterable, Optional, Set

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SerializedTrackerAsText, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker, get_trackers_for_conversation_sessions

from ally import locales, runtime

logger = logging.getLogger(__name__)

ISO_CODE = re.compile(r"^[A-Z]{2}$")
AGE_BANDS = {"under_13", "13_15", "16_17", "adult"}
FORGET_INTENT = "forget_me"


def _allowed_scenario(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[a-z_]{3,40}", value) is not None


# Slot name -> test for a value that may be stored. Any other value is stored as None, and the
# start-up guard refuses a domain with a slot that is not listed here (ally/guard.py).
ALLOWED_SLOT_VALUES = {
    "country": lambda v: isinstance(v, str) and bool(ISO_CODE.match(v)),
    "country_candidate": lambda v: isinstance(v, str) and bool(ISO_CODE.match(v)),
    "age_band": lambda v: v in AGE_BANDS,
    "awaiting_country": lambda v: isinstance(v, bool),
    "scenario": _allowed_scenario,
    "language": lambda v: v in locales.supported(),
    "role": lambda v: v in ("parent", "educator"),
    "safety_checked": lambda v: isinstance(v, bool),
    "awaiting_safety_answer": lambda v: isinstance(v, bool),
    "requested_slot": lambda v: isinstance(v, str) and v in ALLOWED_SLOT_NAMES,
}
ALLOWED_SLOT_NAMES: Set[str] = set(ALLOWED_SLOT_VALUES) - {"requested_slot"}
# Entities keep their name (policies may use it); only these values survive.
ALLOWED_ENTITY_VALUES = {
    "country": lambda v: isinstance(v, str) and bool(ISO_CODE.match(v)),
    "language": lambda v: v in locales.supported(),
    "role": lambda v: v in ("parent", "educator"),
    "also_scenario": _allowed_scenario,
}


def redact_event(event: Dict[str, Any]) -> Dict[str, Any]:
    """A copy of a serialised Rasa event with everything but dialogue structure removed."""
    kind = event.get("event")
    keep: Dict[str, Any] = {k: event[k] for k in ("event", "timestamp") if k in event}
    if kind == "user":
        parse = event.get("parse_data") or {}
        intent = parse.get("intent") or {}
        entities = [
            {
                "entity": e.get("entity"),
                "value": e.get("value")
                if ALLOWED_ENTITY_VALUES.get(e.get("entity"), lambda v: False)(e.get("value"))
                else None,
            }
            for e in parse.get("entities") or []
        ]
        keep.update(
            {
                "text": None,
                "parse_data": {
                    "intent": {"name": intent.get("name"), "confidence": intent.get("confidence")},
                    "entities": entities,
                },
                "input_channel": event.get("input_channel"),
                "message_id": event.get("message_id"),
            }
        )
    elif kind == "bot":
        keep.update({"text": None, "data": {}, "metadata": {}})
    elif kind == "slot":
        name, value = event.get("name"), event.get("value")
        allowed = ALLOWED_SLOT_VALUES.get(str(name))
        keep.update({"name": name, "value": value if allowed and allowed(value) else None})
    elif kind == "action":
        keep.update({k: event.get(k) for k in ("name", "policy", "confidence", "hide_rule_turn")})
    elif kind == "session_started":
        pass  # its metadata is the first message's metadata: dropped
    elif kind in ("restart", "rewind", "undo", "export", "pause", "resume", "action_listen"):
        pass
    elif kind in ("active_loop", "loop"):
        keep["name"] = event.get("name")
    elif kind in ("followup", "reminder", "cancel_reminder"):
        keep["name"] = event.get("name")
    elif kind in ("action_execution_rejected",):
        keep.update({k: event.get(k) for k in ("name", "policy", "confidence")})
    elif kind in ("user_featurization",):
        keep["use_text_for_featurization"] = False
    elif kind == "stack":
        pass
    # Any other event type keeps only its type and time: unknown fields may carry text.
    return keep


def redacted_dialogue(tracker: DialogueStateTracker) -> str:
    dialogue = tracker.as_dialogue().as_dict()
    return json.dumps({"name": dialogue["name"], "events": [redact_event(e) for e in dialogue["events"] or []]})


def asked_to_forget(tracker: DialogueStateTracker) -> bool:
    latest = tracker.latest_message
    return bool(latest and (latest.intent or {}).get("name") == FORGET_INTENT)


class PrivacyTrackerStore(TrackerStore, SerializedTrackerAsText):
    """Stores only redacted dialogue structure, and only while the conversation is active."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        event_broker: Optional[EventBroker] = None,
        host: Optional[str] = None,
        backend: str = "memory",
        idle_minutes: float = 30,
        port: int = 6379,
        db: int = 0,
        password: Optional[str] = None,
        key_prefix: str = "ally:tracker:",
        **kwargs: Any,
    ) -> None:
        # Rasa creates the tracker store from endpoints.yml however the server is
        # started, before any message: the moment to put Ally's safeguards in place.
        runtime.install()
        if event_broker is not None:
            raise ValueError("Ally stores no chat content: an event broker would publish every event, remove it")
        super().__init__(domain, None, **kwargs)
        self.backend = os.environ.get("ALLY_TRACKER_BACKEND", backend)
        self.idle_seconds = float(os.environ.get("ALLY_IDLE_MINUTES", idle_minutes)) * 60
        self.key_prefix = key_prefix
        self._memory: Dict[str, tuple] = {}  # sender_id -> (serialised, expires_at)
        self._last_sweep = 0.0
        if self.backend == "redis":
            import redis.asyncio

            self.redis = redis.asyncio.Redis(
                host=os.environ.get("ALLY_REDIS_HOST", host or "127.0.0.1"),
                port=int(os.environ.get("ALLY_REDIS_PORT", port)),
                db=int(db),
                password=os.environ.get("ALLY_REDIS_PASSWORD", password),
                socket_timeout=2,
                socket_connect_timeout=2,
            )
        elif self.backend != "memory":
            raise ValueError(f"unknown backend {self.backend!r}: use memory or redis")

    # --- Rasa's TrackerStore interface ------------------------------------
    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            if asked_to_forget(tracker):
                await self.delete(tracker.sender_id)
                return
            await self._put(tracker.sender_id, redacted_dialogue(tracker))
        except Exception as error:  # never raise: see the module docstring
            logger.warning(
                "Could not save a conversation (%s); it continues without stored state.", type(error).__name__
            )

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        tracker = await self.retrieve_full_tracker(sender_id)
        if tracker is None:
            return None
        sessions = get_trackers_for_conversation_sessions(tracker)
        return sessions[-1] if len(sessions) > 1 else tracker

    async def retrieve_full_tracker(self, sender_id: str) -> Optional[DialogueStateTracker]:
        try:
            serialised = await self._get(sender_id)
        except Exception as error:
            logger.warning("Could not read a conversation (%s); starting it fresh.", type(error).__name__)
            return None
        return self.deserialise_tracker(sender_id, serialised) if serialised else None

    async def keys(self) -> Iterable[str]:
        if self.backend == "redis":
            return [k.decode()[len(self.key_prefix) :] async for k in self.redis.scan_iter(self.key_prefix + "*")]
        self._sweep(force=True)
        return list(self._memory)

    async def delete(self, sender_id: str) -> None:
        """Forget a conversation now."""
        if self.backend == "redis":
            await self.redis.delete(self.key_prefix + sender_id)
        else:
            self._memory.pop(sender_id, None)

    # --- backends ------------------------------------------------------------
    async def _put(self, sender_id: str, serialised: str) -> None:
        if self.backend == "redis":
            await self.redis.set(self.key_prefix + sender_id, serialised, ex=max(1, int(self.idle_seconds)))
        else:
            self._memory[sender_id] = (serialised, time.monotonic() + self.idle_seconds)
            self._sweep()

    async def _get(self, sender_id: str) -> Optional[str]:
        if self.backend == "redis":
            value = await self.redis.get(self.key_prefix + sender_id)
            return value.decode() if value else None
        self._sweep()
        entry = self._memory.get(sender_id)
        if entry is None or entry[1] <= time.monotonic():  # expired but not yet swept
            self._memory.pop(sender_id, None)
            return None
        return entry[0]

    def _sweep(self, force: bool = False) -> None:
        """Drop expired conversations (at most every few seconds, or when forced)."""
        now = time.monotonic()
        if not force and now - self._last_sweep < 5:
            return
        self._last_sweep = now
        for sender_id in [s for s, (_, expires) in self._memory.items() if expires <= now]:
            del self._memory[sender_id]
