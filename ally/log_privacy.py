"""Keep chat text out of every log line, at every level.

Rasa prints message text at DEBUG (parse data, events, trackers). Rather than
trusting each library's log statements, a LogRecord factory rewrites every
record as it is created, before any handler or formatter sees it:

* text of messages currently being processed (registered by the channels
  and actions through `remember_text`) is replaced wherever it appears;
* known shapes that carry text (`"text": "..."`, `text='...'`,
  `parse_data_text=...`, `UserUttered(text: ...`) are replaced too, so text
  that was never registered is still removed.

Only the standard library is used, so the action server can install it
without importing Rasa.
"""

import json
import logging
import re
import threading
import time
from collections import OrderedDict
from typing import Callable, Optional

REDACTED = "[redacted]"
_REMEMBER_SECONDS = 120  # long enough for a message's round trip and its actions
_MAX_REMEMBERED = 2000

# Patterns for values that carry chat text in Rasa's and rasa_sdk's messages.
_TEXT_PATTERNS = [
    # JSON / dict forms: "text": "...", 'text': '...'
    # (entity and slot "value"s are pieces of the message: "ireland", "14", ...)
    re.compile(
        r"""(?P<key>["'](?:text|parse_data_text|message|metadata|value)["']\s*:\s*)(?P<q>["'])(?:\\.|(?!(?P=q)).)*(?P=q)""",
        re.S,
    ),
    re.compile(r"""(?P<key>["']metadata["']\s*:\s*)\{[^{}]*\}""", re.S),
    # keyword forms used by structlog and reprs: text='...', parse_data_text=...
    re.compile(r"""(?P<key>\b(?:parse_data_text|text|message_text)=)(?P<q>["'])(?:\\.|(?!(?P=q)).)*(?P=q)""", re.S),
    re.compile(r"""(?P<key>\bparse_data_text=)[^\s,)]+"""),
    # Rasa event reprs: UserUttered(text: ..., intent: ...), BotUttered(text: ...
    re.compile(
        r"""(?P<key>\b(?:UserUttered|BotUttered)\(text: )"""
        r""".*?(?=, (?:intent|data|metadata|use_text_for_featurization)\b|\)$)""",
        re.S,
    ),
    # SlotSet(key: country, value: ireland)
    re.compile(r"""(?P<key>\bvalue: )[^,)\]]*"""),
]


class _TextRegistry:
    """Recently seen message texts, kept in memory for a short time only."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._texts: OrderedDict[str, float] = OrderedDict()

    def add(self, text: Optional[str]) -> None:
        if not text or len(text.strip()) < 4:  # too short to redact safely ("hi", "no")
            return
        now = time.monotonic()
        with self._lock:
            self._texts[text] = now
            self._texts.move_to_end(text)
            while len(self._texts) > _MAX_REMEMBERED:
                self._texts.popitem(last=False)

    def current(self) -> list:
        cutoff = time.monotonic() - _REMEMBER_SECONDS
        with self._lock:
            for text in [t for t, seen in self._texts.items() if seen < cutoff]:
                del self._texts[text]
            # longest first, so a text containing another is replaced whole
            return sorted(self._texts, key=len, reverse=True)


_registry = _TextRegistry()
remember_text = _registry.add


def redact(message: str) -> str:
    """Return `message` with chat text removed."""
    for text in _registry.current():
        if text in message:
            message = message.replace(text, REDACTED)
        # the same text as it appears inside JSON or a repr
        for variant in (text.encode("unicode_escape").decode("ascii"), repr(text)[1:-1], json.dumps(text)[1:-1]):
            if variant != text and variant in message:
                message = message.replace(variant, REDACTED)
    for pattern in _TEXT_PATTERNS:
        message = pattern.sub(lambda m: m.group("key") + REDACTED, message)
    return message


_installed_factory: Optional[Callable[..., logging.LogRecord]] = None


def install() -> None:
    """Install the redacting LogRecord factory once per process."""
    global _installed_factory
    current = logging.getLogRecordFactory()
    if _installed_factory is not None and current is _installed_factory:
        return
    previous = current

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep nothing of it
            message = str(record.msg)
        record.msg = redact(message)
        record.args = ()
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return record

    logging.setLogRecordFactory(factory)
    _installed_factory = factory


def installed() -> bool:
    return _installed_factory is not None and logging.getLogRecordFactory() is _installed_factory
