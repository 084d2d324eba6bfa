"""A deterministic safety net after the intent classifier.

Danger-now and self-harm messages must reach their flows even when the classifier is
unsure or wrong (docs/safety.md). This component matches a small
lexicon per language (lexicons/<language>.yml, all of them on every message:
a teenager mixes languages, and the language guess can be wrong) and, on a match, sets the intent with full
confidence. It runs after FallbackClassifier, so it also rescues messages
that fell back. It never overrides `friend_at_risk` (someone else is at risk;
that flow also gives crisis help) and keeps danger-now above self-harm, as
the intent contract orders them.

It also registers the message text with the log privacy filter, so that text
is redacted from any later log line however it is formatted.
"""
import re
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from ally import log_privacy, scenarios
from ally.text import fold

LEXICON_DIR = Path(__file__).with_name("lexicons")
REGISTRY = scenarios.load()
# The intents the lexicon can set, most urgent first (the contract's "the most urgent wins").
PRIORITY = REGISTRY.safety_net_order
# Never overridden: the most urgent intent, and a risk to someone else (that flow gives crisis help too).
NEVER_OVERRIDE = {PRIORITY[0]} | REGISTRY.someone_else


normalise = fold  # the form every lexicon pattern is written in (ally/text.py)


def load_lexicon(directory: Path = LEXICON_DIR) -> Dict[str, List["re.Pattern[str]"]]:
    """Every language's patterns, merged by intent."""
    lexicon: Dict[str, List[re.Pattern[str]]] = {intent: [] for intent in PRIORITY}
    for path in sorted(directory.glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for intent in PRIORITY:
            lexicon[intent] += [re.compile(p) for p in raw.get(intent) or []]
    return lexicon


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
        config: Dict[str, Any],
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
