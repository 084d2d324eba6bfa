"""Forget a conversation now: used by the widget's quick exit and the forget endpoint."""

from typing import Any

from rasa.core.tracker_store import TrackerStore


def innermost_store(store: TrackerStore) -> TrackerStore:
    """Rasa wraps the configured store (FailSafe, Awaitable); return the real one."""
    seen = set()
    while hasattr(store, "_tracker_store") and id(store) not in seen:
        seen.add(id(store))
        store = store._tracker_store
    return store


async def forget_conversation(agent: Any, sender_id: str) -> bool:
    """Delete `sender_id`'s conversation from the tracker store. True if the store supports it."""
    store = innermost_store(agent.tracker_store)
    delete = getattr(store, "delete", None)
    if delete is None:
        return False
    await delete(sender_id)
    return True
