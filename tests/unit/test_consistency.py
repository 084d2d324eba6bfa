"""Checks that tell a maintainer at once when a scenario is incomplete.

Every contract intent needs training examples, a rule or story, and (risk
intents) test stories and age-band variants of its response. The static
offline answers must agree with the helpline directory.
"""

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from ally import scenarios

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = scenarios.load()
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
NLU = yaml.safe_load((ROOT / "data" / "nlu.yml").read_text())["nlu"]
RULES = yaml.safe_load((ROOT / "data" / "rules.yml").read_text())["rules"]
STORIES = yaml.safe_load((ROOT / "data" / "stories.yml").read_text())["stories"]
TEST_STORIES = yaml.safe_load((ROOT / "tests" / "test_stories.yml").read_text())["stories"]
AGE_BANDS = {"under_13", "13_15", "16_17", "adult"}
# The shared intent contract this project implements (a document of the wider team, outside the
# repository): set ALLY_INTENT_CONTRACT to its path to check that every name in it is in the registry.
SHARED_CONTRACT = os.environ.get("ALLY_INTENT_CONTRACT")


def contract_intents():
    for name, intent in REGISTRY.intents.items():
        yield intent.group, name


def example_counts():
    counts = Counter()
    for item in NLU:
        if "intent" in item:
            counts[item["intent"]] += sum(1 for line in item["examples"].splitlines() if line.strip().startswith("- "))
    return counts


def intents_in(blocks):
    return {step["intent"] for block in blocks for step in block["steps"] if "intent" in step}


@pytest.mark.skipif(not SHARED_CONTRACT, reason="set ALLY_INTENT_CONTRACT to the shared intent contract")
def test_the_registry_has_every_intent_of_the_shared_contract():
    text = Path(SHARED_CONTRACT).read_text()
    section = text.split("## Labelling rules")[0]
    shared = set(re.findall(r"`([a-z_]+)`", section)) - {"country", "age"}
    assert shared <= set(REGISTRY.intents), shared - set(REGISTRY.intents)


@pytest.mark.parametrize("group,intent", list(contract_intents()))
def test_intent_is_in_the_domain(group, intent):
    assert intent in DOMAIN["intents"]


@pytest.mark.parametrize("group,intent", list(contract_intents()))
def test_intent_has_enough_training_examples(group, intent):
    assert example_counts()[intent] >= REGISTRY.minimum(intent)


@pytest.mark.parametrize("group,intent", list(contract_intents()))
def test_intent_has_a_rule_or_story(group, intent):
    assert intent in intents_in(RULES) | intents_in(STORIES)


@pytest.mark.parametrize("intent", REGISTRY.risk)
def test_risk_intent_has_two_test_stories(intent):
    stories = [s for s in TEST_STORIES if any(step.get("intent") == intent for step in s["steps"])]
    assert len(stories) >= 2


@pytest.mark.parametrize("intent", REGISTRY.risk)
def test_risk_response_has_every_age_band_and_a_default(intent):
    variants = DOMAIN["responses"][f"utter_{intent}"]
    bands = {str(c["value"]) for v in variants for c in v.get("condition", []) if c.get("name") == "age_band"}
    assert bands == AGE_BANDS
    assert any("condition" not in v for v in variants), "a default variant (no condition) is required"


def test_no_training_example_is_under_two_intents():
    seen = {}
    for item in NLU:
        for line in item.get("examples", "").splitlines():
            text = re.sub(r"\[([^\]]+)\]\([^)]+\)|\[([^\]]+)\]\{[^}]+\}", r"\1\2", line.strip()[2:]).lower()
            if text:
                assert seen.setdefault(text, item["intent"]) == item["intent"], text


def test_country_training_data_is_generated_from_the_directory():
    result = subprocess.run(
        [sys.executable, "scripts/generate_country_data.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_offline_answers_agree_with_the_directory():
    from actions.directory import load_directory

    directory = load_directory()
    numbers = set()
    for country in directory.countries.values():
        numbers |= set(country.emergency_numbers)
        numbers |= {p.dial for line in country.helplines for p in line.phones}
    for name in ("utter_offline_help", "utter_emergency_offline", "utter_crisis_offline", "utter_default"):
        for variant in DOMAIN["responses"][name]:
            for number in re.findall(r"\b\d[\d ]{1,10}\d\b|\b\d{3}\b", variant["text"]):
                assert number.replace(" ", "") in numbers, f"{name}: {number} is not in actions/helplines.yml"
            for url in re.findall(r"https://\S+", variant["text"]):
                assert url.rstrip(".") == directory.international["chi-directory"].url


def test_the_classifier_shares_out_exactly_the_registrys_risk_intents():
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    classifier = next(c for c in config["pipeline"] if c["name"].endswith("LinearIntentClassifier"))
    assert classifier["third_party_intent"] in REGISTRY.someone_else
    assert classifier["risk_intents"] == REGISTRY.risk, "config.yml risk_intents must equal scenarios.yml's risk group"


def test_the_domain_declares_exactly_the_registrys_intents():
    assert set(DOMAIN["intents"]) == set(REGISTRY.intents)


@pytest.mark.parametrize("intent", REGISTRY.risk)
def test_every_risk_scenario_says_which_routes_apply(intent):
    raw = yaml.safe_load((ROOT / "scenarios.yml").read_text())["intents"][intent]
    assert "routes" in raw, f"{intent}: say `routes: [...]` (an empty list if none apply)"


def test_the_age_bands_agree_everywhere():
    from actions.age import BANDS
    from ally.tracker_store import ALLOWED_SLOT_VALUES

    assert set(DOMAIN["slots"]["age_band"]["values"]) == set(BANDS) == AGE_BANDS
    assert all(ALLOWED_SLOT_VALUES["age_band"](band) for band in BANDS)
