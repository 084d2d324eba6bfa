"""Where one message's time goes: a per-component profile of a trained Rasa model.

Loads the model in this process with Rasa's own `load_agent` (the same code
path as `rasa run`, minus HTTP), sends the benchmark's conversations through
`Agent.handle_message` one message at a time, and times:

* every graph node (each NLU component, each policy, the prediction
  ensemble) by wrapping `rasa.engine.graph.GraphNode.__call__`;
* each graph run (the NLU graph once per message, the policy graph once per
  predicted action), so the graph runner's own overhead shows too;
* every custom action call (`RemoteAction.run`: building the request from the
  tracker, the HTTP round trip to the action server and its work, applying
  the answer), and within it the HTTP request alone;
* the tracker store (`retrieve`, `save`) and the lock store;
* the action server's own CPU time (from /proc).

Wall time and process CPU time are both recorded: CPU time (all threads of
this process, TensorFlow's included) is much less sensitive to other work on
the machine than wall time. The HTTP layer (Sanic, JSON) is not included;
compare with the REST round trips in bench/results.json for that.

    .venv/bin/python bench/profile_components.py --bot ally --model models/ally.tar.gz --out /tmp/p.json
    .venv/bin/python bench/profile_components.py --bot stock --model <stock>/models/x.tar.gz \
        --project <stock folder> --out /tmp/s.json

bench/run_bench.py runs it for both bots and merges the output into bench/profile.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]
os.environ.update(
    RASA_TELEMETRY_ENABLED="false",
    TF_CPP_MIN_LOG_LEVEL="2",
    PYTHONWARNINGS="ignore",
    SQLALCHEMY_SILENCE_UBER_WARNING="1",
)

from benchlib import cpu_seconds, free_port, rss_bytes, stop_process, summarize_ms, wait_http_ok  # noqa: E402
from workload import message_stream  # noqa: E402


class Clock:
    """Accumulates wall and CPU seconds per key while measuring is on."""

    def __init__(self) -> None:
        self.on = False
        self.wall: Dict[str, float] = defaultdict(float)
        self.cpu: Dict[str, float] = defaultdict(float)
        self.calls: Dict[str, int] = defaultdict(int)
        self.stage = "?"

    def add(self, key: str, wall: float, cpu: float) -> None:
        if self.on:
            self.wall[key] += wall
            self.cpu[key] += cpu
            self.calls[key] += 1


CLOCK = Clock()


def timed_sync(key_of, fn):
    def wrapper(*args, **kwargs):
        w, c = time.perf_counter(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            CLOCK.add(key_of(*args, **kwargs), time.perf_counter() - w, time.process_time() - c)

    return wrapper


def timed_async(key_of, fn):
    async def wrapper(*args, **kwargs):
        w, c = time.perf_counter(), time.process_time()
        try:
            return await fn(*args, **kwargs)
        finally:
            # CPU of an awaited coroutine: only this request runs, so process time is its own.
            CLOCK.add(key_of(*args, **kwargs), time.perf_counter() - w, time.process_time() - c)

    return wrapper


def instrument(agent: Any) -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.engine.graph import GraphNode
    from rasa.utils.endpoints import EndpointConfig

    GraphNode.__call__ = timed_sync(lambda self, *a, **k: f"node:{CLOCK.stage}:{self._node_name}", GraphNode.__call__)
    RemoteAction.run = timed_async(lambda self, *a, **k: f"action:{self.name()}", RemoteAction.run)
    EndpointConfig.request = timed_async(lambda self, *a, **k: "http:action_server", EndpointConfig.request)

    processor = agent.processor
    runner = processor.graph_runner
    nlu_target = processor.model_metadata.nlu_target
    original_run = runner.run

    def run(inputs, targets=None):
        stage = "nlu" if targets == [nlu_target] else "core"
        CLOCK.stage = stage
        w, c = time.perf_counter(), time.process_time()
        try:
            return original_run(inputs=inputs, targets=targets)
        finally:
            CLOCK.add(f"graph:{stage}", time.perf_counter() - w, time.process_time() - c)
            CLOCK.stage = "?"

    runner.run = run
    store = agent.tracker_store
    store.retrieve = timed_async(lambda *a, **k: "store:retrieve", store.retrieve)
    store.save = timed_async(lambda *a, **k: "store:save", store.save)
    lock_store = agent.lock_store
    original_lock = lock_store.lock

    def lock(*args, **kwargs):
        manager = original_lock(*args, **kwargs)

        class Timed:
            async def __aenter__(self):
                w, c = time.perf_counter(), time.process_time()
                result = await manager.__aenter__()
                CLOCK.add("lock:acquire", time.perf_counter() - w, time.process_time() - c)
                return result

            async def __aexit__(self, *exc):
                w, c = time.perf_counter(), time.process_time()
                result = await manager.__aexit__(*exc)
                CLOCK.add("lock:release", time.perf_counter() - w, time.process_time() - c)
                return result

        return Timed()

    lock_store.lock = lock


def node_labels(agent: Any) -> Dict[str, Dict[str, Any]]:
    """Node name -> component class name and a short configuration hint."""
    labels = {}
    for name, node in agent.processor.model_metadata.predict_schema.nodes.items():
        uses = node.uses.__name__
        try:
            cfg = {**node.uses.get_default_config(), **(node.config or {})}
        except Exception:  # a component without defaults
            cfg = dict(node.config or {})
        hint = ""
        if name.startswith("provide_"):
            hint = "model provider"
        elif uses == "CountVectorsFeaturizer":
            analyzer = cfg.get("analyzer", "word")
            hint = "words" if analyzer == "word" else f"{analyzer} {cfg.get('min_ngram', 1)}-{cfg.get('max_ngram', 1)}"
        elif uses in ("DIETClassifier", "TEDPolicy", "UnexpecTEDIntentPolicy", "ResponseSelector"):
            layers = cfg.get("number_of_transformer_layers")
            size = cfg.get("transformer_size")
            if isinstance(layers, dict):
                layers = "/".join(str(v) for v in layers.values())
            if isinstance(size, dict):
                size = "/".join(str(v) for v in size.values())
            hint = f"{layers} transformer layer(s) of size {size}, {cfg.get('epochs')} epochs"
        labels[name] = {"component": uses, "hint": hint}
    return labels


async def profile(
    bot: str, model: str, endpoints: Optional[str], messages: int, warmup: int, action_pid: Optional[int] = None
) -> Dict[str, Any]:
    imports_started = time.perf_counter()
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.utils import AvailableEndpoints
    from rasa.engine.graph import GraphNode

    import_s = time.perf_counter() - imports_started
    rss = {"after_imports_mb": rss_bytes(os.getpid()) / 2**20}
    load_times: Dict[str, float] = {}
    original_load = GraphNode._load_component

    def timed_load(self, **kwargs):
        w = time.perf_counter()
        try:
            return original_load(self, **kwargs)
        finally:
            load_times[self._node_name] = load_times.get(self._node_name, 0.0) + time.perf_counter() - w

    GraphNode._load_component = timed_load
    started = time.perf_counter()
    agent = await load_agent(
        model_path=model, endpoints=AvailableEndpoints.read_endpoints(endpoints) if endpoints else None
    )
    load_s = time.perf_counter() - started
    GraphNode._load_component = original_load
    rss["after_model_load_mb"] = rss_bytes(os.getpid()) / 2**20
    instrument(agent)
    labels = node_labels(agent)
    stream = message_stream(bot, f"profile-{bot}")

    async def one() -> List[Dict[str, Any]]:
        sender, body = next(stream)
        output = CollectingOutputChannel()
        await agent.handle_message(
            UserMessage(body["message"], output, sender, input_channel="rest", metadata=body.get("metadata"))
        )
        return output.messages

    for _ in range(warmup):
        await one()
    rss["after_warmup_mb"] = rss_bytes(os.getpid()) / 2**20
    totals_wall, totals_cpu, replies = [], [], 0
    action_cpu = cpu_seconds(action_pid) if action_pid else None
    CLOCK.on = True
    for _ in range(messages):
        w, c = time.perf_counter(), time.process_time()
        replies += bool(await one())
        totals_wall.append(time.perf_counter() - w)
        totals_cpu.append(time.process_time() - c)
    CLOCK.on = False
    rss["after_profile_mb"] = rss_bytes(os.getpid()) / 2**20
    if action_pid:
        action_cpu = cpu_seconds(action_pid) - action_cpu
    return {
        "action_server_cpu_s": action_cpu,
        "load_s": load_s,
        "import_s": import_s,
        "load_times": load_times,
        "rss": rss,
        "labels": labels,
        "wall": dict(CLOCK.wall),
        "cpu": dict(CLOCK.cpu),
        "calls": dict(CLOCK.calls),
        "totals_wall": totals_wall,
        "totals_cpu": totals_cpu,
        "answered": replies,
    }


def summarize(bot: str, raw: Dict[str, Any], messages: int, action_server_cpu_s: Optional[float]) -> Dict[str, Any]:
    """Per-message means in milliseconds, grouped for the report."""

    def per_msg(seconds: float) -> float:
        return round(seconds * 1000 / messages, 2)

    wall, cpu, calls, labels = raw["wall"], raw["cpu"], raw["calls"], raw["labels"]
    components = []
    for key in [k for k in wall if k.startswith("node:")]:  # first-run order
        _, stage, node = key.split(":", 2)
        label = labels.get(node, {"component": node, "hint": ""})
        components.append(
            {
                "node": node,
                "stage": stage,
                "component": label["component"],
                "hint": label["hint"],
                "calls_per_message": round(calls[key] / messages, 2),
                "wall_ms": per_msg(wall[key]),
                "cpu_ms": per_msg(cpu[key]),
            }
        )
    graphs = {}
    for stage in ("nlu", "core"):
        key = f"graph:{stage}"
        if key in wall:
            node_wall = sum(wall[k] for k in wall if k.startswith(f"node:{stage}:"))
            node_cpu = sum(cpu[k] for k in cpu if k.startswith(f"node:{stage}:"))
            graphs[stage] = {
                "runs_per_message": round(calls[key] / messages, 2),
                "wall_ms": per_msg(wall[key]),
                "cpu_ms": per_msg(cpu[key]),
                "runner_overhead_wall_ms": per_msg(wall[key] - node_wall),
                "runner_overhead_cpu_ms": per_msg(cpu[key] - node_cpu),
            }
    actions = {}
    for key in sorted(k for k in wall if k.startswith("action:")):
        actions[key.split(":", 1)[1]] = {
            "calls_per_message": round(calls[key] / messages, 2),
            "wall_ms": per_msg(wall[key]),
            "cpu_ms": per_msg(cpu[key]),
        }
    other_keys = {k: k for k in wall if k.split(":")[0] in ("store", "lock", "http")}
    others = {
        k: {"calls_per_message": round(calls[k] / messages, 2), "wall_ms": per_msg(wall[k]), "cpu_ms": per_msg(cpu[k])}
        for k in sorted(other_keys)
    }
    total_wall, total_cpu = sum(raw["totals_wall"]), sum(raw["totals_cpu"])
    accounted_wall = sum(wall[k] for k in wall if k.startswith(("graph:", "action:", "store:", "lock:")))
    accounted_cpu = sum(cpu[k] for k in cpu if k.startswith(("graph:", "action:", "store:", "lock:")))
    return {
        "bot": bot,
        "messages": messages,
        "answered": raw["answered"],
        "model_load_s": round(raw["load_s"], 1),
        "rasa_import_s": round(raw["import_s"], 1),
        "rss_mb": {k: round(v, 1) for k, v in raw["rss"].items()},
        "component_load_s": {
            node: round(t, 2) for node, t in sorted(raw["load_times"].items(), key=lambda kv: -kv[1]) if t >= 0.05
        },
        "per_message": {
            "wall": summarize_ms(raw["totals_wall"]),
            "wall_mean_ms": per_msg(total_wall),
            "cpu_mean_ms": per_msg(total_cpu),
            "rest_of_rasa_wall_ms": per_msg(total_wall - accounted_wall),
            "rest_of_rasa_cpu_ms": per_msg(total_cpu - accounted_cpu),
            "action_server_cpu_ms": None if action_server_cpu_s is None else per_msg(action_server_cpu_s),
        },
        "components": components,
        "graph_runs": graphs,
        "actions": actions,
        "stores_and_http": others,
    }


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bot", choices=["ally", "stock"], required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--project", help="the bot's project folder (default: Ally's)", default=str(ROOT))
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    project = Path(args.project)
    os.chdir(project)  # relative paths in the model's config (Ally's spaCy pipeline) resolve from here
    if str(project) not in sys.path:
        sys.path.insert(0, str(project))

    action = None
    endpoints: Optional[str] = None
    try:
        if args.bot == "ally":
            port = free_port()
            action = subprocess.Popen(
                [str(Path(sys.executable).parent / "rasa"), "run", "actions", "--port", str(port)],
                cwd=project,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL,
            )
            wait_http_ok(f"http://127.0.0.1:{port}/health", action, "action server")
            tmp = Path(args.out).with_suffix(".endpoints.yml")
            tmp.write_text((project / "endpoints.yml").read_text().replace("127.0.0.1:5055", f"127.0.0.1:{port}"))
            endpoints = str(tmp)
        elif (project / "endpoints.yml").exists():
            endpoints = str(project / "endpoints.yml")
        raw = asyncio.run(
            profile(args.bot, args.model, endpoints, args.messages, args.warmup, action.pid if action else None)
        )
    finally:
        if action is not None:
            stop_process(action)
    result = summarize(args.bot, raw, args.messages, raw["action_server_cpu_s"])
    result["model"] = args.model
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(json.dumps(result["per_message"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
