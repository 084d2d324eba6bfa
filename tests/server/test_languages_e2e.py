"""Every language Ally speaks, end to end over REST with the real servers (tests/conversations/<lang>.yml).

Danger now gets the country's emergency number first; self-harm a line open now; sextortion the helpline
and the removal route; asking for a person the full hand-off; a follow-up stays in the scenario; all in
the user's own language, and asking for English switches.
"""

from datetime import datetime, timezone

import pytest
import yaml

from actions.directory import load_directory
from ally import locales
from support.replies import new_sender, replies_text
from support.servers import ROOT

CASES = {
    p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
    for p in sorted((ROOT / "tests" / "conversations").glob("*.yml"))
}
DIRECTORY = load_directory()


DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())


def texts_of(language: str, name: str) -> list:
    """The texts of a response in a language (English: the domain's)."""
    return [v["text"] for v in locales.responses(language, DOMAIN["responses"])[name]]


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
