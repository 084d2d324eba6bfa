"""Ally's words in every language it speaks: locales/<language>.yml.

English responses live in domain.yml (Rasa's own format); every other
language has a locales/<language>.yml with the same responses, the hand-off
phrases, the widget's strings, country names, ages and roles in that
language (locales/en.yml explains the format). tests/unit/test_languages.py
fails when anything is missing in a language.

Standard library and PyYAML only: the action server uses it too.
"""

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DEFAULT_LANGUAGE = "en"


@lru_cache(maxsize=1)
def catalog(directory: Path = LOCALES_DIR) -> Dict[str, Dict[str, Any]]:
    """Every locale file, by language code."""
    found = {}
    for path in sorted(directory.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found[data.get("language") or path.stem] = data
    return found


def supported() -> List[str]:
    return sorted(catalog())


def normalise(code: Any) -> Optional[str]:
    """ "sv-SE", "SV", "sv_FI" -> "sv"; None for anything Ally does not speak."""
    if not isinstance(code, str) or not code.strip():
        return None
    short = code.strip().replace("_", "-").split("-")[0].lower()
    return short if short in catalog() else None


def choose(slot_value: Any, page_language: Any = None) -> str:
    """The language to answer in: what the user wrote in (the slot), else the page's, else English."""
    return normalise(slot_value) or normalise(page_language) or DEFAULT_LANGUAGE


def locale(language: Optional[str]) -> Dict[str, Any]:
    return catalog().get(language or DEFAULT_LANGUAGE) or catalog()[DEFAULT_LANGUAGE]


def responses(language: Optional[str], domain_responses: Dict[str, Any]) -> Dict[str, Any]:
    """The responses to use in `language`: its locale's, or the domain's for English."""
    if not language or language == DEFAULT_LANGUAGE:
        return domain_responses
    return locale(language).get("responses") or domain_responses


def phrases(language: Optional[str]) -> Dict[str, Any]:
    return locale(language).get("phrases") or locale(DEFAULT_LANGUAGE)["phrases"]
