"""The canary suite: chat text must appear nowhere after real conversations.

Real Rasa and action servers (once at INFO with the in-memory store, once at
DEBUG with the Redis store and a real redis-server) get multi-turn
conversations over the REST and the widget's socket.io channels, whose every
message carries a unique canary. The conversation
fills slots and runs the hand-off, so the store demonstrably holds state.
Then the canaries must be absent from: the stored tracker (read back through
Rasa's HTTP API), every Redis key and value, the servers' captured output,
and every file written under the project or the temp directory during the run.
"""

import asyncio
import json
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
import yaml

from support.servers import ROOT, Servers, free_port
from support.socketio_client import conversation

TOKEN = secrets.token_hex(16)
MAX_SCAN_BYTES = 64 * 1024 * 1024


LANGUAGE_CASES = [
    yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "tests" / "conversations").glob("*.yml"))
]


def canary() -> str:
    return f"canary{secrets.token_hex(6)}"


def start_redis(workdir: Path):
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed (.ci/run installs it)")
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", str(ROOT / "deploy" / "redis" / "redis.conf"), "--port", str(port), "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port)
    for _ in range(50):
        try:
            client.ping()
            return process, client, port
        except redis.ConnectionError:
            time.sleep(0.1)
    pytest.fail("redis-server did not start")


def stored_tracker(servers: Servers, sender: str) -> dict:
    url = f"{servers.url}/conversations/{sender}/tracker?token={TOKEN}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def files_written_since(start: float, roots):
    for root in roots:
        for path in Path(root).rglob("*"):
            try:
                if path.is_file() and not path.is_symlink() and path.stat().st_mtime >= start:
                    yield path
            except OSError:
                continue


def found_in(path: Path, needles) -> list:
    try:
        if path.stat().st_size > MAX_SCAN_BYTES:
            return []
        data = path.read_bytes()
    except OSError:
        return []
    return [n for n in needles if n.encode() in data or n.encode("utf-16-le") in data]


@pytest.fixture(scope="module", params=["info-memory", "debug-redis"])
def run(request, tmp_path_factory):
    level, backend = request.param.split("-")
    workdir = tmp_path_factory.mktemp(f"canary-{request.param}")
    started = time.time() - 1
    env = {"ALLY_TRACKER_BACKEND": backend}
    redis_process = redis_client = None
    if backend == "redis":
        redis_process, redis_client, port = start_redis(workdir)
        env.update(ALLY_REDIS_PORT=str(port))
    servers = Servers(workdir, log_level=level, env=env, rasa_args=("--enable-api", "--auth-token", TOKEN))
    canaries, sender = [], f"canary-{uuid.uuid4().hex}"

    def say(template, metadata=None):
        word = canary()
        canaries.append(word)
        return servers.say(sender, template.format(word), metadata)

    try:
        say("hi {}")
        asked = say("he says he will post my pics {} unless i pay him", {"country_hint": canary()})
        answered = say("i live in ireland {}")
        say("im 14 {}")
        handoff = say("can i talk to a real person {}")
        tracker = stored_tracker(servers, sender)
        # The same conversation shape over the widget's socket.io channel.
        socket_sender = f"canary-socket-{uuid.uuid4().hex}"
        socket_canaries = [canary() for _ in range(3)]
        canaries.extend(socket_canaries)
        socket_answers = asyncio.run(
            conversation(
                servers,
                socket_sender,
                [
                    f"he wants to meet me {socket_canaries[0]} somewhere quiet",
                    f"i live in canada {socket_canaries[1]}",
                    f"is this chat saved {socket_canaries[2]}",
                ],
            )
        )
        socket_tracker = stored_tracker(servers, socket_sender)
        # Every other language: a sentence with its own letters and an emoji around the canary
        # (the canary's hex part is what is searched for, so escaped forms are found too).
        for case in LANGUAGE_CASES:
            word = canary()
            canaries.append(word)
            text = case["canary_phrase"].format(canary=f"å{word}ß😭")
            servers.say(
                f"canary-{case['language']}-{uuid.uuid4().hex}",
                text,
                {"country": case["country"], "language": case["language"]},
            )
        redis_dump = []
        if redis_client is not None:
            for key in redis_client.scan_iter("*"):
                redis_dump.append((key, redis_client.get(key) or b"", redis_client.ttl(key)))
    finally:
        servers.stop()
    yield {
        "level": level,
        "backend": backend,
        "servers": servers,
        "canaries": canaries,
        "started": started,
        "tracker": tracker,
        "asked": asked,
        "answered": answered,
        "handoff": handoff,
        "socket_answers": socket_answers,
        "socket_tracker": socket_tracker,
        "redis": redis_client,
        "redis_dump": redis_dump,
        "workdir": workdir,
    }
    if redis_process is not None:
        redis_process.terminate()
        redis_process.wait(timeout=10)


def test_the_conversation_really_ran_and_filled_slots(run):
    assert any("ally_handoff" in (m.get("custom") or {}) for m in run["answered"])
    assert run["tracker"]["slots"]["country"] == "IE"
    assert run["tracker"]["slots"]["age_band"] == "13_15"
    assert any(e.get("event") == "user" for e in run["tracker"]["events"])


def test_the_socket_conversation_really_ran(run):
    handoffs = [
        e["custom"]["ally_handoff"]
        for turn in run["socket_answers"]
        for e in turn
        if "ally_handoff" in (e.get("custom") or {})
    ]
    assert handoffs and handoffs[-1]["country"] == "CA"
    assert run["socket_tracker"]["slots"]["country"] == "CA"


def test_no_canary_in_the_stored_tracker(run):
    stored = json.dumps([run["tracker"], run["socket_tracker"]])
    assert not [c for c in run["canaries"] if c in stored]
    for tracker in (run["tracker"], run["socket_tracker"]):
        assert all(e.get("text") is None for e in tracker["events"] if e.get("event") in ("user", "bot"))


def test_no_canary_in_the_servers_output(run):
    logs = {name: path.read_text(errors="replace") for name, path in run["servers"].logs.items()}
    assert "Rasa server is up and running" in logs["rasa"], "the server's output was not captured"
    if run["level"] == "debug":
        assert "DEBUG" in logs["rasa"] and "DEBUG" in logs["actions"], "DEBUG logging was not on"
    for name, text in logs.items():
        assert not [c for c in run["canaries"] if c in text], f"canary in the {name} server's output"


def test_no_client_address_in_the_servers_output(run):
    own_ports = {str(run["servers"].rasa_port), str(run["servers"].action_port)}
    for path in run["servers"].logs.values():
        for line in path.read_text(errors="replace").splitlines():
            for port in __import__("re").findall(r"127\.0\.0\.1:(\d+)", line):
                assert port in own_ports, f"a client address was logged: {line[:120]}"


def test_no_canary_in_any_file_written_during_the_run(run):
    roots = [ROOT, Path(tempfile.gettempdir()), run["workdir"]]
    written = list(files_written_since(run["started"], roots))
    assert written, "the scan found no files at all: it would prove nothing"
    leaks = {str(p): hits for p in written if (hits := found_in(p, run["canaries"]))}
    assert not leaks


def test_no_canary_in_redis_and_every_key_expires(run):
    if run["backend"] != "redis":
        pytest.skip("the in-memory run has no Redis")
    assert run["redis_dump"], "the Redis store was not used"
    for key, value, ttl in run["redis_dump"]:
        assert not [c for c in run["canaries"] if c.encode() in key or c.encode() in value]
        assert 0 < ttl <= 30 * 60, f"{key!r} has no idle expiry"


def test_redis_persistence_is_off_in_the_project_configuration(run):
    if run["backend"] != "redis":
        pytest.skip("the in-memory run has no Redis")
    assert run["redis"].config_get("save")["save"] == ""
    assert run["redis"].config_get("appendonly")["appendonly"] == "no"


def test_forget_me_removes_the_conversation_at_once(tmp_path):
    servers = Servers(tmp_path, rasa_args=("--enable-api", "--auth-token", TOKEN))
    try:
        sender = f"forget-{uuid.uuid4().hex}"
        servers.say(sender, "someone keeps asking me for pics", {"country": "GB"})
        assert stored_tracker(servers, sender)["slots"]["country"] == "GB"
        servers.say(sender, "delete this chat")
        tracker = stored_tracker(servers, sender)
        assert tracker["slots"]["country"] is None
        assert not [e for e in tracker["events"] if e.get("event") == "user"]
    finally:
        servers.stop()
