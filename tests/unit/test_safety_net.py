"""The deterministic safety net: what it must catch and what it must leave alone."""

import pytest

from ally.nlu.safety_net import ALARM_MIN_CONFIDENCE, decide, load_lexicon, match, read_lexicon_file, self_harm_matches

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


def ranked(*pairs):
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


def test_self_harm_words_inside_a_scenario_give_crisis_support_and_keep_the_scenario():
    decision = decide(
        "he says hell post them unless i pay and i would rather die",
        ranked(("sextortion", 0.8), ("self_harm", 0.15)),
        LEXICON,
    )
    assert (decision.intent, decision.also_scenario, decision.unsure_alarm) == ("self_harm", "sextortion", None)


# (language, message the classifier read as friend_at_risk, whether the self-harm words are the user's own)
SPEAKERS = [
    ("en", "i told my friend i want to die", True),
    ("en", "my bestie knows i cut myself", True),
    ("en", "my friend said she wants to kill herself", False),
    ("en", "my friend told me she self harms", False),
    ("de", "ich hab meiner freundin gesagt dass ich nicht mehr leben will", True),
    ("de", "meine freundin will sich umbringen", False),
    ("fr", "j'ai dit à ma pote que je veux mourir", True),
    ("fr", "mon pote veut se suicider", False),
    ("es", "le dije a mi amiga que quiero morirme", True),
    ("es", "mi amiga quiere matarse", False),
    ("es", "mi hermano se autolesiona desde q le pasaron lo de las fotos", False),
    ("it", "ho detto alla mia amica che voglio uccidermi", True),
    ("it", "la mia amica vuole uccidersi", False),
    ("nl", "ik heb mijn vriendin verteld dat ik dood wil", True),
    ("nl", "me vriendin zegt dat ze dood wil", False),
    ("pl", "powiedziałam przyjaciółce że chcę się zabić", True),
    ("pl", "moja kuzynka powiedziała mi że chce się zabić", False),
    ("sv", "jag sa till min kompis att jag vill dö", True),
    ("sv", "min kompis vill ta livet av sig", False),
]


@pytest.mark.parametrize("language,text,own", SPEAKERS)
def test_self_harm_words_of_the_user_own_override_the_friend_flow(language, text, own):
    """ "i told my friend i want to die" is the user's crisis; a friend's words keep the friend flow."""
    decision = decide(text, ranked(("friend_at_risk", 0.9), ("self_harm", 0.05)), LEXICON, language)
    if own:
        assert (decision.intent, decision.also_scenario) == ("self_harm", None)
    else:
        assert decision.intent is None and decision.also_scenario in (None, "self_harm")


@pytest.mark.parametrize("language,text,own", SPEAKERS)
def test_a_friends_words_the_classifier_was_unsure_of_get_a_line_open_now(language, text, own):
    """Unsure: a friend's words of the third person ("la mia amica vuole uccidersi") are the friend flow;
    words the self-harm section holds ("chce się zabić") are crisis support. A line open now either way."""
    decision = decide(text, ranked(("nlu_fallback", 0.55), ("friend_at_risk", 0.3)), LEXICON, language)
    if own or self_harm_matches(text)["self_harm"]:
        assert decision.intent == "self_harm" and decision.also_scenario != "self_harm"
    else:
        assert (decision.intent, decision.also_scenario) == ("friend_at_risk", "self_harm")


def test_a_friend_the_language_guess_missed_is_still_a_friend():
    # Polish read as English (or as a language Ally does not speak): every language's speaker words judge.
    text = "znalazłam u niej żyletki w piórniku i boję się o nią"
    decision = decide(text, ranked(("nlu_fallback", 0.55), ("self_harm", 0.3)), LEXICON, "en")
    assert decision.intent != "friend_at_risk"  # the best guess, self-harm, is the user's own
    decision = decide(text, ranked(("nlu_fallback", 0.55), ("friend_at_risk", 0.3)), LEXICON, "en")
    assert (decision.intent, decision.also_scenario) == ("friend_at_risk", "self_harm")


def test_an_unsure_message_most_likely_the_users_own_stays_the_users():
    # "él" may be the groomer: a secrecy guess with distress words is crisis support and the secrecy steps.
    text = "tengo que esconderlo todo porque él lo dice y quiero que todo esto se acabe"
    decision = decide(text, ranked(("nlu_fallback", 0.55), ("secrecy_request", 0.32)), LEXICON, "es")
    assert (decision.intent, decision.also_scenario) == ("self_harm", "secrecy_request")


def test_a_scenario_of_the_users_own_with_someone_elses_words_stays_the_users():
    # "he posted my pics and says hed rather die than say sorry": the removal route is the user's.
    text = "he posted my pics and says hed rather die than say sorry"
    decision = decide(text, ranked(("image_shared", 0.7)), LEXICON, "en")
    assert (decision.intent, decision.also_scenario) == ("self_harm", "image_shared")


def test_without_a_language_a_friend_is_still_a_friend():
    # Every language's speaker words judge; one of them reading a friend's words as the user's is not enough.
    assert decide("my friend told me she self harms", ranked(("friend_at_risk", 0.9)), LEXICON).intent is None
    assert decide("i told my friend i want to die", ranked(("friend_at_risk", 0.9)), LEXICON).intent == "self_harm"


@pytest.mark.parametrize(
    "text,alarm",
    [("the uber is outside my house gtg", "immediate_danger"), ("i cut myself shaving lol", "self_harm")],
)
def test_an_alarm_of_the_classifier_alone_becomes_an_unsure_alarm(text, alarm):
    """No lexicon words and a confidence under the bar: the fallback, which still names help open now."""
    decision = decide(text, ranked((alarm, ALARM_MIN_CONFIDENCE - 0.05), ("out_of_scope", 0.1)), LEXICON)
    assert (decision.intent, decision.unsure_alarm) == ("nlu_fallback", alarm)


@pytest.mark.parametrize("alarm", ["immediate_danger", "self_harm"])
def test_a_confident_or_confirmed_alarm_stands(alarm):
    confident = decide("something new", ranked((alarm, ALARM_MIN_CONFIDENCE)), LEXICON)
    assert confident.intent in (None, alarm) and confident.unsure_alarm is None
    confirmed = decide("i want to die", ranked(("self_harm", 0.6)), LEXICON)
    assert confirmed.intent is None and confirmed.unsure_alarm is None  # the classifier's self_harm is kept


def test_an_unsure_alarm_reaches_the_message_as_fallback_with_the_entity():
    from rasa.shared.nlu.training_data.message import Message

    from ally.nlu.safety_net import SafetyNet

    message = Message(
        data={"text": "my mum is waiting outside in the car", "intent": {"name": "immediate_danger", "confidence": 0.7}}
    )
    SafetyNet().process([message])
    assert message.get("intent")["name"] == "nlu_fallback"
    assert {"entity": "unsure_alarm", "value": "immediate_danger"}.items() <= message.get("entities")[0].items()


@pytest.mark.parametrize(
    "text,rest",
    [
        ("mi foto está por todo el insti y me quiero morir", "mi foto está por todo el insti y"),
        ("he says hell post them unless i pay and i would rather die", "he says hell post them unless i pay and"),
        ("i want to die", "i"),
        ("he keeps asking for pics", None),
    ],
)
def test_the_rest_of_a_message_without_its_self_harm_words(text, rest):
    from ally.nlu.safety_net import self_harm_matches, without_self_harm_words

    assert without_self_harm_words(text, self_harm_matches(text, LEXICON)) == rest


def test_the_rest_of_the_message_names_the_scenario_the_whole_one_drowned():
    """ "mi foto está por todo el insti y me quiero morir": image_shared is under 0.1 in the whole
    message's ranking, and the most likely reading of the rest."""
    whole = ranked(("self_harm", 0.9), ("image_shared", 0.07))
    assert decide("mi foto está por todo el insti y me quiero morir", whole, LEXICON).also_scenario is None
    rest = ranked(("image_shared", 0.8), ("friend_at_risk", 0.1))
    decision = decide("mi foto está por todo el insti y me quiero morir", whole, LEXICON, "es", rest)
    assert (decision.intent, decision.also_scenario) == ("self_harm", "image_shared")
    ordinary = ranked(("out_of_scope", 0.8))
    assert decide("i want to die, school is so much", whole, LEXICON, "en", ordinary).also_scenario is None


def test_the_classifiers_scan_for_self_harm_words_is_not_repeated():
    """The safety net reads where the classifier found self-harm and distress words (it scanned for
    them to rank the rest of the message) and scans only the other sections itself."""
    ordinary = ranked(("out_of_scope", 0.9))
    assert decide("i want to die", ordinary, LEXICON, "en", matches={"self_harm": [], "distress": []}).intent is None
    found = {"self_harm": [(0, 13)], "distress": []}
    assert decide("i want to die", ordinary, LEXICON, "en", matches=found).intent == "self_harm"
    assert decide("hes outside my house now", ordinary, LEXICON, "en", matches=found).intent == "immediate_danger"


def test_a_lexicon_writes_a_shared_group_once(tmp_path):
    path = tmp_path / "xx.yml"
    path.write_text(
        "groups:\n  someone: '(she|he)'\n  says: '{{someone}} (says|said)'\n"
        "distress:\n  - '\\b{{says}} she wants to die\\b'\n  - '\\b{{someone}} cuts{1,2}'\n",
        encoding="utf-8",
    )
    raw = read_lexicon_file(path)
    assert raw == {"distress": [r"\b(she|he) (says|said) she wants to die\b", r"\b(she|he) cuts{1,2}"]}
    path.write_text("distress:\n  - '{{nobody}} cuts'\n", encoding="utf-8")
    with pytest.raises(KeyError):
        read_lexicon_file(path)
