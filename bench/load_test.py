"""Load test and cluster launcher for Ally (loopback only, bounded in time).

As a script (`make load`): starts a `make run`-style server (one Rasa server
with the in-memory store, tests/conftest.py's Servers) and the scale-out
cluster (scripts/run_cluster.sh: Redis, two replicas, nginx), runs N
concurrent conversations x T turns against each, and writes the figures to
a JSON file:

    .venv/bin/python bench/load_test.py --target both --conversations 200 --turns 10 \
        --out bench/load-results.json
    .venv/bin/python bench/load_test.py --url http://127.0.0.1:5005   # a server already running

Every conversation gets its own metadata country (in its first turn only,
so later turns rely on the stored state) from actions/helplines.yml, cycling
through the directory; every turn is a message whose answer carries the
hand-off payload. A reply counts as:
  * error: HTTP status other than 200, a connection error, no hand-off payload
    (`missing_handoff`), or a hand-off without any country (`country_lost`: the
    conversation's country was not known when the reply was made);
  * timeout: no answer within --timeout seconds (or the whole run hit --deadline);
  * cross-talk: a hand-off payload (`custom.ally_handoff.country`) for another country.

pytest: tests/cluster/test_cluster.py runs a small version (20 x 5) against both.
The servers and the cluster it starts are the tests' own (tests/support/).
"""

import argparse
import asyncio
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
for path in (TESTS, ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from support.clients import RawSocketIO  # noqa: E402,F401
from support.cluster import MODEL, Cluster, Servers, post  # noqa: E402,F401

# Each of these is answered with guidance and the hand-off (country's helpline + payload).
TURNS = [
    "he says he'll send my pics to everyone unless i pay him",
    "can i talk to a real person",
    "someone on snap keeps asking me for pics",
    "can i talk to a real person",
    "he says he'll send my pics to everyone unless i pay him",
    "i want to talk to someone",
    "someone on snap keeps asking me for pics",
    "can i talk to a real person",
    "he says he'll send my pics to everyone unless i pay him",
    "can i talk to a real person",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
OFFLINE_START = "You can talk to a real person for free"  # utter_offline_help


def country_codes() -> List[str]:
    from actions.directory import load_directory

    return sorted(load_directory().countries)


# --- the load client ---------------------------------------------------------------
def percentile(values: List[float], q: float) -> Optional[float]:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def _conversation(
    session: Any, url: str, sender: str, country: str, turns: int, timeout: float, stats: Dict[str, Any]
) -> None:
    import aiohttp

    for turn in range(turns):
        body: Dict[str, Any] = {"sender": sender, "message": TURNS[turn % len(TURNS)]}
        if turn == 0:
            body["metadata"] = {"country": country}
        started = time.monotonic()
        try:
            async with session.post(url, json=body, timeout=aiohttp.ClientTimeout(total=timeout)) as response:
                status = response.status
                replies = await response.json(content_type=None)
        except asyncio.TimeoutError:
            stats["timeouts"] += 1
            continue
        except (aiohttp.ClientError, ValueError, OSError) as error:
            stats["errors"] += 1
            stats["error_kinds"][type(error).__name__] = stats["error_kinds"].get(type(error).__name__, 0) + 1
            continue
        stats["latencies"].append(time.monotonic() - started)
        stats["status"][str(status)] = stats["status"].get(str(status), 0) + 1
        if status != 200 or not isinstance(replies, list):
            stats["errors"] += 1
            continue
        if any(isinstance(r, dict) and (r.get("text") or "").startswith(OFFLINE_START) for r in replies):
            stats["offline_answers"] += 1  # a custom action failed or timed out (ally/action_fallback.py)
        handoffs = [
            r["custom"]["ally_handoff"]
            for r in replies
            if isinstance(r, dict) and isinstance(r.get("custom"), dict) and "ally_handoff" in r["custom"]
        ]
        if not handoffs:
            stats["errors"] += 1
            stats["missing_handoff"] += 1
            continue
        countries = {h.get("country") for h in handoffs}
        if countries - {country, None}:  # another conversation's country
            stats["cross_talk"] += 1
            stats["cross_talk_samples"].append({"own": country, "got": sorted(c for c in countries if c)})
            continue
        if None in countries:  # the generic hand-off: this conversation's country was not known
            stats["errors"] += 1
            stats["country_lost"] += 1
            continue
        stats["ok"] += 1


async def run_load(
    base_url: str,
    conversations: int = 200,
    turns: int = 10,
    timeout: float = 120,
    deadline: float = 900,
    label: str = "",
) -> Dict[str, Any]:
    """N concurrent conversations x T turns against `base_url`; the figures as a dict."""
    import aiohttp

    host = urlparse(base_url).hostname
    if host not in LOOPBACK:
        raise ValueError(f"the load test runs on loopback only, not against {host}")
    url = base_url.rstrip("/") + "/webhooks/rest/webhook"
    codes = country_codes()
    run_id = uuid.uuid4().hex[:8]
    stats: Dict[str, Any] = {
        "ok": 0,
        "errors": 0,
        "timeouts": 0,
        "cross_talk": 0,
        "missing_handoff": 0,
        "country_lost": 0,
        "offline_answers": 0,
        "status": {},
        "error_kinds": {},
        "cross_talk_samples": [],
        "latencies": [],
    }
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    async with aiohttp.ClientSession(connector=connector) as session:
        tasks = [
            asyncio.ensure_future(_conversation(session, url, f"load-{run_id}-{i}", country, turns, timeout, stats))
            for i, country in zip(range(conversations), itertools.cycle(codes))
        ]
        done, pending = await asyncio.wait(tasks, timeout=deadline)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
    elapsed = time.monotonic() - started
    requests = conversations * turns
    answered = stats["ok"] + stats["errors"] + stats["timeouts"] + stats["cross_talk"]
    stats["timeouts"] += requests - answered  # turns never sent because the deadline hit
    latencies = stats.pop("latencies")
    ms = lambda v: None if v is None else round(v * 1000, 1)  # noqa: E731
    return {
        "label": label,
        "url": base_url,
        "conversations": conversations,
        "turns": turns,
        "requests": requests,
        "ok": stats["ok"],
        "errors": stats["errors"],
        "timeouts": stats["timeouts"],
        "cross_talk": stats["cross_talk"],
        "cross_talk_samples": stats["cross_talk_samples"][:10],
        "missing_handoff": stats["missing_handoff"],
        "country_lost": stats["country_lost"],
        "offline_answers": stats["offline_answers"],
        "status": stats["status"],
        "error_kinds": stats["error_kinds"],
        "countries": min(conversations, len(codes)),
        "duration_s": round(elapsed, 1),
        "throughput_rps": round(len(latencies) / elapsed, 1) if elapsed else None,
        "latency_ms": {
            "p50": ms(percentile(latencies, 50)),
            "p95": ms(percentile(latencies, 95)),
            "p99": ms(percentile(latencies, 99)),
            "max": ms(max(latencies) if latencies else None),
            "mean": ms(statistics.fmean(latencies) if latencies else None),
        },
        "request_timeout_s": timeout,
        "machine_load_1min": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
    }


# --- the cluster, for tests and `make load` ----------------------------------------------
# --- the script ---------------------------------------------------------------------
def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--target",
        choices=["single", "cluster", "both"],
        default="both",
        help="start this and run against it (default both)",
    )
    parser.add_argument("--url", help="run against a server already running here instead (loopback only)")
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=120, help="seconds per request")
    parser.add_argument("--deadline", type=float, default=900, help="seconds for a whole run")
    parser.add_argument("--out", default=str(ROOT / "bench" / "load-results.json"))
    args = parser.parse_args(argv)
    if not MODEL.exists():
        print("models/ally.tar.gz is missing: run make train", file=sys.stderr)
        return 2

    results: List[Dict[str, Any]] = []

    def run(label: str, url: str) -> None:
        print(f"{label}: {args.conversations} conversations x {args.turns} turns against {url} ...", flush=True)
        result = asyncio.run(run_load(url, args.conversations, args.turns, args.timeout, args.deadline, label))
        results.append(result)
        print(json.dumps(result, indent=2), flush=True)

    if args.url:
        run("given", args.url)
    else:
        with tempfile.TemporaryDirectory(prefix="ally-load-") as workdir:
            if args.target in ("single", "both"):
                (Path(workdir) / "single").mkdir()
                servers = Servers(Path(workdir) / "single")
                try:
                    run("single server (make run)", servers.url)
                finally:
                    servers.stop()
            if args.target in ("cluster", "both"):
                (Path(workdir) / "cluster").mkdir()
                cluster = Cluster(Path(workdir) / "cluster")
                try:
                    run("cluster (make run-cluster: nginx + 2 replicas + Redis)", cluster.url)
                finally:
                    cluster.stop()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "machine": {"cpus": os.cpu_count()},
                "note": "loopback, shared machine: timings are indicative only",
                "runs": results,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"results written to {out}")
    bad = sum(r["errors"] + r["timeouts"] + r["cross_talk"] for r in results)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
