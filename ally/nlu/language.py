"""Which language the user writes in: an entity `language` when the message says so.

The `language` slot (domain.yml, from this entity) is what ally.nlg answers
in, so the entity is set only when the message is evidence enough to switch:

* the user asks for a language ("can we talk in english", "på svenska tack"):
  the `switch_to` patterns of every locale (locales/<language>.yml);
* or the message has at least `min_words` words (tokens mixing letters and
  digits, such as usernames and codes, do not count) and the language identifier
  (lingua, whose models ship inside its package: nothing is downloaded) is
  at least `min_confidence` sure it is one of the languages Ally speaks
  (after weighting the languages it does not speak by `other_weight`). A
  very confident guess of another language (`min_confidence_other`) sets
  English (docs/languages.md): Ally answers what it cannot read in English,
  with the helpline.

Short or neutral messages ("ok", "14", "😭", "sverige") set nothing, so the
language of the conversation (or of the page, metadata `language`) stays.
"""

import re
from functools import lru_cache
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from ally import locales, scenarios
from ally.nlu.annotations import add_entities, put_intent_first
from ally.text import fold

ENTITY = "language"
CHANGE_LANGUAGE = "change_language"
RISK = set(scenarios.load().risk)
WORD = re.compile(r"[^\W\d_]{2,}")
# A token with both letters and digits is a name, code or link ("xx_gamer07", "canary3cb2"), not language:
# random letters in it made a Polish or Dutch guess out of an English conversation.
CODE_TOKEN = re.compile(r"\S*(?:\d\S*[^\W\d_]|[^\W\d_]\S*\d)\S*")
# English words teenagers use in every language, and app names, are no evidence of a language:
# "è legale il sexting a 15 anni?" and "me pide una paysafecard" read as English with them.
LOANWORD = re.compile(
    r"(?i)\b(nudes?|pics?|sexting|sextortion|grooming|groomer|chat|snap|snapchat|insta|instagram|tiktok|discord"
    r"|roblox|fortnite|whatsapp|telegram|capcut|paysafecard|robux|online|link|fake|story|stories|selfie"
    r"|screenshots?|stream|streamer|gamer|followers?|catfish|deepfake|webcam|cam)\b"
)
# Languages the identifier also knows, so that a message in one of them is not
# mistaken for a language Ally speaks: the main languages of Ally's countries and of young people there.
OTHER_LANGUAGES = [
    "da",
    "nb",
    "fi",
    "pt",
    "ro",
    "cs",
    "sk",
    "hu",
    "el",
    "bg",
    "hr",
    "sr",
    "sl",
    "lt",
    "lv",
    "et",
    "sq",
    "tr",
    "ar",
    "ru",
    "uk",
    "fa",
    "so",
    "zh",
    "ja",
    "ko",
    "hi",
    "tl",
    "id",
    "vi",
]


class Evidence(NamedTuple):
    language: str
    confidence: float
    asked: bool = False  # the user asked for it ("can we talk in english"): switch_to patterns


@lru_cache(maxsize=2)
def identifier(codes: Tuple[str, ...], low_accuracy: bool) -> Any:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in codes]
    builder = LanguageDetectorBuilder.from_languages(*languages)
    # Not `with_preloaded_language_models()`: it loads every n-gram size of every language (575 MB,
    # 4 s at start) where the low-accuracy mode reads only the trigrams (41 MB). One guess loads them now.
    detector = (builder.with_low_accuracy_mode() if low_accuracy else builder).build()
    detector.compute_language_confidence_values("ally")
    return detector


@lru_cache(maxsize=1)
def switch_patterns() -> List[Tuple[str, "re.Pattern[str]"]]:
    return [
        (language, re.compile(p)) for language, data in locales.catalog().items() for p in data.get("switch_to") or []
    ]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LanguageDetector(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # A foreign language needs more certainty (`min_confidence_other`) before Ally switches to English.
        # `other_weight`: the prior that a message to Ally is in a language it does not speak, relative to
        # one it speaks. Spanish written without accents ("como quito la foto") otherwise reads as Portuguese.
        return {
            "min_words": 3,
            "min_confidence": 0.6,
            "min_confidence_other": 0.9,
            "other_weight": 0.15,
            "low_accuracy": True,
            # A risk scenario said with an explicit language request keeps its flow when the classifier is
            # this sure of it (FallbackClassifier's threshold): "es que lo entiendo mejor" at 0.36 is no risk.
            "risk_min_confidence": 0.55,
        }

    def __init__(self, config: Dict[str, Any]) -> None:
        self.config = {**self.get_default_config(), **config}
        self.supported = tuple(locales.supported())
        codes = tuple(dict.fromkeys(self.supported + tuple(OTHER_LANGUAGES)))
        self.identifier = identifier(codes, bool(self.config["low_accuracy"]))

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageDetector":
        return cls(config)

    def language_of(self, text: str) -> Optional[str]:
        """The language `text` is evidence for, or None."""
        found = self.evidence(text)
        return found.language if found else None

    def evidence(self, text: str) -> Optional[Evidence]:
        """The language `text` is evidence for, how sure, and whether the user asked for it."""
        folded = fold(text)
        for language, pattern in switch_patterns():
            if pattern.search(folded):
                return Evidence(language, 1.0, asked=True)
        text = LOANWORD.sub(" ", CODE_TOKEN.sub(" ", text))
        if len(WORD.findall(text)) < int(self.config["min_words"]):
            return None
        scores = {}
        for value in self.identifier.compute_language_confidence_values(text):
            code = value.language.iso_code_639_1.name.lower()
            scores[code] = value.value * (1.0 if code in self.supported else float(self.config["other_weight"]))
        total = sum(scores.values())
        if not total:
            return None
        code, score = max(scores.items(), key=lambda item: item[1])
        confidence = score / total
        if confidence < float(self.config["min_confidence"]):
            return None
        if code in self.supported:
            return Evidence(code, confidence)
        if confidence >= float(self.config["min_confidence_other"]):
            return Evidence(locales.DEFAULT_LANGUAGE, confidence)
        return None

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            found = self.evidence(message.get(TEXT) or "")
            if found is None:
                continue
            # The confidence: actions/slots.py, a language once set needs strong evidence to change.
            add_entities(
                message, type(self).__name__, [(ENTITY, found.language)], confidence=round(found.confidence, 3)
            )
            intent = message.get(INTENT) or {}
            sure_risk = intent.get("name") in RISK and intent.get("confidence", 0) >= self.config["risk_min_confidence"]
            if found.asked and not sure_risk:
                # An explicit request ("podemos hablar en inglés?") is change_language, however the
                # classifier ranked it; a risk scenario said in the same message keeps its own flow.
                put_intent_first(message, CHANGE_LANGUAGE)
        return messages
