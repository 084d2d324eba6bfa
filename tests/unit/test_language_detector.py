"""The language detector (ally/nlu/language.py): offline, not switched by short messages, right on real examples."""

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ally import locales
from ally.nlu.language import LanguageDetector

ROOT = Path(__file__).resolve().parents[2]
DETECTOR = LanguageDetector({})
ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]+\)|\{[^}]+\})")


def test_it_needs_no_network():
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network is off in this test')\n"
        "socket.socket.connect = refuse; socket.create_connection = refuse; socket.getaddrinfo = refuse\n"
        "from ally.nlu.language import LanguageDetector\n"
        "print(LanguageDetector({}).language_of('il est devant chez moi et il veut entrer'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == ("fr" if "fr" in locales.supported() else "en")


@pytest.mark.parametrize("text", ["ok", "14", "😭", "sverige", "ja", "nope", "lol ok", "🇩🇪", "BRIS"])
def test_short_or_neutral_messages_do_not_switch(text):
    assert DETECTOR.language_of(text) is None


@pytest.mark.parametrize("seed", range(40))
def test_codes_names_and_markup_are_not_language(seed):
    # Random letters inside a hex code read as Polish or Dutch to the identifier and switched an English talk.
    code = f"canary{random.Random(seed).getrandbits(48):012x}"
    for text in (f"<script>alert('{code}')</script>", f"שלום {code} مرحبا", f"{code} xx_gamer07 b4ck 2nite"):
        assert DETECTOR.language_of(text) is None, text


@pytest.mark.parametrize(
    "text,language",
    [
        ("can we talk in english", "en"),
        ("in english pls", "en"),
        ("på svenska tack", "sv"),
        ("kannst du deutsch", "de"),
        ("tu parles français ?", "fr"),
        ("hablas español", "es"),
    ],
)
def test_asking_for_a_language_switches_to_it(text, language):
    if language not in locales.supported():
        pytest.skip(f"{language} is not one of Ally's languages yet")
    assert DETECTOR.language_of(text) == language


def sentences(language, minimum_words=4, limit=300):
    path = ROOT / "data" / "nlu.yml" if language == "en" else ROOT / "data" / language / "nlu.yml"
    found = []
    for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        for line in (block.get("examples") or "").splitlines() if "intent" in block else []:
            text = ANNOTATION.sub(r"\1", line.strip()[2:])
            if len(re.findall(r"[^\W\d_]{2,}", text)) >= minimum_words:
                found.append(text)
    return found[:: max(1, len(found) // limit)][:limit]


@pytest.mark.parametrize("language", locales.supported())
def test_it_recognises_how_teenagers_write_each_language(language):
    examples = sentences(language)
    guesses = [DETECTOR.language_of(t) for t in examples]
    wrong = [(t, g) for t, g in zip(examples, guesses) if g not in (language, None)]
    right = sum(g == language for g in guesses)
    assert right / len(examples) >= 0.8, (right, len(examples), wrong[:15])
    assert len(wrong) / len(examples) <= 0.05, wrong[:15]


def test_an_explicit_request_is_change_language_unless_a_risk_comes_with_it():
    from rasa.shared.nlu.training_data.message import Message

    asked = Message(
        data={
            "text": "podemos hablar en inglés? es que lo entiendo mejor",
            "intent": {"name": "nlu_fallback", "confidence": 0.55},
        }
    )
    risk = Message(
        data={
            "text": "can we talk in english, he says he will post my pics",
            "intent": {"name": "sextortion", "confidence": 0.9},
        }
    )
    # A sure guess of the language is not a request to change it.
    sure = Message(
        data={
            "text": "jestem w siódmej klasie i mam trzynaście lat",
            "intent": {"name": "inform_age", "confidence": 0.9},
        }
    )
    # A risk the classifier only half guessed does not stop the request ("es que lo entiendo mejor").
    unsure = Message(
        data={
            "text": "podemos hablar en inglés? es que lo entiendo mejor",
            "intent": {"name": "uneasy_contact", "confidence": 0.36},
        }
    )
    DETECTOR.process([asked, risk, sure, unsure])
    assert asked.get("intent")["name"] == "change_language"
    assert risk.get("intent")["name"] == "sextortion"
    assert unsure.get("intent")["name"] == "change_language"
    assert sure.get("intent")["name"] == "inform_age"
