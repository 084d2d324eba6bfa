"""Refuse to serve when a privacy setting is unsafe.

Rasa falls back silently to a store that keeps everything when a custom
tracker store fails to import, and opens its HTTP API to anyone when
`--enable-api` is given without a token. Ally's channels register this
check; once the model and stores are loaded it stops the server (exit code
78, "configuration error") unless:

* the tracker store in use is ally.tracker_store.PrivacyTrackerStore;
* no event broker is configured;
* the HTTP API, if enabled, requires a token (`--auth-token` or `--jwt-secret`);
* the safeguards of ally.runtime are installed (the answers when the action
  server is down, the log filter) and the safety net is in the NLU pipeline;
* every slot of the domain is on the tracker store's allow-list (a slot it
  does not know would silently be stored empty).
"""

import logging
import os
import sys
from typing import Any, List

from ally import runtime
from ally.forget import innermost_store

logger = logging.getLogger(__name__)
EXIT_CONFIG_ERROR = 78
API_ROUTE = "/conversations/<conversation_id:path>/tracker"


SAFETY_NET = "ally.nlu.safety_net.SafetyNet"


def pipeline_classes(agent: Any) -> List[str]:
    """Module paths of the classes in the loaded model's prediction graph."""
    schema = getattr(getattr(getattr(agent, "processor", None), "model_metadata", None), "predict_schema", None)
    nodes = getattr(schema, "nodes", {}) or {}
    return [f"{node.uses.__module__}.{node.uses.__name__}" for node in nodes.values()]


def unknown_slots(agent: Any) -> List[str]:
    from rasa.shared.core.constants import DEFAULT_SLOT_NAMES

    from ally.tracker_store import ALLOWED_SLOT_VALUES

    slots = [slot.name for slot in getattr(getattr(agent, "domain", None), "slots", []) or []]
    return [name for name in slots if name not in ALLOWED_SLOT_VALUES and name not in DEFAULT_SLOT_NAMES]


def problems(app: Any, argv: List[str]) -> List[str]:
    from ally.tracker_store import PrivacyTrackerStore

    found = []
    agent = getattr(app.ctx, "agent", None)
    if agent is None:
        return ["no agent is loaded"]
    store = innermost_store(agent.tracker_store)
    if not isinstance(store, PrivacyTrackerStore):
        found.append(
            f"the tracker store is {type(store).__name__}, not ally.tracker_store.PrivacyTrackerStore: "
            "check endpoints.yml (Rasa falls back silently when the store cannot be loaded)"
        )
    if getattr(store, "event_broker", None) is not None:
        found.append("an event broker is configured: it would publish every message")
    if not runtime.installed():
        found.append(
            "Ally's safeguards (ally.runtime: answers when the action server is down, the log filter) "
            "are not installed: the tracker store installs them, check endpoints.yml"
        )
    if SAFETY_NET not in pipeline_classes(agent):
        found.append(
            f"the model has no safety net ({SAFETY_NET} is not in config.yml's pipeline): "
            "danger-now and self-harm messages could be missed; add it back and retrain"
        )
    for name in unknown_slots(agent):
        found.append(
            f"the domain's slot {name!r} is not on the tracker store's allow-list "
            "(ally/tracker_store.py ALLOWED_SLOT_VALUES): its value would be lost after every turn"
        )
    api_enabled = any(getattr(route, "path", "").lstrip("/") == API_ROUTE.lstrip("/") for route in app.router.routes)
    has_token = any(arg.startswith(("--auth-token", "-t", "--jwt-secret")) for arg in argv)
    if api_enabled and not has_token:
        found.append("the HTTP API is enabled without --auth-token or --jwt-secret")
    return found


async def check_on_start(app: Any, _loop: Any = None) -> None:
    found = problems(app, sys.argv)
    if found:
        for problem in found:
            logger.critical("Refusing to serve: %s", problem)
        logging.shutdown()
        os._exit(EXIT_CONFIG_ERROR)


def register(blueprint: Any) -> None:
    """Attach the check to a channel's blueprint (runs once the agent is loaded)."""
    blueprint.listener("after_server_start")(check_on_start)
