"""The two images (deploy/*.Dockerfile) copy every file their server opens at run time.

Each server's start-up is replayed in a subprocess with a Python audit hook that records every file
opened: the action server imports its actions and loads the directory, the registry, the words, the
platform steps and the places; the Rasa server loads the agent from the model with the NLG and the
tracker store of endpoints.yml, builds its channels, and reads the files the widget channel serves.
Every opened file inside the repository must be under a COPY source of that image.
"""

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from support.servers import MODEL, ROOT

RECORD = """
import json, os, sys
opened = set()
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        opened.add(os.path.abspath(os.fsdecode(args[0])))
sys.addaudithook(hook)
{body}
print("OPENED" + json.dumps(sorted(opened)))
"""

ACTION_SERVER = """
import importlib, pkgutil
import actions
for module in pkgutil.walk_packages(actions.__path__, "actions."):
    importlib.import_module(module.name)
from actions.directory import load_directory
from actions import platforms, places
from ally import locales, scenarios
directory = load_directory()
scenarios.load(); locales.catalog(); platforms.load(); places.city_index(frozenset(directory.countries))
"""

RASA_SERVER = """
import asyncio
from rasa.core.agent import Agent
from rasa.core.utils import AvailableEndpoints
from ally.channels.rest import RestInput
from ally.channels.widget import WidgetInput, WIDGET_FILE, DEMO_DIR
endpoints = AvailableEndpoints.read_endpoints("endpoints.yml")
agent = Agent.load("models/ally.tar.gz", generator=endpoints.nlg, tracker_store=None)
from rasa.core.tracker_store import TrackerStore
TrackerStore.create(endpoints.tracker_store, agent.domain)
RestInput.from_credentials(None); WidgetInput.from_credentials({})
WIDGET_FILE.read_bytes()
for path in DEMO_DIR.iterdir():
    path.read_bytes()
"""


def copied(dockerfile: Path) -> list:
    """The COPY sources of a Dockerfile, relative to the repository root."""
    sources = []
    for line in dockerfile.read_text().replace("\\\n", " ").splitlines():
        if not line.strip().upper().startswith("COPY "):
            continue
        words = shlex.split(line)
        if words:
            sources += [w.rstrip("/") for w in words[1:-1] if not w.startswith("--")]
    return sources


def opened_files(body: str) -> list:
    code = RECORD.format(body=body)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"RASA_TELEMETRY_ENABLED": "false", "PATH": "/usr/bin:/bin", "HOME": "/tmp"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("OPENED"))
    repo = str(ROOT) + "/"
    # Files of the repository only (a relative name some library opens elsewhere does not count).
    found = {p for p in json.loads(line[len("OPENED") :]) if p.startswith(repo) and Path(p).is_file()}
    # Bytecode caches are not read from the image (it sets PYTHONDONTWRITEBYTECODE and has none).
    return sorted(p[len(repo) :] for p in found if not p.startswith(repo + ".venv") and "/__pycache__/" not in p)


def uncovered(files: list, sources: list) -> list:
    return [f for f in files if not any(f == s or f.startswith(s + "/") for s in sources)]


def test_the_action_image_copies_what_the_action_server_opens():
    files = opened_files(ACTION_SERVER)
    assert "actions/helplines.yml" in files and "scenarios.yml" in files  # the replay really ran
    assert not uncovered(files, copied(ROOT / "deploy" / "actions.Dockerfile"))


@pytest.mark.skipif(not MODEL.exists(), reason="needs the trained model (make train)")
def test_the_rasa_image_copies_what_the_rasa_server_opens():
    files = opened_files(RASA_SERVER)
    assert "models/ally.tar.gz" in files and "widget/dist/ally-widget.js" in files
    assert not uncovered(files, copied(ROOT / "deploy" / "rasa.Dockerfile"))


@pytest.mark.parametrize("name", ["rasa.Dockerfile", "actions.Dockerfile"])
def test_the_base_image_is_pinned_to_an_exact_version(name):
    base = next(
        line.split()[1] for line in (ROOT / "deploy" / name).read_text().splitlines() if line.startswith("FROM")
    )
    repository, _, tag = base.partition(":")
    assert repository == "python" and tag.count(".") == 2 and tag.split(".")[2].split("-")[0].isdigit(), base
