"""`rasa test nlu --cross-validation`, without scoring each fold's training set.

    .venv/bin/python scripts/cross_validate.py --nlu data --config config.yml --folds 5 --out results/nlu-cv

Rasa's cross-validation runs every training example of every fold back through
the model it was trained on, to report training accuracy. With eight
languages (about 40,000 examples) that took three quarters of `make
evaluate`'s 80 minutes, for a figure no report here uses. This runs Rasa's own
cross-validation (the same folds, trainings and test-fold reports in
results/nlu-cv) with that training-set pass left out; every other argument
goes to `rasa test nlu` unchanged.
"""

import sys

import rasa.nlu.test
from rasa.__main__ import main

_combine_result = rasa.nlu.test.combine_result


async def test_folds_only(intent_metrics, entity_metrics, response_selection_metrics, processor, data, *results):
    """Rasa calls this once per fold for the training set (no result lists) and once for the test set."""
    if not results:
        return intent_metrics, entity_metrics, response_selection_metrics
    return await _combine_result(intent_metrics, entity_metrics, response_selection_metrics, processor, data, *results)


if __name__ == "__main__":
    rasa.nlu.test.combine_result = test_folds_only
    sys.argv = ["rasa", "test", "nlu", "--cross-validation", "--runs", "1", *sys.argv[1:]]
    main()
