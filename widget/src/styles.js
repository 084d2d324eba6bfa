// The widget's styles, applied inside its shadow root: the host page's CSS
// does not leak in and the widget's does not leak out. Applied as a
// constructed stylesheet, so a strict Content-Security-Policy on the host
// (style-src 'self') does not block it.
//
// The dock, the panel and the veil sit in the top layer when the browser has
// popovers (dom.js), else at the highest z-index; the UA's popover styles
// (inset: 0, margin: auto, border, padding, Canvas colours) are undone here.
// --ally-vv-* (dom.js, from window.visualViewport) keep them in the part of the
// page that is on screen: above the on-screen keyboard, inside a zoomed view.

export const CSS = `
:host { all: initial; }
.ally, .ally * { box-sizing: border-box; }
.ally {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 16px;
  line-height: 1.45;
  color: #14141f;
  --ally-ink: #14141f;
  --ally-muted: #4a4a5a;
  --ally-line: #767689;
  --ally-bot-bg: #f0f0f5;
  --ally-exit-bg: #b3001b;
  --ally-link: #1a47a8;
  --ally-focus: #14141f;
}
.ally-sr {
  position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
.ally button, .ally input, .ally a { font: inherit; }
.ally button { cursor: pointer; }
.ally :focus { outline: none; }
.ally :focus-visible { outline: 3px solid var(--ally-focus); outline-offset: 2px; }
.ally-header :focus-visible { outline-color: var(--ally-on-primary); }

/* launcher */
.ally-dock {
  position: fixed; z-index: 2147483647;
  inset: auto calc(20px + var(--ally-vv-right, 0px)) calc(20px + var(--ally-vv-bottom, 0px)) auto;
  margin: 0; padding: 0; border: 0; background: transparent; color: inherit; overflow: visible;
  width: auto; height: auto; max-width: calc(var(--ally-vv-width, 100vw) - 40px);
  display: flex; flex-wrap: wrap; justify-content: flex-end; gap: 10px; align-items: center;
}
.ally-launcher {
  min-height: 56px; min-width: 56px; padding: 0 22px; border: 2px solid var(--ally-on-primary);
  border-radius: 28px; background: var(--ally-primary); color: var(--ally-on-primary);
  font-weight: 600; box-shadow: 0 4px 16px rgba(0, 0, 0, .25);
}
.ally-launcher:hover { filter: brightness(1.1); }

/* panel */
.ally-panel {
  position: fixed; z-index: 2147483647;
  inset: auto calc(20px + var(--ally-vv-right, 0px)) calc(20px + var(--ally-vv-bottom, 0px)) auto;
  margin: 0; padding: 0;
  width: 380px; max-width: calc(var(--ally-vv-width, 100vw) - 40px);
  height: 640px; max-height: calc(var(--ally-vv-height, 100vh) - 40px);
  display: flex; flex-direction: column;
  background: #ffffff; color: var(--ally-ink);
  border-radius: 14px; overflow: hidden;
  box-shadow: 0 10px 40px rgba(0, 0, 0, .3);
  border: 1px solid #c4c4d0;
}
.ally-panel[hidden], .ally-dock[hidden], .ally [hidden] { display: none !important; }
.ally-header {
  display: flex; align-items: center; gap: 8px; padding: 8px 8px 8px 16px;
  background: var(--ally-primary); color: var(--ally-on-primary);
}
.ally-title { flex: 1; margin: 0; font-size: 18px; font-weight: 700; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.ally-exit {
  min-height: 44px; padding: 0 14px; border-radius: 22px; border: 2px solid #ffffff;
  background: var(--ally-exit-bg); color: #ffffff; font-weight: 700;
}
.ally-exit:hover { background: #8f0016; }
.ally-close {
  min-width: 44px; min-height: 44px; border-radius: 22px; border: 2px solid transparent;
  background: transparent; color: var(--ally-on-primary); font-size: 28px; font-weight: 700; line-height: 1;
}
.ally-close:hover { border-color: var(--ally-on-primary); }
.ally-notice {
  margin: 0; padding: 8px 16px; font-size: 14px; color: var(--ally-ink);
  background: #fff8e1; border-bottom: 1px solid #e0d7b8;
}
.ally-notice p { margin: 0; }
.ally-notice .ally-notice-limits { margin-top: 2px; }
.ally-status { margin: 0; padding: 0 16px; font-size: 14px; font-weight: 600; color: var(--ally-ink); }
.ally-status:not(:empty) { padding: 6px 16px; background: #e8eefc; }
.ally-status.ally-status--bad:not(:empty) { background: #fde8e8; }

/* conversation */
.ally-scroll { flex: 1; overflow-y: auto; padding: 12px 12px 4px; overscroll-behavior: contain; scroll-behavior: smooth; }
.ally-scroll:focus-visible { outline-offset: -3px; }
.ally-log { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
.ally-msg { display: flex; flex-direction: column; max-width: 100%; }
.ally-bubble {
  max-width: 88%; padding: 9px 13px; border-radius: 16px; overflow-wrap: anywhere;
  animation: ally-in .18s ease-out;
}
.ally-bubble p { margin: 0; }
.ally-bubble p + p, .ally-bubble p + ul, .ally-bubble ul + p { margin-top: 6px; }
.ally-bubble ul { margin: 4px 0 0; padding-left: 20px; list-style: disc outside; }
.ally-bubble li + li { margin-top: 3px; }
.ally-msg--bot .ally-bubble { align-self: flex-start; background: var(--ally-bot-bg); color: var(--ally-ink); border-bottom-left-radius: 4px; }
.ally-msg--user .ally-bubble { align-self: flex-end; background: var(--ally-primary); color: var(--ally-on-primary); border-bottom-right-radius: 4px; }
.ally-bubble a:not(.ally-action) { color: var(--ally-link); text-decoration: underline; text-underline-offset: 2px; }
.ally-bubble a:not(.ally-action):hover { text-decoration-thickness: 2px; }
.ally-msg--user .ally-bubble a { color: inherit; }

.ally-choices { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px; }
.ally-choice {
  min-height: 44px; padding: 8px 14px; border-radius: 22px; text-align: left;
  border: 2px solid var(--ally-primary-ink); background: #ffffff; color: var(--ally-primary-ink); font-weight: 600;
}
.ally-choice:hover { background: #f3f1fb; }

.ally-handoff {
  align-self: stretch; margin-top: 8px; padding: 12px; border-radius: 12px;
  border: 2px solid var(--ally-primary-ink); background: #ffffff;
}
.ally-handoff-name { margin: 0; font-weight: 700; }
.ally-handoff-state { margin: 2px 0 0; font-size: 14px; color: var(--ally-muted); }
.ally-handoff-actions { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 10px; }
.ally-action {
  display: inline-flex; align-items: center; justify-content: center;
  min-height: 44px; min-width: 44px; padding: 8px 16px; border-radius: 22px;
  font-weight: 700; text-decoration: none; border: 2px solid var(--ally-primary);
  background: var(--ally-primary); color: var(--ally-on-primary);
}
.ally-action--secondary { background: #ffffff; color: var(--ally-primary-ink); border-color: var(--ally-primary-ink); }

.ally-typing { display: flex; gap: 5px; align-items: center; padding: 12px 14px; margin: 8px 0 4px;
  width: max-content; border-radius: 16px; background: var(--ally-bot-bg); }
.ally-dot { width: 8px; height: 8px; border-radius: 50%; background: var(--ally-muted); animation: ally-blink 1.2s infinite ease-in-out; }
.ally-dot:nth-child(3) { animation-delay: .2s; }
.ally-dot:nth-child(4) { animation-delay: .4s; }

/* footer */
.ally-footer { padding: 8px 12px 12px; border-top: 1px solid #d6d6e0; background: #ffffff; }
.ally-person {
  width: 100%; min-height: 44px; margin-bottom: 8px; border-radius: 22px;
  border: 2px solid var(--ally-primary-ink); background: #ffffff; color: var(--ally-primary-ink); font-weight: 700;
}
.ally-person:hover { background: #f3f1fb; }
.ally-form { display: flex; gap: 8px; margin: 0; }
.ally-input {
  flex: 1; min-width: 0; min-height: 44px; padding: 8px 14px; font-size: 16px;
  border: 2px solid var(--ally-line); border-radius: 22px; color: var(--ally-ink); background: #ffffff;
}
.ally-input::placeholder { color: #5c5c6e; opacity: 1; }
.ally-input:focus-visible { outline-offset: 0; border-color: var(--ally-ink); }
.ally-send {
  min-height: 44px; min-width: 64px; padding: 0 16px; border-radius: 22px; border: 2px solid var(--ally-primary);
  background: var(--ally-primary); color: var(--ally-on-primary); font-weight: 700;
}

.ally-veil {
  position: fixed; inset: 0; z-index: 2147483647; margin: 0; padding: 0; border: 0;
  width: auto; height: auto; background: #ffffff;
}

@keyframes ally-in { from { opacity: 0; transform: translateY(6px); } to { opacity: 1; transform: none; } }
@keyframes ally-blink { 0%, 80%, 100% { opacity: .3; } 40% { opacity: 1; } }

/* phones: the panel takes the whole screen */
@media (max-width: 480px) {
  .ally-panel {
    inset: auto; top: var(--ally-vv-top, 0px); left: var(--ally-vv-left, 0px);
    width: 100vw; width: var(--ally-vv-width, 100vw); max-width: none;
    height: 100vh; height: var(--ally-vv-height, 100dvh); max-height: none; border-radius: 0; border: 0;
  }
  .ally-dock {
    right: calc(12px + var(--ally-vv-right, 0px)); bottom: calc(12px + var(--ally-vv-bottom, 0px));
    max-width: calc(var(--ally-vv-width, 100vw) - 24px);
  }
}

@media (prefers-reduced-motion: reduce) {
  .ally *, .ally *::before, .ally *::after { animation: none !important; transition: none !important; scroll-behavior: auto !important; }
  .ally-dot { opacity: 1; }
}

@media (forced-colors: active) {
  .ally-bubble, .ally-choice, .ally-action, .ally-handoff, .ally-panel { border: 1px solid CanvasText; }
}
`;
