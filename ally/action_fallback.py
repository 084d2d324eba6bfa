"""Answer safely when the action server is down or slow.

Rasa 3.6 swallows a failed custom action ("the actions events are lost") and
the user hears nothing more, and it waits up to five minutes for an answer.
For a child in distress both are unacceptable, so every custom action call is
bounded by a timeout and, when it fails, the bot sends a static response from
the domain instead: `utter_<name>_offline` for `action_<name>` if the domain
has it, else the offline answer the scenario registry gives the latest intent
(scenarios.yml `offline`; `utter_offline_help`, guidance and generic helplines,
by default). ally.nlg gives it in the user's language.

Slot validation actions are left alone: Rasa already handles their failure
without telling the user anything, which is right for them.
"""

import asyncio
import logging
import os
from typing import Any, List, Optional

from rasa.core.actions.action import RemoteAction, create_bot_utterance
from rasa.shared.exceptions import RasaException

from ally import scenarios

logger = logging.getLogger(__name__)

GENERIC_OFFLINE_RESPONSE = "utter_offline_help"
TIMEOUT_SECONDS = float(os.environ.get("ALLY_ACTION_TIMEOUT", "8"))


def offline_response_name(action_name: str, responses: Any, intent: Optional[str] = None) -> str:
    specific = "utter_" + action_name.replace("action_", "", 1) + "_offline"
    if specific in responses:
        return specific
    by_intent = scenarios.load().offline_answer(intent)
    return by_intent if by_intent in responses else GENERIC_OFFLINE_RESPONSE


def _is_validation(action_name: str) -> bool:
    return action_name.startswith("validate_") or action_name == "action_validate_slot_mappings"


_original_run = RemoteAction.run


async def _run_with_fallback(self: RemoteAction, output_channel, nlg, tracker, domain) -> List[Any]:
    if _is_validation(self.name()):
        try:
            return await asyncio.wait_for(_original_run(self, output_channel, nlg, tracker, domain), TIMEOUT_SECONDS)
        except asyncio.TimeoutError as error:  # Rasa handles RasaException here
            raise RasaException(f"{self.name()} timed out") from error
    try:
        return await asyncio.wait_for(_original_run(self, output_channel, nlg, tracker, domain), TIMEOUT_SECONDS)
    except Exception as error:  # connection refused, timeout, HTTP 5xx, bad answer
        intent = (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
        response = offline_response_name(self.name(), domain.responses, intent)
        logger.warning(
            "Custom action %s failed (%s); sending %s instead.",
            self.name(),
            type(error).__name__,
            response,
        )
        message = await nlg.generate(response, tracker, output_channel.name())
        return [create_bot_utterance(message)] if message else []


def install() -> None:
    if RemoteAction.run is not _run_with_fallback:
        RemoteAction.run = _run_with_fallback


def installed() -> bool:
    return RemoteAction.run is _run_with_fallback
