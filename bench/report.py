"""Targets, NLU quality and the generated tables of docs/performance.md.

`python bench/report.py` re-renders docs/performance.md from bench/results.json,
bench/profile.json and bench/experiment-results.json without measuring anything.

The tables live between markers so the rest of the document is hand-written:
    <!-- bench:start --> ... <!-- bench:end -->      bench/run_bench.py (make bench)
    <!-- profile:start --> ... <!-- profile:end -->  bench/profile_components.py, run by make bench
    <!-- experiment:start --> ... <!-- experiment:end -->    bench/run_bench.py --ally-env KEY=VALUE ...
"""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from benchlib import ROOT, ratio

RESULTS = ROOT / "bench" / "results.json"
PROFILE = ROOT / "bench" / "profile.json"
EXPERIMENT_RESULTS = ROOT / "bench" / "experiment-results.json"
DOC = ROOT / "docs" / "performance.md"
SCHEMA_VERSION = 1

# name, what, ally path, stock path, comparison, bound
TARGETS: List[Dict[str, Any]] = [
    {
        "id": "latency_p95_1_user",
        "label": "p95 round trip, 1 user",
        "unit": "ms",
        "path": ("latency_1_user", "p95_ms"),
        "op": "<=",
        "bound": 0.8,
        "lower_is_better": True,
    },
    {
        "id": "throughput_20",
        "label": "throughput, 20 conversations",
        "unit": "msg/s",
        "path": ("concurrency", "20", "throughput_msg_s"),
        "op": ">=",
        "bound": 1.5,
        "lower_is_better": False,
    },
    {
        "id": "rss",
        "label": "resident memory after warm-up (Ally: Rasa + action server)",
        "unit": "MB",
        "path": ("memory", "after_warmup_mb", "total"),
        "op": "<=",
        "bound": 0.9,
        "lower_is_better": True,
    },
    {
        "id": "start_to_ready",
        "label": "start to ready (Rasa server, median)",
        "unit": "s",
        "path": ("start_to_ready", "rasa_server_median_s"),
        "op": "<=",
        "bound": 1.0,
        "lower_is_better": True,
    },
]
TRAINING_LIMIT_S = 300.0
REQUIRED_KEYS = {
    "schema_version",
    "date",
    "machine",
    "rasa_version",
    "ally",
    "stock",
    "targets",
    "nlu_quality",
    "load_average",
    "settings",
}
BOT_KEYS = {"model", "training", "start_to_ready", "latency_1_user", "concurrency", "memory", "cpu_per_message_ms"}


def dig(data: Dict[str, Any], path) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def evaluate_targets(ally: Dict[str, Any], stock: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Each target with both figures, the ratio ally/stock and whether it is met."""
    rows = []
    for target in TARGETS:
        a, s = dig(ally, target["path"]), dig(stock, target["path"])
        r = ratio(a, s)
        if r is None:
            met = None
        elif target["op"] == "<=":
            met = r <= target["bound"]
        else:
            met = r >= target["bound"]
        rows.append(
            {
                "id": target["id"],
                "label": target["label"],
                "unit": target["unit"],
                "ally": a,
                "stock": s,
                "ratio": r,
                "target": f"{target['op']} {target['bound']}x stock",
                "met": met,
            }
        )
    training = dig(ally, ("training", "wall_s"))
    rows.append(
        {
            "id": "training",
            "label": "full training (cold, empty cache)",
            "unit": "s",
            "ally": training,
            "stock": dig(stock, ("training", "wall_s")),
            "ratio": ratio(training, dig(stock, ("training", "wall_s"))),
            "target": f"< {TRAINING_LIMIT_S:.0f} s",
            "met": None if training is None else training < TRAINING_LIMIT_S,
        }
    )
    return rows


def validate_results(results: Dict[str, Any]) -> List[str]:
    """Problems with a results.json document (empty list: fine)."""
    problems = [f"missing key: {k}" for k in sorted(REQUIRED_KEYS - set(results))]
    for bot in ("ally", "stock"):
        missing = BOT_KEYS - set(results.get(bot) or {})
        problems += [f"{bot}: missing key: {k}" for k in sorted(missing)]
    if results.get("schema_version") != SCHEMA_VERSION:
        problems.append(f"schema_version is not {SCHEMA_VERSION}")
    for row in results.get("targets") or []:
        if row.get("met") is not None and row.get("ratio") is None and row["id"] != "training":
            problems.append(f"target {row.get('id')}: met without a ratio")
    return problems


# --- NLU quality (from `make evaluate`) ---------------------------------------------------
def nlu_quality(root: Path = ROOT) -> Dict[str, Any]:
    """Macro-F1 and every risk intent's recall from results/nlu-cv/intent_report.json."""
    report_path = root / "results" / "nlu-cv" / "intent_report.json"
    doc_path = root / "docs" / "nlu-quality.md"
    intents = yaml.safe_load((root / "scenarios.yml").read_text())["intents"]
    risk = [name for name, spec in intents.items() if spec.get("group") == "risk"]
    if not report_path.exists():
        return {"available": False, "source": "results/nlu-cv/intent_report.json (missing: run make evaluate)"}
    report = json.loads(report_path.read_text())
    written = datetime.fromtimestamp(report_path.stat().st_mtime, timezone.utc)
    recalls = {i: round(report[i]["recall"], 3) for i in risk if i in report}
    lowest = min(recalls, key=recalls.get) if recalls else None
    doc_date = None
    if doc_path.exists():
        match = re.search(r"make evaluate` \((\d{4}-\d{2}-\d{2})\)", doc_path.read_text())
        doc_date = match.group(1) if match else None
    # Was the measured configuration changed after the evaluation?
    inputs = [root / "config.yml", *sorted((root / "data").glob("*.yml"))]
    newer = [str(p.relative_to(root)) for p in inputs if p.exists() and p.stat().st_mtime > report_path.stat().st_mtime]
    return {
        "available": True,
        "source": "results/nlu-cv/intent_report.json (make evaluate: 5-fold cross-validation)",
        "evaluated_at": written.replace(microsecond=0).isoformat(),
        "doc_date": doc_date,
        "macro_f1": round(report["macro avg"]["f1-score"], 3),
        "accuracy": round(report["accuracy"], 3) if isinstance(report.get("accuracy"), (int, float)) else None,
        "risk_recall": recalls,
        "lowest_risk_recall": {"intent": lowest, "recall": recalls.get(lowest)} if lowest else None,
        "inputs_changed_since": newer,
    }


# --- markdown ---------------------------------------------------------------------------------
def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        text = f"{value:.0f}" if abs(value) >= 100 else f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    else:
        text = str(value)
    return f"{text} {unit}".strip()


def _x(value: Optional[float]) -> str:
    return "–" if value is None else f"{_fmt(value)}x"


def _met(value: Optional[bool]) -> str:
    return "–" if value is None else ("**met**" if value else "**not met**")


def render_bench(results: Dict[str, Any]) -> str:
    ally, stock = results["ally"], results["stock"]
    lines = [
        f"Measured by `make bench` on {results['date']} (Rasa {results['rasa_version']}, "
        f"{results['machine']['cpu_count']} CPUs: {results['machine']['cpu_model']}); "
        f"mean 1-minute load average during the run "
        f"{_fmt(dig(results, ('load_average', 'overall', 'mean')))} "
        f"(max {_fmt(dig(results, ('load_average', 'overall', 'max')))}) on {results['machine']['cpu_count']} CPUs, "
        "so other work shared the machine; A/B rounds were interleaved so that noise hit both bots alike. "
        f"Ally served {results['ally']['model']['which']}.",
    ]
    if dig(ally, ("training", "error")):
        lines += [
            "",
            "**Ally's training failed in this run** (so its training time is missing and "
            "models/ally.tar.gz was served): " + ally["training"]["error"].strip().splitlines()[-1],
        ]
    if results.get("duration_s"):
        lines[0] += f" The whole run took {results['duration_s'] / 60:.1f} minutes."
    lines += [
        "",
        "### Targets",
        "",
        "| target | Ally | stock bot | ratio | bound | result |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in results["targets"]:
        lines.append(
            f"| {row['label']} | {_fmt(row['ally'], row['unit'])} | {_fmt(row['stock'], row['unit'])} | "
            f"{_x(row['ratio'])} | {row['target']} | {_met(row['met'])} |"
        )
    lines += ["", "### All figures", "", "| measure | Ally | stock bot | ratio |", "| --- | --- | --- | --- |"]

    def row(label: str, path, unit: str = "") -> None:
        a, s = dig(ally, path), dig(stock, path)
        lines.append(f"| {label} | {_fmt(a, unit)} | {_fmt(s, unit)} | {_x(ratio(a, s))} |")

    n = dig(ally, ("latency_1_user", "n"))
    row(f"1 user: p50 ({n} messages each)", ("latency_1_user", "p50_ms"), "ms")
    row("1 user: p95", ("latency_1_user", "p95_ms"), "ms")
    row("1 user: p99", ("latency_1_user", "p99_ms"), "ms")
    for c in results["settings"]["concurrency_levels"]:
        key = str(c)
        row(f"{c} conversations: throughput", ("concurrency", key, "throughput_msg_s"), "msg/s")
        row(f"{c} conversations: p50", ("concurrency", key, "p50_ms"), "ms")
        row(f"{c} conversations: p95", ("concurrency", key, "p95_ms"), "ms")
        row(f"{c} conversations: errors", ("concurrency", key, "errors"))
    row("CPU per message, 1 user (all server processes)", ("cpu_per_message_ms", "latency_1_user", "total"), "ms")
    row("CPU per message, 20 conversations", ("cpu_per_message_ms", "20", "total"), "ms")
    row("RSS after warm-up: Rasa server", ("memory", "after_warmup_mb", "rasa_server"), "MB")
    row("RSS after warm-up: action server", ("memory", "after_warmup_mb", "action_server"), "MB")
    row("RSS after warm-up: total", ("memory", "after_warmup_mb", "total"), "MB")
    row("RSS after all load: total", ("memory", "after_load_mb", "total"), "MB")
    row("start to ready: Rasa server (median)", ("start_to_ready", "rasa_server_median_s"), "s")
    row("start to ready: action server (median)", ("start_to_ready", "action_server_median_s"), "s")
    row("full training, wall clock", ("training", "wall_s"), "s")
    row("full training, CPU time", ("training", "cpu_s"), "s")

    q = results.get("nlu_quality") or {}
    lines += ["", "### NLU quality of the measured configuration", ""]
    if q.get("available"):
        low = q.get("lowest_risk_recall") or {}
        changed = q.get("inputs_changed_since") or []
        lines += [
            f"From `make evaluate` (5-fold cross-validation, results/nlu-cv/intent_report.json, "
            f"written {q['evaluated_at']}): macro-F1 **{q['macro_f1']:.3f}**, lowest risk-intent recall "
            f"**{low.get('recall', 0):.3f}** (`{low.get('intent')}`)."
            + (
                f" Changed since that evaluation: {', '.join(f'`{c}`' for c in changed)}, so the "
                "figures describe the previous training data."
                if changed
                else ""
            ),
            "",
            "| risk intent | recall |",
            "| --- | --- |",
        ]
        lines += [f"| `{i}` | {r:.3f} |" for i, r in q["risk_recall"].items()]
    else:
        lines.append(f"Not available: {q.get('source')}.")
    return "\n".join(lines)


def render_profile(profile: Dict[str, Any]) -> str:
    """The per-component table: mean milliseconds per message, wall clock and CPU, both bots."""
    bots = [b for b in ("ally", "stock") if b in profile]
    rows: Dict[tuple, Dict[str, Any]] = {}
    order: List[tuple] = []
    for bot in bots:
        seen: Dict[tuple, int] = {}
        for row in profile[bot]["components"]:
            provider = row.get("hint") == "model provider"
            base = (row["stage"], row["component"] + (" (model provider)" if provider else ""))
            seen[base] = seen.get(base, 0) + 1
            key = base + (seen[base],)
            if key not in rows:
                rows[key] = {}
                order.append(key)
            rows[key][bot] = row
    stage_rank = {"nlu": 0, "core": 1}
    order.sort(key=lambda k: stage_rank.get(k[0], 2))  # stable: keeps execution order inside a stage

    def label(key: tuple) -> str:
        _, name, _ = key
        hints = {b: r.get("hint") for b, r in rows[key].items() if r.get("hint") and r.get("hint") != "model provider"}
        if not hints:
            return name
        if len(set(hints.values())) == 1:
            return f"{name} ({next(iter(hints.values()))})"
        return f"{name} (" + "; ".join(f"{'Ally' if b == 'ally' else 'stock'}: {h}" for b, h in hints.items()) + ")"

    def cell(row: Optional[Dict[str, Any]], calls: bool = False) -> str:
        if row is None:
            return "– | –"
        times = f" ×{row['calls_per_message']:g}" if calls and row.get("calls_per_message", 1) != 1 else ""
        return f"{row['wall_ms']:.2f}{times} | {row['cpu_ms']:.2f}"

    a = profile.get("ally", {})
    s = profile.get("stock", {})
    lines = [
        f"Profiled by `bench/profile_components.py` on {profile.get('date', '?')}: {profile.get('messages', '?')} "
        "messages of the benchmark's conversations through `Agent.handle_message` in one process, one at a "
        "time (no HTTP), after a warm-up. Mean milliseconds **per message**; wall clock, then CPU time of the "
        "Rasa process (all threads); CPU time is the steadier figure on a shared machine. ×n: a component that runs n "
        "times per message (the policy graph runs once per predicted action; custom actions only after some "
        "intents), its figures are totals per message.",
        "",
        "| stage | component | Ally wall | Ally CPU | stock wall | stock CPU |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for key in order:
        stage = key[0]
        lines.append(
            f"| {'NLU' if stage == 'nlu' else 'policies' if stage == 'core' else stage} | {label(key)} | "
            f"{cell(rows[key].get('ally'), True)} | {cell(rows[key].get('stock'), True)} |"
        )

    def graph(bot: Dict[str, Any], stage: str) -> Optional[Dict[str, Any]]:
        g = (bot.get("graph_runs") or {}).get(stage)
        return (
            None
            if g is None
            else {
                "wall_ms": g["runner_overhead_wall_ms"],
                "cpu_ms": g["runner_overhead_cpu_ms"],
                "calls_per_message": g["runs_per_message"],
            }
        )

    lines.append(f"| NLU | graph runner overhead | {cell(graph(a, 'nlu'), True)} | {cell(graph(s, 'nlu'), True)} |")
    lines.append(
        f"| policies | graph runner overhead | {cell(graph(a, 'core'), True)} | {cell(graph(s, 'core'), True)} |"
    )
    for bot_name, bot in (("ally", a), ("stock", s)):
        for action, row in (bot.get("actions") or {}).items():
            other = "– | –"
            text = f"{cell(row, True)} | {other}" if bot_name == "ally" else f"{other} | {cell(row, True)}"
            lines.append(f"| actions | `{action}` (action server round trip) | {text} |")
    for key, label in (
        ("store:retrieve", "tracker store: retrieve"),
        ("store:save", "tracker store: save"),
        ("lock:acquire", "lock store: acquire"),
        ("lock:release", "lock store: release"),
    ):
        lines.append(
            f"| stores | {label} | {cell((a.get('stores_and_http') or {}).get(key), True)} | "
            f"{cell((s.get('stores_and_http') or {}).get(key), True)} |"
        )

    def pm(bot: Dict[str, Any], wall: str, cpu: str, bold: bool = False) -> str:
        p = bot.get("per_message") or {}
        if p.get(wall) is None:
            return "– | –"
        b = "**" if bold else ""
        return f"{b}{p[wall]:.2f}{b} | {b}{p[cpu]:.2f}{b}"

    lines.append(
        f"| rest | the rest of Rasa's message handling | {pm(a, 'rest_of_rasa_wall_ms', 'rest_of_rasa_cpu_ms')} | "
        f"{pm(s, 'rest_of_rasa_wall_ms', 'rest_of_rasa_cpu_ms')} |"
    )
    lines.append(
        f"| **total** | **one message in the Rasa process** | {pm(a, 'wall_mean_ms', 'cpu_mean_ms', True)} | "
        f"{pm(s, 'wall_mean_ms', 'cpu_mean_ms', True)} |"
    )
    asc = (a.get("per_message") or {}).get("action_server_cpu_ms")
    if asc is not None:
        lines.append(f"| actions | action server's own CPU (separate process) | – | {asc:.2f} | – | – |")
    http = (a.get("stores_and_http") or {}).get("http:action_server")
    if http:
        lines += [
            "",
            f"Of Ally's custom action time, the HTTP request to the action server (its work included) "
            f"takes {http['wall_ms']:.2f} ms per message ({http['calls_per_message']:g} calls); the rest is "
            "building the request from the tracker and applying the answer.",
        ]
    return "\n".join(lines)


def replace_block(text: str, name: str, body: str) -> str:
    """Put `body` between `<!-- name:start -->` and `<!-- name:end -->` (appended if missing)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.strip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        return pattern.sub(lambda _: block, text, count=1)
    return text.rstrip("\n") + "\n\n" + block + "\n"


def render_experiment(results: Dict[str, Any]) -> str:
    """The targets table of an experiment (Ally with extra environment, against the stock bot of that run)."""
    settings = results["settings"]
    lines = [
        f"Experiment on {results['date']} (`bench/run_bench.py --skip-training --stock-project DIR`; "
        + "Ally's extra environment: "
        + ", ".join(f"`{k}={v}`" for k, v in (settings.get("ally_extra_env") or {}).items() if k != "PYTHONPATH")
        + f"). Ally served {results['ally']['model']['which']}; the stock bot is the one of that run. Mean load "
        f"average {_fmt(dig(results, ('load_average', 'overall', 'mean')))}. Not a measurement of Ally as it is.",
        "",
        "| target | Ally with the change | stock bot | ratio | bound | result |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in results["targets"]:
        if row["id"] == "training":
            continue
        lines.append(
            f"| {row['label']} | {_fmt(row['ally'], row['unit'])} | {_fmt(row['stock'], row['unit'])} | "
            f"{_x(row['ratio'])} | {row['target']} | {_met(row['met'])} |"
        )
    ally, stock = results["ally"], results["stock"]
    for label, path, unit in (
        ("1 user: p50", ("latency_1_user", "p50_ms"), "ms"),
        ("CPU per message, 1 user (all server processes)", ("cpu_per_message_ms", "latency_1_user", "total"), "ms"),
        ("CPU per message, 20 conversations", ("cpu_per_message_ms", "20", "total"), "ms"),
        ("100 conversations: throughput", ("concurrency", "100", "throughput_msg_s"), "msg/s"),
    ):
        a, s_ = dig(ally, path), dig(stock, path)
        lines.append(f"| {label} | {_fmt(a, unit)} | {_fmt(s_, unit)} | {_x(ratio(a, s_))} | | |")
    return "\n".join(lines)


def render_doc(
    results: Optional[Dict[str, Any]] = None,
    profile: Optional[Dict[str, Any]] = None,
    doc: Path = DOC,
    experiment: Optional[Dict[str, Any]] = None,
) -> None:
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Performance\n"
    if results is not None:
        text = replace_block(text, "bench", render_bench(results))
    if experiment is not None:
        text = replace_block(text, "experiment", render_experiment(experiment))
    if profile is not None:
        text = replace_block(text, "profile", render_profile(profile))
    doc.write_text(text, encoding="utf-8")


def main() -> int:
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else None
    profile = json.loads(PROFILE.read_text()) if PROFILE.exists() else None
    experiment = json.loads(EXPERIMENT_RESULTS.read_text()) if EXPERIMENT_RESULTS.exists() else None
    for name, data in (("bench/results.json", results), ("bench/experiment-results.json", experiment)):
        problems = validate_results(data) if data is not None else []
        if problems:
            print(f"{name}: " + "; ".join(problems), file=sys.stderr)
            return 1
    render_doc(results, profile, experiment=experiment)
    print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
