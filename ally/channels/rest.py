"""Rasa's REST channel (/webhooks/rest/webhook), made robust.

Clients use it exactly like Rasa's `rest` channel:

    POST /webhooks/rest/webhook
    {"sender": "a-conversation-id", "message": "...", "metadata": {"country": "SE"}}
    -> 200 [{"recipient_id": "...", "text": "..."}, {"recipient_id": "...", "custom": {...}}]

Bad input gets a clear 4xx and never reaches the model (ally/input_checks.py);
a conversation that sends too fast gets 429 with a bot message; every
message, streamed (`?stream=true`) or not, takes the shared safe path
(ally/channels/common.py): 503 with the busy answer when the server is
full, generic help instead of silence when something fails.
docs/reliability.md describes the limits and their settings.
"""

import asyncio
import json
from typing import Any, Awaitable, Callable, Coroutine, Dict, List, Optional, Union

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import QueueOutputChannel
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from ally import input_checks, safe_answers, throttle
from ally.channels import common

NO_STORE = {"Cache-Control": "no-store"}


class RestInput(RasaRestInput):
    def __init__(self, rate_limiter: Optional[throttle.RateLimiter] = None) -> None:
        self.rate_limiter = rate_limiter or throttle.RateLimiter.from_env()

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "RestInput":
        return cls()

    @staticmethod
    def _bot_messages(sender: str, texts: List[str]) -> List[Dict[str, Any]]:
        return [{"recipient_id": sender, "text": text} for text in texts]

    @staticmethod
    def _bad_input(error: input_checks.BadInput) -> HTTPResponse:
        return response.json(error.as_json(), status=error.status, headers=NO_STORE)

    async def receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Union[HTTPResponse, ResponseStream]:
        try:
            body = input_checks.parse_body(request.body)
            sender = input_checks.clean_sender(body.get("sender"))
        except input_checks.BadInput as error:
            return self._bad_input(error)
        metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else None
        if not self.rate_limiter.allow(sender):
            text = safe_answers.rate_limited(request.app, common.page_language(metadata))
            return response.json(
                self._bot_messages(sender, [text]),
                status=429,
                headers={"Retry-After": str(self.rate_limiter.retry_after(sender) or 1), **NO_STORE},
            )
        try:
            text = input_checks.clean_text(body.get("message"))
            metadata = input_checks.clean_metadata(body.get("metadata"))
        except input_checks.BadInput as error:
            return self._bad_input(error)
        input_checks.remember_for_redaction(text)

        if request.args.get("stream", "").lower() == "true":
            return response.stream(
                self._stream(request.app, on_new_message, text, sender, metadata), content_type="text/event-stream"
            )
        collector = CollectingOutputChannel()

        async def send_texts(texts: List[str]) -> None:
            collector.messages.extend(self._bot_messages(sender, texts))

        message = UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata)
        outcome = await common.answer_safely(message, on_new_message, send_texts, request.app)
        if outcome is common.Outcome.BUSY:
            return response.json(collector.messages, status=503, headers={"Retry-After": "30", **NO_STORE})
        return response.json(collector.messages)

    def _stream(
        self,
        app: Any,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        sender: str,
        metadata: Optional[Dict[str, Any]],
    ) -> Callable[[Any], Coroutine[Any, Any, None]]:
        """Each bot message as one JSON line as soon as it is ready, through the same safe path."""

        async def stream(resp: Any) -> None:
            queue: asyncio.Queue = asyncio.Queue()
            output = QueueOutputChannel(queue)

            async def send_texts(texts: List[str]) -> None:
                for item in self._bot_messages(sender, texts):
                    await queue.put(item)

            async def run() -> None:
                try:
                    message = UserMessage(text, output, sender, input_channel=self.name(), metadata=metadata)
                    await common.answer_safely(message, on_new_message, send_texts, app)
                finally:
                    await queue.put(None)

            task = asyncio.ensure_future(run())
            while (item := await queue.get()) is not None:
                await resp.write(json.dumps(item) + "\n")
            await task

        return stream

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # Same blueprint name and routes as Rasa's RestInput.
        blueprint = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Union[HTTPResponse, ResponseStream]:
            return await self.receive(request, on_new_message)

        common.register(blueprint)
        return blueprint
