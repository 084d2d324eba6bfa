"""Turn what the user said (or the embedding site sent) into clean slot values.

Runs after every user message as Rasa's `action_validate_slot_mappings`.
Slots only ever hold normalised values: an ISO 3166-1 alpha-2 code and an
age band. Raw entity text is replaced or dropped here.
"""

from typing import Any, Dict, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from actions.age import BANDS, band_from_entity_or_metadata
from actions.country import resolve_country
from actions.directory import load_directory

AGE_BANDS = set(BANDS)
# How sure the language identifier must be to change the language of a conversation (ally/nlu/language.py).
SWITCH_CONFIDENCE = 0.9


def known_country_names() -> Dict[str, list]:
    return {code: list(c.names) + [c.name] for code, c in load_directory().countries.items()}


def metadata_of(tracker: Tracker) -> Dict[str, Any]:
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    return metadata if isinstance(metadata, dict) else {}


def country_from_metadata(tracker: Tracker) -> Optional[str]:
    value = metadata_of(tracker).get("country")
    if not isinstance(value, str):
        return None
    match = resolve_country(value, known_country_names())
    return match.code if match else None


def country_answer(tracker: Tracker) -> Optional[str]:
    """A country named in reply to "Which country do you live in?", even if the
    classifier was unsure what the message was ("i live in spain" at 0.5)."""
    if not tracker.get_slot("awaiting_country"):
        return None
    latest = tracker.latest_message or {}
    if ((latest.get("intent") or {}).get("name")) not in ("inform_country", "nlu_fallback"):
        return None
    for entity in latest.get("entities") or []:
        if entity.get("entity") in ("country", "country_mention"):
            match = resolve_country(str(entity.get("value")), known_country_names())
            if match and match.kind != "nationality":
                return match.code
    return None


def country_from_text(tracker: Tracker):
    """A place or nationality the entity extractors did not tag ("i live in swizterland", "im in
    dublin", "im irish"), read from the message itself when it states where the user lives or is
    from, or answers the country question."""
    latest = tracker.latest_message or {}
    intent = (latest.get("intent") or {}).get("name")
    if intent != "inform_country" and not (tracker.get_slot("awaiting_country") and intent == "nlu_fallback"):
        return None
    if any(e.get("entity") in ("country", "country_mention") for e in latest.get("entities") or []):
        return None  # the entity path (validate_country) decides
    return resolve_country(str(latest.get("text") or ""), known_country_names())


class ValidateSlotMappings(ValidationAction):
    def name(self) -> str:
        return "action_validate_slot_mappings"

    # --- custom mappings: metadata from the embedding site --------------
    async def extract_country(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        # Metadata counts as if the user had said it, but never overrides
        # what the user said themselves ("I'm actually in Ireland").
        if tracker.get_slot("country"):
            return {}
        code = country_from_metadata(tracker) or country_answer(tracker)
        if code:
            return {"country": code}
        match = country_from_text(tracker)
        if match is None:
            return {}
        # "I'm Irish" is not "I live in Ireland": a candidate to confirm, as validate_country does.
        return {"country_candidate": match.code} if match.kind == "nationality" else {"country": match.code}

    async def extract_age_band(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if tracker.get_slot("age_band"):
            return {}
        band = band_from_entity_or_metadata(metadata_of(tracker).get("age"))
        return {"age_band": band} if band else {}

    # --- validation of entity values -------------------------------------
    async def validate_country(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        match = best_country_match(value, tracker)
        if match is None:
            # Keep the previous country: an unknown word must not erase it.
            return {"country": _previous_code(tracker)}
        if match.kind == "nationality":
            # "I'm Swedish" is not "I live in Sweden": ask before using it.
            return {"country": _previous_code(tracker), "country_candidate": match.code}
        return {"country": match.code, "country_candidate": None}

    async def validate_language(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """The conversation keeps its language: a guess of another one must be nearly certain
        ("y si mi madre se entera" is Spanish that reads a little Italian); asking always switches."""
        previous = _previous_value(tracker, "language", valid=lambda v: isinstance(v, str) and bool(v))
        if not previous or value == previous:
            return {"language": value}
        confidence = max(
            (
                float(e.get("confidence") or 0)
                for e in (tracker.latest_message or {}).get("entities") or []
                if e.get("entity") == "language" and e.get("value") == value
            ),
            default=0.0,
        )
        return {"language": value if confidence >= SWITCH_CONFIDENCE else previous}

    async def validate_age_band(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        # As with countries, a message may hold several age entities: use the first that is an age.
        entities = (tracker.latest_message or {}).get("entities") or []
        if tracker.get_slot("role") or any(e.get("entity") == "role" for e in entities):
            # A parent's or teacher's "my daughter is 12" is the child's age, not the user's.
            return {"age_band": _previous_value(tracker, "age_band")}
        candidates = [value] + [e.get("value") for e in entities if e.get("entity") == "age"]
        bands = [b for b in (band_from_entity_or_metadata(c) for c in candidates if c is not None) if b]
        return {"age_band": bands[0] if bands else _previous_value(tracker, "age_band")}


def best_country_match(value: Any, tracker: Tracker):
    """The slot holds one entity value; the message may have several
    ("ireland" and a misread word), so try every country entity and prefer
    a place of residence over a nationality."""
    entities = (tracker.latest_message or {}).get("entities") or []
    candidates = [value] + [e.get("value") for e in entities if e.get("entity") in ("country", "country_mention")]
    known = known_country_names()
    matches = [m for m in (resolve_country(str(c), known) for c in candidates if c) if m is not None]
    exact = [m for m in matches if m.kind != "nationality"]
    return (exact or matches)[0] if (exact or matches) else None


def _is_code(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 2 and value.isupper()


def _previous_code(tracker: Tracker) -> Optional[str]:
    return _previous_value(tracker, "country", _is_code)


def _previous_value(tracker: Tracker, slot: str, valid=lambda v: v in AGE_BANDS) -> Optional[str]:
    """The slot's last clean value: it already holds the new raw entity value, so look back."""
    for event in reversed(tracker.events[:-1]):
        if event.get("event") == "slot" and event.get("name") == slot and valid(event.get("value")):
            return event["value"]
    return None
