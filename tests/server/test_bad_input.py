"""Bad input over REST and socket.io: a clear 4xx or a safe reply, the server keeps serving, nothing logged.

A real Rasa server and action server at DEBUG (the most talkative level).
Every bad input that can carry text carries a unique canary; at the end no
canary may appear in either server's output. After each bad input the
server must still answer a normal message. The per-conversation rate limit
is set low here (5 at once, then 30 a minute) so a flood is cheap to send.
"""

import asyncio
import json
import secrets
import socket
import threading
import time
import uuid
from contextlib import asynccontextmanager
from types import SimpleNamespace

import pytest
import yaml
from rasa.shared.core.domain import Domain

from ally import input_checks, safe_answers, throttle
from support.clients import RawSocketIO
from support.cluster import post
from support.servers import ROOT, Canaries, Servers

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
CANARIES = Canaries()
canary = CANARIES.new
BURST = 5


def sender():
    return f"bad-{uuid.uuid4().hex}"


def variants(response):
    return [v["text"] for v in DOMAIN["responses"][response]]


# The rate-limit answer: a pause, and the emergency numbers (checked against the directory).
RATE_LIMITED_TEXT = variants("utter_rate_limited")[0] + "\n" + variants("utter_emergency_offline")[0]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = Servers(
        tmp_path_factory.mktemp("bad-input"),
        log_level="debug",
        env={"ALLY_RATE_LIMIT_BURST": str(BURST), "ALLY_RATE_LIMIT_PER_MINUTE": "30"},
    )
    yield running
    running.stop()


def webhook(server):
    return f"{server.url}/webhooks/rest/webhook"


def still_serves(server):
    status, _, replies = post(webhook(server), {"sender": sender(), "message": "hello"})
    assert status == 200 and replies and replies[0]["text"] in variants("utter_greet")


def bodies():
    """(name, request body, expected status, expected error code or None for a safe reply)."""
    c = canary
    return [
        ("empty message", {"sender": sender(), "message": ""}, 400, "message_empty"),
        ("whitespace-only message", {"sender": sender(), "message": " \n\t \u00a0 "}, 400, "message_empty"),
        ("100 KB message", {"sender": sender(), "message": f"{c()} " + "help me " * 12_800}, 413, "message_too_long"),
        ("invalid JSON", f'{{"sender": "{sender()}", "message": "{c()}'.encode(), 400, "body_not_json"),
        ("JSON that is not an object", json.dumps([c(), "hello"]).encode(), 400, "body_not_object"),
        ("message as a number", {"sender": sender(), "message": 12345}, 400, "message_not_text"),
        ("message as a list", {"sender": sender(), "message": [c()]}, 400, "message_not_text"),
        ("message as null", {"sender": sender(), "message": None}, 400, "message_not_text"),
        ("no message", {"sender": sender(), "metadata": {"country": "SE"}}, 400, "message_not_text"),
        ("missing sender id", {"message": f"someone keeps asking me for pics {c()}"}, 400, "sender_missing"),
        ("10 KB sender id", {"sender": c() + "x" * 10_240, "message": "hello"}, 400, "sender_invalid"),
        ("sender id with spaces and markup", {"sender": f"<b>{c()}</b> x", "message": "hello"}, 400, "sender_invalid"),
        ("sender id as a list", {"sender": [c()], "message": "hello"}, 400, "sender_invalid"),
        ("metadata as a string", {"sender": sender(), "message": "hello", "metadata": c()}, 400, "metadata_not_object"),
        (
            "huge metadata",
            {"sender": sender(), "message": "hello", "metadata": {"x": c() * 1000}},
            413,
            "metadata_too_large",
        ),
        (
            "invalid UTF-8",
            b'{"sender": "x1", "message": "\xff\xfe ' + c().encode() + b' \xc3\x28"}',
            400,
            "body_not_utf8",
        ),
        (
            "lone surrogate escapes",
            f'{{"sender": "{sender()}", "message": "\\ud800 {c()} \\udfff"}}'.encode(),
            200,
            None,
        ),
        (
            "control characters",
            {"sender": sender(), "message": f"\x00\x07\x1b[31m someone keeps asking me for pics {c()}\x7f\x85\x08"},
            200,
            None,
        ),
        ("emoji only", {"sender": sender(), "message": "😢😢😢🙏"}, 200, None),
        ("emoji and text", {"sender": sender(), "message": f"😢 someone keeps asking me for pics {c()} 🙏"}, 200, None),
        (
            "right-to-left text",
            {"sender": sender(), "message": f"\u202eشخص يطلب مني صور {c()} \u05e2\u05d6\u05e8\u05d4"},
            200,
            None,
        ),
        (
            "HTML and script tags",
            {"sender": sender(), "message": f"<script>alert('{c()}')</script><img src=x onerror=alert(1)><b>help</b>"},
            200,
            None,
        ),
    ]


CASES = bodies()


@pytest.mark.parametrize("name,body,status,code", CASES, ids=[c[0] for c in CASES])
def test_bad_input_over_rest_gets_a_clear_answer_and_the_server_keeps_serving(server, name, body, status, code):
    got, headers, answer = post(webhook(server), body)
    assert got == status, (name, got, answer)
    if code is not None:
        assert answer["error"] == code and answer["detail"]
        assert not [c for c in CANARIES if c in json.dumps(answer)], "the error answer repeats the input"
    else:  # a safe reply: the bot answered, and never echoes markup back
        assert isinstance(answer, list) and answer and all(r.get("text") or r.get("custom") for r in answer)
        assert "<script" not in json.dumps(answer) and not [c for c in CANARIES if c in json.dumps(answer)]
    still_serves(server)


def test_a_10_mb_body_is_refused_by_the_size_limit(server):
    """Sanic answers 413 as soon as the declared length is over the limit, before reading the body."""
    body = json.dumps({"sender": sender(), "message": canary() + " " + "x" * 10_000_000}).encode()
    head = (
        f"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: 127.0.0.1:{server.rasa_port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.rasa_port), timeout=30) as connection:
        connection.sendall(head + body[:65536])
        try:
            for start in range(65536, len(body), 65536):
                connection.sendall(body[start : start + 65536])
        except OSError:
            pass  # the server stopped reading: expected
        answer = connection.recv(65536).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    still_serves(server)


def test_a_message_flood_from_one_conversation_gets_a_polite_answer(server):
    flooder, results = sender(), []

    def send():
        results.append(post(webhook(server), {"sender": flooder, "message": f"help {canary()}"}, timeout=120))

    threads = [threading.Thread(target=send) for _ in range(4 * BURST)]
    for thread in threads:
        thread.start()
    still_serves(server)  # other conversations are not slowed down by the flood
    for thread in threads:
        thread.join(timeout=180)
    statuses = sorted(status for status, _, _ in results)
    assert statuses.count(200) <= BURST + 1 and statuses.count(429) >= 2 * BURST, statuses
    assert set(statuses) <= {200, 429}
    limited = [(headers, answer) for status, headers, answer in results if status == 429]
    for headers, answer in limited:
        assert answer == [{"recipient_id": flooder, "text": RATE_LIMITED_TEXT}]
        assert int(headers["Retry-After"]) >= 1
    assert "very fast" in RATE_LIMITED_TEXT and "112" in RATE_LIMITED_TEXT and "111" in RATE_LIMITED_TEXT

    # After a pause the same conversation is answered again.
    time.sleep(max(int(h["Retry-After"]) for h, _ in limited) + 0.5)
    status, _, replies = post(webhook(server), {"sender": flooder, "message": "can i talk to a real person"})
    assert status == 200 and replies


# --- the checks themselves (ally/input_checks.py, ally/throttle.py), no server needed -----------------------------
def test_clean_text_keeps_what_people_write_and_drops_what_no_one_types():
    assert input_checks.clean_text("  \x00hi\x07 there\x1b[0m\n ") == "hi there[0m"
    assert input_checks.clean_text("😢🙏") == "😢🙏"
    assert input_checks.clean_text("\u202eمرحبا \u05e9\u05dc\u05d5\u05dd") == "\u202eمرحبا שלום"
    assert input_checks.clean_text("<b>x</b>") == "<b>x</b>"  # markup is text; replies never echo it
    assert input_checks.clean_text("a\ud800b") == "a?b"
    for bad, code in (
        (None, "message_not_text"),
        (5, "message_not_text"),
        (" \t\n\x00 ", "message_empty"),
        ("x" * (input_checks.MAX_MESSAGE_CHARS + 1), "message_too_long"),
    ):
        with pytest.raises(input_checks.BadInput) as error:
            input_checks.clean_text(bad)
        assert error.value.code == code


def test_sender_ids_are_checked():
    assert input_checks.clean_sender("a-B_1.2:3@x+y=z") == "a-B_1.2:3@x+y=z"
    assert input_checks.clean_sender(42) == "42"
    for bad in (None, "", "a b", "x" * 129, True, 1.5, ["x"], "caf\u00e9", "a\nb"):
        with pytest.raises(input_checks.BadInput):
            input_checks.clean_sender(bad)


def test_the_rate_limiter_allows_a_burst_then_refills_and_keeps_no_ids():
    limiter = throttle.RateLimiter(burst=3, per_minute=60)
    assert [limiter.allow("c1", now=0) for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("c2", now=0)  # per conversation
    assert limiter.retry_after("c1", now=0) == 1
    assert not limiter.allow("c1", now=0.5) and limiter.allow("c1", now=1.6)
    assert all(isinstance(key, bytes) and b"c1" not in key for key in limiter._buckets)
    small = throttle.RateLimiter(burst=1, per_minute=1, max_keys=10)
    for i in range(50):
        small.allow(f"conversation-{i}", now=0)
    assert len(small) == 10


def test_the_admission_gate_bounds_messages_in_progress_and_says_busy_after_the_wait():
    gate = throttle.AdmissionGate(limit=2, max_wait=0.3)
    active, peak, busy = [0], [0], [0]

    async def message():
        try:
            async with gate.slot():
                active[0] += 1
                peak[0] = max(peak[0], active[0])
                await asyncio.sleep(0.1)
                active[0] -= 1
        except throttle.Busy:
            busy[0] += 1

    async def spike():
        await asyncio.gather(*[message() for _ in range(10)])

    asyncio.run(spike())
    assert peak[0] == 2 and 1 <= busy[0] <= 8
    assert gate._semaphore._value == 2 and gate.waiting == 0  # every slot given back


def test_the_busy_answer_is_the_notice_and_the_domains_generic_help():
    class Agent:  # what the channels read: the loaded domain
        domain = Domain.load(str(ROOT / "domain.yml"))

    app = SimpleNamespace(ctx=SimpleNamespace(agent=Agent()))
    assert safe_answers.busy(app) == [variants("utter_busy")[0], variants("utter_offline_help")[0]]
    assert safe_answers.rate_limited(app) == RATE_LIMITED_TEXT


# --- socket.io (the widget channel) ------------------------------------------------------
@asynccontextmanager
async def widget_session(server, session_id):
    """A raw socket.io connection with a started session, closed afterwards."""
    socket = await RawSocketIO.connect(server.url)
    try:
        await socket.start_session(session_id)
        yield socket
    finally:
        await socket.close()


def test_bad_input_over_socketio_is_ignored_or_answered_and_the_socket_keeps_working(server):
    session_id = uuid.uuid4().hex

    async def talk():
        async with widget_session(server, session_id) as socket:
            for data in (
                12345,
                [canary()],
                None,
                {"message": 5},
                {"message": None},
                {"message": ""},
                {"message": "  \n\t "},
                {"message": [canary()]},
                {},
                {"session_id": session_id},
            ):
                await socket.emit("user_uttered", data)
            await socket.send_raw(f'42["user_uttered", {{"message": "{canary()}')  # invalid JSON
            await socket.send_raw("4" + canary())  # not a socket.io packet
            await socket.emit("no_such_event", {"message": canary()})
            ignored = await socket.bot_messages(quiet=1, timeout=4)
            answers = []
            for text in (
                f"{canary()} " + "help " * 20_000,  # 100 KB: cut to the limit
                "\x00\x07\x1b[31m someone keeps asking me for pics\x7f",
                "😢😢😢",
                f"<script>alert('{canary()}')</script>",
                f"שלום {canary()} مرحبا",
            ):
                await socket.emit(
                    "user_uttered", {"message": text, "session_id": session_id, "customData": {"country": "SE"}}
                )
                answers.append(await socket.bot_messages())
            await socket.emit("user_uttered", {"message": "hello", "session_id": session_id})
            normal = await socket.bot_messages()
        return ignored, answers, normal

    ignored, answers, normal = asyncio.run(talk())
    assert ignored == []
    assert all(answer for answer in answers), "a message the widget sent got no answer"
    assert "<script" not in json.dumps(answers)
    assert normal and normal[0]["text"] in variants("utter_greet")
    still_serves(server)


def test_a_10_mb_socketio_frame_closes_only_that_socket(server):
    async def flood():
        try:
            async with widget_session(server, uuid.uuid4().hex) as socket:
                await socket.emit("user_uttered", {"message": canary() + "x" * 10_000_000})
                await socket.bot_messages(quiet=1, timeout=10)
        except Exception:
            pass  # the server closes the socket (message too big)
        session_id = uuid.uuid4().hex
        async with widget_session(server, session_id) as again:
            await again.emit("user_uttered", {"message": "hello", "session_id": session_id})
            return await again.bot_messages()

    replies = asyncio.run(flood())
    assert replies and replies[0]["text"] in variants("utter_greet")


def test_control_characters_over_socketio_stay_out_of_the_logs(server):
    """Rasa's DEBUG lines show control characters JSON-escaped: the channel must remove them first."""
    word = f"canary{secrets.token_hex(6)}"  # not in CANARIES: this case has its own test
    session_id = uuid.uuid4().hex

    async def talk():
        async with widget_session(server, session_id) as socket:
            await socket.emit(
                "user_uttered",
                {"message": f"\x00\x07 someone keeps asking me for pics {word}\x7f", "session_id": session_id},
            )
            return await socket.bot_messages()

    assert asyncio.run(talk())
    assert word not in server.logs["rasa"].read_text(errors="replace")


def test_a_message_flood_over_socketio_gets_a_polite_answer(server):
    session_id = uuid.uuid4().hex

    async def flood():
        async with widget_session(server, session_id) as socket:
            for _ in range(3 * BURST):
                await socket.emit("user_uttered", {"message": f"help {canary()}", "session_id": session_id})
            return await socket.bot_messages(quiet=3)

    texts = [message.get("text") for message in asyncio.run(flood())]
    limited = texts.count(RATE_LIMITED_TEXT)
    assert BURST <= limited < 3 * BURST, f"{limited} of {3 * BURST} messages were rate limited"
    assert len(texts) > limited, "the messages within the burst were not answered"
    still_serves(server)


# --- last: the logs ---------------------------------------------------------------------------
def test_no_bad_input_reached_the_logs(server):
    logs = {name: path.read_text(errors="replace") for name, path in server.logs.items()}
    assert "DEBUG" in logs["rasa"], "DEBUG logging was not on"
    assert len(CANARIES) > 20
    for name, text in logs.items():
        leaked = [c for c in CANARIES if c in text]
        assert not leaked, f"{len(leaked)} bad inputs in the {name} server's output"
