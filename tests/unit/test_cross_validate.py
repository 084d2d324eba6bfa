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
