"""The scenario registry (scenarios.yml): which intents exist and what each means.

Standard library and PyYAML only: the action server imports this module too,
and its image copies only the Rasa-free part of `ally` (docs/architecture.md).
"""

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Tuple

import yaml

REGISTRY_PATH = Path(__file__).resolve().parent.parent / "scenarios.yml"
GROUPS = ("risk", "help", "followup", "faq", "conversation")
ROUTE_KINDS = ("removal", "police", "hotline")
DEFAULT_OFFLINE = "utter_offline_help"


@dataclass(frozen=True)
class Intent:
    name: str
    group: str
    priority: Optional[int] = None
    routes: FrozenSet[str] = field(default_factory=frozenset)
    someone_else: bool = False
    safety_net: bool = False
    safety_check: bool = False
    scenario: bool = False
    offline: str = DEFAULT_OFFLINE


@dataclass(frozen=True)
class Registry:
    intents: Dict[str, Intent]
    minimum_examples: Dict[str, int]

    def group(self, name: str) -> List[str]:
        return [i.name for i in self.intents.values() if i.group == name]

    @property
    def risk(self) -> List[str]:
        return self.group("risk")

    @property
    def scenario_intents(self) -> FrozenSet[str]:
        """Intents that set the `scenario` slot (every risk intent, some help intents)."""
        return frozenset(i.name for i in self.intents.values() if i.scenario)

    def with_route(self, kind: str) -> FrozenSet[str]:
        return frozenset(i.name for i in self.intents.values() if kind in i.routes)

    @property
    def safety_net_order(self) -> List[str]:
        """The intents the safety net may set, most urgent first."""
        return [i.name for i in sorted(self.intents.values(), key=lambda i: i.priority or 99) if i.safety_net]

    @property
    def safety_check(self) -> FrozenSet[str]:
        """Scenarios after which Ally asks once whether the user is safe right now."""
        return frozenset(i.name for i in self.intents.values() if i.safety_check)

    @property
    def someone_else(self) -> FrozenSet[str]:
        return frozenset(i.name for i in self.intents.values() if i.someone_else)

    def offline_answer(self, intent: Optional[str]) -> str:
        found = self.intents.get(intent or "")
        return found.offline if found else DEFAULT_OFFLINE

    def minimum(self, intent: str) -> int:
        return self.minimum_examples[self.intents[intent].group]


def parse(raw: dict) -> Registry:
    problems: List[str] = []
    intents: Dict[str, Intent] = {}
    for name, spec in (raw.get("intents") or {}).items():
        spec = spec or {}
        unknown = set(spec) - {
            "group",
            "priority",
            "routes",
            "someone_else",
            "safety_net",
            "safety_check",
            "scenario",
            "offline",
        }
        group = spec.get("group")
        routes: Tuple[str, ...] = tuple(spec.get("routes") or ())
        if unknown:
            problems.append(f"{name}: unknown keys {sorted(unknown)}")
        if group not in GROUPS:
            problems.append(f"{name}: group must be one of {GROUPS}")
        if group == "risk" and not isinstance(spec.get("priority"), int):
            problems.append(f"{name}: a risk intent needs an integer priority")
        if set(routes) - set(ROUTE_KINDS):
            problems.append(f"{name}: unknown route kinds {sorted(set(routes) - set(ROUTE_KINDS))}")
        intents[name] = Intent(
            name=name,
            group=str(group),
            priority=spec.get("priority"),
            routes=frozenset(routes),
            someone_else=bool(spec.get("someone_else")),
            safety_net=bool(spec.get("safety_net")),
            safety_check=bool(spec.get("safety_check")),
            # every risk intent continues a scenario; help intents say so explicitly
            scenario=bool(spec.get("scenario", group == "risk")),
            offline=spec.get("offline") or DEFAULT_OFFLINE,
        )
    minimum = raw.get("minimum_examples") or {}
    missing = {i.group for i in intents.values()} - set(minimum)
    if missing:
        problems.append(f"minimum_examples lacks {sorted(missing)}")
    if problems:
        raise ValueError("scenarios.yml: " + "; ".join(problems))
    return Registry(intents=intents, minimum_examples=dict(minimum))


@lru_cache(maxsize=4)
def load(path: Path = REGISTRY_PATH) -> Registry:
    return parse(yaml.safe_load(path.read_text(encoding="utf-8")))
