"""A minimal socket.io client for tests: Rasa's protocol over a raw WebSocket.

python-socketio's own client needs a newer aiohttp than Rasa allows, so the
tests speak Engine.IO v4 / Socket.IO v5 frames directly with `websockets`.
"""

import asyncio
import json
from typing import Any, Dict, List, Optional

import websockets


def url_of(servers: Any) -> str:
    return f"ws://127.0.0.1:{servers.rasa_port}/socket.io/?EIO=4&transport=websocket"


async def conversation(
    servers: Any, session_id: str, messages: List[str], custom_data: Optional[dict] = None, timeout: float = 30
) -> List[List[Dict[str, Any]]]:
    """Send each message on one socket; return the bot_uttered events answering each.

    A turn ends when the bot has been quiet for a moment after its first answer.
    """
    answers = []
    async with websockets.connect(url_of(servers), origin=servers.url, open_timeout=10) as ws:
        await ws.recv()  # Engine.IO open packet
        await ws.send("40")  # connect to the default namespace
        await ws.recv()
        await ws.send("42" + json.dumps(["session_request", {"session_id": session_id}]))
        while True:
            name, data = await _event(ws, timeout)
            if name == "session_confirm":
                break
        for message in messages:
            await ws.send(
                "42"
                + json.dumps(
                    ["user_uttered", {"message": message, "session_id": session_id, "customData": custom_data or {}}]
                )
            )
            turn = [(await _event(ws, timeout))[1]]
            while True:
                try:
                    turn.append((await _event(ws, 1.5))[1])
                except asyncio.TimeoutError:
                    break
            answers.append(turn)
    return answers


async def _event(ws: Any, timeout: float):
    while True:
        frame = await asyncio.wait_for(ws.recv(), timeout)
        if frame == "2":  # Engine.IO ping
            await ws.send("3")
        elif frame.startswith("42"):
            return json.loads(frame[2:])
