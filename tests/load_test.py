"""Load test and cluster launcher for Ally (loopback only, bounded in time).

As a script (`make load`): starts a `make run`-style server (one Rasa server
with the in-memory store, tests/conftest.py's Servers) and the scale-out
cluster (scripts/run_cluster.sh: Redis, two replicas, nginx), runs N
concurrent conversations x T turns against each, and writes the figures to
a JSON file:

    .venv/bin/python tests/load_test.py --target both --conversations 200 --turns 10 \
        --out bench/load-results.json
    .venv/bin/python tests/load_test.py --url http://127.0.0.1:5005   # a server already running

Every conversation gets its own metadata country (in its first turn only,
so later turns rely on the stored state) from actions/helplines.yml, cycling
through the directory; every turn is a message whose answer carries the
hand-off payload. A reply counts as:
  * error: HTTP status other than 200, a connection error, no hand-off payload
    (`missing_handoff`), or a hand-off without any country (`country_lost`: the
    conversation's country was not known when the reply was made);
  * timeout: no answer within --timeout seconds (or the whole run hit --deadline);
  * cross-talk: a hand-off payload (`custom.ally_handoff.country`) for another country.

pytest: tests/test_cluster.py runs a small version (20 x 5) against both.
Also imported by the tests: `Cluster` starts scripts/run_cluster.sh on free
ports and gives the tests the handles to kill and restart its parts.
"""
import argparse
import asyncio
import itertools
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from conftest import MODEL, VENV_BIN, Servers, free_port, wait_until_up  # noqa: E402

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


async def _conversation(session: Any, url: str, sender: str, country: str, turns: int,
                        timeout: float, stats: Dict[str, Any]) -> None:
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
        handoffs = [r["custom"]["ally_handoff"] for r in replies
                    if isinstance(r, dict) and isinstance(r.get("custom"), dict) and "ally_handoff" in r["custom"]]
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


async def run_load(base_url: str, conversations: int = 200, turns: int = 10, timeout: float = 120,
                   deadline: float = 900, label: str = "") -> Dict[str, Any]:
    """N concurrent conversations x T turns against `base_url`; the figures as a dict."""
    import aiohttp

    host = urlparse(base_url).hostname
    if host not in LOOPBACK:
        raise ValueError(f"the load test runs on loopback only, not against {host}")
    url = base_url.rstrip("/") + "/webhooks/rest/webhook"
    codes = country_codes()
    run_id = uuid.uuid4().hex[:8]
    stats: Dict[str, Any] = {"ok": 0, "errors": 0, "timeouts": 0, "cross_talk": 0, "missing_handoff": 0,
                             "country_lost": 0, "offline_answers": 0, "status": {}, "error_kinds": {},
                             "cross_talk_samples": [], "latencies": []}
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    async with aiohttp.ClientSession(connector=connector) as session:
        tasks = [
            asyncio.ensure_future(_conversation(
                session, url, f"load-{run_id}-{i}", country, turns, timeout, stats))
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
        "label": label, "url": base_url, "conversations": conversations, "turns": turns,
        "requests": requests, "ok": stats["ok"], "errors": stats["errors"], "timeouts": stats["timeouts"],
        "cross_talk": stats["cross_talk"], "cross_talk_samples": stats["cross_talk_samples"][:10],
        "missing_handoff": stats["missing_handoff"], "country_lost": stats["country_lost"],
        "offline_answers": stats["offline_answers"],
        "status": stats["status"], "error_kinds": stats["error_kinds"],
        "countries": min(conversations, len(codes)),
        "duration_s": round(elapsed, 1),
        "throughput_rps": round(len(latencies) / elapsed, 1) if elapsed else None,
        "latency_ms": {
            "p50": ms(percentile(latencies, 50)), "p95": ms(percentile(latencies, 95)),
            "p99": ms(percentile(latencies, 99)), "max": ms(max(latencies) if latencies else None),
            "mean": ms(statistics.fmean(latencies) if latencies else None),
        },
        "request_timeout_s": timeout,
        "machine_load_1min": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
    }


# --- the cluster, for tests and `make load` ----------------------------------------------
def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def wait_port_closed(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while port_open(port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"port {port} still open after {timeout} s")
        time.sleep(0.1)


def post(url: str, body: Any, timeout: float = 60, headers: Optional[dict] = None) -> Tuple[int, dict, Any]:
    """POST `body` (bytes as is, anything else as JSON); (status, headers, parsed JSON or raw bytes)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, head, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, head, raw = error.code, dict(error.headers), error.read()
    try:
        return status, head, json.loads(raw)
    except ValueError:
        return status, head, raw


class Cluster:
    """scripts/run_cluster.sh on free ports, plus handles to stop and restart its parts."""

    def __init__(self, workdir: Path, env: Optional[dict] = None, log_level: str = "info") -> None:
        self.workdir = Path(workdir)
        self.port = free_port()
        self.replica_ports = [free_port(), free_port()]
        self.action_port = free_port()
        self.redis_port = free_port()
        self.run_dir = self.workdir / "run"
        self.logs: Dict[str, Path] = {"cluster": self.workdir / "cluster.log"}
        self.extra: Dict[str, subprocess.Popen] = {}  # parts restarted by a test
        self.env = dict(
            os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", PYTHONWARNINGS="ignore",
            ALLY_ACTION_TIMEOUT="8", ALLY_PORT=str(self.port),
            ALLY_REPLICA_PORTS=" ".join(map(str, self.replica_ports)), ALLY_ACTION_PORT=str(self.action_port),
            ALLY_REDIS_PORT=str(self.redis_port), ALLY_RUN_DIR=str(self.run_dir), ALLY_LOG_LEVEL=log_level,
            **(env or {}),
        )
        self.process = subprocess.Popen(
            ["bash", str(ROOT / "scripts" / "run_cluster.sh")], cwd=ROOT, env=self.env,
            stdout=self.logs["cluster"].open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            wait_until_up(f"{self.url}/webhooks/rest/", self.process, "the cluster (scripts/run_cluster.sh)", timeout=420)
        except Exception:
            self.stop()
            raise

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def replica_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.replica_ports[index]}"

    def say(self, base_url: str, sender: str, message: str, metadata: Optional[dict] = None,
            timeout: float = 60) -> Tuple[int, dict, Any]:
        body: Dict[str, Any] = {"sender": sender, "message": message}
        if metadata is not None:
            body["metadata"] = metadata
        return post(f"{base_url}/webhooks/rest/webhook", body, timeout=timeout)

    # --- its parts --------------------------------------------------------------------
    def pid(self, name: str) -> int:
        found = [line.split() for line in (self.run_dir / "pids").read_text().splitlines()]
        return int([pid for part, pid in found if part == name][-1])

    def stop_part(self, name: str, sig: int = signal.SIGTERM) -> None:
        """Stop a part: one the script started (redis, actions, replica-a, ...) or one a test restarted."""
        port = {"redis": self.redis_port, "actions": self.action_port, "replica-a": self.replica_ports[0],
                "replica-b": self.replica_ports[1]}[name]
        if name in self.extra:
            self.extra.pop(name).send_signal(sig)
        else:
            os.kill(self.pid(name), sig)
        wait_port_closed(port)

    def _start_extra(self, name: str, command: List[str], url: Optional[str]) -> None:
        log = self.workdir / f"{name}-restarted.log"
        self.logs[f"{name}-restarted"] = log
        process = subprocess.Popen(command, cwd=ROOT, env=dict(self.env, ALLY_REDIS_HOST="127.0.0.1"),
                                   stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
        self.extra[name] = process
        if url:
            wait_until_up(url, process, name, timeout=300)

    def restart_redis(self) -> None:
        self._start_extra("redis", ["redis-server", str(ROOT / "deploy" / "redis" / "redis.conf"), "--port",
                                    str(self.redis_port), "--dir", str(self.run_dir), "--daemonize", "no"], None)
        import redis

        client = redis.Redis(port=self.redis_port)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not restart")

    def restart_actions(self) -> None:
        self._start_extra("actions", [str(VENV_BIN / "rasa"), "run", "actions", "--port", str(self.action_port)],
                          f"http://127.0.0.1:{self.action_port}/health")

    def restart_replica(self, index: int) -> None:
        origins = self.env.get("ALLY_ALLOWED_ORIGINS") or f"http://127.0.0.1:{self.port},http://localhost:{self.port}"
        self._start_extra(f"replica-{'ab'[index]}", [
            str(VENV_BIN / "rasa"), "run", "--model", str(MODEL), "--endpoints", str(self.run_dir / "endpoints.yml"),
            "--credentials", str(ROOT / "credentials.yml"), "--interface", "127.0.0.1",
            "--port", str(self.replica_ports[index]), "--cors", *origins.split(","),
        ], f"{self.replica_url(index)}/")

    def redis_client(self, db: int = 0) -> Any:
        import redis

        return redis.Redis(port=self.redis_port, db=db)

    def stop(self) -> None:
        for process in self.extra.values():
            process.terminate()
        if self.process.poll() is None:
            self.process.terminate()  # the script's trap stops its parts
        for process in [*self.extra.values(), self.process]:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # its own session: only what it started
                process.wait(timeout=10)
        self.extra.clear()


_SHARED: Dict[str, Cluster] = {}


def shared_cluster(request: Any, tmp_path_factory: Any) -> Cluster:
    """One cluster per pytest session for tests/test_cluster.py and tests/test_faults.py.

    Starting it takes a minute or more on 2 cores, so the modules share it; it
    stops when the session ends. Redis is retried every second after an outage
    (ALLY_REDIS_RETRY_SECONDS=1) so the fault tests need not wait 5 s.
    """
    cluster = _SHARED.get("cluster")
    if cluster is None or cluster.process.poll() is not None:
        for tool in ("redis-server", "nginx"):
            if shutil.which(tool) is None and not Path("/usr/sbin", tool).exists():
                raise RuntimeError(f"{tool} is not installed (.ci/run installs it)")
        cluster = Cluster(tmp_path_factory.mktemp("cluster"), env={"ALLY_REDIS_RETRY_SECONDS": "1"})
        _SHARED["cluster"] = cluster
        request.config.add_cleanup(cluster.stop)
    return cluster


# --- a raw socket.io client (python-socketio's client needs a newer aiohttp than Rasa allows) ---
class RawSocketIO:
    """Engine.io v4 / socket.io v5 over one WebSocket, as Ally's widget speaks it."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    @classmethod
    async def connect(cls, base_url: str, origin: Optional[str] = None) -> "RawSocketIO":
        import websockets

        url = base_url.replace("http://", "ws://", 1).rstrip("/") + "/socket.io/?EIO=4&transport=websocket"
        headers = {"Origin": origin} if origin else None
        ws = await websockets.connect(url, extra_headers=headers, max_size=None, open_timeout=30)
        client = cls(ws)
        opened = await asyncio.wait_for(ws.recv(), 30)
        assert str(opened).startswith("0"), opened
        await ws.send("40")
        await client._until(lambda packet: packet.startswith("40"), 30)
        return client

    async def _until(self, accept: Any, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise asyncio.TimeoutError
            packet = await asyncio.wait_for(self.ws.recv(), remaining)
            if packet == "2":  # engine.io ping
                await self.ws.send("3")
                continue
            if accept(packet):
                return packet

    async def emit(self, event: str, data: Any) -> None:
        await self.ws.send("42" + json.dumps([event, data]))

    async def send_raw(self, frame: Any) -> None:
        await self.ws.send(frame)

    async def start_session(self, session_id: str) -> None:
        await self.emit("session_request", {"session_id": session_id})
        await self._until(lambda p: p.startswith('42["session_confirm"'), 30)

    async def bot_messages(self, quiet: float = 2.0, timeout: float = 60) -> List[dict]:
        """The bot_uttered events until none came for `quiet` seconds (at least one, within `timeout`)."""
        messages: List[dict] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            wait = quiet if messages else deadline - time.monotonic()
            try:
                packet = await self._until(lambda p: p.startswith('42["bot_uttered"'), max(0.1, wait))
            except asyncio.TimeoutError:
                break
            messages.append(json.loads(packet[2:])[1])
        return messages

    async def close(self) -> None:
        await self.ws.close()


# --- the script ---------------------------------------------------------------------
def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", choices=["single", "cluster", "both"], default="both",
                        help="start this and run against it (default both)")
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
    out.write_text(json.dumps({
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": {"cpus": os.cpu_count()},
        "note": "loopback, shared machine: timings are indicative only", "runs": results,
    }, indent=2) + "\n")
    print(f"results written to {out}")
    bad = sum(r["errors"] + r["timeouts"] + r["cross_talk"] for r in results)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
