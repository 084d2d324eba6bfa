"""Start the two bots the way tests/conftest.py's `Servers` does: real processes on free ports.

* Ally: `rasa run actions` (cwd = the project, so it serves actions/), then
  `rasa run --model <model> --endpoints <endpoints with the action port>
  --credentials credentials.yml`, exactly as scripts/run.sh does.
* The stock bot: `rasa run --model <its model>` in its own project folder
  with its own endpoints.yml and credentials.yml (no action server: its
  domain uses no custom action and its endpoints.yml has none).

Start-to-ready is the time from starting the process to the first HTTP 200
on `/` (the action server: on `/health`).
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Dict, List, Optional

from benchlib import ROOT, free_port, stop_process, tree_cpu_seconds, tree_rss_bytes, wait_http_ok
from training import VENV_BIN, rasa_env


class Bot:
    """One bot: its Rasa server and, for Ally, its action server."""

    def __init__(
        self,
        name: str,
        model: Path,
        workdir: Path,
        project: Path,
        action_server: bool,
        extra_env: Optional[Dict[str, str]] = None,
    ) -> None:
        self.name, self.model, self.workdir, self.project = name, Path(model), workdir, project
        self.extra_env = dict(extra_env or {})
        self.with_action_server = action_server
        self.rasa: Optional[subprocess.Popen] = None
        self.action: Optional[subprocess.Popen] = None
        self.port = 0
        self.action_port = 0
        self.starts: List[Dict[str, float]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _popen(self, label: str, command: List[str], cwd: Path, env: Dict[str, str]) -> subprocess.Popen:
        log = self.workdir / f"{self.name}-{label}-{len(self.starts)}.log"
        return subprocess.Popen(
            command, cwd=cwd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )

    def start(self) -> Dict[str, float]:
        """Start the servers, wait until they answer; returns the start-to-ready times in seconds."""
        env = {**rasa_env(), **self.extra_env}
        # Ally's rate limit (12 at once, 30/min per conversation) is never reached by the
        # 5-message conversations of the workload; it stays on as in production.
        timing: Dict[str, float] = {}
        args: List[str] = []
        if self.with_action_server:
            self.action_port = free_port()
            started = time.monotonic()
            self.action = self._popen(
                "actions",
                [str(VENV_BIN / "rasa"), "run", "actions", "--port", str(self.action_port)],
                self.project,
                env,
            )
            ready = wait_http_ok(
                f"http://127.0.0.1:{self.action_port}/health", self.action, f"{self.name} action server"
            )
            timing["action_server_ready_s"] = round(ready - started, 2)
            endpoints = self.workdir / f"{self.name}-endpoints.yml"
            endpoints.write_text(
                (self.project / "endpoints.yml").read_text().replace("127.0.0.1:5055", f"127.0.0.1:{self.action_port}")
            )
            args = ["--endpoints", str(endpoints), "--credentials", str(self.project / "credentials.yml")]
        else:
            args = [
                "--endpoints",
                str(self.project / "endpoints.yml"),
                "--credentials",
                str(self.project / "credentials.yml"),
            ]
        self.port = free_port()
        started = time.monotonic()
        self.rasa = self._popen(
            "rasa",
            [
                str(VENV_BIN / "rasa"),
                "run",
                "--model",
                str(self.model),
                "--interface",
                "127.0.0.1",
                "--port",
                str(self.port),
                *args,
            ],
            self.project,
            env,
        )
        ready = wait_http_ok(self.url + "/", self.rasa, f"{self.name} Rasa server")
        timing["rasa_server_ready_s"] = round(ready - started, 2)
        self.starts.append(timing)
        return timing

    def stop(self) -> None:
        for process in (self.rasa, self.action):
            if process is not None:
                stop_process(process)
        self.rasa = self.action = None

    # --- resources -------------------------------------------------------------------
    def rss(self) -> Dict[str, Optional[int]]:
        rasa = tree_rss_bytes(self.rasa.pid) if self.rasa else None
        action = tree_rss_bytes(self.action.pid) if self.action else None
        return {"rasa_server": rasa, "action_server": action, "total": (rasa or 0) + (action or 0)}

    def cpu(self) -> Dict[str, float]:
        rasa = tree_cpu_seconds(self.rasa.pid) if self.rasa else 0.0
        action = tree_cpu_seconds(self.action.pid) if self.action else 0.0
        return {"rasa_server": rasa, "action_server": action}


def ally_bot(model: Path, workdir: Path, extra_env: Optional[Dict[str, str]] = None) -> Bot:
    return Bot("ally", model, workdir, ROOT, action_server=True, extra_env=extra_env)


def stock_bot(model: Path, workdir: Path, project: Path) -> Bot:
    return Bot("stock", model, workdir, project, action_server=False)
