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
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import messages, platforms
from actions.country import country_name
from actions.directory import load_directory
from actions.routes import plan_handoff
from ally import locales, scenarios

REGISTRY = scenarios.load()
# Intents that start or continue a scenario (its routes follow it): scenarios.yml.
SCENARIO_INTENTS = REGISTRY.scenario_intents


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def latest_intent(tracker: Tracker) -> Optional[str]:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def page_language(tracker: Tracker) -> Optional[str]:
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    language = metadata.get("language") if isinstance(metadata, dict) else None
    return language if isinstance(language, str) else None


def reply_language(tracker: Tracker) -> str:
    """The language Ally answers in: the user's writing (slot), else the page's (as ally.nlg decides)."""
    return locales.choose(tracker.get_slot("language"), page_language(tracker))


def helpline_language(tracker: Tracker) -> Optional[str]:
    """The language to choose a helpline by (Belgium: Awel in Dutch, 103 in French), even one Ally does not speak."""
    page = page_language(tracker)
    return tracker.get_slot("language") or (page[:2].lower() if page else None)


def platform_line(tracker: Tracker, words: "messages.Words") -> Optional[str]:
    """How to block and report in the app the user named in this message ("how do i report him on snapchat")."""
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == "platform":
            found = platforms.find(str(entity.get("value")))
            if found:
                return messages.platform_line(found, words)
    return None


def send_plan(dispatcher: CollectingDispatcher, tracker: Tracker, scenario: Optional[str], full: bool) -> None:
    directory = load_directory()
    now = now_utc()
    language = reply_language(tracker)
    words = messages.Words.of(language)
    plan = plan_handoff(
        directory,
        tracker.get_slot("country"),
        scenario,
        tracker.get_slot("age_band"),
        now=now,
        language=helpline_language(tracker),
        role=tracker.get_slot("role"),
    )
    if plan.country is None:
        text = messages.generic_reply(directory, words)
        extra = messages.route_lines(plan.routes, words)
        if extra:
            text += "\n" + "\n".join(extra)
    else:
        text = messages.full_reply(plan, now, words) if full else messages.compact_reply(plan, now, words)
    app = platform_line(tracker, words)
    if app:
        text += "\n" + app
    dispatcher.utter_message(text=text, json_message=messages.payload(plan, now))


def safety_net_entity(tracker: Tracker, name: str, allowed: Any) -> Optional[str]:
    """The value of an entity the safety net set on the latest message (ally/nlu/safety_net.py), if valid."""
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == name and entity.get("value") in allowed:
            return entity["value"]
    return None


def also_scenario(tracker: Tracker) -> Optional[str]:
    """The risk scenario the safety net found beside self-harm words in the latest message, if any."""
    return safety_net_entity(tracker, "also_scenario", REGISTRY.risk)


def unsure_alarm(tracker: Tracker) -> Optional[str]:
    """Danger now or self-harm that only the classifier saw (the safety net made it a fallback), if any."""
    return safety_net_entity(tracker, "unsure_alarm", messages.CRISIS_SCENARIOS)


def send_scenario_steps(dispatcher: CollectingDispatcher, tracker: Tracker, scenario: str) -> None:
    """After crisis support: the other scenario's own steps and its routes (removal, reporting)."""
    dispatcher.utter_message(response=f"utter_{scenario}")
    plan = plan_handoff(load_directory(), tracker.get_slot("country"), scenario, tracker.get_slot("age_band"))
    lines = messages.route_lines(plan.routes, messages.Words.of(reply_language(tracker)))
    if lines:
        dispatcher.utter_message(text="\n".join(lines))


def routes_scenario(intent: Optional[str], scenario: Optional[str]) -> Optional[str]:
    """A follow-up with routes of its own ("how do i get it taken down") gets them even when the
    scenario under way would not (scenarios.yml `routes`)."""
    own = REGISTRY.intents[intent].routes if intent in REGISTRY.intents else frozenset()
    current = REGISTRY.intents[scenario].routes if scenario in REGISTRY.intents else frozenset()
    return intent if own and not own <= current else scenario


class ActionShareHelpline(Action):
    """Right after a risk reply: the country's helpline and routes, or the country question (once)."""

    def name(self) -> str:
        return "action_share_helpline"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        intent = latest_intent(tracker)
        scenario = intent if intent in SCENARIO_INTENTS else tracker.get_slot("scenario")
        also = also_scenario(tracker)
        if intent in REGISTRY.someone_else and also == "self_harm":
            # A friend who may hurt themselves: the friend flow, with a crisis line open now.
            events: List[Dict[str, Any]] = [SlotSet("scenario", intent)]
            send_plan(dispatcher, tracker, "self_harm", full=False)
            return events
        unsure = unsure_alarm(tracker)
        if unsure:
            # Maybe danger or self-harm, maybe not ("the uber is outside"): no alarm, but the lines open
            # now and "In danger right now? Call 112." The scenario under way stays as it is.
            events, scenario, also = [], unsure, None
        else:
            also = also if scenario == "self_harm" else None
            # Follow-up questions continue the scenario the user described, not the crisis.
            events = [SlotSet("scenario", also or scenario)]
        crisis = scenario in messages.CRISIS_SCENARIOS
        scenario = routes_scenario(intent, scenario)
        if tracker.get_slot("country"):
            send_plan(dispatcher, tracker, scenario, full=False)
            if also:
                send_scenario_steps(dispatcher, tracker, also)
            elif scenario in REGISTRY.safety_check and not tracker.get_slot("safety_checked"):
                # Asked once, kindly, after the help: never instead of it.
                dispatcher.utter_message(response="utter_safety_check")
                events += [SlotSet("safety_checked", True), SlotSet("awaiting_safety_answer", True)]
            return events
        if crisis:
            # No waiting for a country in a crisis: help that works anywhere comes first.
            send_plan(dispatcher, tracker, scenario, full=False)
            if also:
                send_scenario_steps(dispatcher, tracker, also)
        if tracker.get_slot("country_candidate"):
            return events + ask_to_confirm_country(dispatcher, tracker)
        if not asked_for_country_before(tracker):
            dispatcher.utter_message(response="utter_ask_country")
            return events + [SlotSet("awaiting_country", True)]
        if not crisis:
            # Asked once already: never nag, give the help that works anywhere.
            send_plan(dispatcher, tracker, scenario, full=False)
        return events


class ActionSafetyAnswer(Action):
    """The answer to "are you safe right now?", or an "i'm not okay" of the user's own: reassurance,
    crisis support, or support and someone to talk to now."""

    def name(self) -> str:
        return "action_safety_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        events: List[Dict[str, Any]] = [SlotSet("awaiting_safety_answer", False)]
        if latest_intent(tracker) in ("feeling_ok", "affirm"):
            dispatcher.utter_message(response="utter_safety_ok")
            return events
        # "Not really" to "are you safe right now?", or after self-harm or danger: crisis support.
        # Otherwise ("i cant stop thinking about it") distress, not a plan to get hurt: support, then
        # the safety question (once), whose "not really" leads to crisis support. A line open now either way.
        crisis = tracker.get_slot("awaiting_safety_answer") or tracker.get_slot("scenario") in messages.CRISIS_SCENARIOS
        dispatcher.utter_message(response="utter_not_okay" if crisis else "utter_distress")
        send_plan(dispatcher, tracker, "self_harm", full=False)
        if crisis or tracker.get_slot("safety_checked"):
            return events
        dispatcher.utter_message(response="utter_safety_check")
        return [SlotSet("safety_checked", True), SlotSet("awaiting_safety_answer", True)]


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        intent = latest_intent(tracker)
        candidate = tracker.get_slot("country_candidate")
        events: List[Dict[str, Any]] = [SlotSet("awaiting_country", False)]
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
    def name(self) -> str:
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        directory = load_directory()
        now = now_utc()
        language = reply_language(tracker)
        plan = plan_handoff(
            directory,
            tracker.get_slot("country"),
            "immediate_danger",
            tracker.get_slot("age_band"),
            now=now,
            language=helpline_language(tracker),
        )
        text = messages.emergency_now(plan, directory, now, messages.Words.of(language))
        dispatcher.utter_message(text=text, json_message=messages.payload(plan, now))
        return [SlotSet("scenario", "immediate_danger")]


class ActionAgeNoted(Action):
    def name(self) -> str:
        return "action_age_noted"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
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


def ask_to_confirm_country(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[str, Any]]:
    code = tracker.get_slot("country_candidate")
    # The country's name in the reply's language ("Belgique", "Belgia"), English where the locale has none.
    native = (messages.Words.of(reply_language(tracker)).countries.get(code) or {}).get("name")
    dispatcher.utter_message(response="utter_confirm_country", country_candidate_name=native or country_name(code))
    return [SlotSet("awaiting_country", True)]


def asked_for_country_before(tracker: Tracker) -> bool:
    return any(
        e.get("event") == "slot" and e.get("name") == "awaiting_country" and e.get("value") for e in tracker.events
    )
