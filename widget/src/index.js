// Ally's chat widget. One <script> tag on a helpline's page:
//
//   <script src="https://ally.example.org/widget/ally-widget.js"
//           data-server-url="https://ally.example.org" data-country="SE" defer></script>
//
// Privacy: the conversation lives in this page's memory only. Nothing is
// written to any browser store; a new random conversation id is made on
// every page load; quick exit wipes the page, asks the server to forget the
// conversation and replaces the page in the history.
//
// Protocol: Rasa's socket.io channel (session_request / session_confirm,
// user_uttered / bot_uttered), served by ally/channels/widget.py.
import { io } from "socket.io-client";

import { theme } from "./color.js";
import { readConfig } from "./config.js";
import { renderBotText, safeHref, spokenText } from "./render.js";
import { CSS } from "./styles.js";

const VERSION = "0.1.0";
const ESCAPE_WINDOW_MS = 1500;
const FORGET_WAIT_MS = 800;
const TYPING_TIMEOUT_MS = 20000;
const MAX_MESSAGE_CHARS = 1000;
const HANDOFF_EVENT = "ally:handoff";

const T = {
  notice: "You're chatting with a bot, not a person. Nothing you write here is saved.",
  exit: "Quick exit",
  exitLabel: "Quick exit: leave this page now. You can also press Escape twice.",
  close: "Minimise chat",
  person: "Talk to a person",
  personMessage: "I want to talk to a person",
  inputLabel: "Your message",
  placeholder: "Type your message…",
  send: "Send",
  typing: "typing…",
  you: "You:",
  connecting: "Connecting…",
  reconnecting: "Reconnecting…",
  connectedAgain: "Connected again.",
  cantConnect: "Can't reach the chat right now. Trying again…",
  refused: "The chat can't start on this page.",
  escapeOnce: "Press Escape again to leave this page.",
  conversation: "Conversation",
  openNow: "Open now",
  closedNow: "Closed now",
  chat: "Chat online",
  website: "Website",
};

function randomId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function el(tag, className, textContent) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (textContent !== undefined) node.textContent = textContent;
  return node;
}

function button(className, label) {
  const node = el("button", className, label);
  node.type = "button";
  return node;
}

function applyStyles(root) {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } catch (_) {
    root.appendChild(el("style", null, CSS)); // older browsers
  }
}

function mount(config) {
  // --- state: page memory only -------------------------------------------
  const state = {
    sessionId: randomId(),
    socket: null,
    ready: false, // session confirmed by the server
    everConnected: false,
    greeted: false,
    queue: [],
    lastHandoff: null,
    lastEscape: 0,
    leaving: false,
    typingTimer: 0,
    statusTimer: 0,
  };

  // --- DOM ------------------------------------------------------------------
  const host = el("div");
  host.id = "ally-widget";
  const root = host.attachShadow({ mode: "open" });
  applyStyles(root);
  const colours = theme(config.primaryColor);
  for (const name of Object.keys(colours)) host.style.setProperty(name, colours[name]);

  const app = el("aside", "ally");
  app.setAttribute("aria-label", config.title + " chat");
  app.lang = "en";

  const dock = el("div", "ally-dock");
  const dockExit = button("ally-exit", T.exit);
  dockExit.setAttribute("aria-label", T.exitLabel);
  dockExit.hidden = !config.dockExit;
  const launcher = button("ally-launcher", config.launcherLabel);
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "ally-panel");
  dock.append(dockExit, launcher);

  const panel = el("section", "ally-panel");
  panel.id = "ally-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-modal", "false");
  panel.setAttribute("aria-labelledby", "ally-title");
  panel.setAttribute("aria-describedby", "ally-notice");
  panel.hidden = true;

  const header = el("div", "ally-header");
  const title = el("h2", "ally-title", config.title);
  title.id = "ally-title";
  const exit = button("ally-exit", T.exit);
  exit.setAttribute("aria-label", T.exitLabel);
  const close = button("ally-close", "\u2212");
  close.setAttribute("aria-label", T.close);
  header.append(title, exit, close);

  const notice = el("p", "ally-notice", T.notice);
  notice.id = "ally-notice";
  const status = el("p", "ally-status");
  status.setAttribute("role", "status");

  const scroll = el("div", "ally-scroll");
  scroll.tabIndex = 0;
  scroll.setAttribute("role", "region");
  scroll.setAttribute("aria-label", T.conversation);
  const log = el("ol", "ally-log");
  const typing = el("div", "ally-typing");
  typing.hidden = true;
  typing.append(el("span", "ally-sr", config.title + " is " + T.typing), el("span", "ally-dot"), el("span", "ally-dot"), el("span", "ally-dot"));
  scroll.append(log, typing);

  // what a screen reader announces: each new bot message, once
  const live = el("div", "ally-sr");
  live.setAttribute("aria-live", "polite");
  live.setAttribute("aria-relevant", "additions");

  const footer = el("div", "ally-footer");
  const person = button("ally-person", T.person);
  const form = el("form", "ally-form");
  form.setAttribute("aria-label", "Send a message");
  const label = el("label", "ally-sr", T.inputLabel);
  label.htmlFor = "ally-input";
  const input = el("input", "ally-input");
  input.id = "ally-input";
  input.type = "text";
  input.autocomplete = "off";
  input.maxLength = MAX_MESSAGE_CHARS;
  input.placeholder = T.placeholder;
  input.setAttribute("enterkeyhint", "send");
  const send = el("button", "ally-send", T.send);
  send.type = "submit";
  form.append(label, input, send);
  footer.append(person, form);

  panel.append(header, notice, status, scroll, live, footer);
  app.append(dock, panel);
  root.appendChild(app);
  document.body.appendChild(host);

  // --- helpers --------------------------------------------------------------
  function isOpen() {
    return !panel.hidden;
  }

  function scrollToEnd() {
    scroll.scrollTop = scroll.scrollHeight;
  }

  function setStatus(message, bad, clearAfterMs) {
    clearTimeout(state.statusTimer);
    status.textContent = message || "";
    status.classList.toggle("ally-status--bad", Boolean(bad));
    if (clearAfterMs) state.statusTimer = setTimeout(() => setStatus(""), clearAfterMs);
  }

  function announce(text) {
    const line = el("p", null, text);
    live.appendChild(line);
    while (live.childNodes.length > 5) live.removeChild(live.firstChild);
  }

  function showTyping(on) {
    clearTimeout(state.typingTimer);
    typing.hidden = !on;
    if (on) {
      state.typingTimer = setTimeout(() => showTyping(false), TYPING_TIMEOUT_MS);
      scrollToEnd();
    }
  }

  function addMessage(from) {
    const item = el("li", "ally-msg ally-msg--" + from);
    log.appendChild(item);
    return item;
  }

  function removeChoices() {
    for (const group of log.querySelectorAll(".ally-choices")) group.remove();
  }

  function dispatchHandoff(source, handoff) {
    const event = new CustomEvent(HANDOFF_EVENT, {
      detail: { source, country: config.country, handoff: handoff || null },
      bubbles: true,
      cancelable: true,
    });
    document.dispatchEvent(event); // bubbles to window too
    return event;
  }

  // --- the conversation -----------------------------------------------------
  function metadata() {
    const data = { country: config.country, language: config.language };
    if (config.country === null) delete data.country;
    if (config.age !== null) data.age = config.age;
    return data;
  }

  function transmit(message) {
    const payload = { message, session_id: state.sessionId, customData: metadata() };
    if (state.socket && state.socket.connected && state.ready) {
      state.socket.emit("user_uttered", payload);
    } else {
      state.queue.push(payload);
      connect();
    }
  }

  function sendUserMessage(message, shown) {
    if (state.leaving) return;
    const text = String(message).trim().slice(0, MAX_MESSAGE_CHARS);
    if (!text) return;
    removeChoices();
    const item = addMessage("user");
    const bubble = el("div", "ally-bubble");
    bubble.append(el("span", "ally-sr", T.you + " "), document.createTextNode(shown || text));
    item.appendChild(bubble);
    showTyping(true);
    scrollToEnd();
    transmit(text);
  }

  function renderChoices(choices) {
    const group = el("div", "ally-choices");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Suggested replies");
    for (const choice of choices.slice(0, 8)) {
      if (!choice || typeof choice !== "object") continue;
      const titleText = typeof choice.title === "string" ? choice.title : "";
      const payload = typeof choice.payload === "string" ? choice.payload : titleText;
      if (!titleText || !payload) continue;
      const option = button("ally-choice", titleText);
      option.addEventListener("click", () => {
        if (payload === "/ask_helpline") talkToPerson(titleText);
        else sendUserMessage(payload, titleText);
        input.focus();
      });
      group.appendChild(option);
    }
    return group.childNodes.length ? group : null;
  }

  function actionLink(href, labelText, secondary) {
    const a = el("a", "ally-action" + (secondary ? " ally-action--secondary" : ""), labelText);
    a.href = href;
    if (href.startsWith("https:") || href.startsWith("http:")) {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.referrerPolicy = "no-referrer";
      a.appendChild(el("span", "ally-sr", " (opens in a new tab)"));
    }
    return a;
  }

  function renderHandoff(handoff) {
    const card = el("div", "ally-handoff");
    card.setAttribute("role", "group");
    const actions = el("div", "ally-handoff-actions");
    const line = handoff.helpline && typeof handoff.helpline === "object" ? handoff.helpline : null;
    if (line) {
      const name = typeof line.name === "string" ? line.name : "";
      card.setAttribute("aria-label", "Ways to reach " + (name || "a helpline"));
      card.appendChild(el("p", "ally-handoff-name", name));
      if (line.open_now === true || line.open_now === false) {
        card.appendChild(el("p", "ally-handoff-state", line.open_now ? T.openNow : T.closedNow));
      }
      const phone = Array.isArray(line.phones) ? line.phones.find((p) => p && safeHref(p.tel)) : null;
      if (phone) actions.appendChild(actionLink(safeHref(phone.tel), "Call " + String(phone.display || "").slice(0, 40)));
      // the host's own chat only for its own country: a user may say they live elsewhere
      const hostsCountry = config.handoffUrl && (!config.country || handoff.country === config.country);
      const chat = hostsCountry ? config.handoffUrl : safeHref(line.chat_url);
      if (chat) actions.appendChild(actionLink(chat, T.chat, Boolean(phone)));
      const website = safeHref(line.website);
      if (!phone && !chat && website) actions.appendChild(actionLink(website, T.website, false));
    } else if (Array.isArray(handoff.emergency) && handoff.emergency.length) {
      const number = String(handoff.emergency[0]);
      const href = safeHref("tel:" + number);
      card.setAttribute("aria-label", "Emergency number");
      if (href) actions.appendChild(actionLink(href, "Call " + number + " (emergency)"));
    }
    if (!actions.childNodes.length) return null;
    card.appendChild(actions);
    return card;
  }

  function onBotUttered(message) {
    if (state.leaving || !message || typeof message !== "object") return;
    showTyping(false);
    const text = typeof message.text === "string" ? message.text : "";
    const choices = Array.isArray(message.quick_replies)
      ? message.quick_replies
      : Array.isArray(message.buttons) ? message.buttons : [];
    const custom = message.custom && typeof message.custom === "object" ? message.custom : message;
    const handoff = custom.ally_handoff && typeof custom.ally_handoff === "object" ? custom.ally_handoff : null;
    const attachment = message.attachment && typeof message.attachment === "object" ? message.attachment : null;

    const item = addMessage("bot");
    let spoken = "";
    if (text) {
      const bubble = el("div", "ally-bubble");
      bubble.append(el("span", "ally-sr", config.title + ": "), renderBotText(document, text));
      item.appendChild(bubble);
      spoken = spokenText(text);
    }
    if (attachment && attachment.payload && typeof attachment.payload === "object") {
      const href = safeHref(attachment.payload.src || attachment.payload.url);
      if (href) {
        const bubble = el("div", "ally-bubble");
        bubble.appendChild(actionLink(href, "Open attachment", true));
        item.appendChild(bubble);
      }
    }
    const group = renderChoices(choices);
    if (group) item.appendChild(group);
    if (handoff) {
      state.lastHandoff = handoff;
      const card = renderHandoff(handoff);
      if (card) {
        item.appendChild(card);
        if (!spoken) spoken = card.getAttribute("aria-label") || "";
      }
      dispatchHandoff("bot", handoff);
    }
    if (!item.childNodes.length) {
      item.remove();
      return;
    }
    if (spoken) announce(config.title + ": " + spoken);
    scrollToEnd();
  }

  // --- the connection -------------------------------------------------------
  function connect() {
    if (state.socket || state.leaving) return;
    const socket = io(config.serverOrigin, {
      path: config.socketPath,
      transports: ["websocket"],
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000,
      timeout: 8000,
      forceNew: true,
      withCredentials: false,
    });
    state.socket = socket;
    setStatus(T.connecting);

    socket.on("connect", () => {
      state.ready = false;
      socket.emit("session_request", { session_id: state.sessionId });
    });
    socket.on("session_confirm", () => {
      if (state.leaving) return;
      state.ready = true;
      if (state.everConnected) {
        setStatus(T.connectedAgain, false, 5000);
      } else {
        setStatus("");
      }
      state.everConnected = true;
      if (!state.greeted) {
        state.greeted = true;
        state.queue.unshift({ message: "/greet", session_id: state.sessionId, customData: metadata() });
        showTyping(true);
      }
      const pending = state.queue.splice(0);
      for (const payload of pending) socket.emit("user_uttered", payload);
    });
    socket.on("bot_uttered", onBotUttered);
    socket.on("disconnect", (reason) => {
      state.ready = false;
      if (state.leaving) return;
      showTyping(false);
      setStatus(T.reconnecting, true);
      if (reason === "io server disconnect") socket.connect(); // the server closed it: try again
    });
    socket.on("connect_error", () => {
      if (state.leaving) return;
      if (!socket.active) {
        setStatus(T.refused, true); // refused by the server (e.g. this site is not allowed)
      } else {
        setStatus(state.everConnected ? T.reconnecting : T.cantConnect, true);
      }
    });
  }

  // --- open, close, leave --------------------------------------------------------
  // full screen on a phone: then the rest of the page is out of reach, as in a modal dialog
  const phone = window.matchMedia ? window.matchMedia("(max-width: 480px)") : null;
  function syncModal() {
    panel.setAttribute("aria-modal", phone && phone.matches ? "true" : "false");
  }
  if (phone && phone.addEventListener) phone.addEventListener("change", syncModal);
  syncModal();

  function open() {
    if (state.leaving) return;
    syncModal();
    panel.hidden = false;
    dock.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    connect();
    input.focus();
  }

  function minimise() {
    panel.hidden = true;
    dock.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  function forgetOnServer(sessionId) {
    try {
      return fetch(config.forgetUrl, {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        cache: "no-store",
        keepalive: true,
        referrerPolicy: "no-referrer",
        // a "simple" request: no preflight, so it is sent even as the page goes
        headers: { "Content-Type": "text/plain" },
        body: JSON.stringify({ session_id: sessionId }),
      }).catch(() => null);
    } catch (_) {
      return Promise.resolve(null);
    }
  }

  function wipe() {
    clearTimeout(state.typingTimer);
    clearTimeout(state.statusTimer);
    if (state.socket) {
      state.socket.off();
      state.socket.disconnect();
    }
    log.replaceChildren();
    live.replaceChildren();
    status.textContent = "";
    input.value = "";
    typing.hidden = true;
    panel.hidden = true;
    state.socket = null;
    state.queue.length = 0;
    state.lastHandoff = null;
    state.sessionId = "";
  }

  function quickExit() {
    if (state.leaving) return;
    state.leaving = true;
    root.appendChild(el("div", "ally-veil")); // cover the page at once
    const sessionId = state.sessionId;
    wipe();
    const leave = () => window.location.replace(config.exitUrl);
    const timer = new Promise((resolve) => setTimeout(resolve, FORGET_WAIT_MS));
    Promise.race([forgetOnServer(sessionId), timer]).then(leave, leave);
  }

  function talkToPerson(shown) {
    const event = dispatchHandoff("user", state.lastHandoff);
    if (config.handoffUrl && !event.defaultPrevented) {
      window.open(config.handoffUrl, "_blank", "noopener,noreferrer");
    }
    sendUserMessage("/ask_helpline", typeof shown === "string" ? shown : T.personMessage);
  }

  // --- events ---------------------------------------------------------------
  launcher.addEventListener("click", open);
  close.addEventListener("click", minimise);
  exit.addEventListener("click", quickExit);
  dockExit.addEventListener("click", quickExit);
  person.addEventListener("click", () => talkToPerson());
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    sendUserMessage(text);
  });
  document.addEventListener(
    "keydown",
    (event) => {
      if (event.key !== "Escape" || event.repeat) return;
      const now = Date.now();
      if (now - state.lastEscape <= ESCAPE_WINDOW_MS) {
        event.preventDefault();
        quickExit();
        return;
      }
      state.lastEscape = now;
      if (isOpen()) setStatus(T.escapeOnce, false, ESCAPE_WINDOW_MS + 500);
    },
    true,
  );

  if (config.openOnLoad) open();
  return { open, close: minimise, quickExit, version: VERSION };
}

const script = document.currentScript;

function start() {
  if (window.AllyWidget) return; // included twice
  const page = {
    href: window.location.href,
    origin: window.location.origin,
    language: document.documentElement.lang,
  };
  const api = mount(readConfig(script, page));
  Object.defineProperty(window, "AllyWidget", { value: Object.freeze(api), configurable: false });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start, { once: true });
} else {
  start();
}
