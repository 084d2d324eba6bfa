"""Helpers for the widget's browser tests: Debian's Chromium driven by Playwright.

Playwright's own browser downloads are never used (`playwright install` is
not needed): the tests launch /usr/bin/chromium (Debian's `chromium`
package, installed by .ci/run).
"""

import asyncio
import json
import re
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDGET_DIR = ROOT / "widget"
WIDGET_JS = WIDGET_DIR / "dist" / "ally-widget.js"
AXE_JS = WIDGET_DIR / "node_modules" / "axe-core" / "axe.min.js"
LOCALES_DIR = ROOT / "locales"
EXIT_URL = "https://www.google.com/"
NEUTRAL_PAGE = "<!doctype html><html lang='en'><title>Search</title><p>A neutral page.</p></html>"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

# Runs in every page before its own scripts (through the browser's debugging
# protocol, so the demo page's Content-Security-Policy does not apply).
RECORD_HANDOFFS = """
window.__allyHandoffs = [];
window.addEventListener("ally:handoff", (event) => window.__allyHandoffs.push(event.detail));
"""

# Functions evaluated in the page. The widget lives in an open shadow root.
SHADOW = "document.getElementById('ally-widget').shadowRoot"
JS_BOT_TEXTS = f"""() => Array.from({SHADOW}.querySelectorAll('.ally-msg--bot'))
    .map((m) => Array.from(m.querySelectorAll('.ally-bubble')).map((b) => b.innerText).join(' '))"""
JS_COUNT = f"""(selector) => {SHADOW}.querySelectorAll(selector).length"""
JS_ACTIVE = f"""() => {{
    const active = {SHADOW}.activeElement;
    return active ? (active.className || active.tagName) : null;
}}"""
JS_STORAGE = """async () => ({
    local: window.localStorage.length,
    session: window.sessionStorage.length,
    cookie: document.cookie,
    indexed: (await window.indexedDB.databases()).map((d) => d.name),
    workers: (await navigator.serviceWorker.getRegistrations()).length,
    caches: await caches.keys(),
})"""
JS_RUN_AXE = """async () => {
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ") + " :: " + n.failureSummary),
    }));
}"""


# A stand-in for window.visualViewport that follows the real one until a test
# calls window.__keyboard(height, offsetTop): then the visible part of the page
# is that band, as when a phone's on-screen keyboard is open (the layout
# viewport keeps its size; only the visual viewport shrinks and may scroll).
# window.__keyboard(null) closes the keyboard again.
SIMULATED_KEYBOARD = """
(() => {
  const real = window.visualViewport;
  if (!real) return;
  const fake = new EventTarget();
  const override = {};
  for (const key of ["offsetTop", "offsetLeft", "pageTop", "pageLeft", "width", "height", "scale"]) {
    Object.defineProperty(fake, key, { get: () => (key in override ? override[key] : real[key]) });
  }
  for (const type of ["resize", "scroll"]) real.addEventListener(type, () => fake.dispatchEvent(new Event(type)));
  Object.defineProperty(window, "visualViewport", { get: () => fake, configurable: true });
  window.__keyboard = (height, offsetTop) => {
    for (const key of Object.keys(override)) delete override[key];
    if (height !== null) Object.assign(override, { height, offsetTop: offsetTop || 0 });
    fake.dispatchEvent(new Event("resize"));
  };
})();
"""


def locale_widget_strings() -> Dict[str, Dict[str, str]]:
    """The `widget:` section of every locales/<language>.yml, by language, as PyYAML reads it."""
    found = {}
    for path in sorted(LOCALES_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if data.get("widget"):
            found[data.get("language") or path.stem] = data["widget"]
    return found


def widget_strings(language: str) -> Dict[str, str]:
    """What the widget shows in `language`: its strings over English (a missing one stays English)."""
    every = locale_widget_strings()
    return {**every["en"], **every.get(language, {})}


def fill(template: str, **values: Any) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), template)


def stale_bundle_inputs() -> List[str]:
    """Sources changed after the bundle was built: the tests would run an old widget."""
    if not WIDGET_JS.exists():
        return []
    built = WIDGET_JS.stat().st_mtime
    inputs = [*(WIDGET_DIR / "src").glob("*.js"), WIDGET_DIR / "build.mjs", *LOCALES_DIR.glob("*.yml")]
    return [str(p.relative_to(ROOT)) for p in inputs if p.stat().st_mtime > built]


def normalise(text: str) -> str:
    """Markdown and rendered text to one comparable form."""
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)  # [label](url) -> label
    text = text.replace("(opens in a new tab)", "").replace("•", " ")
    return re.sub(r"\s+", " ", text).strip()


def rendered(text: str) -> str:
    """A bubble's innerText without its screen-reader prefix ("Ally: ")."""
    return normalise(re.sub(r"^\s*Ally:\s*", "", text))


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


class PageWatch:
    """What a page did that a test wants to assert on afterwards."""

    def __init__(self) -> None:
        self.external: List[str] = []
        self.errors: List[str] = []
        self.sent_frames: List[str] = []
        self.socket_urls: List[str] = []

    def session_ids(self) -> List[str]:
        ids = []
        for frame in self.sent_frames:
            if frame.startswith('42["session_request"'):
                ids.append(json.loads(frame[2:])[1]["session_id"])
        return ids


def new_page(browser: Any, **context_options: Any) -> Any:
    """A fresh context and page that may reach this machine only; the exit page is served locally."""
    context = browser.new_context(**context_options)
    watch = PageWatch()

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(EXIT_URL):
            route.fulfill(status=200, content_type="text/html", body=NEUTRAL_PAGE)
        elif urlsplit(url).hostname in LOCAL_HOSTS or url.startswith(("data:", "about:")):
            route.continue_()
        else:
            watch.external.append(url)
            route.abort()

    context.route("**/*", guard)
    context.add_init_script(RECORD_HANDOFFS)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and watch.errors.append(m.text))
    page.on("pageerror", lambda e: watch.errors.append(str(e)))

    def on_socket(ws: Any) -> None:
        watch.socket_urls.append(ws.url)
        ws.on("framesent", lambda payload: watch.sent_frames.append(payload if isinstance(payload, str) else ""))

    page.on("websocket", on_socket)
    page.watch = watch
    return page


def bot_texts(page: Any) -> List[str]:
    return page.evaluate(JS_BOT_TEXTS)


def count(page: Any, selector: str) -> int:
    return page.evaluate(JS_COUNT, selector)


def wait_for_bot_messages(page: Any, at_least: int, timeout: float = 30000) -> None:
    page.wait_for_function(
        f"(n) => {SHADOW}.querySelectorAll('.ally-msg--bot').length >= n",
        arg=at_least,
        timeout=timeout,
    )


def wait_until_quiet(page: Any, settle_ms: int = 700, timeout: float = 30000) -> None:
    """Until the typing indicator is gone and no bot message arrived for `settle_ms`."""
    page.wait_for_function(f"() => {SHADOW}.querySelector('.ally-typing').hidden", timeout=timeout)
    before = -1
    while True:
        now = count(page, ".ally-msg--bot")
        if now == before:
            return
        before = now
        page.wait_for_timeout(settle_ms)


def run_async(make_coroutine: Any, timeout: float = 90) -> Any:
    """Run a coroutine in its own thread: Playwright's sync API keeps an event loop in this one."""
    result: Dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(make_coroutine())
        except BaseException as error:  # re-raised in the test's thread
            result["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError(f"no answer within {timeout} s")
    if "error" in result:
        raise result["error"]
    return result.get("value")


def handoff_of(replies: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    for reply in replies:
        if "ally_handoff" in (reply.get("custom") or {}):
            return reply["custom"]["ally_handoff"]
    return None
