// The hand-off card: the helpline of the `ally_handoff` payload (actions/messages.py)
// as Call / Chat online / Website buttons, or the emergency number.
import { el } from "./dom.js";
import { safeHref } from "./render.js";
import { fill, STRINGS } from "./strings.js";

// A link styled as a button; web addresses open in a new tab, without a referrer.
export function actionLink(href, labelText, secondary) {
  const a = el("a", "ally-action" + (secondary ? " ally-action--secondary" : ""), labelText);
  a.href = href;
  if (href.startsWith("https:") || href.startsWith("http:")) {
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.referrerPolicy = "no-referrer";
    a.appendChild(el("span", "ally-sr", " " + STRINGS.newTab));
  }
  return a;
}

// The card for `handoff`, or null when it has nothing to act on.
export function renderHandoff(handoff, config) {
  const card = el("div", "ally-handoff");
  card.setAttribute("role", "group");
  const actions = el("div", "ally-handoff-actions");
  const line = handoff.helpline && typeof handoff.helpline === "object" ? handoff.helpline : null;
  if (line) {
    const name = typeof line.name === "string" ? line.name : "";
    card.setAttribute("aria-label", fill(STRINGS.waysToReach, { name: name || STRINGS.aHelpline }));
    card.appendChild(el("p", "ally-handoff-name", name));
    if (line.open_now === true || line.open_now === false) {
      card.appendChild(el("p", "ally-handoff-state", line.open_now ? STRINGS.openNow : STRINGS.closedNow));
    }
    const phone = Array.isArray(line.phones) ? line.phones.find((p) => p && safeHref(p.tel)) : null;
    if (phone) {
      const number = String(phone.display || "").slice(0, 40);
      actions.appendChild(actionLink(safeHref(phone.tel), fill(STRINGS.call, { number })));
    }
    // the host's own chat only for its own country: a user may say they live elsewhere
    const hostsCountry = config.handoffUrl && (!config.country || handoff.country === config.country);
    const chat = hostsCountry ? config.handoffUrl : safeHref(line.chat_url);
    if (chat) actions.appendChild(actionLink(chat, STRINGS.chat, Boolean(phone)));
    const website = safeHref(line.website);
    if (!phone && !chat && website) actions.appendChild(actionLink(website, STRINGS.website, false));
  } else if (Array.isArray(handoff.emergency) && handoff.emergency.length) {
    const number = String(handoff.emergency[0]);
    const href = safeHref("tel:" + number);
    card.setAttribute("aria-label", STRINGS.emergencyNumber);
    if (href) actions.appendChild(actionLink(href, fill(STRINGS.callEmergency, { number })));
  }
  if (!actions.childNodes.length) return null;
  card.appendChild(actions);
  return card;
}
