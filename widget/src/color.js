// Colours: the host picks a brand colour; the widget keeps text on it readable
// (WCAG AA, 4.5:1) whatever the colour is.

export const DEFAULT_PRIMARY = "#3b2d8f";
const DARK_TEXT = "#14141f";
const LIGHT_TEXT = "#ffffff";

export function parseColor(value) {
  if (typeof value !== "string") return null;
  const v = value.trim();
  let m = /^#([0-9a-f]{3})$/i.exec(v);
  if (m) return "#" + m[1].split("").map((c) => c + c).join("").toLowerCase();
  m = /^#([0-9a-f]{6})$/i.exec(v);
  return m ? "#" + m[1].toLowerCase() : null;
}

function channels(hex) {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

function toHex(rgb) {
  return "#" + rgb.map((c) => Math.max(0, Math.min(255, Math.round(c))).toString(16).padStart(2, "0")).join("");
}

export function luminance(hex) {
  const [r, g, b] = channels(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a, b) {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

// White or near-black, whichever reads better on `background`.
export function textOn(background) {
  return contrast(background, LIGHT_TEXT) >= contrast(background, DARK_TEXT) ? LIGHT_TEXT : DARK_TEXT;
}

// `color` darkened just enough to reach `ratio` against `background`.
export function darkenFor(color, background, ratio = 4.5) {
  let rgb = channels(color);
  for (let i = 0; i < 40 && contrast(toHex(rgb), background) < ratio; i++) {
    rgb = rgb.map((c) => c * 0.9);
  }
  return toHex(rgb);
}

// CSS custom properties for the theme.
export function theme(primary) {
  const base = parseColor(primary) || DEFAULT_PRIMARY;
  // the brand colour behind text must carry that text at 4.5:1 at least
  const onBase = textOn(base);
  const surface = contrast(base, onBase) >= 4.5 ? base : darkenFor(base, LIGHT_TEXT);
  return {
    "--ally-primary": surface,
    "--ally-on-primary": textOn(surface),
    // brand colour used as text or borders on white
    "--ally-primary-ink": darkenFor(base, LIGHT_TEXT),
  };
}
