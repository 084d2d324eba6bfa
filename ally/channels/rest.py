"""Rasa's REST channel (/webhooks/rest/webhook), plus Ally's start-up privacy check.

Identical to `rest:` for clients; metadata (`{"country": "SE"}`) passes
through as usual. Using it in credentials.yml makes the server refuse to
start with an unsafe privacy setting (ally/guard.py).
"""
from typing import Any, Awaitable, Callable

from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint

from ally import guard


class RestInput(RasaRestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[Any], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        guard.register(blueprint)
        return blueprint
