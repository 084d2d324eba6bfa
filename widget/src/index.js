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
// The parts:
//   config.js      the data-* options of the script tag
//   strings.js     the widget's words in the page's language (STRINGS)
//   dom.js         the DOM in a shadow root, and the helpers that change it
//   messages.js    one user or bot message; render.js its text, handoff.js the hand-off card
//   connection.js  Rasa's socket.io protocol and the queue
//   exit.js        quick exit: the button, Shift three times, forget, wipe, leave
// This file wires them together: what happens when the user acts, or a message arrives.
import { readConfig } from "./config.js";
import { createConnection } from "./connection.js";
import { buildWidget, MAX_MESSAGE_CHARS } from "./dom.js";
import { createQuickExit, SHIFT_GAP_MS } from "./exit.js";
import { botMessage, userMessage } from "./messages.js";
import { fill, STRINGS, useLanguage } from "./strings.js";

const VERSION = "0.1.0";
const HANDOFF_EVENT = "ally:handoff";

function mount(config) {
  const language = useLanguage(config.language);
  const ui = buildWidget(config, language);
  let lastHandoff = null;

  const connection = createConnection(config, {
    message: showBotMessage,
    state: showConnectionState,
    greeting: () => ui.showTyping(true),
  });

  const exit = createQuickExit(config, {
    cover: ui.cover,
    wipe() {
      const sessionId = connection.sessionId;
      connection.close();
      ui.clear();
      lastHandoff = null;
      return sessionId;
    },
    onShift(left) {
      if (ui.isOpen()) ui.setStatus(left > 1 ? STRINGS.shiftTwoMore : STRINGS.shiftOneMore, false, SHIFT_GAP_MS + 500);
    },
  });

  function showConnectionState(name) {
    if (name === "connecting") ui.setStatus(STRINGS.connecting);
    else if (name === "connected") ui.setStatus("");
    else if (name === "reconnected") ui.setStatus(STRINGS.connectedAgain, false, 5000);
    else if (name === "lost") {
      ui.showTyping(false);
      ui.setStatus(STRINGS.reconnecting, true);
    } else if (name === "retrying") ui.setStatus(STRINGS.reconnecting, true);
    else if (name === "cantConnect") ui.setStatus(STRINGS.cantConnect, true);
    else if (name === "refused") ui.setStatus(STRINGS.refused, true);
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
  function sendUserMessage(message, shown) {
    if (exit.started()) return;
    const text = String(message).trim().slice(0, MAX_MESSAGE_CHARS);
    if (!text) return;
    ui.removeChoices();
    ui.addMessage(userMessage(shown || text));
    ui.showTyping(true);
    ui.scrollToEnd();
    connection.send(text);
  }

  function choose(payload, title) {
    if (payload === "/ask_helpline") talkToPerson(title);
    else sendUserMessage(payload, title);
    ui.input.focus();
  }

  function showBotMessage(message) {
    if (exit.started() || !message || typeof message !== "object") return;
    ui.showTyping(false);
    const { item, spoken, handoff } = botMessage(message, config, choose);
    if (item) ui.addMessage(item);
    if (handoff) {
      lastHandoff = handoff;
      dispatchHandoff("bot", handoff);
    }
    if (!item) return;
    if (spoken) ui.announce(fill(STRINGS.botSays, { title: config.title }) + " " + spoken);
    ui.scrollToEnd();
  }

  function talkToPerson(shown) {
    const event = dispatchHandoff("user", lastHandoff);
    if (config.handoffUrl && !event.defaultPrevented) {
      window.open(config.handoffUrl, "_blank", "noopener,noreferrer");
    }
    sendUserMessage("/ask_helpline", typeof shown === "string" ? shown : STRINGS.personMessage);
  }

  // --- open, close ----------------------------------------------------------
  // full screen on a phone: then the rest of the page is out of reach, as in a modal dialog
  const phone = window.matchMedia ? window.matchMedia("(max-width: 480px)") : null;
  function syncModal() {
    ui.panel.setAttribute("aria-modal", phone && phone.matches ? "true" : "false");
  }
  if (phone && phone.addEventListener) phone.addEventListener("change", syncModal);
  syncModal();

  function open() {
    if (exit.started()) return;
    syncModal();
    ui.panel.hidden = false;
    ui.dock.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "true");
    connection.connect();
    ui.input.focus();
  }

  function minimise() {
    ui.panel.hidden = true;
    ui.dock.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.launcher.focus();
  }

  // --- events ---------------------------------------------------------------
  ui.launcher.addEventListener("click", open);
  ui.close.addEventListener("click", minimise);
  ui.exit.addEventListener("click", exit.leave);
  ui.dockExit.addEventListener("click", exit.leave);
  ui.person.addEventListener("click", () => talkToPerson());
  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = ui.input.value;
    ui.input.value = "";
    sendUserMessage(text);
  });
  exit.listen();

  if (config.openOnLoad) open();
  return { open, close: minimise, quickExit: exit.leave, version: VERSION };
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
