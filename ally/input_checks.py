"""What a client may send: the checks both channels run before a message reaches Rasa.

Bad input must never crash a turn, reach the model as something strange, or
end up in a log. Error answers name the problem, never the content.
"""

import json
import os
import re
import unicodedata
from typing import Any, Dict, Optional

from ally import log_privacy


def env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


MAX_MESSAGE_CHARS = int(env_number("ALLY_MAX_MESSAGE_CHARS", 1000))  # as the widget
MAX_SENDER_CHARS = 128
MAX_METADATA_BYTES = 4096
SENDER_ID = re.compile(r"^[A-Za-z0-9_.:@+=-]{1,%d}$" % MAX_SENDER_CHARS)


class BadInput(ValueError):
    """A request Ally refuses. `code` and `detail` describe the problem, never the content."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(code)
        self.status, self.code, self.detail = status, code, detail

    def as_json(self) -> Dict[str, str]:
        return {"error": self.code, "detail": self.detail}


def parse_body(raw: Optional[bytes]) -> Dict[str, Any]:
    if not raw:
        raise BadInput(400, "empty_body", 'Send a JSON object: {"sender": "...", "message": "..."}.')
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(400, "body_not_utf8", "The body must be UTF-8 encoded JSON.") from None
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        raise BadInput(400, "body_not_json", "The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise BadInput(400, "body_not_object", 'The body must be a JSON object: {"sender": "...", "message": "..."}.')
    return body


def clean_sender(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value is None:
        raise BadInput(400, "sender_missing", "Each message needs a `sender`: a conversation id.")
    if not isinstance(value, str) or not SENDER_ID.match(value):
        raise BadInput(
            400,
            "sender_invalid",
            f"`sender` must be 1-{MAX_SENDER_CHARS} characters of letters, digits and _ . : @ + = -.",
        )
    return value


def _allowed_char(char: str) -> bool:
    category = unicodedata.category(char)
    if category == "Cc":  # C0/C1 controls and DEL; keep line breaks and tabs as spaces
        return False
    return category not in ("Cs", "Co", "Cn")  # lone surrogates, private use, unassigned


def clean_text(value: Any, max_chars: Optional[int] = None) -> str:
    """The message for the model, or BadInput. Right-to-left marks and emoji are kept."""
    limit = max_chars or MAX_MESSAGE_CHARS
    if not isinstance(value, str):
        raise BadInput(400, "message_not_text", "`message` must be a string.")
    if len(value) > limit * 4:  # far too long: refuse before doing any work on it
        raise BadInput(413, "message_too_long", f"`message` may have at most {limit} characters.")
    text = unicodedata.normalize("NFC", value.encode("utf-8", "replace").decode("utf-8"))
    text = "".join(c if _allowed_char(c) else (" " if c in "\n\r\t" else "") for c in text)
    text = re.sub(r"[ \u00a0]{2,}", " ", text).strip()
    if not text:
        raise BadInput(400, "message_empty", "`message` is empty.")
    if len(text) > limit:
        raise BadInput(413, "message_too_long", f"`message` may have at most {limit} characters.")
    return text


def clean_metadata(value: Any) -> Optional[Dict[str, Any]]:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadInput(400, "metadata_not_object", "`metadata` must be a JSON object.")
    try:
        size = len(json.dumps(value).encode("utf-8", "replace"))
    except (TypeError, ValueError, RecursionError):
        raise BadInput(400, "metadata_invalid", "`metadata` must be plain JSON.") from None
    if size > MAX_METADATA_BYTES:
        raise BadInput(413, "metadata_too_large", f"`metadata` may have at most {MAX_METADATA_BYTES} bytes.")
    return value


def remember_for_redaction(text: str) -> None:
    """Register a message with the log filter, also as it looks inside JSON-formatted log lines.

    Rasa's structured DEBUG lines show the text JSON-escaped (emoji as
    surrogate pairs, control characters as \\u0000), a form the filter does
    not derive by itself.
    """
    log_privacy.remember_text(text)
    escaped = json.dumps(text)[1:-1]
    if escaped != text:
        log_privacy.remember_text(escaped)
