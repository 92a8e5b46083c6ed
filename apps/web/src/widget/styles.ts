/**
 * The widget's own styles, inside its shadow root: `all: initial` on the host cuts every
 * inherited property of the embedding page, so neither side's CSS reaches the other.
 * Colours meet WCAG AA (4.5:1) for text on their backgrounds; no web fonts are loaded.
 */
export const WIDGET_CSS = `
:host { all: initial; display: block; max-width: 26rem; color: #1b1b1f;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
.card { border: 1px solid #c4c6d0; border-radius: 12px; background: #fff; padding: 1rem;
  box-shadow: 0 2px 8px rgb(0 0 0 / 0.08); }
h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
p { margin: .25rem 0; }
.wait { color: #44474f; }
.error { border-left: 4px solid #b3261e; background: #fdeceb; padding: .5rem .75rem; margin: .5rem 0;
  border-radius: 4px; }
.error .code { color: #44474f; font-size: .85rem; }
a { color: #0b57d0; }
.media { display: grid; gap: .5rem; margin: .5rem 0; position: relative; }
video { width: 100%; border-radius: 8px; background: #1b1b1f; aspect-ratio: 4 / 3; }
video.local { position: absolute; right: .5rem; bottom: .5rem; width: 30%; border: 2px solid #fff; }
.audio-only video { display: none; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: .5rem; }
button { font: inherit; cursor: pointer; border-radius: 999px; padding: .45rem 1rem; border: 1px solid #0b57d0;
  background: #fff; color: #0b57d0; min-height: 44px; }
button.primary { background: #0b57d0; color: #fff; }
button.danger { background: #b3261e; border-color: #b3261e; color: #fff; }
button[aria-pressed="true"] { background: #d3e3fd; color: #041e49; }
button:focus-visible, select:focus-visible, a:focus-visible, summary:focus-visible {
  outline: 3px solid #0b57d0; outline-offset: 2px; }
details { margin-top: .75rem; }
summary { cursor: pointer; color: #0b57d0; }
label { display: block; margin: .4rem 0; font-size: .9rem; }
select { font: inherit; display: block; width: 100%; margin-top: .2rem; padding: .3rem; border: 1px solid #74777f;
  border-radius: 6px; background: #fff; color: #1b1b1f; }
[hidden] { display: none !important; }
`;
