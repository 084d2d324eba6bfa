// Quick exit, as the UK government's "Exit this page" component does it.
//
// The red button, or Shift pressed three times in a row (each press within
// SHIFT_GAP_MS of the one before, Shift alone: Shift held for a capital letter
// does not count, any other key starts the count again). Not Escape: Escape
// stops a page that is loading, which can cancel the way out.
//
// Leaving: the page is covered at once, the conversation is wiped from the page
// and from memory, the server is asked to forget it (waiting FORGET_WAIT_MS at
// most), and the page is *replaced* by the exit page (location.replace), so Back
// does not return to it. From the moment exit starts, every further key press
// and click on the page is swallowed: nothing can stop or undo it.
//
// What it cannot do, and the notice says so (STRINGS.exitLimits): close other
// tabs, remove the page from the browser's history, or reach other devices.
export const SHIFT_PRESSES = 3;
export const SHIFT_GAP_MS = 2000;
const FORGET_WAIT_MS = 800;
const SWALLOWED = ["keydown", "keypress", "keyup", "beforeinput", "input", "click", "dblclick", "auxclick",
  "contextmenu", "mousedown", "mouseup", "pointerdown", "pointerup", "submit"];

// POST {session_id} to the forget endpoint; resolves whatever happens.
function forgetOnServer(url, sessionId) {
  try {
    return fetch(url, {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      cache: "no-store",
      keepalive: true,
      referrerPolicy: "no-referrer",
      // a "simple" request: no preflight, so it is sent even as the page goes
      headers: { "Content-Type": "text/plain" },
      body: JSON.stringify({ session_id: sessionId }),
    }).catch(() => null);
  } catch (_) {
    return Promise.resolve(null);
  }
}

// config: {exitUrl, forgetUrl}; cover(): hide the page at once; wipe(): remove the
// conversation, returning its session id; onShift(left): a Shift press counted,
// `left` more to go.
export function createQuickExit(config, { cover, wipe, onShift }) {
  let leaving = false;
  let presses = 0;
  let lastPress = 0;
  let shiftAlone = false;

  function leave() {
    if (leaving) return;
    leaving = true;
    cover();
    const sessionId = wipe();
    const go = () => window.location.replace(config.exitUrl);
    const timer = new Promise((resolve) => setTimeout(resolve, FORGET_WAIT_MS));
    Promise.race([forgetOnServer(config.forgetUrl, sessionId), timer]).then(go, go);
  }

  function onKeyDown(event) {
    if (event.key === "Shift") {
      if (!event.repeat) shiftAlone = true;
      return;
    }
    shiftAlone = false; // Shift used as a modifier, or another key: the count starts again
    presses = 0;
  }

  function onKeyUp(event) {
    if (event.key !== "Shift" || !shiftAlone) return;
    shiftAlone = false;
    const now = Date.now();
    presses = now - lastPress <= SHIFT_GAP_MS ? presses + 1 : 1;
    lastPress = now;
    if (presses >= SHIFT_PRESSES) {
      presses = 0;
      leave();
    } else {
      onShift(SHIFT_PRESSES - presses);
    }
  }

  function swallow(event) {
    if (!leaving) return;
    event.preventDefault();
    event.stopImmediatePropagation();
  }

  function listen() {
    // on window, capturing: before the host page's own listeners and the widget's
    for (const type of SWALLOWED) window.addEventListener(type, swallow, true);
    document.addEventListener("keydown", onKeyDown, true);
    document.addEventListener("keyup", onKeyUp, true);
    // if the browser ever shows this page again from its cache: leave again
    window.addEventListener("pageshow", (event) => {
      if (leaving && event.persisted) window.location.replace(config.exitUrl);
    });
  }

  return { leave, listen, started: () => leaving };
}
