"""How to block and report someone in the app or game the user named: actions/platforms.yml.

One data file, validated like the helpline directory (every help link is https,
every record has sources and a `verified` date that is not in the future,
names are unique): docs/platforms.md lists it. Pure Python, no Rasa.
"""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlparse

import yaml

DEFAULT_PATH = Path(__file__).resolve().parent / "platforms.yml"
VERIFIED_HOW = ("official page", "public page", "reference")


class PlatformError(ValueError):
    def __init__(self, problems: List[str]) -> None:
        self.problems = problems
        super().__init__("platforms.yml: " + "; ".join(problems))


@dataclass(frozen=True)
class Platform:
    id: str
    name: str
    names: Tuple[str, ...]  # how users write it, lowercase ("snap", "insta", "ig")
    block: str  # where block is, in the app's own English words
    report: str  # where report is
    help_url: str  # the platform's official help-centre page on blocking and reporting
    safety_url: Optional[str]  # its safety centre for young people or parents, if any
    sources: Tuple[str, ...]
    verified: date
    verified_how: str


def _https(url: Any) -> bool:
    return isinstance(url, str) and urlparse(url).scheme == "https" and bool(urlparse(url).netloc)


def parse(raw: Dict[str, Any], today: Optional[date] = None) -> Dict[str, Platform]:
    today = today or date.today()
    problems: List[str] = []
    found: Dict[str, Platform] = {}
    seen_names: Dict[str, str] = {}
    for pid, spec in (raw.get("platforms") or {}).items():
        where = f"platforms.{pid}"
        missing = {"name", "names", "block", "report", "help_url", "sources", "verified", "verified_how"} - set(spec)
        if missing:
            problems.append(f"{where}: missing {sorted(missing)}")
            continue
        for key in ("help_url", "safety_url"):
            if spec.get(key) is not None and not _https(spec[key]):
                problems.append(f"{where}.{key}: must be an https link")
        sources = spec["sources"] or []
        if not sources or not all(isinstance(s, str) and urlparse(s).scheme in ("http", "https") for s in sources):
            problems.append(f"{where}.sources: at least one, each an absolute URL")
        verified = spec["verified"] if isinstance(spec["verified"], date) else None
        if verified is None or verified > today:
            problems.append(f"{where}.verified: a date that is not in the future")
        if spec["verified_how"] not in VERIFIED_HOW:
            problems.append(f"{where}.verified_how: one of {VERIFIED_HOW}")
        for name in [spec["name"].lower(), *spec["names"]]:
            if name != name.lower() or seen_names.setdefault(name, pid) != pid:
                problems.append(f"{where}: name {name!r} is lowercase and belongs to one platform only")
        if not problems or not any(p.startswith(where) for p in problems):
            found[pid] = Platform(
                id=pid,
                name=spec["name"],
                names=tuple(spec["names"]),
                block=spec["block"],
                report=spec["report"],
                help_url=spec["help_url"],
                safety_url=spec.get("safety_url"),
                sources=tuple(sources),
                verified=spec["verified"],
                verified_how=spec["verified_how"],
            )
    if problems:
        raise PlatformError(problems)
    return found


@lru_cache(maxsize=2)
def load(path: Path = DEFAULT_PATH) -> Dict[str, Platform]:
    return parse(yaml.safe_load(path.read_text(encoding="utf-8")))


def find(mention: Optional[str], platforms: Optional[Dict[str, Platform]] = None) -> Optional[Platform]:
    """The platform a user's word names ("snap", "Insta", "fortnite"), if any."""
    if not mention:
        return None
    key = " ".join(mention.lower().split())
    for platform in (platforms or load()).values():
        if key == platform.name.lower() or key in platform.names:
            return platform
    return None
