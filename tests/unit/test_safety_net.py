"""The deterministic safety net: what it must catch and what it must leave alone."""

import pytest

from ally.nlu.safety_net import load_lexicon, match

LEXICON = load_lexicon()

MUST_CATCH = [
    ("hes outside my house", "immediate_danger"),
    ("he's outside my house right now", "immediate_danger"),
    ("someone is banging on my door", "immediate_danger"),
    ("a man is standing outside my window", "immediate_danger"),
    ("the guy from snap is at my front door", "immediate_danger"),
    ("hes here now", "immediate_danger"),
    ("he is on his way to my house", "immediate_danger"),
    ("hes coming to my house", "immediate_danger"),
    ("someone followed me home", "immediate_danger"),
    ("he wont let me leave", "immediate_danger"),
    ("he locked me in the room", "immediate_danger"),
    ("im hiding in the bathroom", "immediate_danger"),
    ("i'm not safe right now", "immediate_danger"),
    ("im scared hes going to hurt me", "immediate_danger"),
    ("i want to kill myself", "self_harm"),
    ("kms", "self_harm"),
    ("honestly kms fr", "self_harm"),
    ("i feel suicidal", "self_harm"),
    ("i want to die", "self_harm"),
    ("i wanna die", "self_harm"),
    ("i don't want to be here anymore", "self_harm"),
    ("i keep hurting myself", "self_harm"),
    ("thinking about ending my life", "self_harm"),
    ("everyone would be better off without me", "self_harm"),
    ("i might unalive myself", "self_harm"),
    # danger now outranks self-harm
    ("hes outside my house and i want to die", "immediate_danger"),
]

MUST_NOT_CATCH = [
    "says hes coming to my town next month and wants to meet",
    "someone i talk to on discord says he's coming to my city next week and wants to meet",
    "he is coming to my school on friday to see me",
    "he keeps asking for pics",
    "he wants to meet me at the park saturday",
    "he said he'd post my pics unless i pay",
    "this game is killing me lol",
    "i died laughing",
    "he lives outside london",
    "my mum is at home",
    "can i talk to someone",
    "the door to my room is broken",
    "he wants to know where my house is",
]


@pytest.mark.parametrize("text,intent", MUST_CATCH)
def test_catches(text, intent):
    assert match(text, LEXICON) == intent


@pytest.mark.parametrize("text", MUST_NOT_CATCH)
def test_leaves_alone(text):
    assert match(text, LEXICON) is None


def test_overrides_a_wrong_or_unsure_prediction_but_never_a_friend():
    from rasa.shared.nlu.training_data.message import Message

    from ally.nlu.safety_net import SafetyNet

    net = SafetyNet()
    unsure = Message(data={"text": "hes outside my house rn", "intent": {"name": "nlu_fallback", "confidence": 0.4}})
    friend = Message(
        data={
            "text": "my friend said she wants to kill herself and kms",
            "intent": {"name": "friend_at_risk", "confidence": 0.9},
        }
    )
    wrong = Message(data={"text": "i want to die", "intent": {"name": "sextortion", "confidence": 0.7}})
    net.process([unsure, friend, wrong])
    assert unsure.get("intent") == {"name": "immediate_danger", "confidence": 1.0}
    assert unsure.get("intent_ranking")[0]["name"] == "immediate_danger"
    assert friend.get("intent")["name"] == "friend_at_risk"
    assert wrong.get("intent")["name"] == "self_harm"
