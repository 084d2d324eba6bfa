"""The scale-out cluster the tests run (scripts/run_cluster.sh: Redis, two replicas, nginx), and HTTP helpers."""

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from support.servers import MODEL, ROOT, VENV_BIN, Servers, free_port, wait_until_up  # noqa: F401


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
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json", **(headers or {})}
    )
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
            os.environ,
            RASA_TELEMETRY_ENABLED="false",
            TF_CPP_MIN_LOG_LEVEL="2",
            PYTHONWARNINGS="ignore",
            ALLY_ACTION_TIMEOUT="8",
            ALLY_PORT=str(self.port),
            ALLY_REPLICA_PORTS=" ".join(map(str, self.replica_ports)),
            ALLY_ACTION_PORT=str(self.action_port),
            ALLY_REDIS_PORT=str(self.redis_port),
            ALLY_RUN_DIR=str(self.run_dir),
            ALLY_LOG_LEVEL=log_level,
            **(env or {}),
        )
        self.process = subprocess.Popen(
            ["bash", str(ROOT / "scripts" / "run_cluster.sh")],
            cwd=ROOT,
            env=self.env,
            stdout=self.logs["cluster"].open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_up(
                f"{self.url}/webhooks/rest/", self.process, "the cluster (scripts/run_cluster.sh)", timeout=420
            )
        except Exception:
            self.stop()
            raise

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def replica_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.replica_ports[index]}"

    def say(
        self, base_url: str, sender: str, message: str, metadata: Optional[dict] = None, timeout: float = 60
    ) -> Tuple[int, dict, Any]:
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
        port = {
            "redis": self.redis_port,
            "actions": self.action_port,
            "replica-a": self.replica_ports[0],
            "replica-b": self.replica_ports[1],
        }[name]
        if name in self.extra:
            self.extra.pop(name).send_signal(sig)
        else:
            os.kill(self.pid(name), sig)
        wait_port_closed(port)

    def _start_extra(self, name: str, command: List[str], url: Optional[str]) -> None:
        log = self.workdir / f"{name}-restarted.log"
        self.logs[f"{name}-restarted"] = log
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=dict(self.env, ALLY_REDIS_HOST="127.0.0.1"),
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.extra[name] = process
        if url:
            wait_until_up(url, process, name, timeout=300)

    def restart_redis(self) -> None:
        self._start_extra(
            "redis",
            [
                "redis-server",
                str(ROOT / "deploy" / "redis" / "redis.conf"),
                "--port",
                str(self.redis_port),
                "--dir",
                str(self.run_dir),
                "--daemonize",
                "no",
            ],
            None,
        )
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
        self._start_extra(
            "actions",
            [str(VENV_BIN / "rasa"), "run", "actions", "--port", str(self.action_port)],
            f"http://127.0.0.1:{self.action_port}/health",
        )

    def restart_replica(self, index: int) -> None:
        origins = self.env.get("ALLY_ALLOWED_ORIGINS") or f"http://127.0.0.1:{self.port},http://localhost:{self.port}"
        self._start_extra(
            f"replica-{'ab'[index]}",
            [
                str(VENV_BIN / "rasa"),
                "run",
                "--model",
                str(MODEL),
                "--endpoints",
                str(self.run_dir / "endpoints.yml"),
                "--credentials",
                str(ROOT / "credentials.yml"),
                "--interface",
                "127.0.0.1",
                "--port",
                str(self.replica_ports[index]),
                "--cors",
                *origins.split(","),
            ],
            f"{self.replica_url(index)}/",
        )

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


def shared_cluster_for(request: Any, tmp_path_factory: Any) -> Cluster:
    """One cluster per pytest session for the tests in tests/cluster/.

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
