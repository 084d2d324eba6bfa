// The connection to Ally: Rasa's socket.io protocol, served by ally/channels/widget.py.
//
//   client -> session_request {session_id}      server -> session_confirm
//   client -> user_uttered {message, session_id, customData: {country, language, age}}
//   server -> bot_uttered {text | quick_replies | custom | attachment}
//
// WebSocket only. It connects when the first message is sent (the greeting,
// when the panel is first opened); messages sent before the session is
// confirmed wait in a queue, behind the greeting. It reconnects on its own,
// with the same conversation id. The id is random, made per page load, and
// kept nowhere but in this closure.
import { io } from "socket.io-client";

function randomId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// What Ally may know about the page: country, the page's language, age.
function metadata(config) {
  const data = { country: config.country, language: config.language };
  if (config.country === null) delete data.country;
  if (config.age !== null) data.age = config.age;
  return data;
}

// on.message(botUttered); on.state(name), name one of
//   "connecting", "connected", "reconnected",
//   "lost" (the socket closed), "retrying" (still trying to get it back),
//   "cantConnect" (never connected yet), "refused" (the server said no);
// on.greeting() when the greeting is sent.
export function createConnection(config, on) {
  let sessionId = randomId();
  let socket = null;
  let ready = false; // session confirmed by the server
  let everConnected = false;
  let greeted = false;
  let closed = false;
  const queue = [];

  const payload = (message) => ({ message, session_id: sessionId, customData: metadata(config) });

  function connect() {
    if (socket || closed) return;
    const s = io(config.serverOrigin, {
      path: config.socketPath,
      transports: ["websocket"],
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000,
      timeout: 8000,
      forceNew: true,
      withCredentials: false,
    });
    socket = s;
    on.state("connecting");

    s.on("connect", () => {
      ready = false;
      s.emit("session_request", { session_id: sessionId });
    });
    s.on("session_confirm", () => {
      if (closed) return;
      ready = true;
      on.state(everConnected ? "reconnected" : "connected");
      everConnected = true;
      if (!greeted) {
        greeted = true;
        queue.unshift(payload("/greet"));
        on.greeting();
      }
      for (const waiting of queue.splice(0)) s.emit("user_uttered", waiting);
    });
    s.on("bot_uttered", (message) => {
      if (!closed) on.message(message);
    });
    s.on("disconnect", (reason) => {
      ready = false;
      if (closed) return;
      on.state("lost");
      if (reason === "io server disconnect") s.connect(); // the server closed it: try again
    });
    s.on("connect_error", () => {
      if (closed) return;
      // not active: refused by the server (e.g. this site is not allowed)
      on.state(!s.active ? "refused" : everConnected ? "retrying" : "cantConnect");
    });
  }

  function send(message) {
    const data = payload(message);
    if (socket && socket.connected && ready) {
      socket.emit("user_uttered", data);
    } else {
      queue.push(data);
      connect();
    }
  }

  // For good: no more messages either way, nothing queued, the id forgotten.
  function close() {
    closed = true;
    if (socket) {
      socket.off();
      socket.disconnect();
    }
    socket = null;
    queue.length = 0;
    sessionId = "";
  }

  return {
    connect,
    send,
    close,
    get sessionId() {
      return sessionId;
    },
  };
}
