"""Cold, full trainings for the benchmark, both in temporary folders.

* The stock bot: `rasa init --no-prompt` in an empty folder. With
  `--no-prompt`, `rasa init` copies Rasa's initial project (a file copy of a
  few kB) and then trains it with Rasa's automatically chosen configuration;
  the timed command is therefore a full training of the stock bot.
* Ally: a copy of the project's training inputs (config.yml, domain.yml,
  data/, ally/, actions/, the blank spaCy pipeline in build/spacy/,
  endpoints.yml, credentials.yml) trained with
  `rasa train --skip-validation --fixed-model-name ally --out <tmp>/models`
  (the Makefile's command). The project's own
  models/ folder is never touched.

Both get an empty Rasa cache (RASA_CACHE_DIRECTORY, read by
rasa/engine/caching.py), so nothing is reused from an earlier training.
Times are wall-clock and CPU (user + system) seconds of the training process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Dict, Optional

from benchlib import ROOT, children_rusage_cpu

VENV_BIN = ROOT / ".venv" / "bin"
ALLY_FILES = ["config.yml", "domain.yml", "scenarios.yml", "endpoints.yml", "credentials.yml"]
ALLY_DIRS = ["data", "ally", "actions", "locales", "build/spacy"]


def rasa_env(cache_dir: Optional[Path] = None) -> Dict[str, str]:
    env = dict(
        os.environ,
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONWARNINGS="ignore",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
    )
    if cache_dir is not None:
        env["RASA_CACHE_DIRECTORY"] = str(cache_dir)
    return env


def _timed(command, cwd: Path, env: Dict[str, str], log: Path, name: str, timeout: float) -> Dict[str, float]:
    cpu_before = children_rusage_cpu()
    started = time.monotonic()
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise RuntimeError(f"{name} took longer than {timeout:.0f} s (log: {log})") from None
    wall = time.monotonic() - started
    cpu = children_rusage_cpu() - cpu_before
    if code != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-25:])
        raise RuntimeError(f"{name} failed with exit code {code} (log: {log}):\n{tail}")
    return {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1)}


def train_stock_bot(workdir: Path, timeout: float = 900) -> Dict[str, object]:
    """`rasa init --no-prompt` in workdir/stock; returns timings, the project folder and the model."""
    project = workdir / "stock"
    project.mkdir(parents=True, exist_ok=True)
    cache = workdir / "cache-stock"
    cache.mkdir(exist_ok=True)
    timing = _timed(
        [str(VENV_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)],
        workdir,
        rasa_env(cache),
        workdir / "stock-train.log",
        "rasa init (stock bot)",
        timeout,
    )
    models = sorted((project / "models").glob("*.tar.gz"))
    if not models:
        raise RuntimeError(f"rasa init wrote no model in {project / 'models'}")
    return {
        **timing,
        "project": str(project),
        "model": str(models[-1]),
        "command": "rasa init --no-prompt",
        "empty_cache": True,
    }


def copy_ally_project(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ALLY_FILES:
        shutil.copy2(ROOT / name, target / name)
    for name in ALLY_DIRS:
        shutil.copytree(ROOT / name, target / name, ignore=ignore, dirs_exist_ok=True)
    return target


def train_ally_copy(workdir: Path, timeout: float = 900) -> Dict[str, object]:
    """Train a copy of Ally's project in workdir/ally; the model goes to workdir/ally-models/ally.tar.gz."""
    project = copy_ally_project(workdir / "ally")
    cache = workdir / "cache-ally"
    cache.mkdir(exist_ok=True)
    out = workdir / "ally-models"
    timing = _timed(
        # the Makefile's training command (validation is `make validate`'s job)
        [str(VENV_BIN / "rasa"), "train", "--skip-validation", "--fixed-model-name", "ally", "--out", str(out)],
        project,
        rasa_env(cache),
        workdir / "ally-train.log",
        "rasa train (copy of Ally)",
        timeout,
    )
    model = out / "ally.tar.gz"
    if not model.exists():
        raise RuntimeError(f"rasa train wrote no model at {model}")
    return {
        **timing,
        "project": str(project),
        "model": str(model),
        "command": "rasa train --skip-validation --fixed-model-name ally --out <tmp>",
        "empty_cache": True,
    }
