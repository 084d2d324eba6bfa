"""Rasa's REST channel (/webhooks/rest/webhook), made robust, plus Ally's start-up privacy check.

Clients use it exactly like Rasa's `rest` channel:

    POST /webhooks/rest/webhook
    {"sender": "a-conversation-id", "message": "...", "metadata": {"country": "SE"}}
    -> 200 [{"recipient_id": "...", "text": "..."}, {"recipient_id": "...", "custom": {...}}]

What it adds (ally/limits.py has the checks and their settings):

* Bad input gets a clear 4xx with `{"error": <code>, "detail": <what is wrong>}`
  and never reaches the model: a body that is not UTF-8 JSON or not an object,
  a missing or malformed `sender` (Rasa would file every message without one
  under one shared conversation), a `message` that is not a string, empty or
  whitespace-only, or longer than ALLY_MAX_MESSAGE_CHARS (413), `metadata`
  that is not a small object. Control characters are removed from the text;
  emoji, right-to-left text and markup pass as text. Bodies over 1 MiB are
  refused by Sanic itself (413; SANIC_REQUEST_MAX_SIZE changes the limit).
  Error answers and logs never contain any part of the input.
* A per-conversation rate limit: a conversation that sends faster than
  ALLY_RATE_LIMIT_BURST messages at once / ALLY_RATE_LIMIT_PER_MINUTE gets
  429 with `Retry-After` and, as its body, a bot message a chat front end
  can show as it is ("You're sending messages very fast...").
* At most ALLY_MAX_CONCURRENT_MESSAGES (8) messages are processed at once;
  the others wait for a slot (limits.AdmissionGate), so a spike makes answers
  slower but never cuts them short (the action server calls keep their
  timeout). One that waited ALLY_MAX_QUEUE_SECONDS (40) gets 503 with a
  "lots of people are talking to me" bot message and the generic help.
* A message is never answered with nothing because something failed: if
  handling it raises (Redis down with Rasa's own lock store, a bug), the
  answer is the generic help from the domain (`utter_offline_help`). When
  Redis is unreachable (ally.lock_store.ResilientRedisLockStore reports
  `degraded`), the bot's answer is followed by a short notice that it may
  not remember the conversation, and the generic help.
* The guard (ally/guard.py): the server refuses to start with an unsafe
  privacy setting.
"""
import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from ally import guard, limits

logger = logging.getLogger(__name__)


class RestInput(RasaRestInput):
    def __init__(self, rate_limiter: Optional[limits.RateLimiter] = None) -> None:
        self.rate_limiter = rate_limiter or limits.RateLimiter.from_env()

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "RestInput":
        return cls()

    # --- answers ------------------------------------------------------------------------
    @staticmethod
    def _bot_messages(sender: str, *texts: str) -> List[Dict[str, Any]]:
        return [{"recipient_id": sender, "text": text} for text in texts]

    @staticmethod
    def _bad_input(error: limits.BadInput) -> HTTPResponse:
        return response.json(error.as_json(), status=error.status, headers={"Cache-Control": "no-store"})

    def _rate_limited(self, sender: str) -> HTTPResponse:
        return response.json(
            self._bot_messages(sender, limits.RATE_LIMITED_TEXT), status=429,
            headers={"Retry-After": str(self.rate_limiter.retry_after(sender) or 1), "Cache-Control": "no-store"},
        )

    # --- the webhook -------------------------------------------------------------------
    async def receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        try:
            body = limits.parse_body(request.body)
            sender = limits.clean_sender(body.get("sender"))
        except limits.BadInput as error:
            return self._bad_input(error)
        if not self.rate_limiter.allow(sender):
            return self._rate_limited(sender)
        try:
            text = limits.clean_text(body.get("message"))
            metadata = limits.clean_metadata(body.get("metadata"))
        except limits.BadInput as error:
            return self._bad_input(error)
        limits.remember_for_redaction(text)

        if request.args.get("stream", "").lower() == "true":
            return response.stream(
                self.stream_response(on_new_message, text, sender, self.name(), metadata),
                content_type="text/event-stream",
            )

        collector = CollectingOutputChannel()
        failed = False
        try:
            async with limits.admission_gate().slot():
                await on_new_message(UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata))
        except limits.Busy:
            logger.warning("Too many messages at once: one waited %.0f s and got the busy answer.",
                           limits.admission_gate().max_wait)
            return response.json(
                self._bot_messages(sender, *limits.busy_texts(request.app)), status=503,
                headers={"Retry-After": "30", "Cache-Control": "no-store"},
            )
        except asyncio.CancelledError:
            raise
        except Exception as error:  # never answer a child with nothing
            failed = True
            logger.error("Handling a message failed (%s); answering with generic help.", type(error).__name__)
        messages: List[Dict[str, Any]] = list(collector.messages)
        if failed or limits.store_degraded(request.app):
            messages += self._bot_messages(sender, *limits.degraded_texts(request.app))
        return response.json(messages)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # Same blueprint name and routes as Rasa's RestInput.
        blueprint = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.receive(request, on_new_message)

        @blueprint.listener("before_server_start")
        async def limit_request_size(app: Any, _loop: Any = None) -> None:
            limits.apply_request_size_limit(app)

        guard.register(blueprint)
        return blueprint
