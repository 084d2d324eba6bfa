// The widget's words, in the page's language.
//
// Every visible string and every screen-reader label of the widget comes from
// STRINGS. build.mjs reads the `widget:` section of every locales/<language>.yml
// at build time and hands them to this module as "ally:locales", a module it
// makes (there is no such file): { en: {...}, sv: {...}, ... }, each a flat
// map of key -> text, checked against English by `node build.mjs --check`.
//
// Placeholders in {braces} ({title}, {name}, {number}) are filled in by fill().
import LOCALES from "ally:locales";

export const DEFAULT_LANGUAGE = "en";

// The strings in use: English until useLanguage() picks the page's language.
export const STRINGS = { ...LOCALES[DEFAULT_LANGUAGE] };

// "sv-SE", "SV", "sv_FI" -> "sv" when the widget has Swedish, else "en".
export function languageOf(code) {
  const short = String(code || "").trim().replace(/_/g, "-").split("-")[0].toLowerCase();
  return Object.prototype.hasOwnProperty.call(LOCALES, short) ? short : DEFAULT_LANGUAGE;
}

// Switch STRINGS to `code`'s language; a key the language lacks stays English.
export function useLanguage(code) {
  const language = languageOf(code);
  Object.assign(STRINGS, LOCALES[DEFAULT_LANGUAGE], LOCALES[language]);
  return language;
}

// fill("Call {number}", { number: "116 111" }) -> "Call 116 111"; unknown placeholders stay.
export function fill(template, values) {
  return String(template).replace(/\{(\w+)\}/g, (whole, name) =>
    values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole,
  );
}
