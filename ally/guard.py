"""Refuse to serve when a privacy setting is unsafe.

Rasa falls back silently to a store that keeps everything when a custom
tracker store fails to import, and opens its HTTP API to anyone when
`--enable-api` is given without a token. Ally's channels register this
check; once the model and stores are loaded it stops the server (exit code
78, "configuration error") unless:

* the tracker store in use is ally.tracker_store.PrivacyTrackerStore;
* no event broker is configured;
* the HTTP API, if enabled, requires a token (`--auth-token` or `--jwt-secret`).
"""
import logging
import os
import sys
from typing import Any, List

from ally.forget import innermost_store

logger = logging.getLogger(__name__)
EXIT_CONFIG_ERROR = 78
API_ROUTE = "/conversations/<conversation_id:path>/tracker"


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
