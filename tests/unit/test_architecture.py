"""The wiring and the import rules of docs/architecture.md, enforced."""

import ast
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from ally import guard, runtime

ROOT = Path(__file__).resolve().parents[2]
# The part of `ally` the action server uses: standard library and PyYAML only, no Rasa.
RASA_FREE = {"ally/__init__.py", "ally/log_privacy.py", "ally/scenarios.py", "ally/locales.py", "ally/text.py"}
ACTIONS_MAY_IMPORT = {"ally", "ally.log_privacy", "ally.scenarios", "ally.locales", "ally.text"}


def imports_of(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            if node.module == "ally":  # from ally import log_privacy
                yield from (f"ally.{alias.name}" for alias in node.names)


def python_files(folder: str):
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", python_files("ally"), ids=lambda p: str(p.relative_to(ROOT)))
def test_ally_never_imports_actions(path):
    assert not [m for m in imports_of(path) if m == "actions" or m.startswith("actions.")]


@pytest.mark.parametrize("path", python_files("actions"), ids=lambda p: str(p.relative_to(ROOT)))
def test_actions_import_only_the_rasa_free_part_of_ally(path):
    used = {m for m in imports_of(path) if m == "ally" or m.startswith("ally.")}
    assert used <= ACTIONS_MAY_IMPORT, used - ACTIONS_MAY_IMPORT
    assert not [m for m in imports_of(path) if m.split(".")[0] in ("rasa", "sanic")], "actions use rasa_sdk only"


@pytest.mark.parametrize("name", sorted(RASA_FREE))
def test_the_rasa_free_modules_import_no_rasa(name):
    third_party = {m.split(".")[0] for m in imports_of(ROOT / name)} - set(sys.stdlib_module_names) - {"ally", "yaml"}
    assert not third_party, third_party


def test_the_rasa_free_modules_load_without_rasa_installed():
    code = (
        "import sys; sys.modules['rasa'] = sys.modules['sanic'] = None; "
        "import ally.log_privacy, ally.scenarios, ally.locales, ally.text, actions.routes, actions.messages"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_importing_ally_installs_nothing():
    code = (
        "import ally, ally.nlu.safety_net, ally.channels.rest, ally.channels.widget; "
        "from ally import runtime; print(runtime.installed())"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr[-2000:]


def test_the_tracker_store_installs_the_safeguards_once():
    import logging

    from ally.tracker_store import PrivacyTrackerStore

    PrivacyTrackerStore()
    factory = logging.getLogRecordFactory()
    PrivacyTrackerStore()
    runtime.install()
    assert runtime.installed()
    assert logging.getLogRecordFactory() is factory, "installing again must not wrap the log filter twice"


def fake_app(classes, slots=("country",)):
    from ally.tracker_store import PrivacyTrackerStore

    nodes = {name: SimpleNamespace(uses=cls) for name, cls in enumerate(classes)}
    agent = SimpleNamespace(
        tracker_store=PrivacyTrackerStore(),
        processor=SimpleNamespace(model_metadata=SimpleNamespace(predict_schema=SimpleNamespace(nodes=nodes))),
        domain=SimpleNamespace(slots=[SimpleNamespace(name=s) for s in slots]),
    )
    return SimpleNamespace(ctx=SimpleNamespace(agent=agent), router=SimpleNamespace(routes=[]))


def test_the_guard_accepts_allys_pipeline():
    from ally.nlu.safety_net import SafetyNet

    assert guard.problems(fake_app([SafetyNet]), []) == []


def test_the_guard_refuses_a_model_without_the_safety_net():
    from ally.nlu.linear_intent import LinearIntentClassifier

    found = guard.problems(fake_app([LinearIntentClassifier]), [])
    assert len(found) == 1 and "safety net" in found[0]


def test_the_guard_refuses_a_slot_the_store_would_lose():
    from ally.nlu.safety_net import SafetyNet

    found = guard.problems(fake_app([SafetyNet], slots=("country", "favourite_colour")), [])
    assert len(found) == 1 and "favourite_colour" in found[0]


def test_every_domain_slot_is_on_the_allow_list(domain):
    from ally.tracker_store import ALLOWED_SLOT_VALUES

    assert set(domain["slots"]) <= set(ALLOWED_SLOT_VALUES)
