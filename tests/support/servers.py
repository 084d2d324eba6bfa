"""The real servers the tests run: Rasa and the action server, with their output captured to files."""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "ally.tar.gz"


class Canaries(list):
    """The unique canary words a test module sends; at its end none may appear in any log or store."""

    def new(self) -> str:
        word = f"canary{secrets.token_hex(6)}"
        self.append(word)
        return word


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, name: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode} during start-up")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.5)
    raise RuntimeError(f"{name} did not start within {timeout} s")


class Servers:
    """A running pair of servers, their output captured to files for the privacy tests."""

    def __init__(
        self,
        workdir: Path,
        log_level: str = "info",
        action_server: bool = True,
        env: Optional[dict] = None,
        rasa_args: tuple = (),
        endpoints_text: Optional[str] = None,
        credentials_text: Optional[str] = None,
    ) -> None:
        """`endpoints_text` / `credentials_text`: other configuration than the project's files (its
        action server address is rewritten to the one started here)."""
        self.workdir = workdir
        self.rasa_port = free_port()
        self.action_port = free_port()
        self.processes: List[subprocess.Popen] = []
        self.logs: Dict[str, Path] = {}
        env = dict(
            os.environ,
            RASA_TELEMETRY_ENABLED="false",
            TF_CPP_MIN_LOG_LEVEL="2",
            PYTHONWARNINGS="ignore",
            ALLY_ACTION_TIMEOUT="5",
            **(env or {}),
        )
        debug = ["--debug"] if log_level == "debug" else []
        endpoints = workdir / "endpoints.yml"
        endpoints.write_text(
            (endpoints_text or (ROOT / "endpoints.yml").read_text()).replace(
                "127.0.0.1:5055", f"127.0.0.1:{self.action_port}"
            )
        )
        credentials = ROOT / "credentials.yml"
        if credentials_text is not None:
            credentials = workdir / "credentials.yml"
            credentials.write_text(credentials_text)
        self._env, self._debug = env, debug
        if action_server:
            self.restart_action_server()
        self.rasa = self._start(
            "rasa",
            [
                str(VENV_BIN / "rasa"),
                "run",
                "--model",
                str(MODEL),
                "--endpoints",
                str(endpoints),
                "--credentials",
                str(credentials),
                "--interface",
                "127.0.0.1",
                "--port",
                str(self.rasa_port),
                *debug,
                *rasa_args,
            ],
            env,
        )
        wait_until_up(f"http://127.0.0.1:{self.rasa_port}/", self.rasa, "Rasa server")

    def restart_action_server(self) -> None:
        self.action = self._start(
            "actions",
            [str(VENV_BIN / "rasa"), "run", "actions", "--port", str(self.action_port), *self._debug],
            self._env,
        )
        wait_until_up(f"http://127.0.0.1:{self.action_port}/health", self.action, "action server")

    def _start(self, name: str, command: List[str], env: dict) -> subprocess.Popen:
        log = self.workdir / f"{name}.log"
        self.logs[name] = log
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def say(self, sender: str, message: str, metadata: Optional[dict] = None) -> List[dict]:
        body = {"sender": sender, "message": message}
        if metadata is not None:
            body["metadata"] = metadata
        request = urllib.request.Request(
            f"{self.url}/webhooks/rest/webhook",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
