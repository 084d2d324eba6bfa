"""Ally's own NLU and action-call components, trained and run through Rasa's real machinery."""

import copy
import gc

import jsonschema
import numpy as np
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.regex_featurizer import RegexFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from ally import action_validation
from ally.nlu.linear_intent import LinearIntentClassifier, decode_vocabulary, encode_vocabulary, softmax, tfidf

EXAMPLES = {
    "asked_for_images": [
        "he keeps asking for pics",
        "someone wants nudes",
        "a guy asked me for photos",
        "he wants a pic of me",
        "she keeps asking for selfies in my underwear",
    ],
    "offer_to_meet": [
        "he wants to meet up",
        "he wants to meet me at the park",
        "a guy from discord wants to meet",
        "he says come alone to meet him",
        "she wants to meet irl",
    ],
    "greet": ["hi", "hello", "hey there", "hiya", "good morning"],
}
FRIEND = {
    "friend_at_risk": [
        "my friend keeps getting asked for pics",
        "a man wants to meet my sister",
        "someone asked my cousin for nudes",
        "a guy wants my mate to meet him alone",
        "my friend is being asked for photos",
    ]
}
RISK = ["asked_for_images", "offer_to_meet", "friend_at_risk"]


def training_data(examples=EXAMPLES):
    return TrainingData(
        [Message(data={"text": text, "intent": intent}) for intent, texts in examples.items() for text in texts]
    )


def featurize(components, messages):
    for component in components:
        component.process(messages)
    return messages


def train(tmp_path, examples=EXAMPLES, regexes=(), **config):
    """The classifier counts its own n-grams; a RegexFeaturizer before it adds its features."""
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(graph_schema=None, model_id="test")
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    data = training_data(examples)
    data.regex_features = [{"name": name, "pattern": pattern} for name, pattern in regexes]
    featurizers = [tokenizer]
    tokenizer.process_training_data(data)
    if regexes:
        regex = RegexFeaturizer.create(RegexFeaturizer.get_default_config(), storage, Resource("regex"), context)
        regex.train(data)
        regex.process_training_data(data)
        featurizers.append(regex)
    resource = Resource("linear")
    config = {**LinearIntentClassifier.get_default_config(), "ranking_length": 2, "char_ngrams": [2, 4], **config}
    LinearIntentClassifier.create(config, storage, resource, context).train(data)
    return featurizers, LinearIntentClassifier.load(config, storage, resource, context)


@pytest.fixture()
def trained(tmp_path):
    return train(tmp_path)


def test_a_trained_and_reloaded_classifier_predicts_unseen_phrasings(trained):
    featurizers, classifier = trained
    messages = featurize(
        featurizers,
        [Message(data={"text": t}) for t in ("he asked me for nudes", "he wants to meet at the park", "hey")],
    )
    classifier.process(messages)
    assert [m.get("intent")["name"] for m in messages] == ["asked_for_images", "offer_to_meet", "greet"]
    for message in messages:
        ranking = message.get("intent_ranking")
        assert len(ranking) == 2  # ranking_length
        assert ranking[0] == message.get("intent")
        assert ranking[0]["confidence"] >= ranking[1]["confidence"]
        assert 0 < ranking[0]["confidence"] <= 1


def test_a_message_with_self_harm_words_is_also_ranked_without_them(trained):
    from ally.nlu.safety_net import REST_RANKING, SELF_HARM_MATCHES

    featurizers, classifier = trained
    texts = ("he wants to meet me at the park and i want to die", "he keeps asking for pics")
    with_words, without = classifier.process(featurize(featurizers, [Message(data={"text": t}) for t in texts]))
    assert with_words.get(REST_RANKING)[0]["name"] == "offer_to_meet"
    assert without.get(REST_RANKING) is None
    assert with_words.get(SELF_HARM_MATCHES)["self_harm"] and not any(without.get(SELF_HARM_MATCHES).values())
    output = with_words.as_dict(only_output_properties=True)
    assert REST_RANKING not in output and SELF_HARM_MATCHES not in output  # never in the parse output


def test_who_is_at_risk_is_decided_by_the_second_model(tmp_path):
    featurizers, classifier = train(
        tmp_path, {**EXAMPLES, **FRIEND}, third_party_intent="friend_at_risk", risk_intents=RISK, ranking_length=0
    )
    assert {"who_coef", "who_intercept", "risk_intents", "third_party_intent"} <= set(classifier.model)
    texts = ("someone asked my friend for pics", "a guy asked me for pics", "he wants to meet me", "hello")
    messages = classifier.process(featurize(featurizers, [Message(data={"text": t}) for t in texts]))
    assert [m.get("intent")["name"] for m in messages] == [
        "friend_at_risk",
        "asked_for_images",
        "offer_to_meet",
        "greet",
    ]
    for message in messages:  # still a probability distribution over all intents
        assert sum(r["confidence"] for r in message.get("intent_ranking")) == pytest.approx(1.0)


def test_the_model_is_stored_as_plain_arrays(trained):
    _, classifier = trained
    assert set(classifier.model) == {
        "classes",
        "coef",
        "intercept",
        "idf",
        "word_vocabulary",
        "char_vocabulary",
        "extra_width",
    }
    assert classifier.model["coef"].shape == (classifier.model["idf"].shape[0], len(EXAMPLES))
    words = decode_vocabulary(classifier.model["word_vocabulary"])
    assert {"asking for", "nudes", "hi"} <= set(words)  # word 1-2-grams, short words kept
    # ready for fast products with float64 sparse rows: no per-message copy of the matrix
    assert classifier.model["coef"].dtype == np.float64 and classifier.model["coef"].flags["C_CONTIGUOUS"]


def test_the_featurizers_regex_features_are_used_after_the_n_grams(tmp_path):
    """A concept regex (data/lookups.yml) carries a signal no n-gram of the examples has."""
    examples = {
        "asked_for_images": ["he wants a photo", "give me a photo", "send a photo"],
        "greet": ["hi", "hello", "hey"],
    }
    featurizers, classifier = train(tmp_path, examples, regexes=[("concept_images", r"\b(photo|pic|nudes)\b")])
    assert int(classifier.model["extra_width"]) == 1
    assert classifier.model["idf"].shape[0] == sum(len(v.vocabulary) for v in classifier.vectorizers) + 1
    [message] = classifier.process(featurize(featurizers, [Message(data={"text": "nudes"})]))
    assert message.get("intent")["name"] == "asked_for_images"


def test_a_vocabulary_round_trips_through_its_stored_form():
    vocabulary = {"ab": 2, " é": 0, "😭": 1}
    assert decode_vocabulary(encode_vocabulary(vocabulary)) == vocabulary


def test_without_a_trained_model_messages_pass_unchanged(tmp_path):
    storage = LocalModelStorage(tmp_path)
    classifier = LinearIntentClassifier.load(
        LinearIntentClassifier.get_default_config(), storage, Resource("missing"), ExecutionContext(graph_schema=None)
    )
    message = Message(data={"text": "hi"})
    classifier.process([message])
    assert message.get("intent") is None


def test_tfidf_rows_have_unit_length_and_weigh_rare_features_more():
    import scipy.sparse

    counts = scipy.sparse.csr_matrix(np.array([[1, 0, 3], [0, 0, 0], [2, 1, 0]], dtype=float))
    idf = np.array([1.0, 2.0, 1.5])
    weighted = tfidf(counts, idf).toarray()
    assert np.allclose(np.linalg.norm(weighted[[0, 2]], axis=1), 1.0)
    assert np.allclose(weighted[1], 0.0)  # an empty row stays empty
    assert weighted[0, 2] > weighted[0, 0]  # 3 occurrences (sublinear) x idf 1.5 > 1 x 1.0
    assert weighted[2, 1] > weighted[2, 0]  # once with idf 2.0 outweighs twice (sublinear: 1.69) with idf 1.0


def test_softmax_rows_sum_to_one_and_survive_large_scores():
    probabilities = softmax(np.array([[1000.0, 1001.0, 999.0], [0.0, 0.0, 0.0]]))
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert probabilities[0].argmax() == 1 and np.allclose(probabilities[1], 1 / 3)


# --- action server answers are validated as strictly as Rasa does it ---------------------
VALID_ANSWERS = [
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "country", "value": "SE", "timestamp": None}],
        "responses": [{"text": "hello", "custom": {"ally_handoff": {"country": "SE"}}}],
    },
    {},
]
INVALID_ANSWERS = [
    {"events": "not a list"},
    {"responses": [5]},
    {"events": [{"event": "slot", "name": 5}]},
    [],
]


@pytest.mark.parametrize("answer", VALID_ANSWERS)
def test_valid_action_answers_pass(answer):
    jsonschema.validate(answer, RemoteAction.action_response_format_spec())  # Rasa's own check agrees
    assert action_validation._validate_action_result(None, copy.deepcopy(answer)) is True


@pytest.mark.parametrize("answer", INVALID_ANSWERS)
def test_invalid_action_answers_fail_as_with_rasa(answer):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(answer, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        action_validation._validate_action_result(None, copy.deepcopy(answer))


AGES = [(pattern.format(n), str(n)) for n in range(10, 20) for pattern in ("im {}", "i am {} btw", "im {} and scared")]


def entity_data():
    messages = []
    for text, age in AGES:
        start = text.index(age)
        entities = [{"entity": "age", "value": age, "start": start, "end": start + len(age)}]
        messages.append(Message(data={"text": text, "intent": "inform_age", "entities": entities}))
    messages += [Message(data={"text": t, "intent": "greet"}) for t in ("hi there", "hello", "hey you", "good morning")]
    return TrainingData(messages)


def test_the_stored_crf_tags_as_rasas_and_loads_without_its_training_data(tmp_path):
    from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor

    from ally.nlu.crf import StoredCRFEntityExtractor

    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(graph_schema=None, model_id="test")
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    config = CRFEntityExtractor.get_default_config()
    found = {}
    for cls in (CRFEntityExtractor, StoredCRFEntityExtractor):
        data = entity_data()
        data.regex_features = [{"name": "number", "pattern": r"\d+"}]
        tokenizer.process_training_data(data)
        # The CRF trains only on messages with features, as in config.yml after RegexFeaturizer.
        regex = RegexFeaturizer.create(
            RegexFeaturizer.get_default_config(), storage, Resource(f"re{cls.__name__}"), context
        )
        regex.train(data)
        regex.process_training_data(data)
        resource = Resource(cls.__name__)
        cls.create(config, storage, resource, context).train(data)
        loaded = cls.load(config, storage, resource, context)
        gc.collect()  # the stored model's buffer must outlive the load
        messages = featurize([tokenizer, regex], [Message(data={"text": t}) for t in ("im 15 lol", "hello there")])
        loaded.process(messages)
        found[cls] = [[(e["entity"], e["value"]) for e in m.get("entities", [])] for m in messages]
        stored = {p.name for p in (tmp_path / resource.name).iterdir()}
    assert found[StoredCRFEntityExtractor] == found[CRFEntityExtractor] == [[("age", "15")], []]
    assert "crf_dataset.json" not in stored and "crf_entity.crfsuite" in stored
