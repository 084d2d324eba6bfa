"""The privacy tracker store: what it keeps, what it drops, when it forgets."""

import asyncio
import json
import time

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from ally.tracker_store import PrivacyTrackerStore

DOMAIN = Domain.load("domain.yml")
CANARY = "the violet heron 5521 sings at dawn"


def conversation(sender="c1"):
    tracker = DialogueStateTracker.from_events(
        sender,
        [
            ActionExecuted("action_session_start"),
            SessionStarted(metadata={"country": "SE", "note": CANARY}),
            ActionExecuted("action_listen"),
            UserUttered(
                CANARY,
                intent={"name": "sextortion", "confidence": 0.9},
                entities=[
                    {"entity": "country", "value": "sverige", "start": 0, "end": 7},
                    {"entity": "age", "value": "14"},
                ],
                parse_data={
                    "text": CANARY,
                    "intent": {"name": "sextortion", "confidence": 0.9},
                    "entities": [{"entity": "country", "value": "SE"}],
                    "metadata": {"x": CANARY},
                },
                metadata={"country": "SE", "extra": CANARY},
            ),
            SlotSet("country", "SE"),
            SlotSet("age_band", "13_15"),
            SlotSet("scenario", CANARY),  # not an allowed value
            SlotSet("session_started_metadata", {"x": CANARY}),
            ActionExecuted("utter_sextortion"),
            BotUttered(
                f"you said {CANARY}", data={"custom": {"echo": CANARY}}, metadata={"utter_action": "utter_sextortion"}
            ),
            ActionExecuted("action_listen"),
        ],
        slots=DOMAIN.slots,
    )
    return tracker


def stored_text(store):
    return json.dumps({k: v[0] for k, v in store._memory.items()})


def run(coro):
    return asyncio.run(coro)


def test_nothing_of_the_chat_is_stored_but_the_dialogue_works():
    store = PrivacyTrackerStore(DOMAIN)
    run(store.save(conversation()))
    assert CANARY not in stored_text(store)
    assert "sverige" not in stored_text(store) and '"14"' not in stored_text(store)
    restored = run(store.retrieve("c1"))
    assert restored.latest_message.intent["name"] == "sextortion"
    assert restored.latest_message.text is None
    assert restored.get_slot("country") == "SE"
    assert restored.get_slot("age_band") == "13_15"
    assert restored.get_slot("scenario") is None
    assert restored.latest_action_name == "action_listen"
    assert [e.text for e in restored.events if isinstance(e, BotUttered)] == [None]


def test_forget_me_deletes_instead_of_saving():
    store = PrivacyTrackerStore(DOMAIN)
    run(store.save(conversation()))
    tracker = conversation()
    tracker.update(UserUttered("delete this chat", intent={"name": "forget_me", "confidence": 1.0}))
    run(store.save(tracker))
    assert run(store.retrieve("c1")) is None
    assert list(run(store.keys())) == []


def test_delete_forgets_at_once():
    store = PrivacyTrackerStore(DOMAIN)
    run(store.save(conversation("a")))
    run(store.save(conversation("b")))
    run(store.delete("a"))
    assert run(store.retrieve("a")) is None and run(store.retrieve("b")) is not None


def test_idle_conversations_expire(monkeypatch):
    monkeypatch.setenv("ALLY_IDLE_MINUTES", str(0.5 / 60))  # half a second
    store = PrivacyTrackerStore(DOMAIN)
    run(store.save(conversation()))
    assert run(store.retrieve("c1")) is not None
    time.sleep(0.6)
    assert run(store.retrieve("c1")) is None
    assert list(run(store.keys())) == []


def test_save_never_raises_even_when_redis_is_unreachable():
    store = PrivacyTrackerStore(DOMAIN, backend="redis", host="127.0.0.1", port=1)
    run(store.save(conversation()))  # logs a warning, does not raise
    assert run(store.retrieve("c1")) is None


def test_an_event_broker_is_refused():
    with pytest.raises(ValueError, match="event broker"):
        PrivacyTrackerStore(DOMAIN, event_broker=object())
