"""What the benchmark sends to each bot, and the asyncio + aiohttp clients that send it.

Both bots get short conversations of five messages in their own domain; a
new conversation id starts every five messages, so trackers stay as short
as in real use (and Ally's per-conversation rate limit, 12 messages at
once, is never reached by a well-behaved client).

* Ally: teenagers' own words for risk scenarios (images, sextortion, meeting,
  job offers, danger now, self-harm, a friend at risk ...), followed by what
  they ask next (a real person, reporting, fear of trouble, privacy). Every
  message carries the metadata an embedding site sends (`{"country": "GB"}`;
  the widget sends it with every message), so risk replies include the
  country's helpline from the action server. These phrasings are written for
  the benchmark, not copied from data/nlu.yml.
* Stock bot (`rasa init`): its own intents: greet, mood_great,
  mood_unhappy, affirm, deny, bot_challenge, goodbye.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from typing import Any, Dict, Iterator, List, Optional, Tuple

import aiohttp

ALLY_COUNTRIES = ["GB", "SE", "DE", "US", "AU", "IE", "FR", "NL", "CA", "ES", "IT", "NZ"]

ALLY_CONVERSATIONS: List[List[str]] = [
    [
        "hi",
        "this guy on snap keeps asking me for pics of myself",
        "im scared ill get in trouble if i tell my parents",
        "can i talk to a real person",
        "thanks",
    ],
    [
        "hey",
        "he says he will post my photos everywhere unless i pay him 100 pounds",
        "how do i report him",
        "thank you",
        "bye",
    ],
    [
        "someone i met on roblox wants to meet up this weekend and said not to tell anyone",
        "im 14",
        "who can i talk to",
        "ok thanks",
        "bye",
    ],
    [
        "a man online keeps sending me disgusting pictures of himself",
        "he told me to keep our chats secret",
        "what can you do",
        "is this chat saved anywhere",
        "thanks",
    ],
    [
        "my best friend is being blackmailed with her nudes",
        "what should she do",
        "can i speak to someone",
        "yes please",
        "bye",
    ],
    [
        "hello",
        "a woman on insta offered me a modelling job abroad and wants a copy of my passport",
        "are you a bot",
        "how do i report it",
        "thanks",
    ],
    ["he is outside my house right now and i am really scared", "please help", "can i call someone", "ok", "thank you"],
    [
        "i dont want to be here anymore, i want to hurt myself",
        "i cant talk to my parents",
        "can i talk to a person",
        "thanks",
        "bye",
    ],
    [
        "he keeps asking me to go on cam and take my top off",
        "he gave me robux and a gift card first",
        "i feel like its my fault",
        "can i talk to someone real",
        "bye",
    ],
    [
        "this guy i dont know keeps asking where i live and what school i go to",
        "it just feels weird talking to him",
        "how do i block and report",
        "thanks",
        "goodbye",
    ],
]

STOCK_CONVERSATIONS: List[List[str]] = [
    ["hi", "i am feeling pretty sad today", "yes it did", "i am great now", "bye"],
    ["hello there", "amazing, feeling great", "are you a bot?", "good night", "see you later"],
    ["good morning", "not very good", "no", "hey", "goodbye"],
    ["hey", "i am so sad", "yes", "are you a human?", "bye bye"],
    ["good evening", "super stoked", "am i talking to a bot?", "hello", "have a nice day"],
    ["hey there", "my day was horrible", "not really", "hi", "see you around"],
]

TURNS_PER_CONVERSATION = 5


def message_stream(bot: str, prefix: str, offset: int = 0) -> Iterator[Tuple[str, Dict[str, Any]]]:
    """Endless (sender, body) pairs for `bot` ("ally" or "stock"): conversation after conversation."""
    conversations = ALLY_CONVERSATIONS if bot == "ally" else STOCK_CONVERSATIONS
    for number in itertools.count(offset):
        turns = conversations[number % len(conversations)]
        sender = f"{prefix}-{number}-{uuid.uuid4().hex[:8]}"
        country = ALLY_COUNTRIES[number % len(ALLY_COUNTRIES)]
        for text in turns:
            body: Dict[str, Any] = {"sender": sender, "message": text}
            if bot == "ally":
                body["metadata"] = {"country": country}
            yield sender, body


class Result:
    """Latencies (seconds) of answered messages and the count of failures."""

    def __init__(self) -> None:
        self.latencies: List[float] = []
        self.errors = 0
        self.empty = 0
        self.error_kinds: Dict[str, int] = {}

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


async def send(
    session: aiohttp.ClientSession, url: str, body: Dict[str, Any], result: Result, timeout: float
) -> Optional[float]:
    """POST one message; returns its round-trip time in seconds, or None when it failed."""
    started = time.perf_counter()
    try:
        async with session.post(url, json=body, timeout=aiohttp.ClientTimeout(total=timeout)) as answer:
            payload = await answer.read()
            elapsed = time.perf_counter() - started
            if answer.status != 200:
                result.error(f"http_{answer.status}")
                return None
    except asyncio.TimeoutError:
        result.error("timeout")
        return None
    except aiohttp.ClientError as error:
        result.error(type(error).__name__)
        return None
    if payload.strip() in (b"", b"[]"):
        result.empty += 1  # answered, but with no bot message
    result.latencies.append(elapsed)
    return elapsed


def webhook(base_url: str) -> str:
    return base_url.rstrip("/") + "/webhooks/rest/webhook"


async def sequential(
    base_url: str, messages: Iterator[Tuple[str, Dict[str, Any]]], count: int, result: Result, timeout: float = 60
) -> None:
    """One user: `count` messages, each sent when the previous answer arrived (keep-alive connection)."""
    connector = aiohttp.TCPConnector(limit=1)
    async with aiohttp.ClientSession(connector=connector) as session:
        url = webhook(base_url)
        for _ in range(count):
            _, body = next(messages)
            await send(session, url, body, result, timeout)


async def concurrent(
    base_url: str, bot: str, conversations: int, duration: float, prefix: str, timeout: float = 60
) -> Dict[str, Any]:
    """`conversations` users at once, each sending its next message as soon as it is answered.

    Users start new messages for `duration` seconds; messages still in flight then are
    awaited. Throughput = all answered messages / time from the start to the last answer,
    so a slow server is not flattered by a window that ends before its queue drains.
    """
    result = Result()
    url = webhook(base_url)
    connector = aiohttp.TCPConnector(limit=conversations)
    started = time.perf_counter()
    deadline = started + duration

    async def user(index: int) -> None:
        stream = message_stream(bot, f"{prefix}-u{index}", offset=index)
        while time.perf_counter() < deadline:
            _, body = next(stream)
            await send(session, url, body, result, timeout)

    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(user(i) for i in range(conversations)))
    wall = time.perf_counter() - started
    answered = len(result.latencies)
    return {
        "conversations": conversations,
        "duration_s": duration,
        "wall_s": round(wall, 2),
        "answered": answered,
        "throughput_msg_s": round(answered / wall, 2),
        "errors": result.errors,
        "error_kinds": result.error_kinds,
        "empty_replies": result.empty,
        "latencies": result.latencies,
    }
