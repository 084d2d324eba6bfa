"""A deterministic safety net after the intent classifier.

Danger-now and self-harm messages must reach their flows even when the classifier is
unsure or wrong (design.md, "A safety net"). This component matches a small
lexicon (safety_lexicon.yml) and, on a match, sets the intent with full
confidence. It runs after FallbackClassifier, so it also rescues messages
that fell back. It never overrides `friend_at_risk` (someone else is at risk;
that flow also gives crisis help) and keeps danger-now above self-harm, as
the intent contract orders them.

It also registers the message text with the log privacy filter, so that text
is redacted from any later log line however it is formatted.
"""
import re
import unicodedata
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from ally import action_fallback, action_validation, log_privacy

# Loading this component is the moment the Rasa server loads project code.
action_fallback.install()
action_validation.install()

LEXICON_PATH = Path(__file__).with_name("safety_lexicon.yml")
# Highest priority first (intent contract, "the most urgent wins").
PRIORITY = ["immediate_danger", "self_harm"]
NEVER_OVERRIDE = {"immediate_danger", "friend_at_risk"}


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[’'`´]", "", text)
    return " ".join(text.split())


def load_lexicon(path: Path = LEXICON_PATH) -> Dict[str, List["re.Pattern[str]"]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {intent: [re.compile(p) for p in raw[intent]] for intent in PRIORITY}


def match(text: str, lexicon: Dict[str, List["re.Pattern[str]"]]) -> Optional[str]:
    """The most urgent intent whose lexicon matches `text`, if any."""
    normalised = normalise(text)
    for intent in PRIORITY:
        if any(p.search(normalised) for p in lexicon[intent]):
            return intent
    return None


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class SafetyNet(GraphComponent, IntentClassifier):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SafetyNet":
        return cls()

    def __init__(self) -> None:
        self.lexicon = load_lexicon()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            log_privacy.remember_text(text)
            self._apply(message, text)
        return messages

    def _apply(self, message: Message, text: str) -> None:
        caught = match(text, self.lexicon)
        predicted = (message.get(INTENT) or {}).get("name")
        if caught is None or predicted in NEVER_OVERRIDE or predicted == caught:
            return
        message.set(INTENT, {"name": caught, "confidence": 1.0}, add_to_output=True)
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != caught]
        message.set(
            INTENT_RANKING_KEY,
            [{"name": caught, "confidence": 1.0}] + ranking,
            add_to_output=True,
        )
