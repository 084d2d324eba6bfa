"""Every language Ally speaks, end to end over REST with the real servers (tests/conversations/<lang>.yml).

Danger now gets the country's emergency number first; self-harm a line open now; sextortion the helpline
and the removal route; asking for a person the full hand-off; a follow-up stays in the scenario; all in
the user's own language, and asking for English switches. And the conversation depth of the English
tests/server/test_conversation_depth.py: a parent, a young adult, plain questions, a city, the app they name.
"""

from datetime import datetime, timezone
from typing import Optional

import pytest
import yaml

from actions.directory import load_directory
from ally import locales
from support.replies import handoff_country, new_sender, replies_text
from support.servers import ROOT

CASES = {
    p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
    for p in sorted((ROOT / "tests" / "conversations").glob("*.yml"))
}
DIRECTORY = load_directory()


DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())


def texts_of(language: str, name: str, condition: Optional[dict] = None) -> list:
    """The texts of a response in a language (English: the domain's); with `condition` {slot: value},
    only the variant for it."""
    variants = locales.responses(language, DOMAIN["responses"])[name]
    return [
        v["text"]
        for v in variants
        if condition is None or {c["name"]: str(c["value"]) for c in v.get("condition") or []} == condition
    ]


def in_language(replies, language, name):
    return any(r.get("text") in texts_of(language, name) for r in replies)


def test_every_language_has_its_cases():
    assert set(CASES) == set(locales.supported()) - {"en"}


@pytest.fixture(params=sorted(CASES))
def case(request):
    return CASES[request.param]


def test_danger_now_gets_the_emergency_number_first(servers, case):
    country = DIRECTORY.country(case["country"])
    replies = servers.say(new_sender(), case["danger_now"], {"country": case["country"]})
    assert replies[0]["text"].startswith(words(case, "emergency_now").split("{number}")[0])
    assert f"[{country.emergency_numbers[0]}]" in replies[0]["text"]
    assert in_language(replies, case["language"], "utter_immediate_danger")


def test_self_harm_names_a_line_open_now(servers, case):
    country = DIRECTORY.country(case["country"])
    replies = servers.say(new_sender(), case["self_harm"], {"country": case["country"]})
    assert in_language(replies, case["language"], "utter_self_harm"), replies_text(replies)
    now = datetime.now(timezone.utc)
    open_now = [line.name for line in country.helplines + country.crisis_lines if line.hours.is_open(now)]
    assert any(name in replies_text(replies) for name in open_now) or country.no_24_7_line is not None


def test_sextortion_gets_the_helpline_and_the_removal_route(servers, case):
    who = new_sender()
    replies = servers.say(who, case["sextortion"], {"country": case["country"]})
    assert in_language(replies, case["language"], "utter_sextortion"), replies_text(replies)
    helpline = DIRECTORY.country(case["country"]).helpline_for(language=case["language"])
    assert helpline.name in replies_text(replies) and "Take It Down" in replies_text(replies)
    follow = servers.say(who, case["follow_up"])
    assert in_language(follow, case["language"], "utter_ask_parents_find_out"), replies_text(follow)


def test_asking_for_a_person_gets_the_full_hand_off(servers, case):
    replies = servers.say(new_sender(), case["ask_person"], {"country": case["country"]})
    intro = words(case, "full_intro").split("{name}")[0]
    assert intro in replies_text(replies), replies_text(replies)


def test_the_user_can_switch_to_english(servers, case):
    who = new_sender()
    servers.say(who, case["sextortion"], {"country": case["country"], "language": case["language"]})
    replies = servers.say(who, case["switch_to_english"])
    assert replies[0]["text"] in texts_of("en", "utter_change_language") or replies[0]["text"] == (
        "Sure, let's talk in English. What's going on?"
    ), replies_text(replies)


def words(case, key):
    return locales.phrases(case["language"])[key]


def test_the_page_language_is_used_until_the_user_writes(servers, case):
    replies = servers.say(new_sender(), "/greet", {"country": case["country"], "language": case["language"]})
    assert in_language(replies, case["language"], "utter_greet"), replies_text(replies)


def test_a_short_message_does_not_switch_the_language(servers, case):
    who = new_sender()
    servers.say(who, case["sextortion"], {"country": case["country"]})
    replies = servers.say(who, "ok")
    assert not any(
        r.get("text") in texts_of("en", name)
        for r in replies
        for name in ("utter_deny", "utter_ask_rephrase", "utter_thank")
    )


def said(replies, language, name, condition=None):
    return any(r.get("text") in texts_of(language, name, condition) for r in replies)


def test_a_parent_gets_the_parents_answer(servers, case):
    replies = servers.say(new_sender(), case["parent"], {"country": case["country"]})
    assert said(replies, case["language"], "utter_friend_at_risk", {"role": "parent"}), replies_text(replies)


def test_a_young_adult_gets_adult_routes_and_wording(servers, case):
    who = new_sender()
    servers.say(who, case["image_shared"], {"country": case["country"]})
    replies = servers.say(who, case["young_adult"])
    assert said(replies, case["language"], "utter_age_noted_adult"), replies_text(replies)
    assert "StopNCII" in replies_text(replies)
    replies = servers.say(who, case["removal"])
    assert said(replies, case["language"], "utter_ask_removal", {"age_band": "adult"}), replies_text(replies)
    assert "StopNCII" in replies_text(replies) and "Take It Down" not in replies_text(replies)


def test_plain_questions_get_plain_answers(servers, case):
    who = new_sender()
    replies = servers.say(who, case["faq_sextortion"], {"country": case["country"]})
    assert said(replies, case["language"], "utter_faq_sextortion"), replies_text(replies)
    replies = servers.say(who, case["private_account"])
    assert said(replies, case["language"], "utter_faq_private_account"), replies_text(replies)


def test_a_city_answers_the_country_question(servers, case):
    who = new_sender()
    servers.say(who, case["sextortion"], {"language": case["language"]})  # no country yet: Ally asks once
    text, code = case["place"]
    assert handoff_country(servers.say(who, text)) == code, text


def test_the_app_they_name_gets_its_help_page(servers, case):
    from actions.platforms import load

    text, platform = case["platform"]
    replies = servers.say(new_sender(), text, {"country": case["country"]})
    assert load()[platform].help_url in replies_text(replies), replies_text(replies)
