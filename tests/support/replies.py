"""Reading the bot's replies: the domain's variants, the hand-off payload, the text of a turn."""

import uuid
from typing import List, Optional

import yaml

from support.servers import ROOT


def response_variants(name: str) -> List[str]:
    """The texts of a domain response, in domain order."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    return [v["text"] for v in domain["responses"][name]]


def age_variant(name: str, band: Optional[str]) -> str:
    """The text of a response's variant for one age band (None: the variant without conditions)."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    for variant in domain["responses"][name]:
        conditions = {c["name"]: c["value"] for c in variant.get("condition") or []}
        if (band is None and not conditions) or conditions == {"age_band": band}:
            return variant["text"]
    raise KeyError(f"{name} has no variant for age band {band!r}")


def handoff_country(replies: List[dict]) -> Optional[str]:
    """The country of the first structured hand-off in a turn's replies."""
    for reply in replies:
        payload = (reply.get("custom") or {}).get("ally_handoff")
        if payload:
            return payload["country"]
    return None


def replies_text(replies: List[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies if r.get("text"))


def new_sender(prefix: str = "test") -> str:
    """A fresh conversation id."""
    return f"{prefix}-{uuid.uuid4().hex}"
