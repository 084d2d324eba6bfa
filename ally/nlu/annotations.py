"""How Ally's own NLU components write what they found onto a message: entities that come from
the whole message (no span), and an intent that must come first."""

from typing import Any, Iterable, Optional, Tuple

from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message


def add_entities(message: Message, extractor: str, found: Iterable[Tuple[str, Optional[str]]], **extra: Any) -> None:
    """The (entity, value) pairs with a value, as entities of the whole message."""
    entities = [
        {"entity": name, "value": value, "start": 0, "end": 0, "extractor": extractor, **extra}
        for name, value in found
        if value
    ]
    if entities:
        message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)


def put_intent_first(message: Message, name: str, confidence: float = 1.0) -> None:
    """`name` becomes the message's intent and heads its ranking (once)."""
    top = {"name": name, "confidence": confidence}
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
    message.set(INTENT, top, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [top] + ranking, add_to_output=True)
