// One message of the conversation as a list item: the user's, or the bot's
// (text, attachment link, quick replies, hand-off card). Bot text goes
// through render.js: text nodes only, never HTML.
import { button, el } from "./dom.js";
import { actionLink, renderHandoff } from "./handoff.js";
import { renderBotText, safeHref, spokenText } from "./render.js";
import { fill, STRINGS } from "./strings.js";

const MAX_CHOICES = 8;

function messageItem(from) {
  return el("li", "ally-msg ally-msg--" + from);
}

export function userMessage(shown) {
  const item = messageItem("user");
  const bubble = el("div", "ally-bubble");
  bubble.append(el("span", "ally-sr", STRINGS.you + " "), document.createTextNode(shown));
  item.appendChild(bubble);
  return item;
}

// Quick-reply buttons; onChoose(payload, title) when one is tapped.
function renderChoices(choices, onChoose) {
  const group = el("div", "ally-choices");
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", STRINGS.suggestions);
  for (const choice of choices.slice(0, MAX_CHOICES)) {
    if (!choice || typeof choice !== "object") continue;
    const titleText = typeof choice.title === "string" ? choice.title : "";
    const payload = typeof choice.payload === "string" ? choice.payload : titleText;
    if (!titleText || !payload) continue;
    const option = button("ally-choice", titleText);
    option.addEventListener("click", () => onChoose(payload, titleText));
    group.appendChild(option);
  }
  return group.childNodes.length ? group : null;
}

// A bot_uttered event -> { item, spoken, handoff }; item is null when nothing
// in it can be shown. `spoken` is what the live region should say.
export function botMessage(message, config, onChoose) {
  const text = typeof message.text === "string" ? message.text : "";
  const choices = Array.isArray(message.quick_replies)
    ? message.quick_replies
    : Array.isArray(message.buttons) ? message.buttons : [];
  const custom = message.custom && typeof message.custom === "object" ? message.custom : message;
  const handoff = custom.ally_handoff && typeof custom.ally_handoff === "object" ? custom.ally_handoff : null;
  const attachment = message.attachment && typeof message.attachment === "object" ? message.attachment : null;

  const item = messageItem("bot");
  let spoken = "";
  if (text) {
    const bubble = el("div", "ally-bubble");
    bubble.append(
      el("span", "ally-sr", fill(STRINGS.botSays, { title: config.title }) + " "),
      renderBotText(document, text, STRINGS.newTab),
    );
    item.appendChild(bubble);
    spoken = spokenText(text);
  }
  if (attachment && attachment.payload && typeof attachment.payload === "object") {
    const href = safeHref(attachment.payload.src || attachment.payload.url);
    if (href) {
      const bubble = el("div", "ally-bubble");
      bubble.appendChild(actionLink(href, STRINGS.attachment, true));
      item.appendChild(bubble);
    }
  }
  const group = renderChoices(choices, onChoose);
  if (group) item.appendChild(group);
  if (handoff) {
    const card = renderHandoff(handoff, config);
    if (card) {
      item.appendChild(card);
      if (!spoken) spoken = card.getAttribute("aria-label") || "";
    }
  }
  return { item: item.childNodes.length ? item : null, spoken, handoff };
}
