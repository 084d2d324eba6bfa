// Bot text -> DOM nodes, never HTML.
//
// Everything the server sends is treated as plain text and put into the page
// with text nodes only. A tiny formatting subset is recognised:
//   * line breaks,
//   * lines starting with "• " become a list,
//   * Markdown links [label](url) for https:, tel: and mailto: addresses,
//   * bare https:// addresses.
// Anything else (HTML tags, javascript: links, other schemes) stays inert,
// visible text. `newTab` is the screen-reader hint after a web link, in the
// widget's language (STRINGS.newTab).

const LINK_SCHEMES = new Set(["https:", "tel:", "mailto:"]);
const BULLET = "• ";
// [label](target) | bare https URL
const TOKEN = /\[([^[\]\n]{1,300})\]\(([^()\s]{1,2048})\)|https:\/\/[^\s<>"'`]+/g;
const TEL_NUMBER = /^\+?[0-9*#().-]{1,32}$/;

// The address to use for a link, or null when it is not allowed.
export function safeHref(raw) {
  if (typeof raw !== "string" || raw.length > 2048) return null;
  let url;
  try {
    url = new URL(raw);
  } catch (_) {
    return null;
  }
  if (!LINK_SCHEMES.has(url.protocol)) return null;
  if (url.protocol === "https:") {
    if (!url.hostname || url.username || url.password) return null;
    return url.href;
  }
  if (url.protocol === "tel:") {
    const number = decodeURIComponent(url.pathname).replace(/\s/g, "");
    return TEL_NUMBER.test(number) ? "tel:" + number : null;
  }
  return url.href; // mailto:
}

// A bare URL ends before trailing punctuation ("see https://x.org/." -> "https://x.org/").
function trimUrl(url) {
  let end = url.length;
  for (;;) {
    const last = url[end - 1];
    if (".,;:!?".includes(last)) {
      end -= 1;
    } else if (last === ")" && count(url.slice(0, end), "(") < count(url.slice(0, end), ")")) {
      end -= 1;
    } else {
      return url.slice(0, end);
    }
  }
}

function count(text, ch) {
  return text.split(ch).length - 1;
}

function link(doc, href, label, newTab) {
  const a = doc.createElement("a");
  a.href = href;
  a.textContent = label;
  if (href.startsWith("https:")) {
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.referrerPolicy = "no-referrer";
    if (newTab) {
      const hint = doc.createElement("span");
      hint.className = "ally-sr";
      hint.textContent = " " + newTab;
      a.appendChild(hint);
    }
  }
  return a;
}

// Append one line of text, with its links, to `parent`.
export function renderInline(doc, parent, line, newTab) {
  let last = 0;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(line); m !== null; m = TOKEN.exec(line)) {
    let whole = m[0];
    let node = null;
    if (m[1] !== undefined) {
      const href = safeHref(m[2]);
      if (href) node = link(doc, href, m[1], newTab);
    } else {
      whole = trimUrl(whole);
      const href = safeHref(whole);
      if (href) node = link(doc, href, whole, newTab);
      TOKEN.lastIndex = m.index + whole.length;
    }
    if (node === null) continue; // not allowed: stays part of the plain text
    if (m.index > last) parent.appendChild(doc.createTextNode(line.slice(last, m.index)));
    parent.appendChild(node);
    last = m.index + whole.length;
  }
  if (last < line.length) parent.appendChild(doc.createTextNode(line.slice(last)));
}

// A DocumentFragment for one bot message.
export function renderBotText(doc, text, newTab) {
  const fragment = doc.createDocumentFragment();
  const lines = String(text == null ? "" : text).replace(/\r\n?/g, "\n").split("\n");
  let paragraph = null;
  let list = null;
  for (const line of lines) {
    if (line.startsWith(BULLET)) {
      paragraph = null;
      if (list === null) {
        list = doc.createElement("ul");
        fragment.appendChild(list);
      }
      const item = doc.createElement("li");
      renderInline(doc, item, line.slice(BULLET.length), newTab);
      list.appendChild(item);
    } else if (line.trim() === "") {
      paragraph = null;
      list = null;
    } else {
      list = null;
      if (paragraph === null) {
        paragraph = doc.createElement("p");
        fragment.appendChild(paragraph);
      } else {
        paragraph.appendChild(doc.createElement("br"));
      }
      renderInline(doc, paragraph, line, newTab);
    }
  }
  return fragment;
}

// The words a screen reader should say for a bot message: link labels, no addresses.
export function spokenText(text) {
  return String(text == null ? "" : text)
    .replace(/\[([^[\]\n]{1,300})\]\(([^()\s]{1,2048})\)/g, "$1")
    .replace(/\n•\s/g, "\n")
    .replace(/\s*\n\s*/g, ". ")
    .replace(/\.\.\s/g, ". ")
    .trim();
}
