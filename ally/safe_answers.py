"""The answers a channel sends by itself, never silence: busy, rate-limited, degraded.

Their words are responses of the loaded domain (utter_busy, utter_rate_limited,
utter_degraded, with utter_offline_help and utter_emergency_offline, whose
numbers tests check against the helpline directory), in the language the
page asked for (locales/). Nothing here reads the project's files: a server
without a loaded agent has no answers to give yet.
"""

from typing import Any, Dict, List, Optional

from ally import locales


def _agent(app: Any) -> Any:
    return getattr(getattr(app, "ctx", None), "agent", None)


def response_text(domain_responses: Dict[str, Any], name: str, language: Optional[str]) -> str:
    """The text of the response's default variant (no condition) in `language`."""
    for responses in (locales.responses(language, domain_responses), domain_responses):
        variants = responses.get(name) or []
        text = next((v["text"] for v in variants if v.get("text") and not v.get("condition")), None)
        if text:
            return text
    raise KeyError(f"the domain has no response {name}")


def texts(app: Any, names: List[str], language: Optional[str] = None) -> List[str]:
    domain = getattr(_agent(app), "domain", None)
    responses = getattr(domain, "responses", None) or {}
    return [response_text(responses, name, locales.normalise(language)) for name in names]


def store_degraded(app: Any) -> bool:
    """True while the shared state store (Redis) is known to be unreachable.

    ally.lock_store.ResilientRedisLockStore reports it; other lock stores never do.
    """
    return bool(getattr(getattr(_agent(app), "lock_store", None), "degraded", False))


def busy(app: Any, language: Optional[str] = None) -> List[str]:
    """No processing slot became free in time: say so, and give the generic help."""
    return texts(app, ["utter_busy", "utter_offline_help"], language)


def degraded(app: Any, language: Optional[str] = None) -> List[str]:
    """Redis is down or handling failed: the bot may forget; a real person can still help."""
    return texts(app, ["utter_degraded", "utter_offline_help"], language)


def rate_limited(app: Any, language: Optional[str] = None) -> str:
    """Too many messages too fast: wait a little; in danger, the emergency numbers."""
    return "\n".join(texts(app, ["utter_rate_limited", "utter_emergency_offline"], language))
