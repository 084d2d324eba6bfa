"""Write docs/nlu-quality.md from a `rasa test nlu --cross-validation` run.

Usage: python scripts/nlu_quality_report.py RESULTS_DIR OUTPUT_MD
Exits non-zero when a quality bar is missed, so `make evaluate` tells a
maintainer at once: overall (English) macro-F1 >= 0.90 and every risk
intent's recall >= 0.90; per language (every data/<lang>/nlu.yml) macro-F1
>= 0.88, every risk intent's recall >= 0.85, danger now and self-harm >= 0.95.
The per-language figures come from the same folds: Rasa's error list names
every misclassified example, and each example's language is the file it is in.
"""

import json
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BAR = 0.90
LANGUAGE_BARS = {"macro_f1": 0.88, "risk_recall": 0.85, "critical_recall": 0.95}
CRITICAL = ("immediate_danger", "self_harm")
ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]+\)|\{[^}]+\})")


def examples_by_language() -> dict:
    """{language: [(text, intent)]}: English from data/nlu.yml, the others from data/<lang>/nlu.yml."""
    files = {"en": ROOT / "data" / "nlu.yml", **{p.parent.name: p for p in sorted(ROOT.glob("data/*/nlu.yml"))}}
    found = {}
    for language, path in files.items():
        pairs = []
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            for line in (block.get("examples") or "").splitlines() if "intent" in block else []:
                if line.strip().startswith("- "):
                    pairs.append((ANNOTATION.sub(r"\1", line.strip()[2:]).strip(), block["intent"]))
        found[language] = pairs
    return found


def per_language(results: Path, risk: list) -> dict:
    """Macro-F1 and recalls per language, from the misclassified examples of the test folds."""
    errors = (
        json.loads((results / "intent_errors.json").read_text()) if (results / "intent_errors.json").exists() else []
    )
    wrong = Counter((e["text"], e["intent"], (e.get("intent_prediction") or {}).get("name")) for e in errors)
    figures = {}
    for language, pairs in examples_by_language().items():
        texts = {t for t, _ in pairs}
        support = Counter(i for _, i in pairs)
        missed, false_pos = Counter(), Counter()
        for (text, true, predicted), n in wrong.items():
            if text in texts:
                missed[true] += n
                false_pos[predicted] += n
        f1s, recalls = [], {}
        for intent, n in support.items():
            tp = n - missed[intent]
            recalls[intent] = tp / n
            precision = tp / (tp + false_pos[intent]) if tp + false_pos[intent] else 0.0
            f1s.append(2 * precision * recalls[intent] / (precision + recalls[intent]) if tp else 0.0)
        risk_recalls = {i: recalls[i] for i in risk if i in recalls}
        figures[language] = {
            "examples": len(pairs),
            "macro_f1": sum(f1s) / len(f1s) if f1s else 0.0,
            "lowest_risk": min(risk_recalls.items(), key=lambda kv: kv[1]) if risk_recalls else ("-", 0.0),
            "critical": {i: recalls.get(i, 0.0) for i in CRITICAL},
            "recalls": recalls,
        }
    return figures


def language_passed(language: str, f: dict) -> bool:
    # English is held to the overall bar (BAR) for macro-F1 and risk recall; danger now and self-harm as every language.
    macro_bar, risk_bar = (BAR, BAR) if language == "en" else (LANGUAGE_BARS["macro_f1"], LANGUAGE_BARS["risk_recall"])
    return (
        f["macro_f1"] >= macro_bar
        and f["lowest_risk"][1] >= risk_bar
        and all(v >= LANGUAGE_BARS["critical_recall"] for v in f["critical"].values())
    )


ONE_MODEL = """
### One model for all languages

Ally trains one intent classifier and one entity extractor on every language's examples together,
not one model per language. Measured reasons: teenagers mix languages and English loanwords
("snap", "nudes", "screenshot", "kms") inside Swedish, German or French sentences, and a model per
language would have to trust the language guess first (wrong for about one message in twenty of
the short ones, tests/unit/test_language_detector.py) before it could even read the message; the
shared features (platform names, numbers, emoji, the concept patterns) are learnt once; the server
keeps one set of weights in memory instead of eight and answers in one pass; and the training
time stays one run (docs/performance.md has the figures). The per-language table above shows
that the languages do not drown each other out.
"""


def language_section(figures: dict) -> str:
    rows = [
        f"| {language} | {f['examples']} | {f['macro_f1']:.3f} | {f['lowest_risk'][1]:.3f} (`{f['lowest_risk'][0]}`) | "
        f"{f['critical']['immediate_danger']:.3f} | {f['critical']['self_harm']:.3f} | "
        f"{'met' if language_passed(language, f) else 'NOT met'} |"
        for language, f in figures.items()
    ]
    return (
        f"""
## Per language (the same test folds)

Bars for each language other than English: macro-F1 >= {LANGUAGE_BARS["macro_f1"]}, every risk intent's
recall >= {LANGUAGE_BARS["risk_recall"]}, danger now and self-harm >= {LANGUAGE_BARS["critical_recall"]}. English:
macro-F1 and every risk intent's recall >= {BAR}, danger now and self-harm >= {LANGUAGE_BARS["critical_recall"]}.

| language | examples | macro-F1 | lowest risk recall | danger now | self-harm | bar |
| --- | --- | --- | --- | --- | --- | --- |
"""
        + "\n".join(rows)
        + "\n"
        + ONE_MODEL
    )


def main(results: Path, output: Path) -> int:
    report = json.loads((results / "intent_report.json").read_text())
    intents = yaml.safe_load((ROOT / "scenarios.yml").read_text())["intents"]
    risk = [name for name, spec in intents.items() if spec.get("group") == "risk"]
    macro_f1 = report["macro avg"]["f1-score"]
    rows = []
    for intent in sorted(k for k in report if isinstance(report[k], dict) and "support" in report[k]):
        if intent in ("macro avg", "weighted avg", "micro avg"):
            continue
        r = report[intent]
        flag = " (risk)" if intent in risk else ""
        rows.append(
            f"| `{intent}`{flag} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1-score']:.3f} | {r['support']} |"
        )
    risk_recalls = {i: report[i]["recall"] for i in risk if i in report}
    lowest = min(risk_recalls, key=risk_recalls.get)
    figures = per_language(results, risk)
    english = figures.get("en")
    if english:  # the overall bar is English's: the other languages have their own
        macro_f1 = english["macro_f1"]
        risk_recalls = {i: english["recalls"][i] for i in risk if i in english["recalls"]}
        lowest = min(risk_recalls, key=risk_recalls.get)
    passed = macro_f1 >= BAR and all(v >= BAR for v in risk_recalls.values())
    passed = passed and all(language_passed(language, f) for language, f in figures.items())
    text = (
        f"""# NLU quality

Written by `make evaluate` ({date.today().isoformat()}): 5-fold cross-validation of the
pipeline in `config.yml` on `data/` (`scripts/cross_validate.py`: Rasa's `rasa test nlu
--cross-validation --folds 5`, with each example's fold fixed by a hash of its intent and text, so
the same data gives the same figures). Full reports: `results/nlu-cv/` (not committed).

| measure | value | bar |
| --- | --- | --- |
| English: macro-F1 over all intents | **{macro_f1:.3f}** | ≥ {BAR} |
| English: lowest risk-intent recall | **{risk_recalls[lowest]:.3f}** (`{lowest}`) | ≥ {BAR} |
| result | {"met" if passed else "NOT met"} | |

Cross-validation measures how well the data covers itself; an independent
held-out set written by others measures the model too, so breadth and
realism of the examples matter more than this score (see docs/maintainers.md).
"""
        + language_section(figures)
        + """
## Per intent, all languages together (test folds)

| intent | precision | recall | F1 | examples |
| --- | --- | --- | --- | --- |
"""
        + "\n".join(rows)
        + "\n"
        + entity_section(results)
    )
    output.write_text(text, encoding="utf-8")
    print(f"macro-F1 {macro_f1:.3f}; lowest risk recall {risk_recalls[lowest]:.3f} ({lowest})")
    return 0 if passed else 1


def entity_section(results: Path) -> str:
    """The user's own age and country as the entity extractor found them (test folds)."""
    lines = []
    for path in sorted(results.glob("*EntityExtractor_report.json")):
        report = json.loads(path.read_text())
        extractor = path.name.replace("_report.json", "")
        for entity in ("age", "country"):
            if entity in report:
                r = report[entity]
                lines.append(
                    f"| `{entity}` | {extractor} | {r['precision']:.3f} | {r['recall']:.3f} | "
                    f"{r['f1-score']:.3f} | {r['support']} |"
                )
    if not lines:
        return ""
    return (
        """
## Entities (test folds)

Only the user's own age and country are entities; the actions also read
country names anywhere in a message (spaCy EntityRuler) and message metadata.

| entity | extractor | precision | recall | F1 | examples |
| --- | --- | --- | --- | --- | --- |
"""
        + "\n".join(lines)
        + "\n"
    )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
