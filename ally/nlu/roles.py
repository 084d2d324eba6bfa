"""Who is talking, when it is not a child: an entity `role` (parent or educator).

"im his mum", "my son is 13", "i'm a teacher and one of my students...": the
`roles` patterns of every locale (locales/<language>.yml), matched on the
folded text (ally/text.py). The `role` slot (domain.yml) then chooses the
wording and routes for parents and carers, or teachers and youth workers.
A young adult who is at risk is known from their age (the `age_band` slot),
not from a role.

The user's own age said in a sentence ("jag är 19, jag var redan 18 när...",
"ich bin 19"): an entity `age` from the `own_age` patterns of every locale,
when the entity extractor found no age in the message; and a message the
classifier could not place (`nlu_fallback`, so this runs after
FallbackClassifier) that says it is the user telling their age: `inform_age`,
unless the classifier's best guess below the fallback is a risk scenario ("im 13
and he keeps ..."): that stays a fallback, whose reply names the helpline.
"""

import re
from functools import lru_cache
from typing import Any, Dict, List, Optional, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from ally import locales, scenarios
from ally.nlu.annotations import add_entities, put_intent_first
from ally.text import fold

ENTITY = "role"
AGE = "age"
FALLBACK, INFORM_AGE = "nlu_fallback", "inform_age"
ROLES = ("parent", "educator")
RISK = frozenset(scenarios.load().risk)


@lru_cache(maxsize=1)
def role_patterns() -> List[Tuple[str, "re.Pattern[str]"]]:
    return [
        (role, re.compile(pattern))
        for data in locales.catalog().values()
        for role in ROLES
        for pattern in (data.get("roles") or {}).get(role) or []
    ]


@lru_cache(maxsize=1)
def own_age_patterns() -> List["re.Pattern[str]"]:
    return [re.compile(p) for data in locales.catalog().values() for p in data.get("own_age") or []]


def own_age_of(text: str) -> Optional[str]:
    """The age the user says they are, as digits, if a sentence says so."""
    folded = fold(text)
    return next((m.group(1) for p in own_age_patterns() for m in [p.search(folded)] if m), None)


def role_of(text: str) -> Optional[str]:
    folded = fold(text)
    return next((role for role, pattern in role_patterns() if pattern.search(folded)), None)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class RoleDetector(GraphComponent, EntityExtractorMixin):
    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "RoleDetector":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            age = own_age_of(text)
            found = [(ENTITY, role_of(text))]
            if not any(e.get("entity") == AGE for e in message.get(ENTITIES, [])):
                found.append((AGE, age))
            add_entities(message, type(self).__name__, found)
            if age and (message.get(INTENT) or {}).get("name") == FALLBACK and not self._maybe_risk(message):
                put_intent_first(message, INFORM_AGE)
        return messages

    @staticmethod
    def _maybe_risk(message: Message) -> bool:
        """Whether the classifier's best guess under the fallback is a risk scenario."""
        guesses = [r.get("name") for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != FALLBACK]
        return bool(guesses) and guesses[0] in RISK
