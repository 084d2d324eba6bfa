"""The web widget in a real browser, against the real Rasa and action servers.

Debian's headless Chromium (/usr/bin/chromium) driven by Playwright opens the
demo page that the widget channel serves (ally/channels/widget.py), talks to
Ally through the socket.io channel, and checks the privacy, safety and
accessibility promises of docs/embedding.md, in every language the widget
has strings for (locales/*.yml). Screenshots are taken in the test's
temporary folder; `ALLY_SCREENSHOTS=docs` writes them to docs/widget-desktop.png,
docs/widget-phone.png and docs/widget-phone-sv.png (the README's pictures).
"""

import asyncio
import json
import os
import re
import shutil
import subprocess
import urllib.error
import urllib.request
import uuid

import pytest
import yaml

from actions.directory import load_directory, tel_link
from support.browser import (
    AXE_JS,
    CHROMIUM,
    EXIT_URL,
    JS_ACTIVE,
    JS_RUN_AXE,
    JS_STORAGE,
    NEUTRAL_PAGE,
    SHADOW,
    SIMULATED_KEYBOARD,
    WIDGET_DIR,
    WIDGET_JS,
    bot_texts,
    count,
    fill,
    handoff_of,
    launch,
    locale_widget_strings,
    new_page,
    normalise,
    rendered,
    run_async,
    stale_bundle_inputs,
    wait_for_bot_messages,
    wait_until_quiet,
    widget_strings,
)
from support.servers import ROOT

DIRECTORY = load_directory()
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
RISK = "someone on snap keeps asking me for pics"
COUNTRY = "SE"
STORAGE_WORDS = ["localStorage", "sessionStorage", "indexedDB", "cookie", "serviceWorker"]
LOCALES = locale_widget_strings()  # language -> its widget strings, as written
LANGUAGES = sorted(LOCALES)
EN = LOCALES["en"]
# a risk message in Swedish, for the Swedish screenshot
RISK_SV = "en kille på snap tjatar om att jag ska skicka nakenbilder"


def screenshot_path(name, tmp_path):
    folder = ROOT / "docs" if os.environ.get("ALLY_SCREENSHOTS") == "docs" else tmp_path
    return str(folder / name)


def variants(response):
    return [normalise(v["text"]) for v in DOMAIN["responses"][response]]


def helpline(code=COUNTRY):
    line = DIRECTORY.country(code).helpline_for()
    assert line is not None and line.phones, f"the directory has no helpline with a phone for {code}"
    return line


# --- fixtures --------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install chromium (.ci/run does it)")
    if not WIDGET_JS.exists():
        pytest.fail("the widget is not built: make setup (cd widget && npm ci && npm run build)")
    stale = stale_bundle_inputs()
    if stale:
        pytest.fail(f"the widget bundle is older than {', '.join(stale)}: cd widget && npm run build")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def demo(servers):
    return f"{servers.url}/widget/?country={COUNTRY}"


@pytest.fixture
def page(browser):
    page = new_page(browser, viewport={"width": 1280, "height": 800})
    yield page
    page.context.close()


def open_widget(page, demo):
    response = page.goto(demo)
    assert response.status == 200
    page.get_by_role("button", name="Chat with Ally").click()
    wait_for_bot_messages(page, 1)  # the greeting
    wait_until_quiet(page)


def send(page, text):
    box = page.get_by_role("textbox", name="Your message")
    box.fill(text)
    box.press("Enter")


# --- the build -------------------------------------------------------------------


def test_the_widget_source_and_bundle_name_no_browser_storage():
    files = [p for p in (WIDGET_DIR / "src").rglob("*") if p.is_file()] + [WIDGET_DIR / "build.mjs"]
    if WIDGET_JS.exists():
        files.append(WIDGET_JS)
    for path in files:
        text = path.read_text().lower()
        for word in STORAGE_WORDS:
            assert word.lower() not in text, f"{path.relative_to(ROOT)} names {word}"


def test_the_origin_allow_list(monkeypatch):
    from ally.channels.widget import WidgetInput

    monkeypatch.delenv("ALLY_ALLOWED_ORIGINS", raising=False)
    channel = WidgetInput.from_credentials({"allowed_origins": ["https://www.Example.se/"]})
    assert channel.allowed_origins == ["https://www.example.se"]
    assert channel.origin_allowed("https://www.example.se", "ally.example.se")
    assert channel.origin_allowed("http://ally.example.se:5005", "ally.example.se:5005")  # its own pages
    assert channel.origin_allowed(None, "ally.example.se")  # not a browser
    for origin in ("https://evil.example", "https://www.example.se.evil.example", "null", "https://www.example.se/x"):
        assert not channel.origin_allowed(origin, "ally.example.se"), origin
    assert WidgetInput.from_credentials({}).allowed_origins == ["http://127.0.0.1:5005", "http://localhost:5005"]
    monkeypatch.setenv("ALLY_ALLOWED_ORIGINS", "https://a.example, https://b.example")
    assert WidgetInput.from_credentials({"allowed_origins": ["https://c.example"]}).allowed_origins == [
        "https://a.example",
        "https://b.example",
    ]
    monkeypatch.setenv("ALLY_ALLOWED_ORIGINS", "not an origin")
    with pytest.raises(ValueError):
        WidgetInput.from_credentials({})


def test_the_connect_handler_refuses_an_origin_itself(monkeypatch):
    """The second check, behind engine.io's: the socket.io connect handler."""
    from socketio.exceptions import ConnectionRefusedError

    from ally.channels.widget import WidgetInput

    monkeypatch.delenv("ALLY_ALLOWED_ORIGINS", raising=False)
    channel = WidgetInput.from_credentials({})
    channel.blueprint(lambda message: None)
    connect = channel.sio.handlers["/"]["connect"]
    environ = {"HTTP_HOST": "127.0.0.1:5005"}
    assert run_async(lambda: connect("sid1", {**environ, "HTTP_ORIGIN": "http://localhost:5005"}, None)) is True
    with pytest.raises(ConnectionRefusedError):
        run_async(lambda: connect("sid2", {**environ, "HTTP_ORIGIN": "http://evil.example"}, None))


def test_only_country_language_and_age_reach_rasa_as_metadata():
    from ally.channels.widget import filtered_metadata

    assert filtered_metadata({"country": "se", "language": "sv-SE", "age": 14, "name": "Kim", "ip": "1.2.3.4"}) == {
        "country": "SE",
        "language": "sv-SE",
        "age": 14,
    }
    assert filtered_metadata({"country": "Sweden<script>", "age": "14", "language": "x" * 50}) == {"age": 14}
    assert filtered_metadata("not json") == {} and filtered_metadata(None) == {}


# --- a conversation ----------------------------------------------------------------


@pytest.mark.server
def test_a_conversation_in_the_browser(servers, page, demo, tmp_path):
    line = helpline()
    response = page.goto(demo)
    headers = response.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer" and headers["x-content-type-options"] == "nosniff"
    # the quick exit is visible before the chat is even opened
    assert page.get_by_role("button", name=re.compile("^Quick exit")).is_visible()

    page.get_by_role("button", name="Chat with Ally").click()
    panel = page.get_by_role("dialog", name="Ally")
    assert panel.is_visible()
    notice = page.locator(".ally-notice").inner_text()
    assert "bot" in notice and "not a person" in notice and "saved" in notice
    assert EN["exitLimits"] in notice  # what quick exit cannot hide, in the first notice
    assert page.evaluate(JS_ACTIVE) == "ally-input"  # focus goes to the message box

    # the greeting, with quick replies; a quick reply sends its payload and shows its title
    wait_for_bot_messages(page, 1)
    wait_until_quiet(page)
    assert rendered(bot_texts(page)[0]) in variants("utter_greet")
    choice = page.get_by_role("button", name="Is this private?")
    choice.click()
    wait_for_bot_messages(page, 2)
    wait_until_quiet(page)
    assert page.locator(".ally-msg--user").last.inner_text().endswith("Is this private?")
    assert count(page, ".ally-choice") == 0  # old quick replies are gone once used
    privacy = "\n".join(rendered(t) for t in bot_texts(page)[1:])
    assert any(v in privacy for v in variants("utter_privacy_question")), privacy

    # a risk message typed in the box: the scenario reply, then the helpline for data-country
    before = count(page, ".ally-msg--bot")
    send(page, RISK)
    wait_for_bot_messages(page, before + 2)
    wait_until_quiet(page)
    reply = " ".join(rendered(t) for t in bot_texts(page)[before:])
    assert any(v in reply for v in variants("utter_asked_for_images")), reply
    assert line.name in reply and line.phones[0].display in reply
    tel = tel_link(line.phones[0], COUNTRY)
    links = page.locator(".ally-bubble a[href^='tel:']")
    assert tel in [links.nth(i).get_attribute("href") for i in range(links.count())]
    # the hand-off card: Call / Chat buttons, and the DOM event for the host page
    call = page.get_by_role("link", name=f"Call {line.phones[0].display}")
    assert call.last.get_attribute("href") == tel
    if line.chat_url:
        assert page.get_by_role("link", name=re.compile("^Chat online")).last.get_attribute("href") == line.chat_url
    handoffs = page.evaluate("() => window.__allyHandoffs")
    assert any(h["source"] == "bot" and h["handoff"]["country"] == COUNTRY for h in handoffs), handoffs
    # the screen reader hears the bot's messages (live region), links read as their labels
    spoken = page.locator("[aria-live='polite']").last.inner_text()
    assert line.name in spoken and "](tel:" not in spoken
    page.screenshot(path=screenshot_path("widget-desktop.png", tmp_path))

    # "Talk to a person" is always there: it asks for the helpline and tells the host page
    before = count(page, ".ally-msg--bot")
    page.get_by_role("button", name="Talk to a person").click()
    wait_for_bot_messages(page, before + 1)
    wait_until_quiet(page)
    full = " ".join(rendered(t) for t in bot_texts(page)[before:])
    assert f"Here's how to reach {line.name}" in full, full
    assert any(h["source"] == "user" for h in page.evaluate("() => window.__allyHandoffs"))

    # privacy: nothing in any browser store, one random id per page load, WebSocket only
    storage = page.evaluate(JS_STORAGE)
    assert storage == {"local": 0, "session": 0, "cookie": "", "indexed": [], "workers": 0, "caches": []}
    ids = page.watch.session_ids()
    assert len(set(ids)) == 1 and re.fullmatch(r"[0-9a-f]{32}", ids[0])
    assert all("transport=websocket" in url for url in page.watch.socket_urls)
    page.reload()
    page.get_by_role("button", name="Chat with Ally").click()
    wait_for_bot_messages(page, 1)
    assert len(set(page.watch.session_ids())) == 2, "a new page load must start a new conversation id"
    assert count(page, ".ally-msg--user") == 0, "nothing of the old conversation may come back"

    assert page.watch.external == [], "the widget must not load anything from elsewhere"
    assert page.watch.errors == [], page.watch.errors


# --- quick exit ---------------------------------------------------------------------


@pytest.mark.server
def test_quick_exit_wipes_the_page_leaves_it_and_the_server_forgets(servers, page, demo):
    open_widget(page, demo)
    before = count(page, ".ally-msg--bot")
    send(page, RISK)
    wait_for_bot_messages(page, before + 2)
    wait_until_quiet(page)
    session_id = page.watch.session_ids()[-1]

    seen = {}

    def forget(route):
        # The widget wipes the conversation before it asks the server to forget it,
        # and leaves only after that request: look at the page at this moment.
        seen["page"] = page.evaluate(f"""() => ({{
            messages: {SHADOW}.querySelectorAll('.ally-msg').length,
            text: {SHADOW}.querySelector('.ally').innerText,
            veil: {SHADOW}.querySelectorAll('.ally-veil').length,
        }})""")
        seen["body"] = json.loads(route.request.post_data)
        seen["origin"] = route.request.headers.get("origin")
        answer = route.fetch()
        seen["status"], seen["headers"] = answer.status, answer.headers
        route.fulfill(response=answer)

    page.route("**/webhooks/widget/forget", forget)
    with page.expect_navigation(url=EXIT_URL):
        page.get_by_role("button", name=re.compile("^Quick exit")).first.click()

    assert seen["page"]["messages"] == 0 and RISK not in seen["page"]["text"], seen["page"]
    assert seen["page"]["veil"] == 1  # the page was covered at once
    assert seen["body"] == {"session_id": session_id}
    assert seen["status"] == 204
    assert page.url == EXIT_URL
    page.go_back()
    assert "/widget/" not in page.url, "the back button must not return to the chat page"

    # The server forgot the conversation: the same id starts afresh (no country known).
    if seen["headers"].get("x-ally-forgotten") == "true":
        after = servers.say(session_id, "i want to talk to a person")
        assert handoff_of(after)["country"] is None
        assert helpline().name not in " ".join(r.get("text") or "" for r in after)
        # ...whereas a conversation that was not forgotten remembers it
        other = f"test-{uuid.uuid4().hex}"
        servers.say(other, RISK, {"country": COUNTRY})
        assert handoff_of(servers.say(other, "i want to talk to a person"))["country"] == COUNTRY
    else:
        pytest.fail("the tracker store cannot delete: ally.forget.forget_conversation returned False")


def status_text(page):
    return page.evaluate(f"() => {SHADOW}.querySelector('.ally-status').textContent")


@pytest.mark.server
def test_shift_three_times_is_a_quick_exit(servers, page, demo):
    open_widget(page, demo)
    # not Escape (it stops a loading page), and not Shift held for capital letters
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    for _ in range(3):
        page.keyboard.press("Shift+A")
    page.wait_for_timeout(300)
    assert "/widget/" in page.url and status_text(page) == ""
    # another key in between starts the count again
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    assert status_text(page) == EN["shiftOneMore"]
    page.keyboard.press("b")
    page.keyboard.press("Shift")
    assert status_text(page) == EN["shiftTwoMore"]
    page.keyboard.press("Shift")
    assert page.get_by_role("status").inner_text() == EN["shiftOneMore"]
    with page.expect_navigation(url=EXIT_URL):
        page.keyboard.press("Shift")
    assert page.url == EXIT_URL
    page.go_back()
    assert "/widget/" not in page.url, "the back button must not return to the chat page"


# The host page's own listeners; they report through the console, because while the
# way out is pending, Playwright cannot evaluate in the page.
HOST_LISTENERS = """
document.addEventListener("keydown", (event) => console.log("host-key " + event.key));
document.addEventListener("click", () => console.log("host-click"));
"""


@pytest.mark.server
def test_once_exit_has_started_keys_and_clicks_are_ignored(servers, page, demo):
    host = []
    page.on("console", lambda m: m.text.startswith("host-") and host.append(m.text))
    page.add_init_script(HOST_LISTENERS)
    open_widget(page, demo)
    host.clear()  # the click that opened the chat
    forgets, held = [], []
    page.on("request", lambda r: "/webhooks/widget/forget" in r.url and forgets.append(r.url))
    page.route(re.compile(r"^https://www\.google\.com/"), lambda route: held.append(route))  # the way out waits
    for _ in range(3):
        page.keyboard.press("Shift")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "Shift three times did not start leaving"
    assert host == ["host-key Shift"] * 3

    # leaving: nothing reaches the page any more, nothing starts a second exit
    for key in ["Escape", "Enter", "a", "Tab", "Shift", "Shift", "Shift"]:
        page.keyboard.press(key)
    page.mouse.click(640, 400)
    page.mouse.click(1100, 755)  # where the quick exit and the chat button were
    page.wait_for_timeout(300)
    assert host == ["host-key Shift"] * 3, host
    assert len(forgets) == 1 and len(held) == 1, (forgets, held)

    held[0].fulfill(status=200, content_type="text/html", body=NEUTRAL_PAGE)
    page.wait_for_url(EXIT_URL)
    page.go_back()
    assert "/widget/" not in page.url


BANNER = """() => {
    const banner = document.createElement("div");
    banner.id = "banner";
    banner.textContent = "We use cookies";
    banner.style.cssText = "position:fixed;left:0;right:0;bottom:0;height:45vh;z-index:2147483647;" +
        "background:#222;color:#fff";
    document.body.appendChild(banner);
}"""
# What is on top at the centre of a widget control: the widget's host and, inside it, that control?
JS_ON_TOP = f"""(selector) => {{
    const control = Array.from({SHADOW}.querySelectorAll(selector)).find((e) => e.offsetParent !== null);
    const r = control.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    return document.elementFromPoint(x, y) === document.getElementById('ally-widget')
        && {SHADOW}.elementFromPoint(x, y) === control;
}}"""


@pytest.mark.server
def test_the_quick_exit_stays_above_a_cookie_banner(servers, page, demo):
    page.goto(demo)
    page.evaluate(BANNER)  # added after the widget, at the highest z-index there is
    assert page.locator("#banner").is_visible()
    assert page.evaluate(JS_ON_TOP, ".ally-dock .ally-exit") and page.evaluate(JS_ON_TOP, ".ally-launcher")
    page.get_by_role("button", name="Chat with Ally").click()  # Playwright clicks only what is on top
    wait_for_bot_messages(page, 1)
    for control in (".ally-header .ally-exit", ".ally-input", ".ally-send", ".ally-person"):
        assert page.evaluate(JS_ON_TOP, control), control
    with page.expect_navigation(url=EXIT_URL):
        page.locator(".ally-header .ally-exit").click()


def exit_box(page, selector):
    return page.evaluate(
        f"""(selector) => {{
        const r = Array.from({SHADOW}.querySelectorAll(selector)).find((e) => e.offsetParent !== null)
            .getBoundingClientRect();
        const v = window.visualViewport;
        return {{ top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                 viewTop: v.offsetTop, viewBottom: v.offsetTop + v.height,
                 viewLeft: v.offsetLeft, viewRight: v.offsetLeft + v.width }};
    }}""",
        selector,
    )


def assert_in_view(box, what):
    assert box["top"] >= box["viewTop"] - 0.5 and box["bottom"] <= box["viewBottom"] + 0.5, (what, box)
    assert box["left"] >= box["viewLeft"] - 0.5 and box["right"] <= box["viewRight"] + 0.5, (what, box)


@pytest.mark.server
def test_the_quick_exit_stays_in_view_with_the_phone_keyboard_open(servers, browser, demo):
    page = new_page(
        browser, viewport={"width": 360, "height": 740}, device_scale_factor=1, is_mobile=True, has_touch=True
    )
    try:
        page.add_init_script(SIMULATED_KEYBOARD)
        open_widget(page, demo)
        page.get_by_role("textbox", name="Your message").focus()
        # the keyboard takes the lower 340 px: the whole panel moves into the 400 px left
        page.evaluate("() => window.__keyboard(400, 0)")
        box = page.get_by_role("dialog", name="Ally").bounding_box()
        assert (box["y"], box["height"]) == (0, 400), box
        assert_in_view(exit_box(page, ".ally-header .ally-exit"), "the panel's quick exit")
        assert_in_view(exit_box(page, ".ally-input"), "the message box")
        # as on iOS, the visible part scrolled down to the focused box
        page.evaluate("() => window.__keyboard(400, 340)")
        assert_in_view(exit_box(page, ".ally-header .ally-exit"), "the panel's quick exit, scrolled")
        # the panel closed, the keyboard still open for the host page's own form: the dock above it
        page.get_by_role("button", name="Minimise chat").click()
        page.evaluate("() => window.__keyboard(400, 0)")
        assert_in_view(exit_box(page, ".ally-dock .ally-exit"), "the dock's quick exit")
        # zoomed in (a real, smaller visual viewport): still in view
        page.evaluate("() => window.__keyboard(null)")
        cdp = page.context.new_cdp_session(page)
        cdp.send("Emulation.setPageScaleFactor", {"pageScaleFactor": 2})
        page.wait_for_function("() => window.visualViewport.width < 200")
        page.wait_for_timeout(100)
        assert_in_view(exit_box(page, ".ally-dock .ally-exit"), "the dock's quick exit, zoomed in")
        cdp.send("Emulation.setPageScaleFactor", {"pageScaleFactor": 1})
        page.wait_for_function("() => window.visualViewport.width > 300")
        page.evaluate("() => window.__keyboard(400, 0)")
        with page.expect_navigation(url=EXIT_URL):
            page.locator(".ally-dock .ally-exit").click()
        assert page.watch.errors == [], page.watch.errors
    finally:
        page.context.close()


# --- languages ---------------------------------------------------------------------------


def test_the_build_reads_every_locale_as_yaml_does():
    """build.mjs has its own small reader for the `widget:` sections: it must agree with PyYAML."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: the widget cannot be built")
    out = subprocess.run(
        [node, str(WIDGET_DIR / "build.mjs"), "--strings"], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(out.stdout) == LOCALES


def sent_metadata(page):
    frames = [json.loads(f[2:]) for f in page.watch.sent_frames if f.startswith('42["user_uttered"')]
    return [data["customData"] for _, data in frames]


@pytest.mark.server
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_widget_speaks_the_page_language(servers, page, language):
    own = LOCALES[language]
    shown = widget_strings(language)  # its own strings, English for a key it still lacks
    for key in ("send", "exit", "exitLabel", "launcher"):
        assert own.get(key), f"locales/{language}.yml has no widget.{key}"
    page.goto(f"{servers.url}/widget/?country={COUNTRY}&lang={language}")
    assert page.locator(".ally").get_attribute("lang") == language
    dock_exit = page.get_by_role("button", name=own["exitLabel"])
    assert dock_exit.inner_text() == own["exit"]
    page.get_by_role("button", name=fill(own["launcher"], title="Ally")).click()
    wait_for_bot_messages(page, 1)
    header_exit = page.locator(".ally-header .ally-exit")
    assert header_exit.inner_text() == own["exit"] and header_exit.get_attribute("aria-label") == own["exitLabel"]
    assert page.get_by_role("button", name=own["send"], exact=True).is_visible()
    notice = page.locator(".ally-notice").inner_text()
    assert shown["notice"] in notice and shown["exitLimits"] in notice
    box = page.get_by_role("textbox", name=shown["inputLabel"])
    assert box.get_attribute("placeholder") == shown["placeholder"]
    assert page.get_by_role("form", name=shown["sendLabel"]).is_visible()
    assert page.get_by_role("button", name=shown["close"]).is_visible()
    assert page.locator(".ally-person").inner_text() == shown["person"]
    assert page.get_by_role("region", name=shown["conversation"]).is_visible()
    assert page.locator("aside.ally").get_attribute("aria-label") == fill(shown["chatRegion"], title="Ally")
    assert page.evaluate(f"() => {SHADOW}.querySelector('.ally-typing .ally-sr').textContent") == fill(
        shown["typing"], title="Ally"
    )
    # the first Shift press says how many more, in the language
    page.keyboard.press("Shift")
    assert page.get_by_role("status").inner_text() == shown["shiftTwoMore"]
    assert sent_metadata(page)[0]["language"] == language  # Ally hears the page's language too


# Before the widget's (deferred) script runs: the page's <html lang> becomes `lang`, and the
# script tag keeps only src and data-country (the server is where the script came from).
JS_PAGE_LANGUAGE = """((lang) => document.addEventListener("readystatechange", () => {
    if (document.readyState !== "interactive") return;
    document.documentElement.lang = lang;
    const script = document.querySelector("script[src$='ally-widget.js']");
    script.removeAttribute("data-language");
    script.removeAttribute("data-server-url");
}))(%s)"""


@pytest.mark.server
def test_html_lang_chooses_the_language_and_an_unknown_one_gets_english(servers, browser, demo):
    other = next((code for code in LANGUAGES if code != "en"), None)
    assert other, "no language but English has widget strings (locales/*.yml)"
    for lang, expected in ((f"{other}-{COUNTRY}", other), ("xx", "en")):
        page = new_page(browser, viewport={"width": 1280, "height": 800})
        try:
            page.add_init_script(JS_PAGE_LANGUAGE % json.dumps(lang))
            page.goto(demo)
            assert page.locator(".ally").get_attribute("lang") == expected, lang
            page.get_by_role("button", name=fill(LOCALES[expected]["launcher"], title="Ally")).click()
            wait_for_bot_messages(page, 1)
            assert page.get_by_role("button", name=LOCALES[expected]["send"], exact=True).is_visible()
            assert page.locator(".ally-header .ally-exit").inner_text() == LOCALES[expected]["exit"]
            assert sent_metadata(page)[0]["language"] == lang  # sent as the page says it
            assert page.watch.errors == [], page.watch.errors
        finally:
            page.context.close()


# --- safety of the renderer ------------------------------------------------------------


@pytest.mark.server
def test_a_bot_reply_with_html_renders_as_inert_text(servers, page, demo):
    """A forged bot_uttered goes through the real socket into the real renderer."""
    sockets = []

    def relay(ws):
        ws.connect_to_server()  # everything else passes through unchanged
        sockets.append(ws)

    page.route_web_socket(re.compile(r"/socket\.io/"), relay)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_widget(page, demo)
    hostile = (
        '<script>alert(1)</script> <img src=x onerror="alert(2)"> <b>bold</b>\n'
        "[click me](javascript:alert(3)) [plain](http://example.org/) [ok](https://example.org/a)\n"
        "• call [116 111](tel:116111) or write [us](mailto:help@example.org)"
    )
    frame = "42" + json.dumps(
        [
            "bot_uttered",
            {"text": hostile, "quick_replies": [{"title": "<img src=x onerror=alert(4)>", "payload": "/greet"}]},
        ]
    )
    before = count(page, ".ally-msg--bot")
    sockets[-1].send(frame)
    wait_for_bot_messages(page, before + 1)

    bubble = page.locator(".ally-msg--bot .ally-bubble").last
    text = bubble.inner_text()
    assert "<script>alert(1)</script>" in text and '<img src=x onerror="alert(2)">' in text
    assert "<b>bold</b>" in text and "[click me](javascript:alert(3))" in text
    elements = page.evaluate(f"""() => Array.from({SHADOW}.querySelectorAll('.ally-log *'))
        .map((e) => e.tagName.toLowerCase())""")
    assert not {"script", "img", "b", "iframe"} & set(elements)
    hrefs = [bubble.locator("a").nth(i).get_attribute("href") for i in range(bubble.locator("a").count())]
    assert hrefs == ["https://example.org/a", "tel:116111", "mailto:help@example.org"]
    assert page.get_by_role("button", name="<img src=x onerror=alert(4)>").is_visible()
    page.wait_for_timeout(300)
    assert dialogs == []


# --- reconnecting -------------------------------------------------------------------------


@pytest.mark.server
def test_the_widget_reconnects_and_says_so(servers, page, demo):
    sockets = []

    def relay(ws):
        ws.connect_to_server()
        sockets.append(ws)

    page.route_web_socket(re.compile(r"/socket\.io/"), relay)
    open_widget(page, demo)
    sockets[-1].close()  # the connection drops, as when the server restarts
    status = page.get_by_role("status")
    page.wait_for_function(f"() => {SHADOW}.querySelector('.ally-status').textContent.includes('Reconnecting')")
    page.wait_for_function(
        f"() => {SHADOW}.querySelector('.ally-status').textContent.includes('Connected again')", timeout=15000
    )
    assert len(sockets) >= 2
    assert len(set(page.watch.session_ids())) == 1  # the same conversation continues
    before = count(page, ".ally-msg--bot")
    send(page, RISK)
    wait_for_bot_messages(page, before + 2)
    assert "Connected again" in status.inner_text() or status.inner_text() == ""


# --- origins ------------------------------------------------------------------------------


def socketio_url(servers):
    return f"ws://127.0.0.1:{servers.rasa_port}/socket.io/?EIO=4&transport=websocket"


@pytest.mark.server
def test_a_socket_from_an_origin_not_on_the_allow_list_is_refused(servers):
    import websockets

    async def handshake(origin):
        async with websockets.connect(socketio_url(servers), origin=origin, open_timeout=10) as ws:
            opened = await ws.recv()
            await ws.send("40")
            return opened, await ws.recv()

    with pytest.raises(websockets.InvalidStatusCode) as refused:
        run_async(lambda: handshake("http://evil.example"))
    assert refused.value.status_code == 400
    # the same handshake from the server's own page is accepted
    opened, connected = run_async(lambda: handshake(servers.url))
    assert opened.startswith("0{") and connected.startswith("40")

    # long-polling is checked the same way
    request = urllib.request.Request(
        f"{servers.url}/socket.io/?EIO=4&transport=polling", headers={"Origin": "http://evil.example"}
    )
    with pytest.raises(urllib.error.HTTPError) as polling:
        urllib.request.urlopen(request, timeout=10)
    assert polling.value.code == 400
    # and so is the forget endpoint
    request = urllib.request.Request(
        f"{servers.url}/webhooks/widget/forget",
        data=b'{"session_id": "abcdefgh12345678"}',
        headers={"Origin": "http://evil.example", "Content-Type": "text/plain"},
    )
    with pytest.raises(urllib.error.HTTPError) as forget:
        urllib.request.urlopen(request, timeout=10)
    assert forget.value.code == 403


@pytest.mark.server
def test_the_socket_protocol_keeps_session_replies(servers):
    """Rasa's protocol with session persistence: replies reach the room (RasaHQ/rasa#13027)."""
    import websockets

    session_id = uuid.uuid4().hex

    async def chat():
        async with websockets.connect(socketio_url(servers), origin=servers.url, open_timeout=10) as ws:
            await ws.recv()
            await ws.send("40")
            await ws.recv()
            await ws.send("42" + json.dumps(["session_request", {"session_id": session_id}]))
            assert json.loads((await ws.recv())[2:]) == ["session_confirm", session_id]
            await ws.send(
                "42"
                + json.dumps(
                    ["user_uttered", {"message": RISK, "session_id": session_id, "customData": {"country": COUNTRY}}]
                )
            )
            events = []
            while not any("custom" in e for e in events):
                frame = await asyncio.wait_for(ws.recv(), timeout=30)
                if frame == "2":
                    await ws.send("3")
                elif frame.startswith("42"):
                    name, data = json.loads(frame[2:])
                    assert name == "bot_uttered"
                    events.append(data)
            return events

    events = run_async(chat)
    assert normalise(events[0]["text"]) in variants("utter_asked_for_images")
    assert handoff_of(events)["country"] == COUNTRY


# --- accessibility and phones ----------------------------------------------------------------


def axe_problems(page):
    page.evaluate(AXE_JS.read_text())  # through the debugging protocol: not blocked by the page's CSP
    violations = page.evaluate(JS_RUN_AXE)
    return [v for v in violations if v["impact"] in ("serious", "critical")]


@pytest.mark.server
def test_keyboard_only_and_no_serious_accessibility_problems(servers, page, demo):
    if not AXE_JS.exists():
        pytest.fail("axe-core is missing: cd widget && npm ci")
    page.goto(demo)
    assert axe_problems(page) == []  # the closed widget on the page
    # keyboard only: Tab reaches the launcher, Enter opens the chat, Enter sends
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate(JS_ACTIVE) == "ally-launcher":
            break
    assert page.evaluate(JS_ACTIVE) == "ally-launcher"
    page.keyboard.press("Enter")
    assert page.evaluate(JS_ACTIVE) == "ally-input"
    wait_for_bot_messages(page, 1)
    wait_until_quiet(page)
    page.keyboard.type(RISK)
    before = count(page, ".ally-msg--bot")
    page.keyboard.press("Enter")
    wait_for_bot_messages(page, before + 2)
    wait_until_quiet(page)
    # focus is visible: an outline on the focused control
    outline = page.evaluate(f"""() => {{
        const s = getComputedStyle({SHADOW}.activeElement);
        return [s.outlineStyle, parseFloat(s.outlineWidth)];
    }}""")
    assert outline[0] != "none" and outline[1] >= 2
    # Shift+Tab walks back through the footer and the conversation's links and buttons
    order = []
    for _ in range(4):
        page.keyboard.press("Shift+Tab")
        order.append(page.evaluate(JS_ACTIVE))
    assert order[:1] == ["ally-person"], order
    assert axe_problems(page) == []  # the open chat with its replies and hand-off card


def phone_page(browser):
    return new_page(
        browser,
        viewport={"width": 360, "height": 740},
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
        reduced_motion="reduce",
    )


def assert_phone_layout(page):
    box = page.get_by_role("dialog", name="Ally").bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 360, 740)
    small = page.evaluate(f"""() => Array.from({SHADOW}.querySelectorAll('button, a.ally-action, input'))
        .filter((e) => e.offsetParent !== null)
        .map((e) => [e.textContent.trim() || e.getAttribute('aria-label'), e.getBoundingClientRect()])
        .filter(([, r]) => r.width < 44 || r.height < 44)
        .map(([name, r]) => `${{name}} ${{r.width}}x${{r.height}}`)""")
    assert small == [], small
    animation = page.evaluate(f"""() => getComputedStyle({SHADOW}.querySelector('.ally-bubble')).animationName""")
    assert animation == "none"  # prefers-reduced-motion
    assert axe_problems(page) == []


@pytest.mark.server
def test_phone_screen_full_screen_thumb_sized_and_calm(servers, browser, demo, tmp_path):
    page = phone_page(browser)
    try:
        open_widget(page, demo)
        before = count(page, ".ally-msg--bot")
        send(page, RISK)
        wait_for_bot_messages(page, before + 2)
        wait_until_quiet(page)
        assert_phone_layout(page)
        page.screenshot(path=screenshot_path("widget-phone.png", tmp_path))
        assert page.watch.errors == [], page.watch.errors
    finally:
        page.context.close()
    if "sv" not in LOCALES:
        return  # the Swedish screenshot comes with locales/sv.yml
    page = phone_page(browser)
    try:
        page.goto(f"{servers.url}/widget/?country=SE&lang=sv")
        page.get_by_role("button", name=fill(LOCALES["sv"]["launcher"], title="Ally")).click()
        wait_for_bot_messages(page, 1)
        wait_until_quiet(page)
        before = count(page, ".ally-msg--bot")
        box = page.get_by_role("textbox", name=LOCALES["sv"]["inputLabel"])
        box.fill(RISK_SV)
        box.press("Enter")
        wait_for_bot_messages(page, before + 1)
        wait_until_quiet(page)
        assert_phone_layout(page)
        page.screenshot(path=screenshot_path("widget-phone-sv.png", tmp_path))
        assert page.watch.errors == [], page.watch.errors
    finally:
        page.context.close()
