"""Check that the `inference_load` experiment predicts exactly what Rasa's own load does.

Loads the model twice, in two processes (Rasa's load, then the experiment),
parses the same messages (the first 12 training examples of every intent in
data/nlu.yml and the benchmark's Ally messages) and compares intents, the
whole intent ranking with its confidences, and entities.

    .venv/bin/python bench/whatif/check_inference_load.py [models/ally.tar.gz]
"""
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def messages():
    import yaml

    sys.path.insert(0, str(HERE.parent))
    from workload import ALLY_CONVERSATIONS

    texts = []
    for block in yaml.safe_load((ROOT / "data" / "nlu.yml").read_text())["nlu"]:
        if "intent" in block and "examples" in block:
            texts += [line[2:] for line in block["examples"].splitlines() if line.startswith("- ")][:12]
    return texts + [m for conversation in ALLY_CONVERSATIONS for m in conversation]


def parse_all(model: str, out: str) -> None:
    sys.path.insert(0, str(ROOT))  # the model's custom components (ally.nlu.safety_net)
    from rasa.core.agent import load_agent

    started = time.perf_counter()
    agent = asyncio.run(load_agent(model_path=model))
    load_s = time.perf_counter() - started

    async def go():
        results = []
        for text in messages():
            parsed = await agent.parse_message(text)
            results.append({"text": text, "intent": parsed["intent"], "ranking": parsed.get("intent_ranking"),
                             "entities": parsed["entities"]})
        return results

    Path(out).write_text(json.dumps({"load_s": load_s, "results": asyncio.run(go())}))


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--parse":
        parse_all(sys.argv[2], sys.argv[3])
        return 0
    model = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "models" / "ally.tar.gz")
    outputs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("rasa", "inference_load"):
            env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore")
            if mode == "inference_load":
                env.update(ALLY_WHAT_IF="inference_load", PYTHONPATH=str(HERE))
            out = Path(tmp) / f"{mode}.json"
            subprocess.run([sys.executable, __file__, "--parse", model, str(out)], cwd=ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            outputs[mode] = json.loads(out.read_text())
    a, b = outputs["rasa"]["results"], outputs["inference_load"]["results"]
    differences = [x["text"] for x, y in zip(a, b)
                   if (x["intent"], x["ranking"], x["entities"]) != (y["intent"], y["ranking"], y["entities"])]
    print(f"{len(a)} messages, {sum(len(x['entities']) for x in a)} entities; model load "
          f"{outputs['rasa']['load_s']:.1f} s (Rasa) vs {outputs['inference_load']['load_s']:.1f} s (inference_load); "
          f"{len(differences)} messages differ")
    for text in differences[:10]:
        print("  differs:", text)
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
