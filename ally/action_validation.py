"""Validate action server answers against Rasa's schema without re-checking the schema each time.

Rasa 3.6 validates every action server answer with `jsonschema.validate`,
which first checks the (large) events schema itself against the JSON Schema
meta-schema, on every call: about 20 ms of CPU per custom action on this
machine kind, more than the rest of a turn (docs/performance.md). Here the
validator is built once from the same schema; answers are checked exactly
as before and a bad answer raises the same `ValidationError`.
"""

from functools import lru_cache
from typing import Any, Dict

from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)  # once, as Rasa did on every call
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    try:
        _validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result


def installed() -> bool:
    return RemoteAction._validate_action_result is _validate_action_result
