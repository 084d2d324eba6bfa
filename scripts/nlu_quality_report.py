"""Write docs/nlu-quality.md from a `rasa test nlu --cross-validation` run.

Usage: python scripts/nlu_quality_report.py RESULTS_DIR OUTPUT_MD
Exits non-zero when the quality bar is missed (macro-F1 < 0.90 or any risk
intent's recall < 0.90), so `make evaluate` tells a maintainer at once.
"""
import json
import sys
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BAR = 0.90


def main(results: Path, output: Path) -> int:
    report = json.loads((results / "intent_report.json").read_text())
    risk = yaml.safe_load((ROOT / "tests" / "intent_contract.yml").read_text())["risk"]
    macro_f1 = report["macro avg"]["f1-score"]
    rows = []
    for intent in sorted(k for k in report if isinstance(report[k], dict) and "support" in report[k]):
        if intent in ("macro avg", "weighted avg", "micro avg"):
            continue
        r = report[intent]
        flag = " (risk)" if intent in risk else ""
        rows.append(f"| `{intent}`{flag} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1-score']:.3f} | {r['support']} |")
    risk_recalls = {i: report[i]["recall"] for i in risk if i in report}
    lowest = min(risk_recalls, key=risk_recalls.get)
    passed = macro_f1 >= BAR and all(v >= BAR for v in risk_recalls.values())
    text = f"""# NLU quality

Written by `make evaluate` ({date.today().isoformat()}): 5-fold cross-validation of the
pipeline in `config.yml` on `data/` (`rasa test nlu --cross-validation --folds 5`).
Full reports: `results/nlu-cv/` (not committed).

| measure | value | bar |
| --- | --- | --- |
| macro-F1 over all intents | **{macro_f1:.3f}** | ≥ {BAR} |
| lowest risk-intent recall | **{risk_recalls[lowest]:.3f}** (`{lowest}`) | ≥ {BAR} |
| result | {"met" if passed else "NOT met"} | |

Cross-validation measures how well the data covers itself; an independent
held-out set written by others measures the model too, so breadth and
realism of the examples matter more than this score (see docs/maintainers.md).

## Per intent (test folds)

| intent | precision | recall | F1 | examples |
| --- | --- | --- | --- | --- |
""" + "\n".join(rows) + "\n" + entity_section(results)
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
                lines.append(f"| `{entity}` | {extractor} | {r['precision']:.3f} | {r['recall']:.3f} | "
                             f"{r['f1-score']:.3f} | {r['support']} |")
    if not lines:
        return ""
    return """
## Entities (test folds)

Only the user's own age and country are entities; the actions also read
country names anywhere in a message (spaCy EntityRuler) and message metadata.

| entity | extractor | precision | recall | F1 | examples |
| --- | --- | --- | --- | --- | --- |
""" + "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
