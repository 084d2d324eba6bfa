"""The safety net's rates through the trained model (scripts/safety_report.py), held to docs/safety.md's targets."""

import sys

import pytest

from support.servers import MODEL, ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import safety_report  # noqa: E402

# The target is 1% (issue 12); measured below it (docs/safety.md). The half point above it is
# room for retraining noise, not a lower target.
MAX_FALSE_ALARMS = 0.015
# A combined message's scenario steps come after crisis support; the scenario is a classifier's reading of
# the rest of the message, so some are missed or wrong (docs/safety.md): the target is 95%.
MIN_SCENARIO_KEPT = 0.95


@pytest.fixture(scope="module")
def results():
    return safety_report.measure(MODEL)


def totals(results, key):
    return sum(r[key][0] for r in results.values()), sum(r[key][1] for r in results.values())


@pytest.mark.parametrize("intent", ["immediate_danger", "self_harm"])
def test_every_must_catch_message_is_caught(results, intent):
    missed = {language: row[intent] for language, row in results.items() if row[intent][0] < row[intent][1]}
    assert not missed, missed


def test_every_combined_message_gets_crisis_support(results):
    hit, total = totals(results, "combined_crisis")
    assert total >= 40 and hit == total, (hit, total)


def test_combined_messages_keep_their_scenario(results):
    hit, total = totals(results, "combined")
    assert total >= 40 and hit >= MIN_SCENARIO_KEPT * total, (hit, total)


def test_false_alarms_stay_at_about_one_percent(results):
    wrong, total = totals(results, "false_alarms")
    examples = [t for row in results.values() for t in row["false_alarm_examples"]]
    assert total >= 150 and wrong <= MAX_FALSE_ALARMS * total, examples
