// The widget's DOM, built once inside a shadow root, and the small helpers that
// change it (status line, typing dots, live region, the conversation list).
// Every word comes from STRINGS.
//
// The launcher, the panel and the quick-exit veil are put in the browser's
// top layer (popover="manual"), above anything the host page stacks with
// z-index (a consent banner at 2147483647); browsers without popovers keep the
// highest z-index. keepInView() keeps them inside the visual viewport: on a
// phone with the on-screen keyboard open, or zoomed in, the quick exit stays
// on screen.
import { theme } from "./color.js";
import { fill, STRINGS } from "./strings.js";
import { CSS } from "./styles.js";

export const MAX_MESSAGE_CHARS = 1000;
const TYPING_TIMEOUT_MS = 20000;

export function el(tag, className, textContent) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (textContent !== undefined) node.textContent = textContent;
  return node;
}

export function button(className, label) {
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

// Into the top layer, above every z-index of the host page (once connected).
function raise(node) {
  if (typeof node.showPopover !== "function") return;
  node.setAttribute("popover", "manual");
  try {
    node.showPopover();
  } catch (_) {
    node.removeAttribute("popover");
  }
}

// The visual viewport (what is on screen: smaller than the page's layout
// viewport when the on-screen keyboard is open or the page is zoomed in), as
// CSS variables on the host that styles.js positions the widget with.
function keepInView(host) {
  const view = window.visualViewport;
  if (!view) return;
  const update = () => {
    const page = document.documentElement;
    const width = Math.min(page.clientWidth || window.innerWidth, window.innerWidth);
    const height = Math.min(page.clientHeight || window.innerHeight, window.innerHeight);
    const px = (value) => Math.max(0, Math.round(value)) + "px";
    host.style.setProperty("--ally-vv-top", px(view.offsetTop));
    host.style.setProperty("--ally-vv-left", px(view.offsetLeft));
    host.style.setProperty("--ally-vv-width", px(view.width));
    host.style.setProperty("--ally-vv-height", px(view.height));
    host.style.setProperty("--ally-vv-right", px(width - view.offsetLeft - view.width));
    host.style.setProperty("--ally-vv-bottom", px(height - view.offsetTop - view.height));
  };
  view.addEventListener("resize", update);
  view.addEventListener("scroll", update);
  window.addEventListener("resize", update);
  update();
}

// Build the widget, add it to the page, and return its parts and helpers.
export function buildWidget(config, language) {
  const host = el("div");
  host.id = "ally-widget";
  const root = host.attachShadow({ mode: "open" });
  applyStyles(root);
  const colours = theme(config.primaryColor);
  for (const name of Object.keys(colours)) host.style.setProperty(name, colours[name]);

  const app = el("aside", "ally");
  app.setAttribute("aria-label", fill(STRINGS.chatRegion, { title: config.title }));
  app.lang = language;

  const dock = el("div", "ally-dock");
  const dockExit = button("ally-exit", STRINGS.exit);
  dockExit.setAttribute("aria-label", STRINGS.exitLabel);
  dockExit.hidden = !config.dockExit;
  const launcher = button("ally-launcher", config.launcherLabel || fill(STRINGS.launcher, { title: config.title }));
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
  const exit = button("ally-exit", STRINGS.exit);
  exit.setAttribute("aria-label", STRINGS.exitLabel);
  const close = button("ally-close", "\u2212");
  close.setAttribute("aria-label", STRINGS.close);
  header.append(title, exit, close);

  // first thing read: a bot, nothing saved, and what quick exit cannot hide
  const notice = el("div", "ally-notice");
  notice.id = "ally-notice";
  notice.append(el("p", null, STRINGS.notice), el("p", "ally-notice-limits", STRINGS.exitLimits));
  const status = el("p", "ally-status");
  status.setAttribute("role", "status");

  const scroll = el("div", "ally-scroll");
  scroll.tabIndex = 0;
  scroll.setAttribute("role", "region");
  scroll.setAttribute("aria-label", STRINGS.conversation);
  const log = el("ol", "ally-log");
  const typing = el("div", "ally-typing");
  typing.hidden = true;
  typing.append(
    el("span", "ally-sr", fill(STRINGS.typing, { title: config.title })),
    el("span", "ally-dot"), el("span", "ally-dot"), el("span", "ally-dot"),
  );
  scroll.append(log, typing);

  // what a screen reader announces: each new bot message, once
  const live = el("div", "ally-sr");
  live.setAttribute("aria-live", "polite");
  live.setAttribute("aria-relevant", "additions");

  const footer = el("div", "ally-footer");
  const person = button("ally-person", STRINGS.person);
  const form = el("form", "ally-form");
  form.setAttribute("aria-label", STRINGS.sendLabel);
  const label = el("label", "ally-sr", STRINGS.inputLabel);
  label.htmlFor = "ally-input";
  const input = el("input", "ally-input");
  input.id = "ally-input";
  input.type = "text";
  input.autocomplete = "off";
  input.maxLength = MAX_MESSAGE_CHARS;
  input.placeholder = STRINGS.placeholder;
  input.setAttribute("enterkeyhint", "send");
  const send = el("button", "ally-send", STRINGS.send);
  send.type = "submit";
  form.append(label, input, send);
  footer.append(person, form);

  panel.append(header, notice, status, scroll, live, footer);
  app.append(dock, panel);
  root.appendChild(app);
  document.body.appendChild(host);
  raise(dock);
  raise(panel);
  keepInView(host);

  let typingTimer = 0;
  let statusTimer = 0;

  const ui = {
    host, root, dock, dockExit, launcher, panel, exit, close, person, form, input,

    isOpen: () => !panel.hidden,

    scrollToEnd() {
      scroll.scrollTop = scroll.scrollHeight;
    },

    setStatus(message, bad, clearAfterMs) {
      clearTimeout(statusTimer);
      status.textContent = message || "";
      status.classList.toggle("ally-status--bad", Boolean(bad));
      if (clearAfterMs) statusTimer = setTimeout(() => ui.setStatus(""), clearAfterMs);
    },

    announce(text) {
      live.appendChild(el("p", null, text));
      while (live.childNodes.length > 5) live.removeChild(live.firstChild);
    },

    showTyping(on) {
      clearTimeout(typingTimer);
      typing.hidden = !on;
      if (on) {
        typingTimer = setTimeout(() => ui.showTyping(false), TYPING_TIMEOUT_MS);
        ui.scrollToEnd();
      }
    },

    addMessage(item) {
      log.appendChild(item);
    },

    removeChoices() {
      for (const group of log.querySelectorAll(".ally-choices")) group.remove();
    },

    // everything of the conversation off the page (quick exit)
    clear() {
      clearTimeout(typingTimer);
      clearTimeout(statusTimer);
      log.replaceChildren();
      live.replaceChildren();
      status.textContent = "";
      input.value = "";
      typing.hidden = true;
      panel.hidden = true;
    },

    // a white sheet over the whole page, above everything (quick exit)
    cover() {
      const veil = el("div", "ally-veil");
      root.appendChild(veil);
      raise(veil);
    },
  };
  return ui;
}
