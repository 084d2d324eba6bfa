"""Measure the safety net through the trained model and write the rates into docs/safety.md.

    .venv/bin/python scripts/safety_report.py [--model models/ally.tar.gz] [--check]

For every language's tests/safety/<lang>.yml: how many `must_catch` messages
get their intent (danger now, self-harm) from the whole NLU pipeline
(classifier + safety net), how many `combined` messages (a risk scenario with
self-harm words) get crisis support and how many also keep their scenario, and
how many `must_not_catch` messages wrongly get an emergency or self-harm reply.
tests/server/test_safety_rates.py holds the same figures to the targets.
"""

import argparse
import asyncio
import os
import re
import sys
from pathlib import Path
from typing import Dict, List

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the model's own components (ally.nlu.*), as `rasa` finds them from the project
SAFETY_DIR = ROOT / "tests" / "safety"
DOC = ROOT / "docs" / "safety.md"
BEGIN, END = "<!-- safety-rates:begin -->", "<!-- safety-rates:end -->"
SELF_HARM = "self_harm"
ALARMS = {"immediate_danger", SELF_HARM}


def load_sets() -> Dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) or {} for p in sorted(SAFETY_DIR.glob("*.yml"))}


async def parse_all(model: Path, texts: List[str]) -> List[dict]:
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa's structlog prints every parse, text included, at debug level
    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def measure(model: Path) -> Dict[str, dict]:
    sets = load_sets()
    texts: List[str] = []
    for data in sets.values():
        for phrases in (data.get("must_catch") or {}).values():
            texts += phrases
        for phrases in (data.get("combined") or {}).values():
            texts += phrases
        texts += data.get("must_not_catch") or []
    parsed = dict(zip(texts, asyncio.run(parse_all(model, texts))))

    def intent(text: str) -> str:
        return (parsed[text].get("intent") or {}).get("name") or ""

    def also(text: str) -> str:
        return next((e["value"] for e in parsed[text].get("entities") or [] if e["entity"] == "also_scenario"), "")

    results = {}
    for language, data in sets.items():
        caught = data.get("must_catch") or {}
        row = {}
        for wanted in ("immediate_danger", SELF_HARM):
            phrases = caught.get(wanted) or []
            row[wanted] = (sum(intent(t) == wanted for t in phrases), len(phrases))
        combined = [(scenario, t) for scenario, phrases in (data.get("combined") or {}).items() for t in phrases]
        # Crisis support: the self-harm reply, or a friend flow that names a crisis line.
        row["combined_crisis"] = (sum(SELF_HARM in (intent(t), also(t)) for _, t in combined), len(combined))
        row["combined"] = (
            sum(
                (intent(t), also(t)) == (("friend_at_risk", SELF_HARM) if s == "friend_at_risk" else (SELF_HARM, s))
                for s, t in combined
            ),
            len(combined),
        )
        ordinary = data.get("must_not_catch") or []
        false_alarms = [t for t in ordinary if intent(t) in ALARMS]
        row["false_alarms"] = (len(false_alarms), len(ordinary))
        row["false_alarm_examples"] = false_alarms
        results[language] = row
    return results


def rate(pair) -> str:
    hit, total = pair
    return f"{hit}/{total} ({100 * hit / total:.1f}%)" if total else "n/a"


def table(results: Dict[str, dict]) -> str:
    lines = [
        "| language | danger now caught | self-harm caught | combined: crisis support | combined: crisis first +"
        " scenario kept | false alarms |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    totals = {k: [0, 0] for k in ("immediate_danger", "self_harm", "combined_crisis", "combined", "false_alarms")}
    for language, row in results.items():
        lines.append(f"| {language} | " + " | ".join(rate(row[k]) for k in totals) + " |")
        for k in totals:
            totals[k][0] += row[k][0]
            totals[k][1] += row[k][1]
    lines.append("| **all** | " + " | ".join(f"**{rate(totals[k])}**" for k in totals) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "ally.tar.gz")
    args = parser.parse_args()
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    results = measure(args.model)
    block = f"{BEGIN}\n{table(results)}\n{END}"
    doc = DOC.read_text(encoding="utf-8")
    doc = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), block, doc, flags=re.S)
    DOC.write_text(doc, encoding="utf-8")
    print(table(results))
    for language, row in results.items():
        for text in row["false_alarm_examples"]:
            print(f"false alarm ({language}): {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
