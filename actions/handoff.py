"""The actions that hand a young person to real people.

* action_share_helpline: right after a risk reply. Shows the country's
  helpline and the routes for the scenario, or asks for the country once.
* action_handoff: the full hand-off (asked for a person, gave the country,
  said yes, or declined to give the country).
* action_emergency: danger now. The emergency number comes first, before
  any question.
* action_age_noted: acknowledges the age; adults get the parents' routes.

If the action server is down, the Rasa server sends the static responses
`utter_<name>_offline` / `utter_offline_help` instead (ally/action_fallback.py).
"""
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import messages
from actions.country import country_name
from actions.directory import load_directory
from actions.routes import plan_handoff

RISK_INTENTS = {
    "asked_for_images", "offer_to_meet", "sextortion", "image_shared", "gifts_or_money",
    "secrecy_request", "job_or_travel_offer", "received_sexual_content", "webcam_request",
    "personal_info_request", "uneasy_contact", "friend_at_risk", "immediate_danger", "self_harm",
}
SCENARIO_INTENTS = RISK_INTENTS | {"how_to_report", "fear_of_trouble"}


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def latest_intent(tracker: Tracker) -> Optional[str]:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def page_language(tracker: Tracker) -> Optional[str]:
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    language = metadata.get("language") if isinstance(metadata, dict) else None
    return language[:2].lower() if isinstance(language, str) else None


def send_plan(dispatcher: CollectingDispatcher, tracker: Tracker, scenario: Optional[str], full: bool) -> None:
    directory = load_directory()
    now = now_utc()
    plan = plan_handoff(
        directory, tracker.get_slot("country"), scenario, tracker.get_slot("age_band"),
        now=now, language=page_language(tracker),
    )
    if plan.country is None:
        text = messages.generic_reply(directory)
        extra = messages.route_lines(plan.routes)
        if extra:
            text += "\n" + "\n".join(extra)
    else:
        text = messages.full_reply(plan, now) if full else messages.compact_reply(plan, now)
    dispatcher.utter_message(text=text, json_message=messages.payload(plan, now))


class ActionShareHelpline(Action):
    def name(self) -> Text:
        return "action_share_helpline"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        intent = latest_intent(tracker)
        scenario = intent if intent in SCENARIO_INTENTS else tracker.get_slot("scenario")
        events: List[Dict[Text, Any]] = [SlotSet("scenario", scenario)]
        if tracker.get_slot("country"):
            send_plan(dispatcher, tracker, scenario, full=False)
            return events
        if tracker.get_slot("country_candidate"):
            return events + ask_to_confirm_country(dispatcher, tracker)
        if not asked_for_country_before(tracker):
            dispatcher.utter_message(response="utter_ask_country")
            return events + [SlotSet("awaiting_country", True)]
        # Asked once already: never nag, give the help that works anywhere.
        send_plan(dispatcher, tracker, scenario, full=False)
        return events


class ActionHandoff(Action):
    def name(self) -> Text:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        intent = latest_intent(tracker)
        candidate = tracker.get_slot("country_candidate")
        events: List[Dict[Text, Any]] = [SlotSet("awaiting_country", False)]
        if candidate and intent == "affirm":
            # The user confirmed that they live in the country of their nationality.
            events += [SlotSet("country", candidate), SlotSet("country_candidate", None)]
            tracker.slots["country"] = candidate
        elif candidate and intent == "deny":
            events.append(SlotSet("country_candidate", None))
            dispatcher.utter_message(response="utter_ask_country")
            return events + [SlotSet("awaiting_country", True)]
        elif candidate and not tracker.get_slot("country"):
            return events + ask_to_confirm_country(dispatcher, tracker)
        send_plan(dispatcher, tracker, tracker.get_slot("scenario"), full=True)
        return events


class ActionEmergency(Action):
    def name(self) -> Text:
        return "action_emergency"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        directory = load_directory()
        now = now_utc()
        plan = plan_handoff(directory, tracker.get_slot("country"), "immediate_danger", tracker.get_slot("age_band"), now=now)
        if plan.country is not None and plan.emergency_numbers:
            number = plan.emergency_numbers[0]
            text = f"Call [{number}](tel:{number}) now. It's free, and they will send help. If you can't talk, stay on the line."
            if plan.helpline is not None:
                text += "\n" + messages.helpline_line(plan, now)
        else:
            text = f"Call the emergency number now: {messages.emergency_list(directory)}. It's free, and they will send help."
        dispatcher.utter_message(text=text, json_message=messages.payload(plan, now))
        return [SlotSet("scenario", "immediate_danger")]


class ActionAgeNoted(Action):
    def name(self) -> Text:
        return "action_age_noted"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        if tracker.get_slot("age_band") == "adult":
            dispatcher.utter_message(response="utter_age_noted_adult")
            if tracker.get_slot("country"):
                send_plan(dispatcher, tracker, tracker.get_slot("scenario"), full=True)
            else:
                dispatcher.utter_message(response="utter_ask_country")
                return [SlotSet("awaiting_country", True)]
            return []
        dispatcher.utter_message(response="utter_age_noted")
        return []


def ask_to_confirm_country(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    code = tracker.get_slot("country_candidate")
    dispatcher.utter_message(response="utter_confirm_country", country_candidate_name=country_name(code))
    return [SlotSet("awaiting_country", True)]


def asked_for_country_before(tracker: Tracker) -> bool:
    return any(
        e.get("event") == "slot" and e.get("name") == "awaiting_country" and e.get("value")
        for e in tracker.events
    )
