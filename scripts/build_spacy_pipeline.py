"""Build the blank spaCy pipeline that Rasa loads by path (config.yml: SpacyNLP).

spaCy model weights cannot be downloaded, and Rasa 3.6 cannot load
`blank:en` directly, so `make setup` saves `spacy.blank("en")` plus an
EntityRuler to disk. The ruler tags platform names (`platform`) and country
names (`country_mention`); both lists come from the lookup tables in data/,
so the training data stays the single source of those words.

Usage: python scripts/build_spacy_pipeline.py OUTPUT_DIR
"""

import sys
from pathlib import Path
from typing import Dict, List

import spacy
import yaml

ROOT = Path(__file__).resolve().parent.parent
LOOKUP_FILES = [ROOT / "data" / "lookups.yml", ROOT / "data" / "countries.yml"]
PLATFORMS = ROOT / "actions" / "platforms.yml"
# lookup table name -> EntityRuler label
LABELS = {"platform": "platform", "country": "country_mention"}


def read_lookups() -> Dict[str, List[str]]:
    tables: Dict[str, List[str]] = {}
    for path in LOOKUP_FILES:
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            if "lookup" in item:
                words = [
                    line.strip()[2:].strip() for line in item["examples"].splitlines() if line.strip().startswith("- ")
                ]
                tables.setdefault(item["lookup"], []).extend(words)
    return tables


def build(output_dir: Path) -> None:
    nlp = spacy.blank("en")
    # LOWER makes matching case-insensitive ("Snapchat", "SNAP", "snap").
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    patterns = []
    tables = read_lookups()
    # Every name of the apps data, inflected forms too ("na robloxie"): the hand-off finds the app by them.
    tables["platform"] = tables.get("platform", []) + [
        n for p in yaml.safe_load(PLATFORMS.read_text())["platforms"].values() for n in p["names"]
    ]
    for table, words in tables.items():
        label = LABELS.get(table)
        if label:
            patterns += [{"label": label, "pattern": w} for w in sorted(set(words))]
    ruler.add_patterns(patterns)
    nlp.meta["name"] = "ally_blank"
    nlp.meta["description"] = "Blank English pipeline with Ally's EntityRuler (no weights)"
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output_dir)
    print(f"spaCy pipeline with {len(patterns)} ruler patterns written to {output_dir}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    build(Path(sys.argv[1]))
