"""`make bench`: Ally against a stock `rasa init` bot, measured side by side in one run.

Steps (docs/performance.md explains the method and the figures):
 1. Cold, full trainings in a temporary folder (bench/training.py): the stock
    bot (`rasa init --no-prompt`) and a copy of Ally's project
    (`rasa train --out <tmp>`), each with an empty Rasa cache. The project's
    models/ folder is not touched. Ally is then served with the model just
    trained from the current files (`--ally-model project` serves
    models/ally.tar.gz instead).
 2. Start-to-ready: both servers are started `--starts` times, in alternating
    order; the last start stays up for the measurements.
 3. Warm-up, then resident memory (RSS) of each server process.
 4. One user: `--latency-messages` sequential messages per bot, in rounds of
    `--round` that alternate between the bots (A B A B ...).
 5. Concurrency: for 20 and 100 conversations, closed-loop users start
    messages for `--duration` seconds per round (rounds in A B B A order);
    throughput = answered messages / time until the last answer.
 6. RSS again after all load; servers stopped.
 7. Per-component profile of both models (bench/profile_components.py),
    written to bench/profile.json.
 8. NLU quality from `make evaluate`'s last report; bench/results.json;
    the generated tables in docs/performance.md.

    .venv/bin/python bench/run_bench.py                 # what `make bench` runs
    .venv/bin/python bench/run_bench.py --help
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.update(RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", PYTHONWARNINGS="ignore")

import report  # noqa: E402
import workload  # noqa: E402
from benchlib import ROOT, LoadSampler, load_average, machine_info, median, summarize_ms, utc_now  # noqa: E402
from servers import Bot, ally_bot, stock_bot  # noqa: E402
from training import VENV_BIN, train_ally_copy, train_stock_bot  # noqa: E402

MB = 2**20


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def rasa_version() -> str:
    from importlib.metadata import version

    return version("rasa")


def mb(values: Dict[str, Optional[int]]) -> Dict[str, Optional[float]]:
    return {k: (None if v is None else round(v / MB, 1)) for k, v in values.items()}


class CpuMeter:
    """CPU seconds the servers of a bot used across several measured stretches."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.used = {"rasa_server": 0.0, "action_server": 0.0}
        self._before: Dict[str, float] = {}

    def __enter__(self) -> CpuMeter:
        self._before = self.bot.cpu()
        return self

    def __exit__(self, *exc: Any) -> None:
        after = self.bot.cpu()
        for key in self.used:
            self.used[key] += after[key] - self._before[key]

    def per_message_ms(self, messages: int) -> Dict[str, Optional[float]]:
        if not messages:
            return {"rasa_server": None, "action_server": None, "total": None}
        rasa = self.used["rasa_server"] * 1000 / messages
        action = self.used["action_server"] * 1000 / messages
        return {
            "rasa_server": round(rasa, 1),
            "action_server": round(action, 1) if self.bot.with_action_server else None,
            "total": round(rasa + action, 1),
        }


# --- phases --------------------------------------------------------------------------------
def measure_starts(bots: List[Bot], rounds: int) -> None:
    for number in range(rounds):
        order = bots if number % 2 == 0 else list(reversed(bots))
        for bot in order:
            timing = bot.start()
            log(f"start {number + 1}/{rounds}: {bot.name} ready {timing}")
        if number < rounds - 1:
            for bot in bots:
                bot.stop()


def start_summary(bot: Bot) -> Dict[str, Any]:
    rasa = [s["rasa_server_ready_s"] for s in bot.starts]
    action = [s["action_server_ready_s"] for s in bot.starts if "action_server_ready_s" in s]
    return {
        "runs": bot.starts,
        "rasa_server_median_s": round(median(rasa), 2) if rasa else None,
        "action_server_median_s": round(median(action), 2) if action else None,
        "note": (
            "Rasa server: process start to HTTP 200 on /. Ally's action server is started "
            "first (as scripts/run.sh does) and is timed separately (to /health)."
            if action
            else "Rasa server: process start to HTTP 200 on /."
        ),
    }


def warm_up(bots: List[Bot], messages: int) -> None:
    for bot in bots:
        result = workload.Result()
        asyncio.run(
            workload.sequential(bot.url, workload.message_stream(bot.name, f"warm-{bot.name}"), messages, result)
        )
        if result.errors:
            raise RuntimeError(f"{bot.name}: {result.errors} errors during warm-up {result.error_kinds}")


def measure_latency(bots: List[Bot], total: int, round_size: int) -> Dict[str, Dict[str, Any]]:
    results = {bot.name: workload.Result() for bot in bots}
    streams = {bot.name: workload.message_stream(bot.name, f"seq-{bot.name}") for bot in bots}
    meters = {bot.name: CpuMeter(bot) for bot in bots}
    rounds = -(-total // round_size)
    for number in range(rounds):
        for bot in bots:
            count = min(round_size, total - number * round_size)
            with meters[bot.name]:
                asyncio.run(workload.sequential(bot.url, streams[bot.name], count, results[bot.name]))
        log(f"one user: round {number + 1}/{rounds} done")
    out = {}
    for bot in bots:
        result = results[bot.name]
        out[bot.name] = {
            **summarize_ms(result.latencies),
            "errors": result.errors,
            "error_kinds": result.error_kinds,
            "empty_replies": result.empty,
            "rounds": rounds,
            "round_size": round_size,
            "cpu_per_message_ms": meters[bot.name].per_message_ms(len(result.latencies)),
        }
    return out


def measure_concurrency(bots: List[Bot], level: int, duration: float) -> Dict[str, Dict[str, Any]]:
    a, b = bots
    order = [a, b, b, a]  # A B B A: a linear drift in machine load hits both alike
    runs: Dict[str, List[Dict[str, Any]]] = {bot.name: [] for bot in bots}
    meters = {bot.name: CpuMeter(bot) for bot in bots}
    for number, bot in enumerate(order):
        with meters[bot.name]:
            run = asyncio.run(
                workload.concurrent(bot.url, bot.name, level, duration, prefix=f"c{level}-{bot.name}-{number}")
            )
        runs[bot.name].append(run)
        log(f"{level} conversations: {bot.name} {run['throughput_msg_s']} msg/s, errors {run['errors']}")
        time.sleep(1)
    out = {}
    for bot in bots:
        done = runs[bot.name]
        latencies = [x for run in done for x in run["latencies"]]
        answered = sum(run["answered"] for run in done)
        seconds = sum(run["wall_s"] for run in done)
        out[bot.name] = {
            "conversations": level,
            "rounds": len(done),
            "seconds": round(seconds, 1),
            "answered": answered,
            "throughput_msg_s": round(answered / seconds, 2),
            "throughput_per_round": [run["throughput_msg_s"] for run in done],
            **summarize_ms(latencies),
            "errors": sum(run["errors"] for run in done),
            "empty_replies": sum(run["empty_replies"] for run in done),
            "cpu_per_message_ms": meters[bot.name].per_message_ms(len(latencies)),
        }
    return out


def run_profiles(workdir: Path, ally_model: str, stock: Dict[str, Any], messages: int) -> Optional[Dict[str, Any]]:
    profiles = {}
    for bot, model, project in (("ally", ally_model, str(ROOT)), ("stock", stock["model"], stock["project"])):
        out = workdir / f"profile-{bot}.json"
        command = [
            str(VENV_BIN / "python"),
            str(HERE / "profile_components.py"),
            "--bot",
            bot,
            "--model",
            model,
            "--project",
            project,
            "--messages",
            str(messages),
            "--out",
            str(out),
        ]
        log(f"profiling {bot} ({messages} messages)")
        with (workdir / f"profile-{bot}.log").open("wb") as output:
            code = subprocess.call(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
        if code != 0 or not out.exists():
            log(f"profile of {bot} failed (see {workdir / f'profile-{bot}.log'}); keeping the previous profile")
            return None
        profiles[bot] = json.loads(out.read_text())
    return profiles


# --- main --------------------------------------------------------------------------------
def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark Ally against a stock `rasa init` bot.")
    parser.add_argument(
        "--ally-model",
        choices=["fresh", "project"],
        default="fresh",
        help="serve the model trained by this run (fresh) or models/ally.tar.gz (project)",
    )
    parser.add_argument(
        "--skip-training",
        action="store_true",
        help="development only: no trainings; needs --stock-project and serves models/ally.tar.gz",
    )
    parser.add_argument("--stock-project", help="an existing `rasa init` folder with a trained model")
    parser.add_argument("--starts", type=int, default=2, help="start-to-ready measurements per bot")
    parser.add_argument("--warmup", type=int, default=25, help="sequential warm-up messages per bot")
    parser.add_argument("--latency-messages", type=int, default=300)
    parser.add_argument("--round", type=int, default=50, help="messages per bot before switching bots")
    parser.add_argument("--concurrency", default="20,100", help="comma-separated conversation counts")
    parser.add_argument(
        "--duration", type=float, default=12.0, help="seconds per concurrency round (4 rounds per level)"
    )
    parser.add_argument("--profile-messages", type=int, default=60, help="0: no profile")
    parser.add_argument("--workdir", help="keep temporary files here (default: a new temp folder, removed)")
    parser.add_argument(
        "--out", help="results file (default: bench/results.json; with --ally-env: bench/experiment-results.json)"
    )
    parser.add_argument(
        "--ally-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="development only: extra environment for Ally's servers (repeatable)",
    )
    parser.add_argument("--no-doc", action="store_true", help="do not refresh docs/performance.md")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.concurrency.split(",") if x.strip()]
    if 20 not in levels:
        parser.error("--concurrency must include 20 (a target is defined on it)")

    ally_extra_env = dict(item.split("=", 1) for item in args.ally_env)
    experiment = bool(ally_extra_env)
    if args.out is None:
        args.out = str(report.EXPERIMENT_RESULTS if experiment else report.RESULTS)
    if experiment:
        args.profile_messages = 0  # bench/profile.json describes Ally as it is
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="ally-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    sampler = LoadSampler().start()
    info = machine_info()
    date = utc_now()
    log(f"workdir {workdir}; {info['cpu_count']} CPUs, load {info['load_average_at_start']}")
    bots: List[Bot] = []
    try:
        # 1. trainings
        if args.skip_training:
            if not args.stock_project:
                parser.error("--skip-training needs --stock-project")
            project = Path(args.stock_project)
            stock_training = {
                "wall_s": None,
                "cpu_s": None,
                "project": str(project),
                "model": str(sorted((project / "models").glob("*.tar.gz"))[-1]),
                "note": "not measured (--skip-training)",
            }
            ally_training = {"wall_s": None, "cpu_s": None, "note": "not measured (--skip-training)"}
            ally_model, which = str(ROOT / "models" / "ally.tar.gz"), "models/ally.tar.gz (the project's model)"
        else:
            sampler.mark("training_stock")
            log("training the stock bot (rasa init --no-prompt, empty cache) ...")
            stock_training = train_stock_bot(workdir)
            log(f"stock bot trained: {stock_training['wall_s']} s wall, {stock_training['cpu_s']} s CPU")
            sampler.mark("training_ally")
            log("training a copy of Ally (rasa train, empty cache) ...")
            try:
                ally_training = train_ally_copy(workdir)
                log(f"Ally trained: {ally_training['wall_s']} s wall, {ally_training['cpu_s']} s CPU")
            except RuntimeError as error:  # e.g. training data mid-edit: measure the rest anyway
                log(f"Ally's training FAILED, serving models/ally.tar.gz instead: {error}")
                ally_training = {"wall_s": None, "cpu_s": None, "error": str(error)[-2000:]}
            if args.ally_model == "fresh" and "model" in ally_training:
                ally_model = str(ally_training["model"])
                which = "the model this run trained from the current project files (not models/ally.tar.gz)"
            else:
                ally_model, which = str(ROOT / "models" / "ally.tar.gz"), "models/ally.tar.gz (the project's model)"
        ally = ally_bot(Path(ally_model), workdir, ally_extra_env)
        stock = stock_bot(Path(stock_training["model"]), workdir, Path(stock_training["project"]))
        bots = [ally, stock]

        # 2. start-to-ready
        sampler.mark("start_to_ready")
        measure_starts(bots, args.starts)

        # 3. warm-up and memory
        sampler.mark("warmup")
        warm_up(bots, args.warmup)
        time.sleep(2)
        memory_warm = {bot.name: mb(bot.rss()) for bot in bots}
        log(f"RSS after warm-up (MB): {memory_warm}")

        # 4. one user
        sampler.mark("latency_1_user")
        latency = measure_latency(bots, args.latency_messages, args.round)
        for name, figures in latency.items():
            log(f"one user {name}: p50 {figures['p50_ms']} p95 {figures['p95_ms']} p99 {figures['p99_ms']} ms")

        # 5. concurrency
        concurrency: Dict[str, Dict[str, Any]] = {bot.name: {} for bot in bots}
        for level in levels:
            sampler.mark(f"concurrency_{level}")
            for name, figures in measure_concurrency(bots, level, args.duration).items():
                concurrency[name][str(level)] = figures

        # 6. memory after load
        memory_load = {bot.name: mb(bot.rss()) for bot in bots}
        log(f"RSS after all load (MB): {memory_load}")
    finally:
        for bot in bots:
            bot.stop()

    # 7. profile
    profiles = None
    if args.profile_messages > 0:
        sampler.mark("profile")
        profiles = run_profiles(workdir, ally_model, stock_training, args.profile_messages)
        if profiles is not None:
            profiles["date"] = date
            profiles["messages"] = args.profile_messages
            report.PROFILE.write_text(json.dumps(profiles, indent=2) + "\n")
    sampler.stop()

    # 8. results
    def bot_results(bot: Bot, training: Dict[str, Any], model: str, which_model: str) -> Dict[str, Any]:
        name = bot.name
        return {
            "model": {
                "path": model
                if not model.startswith(str(workdir))
                else "<tmp>/" + str(Path(model).relative_to(workdir)),
                "which": which_model,
            },
            "training": {k: v for k, v in training.items() if k not in ("project", "model")},
            "start_to_ready": start_summary(bot),
            "latency_1_user": {k: v for k, v in latency[name].items() if k != "cpu_per_message_ms"},
            "concurrency": {
                lvl: {k: v for k, v in fig.items() if k != "cpu_per_message_ms"}
                for lvl, fig in concurrency[name].items()
            },
            "cpu_per_message_ms": {
                "latency_1_user": latency[name]["cpu_per_message_ms"],
                **{lvl: fig["cpu_per_message_ms"] for lvl, fig in concurrency[name].items()},
            },
            "memory": {"after_warmup_mb": memory_warm[name], "after_load_mb": memory_load[name]},
        }

    ally_results = bot_results(ally, ally_training, ally_model, which)
    stock_results = bot_results(
        stock, stock_training, stock_training["model"], "the model `rasa init --no-prompt` trained in this run"
    )
    results = {
        "schema_version": report.SCHEMA_VERSION,
        "date": date,
        "duration_s": round(time.monotonic() - started, 1),
        "rasa_version": rasa_version(),
        "machine": {**info, "load_average_at_end": load_average()},
        "load_average": sampler.summary(),
        "settings": {
            "starts": args.starts,
            "warmup_messages": args.warmup,
            "latency_messages": args.latency_messages,
            "round": args.round,
            "concurrency_levels": levels,
            "duration_s_per_round": args.duration,
            "concurrency_rounds": "A B B A",
            "turns_per_conversation": workload.TURNS_PER_CONVERSATION,
            "skip_training": args.skip_training,
            "ally_extra_env": ally_extra_env or None,
        },
        "ally": ally_results,
        "stock": stock_results,
        "targets": report.evaluate_targets(ally_results, stock_results),
        "nlu_quality": report.nlu_quality(),
    }
    problems = report.validate_results(results)
    if problems:
        log("results problems: " + "; ".join(problems))
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    log(f"wrote {args.out}")
    if not args.no_doc and experiment:
        report.render_doc(experiment=results)
        log(f"refreshed the experiment table in {report.DOC.relative_to(ROOT)}")
    elif not args.no_doc:
        report.render_doc(results, profiles)
        log(f"refreshed {report.DOC.relative_to(ROOT)}")
    for row in results["targets"]:
        state = {True: "met", False: "NOT met", None: "n/a"}[row["met"]]
        log(
            f"target {row['label']}: Ally {row['ally']} vs stock {row['stock']} -> ratio {row['ratio']} "
            f"({row['target']}): {state}"
        )
    log(f"done in {results['duration_s']:.0f} s")
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
