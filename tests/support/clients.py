"""A raw socket.io client for the tests and the load test."""

import asyncio
import json
import time
from typing import Any, List, Optional

import websockets


# python-socketio's client needs a newer aiohttp than Rasa allows.
class RawSocketIO:
    """Engine.io v4 / socket.io v5 over one WebSocket, as Ally's widget speaks it."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    @classmethod
    async def connect(cls, base_url: str, origin: Optional[str] = None) -> "RawSocketIO":

        url = base_url.replace("http://", "ws://", 1).rstrip("/") + "/socket.io/?EIO=4&transport=websocket"
        headers = {"Origin": origin} if origin else None
        ws = await websockets.connect(url, extra_headers=headers, max_size=None, open_timeout=30)
        client = cls(ws)
        opened = await asyncio.wait_for(ws.recv(), 30)
        assert str(opened).startswith("0"), opened
        await ws.send("40")
        await client._until(lambda packet: packet.startswith("40"), 30)
        return client

    async def _until(self, accept: Any, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise asyncio.TimeoutError
            packet = await asyncio.wait_for(self.ws.recv(), remaining)
            if packet == "2":  # engine.io ping
                await self.ws.send("3")
                continue
            if accept(packet):
                return packet

    async def emit(self, event: str, data: Any) -> None:
        await self.ws.send("42" + json.dumps([event, data]))

    async def send_raw(self, frame: Any) -> None:
        await self.ws.send(frame)

    async def start_session(self, session_id: str) -> None:
        await self.emit("session_request", {"session_id": session_id})
        await self._until(lambda p: p.startswith('42["session_confirm"'), 30)

    async def bot_messages(self, quiet: float = 2.0, timeout: float = 60) -> List[dict]:
        """The bot_uttered events until none came for `quiet` seconds (at least one, within `timeout`)."""
        messages: List[dict] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            wait = quiet if messages else deadline - time.monotonic()
            try:
                packet = await self._until(lambda p: p.startswith('42["bot_uttered"'), max(0.1, wait))
            except asyncio.TimeoutError:
                break
            messages.append(json.loads(packet[2:])[1])
        return messages

    async def close(self) -> None:
        await self.ws.close()
