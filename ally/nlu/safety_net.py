"""A deterministic safety net after the intent classifier (docs/safety.md).

Danger-now and self-harm messages must reach their flows even when the
classifier is unsure or wrong. This component matches a lexicon per language
(lexicons/<language>.yml; all of them on every message, because teenagers mix
languages and a language guess can be wrong) on the folded text (ally/text.py):

* `immediate_danger` and `self_harm` patterns set that intent with full
  confidence, the most urgent first (scenarios.yml `priority`). It runs after
  FallbackClassifier, so it also rescues messages that fell back;
* self-harm words *inside another risk scenario* ("he says hell post them
  unless i pay and i would rather die") make the message `self_harm`, and the
  scenario the classifier saw is kept as the entity `also_scenario`, so the
  reply gives crisis support first and then that scenario's steps. The
  classifier also ranks the message without those words (`REST_RANKING`):
  the scenario of that rest, when it names one surely, wins;
* `distress` patterns ("i cant do this anymore", "i want to disappear") count
  as self-harm only inside a risk scenario: alone they are too common in
  ordinary talk ("this homework, i cant do this anymore").

* an alarm from the classifier alone (danger now or self-harm, with none of
  the lexicon's words and a confidence under `ALARM_MIN_CONFIDENCE`) is not
  trusted: "the uber is outside my house gtg", "i cut myself shaving lol".
  The message becomes `nlu_fallback` with the entity `unsure_alarm`, so the
  reply asks what is going on and still names a line open now and the
  emergency number ("In danger right now? Call 112."), without the
  emergency-first or self-harm reply.

It never overrides danger now, nor a risk to someone else (`friend_at_risk`)
unless the self-harm words are the user's own ("i told my friend i want to
die": each lexicon's `speaker` words, the last one before or inside the
match decides); self-harm words about a friend ("she says she wants to kill
herself") add `also_scenario: self_harm`, so the friend flow names a crisis
line open now. It also registers the message text with the log privacy
filter, so that text is redacted from any later log line.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from ally import log_privacy, scenarios
from ally.nlu.annotations import add_entities, put_intent_first
from ally.text import fold

LEXICON_DIR = Path(__file__).with_name("lexicons")
REGISTRY = scenarios.load()
# The intents the lexicon can set, most urgent first (the contract's "the most urgent wins").
PRIORITY = REGISTRY.safety_net_order
DANGER, SELF_HARM = PRIORITY[0], "self_harm"
DISTRESS = "distress"  # a lexicon section, not an intent
ALSO_SCENARIO = "also_scenario"
# The scenarios whose steps follow crisis support when a message has both.
OWN_RISK = set(REGISTRY.risk) - REGISTRY.someone_else  # the risks of the user's own
COMBINABLE = OWN_RISK - set(PRIORITY)
(FRIEND,) = REGISTRY.someone_else  # the intent for someone else at risk (friend_at_risk)

Lexicon = Dict[str, List["re.Pattern[str]"]]
normalise = fold  # the form every lexicon pattern is written in


# A lexicon names the groups many of its patterns share under `groups:` (who "someone else" is, say)
# and its patterns write {{name}} for them: one list to change instead of a copy in every pattern.
GROUP_REFERENCE = re.compile(r"\{\{(\w+)\}\}")


def expand_groups(value: Any, groups: Dict[str, str]) -> Any:
    """`value` (a pattern, or a list or mapping of them) with every {{name}} replaced by its group."""
    if isinstance(value, str):
        return GROUP_REFERENCE.sub(lambda m: groups[m.group(1)], value)
    if isinstance(value, list):
        return [expand_groups(v, groups) for v in value]
    if isinstance(value, dict):
        return {k: expand_groups(v, groups) for k, v in value.items()}
    return value


def read_lexicon_file(path: Path) -> Dict[str, Any]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    groups: Dict[str, str] = {}
    for name, group in (raw.pop("groups", None) or {}).items():
        groups[name] = expand_groups(group, groups)  # a group may use the groups above it
    return expand_groups(raw, groups)


@lru_cache(maxsize=4)
def lexicon_files(directory: Path = LEXICON_DIR) -> Dict[str, Dict[str, Any]]:
    """{language: its lexicon file, groups expanded}, read once."""
    return {p.stem: read_lexicon_file(p) for p in sorted(directory.glob("*.yml"))}


@lru_cache(maxsize=4)
def load_lexicon(directory: Path = LEXICON_DIR) -> Lexicon:
    """Every language's patterns, merged by section (compiled once; nobody changes it)."""
    lexicon: Lexicon = {section: [] for section in PRIORITY + [DISTRESS]}
    for raw in lexicon_files(directory).values():
        for section in lexicon:
            lexicon[section] += [re.compile(p) for p in raw.get(section) or []]
    return lexicon


@dataclass(frozen=True)
class Speaker:
    """The words of one language that say whose self-harm words they are."""

    own: "re.Pattern[str]"
    other: "re.Pattern[str]"

    def vote(self, folded: str, start: int, end: int) -> Optional[bool]:
        """True: the nearest speaker word before or inside the match `folded[start:end]` is the user's own;
        None: no such word."""
        window = folded[max(0, start - SPEAKER_WINDOW) : end]
        words = [(m.end(), True) for m in self.own.finditer(window)]
        words += [(m.end(), False) for m in self.other.finditer(window)]
        return max(words)[1] if words else None


# How far before a self-harm match a speaker word still counts ("i told my friend i want to die").
SPEAKER_WINDOW = 30


@lru_cache(maxsize=4)
def load_speakers(directory: Path = LEXICON_DIR) -> Dict[str, Speaker]:
    """{language: its speaker words} (each lexicon's `speaker` section)."""
    return {
        language: Speaker(re.compile(raw["speaker"]["own"]), re.compile(raw["speaker"]["other"]))
        for language, raw in lexicon_files(directory).items()
        if raw.get("speaker")
    }


def whose(folded: str, spans: List[Tuple[int, int]], language: Optional[str] = None) -> Optional[bool]:
    """Whose the self-harm words (`spans` of the folded text) are: True the user's own, False someone
    else's, None unclear. The speaker words of the message's language (LanguageDetector's entity) decide,
    or without one those of every language, and every vote must agree (a pattern's language is no guide:
    English loanwords such as "self harm" sit in every lexicon)."""
    speakers = load_speakers()
    judges = [speakers[language]] if language in speakers else list(speakers.values())
    votes = {judge.vote(folded, start, end) for start, end in spans for judge in judges} - {None}
    return votes.pop() if len(votes) == 1 else None


def match(text: str, lexicon: Lexicon) -> Optional[str]:
    """The most urgent intent whose lexicon matches `text`, if any (distress is not an intent)."""
    folded = normalise(text)
    for intent in PRIORITY:
        if any(p.search(folded) for p in lexicon[intent]):
            return intent
    return None


# The classifier's ranking of a message without its self-harm words (ally.nlu.linear_intent); an empty
# ranking when fewer words are left ("me he", "tout le monde" say nothing of a scenario, yet name one).
REST_RANKING = "ally_rest_ranking"
REST_MIN_WORDS = 4
# Where the self-harm and distress patterns matched, {section: [(start, end), ...]} in the folded text:
# the classifier's rest ranking scans for them, and the safety net reads its scan instead of repeating it
# (a message attribute like REST_RANKING, never in the parse output).
SELF_HARM_MATCHES = "ally_self_harm_matches"
Matches = Dict[str, List[Tuple[int, int]]]


def self_harm_matches(text: str, lexicon: Optional[Lexicon] = None) -> Matches:
    lexicon = lexicon or load_lexicon()
    folded = normalise(text)
    sections = (SELF_HARM, DISTRESS)
    return {section: [m.span() for p in lexicon[section] for m in p.finditer(folded)] for section in sections}


def without_self_harm_words(text: str, matches: Matches) -> Optional[str]:
    """`text` without the words of its self-harm and distress `matches`, or None when there are none."""
    spans = matches[SELF_HARM] + matches[DISTRESS]
    if not spans:
        return None
    kept, position = [], 0  # each word's place in the folded text (fold() joins the folded words with a space)
    for word in text.split():
        folded = normalise(word)
        if not any(a < position + len(folded) and position < b for a, b in spans):
            kept.append(word)
        position += len(folded) + 1 if folded else 0
    return " ".join(kept)


# A scenario the classifier saw beside self-harm words counts from this probability up;
# in the ranking of the message without those words, from REST_MIN_CONFIDENCE up, as its most likely intent.
ALSO_MIN_CONFIDENCE = 0.1
SHORT_REST_MIN_CONFIDENCE = 0.2
REST_MIN_CONFIDENCE = 0.3
# An alarm the lexicon does not confirm counts only from this probability up: below it, ordinary
# messages with danger-like words outnumbered real alarms (scripts/safety_report.py, 2026-12-01:
# 32 of 1060 must-not-trigger messages at 0.9 or more, 7 at 0.98 or more).
ALARM_MIN_CONFIDENCE = 0.98
ALARMS = {DANGER, SELF_HARM}
FALLBACK = "nlu_fallback"
UNSURE_ALARM = "unsure_alarm"


@dataclass(frozen=True)
class Decision:
    intent: Optional[str] = None  # the intent to set; None keeps the classifier's
    also_scenario: Optional[str] = None  # the scenario that comes along with self-harm
    unsure_alarm: Optional[str] = None  # the alarm the classifier saw without the words to confirm it


def decide(
    text: str,
    ranking: List[Dict[str, Any]],
    lexicon: Lexicon,
    language: Optional[str] = None,
    rest: Optional[List[Dict[str, Any]]] = None,
    matches: Optional[Matches] = None,
) -> Decision:
    """What the safety net makes of a message, given the classifier's intent ranking, most likely
    first (FallbackClassifier's `nlu_fallback` may lead it), the message's language and the
    classifier's ranking of the message without its self-harm words (`rest`) and its scan for them
    (`matches`, self_harm_matches(): when missing, the scan is made here)."""
    predicted = ranking[0]["name"] if ranking else None
    confidence = ranking[0].get("confidence", 0) if ranking else 0
    folded = normalise(text)
    # Each section scanned once (the lexicons hold some 1,300 patterns).
    matches = matches or self_harm_matches(text, lexicon)
    found = {section for section, spans in matches.items() if spans}
    found |= {s for s, patterns in lexicon.items() if s not in matches and any(p.search(folded) for p in patterns)}
    caught = next((intent for intent in PRIORITY if intent in found), None)
    is_distressed = bool(found & {SELF_HARM, DISTRESS})
    if predicted in REGISTRY.someone_else:
        if whose(folded, matches[SELF_HARM], language) is True:
            return Decision(SELF_HARM)
        return Decision(also_scenario=SELF_HARM if is_distressed else None)
    if caught == DANGER:
        return Decision(DANGER)
    guess = next((r["name"] for r in ranking if r["name"] != FALLBACK), None)
    if predicted == FALLBACK and matches[DISTRESS] and not matches[SELF_HARM] and guess not in OWN_RISK:
        # Unsure, and the only self-harm words are a friend's ("ma pote veut s'ouvrir les veines"): the
        # friend flow, with a line open now. Not when the user's own self-harm words are there, nor when the
        # classifier's best guess is a risk of the user's own: "he" in "he says so and i want it all to end"
        # may be the groomer.
        speaker = whose(folded, matches[DISTRESS], language)
        if speaker is None and language:  # the guess may be wrong: "znalazłam u niej żyletki" read as English
            speaker = whose(folded, matches[DISTRESS])
        if speaker is False:
            return Decision(FRIEND, also_scenario=SELF_HARM)
    if predicted in ALARMS and caught is None and not is_distressed and confidence < ALARM_MIN_CONFIDENCE:
        return Decision(FALLBACK, unsure_alarm=predicted)
    if predicted == DANGER:
        return Decision()
    # Little but the self-harm words (`rest == []`): "i have nothing to live for" had gifts_or_money at 0.11.
    bar = SHORT_REST_MIN_CONFIDENCE if rest == [] else ALSO_MIN_CONFIDENCE
    scenario = next((r["name"] for r in ranking if r["name"] in COMBINABLE and r.get("confidence", 0) >= bar), None)
    if rest and rest[0]["name"] in COMBINABLE and rest[0].get("confidence", 0) >= REST_MIN_CONFIDENCE:
        scenario = rest[0]["name"]  # the rest of the message, read on its own, names it more surely
    if scenario and (is_distressed or predicted == SELF_HARM):
        return Decision(SELF_HARM, also_scenario=scenario)
    if caught is not None and caught != predicted:
        return Decision(caught)
    return Decision()


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyNet(GraphComponent, IntentClassifier):
    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SafetyNet":
        return cls()

    def __init__(self) -> None:
        self.lexicon = load_lexicon()  # the same compiled patterns the classifier's rest ranking uses

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            log_privacy.remember_text(text)
            self._apply(message, text)
        return messages

    def _apply(self, message: Message, text: str) -> None:
        ranking = message.get(INTENT_RANKING_KEY) or []
        predicted = (message.get(INTENT) or {}).get("name")
        if predicted and (not ranking or ranking[0].get("name") != predicted):
            ranking = [{"name": predicted, "confidence": (message.get(INTENT) or {}).get("confidence", 0)}] + ranking
        language = next((e.get("value") for e in message.get(ENTITIES, []) if e.get("entity") == "language"), None)
        decision = decide(
            text, ranking, self.lexicon, language, message.get(REST_RANKING), message.get(SELF_HARM_MATCHES)
        )
        extra = [(ALSO_SCENARIO, decision.also_scenario), (UNSURE_ALARM, decision.unsure_alarm)]
        add_entities(message, type(self).__name__, extra)
        if decision.intent is None:
            return
        # Full confidence for what the lexicon confirmed; an unsure alarm keeps the classifier's.
        confidence = 1.0 if decision.intent != FALLBACK else float(ranking[0].get("confidence", 0))
        put_intent_first(message, decision.intent, confidence)
