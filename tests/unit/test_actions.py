"""Every custom action, run in-process with rasa_sdk's real Tracker and dispatcher."""

import asyncio
from typing import Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionAgeNoted, ActionEmergency, ActionHandoff, ActionSafetyAnswer, ActionShareHelpline
from actions.slots import ValidateSlotMappings

SLOTS = {
    "country": None,
    "age_band": None,
    "country_candidate": None,
    "awaiting_country": None,
    "scenario": None,
    "language": None,
    "role": None,
    "safety_checked": None,
    "awaiting_safety_answer": None,
}


def tracker(
    intent: str, slots: Optional[dict] = None, metadata: Optional[dict] = None, events=None, entities=None, text=""
):
    return Tracker(
        sender_id="test",
        slots={**SLOTS, **(slots or {})},
        latest_message={
            "intent": {"name": intent, "confidence": 0.99},
            "text": text,
            "entities": entities or [],
            "metadata": metadata or {},
        },
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action, t):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def text(messages):
    return "\n".join(m.get("text") or "" for m in messages)


# --- action_share_helpline ---------------------------------------------------


@pytest.mark.parametrize(
    "country,name,number",
    [
        ("GB", "Childline", "0800 1111"),
        ("SE", "BRIS", "116 111"),
        ("US", "Childhelp", "1-800-422-4453"),
        ("AU", "Kids Helpline", "1800 55 1800"),
    ],
)
def test_share_helpline_shows_the_helpline_when_the_country_is_known(country, name, number):
    messages, slots = run(ActionShareHelpline(), tracker("sextortion", {"country": country}))
    assert name in text(messages) and number in text(messages)
    assert "Take It Down" in text(messages)
    handoff = messages[0]["custom"]["ally_handoff"]
    assert handoff["country"] == country and handoff["helpline"]["name"].startswith(name)
    assert handoff["helpline"]["phones"][0]["tel"].startswith("tel:")
    # Image-based harm: after the help, Ally asks once whether they are safe right now.
    assert messages[-1]["response"] == "utter_safety_check"
    assert slots == {"scenario": "sextortion", "safety_checked": True, "awaiting_safety_answer": True}


def test_the_safety_check_is_asked_only_once():
    messages, slots = run(ActionShareHelpline(), tracker("image_shared", {"country": "GB", "safety_checked": True}))
    assert "utter_safety_check" not in [m.get("response") for m in messages]
    assert slots == {"scenario": "image_shared"}


@pytest.mark.parametrize("alarm", ["immediate_danger", "self_harm"])
def test_an_unsure_alarm_names_help_open_now_without_the_alarm(alarm):
    """The safety net's fallback for an alarm only the classifier saw ("the uber is outside")."""
    unsure = [{"entity": "unsure_alarm", "value": alarm}]
    messages, slots = run(
        ActionShareHelpline(), tracker("nlu_fallback", {"country": "DE", "scenario": "sextortion"}, entities=unsure)
    )
    assert "In danger right now? Call [112](tel:112)." in text(messages)
    assert "TelefonSeelsorge" in text(messages)  # a crisis line open at any hour
    assert "now. It's free, and they will send help" not in text(messages)  # not the emergency-first reply
    assert slots == {}  # the scenario under way stays


# --- action_safety_answer ----------------------------------------------------


@pytest.mark.parametrize(
    "slots",
    [
        {"awaiting_safety_answer": True, "safety_checked": True, "scenario": "sextortion"},  # "not really"
        {"scenario": "self_harm"},
        {"scenario": "immediate_danger"},
    ],
)
def test_not_okay_after_the_safety_question_or_a_crisis_is_crisis_support(slots):
    messages, events = run(ActionSafetyAnswer(), tracker("not_okay", {"country": "DE", **slots}))
    assert messages[0]["response"] == "utter_not_okay"
    assert "TelefonSeelsorge" in text(messages)
    assert "utter_safety_check" not in [m.get("response") for m in messages]
    assert events == {"awaiting_safety_answer": False}


def test_distress_of_its_own_gets_support_a_line_open_now_and_the_safety_question_once():
    """ "i left the group but i cant stop thinking about it": not the self-harm flow (issue 12)."""
    messages, events = run(
        ActionSafetyAnswer(), tracker("not_okay", {"country": "DE", "scenario": "received_sexual_content"})
    )
    responses = [m.get("response") for m in messages]
    assert responses[0] == "utter_distress" and "utter_not_okay" not in responses
    assert "TelefonSeelsorge" in text(messages)  # open at any hour
    assert responses[-1] == "utter_safety_check"
    assert events == {"awaiting_safety_answer": True, "safety_checked": True}
    messages, events = run(ActionSafetyAnswer(), tracker("not_okay", {"country": "DE", "safety_checked": True}))
    assert [m.get("response") for m in messages][0] == "utter_distress"
    assert "utter_safety_check" not in [m.get("response") for m in messages]
    assert events == {"awaiting_safety_answer": False}


@pytest.mark.parametrize("intent", ["feeling_ok", "affirm"])
def test_feeling_okay_is_acknowledged(intent):
    messages, events = run(ActionSafetyAnswer(), tracker(intent, {"awaiting_safety_answer": True}))
    assert [m.get("response") for m in messages] == ["utter_safety_ok"]
    assert events == {"awaiting_safety_answer": False}


def test_share_helpline_asks_for_the_country_once():
    messages, slots = run(ActionShareHelpline(), tracker("asked_for_images"))
    assert messages[0]["response"] == "utter_ask_country"
    assert slots["awaiting_country"] is True


def test_share_helpline_does_not_ask_twice_and_gives_generic_help():
    asked = [{"event": "slot", "name": "awaiting_country", "value": True}]
    messages, slots = run(ActionShareHelpline(), tracker("webcam_request", events=asked))
    assert "116 111" in text(messages)
    assert "childhelplineinternational.org/helplines" in text(messages)
    assert "awaiting_country" not in slots


def test_share_helpline_checks_a_nationality_before_using_it():
    messages, slots = run(ActionShareHelpline(), tracker("sextortion", {"country_candidate": "SE"}))
    assert messages[0]["response"] == "utter_confirm_country"
    assert messages[0]["country_candidate_name"] == "Sweden"
    assert slots["awaiting_country"] is True


# --- action_handoff -------------------------------------------------------------


def test_the_nationality_question_names_the_country_in_the_users_language():
    messages, _ = run(ActionShareHelpline(), tracker("sextortion", {"country_candidate": "BE", "language": "fr"}))
    assert messages[0]["country_candidate_name"] == "Belgique"


def test_handoff_full_reply_for_a_known_country():
    messages, slots = run(ActionHandoff(), tracker("ask_helpline", {"country": "IE", "scenario": "image_shared"}))
    body = text(messages)
    assert "ISPCC Childline" in body and "(tel:" in body and "50101" in body
    assert "Take It Down" in body
    assert slots["awaiting_country"] is False


def test_handoff_without_country_gives_international_help():
    messages, _ = run(ActionHandoff(), tracker("deny", {"awaiting_country": True}))
    body = text(messages)
    assert "116 111" in body and "childhelplineinternational.org/helplines" in body
    for number in ("112", "999", "911", "000", "111"):
        assert number in body


def test_handoff_confirmed_nationality_becomes_the_country():
    messages, slots = run(ActionHandoff(), tracker("affirm", {"country_candidate": "SE"}))
    assert slots["country"] == "SE" and slots["country_candidate"] is None
    assert "BRIS" in text(messages)


def test_handoff_denied_nationality_asks_where_they_live():
    messages, slots = run(ActionHandoff(), tracker("deny", {"country_candidate": "SE"}))
    assert messages[0]["response"] == "utter_ask_country"
    assert slots["country_candidate"] is None and slots["awaiting_country"] is True


# --- action_emergency -----------------------------------------------------------


@pytest.mark.parametrize("country,number", [("GB", "999"), ("US", "911"), ("AU", "000"), ("NZ", "111"), ("SE", "112")])
def test_emergency_number_comes_first(country, number):
    messages, _ = run(ActionEmergency(), tracker("immediate_danger", {"country": country}))
    assert text(messages).startswith(f"Call [{number}](tel:{number}) now")


def test_emergency_without_country_lists_the_main_numbers_first():
    messages, _ = run(ActionEmergency(), tracker("immediate_danger"))
    body = text(messages)
    assert body.startswith("Call the emergency number now")
    for number in ("112", "999", "911", "000", "111"):
        assert number in body


# --- action_age_noted -----------------------------------------------------------


def test_age_noted_for_a_young_person():
    messages, _ = run(ActionAgeNoted(), tracker("inform_age", {"age_band": "13_15"}))
    assert messages[0]["response"] == "utter_age_noted"


def test_age_noted_for_a_parent_gives_the_parents_line():
    messages, _ = run(ActionAgeNoted(), tracker("inform_age", {"age_band": "adult", "role": "parent", "country": "DE"}))
    assert messages[0]["response"] == "utter_age_noted_adult"
    assert "Elterntelefon" in text(messages)


def test_age_noted_for_a_young_adult_gives_adult_routes_not_the_parents_line():
    slots = {"age_band": "adult", "country": "GB", "scenario": "image_shared"}
    messages, _ = run(ActionAgeNoted(), tracker("inform_age", slots))
    assert messages[0]["response"] == "utter_age_noted_adult"  # its default variant: adult wording
    assert "StopNCII" in text(messages) and "Take It Down" not in text(messages)
    assert "NSPCC" not in text(messages), "a parents' line is not for the young adult at risk"


# --- action_validate_slot_mappings ---------------------------------------------


def validate(t):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(
        ValidateSlotMappings().run(
            dispatcher,
            t,
            {
                "slots": {
                    "country": {"mappings": [{"type": "from_entity", "entity": "country"}, {"type": "custom"}]},
                    "age_band": {"mappings": [{"type": "from_entity", "entity": "age"}, {"type": "custom"}]},
                    "country_candidate": {"mappings": [{"type": "custom"}]},
                }
            },
        )
    )
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def extracted(slot, value):
    # The events Rasa's action_extract_slots leaves before calling the validation action.
    return [{"event": "user"}, {"event": "slot", "name": slot, "value": value}]


@pytest.mark.parametrize(
    "raw,code", [("sverige", "SE"), ("SE", "SE"), ("scotland", "GB"), ("irland", "IE"), ("🇳🇿", "NZ")]
)
def test_country_entity_is_normalised(raw, code):
    assert validate(tracker("inform_country", {"country": raw}, events=extracted("country", raw)))["country"] == code


def test_nationality_is_kept_as_a_candidate():
    slots = validate(tracker("inform_country", {"country": "swedish"}, events=extracted("country", "swedish")))
    assert slots["country_candidate"] == "SE" and slots["country"] is None


@pytest.mark.parametrize("text,code", [("im irish", "IE"), ("je suis belge", "BE"), ("jestem polakiem", "PL")])
def test_a_nationality_no_extractor_tagged_is_still_a_candidate(text, code):
    slots = validate(tracker("inform_country", text=text))
    assert slots == {"country_candidate": code}


def test_a_place_no_extractor_tagged_fills_the_country():
    assert validate(tracker("inform_country", text="mieszkam w polsce"))["country"] == "PL"


def test_metadata_country_fills_the_slot():
    assert validate(tracker("greet", metadata={"country": "se"}))["country"] == "SE"


def test_metadata_never_overrides_what_the_user_said():
    assert "country" not in validate(tracker("greet", {"country": "IE"}, metadata={"country": "GB"}))


@pytest.mark.parametrize(
    "raw,band", [("12", "under_13"), ("year 9", "13_15"), ("fourteen", "13_15"), ("16", "16_17"), ("34", "adult")]
)
def test_age_entity_becomes_a_band(raw, band):
    assert validate(tracker("inform_age", {"age_band": raw}, events=extracted("age_band", raw)))["age_band"] == band


def test_metadata_age_fills_the_band():
    assert validate(tracker("greet", metadata={"age": 14}))["age_band"] == "13_15"


def test_the_resolvable_country_entity_wins_over_a_misread_word():
    entities = [{"entity": "country", "value": "IE"}, {"entity": "country", "value": "kestrel42"}]
    t = tracker("inform_country", {"country": "kestrel42"}, events=extracted("country", "kestrel42"), entities=entities)
    assert validate(t)["country"] == "IE"


def test_a_misread_age_entity_keeps_the_previous_band():
    events = [{"event": "slot", "name": "age_band", "value": "16_17"}] + extracted("age_band", "kestrel42")
    entities = [{"entity": "age", "value": "kestrel42"}]
    assert (
        validate(tracker("inform_age", {"age_band": "kestrel42"}, events=events, entities=entities))["age_band"]
        == "16_17"
    )


def test_the_first_real_age_of_several_entities_wins():
    entities = [{"entity": "age", "value": "kestrel42"}, {"entity": "age", "value": "14"}]
    t = tracker("inform_age", {"age_band": "kestrel42"}, events=extracted("age_band", "kestrel42"), entities=entities)
    assert validate(t)["age_band"] == "13_15"


def test_a_country_named_in_an_unclear_answer_to_the_country_question_counts():
    entities = [{"entity": "country_mention", "value": "ES"}]
    waiting = tracker("nlu_fallback", {"awaiting_country": True}, entities=entities)
    assert validate(waiting)["country"] == "ES"
    not_waiting = tracker("nlu_fallback", entities=entities)  # "he lives in spain" out of the blue
    assert "country" not in validate(not_waiting)


def language_tracker(previous, value, confidence):
    events = [{"event": "slot", "name": "language", "value": previous}, {"event": "user"}]
    events.append({"event": "slot", "name": "language", "value": value})
    entities = [{"entity": "language", "value": value, "confidence": confidence}]
    return tracker("ask_parents_find_out", {"language": value}, events=events, entities=entities)


def validate_language(t):
    dispatcher = CollectingDispatcher()
    domain = {"slots": {"language": {"mappings": [{"type": "from_entity", "entity": "language"}]}}}
    events = asyncio.run(ValidateSlotMappings().run(dispatcher, t, domain))
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_a_weak_guess_of_another_language_keeps_the_conversations_language():
    assert validate_language(language_tracker("es", "it", 0.7))["language"] == "es"


@pytest.mark.parametrize("confidence", [0.95, 1.0])  # a sure guess, or "can we talk in english"
def test_strong_evidence_or_a_request_switches_the_language(confidence):
    assert validate_language(language_tracker("es", "en", confidence))["language"] == "en"
