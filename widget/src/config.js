// Options from the embedding <script> tag's data-* attributes.
import { parseColor, DEFAULT_PRIMARY } from "./color.js";

export const DEFAULT_EXIT_URL = "https://www.google.com/";

function httpUrl(value, base) {
  if (typeof value !== "string" || value.trim() === "") return null;
  try {
    const url = new URL(value.trim(), base);
    return url.protocol === "https:" || url.protocol === "http:" ? url : null;
  } catch (_) {
    return null;
  }
}

function text(value, fallback, max) {
  if (typeof value !== "string") return fallback;
  const clean = value.replace(/\s+/g, " ").trim().slice(0, max);
  return clean || fallback;
}

export function readConfig(script, page) {
  const data = (script && script.dataset) || {};
  const scriptUrl = script && script.src ? httpUrl(script.src, page.href) : null;
  const server = httpUrl(data.serverUrl, page.href) || scriptUrl || httpUrl(page.origin);
  // the server is where the script came from: .../widget/ally-widget.js -> ...
  const path = server === scriptUrl ? server.pathname.replace(/\/widget\/[^/]*$/, "") : server.pathname;
  const prefix = path.replace(/\/+$/, "");
  const country = /^[A-Za-z]{2}$/.test(data.country || "") ? data.country.toUpperCase() : null;
  const pageLanguage = (page.language || "").trim();
  const language = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(data.language || "")
    ? data.language
    : /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(pageLanguage) ? pageLanguage : "en";
  const age = /^\d{1,2}$/.test(data.age || "") ? Number(data.age) : null;
  const exit = httpUrl(data.exitUrl, page.href);
  const handoff = httpUrl(data.handoffUrl, page.href);
  const title = text(data.title, "Ally", 60);
  return {
    serverOrigin: server.origin,
    socketPath: prefix + "/socket.io",
    forgetUrl: server.origin + prefix + "/webhooks/widget/forget",
    country,
    language,
    age,
    title,
    launcherLabel: text(data.launcherLabel, null, 60), // null: STRINGS.launcher ("Chat with {title}")
    primaryColor: parseColor(data.primaryColor) || DEFAULT_PRIMARY,
    exitUrl: exit ? exit.href : DEFAULT_EXIT_URL,
    handoffUrl: handoff ? handoff.href : null,
    dockExit: data.dockExit !== "false",
    openOnLoad: data.open === "true",
  };
}
