"""The one path every channel's message takes, so that a child never gets silence.

Both channels (REST and the widget's socket.io) call `answer_safely`: the
admission gate (at most N messages processed at once), the busy answer when
no slot became free in time, generic help when handling failed, and the
degraded notice while Redis is down. `register` adds what every channel's
blueprint needs at start-up: Sanic's body-size limit and the privacy guard.
"""

import asyncio
import enum
import logging
from typing import Any, Awaitable, Callable, List, Optional

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint

from ally import guard, safe_answers, throttle

logger = logging.getLogger(__name__)

SendTexts = Callable[[List[str]], Awaitable[None]]


class Outcome(enum.Enum):
    ANSWERED = "answered"
    BUSY = "busy"
    FAILED = "failed"


def page_language(metadata: Optional[dict]) -> Optional[str]:
    value = (metadata or {}).get("language")
    return value if isinstance(value, str) else None


async def answer_safely(
    message: UserMessage,
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    send_texts: SendTexts,
    app: Any,
) -> Outcome:
    """Let Rasa answer `message`; add the busy, failure or degraded answer where needed."""
    language = page_language(message.metadata)
    failed = False
    try:
        async with throttle.admission_gate().slot():
            await on_new_message(message)
    except throttle.Busy:
        logger.warning(
            "Too many messages at once: one waited %.0f s and got the busy answer.", throttle.admission_gate().max_wait
        )
        await send_texts(safe_answers.busy(app, language))
        return Outcome.BUSY
    except asyncio.CancelledError:
        raise
    except Exception as error:  # never answer a child with nothing
        failed = True
        logger.error("Handling a message failed (%s); answering with generic help.", type(error).__name__)
    if failed or safe_answers.store_degraded(app):
        await send_texts(safe_answers.degraded(app, language))
    return Outcome.FAILED if failed else Outcome.ANSWERED


def register(blueprint: Blueprint) -> None:
    """Start-up duties of every Ally channel: the body-size limit and the privacy guard."""

    @blueprint.listener("before_server_start")
    async def limit_request_size(app: Any, _loop: Any = None) -> None:
        throttle.apply_request_size_limit(app)

    guard.register(blueprint)
