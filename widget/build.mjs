// Build dist/ally-widget.js: one self-contained file (socket.io-client and the
// widget's strings in every language bundled).
//   node build.mjs           build
//   node build.mjs --check   build, then check the rules below (make setup runs this)
//   node build.mjs --strings print the strings it would embed, as JSON (tests compare them with PyYAML)
//
// The strings: the `widget:` section of every ../locales/<language>.yml, read
// by readLocale() below and embedded as the module "ally:locales" (src/strings.js).
//
// Rules checked on the source and the bundle:
//   * no browser storage API is named anywhere in src/ or the bundle (the privacy promise);
//   * the bundle loads nothing from elsewhere at run time: no import(), no
//     importScripts, no remote stylesheet or font;
//   * every language has every widget string English has, with the same
//     {placeholders} (a missing one would show in English).
import { build } from "esbuild";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(here, "dist", "ally-widget.js");
const LOCALES_DIR = join(here, "..", "locales");
const ENGLISH = "en";

// Spelled in pieces so that this file itself passes the same search.
const FORBIDDEN_IN_SOURCE = [
  ["local", "Storage"], ["session", "Storage"], ["indexed", "DB"], ["coo", "kie"], ["service", "Worker"],
].map((parts) => parts.join(""));
const FORBIDDEN_IN_BUNDLE = [/\bimport\(/, /importScripts/, /@import\s/, /fonts\.googleapis/, /\bcdn\b/i];

// The widget speaks WebSocket only (transports: ["websocket"]): leave engine.io's
// HTTP long-polling and WebTransport code out of the bundle.
const STUBS = {
  "index.js": 'import { WS } from "./websocket.js";\nexport const transports = { websocket: WS };\n',
  "polling.js": "export class Polling {}\n",
  "polling-xhr.js": "export class BaseXHR {}\nexport class Request {}\nexport class XHR {}\n",
  "polling-fetch.js": "export class Fetch {}\n",
  "webtransport.js": "export class WT {}\n",
};
const websocketOnly = {
  name: "websocket-only",
  setup(b) {
    const filter = /engine\.io-client[\\/]build[\\/]esm[\\/]transports[\\/](index|polling|polling-xhr|polling-fetch|webtransport)\.js$/;
    b.onLoad({ filter }, (args) => ({ contents: STUBS[args.path.split(/[\\/]/).pop()], loader: "js" }));
  },
};

// --- the widget's strings -----------------------------------------------------------
//
// A reader for exactly what a locale's `widget:` section holds: one level of
// `key: "text"` (double-quoted, single-quoted or plain), comments and blank
// lines. Anything else there (nesting, lists, block or multi-line scalars,
// anchors, a plain value YAML would read as a number, boolean or null) is an
// error with its file and line, never a guess. Other sections are skipped.
const TOP_KEY = /^([A-Za-z_][\w-]*):(.*)$/;
const WIDGET_KEY = /^( +)([A-Za-z_]\w*):(?:[ \t]+(.*))?$/;
// what YAML 1.1 (PyYAML, which Ally's Python reads the same files with) would not read as text
const NOT_TEXT = new RegExp("^(~|=|<<|null|true|false|yes|no|on|off|y|n|[-+]?(\\.inf|\\.nan|\\.[0-9]" +
  "|[0-9][0-9_]*(:[0-5]?[0-9])*(\\.[0-9_]*)?([eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0b[01_]+)|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*)$", "i");
const ESCAPES = { "0": "\0", a: "\x07", b: "\b", t: "\t", "\t": "\t", n: "\n", v: "\v", f: "\f", r: "\r", e: "\x1b",
  " ": " ", '"': '"', "/": "/", "\\": "\\", N: "\x85", _: "\xa0", L: "\u2028", P: "\u2029" };
const HEX_ESCAPES = { x: 2, u: 4, U: 8 };

function afterValue(rest, where) {
  if (rest.trim() !== "" && !/^\s+#/.test(rest)) throw new Error(`${where}: unexpected text after the string: ${rest.trim()}`);
}

function scalar(text, where) {
  const value = text.trim();
  if (value.startsWith('"')) {
    let out = "";
    for (let i = 1; i < value.length; i++) {
      const ch = value[i];
      if (ch === '"') {
        afterValue(value.slice(i + 1), where);
        return out;
      }
      if (ch !== "\\") {
        out += ch;
        continue;
      }
      const next = value[++i];
      if (next in HEX_ESCAPES) {
        const hex = value.slice(i + 1, i + 1 + HEX_ESCAPES[next]);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== HEX_ESCAPES[next]) throw new Error(`${where}: bad \\${next} escape`);
        out += String.fromCodePoint(parseInt(hex, 16));
        i += hex.length;
      } else if (next in ESCAPES) {
        out += ESCAPES[next];
      } else {
        throw new Error(`${where}: unknown escape \\${next === undefined ? "" : next}`);
      }
    }
    throw new Error(`${where}: a "quoted" string must end on its own line`);
  }
  if (value.startsWith("'")) {
    let out = "";
    for (let i = 1; i < value.length; i++) {
      if (value[i] !== "'") {
        out += value[i];
      } else if (value[i + 1] === "'") {
        out += "'";
        i++;
      } else {
        afterValue(value.slice(i + 1), where);
        return out;
      }
    }
    throw new Error(`${where}: a 'quoted' string must end on its own line`);
  }
  const plain = value.replace(/\s+#.*$/, "").trim();
  if (plain === "" || /^[-?:,[\]{}#&*!|>%@`]/.test(plain) || /: |:$/.test(plain) || NOT_TEXT.test(plain)) {
    throw new Error(`${where}: put this value in "double quotes": ${value || "(empty)"}`);
  }
  return plain;
}

// { language, strings } of one locale file; strings is null when it has no `widget:` section.
function readLocale(path) {
  const name = relative(join(here, ".."), path);
  const lines = readFileSync(path, "utf8").replace(/^\uFEFF/, "").split(/\r?\n/);
  let language = null;
  let strings = null;
  let inWidget = false;
  let indent = null;
  lines.forEach((line, index) => {
    const where = `${name}:${index + 1}`;
    if (/^\s*(#.*)?$/.test(line)) return; // blank or comment
    const top = TOP_KEY.exec(line);
    if (top) {
      inWidget = top[1] === "widget";
      // as ally/locales.py: the `language:` code, else the file's name ("no" is false to YAML)
      if (top[1] === "language") language = (/^\s*["']?([A-Za-z]{2,3})["']?\s*(#.*)?$/.exec(top[2]) || [])[1] || null;
      if (inWidget) {
        if (strings) throw new Error(`${where}: a second widget: section`);
        if (top[2].replace(/\s+#.*$/, "").trim() !== "") throw new Error(`${where}: widget: must be followed by its keys, one a line`);
        strings = {};
      }
      return;
    }
    if (!inWidget) return;
    const entry = WIDGET_KEY.exec(line);
    if (!entry) throw new Error(`${where}: not a key: "text" line in the widget section: ${line.trim()}`);
    indent = indent === null ? entry[1].length : indent;
    if (entry[1].length !== indent) throw new Error(`${where}: the widget section is one level of keys, no nesting`);
    if (Object.prototype.hasOwnProperty.call(strings, entry[2])) throw new Error(`${where}: ${entry[2]} twice`);
    strings[entry[2]] = scalar(entry[3] || "", where);
  });
  return { language: language || basename(path, ".yml"), strings };
}

// { en: {...}, sv: {...}, ... } from every locale with a widget section.
function readLocales() {
  const locales = {};
  for (const file of readdirSync(LOCALES_DIR).filter((f) => f.endsWith(".yml")).sort()) {
    const { language, strings } = readLocale(join(LOCALES_DIR, file));
    if (strings) locales[language] = strings;
  }
  if (!locales[ENGLISH]) throw new Error(`locales/${ENGLISH}.yml has no widget: section`);
  return locales;
}

function placeholders(text) {
  return [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort().join(",");
}

// What a language lacks against English: missing keys, different placeholders.
function compareWithEnglish(locales) {
  const problems = [];
  const warnings = [];
  const english = locales[ENGLISH];
  for (const [language, strings] of Object.entries(locales)) {
    if (language === ENGLISH) continue;
    const missing = Object.keys(english).filter((key) => !(key in strings));
    if (missing.length) problems.push(`locales/${language}.yml: widget: lacks ${missing.join(", ")} (shown in English meanwhile)`);
    for (const key of Object.keys(english)) {
      if (key in strings && placeholders(strings[key]) !== placeholders(english[key])) {
        problems.push(`locales/${language}.yml: widget.${key} has {${placeholders(strings[key])}}, English has {${placeholders(english[key])}}`);
      }
    }
    const extra = Object.keys(strings).filter((key) => !(key in english));
    if (extra.length) warnings.push(`locales/${language}.yml: widget: has keys English no longer has: ${extra.join(", ")}`);
  }
  return { problems, warnings };
}

const LOCALES = readLocales();

if (process.argv.includes("--strings")) {
  console.log(JSON.stringify(LOCALES, null, 1));
  process.exit(0);
}

// The module "ally:locales" that src/strings.js imports: each language's strings
// over English, so that a string a language lacks is shown in English.
const embedStrings = {
  name: "ally-locales",
  setup(b) {
    b.onResolve({ filter: /^ally:locales$/ }, () => ({ path: "ally:locales", namespace: "ally-locales" }));
    b.onLoad({ filter: /.*/, namespace: "ally-locales" }, () => ({ contents: JSON.stringify(LOCALES), loader: "json" }));
  },
};

await build({
  entryPoints: [join(here, "src", "index.js")],
  bundle: true,
  minify: true,
  format: "iife",
  platform: "browser",
  target: ["es2020"],
  outfile,
  legalComments: "eof",
  charset: "utf8",
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
  plugins: [websocketOnly, embedStrings],
  // engine.io keeps an unused, empty jar for Node.js under this internal name
  mangleProps: /^_coo[k]ieJar$/,
});

const size = statSync(outfile).size;
console.log(`built ${outfile} (${(size / 1024).toFixed(1)} KiB, strings in ${Object.keys(LOCALES).join(", ")})`);

if (process.argv.includes("--check")) {
  const problems = [];
  for (const name of readdirSync(join(here, "src"))) {
    const source = readFileSync(join(here, "src", name), "utf8").toLowerCase();
    for (const word of FORBIDDEN_IN_SOURCE) {
      if (source.includes(word.toLowerCase())) problems.push(`src/${name} names ${word}`);
    }
  }
  const bundle = readFileSync(outfile, "utf8");
  for (const word of FORBIDDEN_IN_SOURCE) {
    if (bundle.toLowerCase().includes(word.toLowerCase())) problems.push(`the bundle names ${word}`);
  }
  for (const pattern of FORBIDDEN_IN_BUNDLE) {
    if (pattern.test(bundle)) problems.push(`the bundle matches ${pattern}`);
  }
  const strings = compareWithEnglish(LOCALES);
  problems.push(...strings.problems);
  for (const warning of strings.warnings) console.warn(warning);
  if (problems.length) {
    console.error(problems.join("\n"));
    process.exit(1);
  }
  console.log("checks passed: no browser storage named in src/ or the bundle, nothing loaded from elsewhere, " +
    "every language has every widget string");
}
