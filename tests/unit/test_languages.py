"""Every language Ally speaks is complete: its words, its training data and its safety net.

A language is complete when locales/<lang>.yml has every response of
domain.yml with the same variants, every hand-off phrase and widget string
with the same placeholders, its country names, ages and roles; when
data/<lang>/nlu.yml has enough examples for every intent of the registry;
and when its lexicon and safety sets exist (docs/maintainers.md, "Add a language").
"""

import re
import string
from collections import Counter
from pathlib import Path

import pytest
import yaml

from ally import locales, scenarios
from ally.nlu.safety_net import lexicon_files, load_lexicon, load_speakers, match, self_harm_matches
from ally.text import fold

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
EN = locales.locale("en")
LANGUAGES = [code for code in locales.supported() if code != "en"]
REGISTRY = scenarios.load()
ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]+\)|\{[^}]+\})")
# The countries every language must name: Europe in the directory, and the big English-speaking ones.
EUROPE_AND_ENGLISH = {
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
    "IS",
    "LI",
    "NO",
    "GB",
    "CH",
    "US",
    "CA",
    "AU",
    "NZ",
}


def placeholders(text: str) -> set:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def flatten(tree, prefix=""):
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from flatten(value, f"{prefix}{key}.")
    elif isinstance(tree, list):
        yield prefix.rstrip("."), tree
    else:
        yield prefix.rstrip("."), tree


COUNTRY_BUTTON = re.compile(r'^/inform_country\{\{"country": "([A-Z]{2})"\}\}$')


def shape(variants, name=""):
    """What must match across languages: each variant's conditions and buttons' payloads.
    The country question's buttons are the likely countries for speakers of the language
    (tested below), so only its last button ("somewhere else") must match."""

    def payloads(v):
        found = tuple(b["payload"] for b in v.get("buttons") or [])
        return found[-1:] if name == "utter_ask_country" else found

    return [
        (tuple(sorted((c["name"], str(c["value"])) for c in v.get("condition") or [])), payloads(v)) for v in variants
    ]


def test_at_least_the_first_languages_are_there():
    assert {"sv", "de", "fr"} <= set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_response_is_translated_with_the_same_variants(language):
    theirs = locales.locale(language).get("responses") or {}
    assert set(theirs) == set(DOMAIN["responses"]), set(DOMAIN["responses"]) ^ set(theirs)
    for name, variants in DOMAIN["responses"].items():
        assert shape(theirs[name], name) == shape(variants, name), name
        for ours, translated in zip(variants, theirs[name]):
            assert translated.get("text", "").strip(), name
            assert placeholders(translated["text"]) == placeholders(ours["text"]), name
            assert translated["text"] != ours["text"] or len(ours["text"]) < 12, f"{name} is not translated"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_country_question_offers_countries_of_the_directory(language):
    from actions.directory import load_directory

    codes = set(load_directory().countries)
    (variant,) = locales.locale(language)["responses"]["utter_ask_country"]
    *countries, other = [b["payload"] for b in variant["buttons"]]
    assert other == "/deny" and countries
    for payload in countries:
        match = COUNTRY_BUTTON.match(payload)
        assert match and match.group(1) in codes, payload


@pytest.mark.parametrize("section", ["phrases", "widget"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_phrase_and_widget_string_is_there_with_its_placeholders(language, section):
    ours = dict(flatten(EN[section]))
    theirs = dict(flatten(locales.locale(language).get(section) or {}))
    assert set(theirs) == set(ours), set(ours) ^ set(theirs)
    for key, value in ours.items():
        if isinstance(value, str):
            assert placeholders(theirs[key]) == placeholders(value), key
        else:
            assert len(theirs[key]) == len(value), key


@pytest.mark.parametrize("language", LANGUAGES)
def test_country_names_ages_roles_and_switching(language):
    data = locales.locale(language)
    countries = data.get("countries") or {}
    assert EUROPE_AND_ENGLISH <= set(countries), EUROPE_AND_ENGLISH - set(countries)
    assert all(c.get("name") and c.get("names") for c in countries.values())
    ages = data.get("ages") or {}
    assert len(ages.get("numbers") or {}) >= 15 and ages.get("school_years")
    for pattern in list(ages.get("school_years") or {}) + list(data.get("switch_to") or []):
        re.compile(pattern)
    roles = data.get("roles") or {}
    assert roles.get("parent") and roles.get("educator")
    assert data.get("switch_to"), "a user must be able to ask for this language"
    assert data.get("own_age"), "how a user says their own age (ally/nlu/roles.py)"
    assert all(re.compile(p).groups >= 1 for p in data["own_age"])


def examples(language):
    path = ROOT / "data" / language / "nlu.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    counts, seen = Counter(), {}
    for block in data["nlu"]:
        if "intent" not in block:
            continue
        for line in block["examples"].splitlines():
            if line.strip().startswith("- "):
                text = ANNOTATION.sub(r"\1", line.strip()[2:]).lower()
                counts[block["intent"]] += 1
                assert seen.setdefault(text, block["intent"]) == block["intent"], f"{text!r} is under two intents"
    return counts


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_intent_has_enough_examples_in_the_language(language):
    counts = examples(language)
    short = {i: counts[i] for i in REGISTRY.intents if counts[i] < REGISTRY.minimum(i)}
    assert not short, short
    assert set(counts) <= set(DOMAIN["intents"]), set(counts) - set(DOMAIN["intents"])


LEXICON = load_lexicon()


LEXICON_LANGUAGES = sorted(p.stem for p in (ROOT / "ally" / "nlu" / "lexicons").glob("*.yml"))


def test_every_language_ally_speaks_has_a_safety_net():
    assert set(locales.supported()) <= set(LEXICON_LANGUAGES)


@pytest.mark.parametrize("language", LEXICON_LANGUAGES)
def test_the_language_has_a_safety_net_and_its_tests(language):
    sets = yaml.safe_load((ROOT / "tests" / "safety" / f"{language}.yml").read_text(encoding="utf-8"))
    for intent in ("immediate_danger", "self_harm"):
        missed = [t for t in sets["must_catch"][intent] if match(t, LEXICON) != intent]
        assert not missed, missed
    wrong = [t for t in sets["must_not_catch"] if match(t, LEXICON) is not None]
    assert not wrong, wrong
    # A scenario said with self-harm words gets crisis support only when the lexicon sees those words
    # (a friend's "she says she wants to die" too: the friend flow then names a line open now).
    unseen = [t for texts in sets["combined"].values() for t in texts if not any(self_harm_matches(t).values())]
    assert not unseen, unseen
    assert language in load_speakers(), "the lexicon needs its `speaker` words (lexicons/en.yml)"


def test_every_lookbehind_of_a_word_starts_at_a_word_boundary():
    # "(?<!no )" also passes over the end of "hermano" or "bueno": "hermano me quiero matar" went unseen.
    loose = [
        (language, pattern)
        for language, raw in lexicon_files().items()
        for patterns in raw.values()
        for pattern in (patterns.values() if isinstance(patterns, dict) else patterns)
        if re.search(r"\(\?<!(?!\\b)\w", pattern)
    ]
    assert not loose, loose


def safety_lines(language: str) -> list:
    """The lines of the safety sets where the classifier decides: must_not_catch and combined.
    (must_catch lines are the lexicon's test: it catches each of them whatever the classifier learnt.)
    Messages of three words or fewer ("help me", "im ok") cannot be held out: there are few ways to say them."""
    sets = yaml.safe_load((ROOT / "tests" / "safety" / f"{language}.yml").read_text(encoding="utf-8"))
    lines = list(sets.get("must_not_catch") or [])
    lines += [t for texts in (sets.get("combined") or {}).values() for t in texts]
    return [t for t in lines if len(fold(t).split()) > 3]


def training_texts() -> set:
    texts = set()
    for path in [ROOT / "data" / "nlu.yml", *sorted(ROOT.glob("data/*/nlu.yml"))]:
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            for line in (block.get("examples") or "").splitlines() if "intent" in block else []:
                if line.strip().startswith("- "):
                    texts.add(fold(ANNOTATION.sub(r"\1", line.strip()[2:])))
    return texts


@pytest.mark.parametrize("language", LEXICON_LANGUAGES)
def test_the_safety_sets_are_held_out_from_the_training_data(language):
    # docs/safety.md's false-alarm and combined rates measure the model on messages it has not learnt by heart.
    trained = training_texts()
    leaked = [t for t in safety_lines(language) if fold(t) in trained]
    assert not leaked, leaked
