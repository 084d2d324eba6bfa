"""The web widget's channel: Rasa's socket.io protocol, fixed and locked down.

credentials.yml:

    ally.channels.widget.WidgetInput:
      session_persistence: true
      allowed_origins:            # or env ALLY_ALLOWED_ORIGINS="https://a.org,https://b.org"
        - http://127.0.0.1:5005
        - http://localhost:5005

What it adds to Rasa's `SocketIOInput` (same events, so other Rasa web widgets
can connect too):

* Replies are no longer lost with python-socketio >= 5.10: `enter_room` became
  a coroutine and Rasa 3.6 does not await it (RasaHQ/rasa#13027), so with
  `session_persistence` no reply ever reached the browser. Here it is awaited.
* Origins are checked: engine.io refuses a WebSocket or polling request from
  an origin that is not allowed (`cors_allowed_origins`), and the connect
  handler checks again. Allowed: the configured list, and the server's own
  pages (the demo page). A client that sends no Origin (not a browser) is
  let through: browsers always send one, and the check exists to stop other
  web sites from opening the chat in a visitor's browser.
* Only `country`, `language` and `age` of the widget's `customData` reach
  Rasa as message metadata; no IP address is logged.
* Every message takes the same checks and safe path as the REST channel
  (ally/input_checks.py, ally/channels/common.py).
* The custom hand-off payload arrives as `{"custom": {...}}` in `bot_uttered`
  (Rasa's socket.io output would pass its keys to `emit()` and fail).
* HTTP routes: the widget (/widget/ally-widget.js), a demo helpline page
  (/widget/?country=SE&lang=sv) and "forget this conversation now"
  (POST /webhooks/widget/forget); docs/embedding.md.
"""

import asyncio
import html
import json
import logging
import re
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional

import rasa.shared.utils.io
from rasa.core.channels.channel import InputChannel, UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer
from socketio.exceptions import ConnectionRefusedError

from ally import input_checks, safe_answers, throttle
from ally.channels import common, origins
from ally.forget import forget_conversation

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
WIDGET_FILE = ROOT / "widget" / "dist" / "ally-widget.js"
DEMO_DIR = ROOT / "widget" / "demo"  # a stand-in helpline page (index.html) and its style sheet
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
COUNTRY = re.compile(r"^[A-Za-z]{2}$")
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$")

try:  # Sanic-Cors (Rasa's --cors) must not add a second Allow-Origin header to ours
    from sanic_cors.core import SANIC_CORS_EVALUATED
except ImportError:  # pragma: no cover
    SANIC_CORS_EVALUATED = "_cors_evaluated"


def filtered_metadata(data: Any) -> Dict[str, Any]:
    """Only what Ally uses from the page: country, page language, age."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return {}
    if not isinstance(data, dict):
        return {}
    metadata: Dict[str, Any] = {}
    country = data.get("country")
    if isinstance(country, str) and COUNTRY.match(country):
        metadata["country"] = country.upper()
    language = data.get("language")
    if isinstance(language, str) and LANGUAGE.match(language):
        metadata["language"] = language
    age = data.get("age")
    if isinstance(age, bool):
        age = None
    if isinstance(age, int) and 0 < age < 120:
        metadata["age"] = age
    elif isinstance(age, str) and re.fullmatch(r"[0-9]{1,3}", age):
        metadata["age"] = int(age)
    return metadata


async def stop_socket_tasks(sio: AsyncServer) -> None:
    """On shutdown: end engine.io's per-connection ping tasks (else asyncio logs each one as an error)."""
    await sio.shutdown()
    current = asyncio.current_task()
    pings = [
        task
        for task in asyncio.all_tasks()
        if task is not current and getattr(task.get_coro(), "__qualname__", "").endswith("AsyncSocket._send_ping")
    ]
    for task in pings:
        task.cancel()
    if pings:
        await asyncio.gather(*pings, return_exceptions=True)


class WidgetOutput(SocketIOOutput):
    @classmethod
    def name(cls) -> str:
        return "widget"

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        """As `{"custom": ...}`, like the REST channel (Rasa's version calls emit(**json_message))."""
        await self._send_message(recipient_id, {"custom": json_message})


class WidgetBlueprint(SocketBlueprint):
    """Rasa's socket.io blueprint, plus the widget's routes at the server root."""

    def __init__(self, channel: "WidgetInput", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx.channel = channel

    def register(self, app: Sanic, options: Dict[str, Any]) -> None:
        super().register(app, options)
        channel = self.ctx.channel
        app.add_route(channel.serve_widget, "/widget/ally-widget.js", methods=["GET", "HEAD"], name="ally_widget_js")
        app.add_route(channel.serve_demo_css, "/widget/demo.css", methods=["GET", "HEAD"], name="ally_widget_demo_css")
        app.add_route(channel.serve_demo, "/widget/", methods=["GET", "HEAD"], name="ally_widget_demo")


class WidgetInput(SocketIOInput):
    """Ally's web widget channel."""

    @classmethod
    def name(cls) -> str:
        return "widget"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            credentials.get("session_persistence", True),
            credentials.get("socketio_path", "/socket.io"),
            credentials.get("jwt_key"),
            credentials.get("jwt_method", "HS256"),
            credentials.get("metadata_key", "customData"),
            allowed_origins=credentials.get("allowed_origins"),
        )

    def __init__(
        self,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        namespace: Optional[str] = None,
        session_persistence: bool = True,
        socketio_path: Optional[str] = "/socket.io",
        jwt_key: Optional[str] = None,
        jwt_method: Optional[str] = "HS256",
        metadata_key: Optional[str] = "customData",
        allowed_origins: Optional[Iterable[str]] = None,
    ) -> None:
        super().__init__(
            user_message_evt,
            bot_message_evt,
            namespace,
            session_persistence,
            socketio_path,
            jwt_key,
            jwt_method,
            metadata_key,
        )
        self.allowed_origins = origins.configured_origins(allowed_origins)
        self.rate_limiter = throttle.RateLimiter.from_env()
        self.app: Optional[Sanic] = None

    # --- origins -------------------------------------------------------------------
    def origin_allowed(self, origin: Optional[str], host: Optional[str]) -> bool:
        return origins.origin_allowed(origin, host, self.allowed_origins)

    def _engineio_origin_check(self, origin: Optional[str], environ: Dict[str, Any]) -> bool:
        return self.origin_allowed(origin, environ.get("HTTP_HOST"))

    def get_output_channel(self) -> Optional[WidgetOutput]:
        if self.sio is None:
            return super().get_output_channel()  # the same warning as Rasa's
        return WidgetOutput(self.sio, self.bot_message_evt)

    # --- socket.io ------------------------------------------------------------------
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=self._engineio_origin_check,
            logger=False,
            engineio_logger=False,
        )
        self._mark_cors_handled(sio)
        bp = WidgetBlueprint(self, sio, self.socketio_path, "ally_widget_webhook", __name__)
        self.sio = sio
        namespace = self.namespace

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/forget", methods=["POST", "OPTIONS"])
        async def forget(request: Request) -> HTTPResponse:
            return await self.forget(request)

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: Dict, auth: Optional[Dict]) -> bool:
            if not self.origin_allowed(environ.get("HTTP_ORIGIN"), environ.get("HTTP_HOST")):
                logger.info("Refused a widget connection from an origin that is not allowed.")
                raise ConnectionRefusedError("origin not allowed")
            if self.jwt_key:
                token = auth.get("token") if isinstance(auth, dict) else None
                payload = None
                if token:
                    payload = decode_bearer_token(token, self.jwt_key, self.jwt_algorithm)
                if not payload:
                    return False
            return True

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Optional[Dict]) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = requested if isinstance(requested, str) and SESSION_ID.match(requested) else uuid.uuid4().hex
            if self.session_persistence:
                previous = (await sio.get_session(sid, namespace=namespace)).get("session_id")
                if previous and previous != session_id:
                    await sio.leave_room(sid, previous, namespace=namespace)
                await sio.enter_room(sid, session_id, namespace=namespace)  # awaited: RasaHQ/rasa#13027
                await sio.save_session(sid, {"session_id": session_id}, namespace=namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict) or not isinstance(data.get("message"), str):
                return
            try:  # cut first: the widget itself sends at most this many characters
                text = input_checks.clean_text(data["message"][: input_checks.MAX_MESSAGE_CHARS])
            except input_checks.BadInput:
                return  # empty or whitespace only: nothing to answer
            input_checks.remember_for_redaction(text)
            sender_id = await self._sender_id(sio, sid, data)
            if sender_id is None:
                return
            output = WidgetOutput(sio, self.bot_message_evt)
            recipient = sender_id if self.session_persistence else sid
            metadata = filtered_metadata(data.get(self.metadata_key))

            async def send_texts(texts: List[str]) -> None:
                for text in texts:
                    await output.send_text_message(recipient, text)

            if not self.rate_limiter.allow(sender_id):
                await send_texts([safe_answers.rate_limited(self.app, common.page_language(metadata))])
                return
            message = UserMessage(text, output, sender_id, input_channel=self.name(), metadata=metadata)
            await common.answer_safely(message, on_new_message, send_texts, self.app)

        @bp.listener("before_server_start")
        async def keep_app(app: Sanic, _loop: Any = None) -> None:
            self.app = app

        @bp.listener("before_server_stop")
        async def stop_sockets(_app: Sanic, _loop: Any = None) -> None:
            await stop_socket_tasks(sio)

        common.register(bp)
        return bp

    @staticmethod
    def _mark_cors_handled(sio: AsyncServer) -> None:
        """engine.io sets its own CORS headers: tell Sanic-Cors (Rasa's --cors) to leave them alone."""
        handle_request = sio.eio.handle_request

        async def handle(request: Request, *args: Any, **kwargs: Any) -> Any:
            try:
                setattr(request.ctx, SANIC_CORS_EVALUATED, "1")
            except AttributeError:  # pragma: no cover
                pass
            return await handle_request(request, *args, **kwargs)

        sio.eio.handle_request = handle

    async def _sender_id(self, sio: AsyncServer, sid: str, data: Dict[str, Any]) -> Optional[str]:
        """The conversation id: the socket's session, or the one the message names (then joined)."""
        if not self.session_persistence:
            return sid
        namespace = self.namespace
        sender_id = (await sio.get_session(sid, namespace=namespace)).get("session_id")
        if sender_id is not None:
            return sender_id
        requested = data.get("session_id")
        if not (isinstance(requested, str) and SESSION_ID.match(requested)):
            rasa.shared.utils.io.raise_warning(
                "A widget message without a valid session_id was ignored: send `session_request` first."
            )
            return None
        await sio.enter_room(sid, requested, namespace=namespace)
        await sio.save_session(sid, {"session_id": requested}, namespace=namespace)
        return requested

    # --- HTTP -----------------------------------------------------------------------
    def _cors_headers(self, request: Request) -> Optional[Dict[str, str]]:
        """CORS headers for an allowed origin, {} without an Origin, None for a refused one."""
        origin = request.headers.get("origin")
        setattr(request.ctx, SANIC_CORS_EVALUATED, "1")
        if origin is None:
            return {}
        if not self.origin_allowed(origin, request.headers.get("host")):
            return None
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}

    async def forget(self, request: Request) -> HTTPResponse:
        cors = self._cors_headers(request)
        if cors is None:
            return response.json({"error": "origin not allowed"}, status=403)
        if request.method == "OPTIONS":
            return response.empty(
                headers={
                    **cors,
                    "Access-Control-Allow-Methods": "POST, OPTIONS",
                    "Access-Control-Allow-Headers": "Content-Type",
                    "Access-Control-Max-Age": "600",
                }
            )
        try:  # any content type: the widget sends text/plain to avoid a preflight
            body = json.loads(request.body or b"{}")
        except ValueError:
            body = None
        session_id = body.get("session_id") if isinstance(body, dict) else None
        if not (isinstance(session_id, str) and SESSION_ID.match(session_id)):
            return response.json({"error": 'send {"session_id": "..."}'}, status=400, headers=cors)
        forgotten = await forget_conversation(request.app.ctx.agent, session_id)
        headers = {**cors, "X-Ally-Forgotten": "true" if forgotten else "false", "Cache-Control": "no-store"}
        if cors:
            headers["Access-Control-Expose-Headers"] = "X-Ally-Forgotten"
        return response.empty(status=204, headers=headers)

    async def serve_widget(self, request: Request) -> HTTPResponse:
        headers = {
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cross-Origin-Resource-Policy": "cross-origin",
            "Cache-Control": "no-cache",
        }
        try:
            body = WIDGET_FILE.read_bytes()
        except OSError:
            return response.text(
                "The Ally widget is not built. Build it with `make setup` "
                "(or: cd widget && npm ci && npm run build).\n",
                status=404,
                headers=headers,
            )
        return response.raw(body, content_type="application/javascript; charset=utf-8", headers=headers)

    async def serve_demo_css(self, request: Request) -> HTTPResponse:
        return response.raw(
            (DEMO_DIR / "demo.css").read_bytes(),
            content_type="text/css; charset=utf-8",
            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"},
        )

    async def serve_demo(self, request: Request) -> HTTPResponse:
        host = origins.request_host(request.headers.get("host")) or "127.0.0.1"
        scheme = "https" if request.scheme in ("https", "wss") else "http"
        country = request.args.get("country", "GB")
        country = country.upper() if COUNTRY.match(country) else "GB"
        language = request.args.get("lang", "en")
        language = language if LANGUAGE.match(language) else "en"
        page = (
            (DEMO_DIR / "index.html")
            .read_text(encoding="utf-8")
            .format(
                server=html.escape(f"{scheme}://{host}", quote=True),
                country=html.escape(country, quote=True),
                language=html.escape(language, quote=True),
            )
        )
        ws = ("wss" if scheme == "https" else "ws") + f"://{host}"
        csp = (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self' {ws}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        )
        return response.html(
            page,
            headers={
                "Content-Security-Policy": csp,
                "Referrer-Policy": "no-referrer",
                "X-Content-Type-Options": "nosniff",
                "X-Frame-Options": "DENY",
                "Cache-Control": "no-store",
                "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
            },
        )
