"""scripts/cross_validate.py: Rasa's cross-validation without the training-set pass."""

import asyncio
import importlib.util
import inspect
from pathlib import Path

import rasa.nlu.test

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "cross_validate.py"
spec = importlib.util.spec_from_file_location("cross_validate", SCRIPT)
cross_validate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cross_validate)


def test_the_training_set_pass_is_skipped_without_touching_the_model():
    metrics = ({"Accuracy": [0.9]}, {}, {})
    # No processor: a call for the training set (no result lists) must not run the model.
    assert asyncio.run(cross_validate.test_folds_only(*metrics, None, None)) == metrics


def test_rasa_still_passes_the_result_lists_after_the_data():
    """The wrapper tells the two calls apart by the result lists that follow `data`."""
    names = list(inspect.signature(rasa.nlu.test.combine_result).parameters)
    assert names[:5] == ["intent_metrics", "entity_metrics", "response_selection_metrics", "processor", "data"]
    assert names[5:] == ["intent_results", "entity_results", "response_selection_results"]
    source = inspect.getsource(rasa.nlu.test.cross_validate)
    assert source.count("await combine_result(") == 2 and "intent_test_results," in source


def _data(pairs):
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    return TrainingData(training_examples=[Message(data={"text": t, "intent": i}) for t, i in pairs])


def _test_folds(pairs, folds=5):
    splits = cross_validate.steady_folds(folds, _data(pairs))
    return [sorted(m.get("text") for m in test.intent_examples) for _, test in splits]


def test_every_example_is_tested_once_and_trained_on_in_the_other_folds():
    pairs = [(f"message {n}", f"intent_{n % 7}") for n in range(400)]
    splits = list(cross_validate.steady_folds(5, _data(pairs)))
    tested = [m.get("text") for _, test in splits for m in test.intent_examples]
    assert sorted(tested) == sorted(t for t, _ in pairs)
    for train, test in splits:
        assert len(train.intent_examples) + len(test.intent_examples) == len(pairs)
        assert not {m.get("text") for m in train.intent_examples} & {m.get("text") for m in test.intent_examples}
    assert all(50 <= len(test.intent_examples) <= 110 for _, test in splits)  # about a fifth each


def test_the_same_data_gives_the_same_folds_and_new_examples_move_no_old_one():
    pairs = [(f"message {n}", f"intent_{n % 7}") for n in range(300)]
    before = _test_folds(pairs)
    assert _test_folds(list(reversed(pairs))) == before
    after = _test_folds(pairs + [(f"new {n}", "intent_new") for n in range(50)])
    assert [[t for t in fold if t.startswith("message")] for fold in after] == before


def test_the_patched_function_has_rasas_signature():
    assert list(inspect.signature(rasa.nlu.test.generate_folds).parameters) == ["n", "training_data"]
    assert "generate_folds(n_folds, data)" in inspect.getsource(rasa.nlu.test.cross_validate)
