"""End to end over Rasa's REST channel, with the real Rasa server and action server."""

import uuid

import pytest
import yaml

from actions.directory import load_directory
from support.replies import age_variant, replies_text
from support.servers import ROOT, Servers

DIRECTORY = load_directory()
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
SEXTORTION = "he says he'll send my pics to everyone unless i pay him"


def variants(response):
    return [v["text"] for v in DOMAIN["responses"][response]]


def sender():
    return f"test-{uuid.uuid4().hex}"


def handoff(replies):
    for reply in replies:
        if "ally_handoff" in (reply.get("custom") or {}):
            return reply["custom"]["ally_handoff"]
    return None


def removal_route_ids(country):
    """Removal routes the directory says fit an under-18 in this country."""
    ids = {"take-it-down"}
    ids |= {r.id for r in country.reporting if r.kind == "image_removal"}
    if country.code in DIRECTORY.international["report-remove"].countries:
        ids.add("report-remove")
    return ids


def test_the_readme_example_gets_its_scenario_guidance_and_the_helpline(servers):
    replies = servers.say(sender(), "someone on snap keeps asking me for pics", {"country": "GB"})
    assert replies[0]["text"] in variants("utter_asked_for_images")
    assert "Childline" in replies_text(replies) and "0800 1111" in replies_text(replies)


def test_a_streamed_answer_takes_the_same_safe_path(servers):
    """`?stream=true`: the same guidance and hand-off, one JSON message per line (ally/channels/common.py)."""
    import json
    import urllib.request

    body = {"sender": sender(), "message": "someone on snap keeps asking me for pics", "metadata": {"country": "GB"}}
    request = urllib.request.Request(
        f"{servers.url}/webhooks/rest/webhook?stream=true",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        replies = [json.loads(line) for line in response.read().decode().splitlines() if line.strip()]
    assert replies[0]["text"] in variants("utter_asked_for_images")
    assert "Childline" in replies_text(replies)


@pytest.mark.parametrize("code", sorted(DIRECTORY.countries))
def test_sextortion_with_metadata_country_ends_with_that_countrys_help(servers, code):
    country = DIRECTORY.country(code)
    replies = servers.say(sender(), SEXTORTION, {"country": code})
    assert replies[0]["text"] in variants("utter_sextortion")
    body = replies_text(replies)
    line = country.helpline_for()
    if line is not None:
        assert line.name in body and line.phones[0].display in body
    payload = handoff(replies)
    assert payload["country"] == code
    assert removal_route_ids(country) <= {r["id"] for r in payload["routes"]}


@pytest.mark.parametrize("code", sorted(DIRECTORY.countries))
def test_sextortion_with_the_country_typed_in_text(servers, code):
    country = DIRECTORY.country(code)
    who = sender()
    first = servers.say(who, SEXTORTION)
    assert first[0]["text"] in variants("utter_sextortion")
    assert first[-1]["text"] in variants("utter_ask_country")
    replies = servers.say(who, f"i live in {country.name.lower()}")
    payload = handoff(replies)
    assert payload is not None and payload["country"] == code, replies_text(replies)
    line = country.helpline_for()
    if line is not None:
        assert line.phones[0].display in replies_text(replies)
    assert removal_route_ids(country) <= {r["id"] for r in payload["routes"]}


@pytest.mark.parametrize("code,number", [("GB", "999"), ("US", "911"), ("AU", "000"), ("SE", "112")])
def test_danger_now_gets_the_emergency_number_in_the_first_message(servers, code, number):
    replies = servers.say(sender(), "the guy from snap is outside my house right now", {"country": code})
    assert replies[0]["text"].startswith(f"Call [{number}]")
    assert replies_text(replies).count("?") <= 1  # no questions before the number


def test_self_harm_gets_crisis_support_at_once(servers):
    replies = servers.say(sender(), "i just want to die", {"country": "US"})
    assert replies[0]["text"] in variants("utter_self_harm")
    assert "988" in replies_text(replies)


def test_the_user_can_correct_the_metadata_country(servers):
    who = sender()
    servers.say(who, "hi", {"country": "GB"})
    replies = servers.say(who, "im actually in ireland", {"country": "GB"})
    assert handoff(replies)["country"] == "IE"
    replies = servers.say(who, SEXTORTION, {"country": "GB"})
    assert handoff(replies)["country"] == "IE"


def test_age_metadata_changes_the_wording(servers):
    young = servers.say(sender(), SEXTORTION, {"country": "GB", "age": 12})
    older = servers.say(sender(), SEXTORTION, {"country": "GB", "age": 16})
    assert young[0]["text"] == age_variant("utter_sextortion", "under_13")
    assert older[0]["text"] == age_variant("utter_sextortion", "16_17")


def test_unsure_twice_still_reaches_a_person(servers):
    who = sender()
    # Both turns are sent as the intent itself: which gibberish the classifier
    # is unsure about is statistical, the dialogue must not be.
    first = servers.say(who, "/nlu_fallback", {"country": "SE"})
    assert first[0]["text"] in variants("utter_ask_rephrase")
    assert "BRIS" in replies_text(first)
    second = servers.say(who, "/nlu_fallback", {"country": "SE"})
    assert second[0]["text"] in variants("utter_fallback_help")
    assert "116 111" in replies_text(second)


def test_without_the_action_server_risk_messages_still_get_guidance_and_help(tmp_path):
    pair = Servers(tmp_path)
    try:
        assert handoff(pair.say(sender(), SEXTORTION, {"country": "SE"}))["country"] == "SE"
        pair.action.terminate()
        pair.action.wait(timeout=20)

        replies = pair.say(sender(), SEXTORTION, {"country": "SE"})
        assert replies[0]["text"] in variants("utter_sextortion")
        assert replies[-1]["text"] in variants("utter_offline_help")
        danger = pair.say(sender(), "hes outside my house right now", {"country": "SE"})
        assert danger[0]["text"] in variants("utter_emergency_offline")

        # Full service returns when the action server is back, without restarting Rasa.
        pair.restart_action_server()
        assert handoff(pair.say(sender(), SEXTORTION, {"country": "SE"}))["country"] == "SE"
    finally:
        pair.stop()


def test_a_nationality_is_confirmed_before_it_is_used(servers):
    who = sender()
    replies = servers.say(who, "im swedish btw")
    assert [r.get("text") for r in replies] == [
        v.replace("{country_candidate_name}", "Sweden") for v in variants("utter_confirm_country")
    ][:1], "the check question alone, then the bot waits for the answer"
    assert handoff(servers.say(who, "yes"))["country"] == "SE"


def test_a_declined_nationality_leads_to_the_country_question(servers):
    who = sender()
    servers.say(who, "im irish")
    replies = servers.say(who, "no")
    assert [r.get("text") for r in replies] == variants("utter_ask_country")[:1]
    assert handoff(servers.say(who, "spain"))["country"] == "ES"
