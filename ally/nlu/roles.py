"""Who is talking, when it is not a child: an entity `role` (parent or educator).

"im his mum", "my son is 13", "i'm a teacher and one of my students...": the
`roles` patterns of every locale (locales/<language>.yml), matched on the
folded text (ally/text.py). The `role` slot (domain.yml) then chooses the
wording and routes for parents and carers, or teachers and youth workers.
A young adult who is at risk is known from their age (the `age_band` slot),
not from a role.
"""

import re
from functools import lru_cache
from typing import Any, Dict, List, Optional, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from ally import locales
from ally.text import fold

ENTITY = "role"
ROLES = ("parent", "educator")


@lru_cache(maxsize=1)
def role_patterns() -> List[Tuple[str, "re.Pattern[str]"]]:
    return [
        (role, re.compile(pattern))
        for data in locales.catalog().values()
        for role in ROLES
        for pattern in (data.get("roles") or {}).get(role) or []
    ]


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
            role = role_of(message.get(TEXT) or "")
            if role:
                entity = {"entity": ENTITY, "value": role, "start": 0, "end": 0, "extractor": type(self).__name__}
                message.set(ENTITIES, message.get(ENTITIES, []) + [entity], add_to_output=True)
        return messages
