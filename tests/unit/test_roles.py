"""Who is talking (ally/nlu/roles.py): a parent or educator, and the user's own age said in a sentence."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from ally.nlu.roles import RoleDetector, own_age_of, role_of


@pytest.mark.parametrize(
    "text,age",
    [
        ("im 18, i was already 18 when i sent it", "18"),
        ("he says hes 17 but im 14", "14"),
        ("ich bin 19, ich war schon volljährig als ich die geschickt hab", "19"),
        ("jag är 19, jag var redan 18 när jag skickade dom", "19"),
        ("j'ai 19 ans et j'étais déjà majeure", "19"),
        ("tengo 19 años, ya era mayor de edad", "19"),
        ("ho 19 anni, ero già maggiorenne", "19"),
        ("ik ben 19, ik was al 18", "19"),
        ("mam 19 lat, byłam już pełnoletnia", "19"),
        ("im 5 mins away", None),
        ("my son is 13", None),
        ("bin 20 minuten zu spät", None),
        ("tengo 2 perros", None),
    ],
)
def test_the_users_own_age_in_a_sentence(text, age):
    assert own_age_of(text) == age


@pytest.mark.parametrize(
    "text,role",
    [
        ("im his mum, what do i do", "parent"),
        ("min dotter är 12 och en man på roblox ger henne robux. jag är hennes mamma", "parent"),
        ("one of my students told me", "educator"),
        ("my friend asked me for pics", None),
    ],
)
def test_who_is_talking(text, role):
    assert role_of(text) == role


def test_an_age_the_extractor_found_is_not_doubled():
    found = Message(data={"text": "im 14", "entities": [{"entity": "age", "value": "14", "extractor": "CRF"}]})
    missed = Message(data={"text": "jag är 19, jag var redan 18 när jag skickade dom"})
    RoleDetector().process([found, missed])
    assert [e["value"] for e in found.get("entities")] == ["14"]
    assert [(e["entity"], e["value"]) for e in missed.get("entities")] == [("age", "19")]


def test_a_message_the_classifier_could_not_place_that_gives_the_age_is_inform_age():
    unsure = Message(
        data={
            "text": "ich bin 19, ich war schon volljährig als ich die geschickt hab",
            "intent": {"name": "nlu_fallback"},
        }
    )
    placed = Message(data={"text": "im 14 and he keeps asking for pics", "intent": {"name": "asked_for_images"}})
    # Unsure, but most likely a risk scenario: it stays a fallback (its reply names the helpline).
    risky = Message(
        data={
            "text": "im 13 and he keeps sending me robux",
            "intent": {"name": "nlu_fallback"},
            "intent_ranking": [{"name": "nlu_fallback"}, {"name": "gifts_or_money"}, {"name": "inform_age"}],
        }
    )
    RoleDetector().process([unsure, placed, risky])
    assert unsure.get("intent")["name"] == "inform_age" and unsure.get("intent_ranking")[0]["name"] == "inform_age"
    assert placed.get("intent")["name"] == "asked_for_images"
    assert risky.get("intent")["name"] == "nlu_fallback"
    assert [e["value"] for e in risky.get("entities") if e["entity"] == "age"] == ["13"]
