"""Which web sites may open the widget's chat: the origin allow-list.

engine.io and the connect handler both check it (Rasa's socket.io server does
not check the Origin of WebSocket connections). The list comes from
credentials.yml, or env ALLY_ALLOWED_ORIGINS="https://a.org,https://b.org".
"""

import os
import re
from typing import Any, Iterable, List, Optional

DEFAULT_ALLOWED_ORIGINS = ("http://127.0.0.1:5005", "http://localhost:5005")
ORIGINS_ENV = "ALLY_ALLOWED_ORIGINS"
HOST = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


def normalise_origin(origin: Any) -> Optional[str]:
    """ "HTTPS://Example.org/" -> "https://example.org"; None for anything that is not an origin."""
    if not isinstance(origin, str):
        return None
    match = re.match(r"^(https?)://([^/?#\s]+)/?$", origin.strip(), re.IGNORECASE)
    if not match or not HOST.match(match.group(2)):
        return None
    return f"{match.group(1).lower()}://{match.group(2).lower()}"


def configured_origins(from_credentials: Optional[Iterable[Any]]) -> List[str]:
    """The allow-list: env ALLY_ALLOWED_ORIGINS (comma-separated) > credentials > defaults."""
    env = os.environ.get(ORIGINS_ENV)
    if env is not None and env.strip():
        raw: Iterable[Any] = env.split(",")
    elif from_credentials:
        raw = from_credentials
    else:
        raw = DEFAULT_ALLOWED_ORIGINS
    origins = []
    for value in raw:
        origin = normalise_origin(value)
        if origin is None:
            raise ValueError(f"not an origin (scheme://host[:port]): {value!r}")
        origins.append(origin)
    return origins


def request_host(host: Any) -> Optional[str]:
    """The Host header, if it is a plain host[:port]."""
    return host.lower() if isinstance(host, str) and HOST.match(host) else None


def origin_allowed(origin: Optional[str], host: Optional[str], allowed: Iterable[str]) -> bool:
    """An allowed origin, the server's own pages, or no Origin at all (not a browser)."""
    if origin is None:
        return True
    normal = normalise_origin(origin)
    if normal is None:
        return False
    if normal in allowed:
        return True
    own_host = request_host(host)
    return own_host is not None and normal in (f"http://{own_host}", f"https://{own_host}")
